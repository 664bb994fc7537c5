//! `kr_response_*`: building the response on the callback's request handle (default `200`, empty body).
use std::ffi::c_char;

use kestrun_native::CookieSpec;

use crate::boundary::ffi_boundary;
use crate::enums::same_site as same_site_arg;
use crate::handles::{request_id, KrRequest};
use crate::request::{on_request, request_str_args, with_request};
use crate::status::KrStatus;
use crate::strings::{bytes_arg, opt_str_arg};

/// Sets the response status: 100..=999, else `KR_INVALID_ARGUMENT`.
///
/// `request`: the callback's handle (not dereferenced; valid until the callback returns).
#[no_mangle]
pub extern "C" fn kr_response_set_status(request: *mut KrRequest, status: u16) -> KrStatus {
    ffi_boundary! {
        on_request(request, |ctx| Ok(ctx.set_status(status)?))
    }
}

/// Sets the response content type. Text types (`text/...`), `application/json`, `application/xml` and
/// `application/javascript` without a charset get `; charset=utf-8`.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `content_type`: NUL-terminated UTF-8, borrowed for the call (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_response_set_content_type(
    request: *mut KrRequest,
    content_type: *const c_char,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `content_type` is a NUL-terminated string valid for the call (contract above).
        let [content_type] = unsafe { request_str_args(request, [(content_type, "content_type")]) }?;
        on_request(request, |ctx| Ok(ctx.set_content_type(content_type)?))
    }
}

/// Sets the response body to a copy of `data[0..len]`.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `data`: borrowed for the call (copied); NULL only when `len == 0`; else valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn kr_response_set_body(request: *mut KrRequest, data: *const u8, len: usize) -> KrStatus {
    ffi_boundary! {
        request_id(request)?;
        // SAFETY: `data` is NULL (len 0) or valid for `len` readable bytes for the call (contract above).
        let body = unsafe { bytes_arg(data, len, "data") }?;
        with_request(request, |ctx| ctx.set_body(body))
    }
}

/// Sets a UTF-8 text body (copied); the content type becomes `text/plain; charset=utf-8` unless one
/// was set.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `text`: NUL-terminated UTF-8, borrowed for the call (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_response_set_body_text(request: *mut KrRequest, text: *const c_char) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `text` is a NUL-terminated string valid for the call (contract above).
        let [text] = unsafe { request_str_args(request, [(text, "text")]) }?;
        with_request(request, |ctx| ctx.set_body_text(text))
    }
}

/// Status, content type and body in one call (the hot path). Nothing changes on error.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `content_type`: NULL (keep the current one) or NUL-terminated UTF-8, borrowed for the call.
/// - `data`: borrowed for the call (copied); NULL only when `len == 0`; else valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn kr_response_write(
    request: *mut KrRequest,
    status: u16,
    content_type: *const c_char,
    data: *const u8,
    len: usize,
) -> KrStatus {
    ffi_boundary! {
        request_id(request)?;
        // SAFETY: `content_type` is NULL or a NUL-terminated string valid for the call (contract above).
        let content_type = unsafe { opt_str_arg(content_type, "content_type") }?;
        // SAFETY: `data` is NULL (len 0) or valid for `len` readable bytes for the call (contract above).
        let body = unsafe { bytes_arg(data, len, "data") }?;
        on_request(request, |ctx| Ok(ctx.write(status, content_type, body)?))
    }
}

/// Adds a response header (name and value validated: `KR_INVALID_ARGUMENT`; `Content-Length`,
/// `Transfer-Encoding`, `Connection` are managed by the server; `Content-Type` sets the content type).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `name`, `value`: NUL-terminated UTF-8, borrowed for the call (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_response_add_header(
    request: *mut KrRequest,
    name: *const c_char,
    value: *const c_char,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `name` and `value` are NUL-terminated strings valid for the call (contract above).
        let [name, value] = unsafe { request_str_args(request, [(name, "name"), (value, "value")]) }?;
        on_request(request, |ctx| Ok(ctx.add_header(name, value)?))
    }
}

/// Adds a `Set-Cookie` to the response. `max_age_seconds < 0` → a browser-session cookie;
/// `same_site` is a `KrSameSite` (`KR_SAME_SITE_UNSPECIFIED` omits the attribute).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `name`, `value`: NUL-terminated UTF-8, borrowed for the call (copied).
/// - `path`, `domain`: NULL (attribute omitted) or NUL-terminated UTF-8, borrowed for the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn kr_response_add_cookie(
    request: *mut KrRequest,
    name: *const c_char,
    value: *const c_char,
    path: *const c_char,
    domain: *const c_char,
    max_age_seconds: i64,
    http_only: bool,
    secure: bool,
    same_site: i32,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `name` and `value` are NUL-terminated strings valid for the call (contract above).
        let [name, value] = unsafe { request_str_args(request, [(name, "name"), (value, "value")]) }?;
        // SAFETY: `path` is NULL or a NUL-terminated string valid for the call (contract above).
        let path = unsafe { opt_str_arg(path, "path") }?;
        // SAFETY: `domain` is NULL or a NUL-terminated string valid for the call (contract above).
        let domain = unsafe { opt_str_arg(domain, "domain") }?;
        let cookie = CookieSpec {
            name: name.to_owned(),
            value: value.to_owned(),
            path: path.map(str::to_owned),
            domain: domain.map(str::to_owned),
            max_age_seconds,
            http_only,
            secure,
            same_site: same_site_arg(same_site)?,
        };
        on_request(request, |ctx| Ok(ctx.add_cookie(&cookie)?))
    }
}
