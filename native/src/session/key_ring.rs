//! The session cookie key ring kept in a shared store (ASP.NET Core's data-protection key ring, for
//! the session cookie): servers that share a distributed store and were given no secret
//! (`SessionOptions::cookie_key`) take their cookie keys from the store, so they read each other's
//! cookies, and cookies stay valid when every server restarts.
//!
//! - **Created once, atomically**: the first server finds no ring and stores one with a random key
//!   (a compare-and-set on the ring's JSON: `SessionBackend::swap_key_ring`); a server that loses the
//!   race reads the winner's ring and uses it.
//! - **Rotation**: a key seals new cookies for its lifetime (`SessionOptions::key_lifetime_seconds`,
//!   90 days by default, as ASP.NET Core). A server that starts when the newest key is older than that
//!   adds a new key (the same compare-and-set), and seals with it. Older keys stay in the ring to open
//!   the cookies they sealed for one more lifetime, then are dropped; a cookie opened with an older key
//!   is sealed again with the current one and sent back, so an active session moves to the new key.
//! - **Never logged**: only key ids and ages appear in logs; the ring's JSON holds the keys in base64.
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::cookie::Key;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};

use super::store::SessionBackend;
use crate::error::{Error, Result};

/// Bytes of a cookie key (signing + encryption halves, the cookie crate's `Key`).
const KEY_BYTES: usize = 64;
/// Attempts of the compare-and-set before giving up (another server keeps changing the ring).
const SWAP_ATTEMPTS: usize = 8;

/// One key of the ring.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct RingKey {
    pub(crate) id: u32,
    /// Seconds since the Unix epoch.
    pub(crate) created: u64,
    /// The 64 key bytes in base64.
    key: String,
}

impl std::fmt::Debug for RingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RingKey {{ id: {}, created: {} }}", self.id, self.created)
    }
}

impl RingKey {
    fn generate(id: u32, created: u64) -> RingKey {
        let mut bytes = [0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        RingKey { id, created, key: B64.encode(bytes) }
    }

    /// The cookie key.
    pub(crate) fn key(&self) -> Result<Key> {
        let bytes =
            B64.decode(&self.key).map_err(|e| Error::io(format!("session key {} is not base64: {e}", self.id)))?;
        if bytes.len() != KEY_BYTES {
            return Err(Error::io(format!("session key {} has {} bytes, not {KEY_BYTES}", self.id, bytes.len())));
        }
        Ok(Key::from(&bytes))
    }
}

/// The ring: its keys, oldest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct KeyRing {
    pub(crate) keys: Vec<RingKey>,
}

