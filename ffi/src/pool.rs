//! The callback pool of a server: its bounds (`kr_server_set_callback_thread_limits`), the idle time
//! after which threads above the minimum are released, the thread-exit callback hosts use to release
//! per-thread state, and a statistics snapshot (`kr_server_callback_pool_stats`).
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kestrun_native::CallbackPoolStats;

use crate::boundary::ffi_boundary;
use crate::handles::{server_ref, KrServer};
use crate::routes::KrFreeCallback;
use crate::status::KrStatus;
use crate::strings::write_out;

/// Runs on a callback thread of the server, on that thread, right before it exits (released after
/// being idle, or at stop), after its last route callback returned. Hosts release per-thread state
/// here (the PowerShell module disposes the runspace the thread opened).
pub type KrThreadExitCallback = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// A snapshot of a server's callback pool. Fields are only ever appended.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct KrCallbackPoolStats {
    /// The configured minimum (threads started with the server and kept).
    pub min_threads: u64,
    /// The configured maximum.
    pub max_threads: u64,
    /// Callback threads alive now (0 while stopped).
    pub threads: u64,
    /// Of those, the ones running a callback.
    pub busy: u64,
    /// Requests waiting for a free callback thread.
    pub queued: u64,
    /// Most threads alive at once since the start.
    pub peak_threads: u64,
    /// Threads started since the start (the minimum included).
    pub threads_started: u64,
    /// Threads released because they were not needed (not counting those ended by a stop).
    pub threads_released: u64,
    /// Requests answered 504 because their route's timeout elapsed, since the start.
    pub timed_out: u64,
}

impl From<CallbackPoolStats> for KrCallbackPoolStats {
    fn from(s: CallbackPoolStats) -> Self {
        KrCallbackPoolStats {
            min_threads: s.min_threads as u64,
            max_threads: s.max_threads as u64,
            threads: s.threads as u64,
            busy: s.busy as u64,
            queued: s.queued as u64,
            peak_threads: s.peak_threads as u64,
            threads_started: s.threads_started,
            threads_released: s.threads_released,
            timed_out: s.timed_out,
        }
    }
}

/// Sets the callback pool's bounds, each 1..=1024; 0 keeps a bound as it is. `min` threads start with
/// the server and stay; the pool grows up to `max` while callbacks are busy: a request that waited
/// 5 ms without any callback finishing gets a new thread (one per 5 ms), in a queue that moves only
/// one that waited 500 ms (one per 500 ms). When only one bound is given and it crosses the
/// other, the other follows it. Defaults: min 2 × cores, max max(32, 4 × cores). `min > max` (both
/// given), or a bound above 1024 → `KR_INVALID_ARGUMENT`; a running server → `KR_INVALID_STATE`.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_callback_thread_limits(server: *mut KrServer, min: u32, max: u32) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        srv.set_callback_thread_limits((min != 0).then_some(min), (max != 0).then_some(max))?;
        Ok(())
    }
}

/// Sets how long callback threads above the minimum may go unused before they are released
/// (default 60000 ms; 0 → `KR_INVALID_ARGUMENT`). The pool is back at its minimum within one to two
/// such periods after a burst.
///
/// `server`: a handle from `kr_server_new` (not dereferenced).
#[no_mangle]
pub extern "C" fn kr_server_set_callback_idle_timeout_ms(server: *mut KrServer, ms: u32) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        srv.set_callback_idle_timeout(Duration::from_millis(ms.into()))?;
        Ok(())
    }
}

/// A C thread-exit callback, its `user_data` (kept as an address so the struct is `Send + Sync`) and
/// the finalizer, run exactly once on drop when `armed`.
struct CThreadExit {
    callback: unsafe extern "C" fn(*mut c_void),
    user_data: usize,
    free_user_data: KrFreeCallback,
    /// Set once the hook was installed: before that, the caller still owns `user_data`.
    armed: Arc<AtomicBool>,
}

impl CThreadExit {
    fn call(&self) {
        // SAFETY: the caller of kr_server_set_thread_exit_callback guaranteed `callback` may be called from
        // any callback thread with this user_data until the finalizer ran (which only happens once this
        // struct is dropped).
        unsafe { (self.callback)(self.user_data as *mut c_void) }
    }
}

impl Drop for CThreadExit {
    fn drop(&mut self) {
        if let Some(free) = self.free_user_data.take() {
            if self.armed.load(Ordering::Acquire) {
                // SAFETY: the finalizer given to kr_server_set_thread_exit_callback, called exactly once
                // (taken above) with the user_data it was registered with.
                unsafe { free(self.user_data as *mut c_void) }
            }
        }
    }
}

/// Sets the callback every callback thread of the server runs on itself right before it exits
/// (released after being idle, or at stop), after its last route callback; NULL `callback` removes it.
/// Only while the server is stopped (`KR_INVALID_STATE` while running).
///
/// Ownership of `user_data`: on `KR_OK` with a callback the server owns it and calls
/// `free_user_data(user_data)` exactly once, when the callback is replaced or removed, or the server is
/// freed — after the last thread that could run it exited. Otherwise the caller keeps it and
/// `free_user_data` is never called.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `callback`: NULL, or callable from any callback thread of the server until `free_user_data` ran /
///   the server is freed.
/// - `user_data`: opaque, never dereferenced by the library.
/// - `free_user_data`: NULL or a function callable once from any thread.
#[no_mangle]
pub unsafe extern "C" fn kr_server_set_thread_exit_callback(
    server: *mut KrServer,
    callback: KrThreadExitCallback,
    user_data: *mut c_void,
    free_user_data: KrFreeCallback,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        let Some(callback) = callback else {
            srv.set_callback_thread_exit_hook(None)?;
            return Ok(());
        };
        let armed = Arc::new(AtomicBool::new(false));
        let exit = CThreadExit { callback, user_data: user_data as usize, free_user_data, armed: armed.clone() };
        // A method call: the closure owns the whole struct (its finalizer runs when the hook is dropped).
        let hook = move || exit.call();
        srv.set_callback_thread_exit_hook(Some(Arc::new(hook)))?;
        armed.store(true, Ordering::Release);
        Ok(())
    }
}

/// `*out` = a snapshot of the server's callback pool (bounds while stopped; live counts while running).
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `out`: non-NULL, writable `KrCallbackPoolStats`, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_server_callback_pool_stats(
    server: *mut KrServer,
    out: *mut KrCallbackPoolStats,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        // SAFETY: `out` is NULL or valid for writes (contract above).
        unsafe { write_out(out, "out", || Ok(srv.callback_pool_stats().into())) }
    }
}
