//! Server lifecycle: `kr_server_new` / `kr_server_free`, endpoints, limits, start / stop, queries.
use std::ffi::c_char;
use std::path::Path;
use std::time::Duration;

use kestrun_native::Server;

use crate::boundary::ffi_boundary;
use crate::handles::{server_ref, server_to_ptr, take_server, KrServer, SERVERS};
use crate::status::{FfiResult, KrStatus};
use crate::strings::{str_arg, str_args, write_out, write_str};

/// Runs `f` on the server behind `server` (`KR_INVALID_HANDLE` when it is not a live one).
fn on_server(server: *const KrServer, f: impl FnOnce(&Server) -> kestrun_native::Result<()>) -> FfiResult<()> {
    let srv = server_ref(server)?;
    Ok(f(&srv)?)
}

/// The `kr_server_add_endpoint_*` functions without files: checks `server`, `address`, then `out_index`,
/// adds the endpoint with `add` and stores its index.
///
/// # Safety
/// `address` is NULL or a NUL-terminated string valid for the call; `out_index` is NULL or valid for writes.
unsafe fn add_endpoint(
    server: *const KrServer,
    address: *const c_char,
    out_index: *mut usize,
    add: impl FnOnce(&Server, &str) -> kestrun_native::Result<usize>,
) -> FfiResult<()> {
    let srv = server_ref(server)?;
    // SAFETY: `address` is NULL or a NUL-terminated string valid for the call (caller guarantee).
    let address = unsafe { str_arg(address, "address") }?;
    // SAFETY: `out_index` is NULL or valid for writes (caller guarantee).
    unsafe { write_out(out_index, "out_index", || Ok(add(&srv, address)?)) }
}

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
        // SAFETY: `out_server` is NULL or valid for writes (contract above).
        unsafe { write_out(out_server, "out_server", || Ok(server_to_ptr(SERVERS.insert(Server::new(name)?)))) }
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
        // SAFETY: `address` and `out_index` per this function's contract.
        unsafe { add_endpoint(server, address, out_index, |srv, address| srv.add_endpoint_http(address, port)) }
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
        // SAFETY: `address` and `out_index` per this function's contract.
        unsafe {
            add_endpoint(server, address, out_index, |srv, address| srv.add_endpoint_https_self_signed(address, port))
        }
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
        // SAFETY: NUL-terminated strings valid for the call (contract above).
        let [address, cert_path, key_path] =
            unsafe { str_args([(address, "address"), (cert_path, "cert_path"), (key_path, "key_path")]) }?;
        let add = || Ok(srv.add_endpoint_https_pem(address, port, Path::new(cert_path), Path::new(key_path))?);
        // SAFETY: `out_index` is NULL or valid for writes (contract above).
        unsafe { write_out(out_index, "out_index", add) }
    }
}

/// Sets a fixed number of callback threads, 1..=1024: minimum and maximum both `count` (by default
/// the pool keeps 2 × cores threads and grows on demand, see `kr_server_set_callback_thread_limits`).
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_callback_threads(server: *mut KrServer, count: u32) -> KrStatus {
    ffi_boundary! {
        on_server(server, |srv| srv.set_callback_threads(count))
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
        on_server(server, |srv| srv.set_worker_threads(count))
    }
}

/// Sets how long a request may wait for a free callback thread before 503 (default 30000 ms).
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_callback_wait_ms(server: *mut KrServer, ms: u32) -> KrStatus {
    ffi_boundary! {
        on_server(server, |srv| srv.set_callback_wait(Duration::from_millis(ms.into())))
    }
}

/// Sets the graceful shutdown bound used by `kr_server_free` (default 5000 ms).
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_shutdown_timeout_ms(server: *mut KrServer, ms: u32) -> KrStatus {
    ffi_boundary! {
        on_server(server, |srv| srv.set_shutdown_timeout(Duration::from_millis(ms.into())))
    }
}

/// Sets the largest accepted request body (default 30 MiB); larger → 413 JSON.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_max_body_bytes(server: *mut KrServer, bytes: u64) -> KrStatus {
    ffi_boundary! {
        on_server(server, |srv| srv.set_max_body_bytes(bytes))
    }
}

/// Binds every endpoint (`KR_BIND_FAILED` naming `address:port`), then serves on the server's own
/// threads and returns. Starting a running server → `KR_INVALID_STATE`; restart after stop works.
///
/// SIGPIPE: a client that closes its connection while the server writes to it makes the kernel
/// raise SIGPIPE, whose default action ends the process. So, when SIGPIPE is still at its default
/// disposition in the host process, the first start sets it to ignored (as Rust and .NET programs
/// run); a handler or disposition the host set itself is kept.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_start(server: *mut KrServer) -> KrStatus {
    ffi_boundary! {
        ignore_default_sigpipe();
        on_server(server, Server::start)
    }
}

/// Sets SIGPIPE to ignored when it is at its default disposition (see `kr_server_start`); once.
fn ignore_default_sigpipe() {
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: sigaction with a NULL new action only reads the current one into `old`, a zeroed,
            // writable sigaction; signal() with SIG_IGN installs no handler code.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_DFL
                {
                    libc::signal(libc::SIGPIPE, libc::SIG_IGN);
                }
            }
        });
    }
}

/// Stops gracefully: stops accepting, lets in-flight requests finish (at most `timeout_ms`), joins
/// the server's threads. Stopping a stopped server is `KR_OK`.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_stop(server: *mut KrServer, timeout_ms: u32) -> KrStatus {
    ffi_boundary! {
        on_server(server, |srv| srv.stop(Duration::from_millis(timeout_ms.into())))
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
        // SAFETY: `out` is NULL or valid for writes (contract above).
        unsafe { write_out(out, "out", || Ok(srv.is_running())) }
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
        // SAFETY: `out` is NULL or valid for writes (contract above).
        unsafe { write_out(out, "out", || Ok(srv.endpoint_count())) }
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
        // SAFETY: `out_port` is NULL or valid for writes (contract above).
        unsafe { write_out(out_port, "out_port", || Ok(srv.endpoint_port(index)?)) }
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
        // SAFETY: buf / out_len are valid for writes (contract above).
        unsafe { write_str(buf, buf_len, out_len, || Ok(srv.endpoint_url(index)?)) }
    }
}
