//! `kr_server_add_route` / `kr_server_add_route_ex`: a C callback + `user_data` + finalizer as a
//! `kestrun_native::RouteHandler` (the request context the engine passes in is lent to the callback
//! under a request handle), with route options (`KrRouteOptions`: a timeout and the cancel callback).
use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kestrun_native::{RequestContext, RouteError, RouteHandler, RouteOptions};

use crate::boundary::ffi_boundary;
use crate::handles::{lend_request, server_ref, KrRequest, KrServer};
use crate::status::{FfiError, KrStatus};
use crate::strings::{str_args, write_out};

/// A route callback: runs on one of the server's callback threads (never an async worker) with the
/// request handle (valid only until it returns) and the `user_data` given to `kr_server_add_route`.
/// Return 0 for success; any other value fails the request (500 JSON, session changes discarded).
pub type KrRouteCallback = Option<unsafe extern "C" fn(request: *mut KrRequest, user_data: *mut c_void) -> i32>;

/// Releases a route's `user_data`: called exactly once, when the route is dropped (the server is
/// freed), on whichever thread drops it.
pub type KrFreeCallback = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// Asks a running route callback to stop: called once, on a thread of its own (neither the callback's
/// nor an async worker), when the route's timeout elapsed while the callback runs (the client already
/// got 504). `request` is the running callback's handle, still valid during this call (the callback
/// cannot return before this call did); `user_data` is the route's. Must return promptly (e.g. signal
/// the interpreter: PowerShell's `BeginStop`). The callback's response is discarded.
pub type KrCancelCallback = Option<unsafe extern "C" fn(request: *mut KrRequest, user_data: *mut c_void)>;

/// Options of `kr_server_add_route_ex`; fill with `kr_route_options_default` first. Fields are only
/// ever appended.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct KrRouteOptions {
    /// Bound on a request of the route, from its dispatch to the answer (the wait for a callback
    /// thread included), in ms; 0 (default) = none, at most 86400000 (24 h). When it elapses the client
    /// gets 504 JSON at once, `kr_request_is_cancelled` turns true and `on_cancel` is called.
    pub timeout_ms: u32,
    /// NULL (default) or the callback that asks the running route callback to stop (see `KrCancelCallback`).
    pub on_cancel: KrCancelCallback,
}

/// `*out` = the default route options (no timeout, no cancel callback).
///
/// # Safety
/// `out`: non-NULL, writable `KrRouteOptions`, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_route_options_default(out: *mut KrRouteOptions) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `out` is NULL or valid for writes (contract above).
        unsafe { write_out(out, "out", || Ok(KrRouteOptions { timeout_ms: 0, on_cancel: None })) }
    }
}

/// A C route: the callback, its `user_data` (kept as an address so the struct is `Send + Sync`) and
/// the finalizer, run exactly once on drop when `armed`.
struct CRoute {
    callback: unsafe extern "C" fn(*mut KrRequest, *mut c_void) -> i32,
    on_cancel: KrCancelCallback,
    user_data: usize,
    free_user_data: KrFreeCallback,
    /// Set once `kr_server_add_route` succeeded: before that, the caller still owns `user_data`.
    armed: Arc<AtomicBool>,
}

impl RouteHandler for CRoute {
    fn call(&self, ctx: &mut RequestContext) -> Result<(), RouteError> {
        let token = ctx.cancel_token().clone();
        let code = lend_request(ctx, |request| {
            // Registered for the duration of the callback only: dropped (waiting for a cancel call that
            // is running) before the request handle goes stale.
            let _registration = self.on_cancel.filter(|_| token.can_be_cancelled()).map(|on_cancel| {
                let (request, user_data) = (request as usize, self.user_data);
                token.on_cancel(move || {
                    // SAFETY: the caller of kr_server_add_route_ex guaranteed `on_cancel` may be called from
                    // any thread with the route's user_data while the route exists; the request handle is
                    // live (its callback cannot return before this registration is dropped).
                    unsafe { on_cancel(request as *mut KrRequest, user_data as *mut c_void) }
                })
            });
            // SAFETY: the caller of kr_server_add_route guaranteed `callback` is a valid function that may
            // be called from any thread with this user_data for as long as the route exists.
            unsafe { (self.callback)(request, self.user_data as *mut c_void) }
        });
        match code {
            0 => Ok(()),
            code => Err(RouteError::Status(code)),
        }
    }
}

