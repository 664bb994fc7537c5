//! Sessions: actix-session's `SessionMiddleware` (private, encrypted cookie carrying a random
//! session key; a random cookie key per server, or one derived from
//! [`SessionOptions::cookie_key`] so that several servers read each other's cookies) over a
//! pluggable [`SessionBackend`] ([`MemoryBackend`] by default, [`RedisBackend`]), plus
//!
//! - [`lock`]: the per-session lock (requests of one session run one at a time);
//! - the cookie policy the actix middleware cannot express: `Secure` only on HTTPS requests
//!   ([`SecurePolicy::SameAsRequest`]), no `SameSite` attribute ([`SameSite::Unspecified`]) and a
//!   `Max-Age` for persistent cookies while the state keeps its own sliding idle timeout.
//!
//! Semantics (ASP.NET Core's): no cookie until the session is first written; the idle timeout
//! slides on every request; a tampered / forged / expired cookie silently starts a new empty
//! session; a failed route discards its session changes.
pub(crate) mod lock;
pub mod memory;
pub mod options;
pub mod redis;
pub mod store;
pub mod values;

use std::sync::Arc;
use std::time::Duration;

use actix_session::config::{BrowserSession, CookieContentSecurity, TtlExtensionPolicy};
use actix_session::SessionMiddleware;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, Key};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderValue, SET_COOKIE};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;

pub use memory::MemoryBackend;
pub use options::{
    CookieSecret, RedisOptions, SameSite, SecurePolicy, SessionOptions, DEFAULT_COOKIE_NAME, MAX_COOKIE_SECRET_BYTES,
    MIN_COOKIE_SECRET_BYTES,
};
pub use redis::{RedisBackend, RedisConnection};
pub use store::{BoxFuture, SessionBackend, SessionState};
pub use values::SessionData;

use crate::errors_json::error_response;
use crate::logging;
use lock::{CookieOpener, SessionLocks};
use store::{std_ttl, StoreAdapter};

/// Everything one server needs to run sessions; kept across restarts of the server (so sessions in
/// the in-memory store and the cookie key survive a stop / start).
pub(crate) struct SessionRuntime {
    pub(crate) options: SessionOptions,
    pub(crate) key: Key,
    pub(crate) backend: Arc<dyn SessionBackend>,
    /// Set when the backend is the built-in memory store (the server sweeps it periodically).
    pub(crate) memory: Option<Arc<MemoryBackend>>,
    pub(crate) locks: Arc<SessionLocks>,
    /// Reads session cookies for the lock (see [`lock::session_key_of`]).
    pub(crate) opener: CookieOpener,
}

impl SessionRuntime {
    /// A runtime over `backend`, or over a new [`MemoryBackend`] bounded by `options.max_sessions`.
    pub(crate) fn new(options: SessionOptions, backend: Option<Arc<dyn SessionBackend>>) -> SessionRuntime {
        let (backend, memory) = match backend {
            Some(b) => (b, None),
            None => {
                let m = Arc::new(MemoryBackend::new(options.max_sessions));
                (m.clone() as Arc<dyn SessionBackend>, Some(m))
            }
        };
        let key = match &options.cookie_key {
            Some(secret) => Key::from(&secret.derive_key()),
            None => Key::generate(),
        };
        let opener = CookieOpener::new(&key);
        SessionRuntime { options, key, backend, memory, locks: Arc::new(SessionLocks::default()), opener }
    }

    /// How often the memory store is swept.
    pub(crate) fn sweep_interval(&self) -> Duration {
        Duration::from_secs(self.options.idle_timeout_seconds.clamp(1, 30))
    }

