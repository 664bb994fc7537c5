//! The C API's integer enums (other than `KrStatus`) and their conversions at the edge: C passes them
//! as `int32_t`, so each has `TryFrom<i32>` (an unknown value is `KR_INVALID_ARGUMENT`, never an
//! invalid Rust enum) and converts to and from the engine's own type.
use kestrun_native::logging::RollingInterval;
use kestrun_native::{HttpProtocols, LogLevel, SameSite, SecurePolicy};

use crate::status::{FfiError, UnknownValue};

/// Log levels (Serilog's), passed as `int32_t`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KrLogLevel {
    /// `VRB`
    Verbose = 0,
    /// `DBG`
    Debug = 1,
    /// `INF`
    Information = 2,
    /// `WRN`
    Warning = 3,
    /// `ERR`
    Error = 4,
    /// `FTL`
    Fatal = 5,
}

/// When a file log sink starts a new file (Serilog's `RollingInterval` values), passed as `int32_t`.
/// `YEAR` and `MONTH` are accepted values that the file sink rejects (`KR_INVALID_ARGUMENT`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KrRollingInterval {
    /// One file, never rolled: the path is the file.
    Infinite = 0,
    /// Not supported by the file sink.
    Year = 1,
    /// Not supported by the file sink.
    Month = 2,
    /// A file per UTC day (`log.2026-11-29.txt` from `log-.txt`).
    Day = 3,
    /// A file per UTC hour (`log.2026-11-29-08.txt`).
    Hour = 4,
    /// A file per minute (`log.2026-11-29-08-31.txt`).
    Minute = 5,
}

/// The `SameSite` attribute of a cookie, passed as `int32_t`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KrSameSite {
    /// `SameSite=Lax` (the session default).
    Lax = 0,
    /// `SameSite=Strict`.
    Strict = 1,
    /// `SameSite=None`.
    None = 2,
    /// The attribute is omitted.
    Unspecified = 3,
}

/// When the session cookie gets `Secure` (ASP.NET Core's `CookieSecurePolicy` order), as `int32_t`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KrSecurePolicy {
    /// `Secure` on HTTPS requests only (default).
    SameAsRequest = 0,
    /// Always `Secure`.
    Always = 1,
    /// Never `Secure`.
    None = 2,
}

/// The HTTP versions an endpoint serves (Kestrel's `HttpProtocols` values), passed as `int32_t`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KrHttpProtocols {
    /// HTTP/1.1 only.
    Http1 = 1,
    /// HTTP/2 only (HTTPS: ALPN `h2`; plain HTTP: h2c with prior knowledge).
    Http2 = 2,
    /// HTTP/1.1 and HTTP/2 (the default; plain HTTP: HTTP/1.1, as there is no ALPN).
    Http1AndHttp2 = 3,
}

/// The conversions of a C enum `$c` whose variants mirror the engine's `$engine` one by one:
/// `TryFrom<i32>` (a value that is no variant → [`UnknownValue`] with `$what` and `$accepted`), `From` in
/// both directions, and `fn $convert(i32) -> Result<$engine, FfiError>`, what the `kr_*` functions do
/// with their enum arguments.
macro_rules! c_enum_conversions {
    ($c:ident <=> $engine:ident, fn $convert:ident, $what:literal, $accepted:literal: $($variant:ident),+ $(,)?) => {
        impl TryFrom<i32> for $c {
            type Error = UnknownValue;

            fn try_from(value: i32) -> Result<Self, UnknownValue> {
                [$($c::$variant),+].into_iter().find(|v| *v as i32 == value).ok_or(UnknownValue {
                    value,
                    what: $what,
                    accepted: $accepted,
                })
            }
        }

        impl From<$c> for $engine {
            fn from(value: $c) -> $engine {
                match value {
                    $($c::$variant => $engine::$variant,)+
                }
            }
        }

        impl From<$engine> for $c {
            fn from(value: $engine) -> $c {
                match value {
                    $($engine::$variant => $c::$variant,)+
                }
            }
        }

        /// `int32_t` → engine value in one step (an unknown value is `KR_INVALID_ARGUMENT`).
        pub(crate) fn $convert(value: i32) -> Result<$engine, FfiError> {
            Ok($c::try_from(value)?.into())
        }
    };
}

c_enum_conversions! {
    KrLogLevel <=> LogLevel, fn log_level, "log level", "0..=5":
    Verbose, Debug, Information, Warning, Error, Fatal
}
c_enum_conversions! {
    KrRollingInterval <=> RollingInterval, fn rolling_interval, "rolling interval", "0..=5 (KrRollingInterval)":
    Infinite, Year, Month, Day, Hour, Minute
}
c_enum_conversions! {
    KrSameSite <=> SameSite, fn same_site, "same_site", "0..=3 (KrSameSite)":
    Lax, Strict, None, Unspecified
}
c_enum_conversions! {
    KrSecurePolicy <=> SecurePolicy, fn secure_policy, "secure_policy", "0..=2 (KrSecurePolicy)":
    SameAsRequest, Always, None
}
c_enum_conversions! {
    KrHttpProtocols <=> HttpProtocols, fn http_protocols, "protocols", "1..=3 (KrHttpProtocols)":
    Http1, Http2, Http1AndHttp2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_unknown_values_are_rejected() {
        for i in 0..=5 {
            assert_eq!(KrLogLevel::try_from(i).unwrap() as i32, i);
        }
        for bad in [-1, 6, i32::MAX, i32::MIN] {
            assert!(KrLogLevel::try_from(bad).is_err());
        }
        for i in 0..=3 {
            let c = KrSameSite::try_from(i).unwrap();
            assert_eq!(c as i32, i);
            assert_eq!(KrSameSite::from(SameSite::from(c)), c);
        }
        assert!(KrSameSite::try_from(4).is_err());
        for i in 0..=2 {
            let c = KrSecurePolicy::try_from(i).unwrap();
            assert_eq!(c as i32, i);
            assert_eq!(KrSecurePolicy::from(SecurePolicy::from(c)), c);
        }
        let e = FfiError::from(KrSecurePolicy::try_from(-1).unwrap_err());
        assert_eq!(e.status, crate::status::KrStatus::KR_INVALID_ARGUMENT);
        assert_eq!(e.message, "secure_policy -1 is not 0..=2 (KrSecurePolicy)");
        assert_eq!(log_level(6).unwrap_err().message, "log level 6 is not 0..=5");
        assert_eq!(log_level(4).unwrap(), LogLevel::Error);
        for i in 0..=5 {
            assert_eq!(KrRollingInterval::try_from(i).unwrap() as i32, i);
        }
        assert_eq!(rolling_interval(3).unwrap(), RollingInterval::Day);
        assert_eq!(rolling_interval(6).unwrap_err().message, "rolling interval 6 is not 0..=5 (KrRollingInterval)");
        assert_eq!(KrSameSite::from(SameSite::default()), KrSameSite::Lax);
        assert_eq!(KrSecurePolicy::from(SecurePolicy::default()), KrSecurePolicy::SameAsRequest);
        assert_eq!(http_protocols(3).unwrap(), HttpProtocols::Http1AndHttp2);
        assert_eq!(http_protocols(1).unwrap(), HttpProtocols::Http1);
        assert_eq!(KrHttpProtocols::from(HttpProtocols::default()), KrHttpProtocols::Http1AndHttp2);
        assert_eq!(http_protocols(0).unwrap_err().message, "protocols 0 is not 1..=3 (KrHttpProtocols)");
        assert!(http_protocols(4).is_err());
    }
}
