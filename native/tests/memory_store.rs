//! The in-memory session store through the public `SessionBackend` trait: expiry, bound (sessions
//! in use are kept, new ones refused), and the per-entry footprint (≤ 1 KB RSS per small idle
//! session, once the store's pending maintenance ran). Alone in its binary for the RSS figure.
use std::collections::HashMap;
use std::time::Duration;

use kestrun_native::{MemoryBackend, SessionBackend, SessionState};

fn state(counter: i32) -> SessionState {
    let value = serde_json::to_string(&base64_of(&counter.to_be_bytes())).unwrap();
    HashMap::from([("counter".to_string(), value)])
}

fn base64_of(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn key(i: usize) -> String {
    format!("{i:0>64}")
}

fn rss_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kb: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

#[test]
fn trait_round_trip_expiry_and_bound() {
    block_on(async {
        let store = MemoryBackend::new(3);
        let long = Duration::from_secs(600);
        assert!(store.load("k1").await.unwrap().is_none());
        store.save("k1", state(1), long).await.unwrap();
        assert_eq!(store.load("k1").await.unwrap().unwrap(), state(1));
        store.update("k1", state(2), long).await.unwrap();
        assert_eq!(store.load("k1").await.unwrap().unwrap(), state(2));
        store.update_ttl("k1", long).await.unwrap();
        store.delete("k1").await.unwrap();
        assert!(store.load("k1").await.unwrap().is_none());
        store.delete("k1").await.unwrap();
        store.update_ttl("absent", long).await.unwrap();

        // Expiry: unreadable at once, removed by the sweep (moka's timer wheel: about a second).
        store.save("short", state(1), Duration::from_millis(50)).await.unwrap();
        store.save("short2", state(1), Duration::from_millis(50)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(store.load("short").await.unwrap().is_none());
        tokio::time::sleep(Duration::from_millis(1500)).await;
        store.sweep_expired();
        assert!(store.is_empty());

        // Bound: when full, a new session does not push out sessions in use: it is refused.
        for k in ["a", "b", "c"] {
            store.save(k, state(1), long).await.unwrap();
        }
        for _ in 0..3 {
            for k in ["a", "b", "c"] {
                assert!(store.load(k).await.unwrap().is_some());
            }
        }
        let refused = store.save("d", state(1), long).await.unwrap_err();
        assert!(refused.message().contains("session store is full"), "{refused}");
        assert!(store.load("d").await.unwrap().is_none());
        assert_eq!(store.len(), 3);
        for k in ["a", "b", "c"] {
            assert!(store.load(k).await.unwrap().is_some(), "{k}");
        }
        assert_eq!(store.refused_total(), 1);
    });
}

#[test]
fn small_idle_sessions_cost_at_most_1kb_each() {
    const N: usize = 100_000;
    let store = MemoryBackend::new(1_000_000);
    let keys: Vec<String> = (0..N).map(key).collect();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let before = rss_bytes();
    rt.block_on(async {
        for (i, k) in keys.iter().enumerate() {
            // The state is built here so that its allocations are part of the measurement.
            store.save(k, state(i as i32), Duration::from_secs(1200)).await.unwrap();
        }
    });
    assert_eq!(store.len(), N);
    let after = rss_bytes();
    let per_entry = after.saturating_sub(before) / N;
    eprintln!("{N} sessions: {} KiB RSS, {per_entry} bytes each", (after - before) / 1024);
    assert!(per_entry <= 1024, "{per_entry} bytes per small idle session");
    assert_eq!(block_on(store.load(&keys[N - 1])).unwrap().unwrap(), state(N as i32 - 1));
}
