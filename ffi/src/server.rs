//! Server lifecycle: `kr_server_new` / `kr_server_free`, endpoints, limits, start / stop, queries.
use std::ffi::c_char;
use std::path::Path;
use std::time::Duration;

use kestrun_native::Server;

use crate::boundary::ffi_boundary;
use crate::handles::{server_ref, server_to_ptr, take_server, KrServer, SERVERS};
use crate::status::{FfiResult, KrStatus};
use crate::strings::{str_arg, OutBuf, OutPtr};

/// Creates a server named `name` and stores its handle in `*out_server`.
///
/// # Safety
/// - `name`: NUL-terminated UTF-8, borrowed for the call (copied).
/// - `out_server`: non-NULL, writable, borrowed for the call; receives a handle that stays valid until
///   `kr_server_free` (untouched unless `KR_OK`).
#[no_mangle]
pub unsafe extern "C" fn kr_server_new(name: *const c_char, out_server: *mut *mut KrServer) -> KrStatus {
    ffi_boundary! {
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let name = unsafe { str_arg(name, "name") }?;
        let out = OutPtr::new(out_server, "out_server")?;
        let id = SERVERS.insert(Server::new(name)?);
        // SAFETY: `out_server` is valid for writes (contract above).
        unsafe { out.write(server_to_ptr(id)) };
        Ok(())
    }
}

/// Frees a server: stops it if running (graceful, bounded by its shutdown timeout), then drops its
/// routes: each route's `free_user_data` runs exactly once, before this returns (unless a callback
/// was still running past the timeout: then when that callback returns). The handle is invalid after
/// this call whatever it returns (`KR_TIMEOUT` reports a stop that did not finish in time); a second
/// free returns `KR_INVALID_HANDLE`. Must not be called from one of this server's route callbacks.
///
/// `server`: a handle from `kr_server_new` (not dereferenced; checked in the server table).
#[no_mangle]
pub extern "C" fn kr_server_free(server: *mut KrServer) -> KrStatus {
    ffi_boundary! {
        let srv = take_server(server)?;
        let stopped: FfiResult<()> = srv.stop_default().map_err(Into::into);
        drop(srv);
        stopped
    }
}

/// Adds a plain HTTP endpoint. `address`: an IPv4/IPv6 literal (`127.0.0.1`, `::1`, `0.0.0.0`, `::`)
/// or `localhost`; `port` 0 picks a free port at start. `*out_index` receives the endpoint's index.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `address`: NUL-terminated UTF-8, borrowed for the call (copied).
/// - `out_index`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_server_add_endpoint_http(
    server: *mut KrServer,
    address: *const c_char,
    port: u16,
    out_index: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let address = unsafe { str_arg(address, "address") }?;
        let out = OutPtr::new(out_index, "out_index")?;
        let index = srv.add_endpoint_http(address, port)?;
        // SAFETY: `out_index` is valid for writes (contract above).
        unsafe { out.write(index) };
        Ok(())
    }
}

/// Adds an HTTPS endpoint with a self-signed certificate generated in memory for `localhost`,
/// `127.0.0.1`, `::1` and `address`. Arguments as `kr_server_add_endpoint_http`.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `address`: NUL-terminated UTF-8, borrowed for the call (copied).
/// - `out_index`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_server_add_endpoint_https_self_signed(
    server: *mut KrServer,
    address: *const c_char,
    port: u16,
    out_index: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let address = unsafe { str_arg(address, "address") }?;
        let out = OutPtr::new(out_index, "out_index")?;
        let index = srv.add_endpoint_https_self_signed(address, port)?;
        // SAFETY: `out_index` is valid for writes (contract above).
        unsafe { out.write(index) };
        Ok(())
    }
}

/// Adds an HTTPS endpoint with a PEM certificate chain and private key, read at this call
/// (`KR_TLS_ERROR` / `KR_IO_ERROR` reported here).
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `address`, `cert_path`, `key_path`: NUL-terminated UTF-8, borrowed for the call (copied).
/// - `out_index`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_server_add_endpoint_https_pem(
    server: *mut KrServer,
    address: *const c_char,
    port: u16,
    cert_path: *const c_char,
    key_path: *const c_char,
    out_index: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let address = unsafe { str_arg(address, "address") }?;
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let cert_path = unsafe { str_arg(cert_path, "cert_path") }?;
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let key_path = unsafe { str_arg(key_path, "key_path") }?;
        let out = OutPtr::new(out_index, "out_index")?;
        let index = srv.add_endpoint_https_pem(address, port, Path::new(cert_path), Path::new(key_path))?;
        // SAFETY: `out_index` is valid for writes (contract above).
        unsafe { out.write(index) };
        Ok(())
    }
}