pub(crate) fn now_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl KeyRing {
    fn parse(json: &str) -> Result<KeyRing> {
        let mut ring: KeyRing = serde_json::from_str(json)
            .map_err(|e| Error::io(format!("the session key ring is not valid JSON: {e}")))?;
        ring.keys.sort_by_key(|k| (k.created, k.id));
        Ok(ring)
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The key that seals new cookies: the newest.
    pub(crate) fn current(&self) -> Option<&RingKey> {
        self.keys.last()
    }

    /// Whether the ring needs a new key at `now`: none yet, or the newest is older than `lifetime`.
    fn needs_key(&self, now: u64, lifetime: Duration) -> bool {
        self.current().is_none_or(|k| now.saturating_sub(k.created) >= lifetime.as_secs())
    }

    /// This ring with a new key (and without the keys that no cookie can still need: sealing ended
    /// more than one lifetime ago, i.e. created more than two lifetimes ago).
    fn rotated(&self, now: u64, lifetime: Duration) -> KeyRing {
        let horizon = now.saturating_sub(lifetime.as_secs().saturating_mul(2));
        let mut keys: Vec<RingKey> = self.keys.iter().filter(|k| k.created >= horizon).cloned().collect();
        let id = self.keys.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        keys.push(RingKey::generate(id, now));
        KeyRing { keys }
    }
}

/// Reads the ring from `backend`, creating it or adding a key when needed (see the module docs);
/// `Err` when the store cannot be reached or keeps changing under us.
pub(crate) async fn obtain(backend: &dyn SessionBackend, lifetime: Duration) -> Result<(KeyRing, bool)> {
    for _ in 0..SWAP_ATTEMPTS {
        let stored = backend.load_key_ring().await?;
        let ring = match &stored {
            Some(json) => KeyRing::parse(json)?,
            None => KeyRing::default(),
        };
        let now = now_seconds();
        if !ring.needs_key(now, lifetime) {
            return Ok((ring, false));
        }
        let next = ring.rotated(now, lifetime);
        if backend.swap_key_ring(stored, next.to_json()).await? {
            return Ok((next, true));
        }
        // Another server changed the ring first: read theirs.
    }
    Err(Error::io("the session key ring kept changing while this server tried to update it"))
}

/// Reads the ring without changing it (`None`: there is none yet).
pub(crate) async fn read(backend: &dyn SessionBackend) -> Result<Option<KeyRing>> {
    match backend.load_key_ring().await? {
        Some(json) => KeyRing::parse(&json).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::store::{BoxFuture, SessionState};
    use parking_lot::Mutex;
    use std::sync::Arc;

    /// A store that keeps only a key ring (compare-and-set under a mutex), yielding between the
    /// read and the write so that racing servers interleave.
    #[derive(Default)]
    struct RingStore {
        ring: Mutex<Option<String>>,
    }

    impl SessionBackend for RingStore {
        fn load<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<Option<SessionState>>> {
            Box::pin(async { Ok(None) })
        }
        fn save<'a>(&'a self, _: &'a str, _: SessionState, _: Duration) -> BoxFuture<'a, Result<()>> {
            Box::pin(async { Ok(()) })
        }
        fn update<'a>(&'a self, _: &'a str, _: SessionState, _: Duration) -> BoxFuture<'a, Result<()>> {
            Box::pin(async { Ok(()) })
        }
        fn update_ttl<'a>(&'a self, _: &'a str, _: Duration) -> BoxFuture<'a, Result<()>> {
            Box::pin(async { Ok(()) })
        }
        fn delete<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<()>> {
            Box::pin(async { Ok(()) })
        }
        fn keeps_key_ring(&self) -> bool {
            true
        }
        fn load_key_ring(&self) -> BoxFuture<'_, Result<Option<String>>> {
            let v = self.ring.lock().clone();
            Box::pin(async move {
                tokio::task::yield_now().await;
                Ok(v)
            })
        }
        fn swap_key_ring(&self, expected: Option<String>, new: String) -> BoxFuture<'_, Result<bool>> {
            Box::pin(async move {
                tokio::task::yield_now().await;
                let mut ring = self.ring.lock();
                if *ring == expected {
                    *ring = Some(new);
                    Ok(true)
                } else {
                    Ok(false)
                }
            })
        }
    }

    const DAY: Duration = Duration::from_secs(86_400);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn servers_racing_to_create_the_ring_all_get_the_same_key() {
        let store = Arc::new(RingStore::default());
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { obtain(store.as_ref(), 90 * DAY).await.unwrap() })
            })
            .collect();
        let mut created = 0;
        let mut ids = Vec::new();
        for t in tasks {
            let (ring, did_create) = t.await.unwrap();
            created += usize::from(did_create);
            assert_eq!(ring.keys.len(), 1);
            ids.push((ring.keys[0].id, ring.keys[0].key.clone()));
        }
        assert_eq!(created, 1, "exactly one server created the ring");
        ids.dedup();
        assert_eq!(ids.len(), 1, "every server uses the same key");
    }

    #[tokio::test]
    async fn rotation_adds_a_key_keeps_the_old_one_for_a_lifetime_then_drops_it() {
        let store = RingStore::default();
        let now = now_seconds();
        let old = KeyRing {
            keys: vec![RingKey::generate(1, now - 100 * DAY.as_secs()), RingKey::generate(2, now - 91 * DAY.as_secs())],
        };
        *store.ring.lock() = Some(old.to_json());
        let (ring, rotated) = obtain(&store, 90 * DAY).await.unwrap();
        assert!(rotated, "the newest key was older than its lifetime");
        let ids: Vec<u32> = ring.keys.iter().map(|k| k.id).collect();
        assert_eq!(ids, vec![1, 2, 3], "a new current key; the older ones still open their cookies");
        assert_eq!(ring.current().unwrap().id, 3);
        // Within the lifetime nothing changes.
        let (again, rotated) = obtain(&store, 90 * DAY).await.unwrap();
        assert!(!rotated);
        assert_eq!(again.current().unwrap().key, ring.current().unwrap().key);
        // Keys created more than two lifetimes ago go at the next rotation.
        let mut aged = again.clone();
        aged.keys[2].created = now - 11 * DAY.as_secs();
        *store.ring.lock() = Some(aged.to_json());
        let (pruned, rotated) = obtain(&store, 10 * DAY).await.unwrap();
        assert!(rotated);
        assert_eq!(pruned.keys.iter().map(|k| k.id).collect::<Vec<_>>(), vec![3, 4], "keys 1 and 2 are too old");
    }

    #[test]
    fn keys_are_never_shown() {
        let k = RingKey::generate(7, 1);
        let shown = format!("{:?}", KeyRing { keys: vec![k.clone()] });
        assert!(!shown.contains(&k.key), "{shown}");
        assert_eq!(k.key().unwrap().master().len(), 64);
    }
}
