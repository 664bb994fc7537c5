//! [`RequestSession`]: what the session layer learned about one request, shared between the outer
//! session middleware and the store adapter that actix-session calls.
//!
//! actix-session opens the session cookie (once) and calls the store (`load`, then `save` /
//! `update` / `delete` at commit); the engine's policy (per-session lock, IO timeout, honest
//! failures, when a cookie goes out) needs to see those calls per request. They run inside the
//! future of the outer middleware, so the outer middleware puts a [`RequestSession`] in a task-local
//! for the duration of the request and the adapter records into it.
use std::cell::RefCell;
use std::rc::Rc;

use super::lock::SessionLockGuard;

tokio::task_local! {
    static CURRENT: Rc<RefCell<RequestSession>>;
}

/// What the response must carry for the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum CookieOutcome {
    /// No store write: whatever actix-session did stays (it sets no cookie then).
    #[default]
    Untouched,
    /// A session was established or given a new id (`save`): the cookie goes out, with the
    /// no-cache headers.
    Issued,
    /// An existing session was updated under its id: the client's cookie is still right, so the
    /// `Set-Cookie` actix-session adds is dropped.
    Unchanged,
    /// The session was ended (`delete` with no new id): the removal cookie goes out, with the
    /// no-cache headers.
    Removed,
}

/// The cross-process lock held on a session (see `SessionBackend::lock_and_load`).
#[derive(Debug, Clone)]
pub(crate) struct HeldLock {
    pub(crate) key: String,
    pub(crate) token: String,
}

/// The session side of one request.
#[derive(Default)]
pub(crate) struct RequestSession {
    /// The process-local lock of the request's session, released after the commit.
    pub(crate) guard: Option<SessionLockGuard>,
    /// The store's lock, when the store locks across processes and the commit did not release it.
    pub(crate) held: Option<HeldLock>,
    /// Why the session could not be loaded: the request ran with an empty, unavailable session
    /// and must not commit.
    pub(crate) unavailable: Option<String>,
    /// Set with `unavailable` when the reason was another request of the session holding it for
    /// the whole IO timeout (the store itself may be fine).
    pub(crate) busy: bool,
    /// Set when the store refused a new session because it is full.
    pub(crate) full: bool,
    /// Why the session changes of this request were not stored (→ 503).
    pub(crate) not_stored: Option<String>,
    pub(crate) cookie: CookieOutcome,
}

/// Runs `fut` with `scope` as the current request's session.
pub(crate) async fn with_scope<F: std::future::Future>(scope: Rc<RefCell<RequestSession>>, fut: F) -> F::Output {
    CURRENT.scope(scope, fut).await
}

/// The current request's session scope, if the call runs inside [`with_scope`].
pub(crate) fn current() -> Option<Rc<RefCell<RequestSession>>> {
    CURRENT.try_with(Rc::clone).ok()
}