    /// actix-session's middleware for this configuration (built once per worker).
    pub(crate) fn middleware(&self) -> SessionMiddleware<StoreAdapter> {
        let o = &self.options;
        let ttl = CookieDuration::seconds(i64::try_from(o.idle_timeout_seconds).unwrap_or(i64::MAX / 2));
        let adapter = StoreAdapter::new(self.backend.clone(), Duration::from_secs(o.io_timeout_seconds), std_ttl(&ttl));
        SessionMiddleware::builder(adapter, self.key.clone())
            .cookie_name(o.cookie_name.clone())
            .cookie_path(o.cookie_path.clone())
            .cookie_domain(o.cookie_domain.clone())
            .cookie_http_only(o.http_only)
            .cookie_same_site(o.same_site.to_cookie().unwrap_or(actix_web::cookie::SameSite::Lax))
            .cookie_secure(o.secure_policy != SecurePolicy::None)
            .cookie_content_security(CookieContentSecurity::Private)
            .session_lifecycle(
                // The sliding idle timeout is done by the store on each load (`load_and_touch`), so an
                // unchanged session costs no store write and no Set-Cookie (ASP.NET Core does not
                // resend the cookie per request either).
                BrowserSession::default().state_ttl(ttl).state_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
            )
            .build()
    }

    /// Applies the cookie policy to the session cookie(s) of a response.
    pub(crate) fn rewrite_set_cookie(&self, headers: &mut HeaderMap, https: bool) {
        let o = &self.options;
        let strip_secure = o.secure_policy == SecurePolicy::SameAsRequest && !https;
        let drop_same_site = o.same_site == SameSite::Unspecified;
        let max_age = (o.cookie_max_age_seconds >= 0).then_some(o.cookie_max_age_seconds);
        if !strip_secure && !drop_same_site && max_age.is_none() {
            return;
        }
        let values: Vec<HeaderValue> = headers.get_all(SET_COOKIE).cloned().collect();
        let ours = |v: &HeaderValue| {
            v.to_str()
                .ok()
                .and_then(|s| Cookie::parse_encoded(s.to_string()).ok())
                .filter(|c| c.name() == o.cookie_name)
        };
        if !values.iter().any(|v| ours(v).is_some()) {
            return;
        }
        headers.remove(SET_COOKIE);
        for v in values {
            match ours(&v) {
                Some(mut cookie) => {
                    if strip_secure {
                        cookie.set_secure(false);
                    }
                    if drop_same_site {
                        cookie.set_same_site(None);
                    }
                    // Removal cookies (Max-Age=0) keep theirs.
                    if let (Some(age), false) = (max_age, cookie.max_age() == Some(CookieDuration::ZERO)) {
                        cookie.set_max_age(CookieDuration::seconds(age));
                    }
                    match HeaderValue::from_str(&cookie.encoded().to_string()) {
                        Ok(nv) => headers.append(SET_COOKIE, nv),
                        Err(_) => headers.append(SET_COOKIE, v),
                    }
                }
                None => headers.append(SET_COOKIE, v),
            }
        }
    }
}

/// The outer session middleware: takes the per-session lock (see [`lock`]) around the inner
/// services (actix-session's middleware and the route) and applies the cookie policy. The wait for
/// the lock is bounded by `wait` (the server's callback wait): past it the request gets 503 JSON,
/// like a request that finds no free callback thread.
pub(crate) async fn outer_middleware<B: MessageBody + 'static>(
    runtime: Option<Arc<SessionRuntime>>,
    wait: Duration,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(rt) = runtime else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let https = req.app_config().secure();
    let guard = match lock::session_key_of(&req, &rt.options.cookie_name, &rt.opener) {
        Some(key) => match rt.locks.lock_within(&key, wait).await {
            Some(guard) => Some(guard),
            None => {
                let msg = format!(
                    "Another request of this session did not finish within the configured wait ({} ms)",
                    wait.as_millis()
                );
                logging::warn(&format!("{} {}: {msg}", req.method(), req.path()));
                return Ok(req.into_response(error_response(StatusCode::SERVICE_UNAVAILABLE, &msg)));
            }
        },
        None => None,
    };
    let result = next.call(req).await;
    drop(guard);
    let mut res = result?;
    rt.rewrite_set_cookie(res.headers_mut(), https);
    Ok(res.map_into_boxed_body())
}
