//! The C API's integer enums (other than `KrStatus`) and their conversions at the edge: C passes them
//! as `int32_t`, so each has `TryFrom<i32>` (an unknown value is `KR_INVALID_ARGUMENT`, never an
//! invalid Rust enum) and converts to and from the engine's own type.
use kestrun_native::logging::RollingInterval;
use kestrun_native::{LogLevel, SameSite, SecurePolicy};

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

impl TryFrom<i32> for KrLogLevel {
    type Error = UnknownValue;

    fn try_from(value: i32) -> Result<Self, UnknownValue> {
        Ok(match value {
            0 => KrLogLevel::Verbose,
            1 => KrLogLevel::Debug,
            2 => KrLogLevel::Information,
            3 => KrLogLevel::Warning,
            4 => KrLogLevel::Error,
            5 => KrLogLevel::Fatal,
            value => return Err(UnknownValue { value, what: "log level", accepted: "0..=5" }),
        })
    }
}

impl From<KrLogLevel> for LogLevel {
    fn from(level: KrLogLevel) -> LogLevel {
        match level {
            KrLogLevel::Verbose => LogLevel::Verbose,
            KrLogLevel::Debug => LogLevel::Debug,
            KrLogLevel::Information => LogLevel::Information,
            KrLogLevel::Warning => LogLevel::Warning,
            KrLogLevel::Error => LogLevel::Error,
            KrLogLevel::Fatal => LogLevel::Fatal,
        }
    }
}

impl TryFrom<i32> for KrRollingInterval {
    type Error = UnknownValue;

    fn try_from(value: i32) -> Result<Self, UnknownValue> {
        Ok(match value {
            0 => KrRollingInterval::Infinite,
            1 => KrRollingInterval::Year,
            2 => KrRollingInterval::Month,
            3 => KrRollingInterval::Day,
            4 => KrRollingInterval::Hour,
            5 => KrRollingInterval::Minute,
            value => {
                return Err(UnknownValue { value, what: "rolling interval", accepted: "0..=5 (KrRollingInterval)" })
            }
        })
    }
}

impl From<KrRollingInterval> for RollingInterval {
    fn from(value: KrRollingInterval) -> RollingInterval {
        match value {
            KrRollingInterval::Infinite => RollingInterval::Infinite,
            KrRollingInterval::Year => RollingInterval::Year,
            KrRollingInterval::Month => RollingInterval::Month,
            KrRollingInterval::Day => RollingInterval::Day,
            KrRollingInterval::Hour => RollingInterval::Hour,
            KrRollingInterval::Minute => RollingInterval::Minute,
        }
    }
}

impl TryFrom<i32> for KrSameSite {
    type Error = UnknownValue;

    fn try_from(value: i32) -> Result<Self, UnknownValue> {
        Ok(match value {
            0 => KrSameSite::Lax,
            1 => KrSameSite::Strict,
            2 => KrSameSite::None,
            3 => KrSameSite::Unspecified,
            value => return Err(UnknownValue { value, what: "same_site", accepted: "0..=3 (KrSameSite)" }),
        })
    }
}

impl From<KrSameSite> for SameSite {
    fn from(value: KrSameSite) -> SameSite {
        match value {
            KrSameSite::Lax => SameSite::Lax,
            KrSameSite::Strict => SameSite::Strict,
            KrSameSite::None => SameSite::None,
            KrSameSite::Unspecified => SameSite::Unspecified,
        }
    }
}

impl From<SameSite> for KrSameSite {
    fn from(value: SameSite) -> KrSameSite {
        match value {
            SameSite::Lax => KrSameSite::Lax,
            SameSite::Strict => KrSameSite::Strict,
            SameSite::None => KrSameSite::None,
            SameSite::Unspecified => KrSameSite::Unspecified,
        }
    }
}

impl TryFrom<i32> for KrSecurePolicy {
    type Error = UnknownValue;

    fn try_from(value: i32) -> Result<Self, UnknownValue> {
        Ok(match value {
            0 => KrSecurePolicy::SameAsRequest,
            1 => KrSecurePolicy::Always,
            2 => KrSecurePolicy::None,
            value => return Err(UnknownValue { value, what: "secure_policy", accepted: "0..=2 (KrSecurePolicy)" }),
        })
    }
}

impl From<KrSecurePolicy> for SecurePolicy {
    fn from(value: KrSecurePolicy) -> SecurePolicy {
        match value {
            KrSecurePolicy::SameAsRequest => SecurePolicy::SameAsRequest,
            KrSecurePolicy::Always => SecurePolicy::Always,
            KrSecurePolicy::None => SecurePolicy::None,
        }
    }
}

impl From<SecurePolicy> for KrSecurePolicy {
    fn from(value: SecurePolicy) -> KrSecurePolicy {
        match value {
            SecurePolicy::SameAsRequest => KrSecurePolicy::SameAsRequest,
            SecurePolicy::Always => KrSecurePolicy::Always,
            SecurePolicy::None => KrSecurePolicy::None,
        }
    }
}

/// `int32_t` → engine value in one step (what the `kr_*` functions do with their enum arguments).
pub(crate) fn log_level(value: i32) -> Result<LogLevel, FfiError> {
    Ok(KrLogLevel::try_from(value)?.into())
}

/// See [`log_level`].
pub(crate) fn rolling_interval(value: i32) -> Result<RollingInterval, FfiError> {
    Ok(KrRollingInterval::try_from(value)?.into())
}

/// See [`log_level`].
pub(crate) fn same_site(value: i32) -> Result<SameSite, FfiError> {
    Ok(KrSameSite::try_from(value)?.into())
}

/// See [`log_level`].
pub(crate) fn secure_policy(value: i32) -> Result<SecurePolicy, FfiError> {
    Ok(KrSecurePolicy::try_from(value)?.into())
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
    }
}
