//! `kr_request_*`: reading the request of a running route callback.
//!
//! Every function takes the `KrRequest*` given to the callback; it is valid only until the callback
//! returns (afterwards, and for NULL / foreign / server handles: `KR_INVALID_HANDLE`). Values are
//! copied into the caller's buffer (the string-out convention); absent names give `KR_NOT_FOUND`.
use std::borrow::Cow;
use std::ffi::c_char;

use kestrun_native::RequestContext;

use crate::boundary::ffi_boundary;
use crate::handles::{request_id, request_ref, KrRequest};
use crate::status::{FfiError, FfiResult, KrStatus};
use crate::strings::{str_args, write_out, OutBuf};

/// Runs `f` on the live request behind `request` (`KR_INVALID_HANDLE` when it is not one).
pub(crate) fn on_request<R>(
    request: *const KrRequest,
    f: impl FnOnce(&mut RequestContext) -> FfiResult<R>,
) -> FfiResult<R> {
    let cell = request_ref(request)?;
    let mut ctx = cell.lock();
    f(&mut ctx)
}

/// [`on_request`] for an `f` that cannot fail.
pub(crate) fn with_request<R>(request: *const KrRequest, f: impl FnOnce(&mut RequestContext) -> R) -> FfiResult<R> {
    on_request(request, |ctx| Ok(f(ctx)))
}

/// The first checks of a function on a request: the handle (only NULL is rejected here; whether the
/// request is live is checked when it is used), then its required C string arguments, in order.
///
/// # Safety
/// Each pointer of `args` is NULL or a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn request_str_args<'a, const N: usize>(
    request: *const KrRequest,
    args: [(*const c_char, &str); N],
) -> FfiResult<[&'a str; N]> {
    request_id(request)?;
    // SAFETY: forwarded caller guarantee.
    unsafe { str_args(args) }
}

/// Copies a value read from the live request into the caller's buffer with `put`
/// ([`OutBuf::put_str`] or [`OutBuf::put_bytes`]); the handle and the buffer are checked first.
///
/// # Safety
/// `buf`, `buf_len`, `out_len` follow the string-out / bytes-out convention.
unsafe fn request_out<V, F>(
    request: *const KrRequest,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
    put: unsafe fn(OutBuf, &V) -> FfiResult<()>,
    read: F,
) -> FfiResult<()>
where
    V: ToOwned + ?Sized,
    F: for<'a> FnOnce(&'a RequestContext) -> FfiResult<Cow<'a, V>>,
{
    request_id(request)?;
    let out = OutBuf::new(buf, buf_len, out_len)?;
    on_request(request, |ctx| {
        let value = read(ctx)?;
        // SAFETY: buf / out_len are valid for writes (forwarded caller guarantee).
        unsafe { put(out, &value) }
    })
}

/// Copies a string read from the live request into the caller's buffer.
///
/// # Safety
/// `buf`, `buf_len`, `out_len` follow the string-out convention (see the public functions).
pub(crate) unsafe fn request_str_out<F>(
    request: *const KrRequest,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    read: F,
) -> FfiResult<()>
where
    F: for<'a> FnOnce(&'a RequestContext) -> FfiResult<Cow<'a, str>>,
{
    // SAFETY: forwarded caller guarantee.
    unsafe { request_out(request, buf.cast(), buf_len, out_len, OutBuf::put_str, read) }
}

/// Copies bytes read from the live request into the caller's buffer.
///
/// # Safety
/// `buf`, `buf_len`, `out_len` follow the bytes-out convention (see the public functions).
pub(crate) unsafe fn request_bytes_out<F>(
    request: *const KrRequest,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
    read: F,
) -> FfiResult<()>
where
    F: for<'a> FnOnce(&'a RequestContext) -> FfiResult<&'a [u8]>,
{
    // SAFETY: forwarded caller guarantee.
    unsafe { request_out(request, buf, buf_len, out_len, OutBuf::put_bytes, |ctx| read(ctx).map(Cow::Borrowed)) }
}

/// `KR_NOT_FOUND`: "`what` `name` is absent".
pub(crate) fn absent(what: &str, name: &str) -> FfiError {
    FfiError::not_found(format!("{what} `{name}` is absent"))
}

