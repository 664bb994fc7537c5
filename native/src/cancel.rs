//! [`CancelToken`]: how the engine tells a running route callback that its request was given up
//! (the route's timeout elapsed and the client already got 504).
//!
//! A callback runs synchronously on a callback thread, so the engine cannot interrupt it; it can only
//! ask. The token is a flag the callback may poll ([`CancelToken::is_cancelled`]) plus at most one
//! hook a host registers for the duration of the callback ([`CancelToken::on_cancel`]) — e.g. the
//! PowerShell host calls `PowerShell.BeginStop()` on the pipeline running the script. The hook runs
//! on another thread than the callback's (never an actix worker), exactly once, and never after its
//! [`CancelRegistration`] was dropped: dropping the registration waits for a hook that is running.
//!
//! Routes without a timeout get an inert token (no allocation; never cancelled).
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::logging;
use crate::panics::panic_message;

type Hook = Box<dyn FnOnce() + Send + 'static>;

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    /// The registered hook; the lock is held while it runs (so a registration's drop waits for it).
    hook: Mutex<Option<(u64, Hook)>>,
    next_id: AtomicU64,
}

/// The cancellation state of one request (cheap to clone: all clones share it).
#[derive(Clone, Default)]
pub struct CancelToken(Option<Arc<Inner>>);

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field("active", &self.0.is_some())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Unregisters its hook when dropped (waiting for it if it is running right now).
#[must_use = "the hook is unregistered when the registration is dropped"]
pub struct CancelRegistration {
    token: Option<(Arc<Inner>, u64)>,
}

impl Drop for CancelRegistration {
    fn drop(&mut self) {
        if let Some((inner, id)) = self.token.take() {
            let mut hook = inner.hook.lock();
            if hook.as_ref().is_some_and(|(h, _)| *h == id) {
                *hook = None;
            }
        }
    }
}

fn run_hook(hook: Hook) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(hook)) {
        logging::error(&format!("a request's cancel hook panicked: {}", panic_message(payload.as_ref())));
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    }
}

impl CancelToken {
    /// A token that can be cancelled (routes with a timeout get one).
    pub fn new() -> CancelToken {
        CancelToken(Some(Arc::new(Inner::default())))
    }

    /// A token that is never cancelled (what requests of routes without a timeout carry).
    pub fn inert() -> CancelToken {
        CancelToken(None)
    }

    /// Whether the request was cancelled (its route timed out).
    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|i| i.cancelled.load(Ordering::Acquire))
    }

    /// Whether this token can ever be cancelled (false for routes without a timeout).
    pub fn can_be_cancelled(&self) -> bool {
        self.0.is_some()
    }

    /// Registers `hook` to run once when the request is cancelled, replacing any hook registered
    /// before. Already cancelled: `hook` runs now, on this thread. Dropping the registration
    /// unregisters the hook; if it is running on another thread at that moment, the drop waits for it.
    /// On an inert token nothing is registered.
    pub fn on_cancel(&self, hook: impl FnOnce() + Send + 'static) -> CancelRegistration {
        let Some(inner) = &self.0 else { return CancelRegistration { token: None } };
        let id = inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut slot = inner.hook.lock();
        if inner.cancelled.load(Ordering::Acquire) {
            // The canceller already ran (it takes the slot's lock): nobody else will run this hook.
            drop(slot);
            run_hook(Box::new(hook));
            return CancelRegistration { token: None };
        }
        *slot = Some((id, Box::new(hook)));
        CancelRegistration { token: Some((inner.clone(), id)) }
    }

    /// Cancels: sets the flag and runs the registered hook (if any) on this thread, holding the lock
    /// that a registration's drop takes. Idempotent.
    pub(crate) fn cancel(&self) {
        let Some(inner) = &self.0 else { return };
        let mut slot = inner.hook.lock();
        inner.cancelled.store(true, Ordering::Release);
        if let Some((_, hook)) = slot.take() {
            run_hook(hook);
        }
        drop(slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[test]
    fn inert_token_is_never_cancelled() {
        let t = CancelToken::inert();
        let reg = t.on_cancel(|| panic!("never runs"));
        t.cancel();
        assert!(!t.is_cancelled());
        assert!(!t.can_be_cancelled());
        drop(reg);
    }

    #[test]
    fn hook_runs_once_and_not_after_unregistering() {
        let n = Arc::new(AtomicUsize::new(0));
        let t = CancelToken::new();
        let n2 = n.clone();
        let reg = t.on_cancel(move || {
            n2.fetch_add(1, Ordering::SeqCst);
        });
        t.cancel();
        t.cancel();
        assert!(t.is_cancelled());
        assert_eq!(n.load(Ordering::SeqCst), 1);
        drop(reg);

        let t = CancelToken::new();
        let n3 = n.clone();
        drop(t.on_cancel(move || {
            n3.fetch_add(1, Ordering::SeqCst);
        }));
        t.cancel();
        assert_eq!(n.load(Ordering::SeqCst), 1, "unregistered hook never runs");

        // Registering on a cancelled token runs the hook at once.
        let n4 = n.clone();
        drop(t.on_cancel(move || {
            n4.fetch_add(1, Ordering::SeqCst);
        }));
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn dropping_the_registration_waits_for_a_running_hook() {
        let t = CancelToken::new();
        let done = Arc::new(AtomicBool::new(false));
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let d2 = done.clone();
        let reg = t.on_cancel(move || {
            entered_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(200));
            d2.store(true, Ordering::SeqCst);
        });
        let t2 = t.clone();
        let th = std::thread::spawn(move || t2.cancel());
        entered_rx.recv().unwrap();
        drop(reg);
        assert!(done.load(Ordering::SeqCst), "the drop returned before the hook finished");
        th.join().unwrap();
    }

    #[test]
    fn a_panicking_hook_is_contained() {
        let t = CancelToken::new();
        let _reg = t.on_cancel(|| panic!("hook panic"));
        t.cancel();
        assert!(t.is_cancelled());
    }
}
