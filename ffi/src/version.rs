//! `kr_version`.
use std::ffi::c_char;

use crate::boundary::ffi_boundary;
use crate::status::KrStatus;
use crate::strings::write_str;

/// Copies the crate version (e.g. `"0.1.0"`) into `buf` (the string-out convention).
///
/// # Safety
/// - `buf`: borrowed for the call; NULL allowed only with `buf_len == 0`; else valid for `buf_len`
///   writable bytes; receives the version and a NUL.
/// - `out_len`: borrowed for the call, non-NULL; receives the length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn kr_version(buf: *mut c_char, buf_len: usize, out_len: *mut usize) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `buf` / `out_len` valid for writes per this function's contract.
        unsafe { write_str(buf, buf_len, out_len, || Ok(env!("CARGO_PKG_VERSION"))) }
    }
}