impl Drop for CRoute {
    fn drop(&mut self) {
        if let Some(free) = self.free_user_data.take() {
            if self.armed.load(Ordering::Acquire) {
                // SAFETY: the finalizer given to kr_server_add_route, called exactly once (taken
                // above) with the user_data it was registered with.
                unsafe { free(self.user_data as *mut c_void) }
            }
        }
    }
}

/// Adds a route: `verbs` is comma-separated and case-insensitive (`"GET"`, `"get,post"`, `"*"` = any);
/// `pattern` is a path such as `/a/{id}/b`. The same pattern with an overlapping verb twice →
/// `KR_INVALID_ARGUMENT`; a started server → `KR_INVALID_STATE`.
///
/// Ownership of `user_data`: on `KR_OK` the server owns it and calls `free_user_data(user_data)`
/// exactly once when the route is dropped (by `kr_server_free`); on any other status the caller keeps
/// it and `free_user_data` is never called.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced; checked in the server table).
/// - `verbs`, `pattern`: NUL-terminated UTF-8, borrowed for the call (copied).
/// - `callback`: non-NULL; must stay callable from any thread until `free_user_data` ran / the server
///   is freed.
/// - `user_data`: opaque, never dereferenced by the library; passed back to `callback` and
///   `free_user_data` untouched.
/// - `free_user_data`: NULL or a function callable once from any thread.
#[no_mangle]
pub unsafe extern "C" fn kr_server_add_route(
    server: *mut KrServer,
    verbs: *const c_char,
    pattern: *const c_char,
    callback: KrRouteCallback,
    user_data: *mut c_void,
    free_user_data: KrFreeCallback,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: forwarded caller guarantees (contract above); NULL options = the defaults.
        unsafe { add_route(server, verbs, pattern, std::ptr::null(), callback, user_data, free_user_data) }
    }
}

/// `kr_server_add_route` with options (`KrRouteOptions`: a timeout and a cancel callback); NULL
/// `options` = the defaults. A timeout above 24 h → `KR_INVALID_ARGUMENT`. Everything else, the
/// ownership of `user_data` included, as `kr_server_add_route`.
///
/// # Safety
/// As `kr_server_add_route`, and:
/// - `options`: NULL, or a readable `KrRouteOptions` borrowed for the call (copied).
/// - `options->on_cancel`: NULL, or callable from any thread with `user_data` (and the request handle
///   it is given) until `free_user_data` ran / the server is freed.
#[no_mangle]
pub unsafe extern "C" fn kr_server_add_route_ex(
    server: *mut KrServer,
    verbs: *const c_char,
    pattern: *const c_char,
    options: *const KrRouteOptions,
    callback: KrRouteCallback,
    user_data: *mut c_void,
    free_user_data: KrFreeCallback,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: forwarded caller guarantees (contract above).
        unsafe { add_route(server, verbs, pattern, options, callback, user_data, free_user_data) }
    }
}

/// The body of `kr_server_add_route[_ex]`.
///
/// # Safety
/// As `kr_server_add_route_ex`.
unsafe fn add_route(
    server: *mut KrServer,
    verbs: *const c_char,
    pattern: *const c_char,
    options: *const KrRouteOptions,
    callback: KrRouteCallback,
    user_data: *mut c_void,
    free_user_data: KrFreeCallback,
) -> crate::status::FfiResult<()> {
    let srv = server_ref(server)?;
    // SAFETY: `verbs` and `pattern` are NUL-terminated strings valid for the call (caller guarantee).
    let [verbs, pattern] = unsafe { str_args([(verbs, "verbs"), (pattern, "pattern")]) }?;
    let options = if options.is_null() {
        KrRouteOptions { timeout_ms: 0, on_cancel: None }
    } else {
        // SAFETY: non-NULL and readable for the call (caller guarantee); the struct is Copy.
        unsafe { options.read() }
    };
    let callback = callback.ok_or_else(|| FfiError::null("callback"))?;
    let timeout = (options.timeout_ms != 0).then(|| Duration::from_millis(options.timeout_ms.into()));
    let armed = Arc::new(AtomicBool::new(false));
    let route = CRoute {
        callback,
        on_cancel: options.on_cancel,
        user_data: user_data as usize,
        free_user_data,
        armed: armed.clone(),
    };
    srv.add_route_with_options(verbs, pattern, Arc::new(route), RouteOptions::default().with_timeout(timeout))?;
    armed.store(true, Ordering::Release);
    Ok(())
}
