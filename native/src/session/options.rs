//! Session options ([`SessionOptions`]) and the cookie enums.
use crate::error::{Error, Result};

/// The `SameSite` attribute of a cookie (`KrSameSite`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SameSite {
    /// `SameSite=Lax` (default).
    #[default]
    Lax = 0,
    /// `SameSite=Strict`.
    Strict = 1,
    /// `SameSite=None`.
    None = 2,
    /// The attribute is omitted.
    Unspecified = 3,
}

impl SameSite {
    /// The value for a C `KrSameSite` (0..=3); `InvalidArgument` otherwise.
    pub fn from_i32(value: i32) -> Result<SameSite> {
        Ok(match value {
            0 => SameSite::Lax,
            1 => SameSite::Strict,
            2 => SameSite::None,
            3 => SameSite::Unspecified,
            other => return Err(Error::invalid_argument(format!("same_site {other} is not 0..=3 (KrSameSite)"))),
        })
    }
}

/// When the session cookie gets the `Secure` attribute (`KrSecurePolicy`, ASP.NET Core's
/// `CookieSecurePolicy` order).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SecurePolicy {
    /// `Secure` on HTTPS requests only (default).
    #[default]
    SameAsRequest = 0,
    /// Always `Secure`.
    Always = 1,
    /// Never `Secure`.
    None = 2,
}

impl SecurePolicy {
    /// The value for a C `KrSecurePolicy` (0..=2); `InvalidArgument` otherwise.
    pub fn from_i32(value: i32) -> Result<SecurePolicy> {
        Ok(match value {
            0 => SecurePolicy::SameAsRequest,
            1 => SecurePolicy::Always,
            2 => SecurePolicy::None,
            other => {
                return Err(Error::invalid_argument(format!("secure_policy {other} is not 0..=2 (KrSecurePolicy)")))
            }
        })
    }
}

/// Default session cookie name (ASP.NET Core's is `.AspNetCore.Session`).
pub const DEFAULT_COOKIE_NAME: &str = ".Kestrun.Session";

/// Session configuration (`KrSessionOptions`).
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
        if self.max_sessions == 0 {
            return Err(Error::invalid_argument("max_sessions must be at least 1"));
        }
        if self.cookie_max_age_seconds > 100 * 365 * 24 * 3600 {
            return Err(Error::invalid_argument("cookie_max_age_seconds is too large"));
        }
        Ok(())
    }
}

/// Redis session store settings (`kr_server_use_redis_session_store`); the Redis backend itself is
/// a later addition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisOptions {
    /// Connection string, e.g. `redis://127.0.0.1:6379/0`.
    pub connection: String,
    /// Prefix of every key the store writes.
    pub key_prefix: String,
    /// Connect timeout in milliseconds.
    pub connect_timeout_ms: u32,
    /// Per-operation timeout in milliseconds.
    pub operation_timeout_ms: u32,
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
        assert_eq!(SameSite::from_i32(3).unwrap(), SameSite::Unspecified);
        assert!(SameSite::from_i32(4).is_err());
        assert_eq!(SecurePolicy::from_i32(1).unwrap(), SecurePolicy::Always);
        assert!(SecurePolicy::from_i32(-1).is_err());
    }
}
