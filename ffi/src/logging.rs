//! Process-wide logging (`kr_log_*`): no output until a sink is added.
//!
//! Console lines default to Kestrun's (Serilog's) `[08:31:04 DBG] message`, file lines to
//! `2026-11-29 08:31:04.123 +01:00 [DBG] message`; both can be given an output template (Serilog tokens
//! `{Timestamp:format}`, `{Level:u3}`, `{Message:lj}`, `{NewLine}`, `{Exception}`; unknown tokens are
//! rejected with `KR_INVALID_ARGUMENT`).
use std::ffi::c_char;
use std::path::Path;

use kestrun_native::logging::{self, ConsoleSinkOptions, FileSinkOptions, UtcOffset};

use crate::boundary::ffi_boundary;
use crate::enums::{log_level, rolling_interval as to_rolling_interval};
use crate::status::{FfiError, KrStatus};
use crate::strings::{opt_str_arg, str_arg};

/// Sets the minimum level written to the sinks (a `KrLogLevel`; else `KR_INVALID_ARGUMENT`). It can change
/// at any time; `KR_LOG_LEVEL_ERROR` and `KR_LOG_LEVEL_FATAL` messages are written whatever it is.
#[no_mangle]
pub extern "C" fn kr_log_set_level(level: i32) -> KrStatus {
    ffi_boundary! {
        logging::set_level(log_level(level)?);
        Ok(())
    }
}

/// Adds a sink writing lines to stdout in Kestrun's default console format:
/// `[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}`, e.g. `[08:31:04 DBG] GET / 200 0.35ms`.
#[no_mangle]
pub extern "C" fn kr_log_add_console_sink() -> KrStatus {
    ffi_boundary! {
        logging::add_console_sink();
        Ok(())
    }
}

/// Adds a sink appending lines to the file `path` (directories are created; never rolled) in Kestrun's
/// default file format `{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}`;
/// `KR_IO_ERROR` if it cannot be opened.
///
/// # Safety
/// `path`: NUL-terminated UTF-8, borrowed for the call only (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_log_add_file_sink(path: *const c_char) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `path` is NULL or a NUL-terminated string valid for the call (contract above).
        let path = unsafe { str_arg(path, "path") }?;
        logging::add_file_sink(Path::new(path))?;
        Ok(())
    }
}

/// Removes every sink: stdout is flushed and files are closed when this returns. Nothing is written
/// afterwards until a sink is added.
#[no_mangle]
pub extern "C" fn kr_log_clear_sinks() -> KrStatus {
    ffi_boundary! {
        logging::clear_sinks();
        Ok(())
    }
}

/// Writes `message` at `level` (a `KrLogLevel`) through the library's sinks.
///
/// # Safety
/// `message`: NUL-terminated UTF-8, borrowed for the call only.
#[no_mangle]
pub unsafe extern "C" fn kr_log_write(level: i32, message: *const c_char) -> KrStatus {
    ffi_boundary! {
        let level = log_level(level)?;
        // SAFETY: `message` is NULL or a NUL-terminated string valid for the call (contract above).
        let message = unsafe { str_arg(message, "message") }?;
        logging::write(level, message);
        Ok(())
    }
}

/// Adds a console (stdout) sink with an output template and its own minimum level.
///
/// `output_template`: Serilog's syntax, e.g. `[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}`;
/// NULL = the default console template (as `kr_log_add_console_sink`). A template with an unknown token or
/// an unclosed `{` is `KR_INVALID_ARGUMENT` (the last error names the token) and adds nothing.
/// `restricted_to_minimum_level`: a `KrLogLevel`; the sink writes only messages at least that level (and
/// at least the level of `kr_log_set_level`); `KR_LOG_LEVEL_VERBOSE` for all.
///
/// # Safety
/// `output_template`: NULL or NUL-terminated UTF-8, borrowed for the call only (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_log_add_console_sink_template(
    output_template: *const c_char,
    restricted_to_minimum_level: i32,
) -> KrStatus {
    ffi_boundary! {
        let min = log_level(restricted_to_minimum_level)?;
        // SAFETY: `output_template` is NULL or a NUL-terminated string valid for the call (contract above).
        let template = unsafe { opt_str_arg(output_template, "output_template") }?;
        let mut options = ConsoleSinkOptions { restricted_to_minimum_level: min, ..Default::default() };
        if let Some(template) = template {
            options.output_template = template.to_owned();
        }
        logging::add_console_sink_with(options)?;
        Ok(())
    }
}

