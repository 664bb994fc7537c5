//! Process-wide logging (`kr_log_*`): no output until a sink is added.
use std::ffi::c_char;
use std::path::Path;

use kestrun_native::logging;

use crate::boundary::ffi_boundary;
use crate::enums::log_level;
use crate::status::KrStatus;
use crate::strings::str_arg;

/// Sets the minimum level written to the sinks (a `KrLogLevel`; else `KR_INVALID_ARGUMENT`).
#[no_mangle]
pub extern "C" fn kr_log_set_level(level: i32) -> KrStatus {
    ffi_boundary! {
        logging::set_level(log_level(level)?);
        Ok(())
    }
}

/// Adds a sink writing lines to stdout.
#[no_mangle]
pub extern "C" fn kr_log_add_console_sink() -> KrStatus {
    ffi_boundary! {
        logging::add_console_sink();
        Ok(())
    }
}

/// Adds a sink appending lines to the file `path` (directories are created); `KR_IO_ERROR` if it
/// cannot be opened.
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

/// Removes every sink, flushing and closing files.
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
