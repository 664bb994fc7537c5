//! The session store as the server uses it: a custom `SessionBackend`, the adapter's failure policy
//! (IO timeout / load error → empty session; save error → warning, the response still goes out),
//! the in-memory bound and the periodic sweep.
mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use kestrun_native::session::BoxFuture;
use kestrun_native::{Error, MemoryBackend, Result, SessionBackend, SessionOptions, SessionState};

/// Wraps a memory store; can be told to stall or fail.
struct Flaky {
    inner: MemoryBackend,
    stall_loads: AtomicBool,
    fail_loads: AtomicBool,
    fail_writes: AtomicBool,
    writes: AtomicUsize,
}

impl Flaky {
    fn new() -> Arc<Flaky> {
        Arc::new(Flaky {
            inner: MemoryBackend::new(1000),
            stall_loads: AtomicBool::new(false),
            fail_loads: AtomicBool::new(false),
            fail_writes: AtomicBool::new(false),
            writes: AtomicUsize::new(0),
        })
    }
}

impl Flaky {
    /// A write (`counted` in `writes`): fails while `fail_writes` is set, else runs `forward` on the
    /// memory store.
    fn write<'a>(
        &'a self,
        counted: bool,
        forward: impl FnOnce() -> BoxFuture<'a, Result<()>> + Send + 'a,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if counted {
                self.writes.fetch_add(1, Ordering::SeqCst);
            }
            if self.fail_writes.load(Ordering::SeqCst) {
                return Err(Error::io("store full"));
            }
            forward().await
        })
    }
}

impl SessionBackend for Flaky {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionState>>> {
        Box::pin(async move {
            if self.stall_loads.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            if self.fail_loads.load(Ordering::SeqCst) {
                return Err(Error::io("store unreachable"));
            }
            self.inner.load(key).await
        })
    }

    fn save<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        self.write(true, move || self.inner.save(key, state, ttl))
    }

    fn update<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        self.write(true, move || self.inner.update(key, state, ttl))
    }

    fn update_ttl<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        self.write(false, move || self.inner.update_ttl(key, ttl))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        self.inner.delete(key)
    }
}

#[test]
fn custom_backend_and_failure_policy() {
    let flaky = Flaky::new();
    let backend = flaky.clone();
    // The backend must be chosen before sessions are configured.
    let early = kestrun_native::Server::new("flaky-order").unwrap();
    early.configure_session(SessionOptions::default()).unwrap();
    assert_eq!(early.set_session_backend(backend.clone()).unwrap_err().kind(), kestrun_native::ErrorKind::InvalidState);

    let (server, url2) = https_server("flaky2", |s| {
        s.set_session_backend(backend).unwrap();
        s.configure_session(SessionOptions { io_timeout_seconds: 1, ..Default::default() }).unwrap();
        assert!(s.memory_session_store().is_none(), "custom backend in use");
        s.add_route("GET", "/counter", counter_handler()).unwrap();
        s.add_route("GET", "/peek", peek_handler()).unwrap();
    });
    let c = session_client(&url2);
    assert_eq!(counter(&c, &url2), 2);
    assert!(flaky.writes.load(Ordering::SeqCst) >= 2, "the custom backend is used");

    // A load that exceeds the IO timeout → the route runs with an unavailable (empty) session and
    // its write is refused: 503 JSON after ~1 s, never a 200 for a change that was not stored.
    flaky.stall_loads.store(true, Ordering::SeqCst);
    let t0 = Instant::now();
    let v = assert_json_error(c.get(format!("{url2}/counter")).send().unwrap(), 503);
    assert!(v["message"].as_str().unwrap().contains("session store is unavailable"), "{v}");
    assert!(t0.elapsed() >= Duration::from_millis(900), "{:?}", t0.elapsed());
    assert!(t0.elapsed() < Duration::from_secs(3), "bounded by the IO timeout: {:?}", t0.elapsed());
    let writes = flaky.writes.load(Ordering::SeqCst);
    assert_eq!(c.get(format!("{url2}/peek")).send().unwrap().text().unwrap(), "-1", "reads see nothing");
    flaky.stall_loads.store(false, Ordering::SeqCst);
    assert_eq!(flaky.writes.load(Ordering::SeqCst), writes, "an unavailable session never commits");
    assert_eq!(counter(&c, &url2), 3, "the stored session was not overwritten");

    // A failing load → the same.
    flaky.fail_loads.store(true, Ordering::SeqCst);
    assert_json_error(c.get(format!("{url2}/counter")).send().unwrap(), 503);
    flaky.fail_loads.store(false, Ordering::SeqCst);
    assert_eq!(counter(&c, &url2), 4);

    // Failing writes: 503 instead of the route's answer; the session keeps its stored value.
    flaky.fail_writes.store(true, Ordering::SeqCst);
    assert_json_error(c.get(format!("{url2}/counter")).send().unwrap(), 503);
    let fresh = client();
    assert_json_error(fresh.get(format!("{url2}/counter")).send().unwrap(), 503);
    flaky.fail_writes.store(false, Ordering::SeqCst);
    assert_eq!(counter(&c, &url2), 5, "the failed update was not stored; nothing else was lost");
    assert_eq!(counter(&fresh, &url2), 1, "a session whose first write failed was never established");
    stop(&server);
}

