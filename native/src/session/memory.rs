//! [`MemoryBackend`]: the default, in-process session store, on moka's cache.
//!
//! - **Idle expiry**: every entry carries the idle timeout it was stored with; creating, reading
//!   and updating it moves its expiry to that long from now (moka's per-entry [`Expiry`]). An
//!   expired entry is never returned; moka removes it (and [`MemoryBackend::sweep_expired`], which
//!   the server runs periodically, makes it do so promptly).
//! - **Bounded, and a flood cannot push users out**: at most `max_sessions` sessions. When the
//!   store is full, a new session is admitted only if it is used more often than the least recently
//!   used session it would replace (moka's TinyLFU admission, with frequencies counted per key on
//!   every read and write). So cookie-less requests that each start a new session cannot evict
//!   sessions in use: they are refused instead, and [`SessionBackend::save`] says so with an error,
//!   which the engine answers with 503 (the new session was not stored). Refusals are counted and
//!   logged at most once per interval.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::sync::Cache;
use moka::Expiry;
use parking_lot::Mutex;

use super::store::{BoxFuture, SessionBackend, SessionState};
use crate::error::{Error, Result};
use crate::logging;

/// At most one "store is full" line per interval.
const FULL_REPORT_INTERVAL: Duration = Duration::from_secs(10);

/// One session: its state as `(key, value)` pairs and the idle timeout it slides by.
struct Entry {
    state: Box<[(Box<str>, Box<str>)]>,
    ttl: Duration,
}

/// Every access moves an entry's expiry to its idle timeout from now.
struct SlidingExpiry;

impl Expiry<String, Arc<Entry>> for SlidingExpiry {
    fn expire_after_create(&self, _key: &String, value: &Arc<Entry>, _created_at: Instant) -> Option<Duration> {
        Some(value.ttl)
    }

