//! What a session store costs per request, and what its cross-process lock adds: for each store given,
//! N sequential request cycles as the engine runs them — load (sliding the expiry) then write back —
//! once without the lock (`load_and_touch` + `update`) and once with it (`lock_and_load` +
//! `update_locked`, which also releases it), and a read-only cycle without (`load_and_touch`) and with
//! the lock (`lock_and_load` + `unlock`). Prints µs per cycle and the ratios with / without the lock,
//! measured in the same run.
//!
//! ```text
//! cargo run --release -p kestrun_native --example session_store_cost -- [N] [redis://127.0.0.1:6379] \
//!     [postgres://postgres@127.0.0.1:5432/postgres] [sqlite:/tmp/sessions.db]
//! ```
use std::collections::HashMap;
use std::time::{Duration, Instant};

use kestrun_native::session::sql::{PostgresBackend, PostgresOptions, SqliteBackend, SqliteOptions};
use kestrun_native::session::LockedLoad;
use kestrun_native::{RedisBackend, RedisOptions, SessionBackend};

const TTL: Duration = Duration::from_secs(600);
const LEASE: Duration = Duration::from_secs(10);

fn state(n: usize) -> HashMap<String, String> {
    HashMap::from([("counter".to_string(), format!("\"{n}\"")), ("user".to_string(), "\"max\"".to_string())])
}

/// µs per cycle of `cycle`, run `n` times after 50 unmeasured ones.
async fn per_cycle<F, Fut>(n: usize, mut cycle: F) -> f64
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for i in 0..50 {
        cycle(i).await;
    }
    let t = Instant::now();
    for i in 0..n {
        cycle(i).await;
    }
    t.elapsed().as_secs_f64() * 1e6 / n as f64
}

async fn measure(name: &str, store: &dyn SessionBackend, n: usize) {
    let key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    store.delete(key).await.expect("delete a key left by an earlier run");
    store.save(key, state(0), TTL).await.expect("first write");
    let plain = per_cycle(n, |i| async move {
        store.load_and_touch(key, TTL).await.expect("load");
        store.update(key, state(i), TTL).await.expect("update");
    })
    .await;
    let locked = per_cycle(n, |i| async move {
        match store.lock_and_load(key, "token", LEASE, TTL).await.expect("lock + load") {
            LockedLoad::Acquired(_) => {}
            LockedLoad::Busy => panic!("the lock was held"),
        }
        assert!(store.update_locked(key, "token", state(i), TTL).await.expect("update"), "the lock was lost");
    })
    .await;
    let read_plain = per_cycle(n, |_| async move {
        store.load_and_touch(key, TTL).await.expect("load");
    })
    .await;
    let read = per_cycle(n, |_| async move {
        store.lock_and_load(key, "token", LEASE, TTL).await.expect("lock + load");
        store.unlock(key, "token").await.expect("unlock");
    })
    .await;
    let lock = if store.locks_across_processes() { "lock across processes" } else { "no store lock" };
    println!(
        "{name:<9} write cycle {plain:>7.1} µs without the lock, {locked:>7.1} µs with it ({:.2}×); read-only cycle {read_plain:>7.1} µs without, {read:>7.1} µs with it ({:.2}×) [{lock}]",
        locked / plain,
        read / read_plain
    );
    store.delete(key).await.expect("delete");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000usize);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    println!("{n} sequential cycles per figure (one session, one client)");
    rt.block_on(measure("memory", &kestrun_native::MemoryBackend::new(1000), n));
    for target in args.iter().filter(|a| a.contains(':')) {
        if target.starts_with("redis://") {
            let store = RedisBackend::new(&RedisOptions {
                connection: target.clone(),
                key_prefix: "cost:".into(),
                connect_timeout: None,
                operation_timeout: None,
            })
            .expect("Redis store");
            rt.block_on(measure("redis", &store, n));
        } else if target.starts_with("postgres") {
            let store = PostgresBackend::new(&PostgresOptions {
                connection: target.clone(),
                table: "SessionsCost".into(),
                create_if_not_exists: true,
                ..Default::default()
            })
            .expect("PostgreSQL store");
            rt.block_on(measure("postgres", &store, n));
        } else if let Some(path) = target.strip_prefix("sqlite:") {
            let store = SqliteBackend::new(&SqliteOptions { path: path.into(), ..Default::default() }).expect("SQLite");
            rt.block_on(measure("sqlite", &store, n));
        }
    }
}
