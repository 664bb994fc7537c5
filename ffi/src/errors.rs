//! The C functions that explain failures: `kr_last_error_message` (the calling thread's last error)
//! and `kr_status_name` (the name of a status).
use std::ffi::c_char;
use std::panic::catch_unwind;

use crate::boundary::ffi_boundary;
use crate::last_error::last_error;
use crate::status::{KrStatus, KrStatusValue};
use crate::strings::write_str;

/// Copies this thread's last error message into `buf` (the string-out convention).
///
/// Returns `KR_OK`, `KR_BUFFER_TOO_SMALL` or `KR_NULL_ARGUMENT` (`out_len` NULL, or `buf` NULL with
/// `buf_len > 0`). The message is `""` when no call on this thread failed yet. The last error is left
/// unchanged by every call to this function, whatever it returns. Successful calls of other functions
/// do not clear it either: read it right after the failing call.
///
/// # Safety
/// - `buf`: borrowed for the call; NULL allowed only with `buf_len == 0`; otherwise valid for
///   `buf_len` writable bytes. The message (plus a NUL) is copied into it.
/// - `out_len`: borrowed for the call; must be non-NULL and writable; receives the message length in
///   bytes without the NUL.
#[no_mangle]
pub unsafe extern "C" fn kr_last_error_message(buf: *mut c_char, buf_len: usize, out_len: *mut usize) -> KrStatus {
    ffi_boundary! { keep_last_error;
        // SAFETY: the caller guarantees `buf`/`out_len` are valid for writes as documented above.
        unsafe { write_str(buf, buf_len, out_len, || Ok(last_error())) }
    }
}

/// The name of `status` as spelled in this header (`"KR_OK"`, `"KR_NOT_FOUND"`, ...), or NULL when
/// `status` is not a `KrStatus` value.
///
/// Ownership: the string is static, owned by the library and valid for the whole life of the process:
/// never free or modify it. This function cannot fail: it returns no `KrStatus` and leaves the last
/// error alone.
#[no_mangle]
pub extern "C" fn kr_status_name(status: KrStatusValue) -> *const c_char {
    catch_unwind(|| KrStatus::try_from(status).map_or(std::ptr::null(), |s| s.name().as_ptr()))
        .unwrap_or(std::ptr::null())
}
