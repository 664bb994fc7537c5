//! [`CookieCipher`]: opens and seals session cookie values the way the cookie crate's private jar
//! does (what actix-session uses): base64 (standard, padded) of a 12-byte random nonce followed by
//! the AES-256-GCM ciphertext and tag, with the cookie name as associated data. Used for the keys of
//! a key ring that actix-session does not hold (see `key_ring`); actix-session itself opens and seals
//! with the current key.
use actix_web::cookie::Key;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use rand::RngCore as _;

const NONCE_LEN: usize = 12;

/// One key's cipher (built once: the private jar expands the AES key on every use).
pub(crate) struct CookieCipher {
    cipher: Aes256Gcm,
}

impl CookieCipher {
    pub(crate) fn new(key: &Key) -> CookieCipher {
        CookieCipher { cipher: Aes256Gcm::new(GenericArray::from_slice(key.encryption())) }
    }

    /// The plaintext of `value` sealed for the cookie `name`; `None` if it does not open.
    pub(crate) fn open(&self, name: &str, value: &str) -> Option<String> {
        let data = B64.decode(value).ok()?;
        if data.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, msg) = data.split_at(NONCE_LEN);
        let plain = self.cipher.decrypt(GenericArray::from_slice(nonce), Payload { msg, aad: name.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }

    /// `plaintext` sealed for the cookie `name`.
    pub(crate) fn seal(&self, name: &str, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(GenericArray::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: name.as_bytes() })
            .unwrap_or_default();
        let mut data = Vec::with_capacity(NONCE_LEN + sealed.len());
        data.extend_from_slice(&nonce);
        data.extend_from_slice(&sealed);
        B64.encode(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::cookie::{Cookie, CookieJar};

    #[test]
    fn the_private_jar_format_both_ways() {
        let key = Key::generate();
        let c = CookieCipher::new(&key);
        let mut jar = CookieJar::new();
        jar.private_mut(&key).add(Cookie::new("sid", "the session key"));
        let sealed = jar.get("sid").unwrap().value().to_string();
        assert_eq!(c.open("sid", &sealed).as_deref(), Some("the session key"));
        assert_eq!(c.open("other", &sealed), None, "the name is authenticated");
        assert_eq!(CookieCipher::new(&Key::generate()).open("sid", &sealed), None, "another key");

        let ours = c.seal("sid", "another session key");
        let mut jar = CookieJar::new();
        jar.add_original(Cookie::new("sid", ours.clone()));
        assert_eq!(jar.private(&key).get("sid").unwrap().value(), "another session key", "actix-session opens it");
        let mut tampered = ours.into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        assert_eq!(c.open("sid", std::str::from_utf8(&tampered).unwrap()), None);
        assert_eq!(c.open("sid", "AAAA"), None);
        assert_eq!(c.open("sid", "not base64!"), None);
    }
}