#[test]
fn a_full_memory_store_keeps_active_users_through_a_flood_of_new_sessions() {
    let log = tempfile::NamedTempFile::new().unwrap();
    kestrun_native::logging::add_file_sink(log.path()).unwrap();
    let options = SessionOptions { max_sessions: 2000, ..Default::default() };
    let (server, url) = session_server("flooded-store", options, |s| s.set_callback_threads(8).unwrap());
    let users: Vec<_> = (0..50).map(|_| session_client(&url)).collect();
    let mut expected = vec![1i64; users.len()];
    for _ in 0..2 {
        for (u, n) in users.iter().zip(expected.iter_mut()) {
            *n += 1;
            assert_eq!(counter(u, &url), *n);
        }
    }
    // 12,000 cookie-less requests, each starting a new session, from 4 connections; the users
    // keep using their sessions meanwhile.
    let (ok, refused) = (AtomicUsize::new(0), AtomicUsize::new(0));
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let flood = bare_client();
                for _ in 0..3000 {
                    let resp = flood.get(format!("{url}/counter")).send().unwrap();
                    match resp.status().as_u16() {
                        200 => ok.fetch_add(1, Ordering::Relaxed),
                        503 => {
                            let v = assert_json_error(resp, 503);
                            assert!(v["message"].as_str().unwrap().contains("session store"), "{v}");
                            refused.fetch_add(1, Ordering::Relaxed)
                        }
                        other => panic!("unexpected status {other}"),
                    };
                }
            });
        }
        for _ in 0..10 {
            for (u, n) in users.iter().zip(expected.iter_mut()) {
                *n += 1;
                assert_eq!(counter(u, &url), *n, "an active user kept their session during the flood");
            }
        }
    });
    let (ok, refused) = (ok.into_inner(), refused.into_inner());
    assert_eq!(ok + refused, 12_000);
    assert!(refused >= 12_000 - 2000, "new sessions beyond the bound were refused: {ok} admitted, {refused} refused");
    for (u, n) in users.iter().zip(expected.iter_mut()) {
        *n += 1;
        assert_eq!(counter(u, &url), *n, "every active user keeps their session after the flood");
    }
    let store = server.memory_session_store().unwrap();
    assert!(store.len() <= 2000, "bounded: {}", store.len());
    assert_eq!(store.refused_total() as usize, refused);
    stop(&server);
    let text = std::fs::read_to_string(log.path()).unwrap();
    let lines = text.lines().filter(|l| l.contains("session store full")).count();
    assert!((1..=3).contains(&lines), "a full store is logged once per interval, with a count: {lines} lines");
}

#[test]
fn expired_sessions_are_swept_periodically() {
    let (server, url) = session_server("sweeper", idle_timeout(1), |_| {});
    for _ in 0..5 {
        assert_eq!(counter(&client(), &url), 1);
    }
    let store = server.memory_session_store().unwrap();
    assert_eq!(store.len(), 5);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !store.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(store.len(), 0, "swept without any request touching them");
    stop(&server);
}
