//! Sessions: actix-session's `SessionMiddleware` (private, encrypted cookie carrying a random
//! session key; a random cookie key per server, or one derived from
//! [`SessionOptions::cookie_key`] so that several servers read each other's cookies) over a
//! pluggable [`SessionBackend`] ([`MemoryBackend`] by default, [`RedisBackend`]), plus
//!
//! - [`lock`]: the per-session lock (requests of one session run one at a time), and on stores
//!   shared by several processes the store's own lock ([`SessionBackend::lock_and_load`]);
//! - [`store`]: the adapter through which actix-session reaches the store: every wait bounded by
//!   the IO timeout, honest failures (a change that was not stored is answered 503, never 200);
//! - the cookie: actix-session opens it, once per request; it is sent only when a session is
//!   established, given a new id or ended (with `Cache-Control: no-cache,no-store`,
//!   `Pragma: no-cache`, `Expires: -1`, as ASP.NET Core does), never for an update;
//! - the cookie policy the actix middleware cannot express: `Secure` only on HTTPS requests
//!   ([`SecurePolicy::SameAsRequest`]), no `SameSite` attribute ([`SameSite::Unspecified`]) and a
//!   `Max-Age` for persistent cookies while the state keeps its own sliding idle timeout.
//!
//! Semantics (ASP.NET Core's): no cookie until the session is first written; the idle timeout
//! slides on every request; a tampered / forged / expired cookie silently starts a new empty
//! session; a failed route discards its session changes.
mod cookie_cipher;
mod cookie_keys;
mod health;
mod io_runtime;
mod key_ring;
pub(crate) mod lock;
pub mod memory;
pub mod options;
pub mod redis;
mod request_scope;
pub mod sql;
pub mod store;
pub mod values;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_session::config::{BrowserSession, CookieContentSecurity, TtlExtensionPolicy};
use actix_session::SessionMiddleware;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, Key};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderValue, CACHE_CONTROL, EXPIRES, PRAGMA, SET_COOKIE};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;

pub use memory::MemoryBackend;
pub use options::{
    CookieSecret, RedisOptions, SameSite, SecurePolicy, SessionOptions, DEFAULT_COOKIE_NAME, MAX_COOKIE_SECRET_BYTES,
    MIN_COOKIE_SECRET_BYTES,
};
pub use redis::{RedisBackend, RedisConnection};
pub use store::{BoxFuture, LockedLoad, SessionBackend, SessionState};
pub use values::SessionData;

use crate::errors_json::error_response;
use crate::logging;
use cookie_keys::CookieKeys;
use health::StoreHealth;
use lock::{SessionLockGuard, SessionLocks};
use request_scope::{CookieOutcome, HeldLock, RequestSession};
use store::{std_ttl, StoreAdapter, NOT_STORED, STORE_FULL};

