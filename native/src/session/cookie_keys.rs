//! [`CookieKeys`]: the keys a server's session cookies are sealed and opened with.
//!
//! actix-session seals and opens with one key, fixed for a run of the server (its middleware is built
//! when the server starts): the *sealing key*. It comes from the secret (`cookie_key`), else from the
//! shared store's key ring (its current key when the server starts), else it is random per process.
//! With a key ring, the other keys of the ring still open cookies: older keys the cookies sealed
//! before a rotation, and a newer key another server added after this one started. Only while there
//! are such keys, the outer middleware looks at a request's session cookie before actix-session
//! does: a cookie that the sealing key cannot open but another ring key can is sealed again with the
//! sealing key (so actix-session opens it) and sent back to the client ([`Reissue`]).
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, Key};
use actix_web::dev::ServiceRequest;
use actix_web::http::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use parking_lot::RwLock;

use super::cookie_cipher::CookieCipher;
use super::key_ring::KeyRing;
use super::options::{SecurePolicy, SessionOptions};
use crate::error::Result;

struct Keys {
    sealing: Key,
    /// The sealing key's id in the store's key ring (`None`: not a ring key).
    sealing_id: Option<u32>,
    sealing_cipher: CookieCipher,
    /// The other ring keys, which still open cookies.
    others: Vec<(u32, CookieCipher)>,
}

/// The sealing key and the other keys that open cookies (see the module docs).
pub(crate) struct CookieKeys {
    keys: RwLock<Keys>,
}

/// A cookie value sealed again with the sealing key, to send back to the client.
pub(crate) struct Reissue(pub(crate) String);

impl CookieKeys {
    /// Keys with `sealing` alone (a secret's or a random one).
    pub(crate) fn new(sealing: Key) -> CookieKeys {
        let sealing_cipher = CookieCipher::new(&sealing);
        CookieKeys { keys: RwLock::new(Keys { sealing, sealing_id: None, sealing_cipher, others: Vec::new() }) }
    }

    /// The key actix-session seals and opens with.
    pub(crate) fn sealing(&self) -> Key {
        self.keys.read().sealing.clone()
    }

    /// The ring id of the sealing key, if it is a ring key.
    pub(crate) fn sealing_id(&self) -> Option<u32> {
        self.keys.read().sealing_id
    }

    /// Uses `ring`: with `seal_with_current`, its current key becomes the sealing key (at start);
    /// every other key of the ring opens cookies.
    pub(crate) fn install(&self, ring: &KeyRing, seal_with_current: bool) -> Result<()> {
        let mut keys = self.keys.write();
        if seal_with_current {
            if let Some(current) = ring.current() {
                let key = current.key()?;
                keys.sealing_cipher = CookieCipher::new(&key);
                keys.sealing = key;
                keys.sealing_id = Some(current.id);
            }
        }
        let sealing_id = keys.sealing_id;
        keys.others = ring
            .keys
            .iter()
            .filter(|k| Some(k.id) != sealing_id)
            .map(|k| k.key().map(|key| (k.id, CookieCipher::new(&key))))
            .collect::<Result<Vec<_>>>()?;
        Ok(())
    }

    /// When other keys are in play and the request's session cookie opens only with one of them:
    /// seals it again with the sealing key in the request (for actix-session) and returns the new value.
    pub(crate) fn reseal(&self, req: &mut ServiceRequest, name: &str) -> Option<Reissue> {
        let keys = self.keys.read();
        if keys.others.is_empty() {
            return None;
        }
        let value = cookie_value(req.headers(), name)?;
        if keys.sealing_cipher.open(name, &value).is_some() {
            return None;
        }
        let plain = keys.others.iter().find_map(|(_, c)| c.open(name, &value))?;
        let sealed = keys.sealing_cipher.seal(name, &plain);
        drop(keys);
        replace_cookie(req.headers_mut(), name, &sealed);
        Some(Reissue(sealed))
    }
}

/// The value of the request cookie `name` (the first), read from the `Cookie` headers and
/// percent-decoded (as actix-web reads cookies; the session cookie's base64 is sent percent-encoded).
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(COOKIE).filter_map(|h| h.to_str().ok()).flat_map(|h| h.split(';')).find_map(|pair| {
        let (n, v) = pair.trim().split_once('=')?;
        if n != name {
            return None;
        }
        percent_encoding::percent_decode_str(v.trim_matches('"')).decode_utf8().ok().map(|v| v.into_owned())
    })
}

/// Replaces the value of cookie `name` in the request's `Cookie` headers (joined into one).
fn replace_cookie(headers: &mut HeaderMap, name: &str, value: &str) {
    let pairs: Vec<String> = headers
        .get_all(COOKIE)
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, _)) if n == name => format!("{name}={value}"),
            _ => p.to_string(),
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&pairs.join("; ")) {
        headers.insert(COOKIE, v);
    }
}

/// Adds the `Set-Cookie` of a reissued session cookie, with the configured attributes.
pub(crate) fn add_reissued(headers: &mut HeaderMap, options: &SessionOptions, https: bool, reissue: &Reissue) {
    let mut cookie = Cookie::new(options.cookie_name.clone(), reissue.0.clone());
    cookie.set_path(options.cookie_path.clone());
    if let Some(domain) = &options.cookie_domain {
        cookie.set_domain(domain.clone());
    }
    cookie.set_http_only(options.http_only);
    cookie.set_same_site(options.same_site.to_cookie());
    cookie.set_secure(match options.secure_policy {
        SecurePolicy::Always => true,
        SecurePolicy::None => false,
        SecurePolicy::SameAsRequest => https,
    });
    if options.cookie_max_age_seconds >= 0 {
        cookie.set_max_age(CookieDuration::seconds(options.cookie_max_age_seconds));
    }
    if let Ok(v) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        headers.append(SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_headers_are_read_and_rewritten() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; sid=o%2Fld"));
        h.append(COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(cookie_value(&h, "sid").as_deref(), Some("o/ld"), "percent-decoded");
        assert_eq!(cookie_value(&h, "x"), None);
        replace_cookie(&mut h, "sid", "new");
        assert_eq!(h.get_all(COOKIE).count(), 1);
        assert_eq!(h.get(COOKIE).unwrap(), "a=1; sid=new; b=2");
    }
}
