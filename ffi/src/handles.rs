//! Handles crossing the ABI: the engine's `u64` registry ids (kind tag in the top byte, generation and
//! slot below) carried in pointer-typed tokens. The library never dereferences a `KrServer*` or
//! `KrRequest*`; it only looks the id up, so NULL, freed, stale, foreign and wrong-kind handles are
//! reported as `KR_INVALID_HANDLE`.
use std::sync::Arc;

use kestrun_native::{HandleTable, RequestId, Server};

use crate::status::{FfiError, FfiResult};

/// Opaque server handle: created by `kr_server_new`, valid until `kr_server_free`.
pub struct KrServer {
    _opaque: [u8; 0],
}

/// Opaque request handle: passed to a route callback, valid only until that callback returns.
pub struct KrRequest {
    _opaque: [u8; 0],
}

/// Every live server, owned by its handle (kind tag `KIND_SERVER`; request handles live in the engine's
/// own table of kind `KIND_REQUEST`, so a handle of one kind is never found in the other table).
pub(crate) static SERVERS: HandleTable<Server> = HandleTable::new(kestrun_native::registry::KIND_SERVER);

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

/// Removes a server handle from the registry; a second removal fails with `KR_INVALID_HANDLE`.
pub(crate) fn take_server(server: *const KrServer) -> FfiResult<Arc<Server>> {
    let id = server_id(server)?;
    SERVERS.remove(id).ok_or_else(|| {
        FfiError::invalid_handle(format!(
            "{id:#018x} is not a live server handle (already freed, foreign or wrong kind)"
        ))
    })
}

/// The token handed to a route callback for a request.
pub(crate) fn request_to_ptr(id: RequestId) -> *mut KrRequest {
    id.to_raw() as usize as *mut KrRequest
}

/// The request id a token stands for (only validated when used, by `with_request`).
pub(crate) fn request_id(request: *const KrRequest) -> FfiResult<RequestId> {
    if request.is_null() {
        return Err(FfiError::invalid_handle("request handle is NULL"));
    }
    Ok(RequestId::from_raw(request as usize as u64))
}