/// Everything one server needs to run sessions; kept across restarts of the server (so sessions in
/// the in-memory store and the cookie key survive a stop / start).
pub(crate) struct SessionRuntime {
    pub(crate) options: SessionOptions,
    /// The cookie keys: the secret's, the store's key ring's, or one of this process.
    keys: CookieKeys,
    pub(crate) backend: Arc<dyn SessionBackend>,
    /// Set when the backend is the built-in memory store (the server sweeps it periodically).
    pub(crate) memory: Option<Arc<MemoryBackend>>,
    pub(crate) locks: Arc<SessionLocks>,
    /// The store's failures, logged at a bounded rate.
    pub(crate) health: Arc<StoreHealth>,
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
        SessionRuntime {
            options,
            keys: CookieKeys::new(key),
            backend,
            memory,
            locks: Arc::new(SessionLocks::default()),
            health: Arc::new(StoreHealth::default()),
        }
    }

    /// Whether the cookie keys come from the store's key ring (a shared store and no secret).
    pub(crate) fn uses_key_ring(&self) -> bool {
        self.options.cookie_key.is_none() && self.backend.keeps_key_ring()
    }

    /// How often a running server reads the key ring again (to open cookies sealed with a key another
    /// server added).
    pub(crate) fn key_ring_refresh_interval(&self) -> Duration {
        Duration::from_secs((self.options.key_lifetime_seconds / 4).clamp(1, 60))
    }

    /// At start, with a key ring: reads it from the store, creating it or adding a key when needed
    /// (blocks for at most the IO timeout), and seals with its current key. When the store cannot be
    /// reached the server keeps the key it has (its cookies are then its own until it restarts).
    pub(crate) fn prepare_key_ring(&self, server_name: &str) {
        if !self.uses_key_ring() {
            return;
        }
        let lifetime = Duration::from_secs(self.options.key_lifetime_seconds);
        let backend = self.backend.clone();
        let limit = self.io_timeout();
        let obtained = block_on_bounded(limit, async move { key_ring::obtain(backend.as_ref(), lifetime).await });
        let outcome = obtained.and_then(|(ring, changed)| self.keys.install(&ring, true).map(|()| (ring, changed)));
        match outcome {
            Ok((ring, changed)) => {
                let id = ring.current().map_or(0, |k| k.id);
                let how = match (changed, ring.keys.len()) {
                    (true, 1) => "created the key ring in the session store",
                    (true, _) => "added a new key to the session store's key ring (the previous one was older than its lifetime)",
                    (false, _) => "uses the session store's key ring",
                };
                logging::info(&format!(
                    "Server '{server_name}' {how}: session cookies are sealed with key {id}; {} key(s) in the ring",
                    ring.keys.len()
                ));
            }
            Err(e) => logging::warn(&format!(
                "Server '{server_name}': the session key ring could not be read from the store ({e}); this server seals its session cookies with a key of its own, which other servers cannot read, until it restarts"
            )),
        }
    }

    /// Reads the key ring again (a running server), so that keys another server added open cookies.
    pub(crate) async fn refresh_key_ring(&self, server_name: &str) {
        let limit = self.io_timeout();
        match tokio::time::timeout(limit, key_ring::read(self.backend.as_ref())).await {
            Ok(Ok(Some(ring))) => {
                let newer = ring.current().map(|k| k.id).filter(|id| self.keys.sealing_id().is_some_and(|s| s < *id));
                if let Err(e) = self.keys.install(&ring, false) {
                    logging::warn(&format!("Server '{server_name}': the session key ring is not usable: {e}"));
                } else if let Some(id) = newer {
                    logging::verbose(&format!(
                        "Server '{server_name}': the session key ring has a newer key ({id}); this server opens cookies sealed with it and seals with its own until it restarts"
                    ));
                }
            }
            Ok(Ok(None)) => {}
            Ok(Err(e)) => self.health.failure(&format!("reading the key ring failed: {e}")),
            Err(_) => self.health.failure("reading the key ring did not complete within the IO timeout"),
        }
    }

    /// The bound on every store wait.
    pub(crate) fn io_timeout(&self) -> Duration {
        Duration::from_secs(self.options.io_timeout_seconds)
    }

    /// How often the memory store is swept.
    pub(crate) fn sweep_interval(&self) -> Duration {
        Duration::from_secs(self.options.idle_timeout_seconds.clamp(1, 30))
    }

    /// actix-session's middleware for this configuration (built once per worker).
    pub(crate) fn middleware(&self) -> SessionMiddleware<StoreAdapter> {
        let o = &self.options;
        let ttl = CookieDuration::seconds(i64::try_from(o.idle_timeout_seconds).unwrap_or(i64::MAX / 2));
        let adapter = StoreAdapter::new(
            self.backend.clone(),
            self.locks.clone(),
            self.health.clone(),
            self.io_timeout(),
            std_ttl(&ttl),
        );
        SessionMiddleware::builder(adapter, self.keys.sealing())
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

    /// Drops the `Set-Cookie` of the session cookie that actix-session adds after an update: the
    /// client's cookie still names the session.
    fn drop_session_cookie(&self, headers: &mut HeaderMap) {
        let prefix = format!("{}=", self.options.cookie_name);
        let values: Vec<HeaderValue> = headers.get_all(SET_COOKIE).cloned().collect();
        if !values.iter().any(|v| v.as_bytes().starts_with(prefix.as_bytes())) {
            return;
        }
        headers.remove(SET_COOKIE);
        for v in values.into_iter().filter(|v| !v.as_bytes().starts_with(prefix.as_bytes())) {
            headers.append(SET_COOKIE, v);
        }
    }

    /// Releases the request's session locks: the store's lock first (when the commit did not
    /// release it: a request that only read its session), bounded by the IO timeout, then the
    /// process-local one.
    async fn release(&self, guard: Option<SessionLockGuard>, held: Option<HeldLock>) {
        if let Some(held) = held {
            match tokio::time::timeout(self.io_timeout(), self.backend.unlock(&held.key, &held.token)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => self.health.failure(&format!("unlock failed: {e} (the lock expires by itself)")),
                Err(_) => {
                    self.health.failure("unlock did not complete within the IO timeout (the lock expires by itself)")
                }
            }
        }
        drop(guard);
    }
}

