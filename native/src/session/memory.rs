//! [`MemoryBackend`]: the default, in-process session store.
//!
//! - Idle expiry: an entry whose TTL elapsed is never returned again (checked on every read) and is
//!   removed by [`MemoryBackend::sweep_expired`], which the server runs periodically.
//! - Bounded: at most `max_entries` sessions. A new session arriving when the store is full evicts
//!   the soonest-expiring entry (= least recently used, since every request slides the TTL): exactly
//!   in small shards, among a random sample in large ones (expired entries are taken first).
//! - Compact: an entry is its key, a boxed slice of `(key, value)` pairs and an expiry stamp
//!   (~ 250 bytes for a small session).
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use parking_lot::Mutex;
use rand::Rng as _;

use super::store::{BoxFuture, SessionBackend, SessionState};
use crate::error::Result;

/// Shards are used only for large stores; small ones use one shard (exact LRU eviction).
const SHARDS_LARGE: usize = 16;
const LARGE_STORE: u64 = 16 * 1024;
/// Shards up to this size are scanned fully when evicting; larger ones are sampled.
const EXACT_EVICTION_MAX: usize = 64;
const EVICTION_SAMPLES: usize = 16;

struct Entry {
    state: Box<[(Box<str>, Box<str>)]>,
    /// Expiry in microseconds since the store's epoch.
    expires_at: u64,
}

struct Shard {
    map: IndexMap<Box<str>, Entry>,
    /// Last "now" handed out in this shard: stamps are strictly increasing so ties never happen.
    last_now: u64,
}

/// In-memory session store with idle expiry and a bounded entry count.
pub struct MemoryBackend {
    shards: Box<[Mutex<Shard>]>,
    per_shard_max: usize,
    hasher: RandomState,
    epoch: Instant,
}

impl MemoryBackend {
    /// A store holding at most `max_entries` sessions (at least 1).
    pub fn new(max_entries: u64) -> MemoryBackend {
        let max_entries = max_entries.max(1);
        let shard_count = if max_entries >= LARGE_STORE { SHARDS_LARGE } else { 1 };
        let per_shard_max = usize::try_from(max_entries / shard_count as u64).unwrap_or(usize::MAX).max(1);
        let shards = (0..shard_count)
            .map(|_| Mutex::new(Shard { map: IndexMap::new(), last_now: 0 }))
            .collect::<Vec<_>>()
            .into_boxed_slice();
        MemoryBackend { shards, per_shard_max, hasher: RandomState::new(), epoch: Instant::now() }
    }

    /// The bound on the number of sessions.
    pub fn capacity(&self) -> usize {
        self.per_shard_max * self.shards.len()
    }

    /// Number of entries held (expired ones not yet swept included).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().map.len()).sum()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every expired entry; returns how many were removed.
    pub fn sweep_expired(&self) -> usize {
        let now = self.now_us();
        let mut removed = 0;
        for shard in self.shards.iter() {
            let mut shard = shard.lock();
            let before = shard.map.len();
            shard.map.retain(|_, e| e.expires_at > now);
            removed += before - shard.map.len();
            if shard.map.capacity() > 64 && shard.map.len() < shard.map.capacity() / 4 {
                shard.map.shrink_to_fit();
            }
        }
        removed
    }

    fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn shard(&self, key: &str) -> &Mutex<Shard> {
        if self.shards.len() == 1 {
            return &self.shards[0];
        }
        let h = self.hasher.hash_one(key);
        &self.shards[(h % self.shards.len() as u64) as usize]
    }

    fn expiry(&self, shard: &mut Shard, ttl: Duration) -> u64 {
        let now = self.now_us().max(shard.last_now + 1);
        shard.last_now = now;
        now.saturating_add(u64::try_from(ttl.as_micros()).unwrap_or(u64::MAX))
    }

    fn compact(state: SessionState) -> Box<[(Box<str>, Box<str>)]> {
        state.into_iter().map(|(k, v)| (k.into_boxed_str(), v.into_boxed_str())).collect::<Vec<_>>().into_boxed_slice()
    }

    /// The live state at `key`; with `slide`, its expiry is also moved to `slide` from now (the sliding
    /// idle timeout). An expired entry is removed, never revived.
    fn load_sync(&self, key: &str, slide: Option<Duration>) -> Option<SessionState> {
        let now = self.now_us();
        let mut shard = self.shard(key).lock();
        let expires_at = slide.map(|ttl| self.expiry(&mut shard, ttl));
        match shard.map.get_mut(key) {
            None => None,
            Some(e) if e.expires_at > now => {
                if let Some(expires_at) = expires_at {
                    e.expires_at = expires_at;
                }
                Some(e.state.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
            }
            Some(_) => {
                shard.map.swap_remove(key);
                None
            }
        }
    }

    fn store_sync(&self, key: &str, state: SessionState, ttl: Duration) {
        let state = Self::compact(state);
        let mut shard = self.shard(key).lock();
        let expires_at = self.expiry(&mut shard, ttl);
        if let Some(e) = shard.map.get_mut(key) {
            e.state = state;
            e.expires_at = expires_at;
            return;
        }
        if shard.map.len() >= self.per_shard_max {
            self.evict_one(&mut shard);
        }
        shard.map.insert(key.into(), Entry { state, expires_at });
    }

    /// Evicts the soonest-expiring entry (expired entries expire soonest).
    fn evict_one(&self, shard: &mut Shard) {
        let len = shard.map.len();
        if len == 0 {
            return;
        }
        let victim = if len <= EXACT_EVICTION_MAX {
            (0..len).min_by_key(|&i| shard.map[i].expires_at)
        } else {
            let mut rng = rand::rng();
            (0..EVICTION_SAMPLES).map(|_| rng.random_range(0..len)).min_by_key(|&i| shard.map[i].expires_at)
        };
        if let Some(i) = victim {
            shard.map.swap_remove_index(i);
        }
    }

    fn touch_sync(&self, key: &str, ttl: Duration) {
        let now = self.now_us();
        let mut shard = self.shard(key).lock();
        let expires_at = self.expiry(&mut shard, ttl);
        if let Some(e) = shard.map.get_mut(key) {
            if e.expires_at > now {
                e.expires_at = expires_at;
            }
        }
    }

    fn delete_sync(&self, key: &str) {
        self.shard(key).lock().map.swap_remove(key);
    }
}

impl SessionBackend for MemoryBackend {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionState>>> {
        let r = self.load_sync(key, None);
        Box::pin(async move { Ok(r) })
    }