/// Copies the request value named by the C string `name` (looked up with `lookup`) into the caller's
/// buffer; `KR_NOT_FOUND` ("`what` `name` is absent") when there is none.
///
/// # Safety
/// `name` is NUL-terminated (or NULL: `KR_NULL_ARGUMENT`) and valid for the call; `buf`, `buf_len`,
/// `out_len` follow the string-out convention.
unsafe fn named_str_out(
    request: *const KrRequest,
    what: &str,
    name: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    lookup: impl for<'a> FnOnce(&'a RequestContext, &str) -> Option<Cow<'a, str>>,
) -> FfiResult<()> {
    // SAFETY: `name` is a NUL-terminated string valid for the call (forwarded caller guarantee).
    let [name] = unsafe { request_str_args(request, [(name, "name")]) }?;
    // SAFETY: buf / out_len per the string-out convention (forwarded caller guarantee).
    unsafe {
        request_str_out(request, buf, buf_len, out_len, |ctx| lookup(ctx, name).ok_or_else(|| absent(what, name)))
    }
}

/// The request method, e.g. `GET`.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced; looked up in the request table).
/// - `buf`: borrowed for the call; NULL allowed only with `buf_len == 0`; else valid for `buf_len`
///   writable bytes; receives the value and a NUL.
/// - `out_len`: borrowed for the call, non-NULL; receives the length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn kr_request_method(
    request: *mut KrRequest,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: buf / out_len per this function's contract.
        unsafe { request_str_out(request, buf, buf_len, out_len, |ctx| Ok(Cow::from(ctx.method()))) }
    }
}

/// The request path without the query string, e.g. `/users/42`.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced; looked up in the request table).
/// - `buf`: borrowed for the call; NULL allowed only with `buf_len == 0`; else valid for `buf_len`
///   writable bytes; receives the value and a NUL.
/// - `out_len`: borrowed for the call, non-NULL; receives the length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn kr_request_path(
    request: *mut KrRequest,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: buf / out_len per this function's contract.
        unsafe { request_str_out(request, buf, buf_len, out_len, |ctx| Ok(Cow::from(ctx.path()))) }
    }
}

/// The raw query string without `?` (`""` when none).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced; looked up in the request table).
/// - `buf`: borrowed for the call; NULL allowed only with `buf_len == 0`; else valid for `buf_len`
///   writable bytes; receives the value and a NUL.
/// - `out_len`: borrowed for the call, non-NULL; receives the length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn kr_request_query_string(
    request: *mut KrRequest,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: buf / out_len per this function's contract.
        unsafe { request_str_out(request, buf, buf_len, out_len, |ctx| Ok(Cow::from(ctx.query_string()))) }
    }
}

/// `http` or `https` (the endpoint's scheme).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced; looked up in the request table).
/// - `buf`: borrowed for the call; NULL allowed only with `buf_len == 0`; else valid for `buf_len`
///   writable bytes; receives the value and a NUL.
/// - `out_len`: borrowed for the call, non-NULL; receives the length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn kr_request_scheme(
    request: *mut KrRequest,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: buf / out_len per this function's contract.
        unsafe { request_str_out(request, buf, buf_len, out_len, |ctx| Ok(Cow::from(ctx.scheme()))) }
    }
}

/// The host the client addressed (the `Host` header, else the endpoint's address).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced; looked up in the request table).
/// - `buf`: borrowed for the call; NULL allowed only with `buf_len == 0`; else valid for `buf_len`
///   writable bytes; receives the value and a NUL.
/// - `out_len`: borrowed for the call, non-NULL; receives the length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn kr_request_host(
    request: *mut KrRequest,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: buf / out_len per this function's contract.
        unsafe { request_str_out(request, buf, buf_len, out_len, |ctx| Ok(Cow::from(ctx.host()))) }
    }
}

/// The client's address, `ip:port` (`[ip]:port` for IPv6); `""` if unknown.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced; looked up in the request table).
/// - `buf`: borrowed for the call; NULL allowed only with `buf_len == 0`; else valid for `buf_len`
///   writable bytes; receives the value and a NUL.
/// - `out_len`: borrowed for the call, non-NULL; receives the length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn kr_request_remote_addr(
    request: *mut KrRequest,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: buf / out_len per this function's contract.
        unsafe { request_str_out(request, buf, buf_len, out_len, |ctx| Ok(Cow::from(ctx.remote_addr()))) }
    }
}