/// Runs `fut` to completion from synchronous code (a server's start), bounded by `limit`.
fn block_on_bounded<T: Send + 'static>(
    limit: Duration,
    fut: impl std::future::Future<Output = crate::error::Result<T>> + Send + 'static,
) -> crate::error::Result<T> {
    let run = move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| crate::error::Error::internal(format!("cannot run the key ring lookup: {e}")))?;
        rt.block_on(async move {
            tokio::time::timeout(limit, fut).await.unwrap_or_else(|_| {
                Err(crate::error::Error::timeout(format!("the session store did not answer within {limit:?}")))
            })
        })
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        // Inside an async runtime (a runtime cannot block inside another): on a thread of its own.
        std::thread::scope(|s| {
            s.spawn(run).join().unwrap_or_else(|_| Err(crate::error::Error::internal("key ring lookup panicked")))
        })
    } else {
        run()
    }
}

/// Marks a response that carries a session cookie as not storable by caches (ASP.NET Core's
/// session middleware does the same when it establishes a session).
fn no_cache(headers: &mut HeaderMap) {
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache,no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(EXPIRES, HeaderValue::from_static("-1"));
}

/// The outer session middleware, around actix-session's: runs the request with a
/// [`RequestSession`] the store adapter records into, then releases the session's locks, answers
/// 503 JSON when the request changed its session and the change was not stored, and settles the
/// session cookie (see the module docs).
pub(crate) async fn outer_middleware<B: MessageBody + 'static>(
    runtime: Option<Arc<SessionRuntime>>,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(rt) = runtime else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let https = req.app_config().secure();
    let mut req = req;
    let reissue = rt.keys.reseal(&mut req, &rt.options.cookie_name);
    let scope = Rc::new(RefCell::new(RequestSession::default()));
    let result = request_scope::with_scope(scope.clone(), next.call(req)).await;
    let outcome = std::mem::take(&mut *scope.borrow_mut());
    rt.release(outcome.guard, outcome.held).await;
    let mut res = result?;
    if let Some(why) = outcome.not_stored {
        logging::debug(&format!("{} {}: 503, {why}", res.request().method(), res.request().path()));
        let message = if outcome.busy {
            format!(
                "Another request of this session did not finish within the IO timeout ({} s): the changes to this session were not stored",
                rt.options.io_timeout_seconds
            )
        } else if outcome.full {
            STORE_FULL.to_string()
        } else {
            NOT_STORED.to_string()
        };
        let resp = error_response(StatusCode::SERVICE_UNAVAILABLE, &message);
        return Ok(res.into_response(resp).map_into_boxed_body());
    }
    match outcome.cookie {
        CookieOutcome::Untouched => {}
        CookieOutcome::Unchanged => rt.drop_session_cookie(res.headers_mut()),
        CookieOutcome::Issued | CookieOutcome::Removed => {
            rt.rewrite_set_cookie(res.headers_mut(), https);
            no_cache(res.headers_mut());
        }
    }
    // A cookie sealed with another key of the ring: the client gets it sealed with the current key.
    if let (Some(reissue), CookieOutcome::Untouched | CookieOutcome::Unchanged) = (&reissue, outcome.cookie) {
        cookie_keys::add_reissued(res.headers_mut(), &rt.options, https, reissue);
        no_cache(res.headers_mut());
    }
    Ok(res.map_into_boxed_body())
}
