//! `KrStatus`, the one result enum of the C API, and its names; [`FfiError`]: a status with the
//! message that becomes the thread's last error; [`UnknownValue`]: an integer that is not a value of
//! the C enum it was passed as.
use std::ffi::CStr;
use std::fmt;

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

impl KrStatus {
    /// Every status, in declaration order.
    pub(crate) const ALL: [KrStatus; 15] = [
        KrStatus::KR_OK,
        KrStatus::KR_NOT_FOUND,
        KrStatus::KR_BUFFER_TOO_SMALL,
        KrStatus::KR_NULL_ARGUMENT,
        KrStatus::KR_INVALID_UTF8,
        KrStatus::KR_INVALID_ARGUMENT,
        KrStatus::KR_INVALID_HANDLE,
        KrStatus::KR_INVALID_STATE,
        KrStatus::KR_BIND_FAILED,
        KrStatus::KR_TLS_ERROR,
        KrStatus::KR_IO_ERROR,
        KrStatus::KR_NO_SESSION,
        KrStatus::KR_TIMEOUT,
        KrStatus::KR_PANIC,
        KrStatus::KR_INTERNAL,
    ];

    /// The status's name as spelled in the header (`"KR_OK"`), a static NUL-terminated string.
    pub const fn name(self) -> &'static CStr {
        match self {
            KrStatus::KR_OK => c"KR_OK",
            KrStatus::KR_NOT_FOUND => c"KR_NOT_FOUND",
            KrStatus::KR_BUFFER_TOO_SMALL => c"KR_BUFFER_TOO_SMALL",
            KrStatus::KR_NULL_ARGUMENT => c"KR_NULL_ARGUMENT",
            KrStatus::KR_INVALID_UTF8 => c"KR_INVALID_UTF8",
            KrStatus::KR_INVALID_ARGUMENT => c"KR_INVALID_ARGUMENT",
            KrStatus::KR_INVALID_HANDLE => c"KR_INVALID_HANDLE",
            KrStatus::KR_INVALID_STATE => c"KR_INVALID_STATE",
            KrStatus::KR_BIND_FAILED => c"KR_BIND_FAILED",
            KrStatus::KR_TLS_ERROR => c"KR_TLS_ERROR",
            KrStatus::KR_IO_ERROR => c"KR_IO_ERROR",
            KrStatus::KR_NO_SESSION => c"KR_NO_SESSION",
            KrStatus::KR_TIMEOUT => c"KR_TIMEOUT",
            KrStatus::KR_PANIC => c"KR_PANIC",
            KrStatus::KR_INTERNAL => c"KR_INTERNAL",
        }
    }
}

/// A `KrStatus` as C passes it: any `int32_t` (the header spells the type `KrStatus`).
pub type KrStatusValue = i32;

impl TryFrom<KrStatusValue> for KrStatus {
    type Error = UnknownValue;

    fn try_from(value: KrStatusValue) -> Result<KrStatus, UnknownValue> {
        KrStatus::ALL.into_iter().find(|s| *s as i32 == value).ok_or(UnknownValue {
            value,
            what: "status",
            accepted: "a KrStatus",
        })
    }
}

/// An `int32_t` that is not a value of the C enum it was passed as (→ `KR_INVALID_ARGUMENT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownValue {
    /// The value received.
    pub value: i32,
    /// What it was meant to be, e.g. `log level`.
    pub what: &'static str,
    /// The accepted values, e.g. `0..=5`.
    pub accepted: &'static str,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} is not {}", self.what, self.value, self.accepted)
    }
}

impl std::error::Error for UnknownValue {}

impl From<UnknownValue> for FfiError {
    fn from(e: UnknownValue) -> FfiError {
        FfiError::invalid_argument(e.to_string())
    }
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

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(KrStatus::KR_NOT_FOUND, message)
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(KrStatus::KR_INVALID_ARGUMENT, message)
    }

    pub(crate) fn invalid_handle(message: impl Into<String>) -> Self {
        Self::new(KrStatus::KR_INVALID_HANDLE, message)
    }
}

/// Maps each of the engine's error kinds onto its `KrStatus`.
pub(crate) fn status_of(kind: kestrun_native::ErrorKind) -> KrStatus {
    use kestrun_native::ErrorKind as K;
    match kind {
        K::NotFound => KrStatus::KR_NOT_FOUND,
        K::InvalidArgument => KrStatus::KR_INVALID_ARGUMENT,
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
