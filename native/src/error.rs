//! The engine's error type. [`ErrorKind`] mirrors the C API's `KrStatus` values one to one (the
//! conversions that only exist at the C boundary — NULL pointers, invalid UTF-8, buffer sizes,
//! panics — are the ffi crate's business).
use std::fmt;

/// What went wrong, as the C API reports it (`KrStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The key / query name / header / cookie / route parameter is absent (`KR_NOT_FOUND`).
    NotFound,
    /// A value out of range / unparsable: address, verb, pattern, level, options (`KR_INVALID_ARGUMENT`).
    InvalidArgument,
    /// A freed, stale, foreign or wrong-kind handle (`KR_INVALID_HANDLE`).
    InvalidHandle,
    /// The operation is not allowed in the current state, e.g. configuring a running server (`KR_INVALID_STATE`).
    InvalidState,
    /// An endpoint could not bind; the message names `address:port` (`KR_BIND_FAILED`).
    BindFailed,
    /// Certificate generation / PEM loading / TLS configuration failed (`KR_TLS_ERROR`).
    Tls,
    /// File / log sink / store I/O failed (`KR_IO_ERROR`).
    Io,
    /// Session API used on a request of a server without sessions (`KR_NO_SESSION`).
    NoSession,
    /// An operation did not finish within its bound (`KR_TIMEOUT`).
    Timeout,
    /// Anything else (`KR_INTERNAL`).
    Internal,
}

impl ErrorKind {
    /// A short human name for the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::InvalidHandle => "invalid handle",
            ErrorKind::InvalidState => "invalid state",
            ErrorKind::BindFailed => "bind failed",
            ErrorKind::Tls => "TLS error",
            ErrorKind::Io => "I/O error",
            ErrorKind::NoSession => "no session",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal => "internal error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An engine error: a [`ErrorKind`] and a message meant for humans (it becomes the C API's
/// last-error message). `Display` prints the message only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

/// `Result` with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into() }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// [`ErrorKind::NotFound`].
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// [`ErrorKind::InvalidArgument`].
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// [`ErrorKind::InvalidHandle`].
    pub fn invalid_handle(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidHandle, message)
    }

    /// [`ErrorKind::InvalidState`].
    pub fn invalid_state(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidState, message)
    }

    /// [`ErrorKind::BindFailed`].
    pub fn bind_failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BindFailed, message)
    }

    /// [`ErrorKind::Tls`].
    pub fn tls(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Tls, message)
    }

    /// [`ErrorKind::Io`].
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Io, message)
    }

    /// [`ErrorKind::NoSession`].
    pub fn no_session() -> Self {
        Self::new(ErrorKind::NoSession, "sessions are not configured on this server")
    }

    /// [`ErrorKind::Timeout`].
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Timeout, message)
    }

    /// [`ErrorKind::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::io(e.to_string())
    }
}
