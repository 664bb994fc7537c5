//! The per-session lock: requests of one session are processed one at a time.
//!
//! **Concurrency rule** (ASP.NET's classic exclusive session lock): an outer middleware, placed
//! around actix-session's `SessionMiddleware`, decrypts the session cookie with the server's key
//! (the cookie crate's private jar, exactly as actix-session does) and, when it names a session,
//! holds an async lock for that session key across load → callback → commit. So concurrent requests
//! of one session see each other's writes (200 concurrent increments give exactly 200) and a value is
//! never torn, while requests of different sessions (or without a valid session cookie) never wait
//! for each other. The lock is process-local: across processes sharing a store the rule is
//! last-writer-wins per session.
//!
//! Locks live in a map of weak references; an entry is removed when the last holder / waiter of
//! that session's lock goes away, so the map only holds sessions with requests in flight.
use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::cookie::Key;
use actix_web::dev::ServiceRequest;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
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

/// Opens the session cookie's value the way the cookie crate's private jar does (what actix-session
/// uses): base64 (standard, canonical padding) of a 12-byte nonce followed by the AES-256-GCM
/// ciphertext and tag, the cookie name as associated data. Built once per server: the private jar
/// expands the AES key on every read.
pub(crate) struct CookieOpener {
    cipher: Aes256Gcm,
}

const NONCE_LEN: usize = 12;

impl CookieOpener {
    pub(crate) fn new(key: &Key) -> CookieOpener {
        CookieOpener { cipher: Aes256Gcm::new(GenericArray::from_slice(key.encryption())) }
    }

    /// The plaintext of `value` sealed for the cookie `name`; `None` if it does not open.
    pub(crate) fn open(&self, name: &str, value: &str) -> Option<String> {
        let data = B64.decode(value).ok()?;
        if data.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, msg) = data.split_at(NONCE_LEN);
        let plain = self.cipher.decrypt(GenericArray::from_slice(nonce), Payload { msg, aad: name.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// The session key carried by the request's session cookie, if the cookie is present and decrypts
/// with the server's key (same check as actix-session's; a tampered or forged cookie yields `None`).
pub(crate) fn session_key_of(req: &ServiceRequest, cookie_name: &str, opener: &CookieOpener) -> Option<String> {
    let cookies = req.cookies().ok()?;
    let cookie = cookies.iter().find(|c| c.name() == cookie_name)?;
    opener.open(cookie_name, cookie.value())
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

    #[test]
    fn opener_reads_what_the_private_jar_seals() {
        use actix_web::cookie::{Cookie, CookieJar};
        let key = Key::generate();
        let opener = CookieOpener::new(&key);
        let mut jar = CookieJar::new();
        jar.private_mut(&key).add(Cookie::new("sid", "the session key"));
        let sealed = jar.get("sid").unwrap().value().to_string();
        assert_eq!(opener.open("sid", &sealed).as_deref(), Some("the session key"));
        assert_eq!(opener.open("other", &sealed), None, "the name is authenticated");
        assert_eq!(CookieOpener::new(&Key::generate()).open("sid", &sealed), None, "another key");
        let mut tampered = sealed.clone().into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        assert_eq!(opener.open("sid", std::str::from_utf8(&tampered).unwrap()), None);
        assert_eq!(opener.open("sid", "AAAA"), None);
        assert_eq!(opener.open("sid", "not base64!"), None);
    }
}