/// Adds a file sink with an output template, rolling and retention.
///
/// - `path`: the file for `KR_ROLLING_INTERVAL_INFINITE`; else the pattern of the rolled files' names,
///   which tracing-appender builds as `<stem>.<UTC period>.<extension>` with the stem's trailing `-`, `_`
///   or `.` dropped: `logs/log-.txt` by day gives `logs/log.2026-11-29.txt` (hour `log.2026-11-29-08.txt`,
///   minute `log.2026-11-29-08-31.txt`). Directories are created.
/// - `output_template`: NULL = the default file template (as `kr_log_add_file_sink`).
/// - `rolling_interval`: a `KrRollingInterval`; `KR_ROLLING_INTERVAL_YEAR` and `_MONTH` are
///   `KR_INVALID_ARGUMENT` (not supported).
/// - `retained_file_count_limit`: rolled files kept, at least 1 (the oldest files of the folder whose
///   names start with the stem and end with the extension are deleted when a file is created); 0 = keep
///   all; ignored when not rolling; negative = `KR_INVALID_ARGUMENT`.
/// - `restricted_to_minimum_level`: a `KrLogLevel`, as for `kr_log_add_console_sink_template`.
///
/// `KR_INVALID_ARGUMENT` for a bad template or value, `KR_IO_ERROR` when the file cannot be opened; nothing
/// is added then.
///
/// # Safety
/// `path`: NUL-terminated UTF-8; `output_template`: NULL or NUL-terminated UTF-8; both borrowed for the
/// call only (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_log_add_file_sink_ex(
    path: *const c_char,
    output_template: *const c_char,
    rolling_interval: i32,
    retained_file_count_limit: i32,
    restricted_to_minimum_level: i32,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `path` is NULL or a NUL-terminated string valid for the call (contract above).
        let path = unsafe { str_arg(path, "path") }?;
        // SAFETY: `output_template` is NULL or a NUL-terminated string valid for the call (contract above).
        let template = unsafe { opt_str_arg(output_template, "output_template") }?;
        let retained = match retained_file_count_limit {
            0 => None,
            n if n > 0 => Some(n as usize),
            n => return Err(FfiError::invalid_argument(format!("retained_file_count_limit {n} is negative"))),
        };
        let mut options = FileSinkOptions {
            rolling_interval: to_rolling_interval(rolling_interval)?,
            retained_file_count_limit: retained,
            restricted_to_minimum_level: log_level(restricted_to_minimum_level)?,
            ..FileSinkOptions::new(path)
        };
        if let Some(template) = template {
            options.output_template = template.to_owned();
        }
        logging::add_file_sink_with(options)?;
        Ok(())
    }
}

/// Checks an output template without adding a sink: `KR_OK`, or `KR_INVALID_ARGUMENT` with a last error
/// naming the offending token (what the sink functions would report).
///
/// # Safety
/// `output_template`: NUL-terminated UTF-8, borrowed for the call only.
#[no_mangle]
pub unsafe extern "C" fn kr_log_check_template(output_template: *const c_char) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `output_template` is NULL or a NUL-terminated string valid for the call (contract above).
        let template = unsafe { str_arg(output_template, "output_template") }?;
        logging::check_template(template)?;
        Ok(())
    }
}

/// Sets the offset from UTC, in seconds, of the log timestamps (`{Timestamp}`): the host's local offset,
/// which the library cannot read safely in a multithreaded process. Until it is called the library uses
/// the local offset when the platform lets it read it safely (single-threaded process), else UTC.
/// Applies to the lines written from then on; `KR_INVALID_ARGUMENT` beyond ±25:59:59.
#[no_mangle]
pub extern "C" fn kr_log_set_utc_offset(offset_seconds: i32) -> KrStatus {
    ffi_boundary! {
        let offset = UtcOffset::from_whole_seconds(offset_seconds)
            .map_err(|_| FfiError::invalid_argument(format!("UTC offset {offset_seconds} s is out of range (±93599)")))?;
        logging::set_utc_offset(offset);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::{c_char, CStr};
    use std::ptr::null;

    use super::*;
    use crate::last_error::last_error;

    fn cs(s: &CStr) -> *const c_char {
        s.as_ptr()
    }

    fn fails(st: KrStatus, expected: KrStatus, message: &str) {
        assert_eq!(st, expected);
        let e = last_error();
        assert!(e.contains(message), "{e:?} lacks {message:?}");
    }

    // Only failing calls here: a sink added by a unit test would be shared with the tests running beside it.
    #[test]
    fn bad_templates_values_and_pointers_are_rejected() {
        use KrStatus::{KR_INVALID_ARGUMENT as INVALID, KR_NULL_ARGUMENT as NULL};
        // SAFETY: every pointer below is a NUL-terminated literal or NULL (which the functions check).
        unsafe {
            assert_eq!(
                kr_log_check_template(cs(c"[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}")),
                KrStatus::KR_OK
            );
            fails(kr_log_check_template(cs(c"{Level} {Nope}")), INVALID, "{Nope}: unknown token");
            fails(kr_log_check_template(null()), NULL, "output_template");
            fails(kr_log_add_console_sink_template(cs(c"{Message"), 0), INVALID, "unclosed '{'");
            fails(kr_log_add_console_sink_template(null(), 6), INVALID, "log level 6");
            let path = cs(c"/nonexistent-kr-dir/log-.txt");
            fails(kr_log_add_file_sink_ex(path, null(), 2, 0, 0), INVALID, "rolling interval Month is not supported");
            fails(kr_log_add_file_sink_ex(path, null(), 6, 0, 0), INVALID, "rolling interval 6");
            fails(kr_log_add_file_sink_ex(path, null(), 3, -1, 0), INVALID, "retained_file_count_limit -1");
            fails(kr_log_add_file_sink_ex(path, cs(c"{Level:x}"), 3, 0, 0), INVALID, "unsupported Level format");
            fails(kr_log_add_file_sink_ex(null(), null(), 0, 0, 0), NULL, "path");
        }
        fails(kr_log_set_utc_offset(26 * 3600), KrStatus::KR_INVALID_ARGUMENT, "out of range");
    }
}