    fn expire_after_read(
        &self,
        _key: &String,
        value: &Arc<Entry>,
        _read_at: Instant,
        _duration_until_expiry: Option<Duration>,
        _last_modified_at: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &String,
        value: &Arc<Entry>,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// In-memory session store with sliding idle expiry and frequency-based admission (see the module docs).
pub struct MemoryBackend {
    cache: Cache<String, Arc<Entry>>,
    capacity: u64,
    /// New sessions refused because the store was full, not yet logged.
    refused: AtomicU64,
    /// New sessions refused because the store was full, in all.
    refused_all: AtomicU64,
    last_full_report: Mutex<Option<Instant>>,
}

impl MemoryBackend {
    /// A store holding at most `max_entries` sessions (at least 1).
    pub fn new(max_entries: u64) -> MemoryBackend {
        let capacity = max_entries.max(1);
        let cache = Cache::builder().max_capacity(capacity).expire_after(SlidingExpiry).build();
        MemoryBackend {
            cache,
            capacity,
            refused: AtomicU64::new(0),
            refused_all: AtomicU64::new(0),
            last_full_report: Mutex::new(None),
        }
    }

    /// The bound on the number of sessions.
    pub fn capacity(&self) -> usize {
        usize::try_from(self.capacity).unwrap_or(usize::MAX)
    }

    /// Number of sessions held (after pending maintenance; expired ones may still count until swept).
    pub fn len(&self) -> usize {
        self.cache.run_pending_tasks();
        usize::try_from(self.cache.entry_count()).unwrap_or(usize::MAX)
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes expired sessions now (moka also does it as it goes); returns how many went.
    pub fn sweep_expired(&self) -> usize {
        self.report_refusals();
        let before = self.cache.entry_count();
        self.cache.run_pending_tasks();
        usize::try_from(before.saturating_sub(self.cache.entry_count())).unwrap_or(0)
    }

    /// New sessions refused because the store was full, since the store was made.
    pub fn refused_total(&self) -> u64 {
        self.refused_all.load(Ordering::Relaxed)
    }

    fn load_sync(&self, key: &str) -> Option<SessionState> {
        let entry = self.cache.get(key)?;
        Some(entry.state.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    fn entry(state: SessionState, ttl: Duration) -> Arc<Entry> {
        let state = state.into_iter().map(|(k, v)| (k.into_boxed_str(), v.into_boxed_str())).collect();
        Arc::new(Entry { state, ttl })
    }

    /// Stores a new session; `Err` when the store is full and did not admit it.
    fn save_sync(&self, key: &str, state: SessionState, ttl: Duration) -> Result<()> {
        self.cache.insert(key.to_string(), Self::entry(state, ttl));
        // Admission is decided by moka's maintenance; near the bound, run it now to know the outcome.
        if self.cache.entry_count().saturating_add(self.capacity / 8 + 64) < self.capacity {
            return Ok(());
        }
        self.cache.run_pending_tasks();
        if self.cache.contains_key(key) {
            return Ok(());
        }
        self.note_refused();
        // Not an outage (the store answers; it refuses): `InvalidState`, not `Io`.
        Err(Error::invalid_state(format!(
            "the in-memory session store is full ({} sessions in use; raise -MaxSessions): the new session was not admitted",
            self.capacity
        )))
    }

    fn note_refused(&self) {
        self.refused_all.fetch_add(1, Ordering::Relaxed);
        self.refused.fetch_add(1, Ordering::Relaxed);
        self.report_refusals();
    }

    /// Logs the new sessions refused since the last line, at most once per interval (the server's
    /// periodic sweep calls it too, so the count of a flood that ended is logged).
    pub fn report_refusals(&self) {
        if self.refused.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut last = self.last_full_report.lock();
        if last.is_some_and(|at| at.elapsed() < FULL_REPORT_INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
        let n = self.refused.swap(0, Ordering::Relaxed);
        drop(last);
        logging::warn(&format!(
            "session store full ({} sessions in use): {n} new session(s) refused since the last report; sessions in use are kept",
            self.capacity
        ));
    }

    /// Replaces the state of a session (stored again if it vanished).
    fn update_sync(&self, key: &str, state: SessionState, ttl: Duration) {
        self.cache.insert(key.to_string(), Self::entry(state, ttl));
    }
}

impl SessionBackend for MemoryBackend {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionState>>> {
        let r = self.load_sync(key);
        Box::pin(async move { Ok(r) })
    }

    fn save<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let r = self.save_sync(key, state, ttl);
        Box::pin(async move { r })
    }

    fn update<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        self.update_sync(key, state, ttl);
        Box::pin(async { Ok(()) })
    }

    fn update_ttl<'a>(&'a self, key: &'a str, _ttl: Duration) -> BoxFuture<'a, Result<()>> {
        // A read slides the expiry.
        let _ = self.cache.get(key);
        Box::pin(async { Ok(()) })
    }

    /// Reading slides the expiry: the same as `load`.
    fn load_and_touch<'a>(&'a self, key: &'a str, _ttl: Duration) -> BoxFuture<'a, Result<Option<SessionState>>> {
        self.load(key)
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        self.cache.invalidate(key);
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(k: &str, v: &str) -> SessionState {
        [(k.to_string(), v.to_string())].into_iter().collect()
    }

    #[test]
    fn save_load_update_delete() {
        let m = MemoryBackend::new(10);
        let ttl = Duration::from_secs(60);
        assert!(m.load_sync("k").is_none());
        m.save_sync("k", state("a", "1"), ttl).unwrap();
        assert_eq!(m.load_sync("k").unwrap()["a"], "1");
        m.update_sync("k", state("a", "2"), ttl);
        assert_eq!(m.load_sync("k").unwrap()["a"], "2");
        assert_eq!(m.len(), 1);
        m.cache.invalidate("k");
        assert!(m.load_sync("k").is_none());
    }

    #[test]
    fn idle_expiry_slides_on_every_read() {
        let m = MemoryBackend::new(10);
        m.save_sync("k", state("a", "1"), Duration::from_millis(300)).unwrap();
        m.save_sync("short", state("a", "1"), Duration::from_millis(30)).unwrap();
        for _ in 0..5 {
            std::thread::sleep(Duration::from_millis(100));
            assert!(m.load_sync("k").is_some(), "read within the idle timeout each time");
        }
        assert!(m.load_sync("short").is_none(), "expired entries are never returned");
        std::thread::sleep(Duration::from_millis(400));
        assert!(m.load_sync("k").is_none(), "idle longer than its timeout: gone, not revived by the read");
        // moka's timer wheel removes expired entries with a granularity of about one second.
        std::thread::sleep(Duration::from_millis(1500));
        m.sweep_expired();
        assert_eq!(m.len(), 0);
    }

    #[test]
    fn a_flood_of_new_sessions_does_not_push_out_sessions_in_use() {
        let cap = 2000u64;
        let m = MemoryBackend::new(cap);
        let ttl = Duration::from_secs(600);
        let users: Vec<String> = (0..50).map(|i| format!("user{i:03}")).collect();
        for u in &users {
            m.save_sync(u, state("n", "0"), ttl).unwrap();
        }
        for _ in 0..3 {
            for u in &users {
                assert!(m.load_sync(u).is_some());
            }
        }
        let mut refused = 0;
        for i in 0..12_000 {
            if m.save_sync(&format!("flood{i:06}"), state("n", "0"), ttl).is_err() {
                refused += 1;
            }
            // The users stay active during the flood.
            if i % 100 == 0 {
                for u in &users {
                    m.load_sync(u);
                }
            }
        }
        let kept = users.iter().filter(|u| m.load_sync(u).is_some()).count();
        assert_eq!(kept, 50, "every active user keeps their session");
        assert!(m.len() <= cap as usize, "bounded: {} > {cap}", m.len());
        assert!(refused >= 12_000 - cap as usize, "the flood beyond the bound was refused ({refused})");
        assert_eq!(m.refused_total(), refused as u64);
    }
}