    fn save<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        self.store_sync(key, state, ttl);
        Box::pin(async { Ok(()) })
    }

    fn update<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        self.store_sync(key, state, ttl);
        Box::pin(async { Ok(()) })
    }

    fn update_ttl<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        self.touch_sync(key, ttl);
        Box::pin(async { Ok(()) })
    }

    fn load_and_touch<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<SessionState>>> {
        let r = self.load_sync(key, Some(ttl));
        Box::pin(async move { Ok(r) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        self.delete_sync(key);
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
        assert!(m.load_sync("k", None).is_none());
        m.store_sync("k", state("a", "1"), ttl);
        assert_eq!(m.load_sync("k", None).unwrap()["a"], "1");
        m.store_sync("k", state("a", "2"), ttl);
        assert_eq!(m.load_sync("k", None).unwrap()["a"], "2");
        assert_eq!(m.len(), 1);
        m.delete_sync("k");
        assert!(m.load_sync("k", None).is_none());
        m.delete_sync("k");
    }

    #[test]
    fn expired_unreadable_then_swept() {
        let m = MemoryBackend::new(10);
        m.store_sync("short", state("a", "1"), Duration::from_millis(30));
        m.store_sync("long", state("a", "1"), Duration::from_secs(60));
        m.store_sync("short2", state("a", "1"), Duration::from_millis(30));
        std::thread::sleep(Duration::from_millis(100));
        assert!(m.load_sync("short", None).is_none(), "expired entries are unreadable at once");
        assert_eq!(m.len(), 2, "read removed it");
        m.touch_sync("short2", Duration::from_secs(60));
        assert_eq!(m.sweep_expired(), 1, "an expired entry cannot be revived by a touch");
        assert!(m.load_sync("short2", None).is_none());
        assert_eq!(m.len(), 1);
        assert!(m.load_sync("long", None).is_some());
    }

    #[test]
    fn sliding_ttl() {
        let m = MemoryBackend::new(10);
        m.store_sync("k", state("a", "1"), Duration::from_millis(300));
        for _ in 0..4 {
            std::thread::sleep(Duration::from_millis(100));
            m.touch_sync("k", Duration::from_millis(300));
        }
        assert!(m.load_sync("k", None).is_some(), "touched within the TTL each time");
        for _ in 0..4 {
            std::thread::sleep(Duration::from_millis(100));
            assert!(m.load_sync("k", Some(Duration::from_millis(300))).is_some());
        }
        assert!(m.load_sync("k", None).is_some(), "loads slide the TTL too");
        std::thread::sleep(Duration::from_millis(400));
        assert!(m.load_sync("k", Some(Duration::from_millis(300))).is_none(), "an expired entry is not revived");
        assert_eq!(m.len(), 0);
    }

    #[test]
    fn bounded_evicts_soonest_expiring() {
        let m = MemoryBackend::new(3);
        let ttl = Duration::from_secs(60);
        m.store_sync("a", state("x", "1"), ttl);
        m.store_sync("b", state("x", "1"), ttl);
        m.store_sync("c", state("x", "1"), ttl);
        m.touch_sync("a", ttl); // a is now the most recently used
        m.store_sync("d", state("x", "1"), ttl);
        assert_eq!(m.len(), 3);
        assert!(m.load_sync("b", None).is_none(), "least recently used evicted");
        assert!(m.load_sync("a", None).is_some());
        assert!(m.load_sync("c", None).is_some());
        assert!(m.load_sync("d", None).is_some());
        // Updating an existing key never evicts.
        m.store_sync("c", state("x", "2"), ttl);
        assert_eq!(m.len(), 3);
        assert!(m.load_sync("a", None).is_some() && m.load_sync("d", None).is_some());
    }

    #[test]
    fn bounded_large_store() {
        let m = MemoryBackend::new(LARGE_STORE);
        assert!(m.capacity() <= LARGE_STORE as usize);
        let ttl = Duration::from_secs(60);
        for i in 0..(LARGE_STORE as usize + 1000) {
            m.store_sync(&format!("key{i}"), state("x", "1"), ttl);
        }
        assert!(m.len() <= LARGE_STORE as usize);
        assert!(m.len() >= LARGE_STORE as usize - SHARDS_LARGE * 200, "most of the capacity is used");
        assert!(m.load_sync(&format!("key{}", LARGE_STORE as usize + 999), None).is_some(), "newest kept");
    }
}
