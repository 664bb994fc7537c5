//! `kr_server_add_route`: a C callback + `user_data` + finalizer as a `kestrun_native::RouteHandler`
//! (the request context the engine passes in is lent to the callback under a request handle).
use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kestrun_native::{RequestContext, RouteError, RouteHandler};

use crate::boundary::ffi_boundary;
use crate::handles::{lend_request, server_ref, KrRequest, KrServer};
use crate::status::{FfiError, KrStatus};
use crate::strings::str_args;

/// A route callback: runs on one of the server's callback threads (never an async worker) with the
/// request handle (valid only until it returns) and the `user_data` given to `kr_server_add_route`.
/// Return 0 for success; any other value fails the request (500 JSON, session changes discarded).
pub type KrRouteCallback = Option<unsafe extern "C" fn(request: *mut KrRequest, user_data: *mut c_void) -> i32>;

/// Releases a route's `user_data`: called exactly once, when the route is dropped (the server is
/// freed), on whichever thread drops it.
pub type KrFreeCallback = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// A C route: the callback, its `user_data` (kept as an address so the struct is `Send + Sync`) and
/// the finalizer, run exactly once on drop when `armed`.
struct CRoute {
    callback: unsafe extern "C" fn(*mut KrRequest, *mut c_void) -> i32,
    user_data: usize,
    free_user_data: KrFreeCallback,
    /// Set once `kr_server_add_route` succeeded: before that, the caller still owns `user_data`.
    armed: Arc<AtomicBool>,
}

impl RouteHandler for CRoute {
    fn call(&self, ctx: &mut RequestContext) -> Result<(), RouteError> {
        let code = lend_request(ctx, |request| {
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
        let srv = server_ref(server)?;
        // SAFETY: `verbs` and `pattern` are NUL-terminated strings valid for the call (contract above).
        let [verbs, pattern] = unsafe { str_args([(verbs, "verbs"), (pattern, "pattern")]) }?;
        let callback = callback.ok_or_else(|| FfiError::null("callback"))?;
        let armed = Arc::new(AtomicBool::new(false));
        let route = CRoute { callback, user_data: user_data as usize, free_user_data, armed: armed.clone() };
        srv.add_route(verbs, pattern, Arc::new(route))?;
        armed.store(true, Ordering::Release);
        Ok(())
    }
}
