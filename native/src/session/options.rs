//! Session options ([`SessionOptions`]) and the cookie enums.
use std::time::Duration;

use crate::error::{Error, Result};

/// The `SameSite` attribute of a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SameSite {
    /// `SameSite=Lax` (default).
    #[default]
    Lax,
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=None`.
    None,
    /// The attribute is omitted.
    Unspecified,
}

/// When the session cookie gets the `Secure` attribute (ASP.NET Core's `CookieSecurePolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SecurePolicy {
    /// `Secure` on HTTPS requests only (default).
    #[default]
    SameAsRequest,
    /// Always `Secure`.
    Always,
    /// Never `Secure`.
    None,
}

/// Shortest accepted session cookie secret, in bytes.
pub const MIN_COOKIE_SECRET_BYTES: usize = 16;
/// Longest accepted session cookie secret, in bytes.
pub const MAX_COOKIE_SECRET_BYTES: usize = 4096;

/// A secret shared by the servers that must read each other's session cookies (several servers
/// behind a load balancer on one Redis; ASP.NET Core shares its data-protection keys for this).
///
/// The 64-byte cookie key (32 bytes signing + 32 bytes encryption, the cookie crate's `Key`) is
/// derived from it with HKDF-SHA512 (salt `Kestrun.Rust session cookie key`, info `v1`), so any
/// secret of [`MIN_COOKIE_SECRET_BYTES`]..=[`MAX_COOKIE_SECRET_BYTES`] bytes works and equal
/// secrets give equal keys. Use a random secret (e.g. 32+ random bytes); never one derived from
/// public data such as a key prefix. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct CookieSecret(Vec<u8>);

impl CookieSecret {
    /// Wraps `secret` (checked by [`SessionOptions::validate`]).
    pub fn new(secret: impl Into<Vec<u8>>) -> CookieSecret {
        CookieSecret(secret.into())
    }

    /// The secret's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The 64-byte cookie key derived from the secret (HKDF-SHA512).
    pub fn derive_key(&self) -> [u8; 64] {
        let hk = hkdf::Hkdf::<sha2::Sha512>::new(Some(b"Kestrun.Rust session cookie key"), &self.0);
        let mut okm = [0u8; 64];
        // 64 bytes are far below HKDF-SHA512's limit (255 * 64).
        hk.expand(b"v1", &mut okm).expect("HKDF-SHA512 can expand to 64 bytes");
        okm
    }
}

impl std::fmt::Debug for CookieSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CookieSecret(<{} bytes>)", self.0.len())
    }
}

/// Default lifetime of a key of a store's key ring: 90 days (ASP.NET Core's data-protection default).
pub const DEFAULT_KEY_LIFETIME_SECONDS: u64 = 90 * 24 * 3600;

/// Default session cookie name (ASP.NET Core's is `.AspNetCore.Session`).
pub const DEFAULT_COOKIE_NAME: &str = ".Kestrun.Session";

