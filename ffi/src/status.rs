//! `KrStatus`, the one result enum of the C API, and the per-thread last error message.
use std::cell::RefCell;
use std::ffi::c_char;

use crate::boundary::ffi_boundary;
use crate::strings::OutBuf;

/// Result of every `kr_*` function. `KR_OK` (0) is success; after any other value the calling
/// thread's last error message (`kr_last_error_message`) explains it.
/// cbindgen:rename-all=None
#[repr(i32)]
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KrStatus {
    /// Success.
    KR_OK = 0,
    /// The key / query name / header / cookie / route parameter is absent (not an error for the caller).
    KR_NOT_FOUND = 1,
    /// The caller's buffer is too small: `*out_len` holds the needed length, nothing was written.
    KR_BUFFER_TOO_SMALL = 2,
    /// A required pointer was NULL.
    KR_NULL_ARGUMENT = 10,
    /// A string argument is not UTF-8.
    KR_INVALID_UTF8 = 11,
    /// A value out of range / unparsable (address, verb, pattern, level, options).
    KR_INVALID_ARGUMENT = 12,
    /// NULL, freed, stale, foreign or wrong-kind handle.
    KR_INVALID_HANDLE = 13,
    /// E.g. configuring a running server, starting a started one.
    KR_INVALID_STATE = 14,
    /// An endpoint could not bind (port in use, address not available).
    KR_BIND_FAILED = 15,
    /// Certificate generation / PEM loading / TLS configuration failed.
    KR_TLS_ERROR = 16,
    /// File / log sink / store I/O failed.
    KR_IO_ERROR = 17,
    /// Session API used on a request of a server without sessions.
    KR_NO_SESSION = 18,
    /// An operation did not finish within its bound.
    KR_TIMEOUT = 19,
    /// A Rust panic was caught at the boundary; the last error holds the panic message.
    KR_PANIC = 98,
    /// Anything else.
    KR_INTERNAL = 99,
}

/// An error on its way out of the boundary: the status returned and the message recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FfiError {
    pub status: KrStatus,
    pub message: String,
}

pub(crate) type FfiResult<T> = Result<T, FfiError>;

impl FfiError {
    pub(crate) fn new(status: KrStatus, message: impl Into<String>) -> Self {
        FfiError { status, message: message.into() }
    }

    pub(crate) fn null(name: &str) -> Self {
        Self::new(KrStatus::KR_NULL_ARGUMENT, format!("argument `{name}` must not be NULL"))
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(KrStatus::KR_INVALID_ARGUMENT, message)
    }

    pub(crate) fn invalid_handle(message: impl Into<String>) -> Self {
        Self::new(KrStatus::KR_INVALID_HANDLE, message)
    }
}

/// Maps the engine's error kinds one to one onto `KrStatus`.
pub(crate) fn status_of(kind: kestrun_native::ErrorKind) -> KrStatus {
    use kestrun_native::ErrorKind as K;
    match kind {
        K::NotFound => KrStatus::KR_NOT_FOUND,
        K::InvalidArgument => KrStatus::KR_INVALID_ARGUMENT,
        K::InvalidHandle => KrStatus::KR_INVALID_HANDLE,
        K::InvalidState => KrStatus::KR_INVALID_STATE,
        K::BindFailed => KrStatus::KR_BIND_FAILED,
        K::Tls => KrStatus::KR_TLS_ERROR,
        K::Io => KrStatus::KR_IO_ERROR,
        K::NoSession => KrStatus::KR_NO_SESSION,
        K::Timeout => KrStatus::KR_TIMEOUT,
        K::Internal => KrStatus::KR_INTERNAL,
    }
}

impl From<kestrun_native::Error> for FfiError {
    fn from(e: kestrun_native::Error) -> Self {
        FfiError::new(status_of(e.kind()), e.to_string())
    }
}

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records `message` as this thread's last error.
pub(crate) fn set_last_error(message: &str) {
    LAST_ERROR.with(|last| {
        let mut last = last.borrow_mut();
        last.clear();
        last.push_str(message);
    });
}

/// This thread's last error message ("" when none was recorded yet).
pub(crate) fn last_error() -> String {
    LAST_ERROR.with(|last| last.borrow().clone())
}

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
        let out = OutBuf::new(buf.cast(), buf_len, out_len)?;
        let message = last_error();
        // SAFETY: the caller guarantees `buf`/`out_len` are valid for writes as documented above.
        unsafe { out.put_str(&message) }
    }
}
