//! The one string / bytes convention of the C API.
//!
//! In: `const char*` NUL-terminated UTF-8 (NULL → `KR_NULL_ARGUMENT`, bad UTF-8 → `KR_INVALID_UTF8`);
//! `(const uint8_t* data, size_t len)` with `data` NULL only when `len == 0`.
//! Out: `(buf, buf_len, out_len)`: `*out_len` = value length without terminator; copied (strings with a
//! trailing NUL) when it fits, else nothing written and `KR_BUFFER_TOO_SMALL`.
use std::ffi::{c_char, CStr};
use std::ptr::NonNull;

use crate::status::{FfiError, FfiResult, KrStatus};

/// Borrows a required C string argument as `&str`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and unmodified for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> FfiResult<&'a str> {
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string valid for 'a.
    let cstr = unsafe { CStr::from_ptr(ptr) };
    cstr.to_str().map_err(|e| {
        FfiError::new(
            KrStatus::KR_INVALID_UTF8,
            format!("argument `{name}` is not valid UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        )
    })
}

/// Borrows several required C string arguments, checked in order (the first NULL or non-UTF-8 one is
/// reported), e.g. `let [verbs, pattern] = unsafe { str_args([(verbs, "verbs"), (pattern, "pattern")]) }?;`.
///
/// # Safety
/// Each pointer is as for [`str_arg`].
pub(crate) unsafe fn str_args<'a, const N: usize>(args: [(*const c_char, &str); N]) -> FfiResult<[&'a str; N]> {
    let mut strs = [""; N];
    for (slot, (ptr, name)) in strs.iter_mut().zip(args) {
        // SAFETY: forwarded caller guarantee (each pointer is NULL or a string valid for 'a).
        *slot = unsafe { str_arg(ptr, name) }?;
    }
    Ok(strs)
}

/// Borrows an optional C string argument: NULL → `None`.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded caller guarantee.
        unsafe { str_arg(ptr, name) }.map(Some)
    }
}

/// Borrows a `(data, len)` byte argument; `data` may be NULL only when `len == 0`.
///
/// # Safety
/// `data` is NULL or valid for `len` readable bytes that stay unmodified for `'a`.
pub(crate) unsafe fn bytes_arg<'a>(data: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if data.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(FfiError::new(
            KrStatus::KR_NULL_ARGUMENT,
            format!("argument `{name}` is NULL but its length is {len}"),
        ));
    }
    if len > isize::MAX as usize {
        return Err(FfiError::invalid_argument(format!("argument `{name}`: length {len} is too large")));
    }
    // SAFETY: non-NULL, len <= isize::MAX, and the caller guarantees `len` readable bytes for 'a.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// A required out-parameter, checked for NULL before any work is done.
pub(crate) struct OutPtr<T>(NonNull<T>);

impl<T> OutPtr<T> {
    pub(crate) fn new(ptr: *mut T, name: &str) -> FfiResult<Self> {
        NonNull::new(ptr).map(OutPtr).ok_or_else(|| FfiError::null(name))
    }

    /// Stores `value` (the old content, possibly uninitialized, is not read or dropped).
    ///
    /// # Safety
    /// The pointer given to [`OutPtr::new`] is valid for writing a `T` (aligned) now.
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: non-NULL (checked in new); validity and alignment guaranteed by the caller.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Fills the required out-parameter `ptr` (named `name`): checks it for NULL before any work, then runs
/// `value` and stores its result; nothing is stored when `value` fails.
///
/// # Safety
/// `ptr` is NULL or valid for writing a `T` (aligned) for the call.
pub(crate) unsafe fn write_out<T>(ptr: *mut T, name: &str, value: impl FnOnce() -> FfiResult<T>) -> FfiResult<()> {
    let out = OutPtr::new(ptr, name)?;
    let value = value()?;
    // SAFETY: non-NULL (checked in new) and valid for writes (forwarded caller guarantee).
    unsafe { out.write(value) };
    Ok(())
}

/// Fills a string-out triple: validates `(buf, buf_len, out_len)` before any work, then runs `value` and
/// copies the string it returns (see [`OutBuf::put_str`]).
///
/// # Safety
/// `buf` is NULL or valid for `buf_len` writable bytes; `out_len` is NULL or valid for a `usize` write.
pub(crate) unsafe fn write_str<S: AsRef<str>>(
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    value: impl FnOnce() -> FfiResult<S>,
) -> FfiResult<()> {
    let out = OutBuf::new(buf.cast(), buf_len, out_len)?;
    let value = value()?;
    // SAFETY: forwarded caller guarantee.
    unsafe { out.put_str(value.as_ref()) }
}

/// A `(buf, buf_len, out_len)` output triple, validated before any work is done.
pub(crate) struct OutBuf {
    buf: *mut u8,
    buf_len: usize,
    out_len: OutPtr<usize>,
}

impl OutBuf {
    /// `out_len` must be non-NULL; `buf` may be NULL only when `buf_len == 0` (a length query).
    pub(crate) fn new(buf: *mut u8, buf_len: usize, out_len: *mut usize) -> FfiResult<Self> {
        let out_len = OutPtr::new(out_len, "out_len")?;
        if buf.is_null() && buf_len != 0 {
            return Err(FfiError::new(
                KrStatus::KR_NULL_ARGUMENT,
                format!("argument `buf` is NULL but `buf_len` is {buf_len}"),
            ));
        }
        Ok(OutBuf { buf, buf_len, out_len })
    }

    /// Copies a string plus a trailing NUL (needs `buf_len >= len + 1`).
    ///
    /// # Safety
    /// `buf` is valid for `buf_len` writable bytes and `out_len` for a `usize` write.
    pub(crate) unsafe fn put_str(self, value: &str) -> FfiResult<()> {
        // SAFETY: forwarded caller guarantee.
        unsafe { self.put(value.as_bytes(), true) }
    }

    /// Copies bytes (needs `buf_len >= len`).
    ///
    /// # Safety
    /// As [`OutBuf::put_str`].
    pub(crate) unsafe fn put_bytes(self, value: &[u8]) -> FfiResult<()> {
        // SAFETY: forwarded caller guarantee.
        unsafe { self.put(value, false) }
    }

    unsafe fn put(self, value: &[u8], nul: bool) -> FfiResult<()> {
        let needed = value.len() + usize::from(nul);
        let OutBuf { buf, buf_len, out_len } = self;
        // SAFETY: `out_len` is valid for writes (caller guarantee).
        unsafe { out_len.write(value.len()) };
        if buf_len < needed {
            let what = if nul { "string" } else { "value" };
            return Err(FfiError::new(
                KrStatus::KR_BUFFER_TOO_SMALL,
                format!(
                    "buffer too small: the {what} needs {needed} bytes{}, buf_len is {buf_len}",
                    if nul { " including the NUL terminator" } else { "" }
                ),
            ));
        }
        if needed > 0 {
            // SAFETY: buf is non-NULL (buf_len >= needed > 0, checked in new), valid for buf_len >= needed
            // bytes (caller guarantee), and cannot overlap `value`, which is owned by the library.
            unsafe {
                std::ptr::copy_nonoverlapping(value.as_ptr(), buf, value.len());
                if nul {
                    buf.add(value.len()).write(0);
                }
            }
        }
        Ok(())
    }
}
