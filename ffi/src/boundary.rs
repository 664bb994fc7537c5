//! The panic boundary: every `extern "C"` body runs inside `catch_unwind`.
//!
//! `ffi_boundary! { ...body returning FfiResult<()>... }` evaluates to a `KrStatus`: `KR_OK` for
//! `Ok(())`; for `Err(e)` the message is recorded as this thread's last error and `e.status`
//! returned; a panic becomes `KR_PANIC` with the panic message as last error.
//! `ffi_boundary! { keep_last_error; ... }` is the same except that an `Err` leaves the last error
//! alone (only `kr_last_error_message` uses it).
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use kestrun_native::panic_message;

use crate::last_error::set_last_error;
use crate::status::{FfiResult, KrStatus};

macro_rules! ffi_boundary {
    (keep_last_error; $($body:tt)*) => {
        $crate::boundary::guard_keep_last_error(move || -> $crate::status::FfiResult<()> { $($body)* })
    };
    ($($body:tt)*) => {
        $crate::boundary::guard(move || -> $crate::status::FfiResult<()> { $($body)* })
    };
}
pub(crate) use ffi_boundary;

/// Runs `body`, converting its result or panic into a status (recording the last error on failure).
pub(crate) fn guard<F: FnOnce() -> FfiResult<()>>(body: F) -> KrStatus {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => KrStatus::KR_OK,
        Ok(Err(e)) => {
            set_last_error(&e.message);
            e.status
        }
        Err(payload) => panicked(payload),
    }
}

/// Like [`guard`] but an `Err` does not touch the last error (used by `kr_last_error_message`).
pub(crate) fn guard_keep_last_error<F: FnOnce() -> FfiResult<()>>(body: F) -> KrStatus {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => KrStatus::KR_OK,
        Ok(Err(e)) => e.status,
        Err(payload) => panicked(payload),
    }
}

fn panicked(payload: Box<dyn Any + Send>) -> KrStatus {
    let detail = panic_message(payload.as_ref());
    set_last_error(&format!("panic: {detail}"));
    // Dropping a panic payload can itself panic (a payload with a panicking Drop): never let that out.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    KrStatus::KR_PANIC
}
