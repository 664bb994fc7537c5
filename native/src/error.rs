//! The engine's error type: an [`ErrorKind`] and a message. How a kind is reported across a foreign
//! boundary (and the failures that only exist there: NULL pointers, invalid UTF-8, buffer sizes,
//! handles, panics) is the ffi crate's business.
use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The key / query name / header / cookie / route parameter is absent.
    NotFound,
    /// A value out of range / unparsable: address, verb, pattern, level, options.
    InvalidArgument,
    /// The operation is not allowed in the current state, e.g. configuring a running server.
    InvalidState,
    /// An endpoint could not bind; the message names `address:port`.
    BindFailed,
    /// Certificate generation / PEM loading / TLS configuration failed.
    Tls,
    /// File / log sink / store I/O failed.
    Io,
    /// Session API used on a request of a server without sessions.
    NoSession,
    /// An operation did not finish within its bound.
    Timeout,
    /// Anything else.
    Internal,
}

impl ErrorKind {
    /// A short human name for the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::InvalidArgument => "invalid argument",
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

/// An engine error: a [`ErrorKind`] and a message meant for humans. `Display` prints the message
/// only.
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

    /// [`ErrorKind::NoSession`].
    pub fn no_session() -> Self {
        Self::new(ErrorKind::NoSession, "sessions are not configured on this server")
    }
}

/// The constructors `Error::<name>(message)`, one per kind that takes a message.
macro_rules! kind_constructors {
    ($($name:ident => $kind:ident),+ $(,)?) => {
        impl Error {
            $(
                #[doc = concat!("[`ErrorKind::", stringify!($kind), "`].")]
                pub fn $name(message: impl Into<String>) -> Self {
                    Self::new(ErrorKind::$kind, message)
                }
            )+
        }
    };
}

kind_constructors! {
    not_found => NotFound,
    invalid_argument => InvalidArgument,
    invalid_state => InvalidState,
    bind_failed => BindFailed,
    tls => Tls,
    io => Io,
    timeout => Timeout,
    internal => Internal,
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
