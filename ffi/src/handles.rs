//! Handles crossing the ABI: the opaque `KrServer*` / `KrRequest*` tokens, the two [`HandleTable`]s
//! they index (ids with a kind tag in the top byte, generation and slot below, carried in the
//! pointer value) and the lookups. The library never dereferences a handle; it only looks its id up,
//! so NULL, freed, stale, foreign and wrong-kind handles are reported as `KR_INVALID_HANDLE`.
use std::sync::Arc;

use kestrun_native::{RequestContext, Server};
use parking_lot::Mutex;

use crate::handle_table::HandleTable;
use crate::status::{FfiError, FfiResult};

/// Opaque server handle: created by `kr_server_new`, valid until `kr_server_free`.
pub struct KrServer {
    _opaque: [u8; 0],
}

/// Opaque request handle: passed to a route callback, valid only until that callback returns.
pub struct KrRequest {
    _opaque: [u8; 0],
}

/// Kind tag of server handles.
pub(crate) const KIND_SERVER: u8 = 0x53; // 'S'
/// Kind tag of request handles.
pub(crate) const KIND_REQUEST: u8 = 0x52; // 'R'

/// Every live server, owned by its handle. Request handles live in [`REQUESTS`], a table of another
/// kind, so a handle of one kind is never found in the other table.
pub(crate) static SERVERS: HandleTable<Server> = HandleTable::new(KIND_SERVER);

/// The requests whose C callback is running: each holds the request's context, lent by the engine for
/// the duration of the callback (see [`lend_request`]).
static REQUESTS: HandleTable<Mutex<RequestContext>> = HandleTable::new(KIND_REQUEST);

/// The token handed to C for a server id.
pub(crate) fn server_to_ptr(id: u64) -> *mut KrServer {
    id as usize as *mut KrServer
}

fn server_id(server: *const KrServer) -> FfiResult<u64> {
    if server.is_null() {
        return Err(FfiError::invalid_handle("server handle is NULL"));
    }
    Ok(server as usize as u64)
}

/// Looks a server handle up (NULL / freed / foreign / wrong kind → `KR_INVALID_HANDLE`).
pub(crate) fn server_ref(server: *const KrServer) -> FfiResult<Arc<Server>> {
    let id = server_id(server)?;
    SERVERS.get(id).ok_or_else(|| {
        FfiError::invalid_handle(format!("{id:#018x} is not a live server handle (freed, foreign or wrong kind)"))
    })
}

/// Removes a server handle from its table; a second removal fails with `KR_INVALID_HANDLE`.
pub(crate) fn take_server(server: *const KrServer) -> FfiResult<Arc<Server>> {
    let id = server_id(server)?;
    SERVERS.remove(id).ok_or_else(|| {
        FfiError::invalid_handle(format!(
            "{id:#018x} is not a live server handle (already freed, foreign or wrong kind)"
        ))
    })
}

/// The id a request token stands for; only NULL is rejected here (whether the id names a live request
/// is checked by [`request_ref`]).
pub(crate) fn request_id(request: *const KrRequest) -> FfiResult<u64> {
    if request.is_null() {
        return Err(FfiError::invalid_handle("request handle is NULL"));
    }
    Ok(request as usize as u64)
}

/// The context behind a request handle whose callback is running; `KR_INVALID_HANDLE` otherwise
/// (NULL, callback returned, foreign, wrong kind).
pub(crate) fn request_ref(request: *const KrRequest) -> FfiResult<Arc<Mutex<RequestContext>>> {
    let id = request_id(request)?;
    REQUESTS.get(id).ok_or_else(|| {
        FfiError::invalid_handle(format!(
            "{id:#018x} is not a live request handle (its callback returned, or it is foreign or of another kind)"
        ))
    })
}

/// Gives a lent context back to the engine when the callback is over (also if it unwinds).
struct Lease<'a> {
    id: u64,
    ctx: &'a mut RequestContext,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(cell) = REQUESTS.remove(self.id) {
            *self.ctx = match Arc::try_unwrap(cell) {
                Ok(mutex) => mutex.into_inner(),
                // Another thread is inside a kr_* call with this handle right now: wait for it, then take
                // the value.
                Err(cell) => std::mem::take(&mut *cell.lock()),
            };
        }
    }
}

/// Runs `callback` with a fresh request handle for `ctx`: the context moves into [`REQUESTS`] for the
/// call (so kr_request_* / kr_response_* / kr_session_* reach it through the handle, from any thread)
/// and back into `ctx` when the call returns, after which the handle is stale.
pub(crate) fn lend_request<R>(ctx: &mut RequestContext, callback: impl FnOnce(*mut KrRequest) -> R) -> R {
    let id = REQUESTS.insert(Mutex::new(std::mem::take(ctx)));
    let _lease = Lease { id, ctx };
    callback(id as usize as *mut KrRequest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lent_request_lives_exactly_as_long_as_the_callback() {
        let mut ctx = RequestContext::for_tests();
        let mut seen = std::ptr::null_mut();
        let method = lend_request(&mut ctx, |handle| {
            seen = handle;
            let cell = request_ref(handle).unwrap();
            let mut lent = cell.lock();
            lent.set_status(201).unwrap();
            lent.method().to_owned()
        });
        assert_eq!(method, "GET");
        assert_eq!(ctx.response().status(), 201, "changes made through the handle come back");
        let Err(e) = request_ref(seen) else { panic!("the handle outlived its callback") };
        assert!(e.message.contains("not a live request handle"), "{}", e.message);
        assert!(request_ref(std::ptr::null()).is_err());
    }

    #[test]
    fn lent_request_comes_back_when_the_callback_unwinds() {
        let mut ctx = RequestContext::for_tests();
        let mut seen = std::ptr::null_mut();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lend_request(&mut ctx, |handle| {
                seen = handle;
                request_ref(handle).unwrap().lock().set_status(404).unwrap();
                panic!("callback unwinds");
            })
        }));
        assert!(r.is_err());
        assert_eq!(ctx.response().status(), 404);
        assert!(request_ref(seen).is_err(), "the handle is stale, its context given back");
    }
}