/// Sets the number of callback threads: 1..=1024 (default 2 × cores).
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_callback_threads(server: *mut KrServer, count: u32) -> KrStatus {
    ffi_boundary! {
        server_ref(server)?.set_callback_threads(count)?;
        Ok(())
    }
}

/// Sets the number of actix worker threads, which do the async I/O (accept, TLS, HTTP parsing, sessions):
/// 1..=64 (default min(cores, 4)). Callbacks never run on them (see `kr_server_set_callback_threads`).
/// Only before `kr_server_start` (or between a stop and the next start): `KR_INVALID_STATE` while running.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_worker_threads(server: *mut KrServer, count: u32) -> KrStatus {
    ffi_boundary! {
        server_ref(server)?.set_worker_threads(count)?;
        Ok(())
    }
}

/// Sets how long a request may wait for a free callback thread before 503 (default 30000 ms).
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_callback_wait_ms(server: *mut KrServer, ms: u32) -> KrStatus {
    ffi_boundary! {
        server_ref(server)?.set_callback_wait(Duration::from_millis(ms.into()))?;
        Ok(())
    }
}

/// Sets the graceful shutdown bound used by `kr_server_free` (default 5000 ms).
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_shutdown_timeout_ms(server: *mut KrServer, ms: u32) -> KrStatus {
    ffi_boundary! {
        server_ref(server)?.set_shutdown_timeout(Duration::from_millis(ms.into()))?;
        Ok(())
    }
}

/// Sets the largest accepted request body (default 30 MiB); larger → 413 JSON.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_max_body_bytes(server: *mut KrServer, bytes: u64) -> KrStatus {
    ffi_boundary! {
        server_ref(server)?.set_max_body_bytes(bytes)?;
        Ok(())
    }
}

/// Binds every endpoint (`KR_BIND_FAILED` naming `address:port`), then serves on the server's own
/// threads and returns. Starting a running server → `KR_INVALID_STATE`; restart after stop works.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_start(server: *mut KrServer) -> KrStatus {
    ffi_boundary! {
        server_ref(server)?.start()?;
        Ok(())
    }
}

/// Stops gracefully: stops accepting, lets in-flight requests finish (at most `timeout_ms`), joins
/// the server's threads. Stopping a stopped server is `KR_OK`.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_stop(server: *mut KrServer, timeout_ms: u32) -> KrStatus {
    ffi_boundary! {
        server_ref(server)?.stop(Duration::from_millis(timeout_ms.into()))?;
        Ok(())
    }
}

/// `*out` = whether the server is running.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `out`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_server_is_running(server: *mut KrServer, out: *mut bool) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        let out = OutPtr::new(out, "out")?;
        // SAFETY: `out` is valid for writes (contract above).
        unsafe { out.write(srv.is_running()) };
        Ok(())
    }
}

/// `*out` = the number of endpoints.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `out`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_server_endpoint_count(server: *mut KrServer, out: *mut usize) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        let out = OutPtr::new(out, "out")?;
        // SAFETY: `out` is valid for writes (contract above).
        unsafe { out.write(srv.endpoint_count()) };
        Ok(())
    }
}

/// `*out_port` = the endpoint's bound port once started (the configured port before);
/// `KR_INVALID_ARGUMENT` for an index out of range.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `out_port`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_server_endpoint_port(server: *mut KrServer, index: usize, out_port: *mut u16) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        let out = OutPtr::new(out_port, "out_port")?;
        let port = srv.endpoint_port(index)?;
        // SAFETY: `out_port` is valid for writes (contract above).
        unsafe { out.write(port) };
        Ok(())
    }
}

/// The endpoint's URL, e.g. `https://127.0.0.1:8080` (string-out convention).
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `buf`: borrowed for the call; NULL only with `buf_len == 0`; else `buf_len` writable bytes;
///   receives the URL and a NUL.
/// - `out_len`: non-NULL, borrowed for the call; receives the length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn kr_server_endpoint_url(
    server: *mut KrServer,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        let out = OutBuf::new(buf.cast(), buf_len, out_len)?;
        let url = srv.endpoint_url(index)?;
        // SAFETY: buf / out_len are valid for writes (contract above).
        unsafe { out.put_str(&url) }
    }
}
