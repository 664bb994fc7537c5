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
    });
    let c = session_client(&url2);
    assert_eq!(counter(&c, &url2), 2);
    assert!(flaky.writes.load(Ordering::SeqCst) >= 2, "the custom backend is used");

    // A load that exceeds the IO timeout → empty session, answered after ~1 s (not a 500).
    flaky.stall_loads.store(true, Ordering::SeqCst);
    let t0 = Instant::now();
    let resp = c.get(format!("{url2}/counter")).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp)["counter"], 1);
    assert!(t0.elapsed() >= Duration::from_millis(900), "{:?}", t0.elapsed());
    flaky.stall_loads.store(false, Ordering::SeqCst);

    // A failing load → empty session too.
    let c = session_client(&url2);
    assert_eq!(counter(&c, &url2), 2);
    flaky.fail_loads.store(true, Ordering::SeqCst);
    assert_eq!(counter(&c, &url2), 1);
    flaky.fail_loads.store(false, Ordering::SeqCst);

    // Failing writes: the response still goes out (200 with the body), the change is lost.
    let c = session_client(&url2);
    flaky.fail_writes.store(true, Ordering::SeqCst);
    let resp = c.get(format!("{url2}/counter")).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp)["counter"], 2);
    flaky.fail_writes.store(false, Ordering::SeqCst);
    assert_eq!(counter(&c, &url2), 2, "the failed update was lost, the session kept");
    stop(&server);
}

#[test]
fn memory_store_bound_evicts_least_recently_used_sessions() {
    let options = SessionOptions { max_sessions: 2, ..Default::default() };
    let (server, url) = session_server("bounded-store", options, |_| {});
    let (a, b, c) = (client(), client(), client());
    assert_eq!(counter(&a, &url), 1);
    assert_eq!(counter(&b, &url), 1);
    assert_eq!(counter(&a, &url), 2); // a used more recently than b
    assert_eq!(counter(&c, &url), 1); // evicts b
    assert_eq!(server.memory_session_store().unwrap().len(), 2);
    assert_eq!(counter(&a, &url), 3);
    assert_eq!(counter(&b, &url), 1, "b was evicted");
    stop(&server);
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
