//! [`ThreadTracker`]: waits for threads the engine does not spawn itself (actix-server's worker
//! threads) to finish.
//!
//! actix-server does not join its worker threads on stop. Each worker thread registers itself with
//! its server's tracker the first time it builds the app; a thread-local guard unregisters it in the
//! thread's TLS destructors, i.e. after its runtime and all its services were dropped, as the very
//! last thing before the thread exits. `Server::stop` waits for the count to reach zero.
use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// Counts live registered threads.
#[derive(Default)]
pub(crate) struct ThreadTracker {
    live: Mutex<usize>,
    cv: Condvar,
}

struct Registration(Arc<ThreadTracker>);

impl Drop for Registration {
    fn drop(&mut self) {
        let mut live = self.0.live.lock();
        *live = live.saturating_sub(1);
        self.0.cv.notify_all();
    }
}

thread_local! {
    static REGISTRATIONS: RefCell<Vec<Registration>> = const { RefCell::new(Vec::new()) };
}

impl ThreadTracker {
    /// Registers the calling thread (once per tracker).
    pub(crate) fn register_current_thread(self: &Arc<Self>) {
        let _ = REGISTRATIONS.try_with(|regs| {
            let mut regs = regs.borrow_mut();
            if regs.iter().any(|r| Arc::ptr_eq(&r.0, self)) {
                return;
            }
            *self.live.lock() += 1;
            regs.push(Registration(Arc::clone(self)));
        });
    }

    /// Number of registered threads still alive.
    pub(crate) fn live(&self) -> usize {
        *self.live.lock()
    }

    /// Waits until every registered thread exited; false on timeout.
    pub(crate) fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut live = self.live.lock();
        while *live > 0 {
            if self.cv.wait_until(&mut live, deadline).timed_out() {
                return *live == 0;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_thread_exit() {
        let t = Arc::new(ThreadTracker::default());
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let t2 = t.clone();
        let th = std::thread::spawn(move || {
            t2.register_current_thread();
            t2.register_current_thread();
            rx.recv().ok();
        });
        while t.live() == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(t.live(), 1);
        assert!(!t.wait_idle(Duration::from_millis(20)));
        tx.send(()).unwrap();
        assert!(t.wait_idle(Duration::from_secs(10)));
        th.join().unwrap();
    }
}
