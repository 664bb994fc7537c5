//! HTTP options of a server: the HTTP versions of each endpoint (`kr_server_set_endpoint_protocols`),
//! the TLS handshake timeout and slots, and the request header limits.
use std::time::Duration;

use crate::boundary::ffi_boundary;
use crate::enums::{http_protocols, KrHttpProtocols};
use crate::handles::{server_ref, KrServer};
use crate::status::KrStatus;
use crate::strings::write_out;

/// Sets the HTTP versions endpoint `index` serves: a `KrHttpProtocols` value (default
/// `KR_HTTP_PROTOCOLS_HTTP1_AND_HTTP2`). HTTPS endpoints agree on the version through ALPN;
/// plain HTTP endpoints serve HTTP/1.1, or with `KR_HTTP_PROTOCOLS_HTTP2` only HTTP/2 with prior
/// knowledge (h2c). `KR_INVALID_ARGUMENT` for an unknown value or an index out of range,
/// `KR_INVALID_STATE` while running.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_endpoint_protocols(server: *mut KrServer, index: usize, protocols: i32) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        let protocols = http_protocols(protocols)?;
        Ok(srv.set_endpoint_protocols(index, protocols)?)
    }
}

/// `*out_protocols` = the `KrHttpProtocols` value endpoint `index` serves; `KR_INVALID_ARGUMENT` for
/// an index out of range.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `out_protocols`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_server_endpoint_protocols(
    server: *mut KrServer,
    index: usize,
    out_protocols: *mut i32,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        // SAFETY: `out_protocols` is NULL or valid for writes (contract above).
        unsafe {
            write_out(out_protocols, "out_protocols", || Ok(KrHttpProtocols::from(srv.endpoint_protocols(index)?) as i32))
        }
    }
}

/// Sets how long a client has to complete the TLS handshake, counted from the TCP accept: 1..=300000
/// ms (default 10000, Kestrel's). The connection is closed when it elapses.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_tls_handshake_timeout_ms(server: *mut KrServer, ms: u32) -> KrStatus {
    ffi_boundary! {
        Ok(server_ref(server)?.set_tls_handshake_timeout(Duration::from_millis(ms.into()))?)
    }
}

/// Sets how many TLS handshakes may compute at the same time over every HTTPS endpoint: 1..=65536
/// (default 256). A handshake takes a slot once the client's `ClientHello` is complete: connections
/// that send nothing hold none, and accepting never stops. A handshake waiting for a slot is still
/// bounded by the handshake timeout.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_max_concurrent_tls_handshakes(server: *mut KrServer, count: u32) -> KrStatus {
    ffi_boundary! {
        Ok(server_ref(server)?.set_max_concurrent_tls_handshakes(count)?)
    }
}

/// Sets the request header limits (Kestrel's `MaxRequestHeaderCount` / `MaxRequestHeadersTotalSize`):
/// `max_count` headers, 1..=96 (default 96), of at most `max_total_bytes` bytes of names and values,
/// 1024..=131072 (default 32768); 0 keeps a limit as it is. A request over one gets 431 with a JSON
/// body. HTTP/1.1's parser refuses more than 96 headers or a request head over 128 KiB whatever
/// these are (also 431 JSON).
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_request_header_limits(
    server: *mut KrServer,
    max_count: u32,
    max_total_bytes: u32,
) -> KrStatus {
    ffi_boundary! {
        let keep_zero = |n: u32| (n != 0).then_some(n);
        Ok(server_ref(server)?.set_request_header_limits(keep_zero(max_count), keep_zero(max_total_bytes))?)
    }
}