/// Session configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOptions {
    /// Cookie name; default `.Kestrun.Session`.
    pub cookie_name: String,
    /// Cookie `Path`; default `/`.
    pub cookie_path: String,
    /// Cookie `Domain`; default none.
    pub cookie_domain: Option<String>,
    /// Cookie `HttpOnly`; default true.
    pub http_only: bool,
    /// Cookie `SameSite`; default Lax.
    pub same_site: SameSite,
    /// Cookie `Secure` policy; default same as request.
    pub secure_policy: SecurePolicy,
    /// Cookie `Max-Age` in seconds; negative → browser-session cookie (default -1).
    pub cookie_max_age_seconds: i64,
    /// Idle timeout in seconds, sliding (each request extends it); default 1200.
    pub idle_timeout_seconds: u64,
    /// Bound on every session store call, in seconds; default 60.
    pub io_timeout_seconds: u64,
    /// In-memory store bound (entries); default 1 000 000.
    pub max_sessions: u64,
    /// Secret the session cookie key is derived from; `None` (default) → the key ring of a shared
    /// store (Redis), else a random key per server (its cookies are readable by that server only).
    /// See [`CookieSecret`].
    pub cookie_key: Option<CookieSecret>,
    /// How long a key of the store's key ring seals new cookies before a starting server adds a new
    /// one, in seconds; default 90 days (ASP.NET Core's). An older key still opens its cookies for one
    /// more lifetime.
    pub key_lifetime_seconds: u64,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            cookie_name: DEFAULT_COOKIE_NAME.to_string(),
            cookie_path: "/".to_string(),
            cookie_domain: None,
            http_only: true,
            same_site: SameSite::Lax,
            secure_policy: SecurePolicy::SameAsRequest,
            cookie_max_age_seconds: -1,
            idle_timeout_seconds: 1200,
            io_timeout_seconds: 60,
            max_sessions: 1_000_000,
            cookie_key: None,
            key_lifetime_seconds: DEFAULT_KEY_LIFETIME_SECONDS,
        }
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl SessionOptions {
    /// Checks every field; `InvalidArgument` naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        if !is_token(&self.cookie_name) {
            return Err(Error::invalid_argument(format!("invalid session cookie name {:?}", self.cookie_name)));
        }
        if !self.cookie_path.starts_with('/') || self.cookie_path.bytes().any(|b| b == b';' || b.is_ascii_control()) {
            return Err(Error::invalid_argument(format!(
                "invalid session cookie path {:?} (must start with '/')",
                self.cookie_path
            )));
        }
        if let Some(domain) = &self.cookie_domain {
            if domain.is_empty() || domain.bytes().any(|b| b == b';' || b == b' ' || b.is_ascii_control()) {
                return Err(Error::invalid_argument(format!("invalid session cookie domain {domain:?}")));
            }
        }
        if self.idle_timeout_seconds == 0 || self.idle_timeout_seconds > 100 * 365 * 24 * 3600 {
            return Err(Error::invalid_argument("idle_timeout_seconds must be 1..=3153600000"));
        }
        if self.io_timeout_seconds == 0 || self.io_timeout_seconds > 24 * 3600 {
            return Err(Error::invalid_argument("io_timeout_seconds must be 1..=86400"));
        }
        if self.key_lifetime_seconds == 0 || self.key_lifetime_seconds > 100 * 365 * 24 * 3600 {
            return Err(Error::invalid_argument("key_lifetime_seconds must be 1..=3153600000"));
        }
        if self.max_sessions == 0 {
            return Err(Error::invalid_argument("max_sessions must be at least 1"));
        }
        if self.cookie_max_age_seconds > 100 * 365 * 24 * 3600 {
            return Err(Error::invalid_argument("cookie_max_age_seconds is too large"));
        }
        if let Some(secret) = &self.cookie_key {
            if !(MIN_COOKIE_SECRET_BYTES..=MAX_COOKIE_SECRET_BYTES).contains(&secret.len()) {
                return Err(Error::invalid_argument(format!(
                    "cookie_key must be {MIN_COOKIE_SECRET_BYTES}..={MAX_COOKIE_SECRET_BYTES} bytes (got {})",
                    secret.len()
                )));
            }
        }
        Ok(())
    }
}

/// Redis session store settings ([`RedisBackend`](super::RedisBackend)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisOptions {
    /// Connection string: `redis://[[user]:password@]host[:port][/db]`, `rediss://…` (TLS),
    /// `unix://…`, or StackExchange.Redis's `host[:port][,password=…][,ssl=true][,defaultDatabase=N]…`
    /// (see [`RedisConnection::parse`](super::redis::RedisConnection::parse)).
    pub connection: String,
    /// Prefix of every key the store writes (ASP.NET Core's `InstanceName`); may be empty.
    pub key_prefix: String,
    /// Connect timeout (at most one hour); `None` → the string's `connectTimeout`, else 5 s.
    pub connect_timeout: Option<Duration>,
    /// Per-command timeout (at most one hour); `None` → the string's `syncTimeout`, else 5 s.
    pub operation_timeout: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        let o = SessionOptions::default();
        o.validate().unwrap();
        assert_eq!(o.cookie_name, ".Kestrun.Session");
        let bad = SessionOptions { cookie_name: "a b".into(), ..Default::default() };
        assert!(bad.validate().is_err());
        let bad = SessionOptions { idle_timeout_seconds: 0, ..Default::default() };
        assert!(bad.validate().is_err());
        let bad = SessionOptions { cookie_path: "x".into(), ..Default::default() };
        assert!(bad.validate().is_err());
        let short = SessionOptions { cookie_key: Some(CookieSecret::new(vec![1u8; 15])), ..Default::default() };
        assert!(short.validate().is_err());
        let ok = SessionOptions { cookie_key: Some(CookieSecret::new(vec![1u8; 16])), ..Default::default() };
        ok.validate().unwrap();
        assert!(!format!("{ok:?}").contains("[1, 1"), "the secret is never printed");
    }

    #[test]
    fn cookie_key_derivation_is_deterministic() {
        let a = CookieSecret::new(b"correct horse battery staple".to_vec());
        let b = CookieSecret::new(b"correct horse battery staple".to_vec());
        let c = CookieSecret::new(b"correct horse battery stapl3".to_vec());
        assert_eq!(a.derive_key(), b.derive_key());
        assert_ne!(a.derive_key(), c.derive_key());
        assert_ne!(a.derive_key()[..32], a.derive_key()[32..], "signing and encryption halves differ");
    }
}
