//! The per-session lock: requests of one session are processed one at a time.
//!
//! **Concurrency rule** (ASP.NET's classic exclusive session lock): when actix-session has opened
//! the session cookie and asks the store to load that session, the store adapter takes an async lock
//! for that session key and the request holds it across load → callback → commit. So concurrent
//! requests of one session see each other's writes (200 concurrent increments give exactly 200) and
//! a value is never torn, while requests of different sessions (or without a valid session cookie)
//! never wait for each other. The wait is bounded by the IO timeout. This lock is process-local; a
//! store shared by several processes adds its own (`SessionBackend::lock_and_load`).
//!
//! Locks live in a map of weak references; an entry is removed when the last holder / waiter of
//! that session's lock goes away, so the map only holds sessions with requests in flight.
use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// The lock map of one server.
#[derive(Default)]
pub(crate) struct SessionLocks {
    map: Mutex<HashMap<String, Weak<AsyncMutex<()>>>>,
}

/// Holds a session's lock; dropping it releases the lock and cleans the map up.
pub(crate) struct SessionLockGuard {
    guard: Option<OwnedMutexGuard<()>>,
    locks: Arc<SessionLocks>,
    key: String,
}

impl SessionLocks {
    /// Waits for and takes the lock of session `key`.
    #[cfg(test)]
    pub(crate) async fn lock(self: &Arc<Self>, key: &str) -> SessionLockGuard {
        loop {
            if let Some(guard) = self.lock_within(key, std::time::Duration::from_secs(3600)).await {
                return guard;
            }
        }
    }

    /// Takes the lock of session `key`, waiting at most `wait` for it; `None` if it stayed held that
    /// long (the uncontended case arms no timer).
    pub(crate) async fn lock_within(self: &Arc<Self>, key: &str, wait: Duration) -> Option<SessionLockGuard> {
        let mutex = {
            let mut map = self.map.lock();
            match map.get(key).and_then(Weak::upgrade) {
                Some(m) => m,
                None => {
                    let m = Arc::new(AsyncMutex::new(()));
                    map.insert(key.to_string(), Arc::downgrade(&m));
                    m
                }
            }
        };
        let guard = match mutex.clone().try_lock_owned() {
            Ok(g) => Some(g),
            Err(_) => tokio::time::timeout(wait, mutex.clone().lock_owned()).await.ok(),
        };
        drop(mutex);
        // Built even on a timeout: dropping it cleans the map entry up if nobody else uses it.
        let guard = SessionLockGuard { guard, locks: Arc::clone(self), key: key.to_string() };
        guard.guard.is_some().then_some(guard)
    }

    /// Number of sessions with a lock entry (requests in flight).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.lock().len()
    }
}

impl Drop for SessionLockGuard {
    fn drop(&mut self) {
        // Release the lock (and this holder's strong reference) first.
        drop(self.guard.take());
        let mut map = self.locks.map.lock();
        if map.get(&self.key).is_some_and(|w| w.strong_count() == 0) {
            map.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn serializes_one_key_and_cleans_up() {
        let locks = Arc::new(SessionLocks::default());
        let g1 = locks.lock("a").await;
        // Another key is independent.
        let g2 = tokio::time::timeout(Duration::from_secs(5), locks.lock("b")).await.expect("b not blocked");
        // Same key waits.
        let l2 = locks.clone();
        let waiter = tokio::spawn(async move {
            let _g = l2.lock("a").await;
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished());
        drop(g1);
        tokio::time::timeout(Duration::from_secs(5), waiter).await.unwrap().unwrap();
        drop(g2);
        assert_eq!(locks.len(), 0, "map cleaned up");
        // A bounded wait gives up while the lock is held, and cleans up after itself.
        let g3 = locks.lock("c").await;
        assert!(locks.lock_within("c", Duration::from_millis(50)).await.is_none());
        assert_eq!(locks.len(), 1);
        drop(g3);
        assert_eq!(locks.len(), 0, "map cleaned up after a timed-out wait");
        let g4 = locks.lock_within("c", Duration::from_millis(50)).await;
        assert!(g4.is_some(), "free again");
    }
}