/// The `index`-th value (0-based, among repeated keys) of query parameter `name`, percent-decoded
/// (`+` as space). `KR_NOT_FOUND` if absent or `index` is past the last value. The decoded value may
/// contain NUL bytes (`%00`): use `*out_len`.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `name`: NUL-terminated UTF-8, borrowed for the call.
/// - `buf` / `out_len`: the string-out convention (borrowed for the call; `buf` NULL only with
///   `buf_len == 0`; `out_len` non-NULL).
#[no_mangle]
pub unsafe extern "C" fn kr_request_query(
    request: *mut KrRequest,
    name: *const c_char,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `name` is a NUL-terminated string valid for the call (contract above).
        let [name] = unsafe { request_str_args(request, [(name, "name")]) }?;
        // SAFETY: buf / out_len per this function's contract.
        unsafe {
            request_str_out(request, buf, buf_len, out_len, |ctx| {
                ctx.query(name, index).map(Cow::from).ok_or_else(|| {
                    FfiError::not_found(format!("query parameter `{name}` has no value at index {index}"))
                })
            })
        }
    }
}

/// The number of values of query parameter `name` (0 if absent).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `name`: NUL-terminated UTF-8, borrowed for the call.
/// - `out_count`: non-NULL, writable; receives the count.
#[no_mangle]
pub unsafe extern "C" fn kr_request_query_count(
    request: *mut KrRequest,
    name: *const c_char,
    out_count: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `name` is a NUL-terminated string valid for the call (contract above).
        let [name] = unsafe { request_str_args(request, [(name, "name")]) }?;
        // SAFETY: `out_count` is NULL or valid for writes (contract above).
        unsafe { write_out(out_count, "out_count", || with_request(request, |ctx| ctx.query_count(name))) }
    }
}

/// The route parameter `name` (a `{name}` segment of the route pattern); `KR_NOT_FOUND` if absent.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `name`: NUL-terminated UTF-8, borrowed for the call.
/// - `buf` / `out_len`: the string-out convention (borrowed for the call).
#[no_mangle]
pub unsafe extern "C" fn kr_request_route_param(
    request: *mut KrRequest,
    name: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: name / buf / out_len per this function's contract.
        unsafe { named_str_out(request, "route parameter", name, buf, buf_len, out_len, |ctx, name| ctx.route_param(name).map(Cow::from)) }
    }
}

/// The request header `name` (case-insensitive); repeated headers are joined with `", "`.
/// `KR_NOT_FOUND` if absent.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `name`: NUL-terminated UTF-8, borrowed for the call.
/// - `buf` / `out_len`: the string-out convention (borrowed for the call).
#[no_mangle]
pub unsafe extern "C" fn kr_request_header(
    request: *mut KrRequest,
    name: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: name / buf / out_len per this function's contract.
        unsafe { named_str_out(request, "header", name, buf, buf_len, out_len, |ctx, name| ctx.header(name)) }
    }
}

/// The request cookie `name` (decoded value); `KR_NOT_FOUND` if absent.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `name`: NUL-terminated UTF-8, borrowed for the call.
/// - `buf` / `out_len`: the string-out convention (borrowed for the call).
#[no_mangle]
pub unsafe extern "C" fn kr_request_cookie(
    request: *mut KrRequest,
    name: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: name / buf / out_len per this function's contract.
        unsafe { named_str_out(request, "cookie", name, buf, buf_len, out_len, |ctx, name| ctx.cookie(name).map(Cow::from)) }
    }
}

/// The request body bytes (the bytes-out convention: no terminator, `buf_len >= *out_len` needed).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `buf`: borrowed for the call; NULL allowed only with `buf_len == 0`; else valid for `buf_len`
///   writable bytes.
/// - `out_len`: borrowed for the call, non-NULL; receives the body length.
#[no_mangle]
pub unsafe extern "C" fn kr_request_body(
    request: *mut KrRequest,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: buf / out_len per this function's contract.
        unsafe { request_bytes_out(request, buf, buf_len, out_len, |ctx| Ok(ctx.body())) }
    }
}

/// `*out` = whether the request was given up: its route's timeout (`KrRouteOptions.timeout_ms`)
/// elapsed and the client already got 504. A callback may poll it to stop early; always false for
/// routes without a timeout. The handle stays valid until the callback returns.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced; looked up in the request table).
/// - `out`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_request_is_cancelled(request: *mut KrRequest, out: *mut bool) -> KrStatus {
    ffi_boundary! {
        request_id(request)?;
        let cancelled = on_request(request, |ctx| Ok(ctx.is_cancelled()))?;
        // SAFETY: `out` is NULL or valid for writes (contract above).
        unsafe { write_out(out, "out", || Ok(cancelled)) }
    }
}
