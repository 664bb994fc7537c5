//! Sessions on a real `redis-server` (started by each test on a free loopback port, no persistence):
//! two servers sharing sessions, idle expiry by Redis key expiry, Redis down at start-up / killed
//! mid-test and restarted, and storage-format parity with actix-session's `RedisSessionStore`.
//!
//! Without `redis-server` on PATH every test here prints why it is skipped (on stderr, past the
//! test harness's capture) and returns; with `KR_REQUIRE_REDIS=1` it fails instead.
mod common;

use std::collections::HashMap;
use std::io::Write as _;
use std::process::{Child, Command, Stdio};

use std::time::{Duration, Instant};

use common::*;
use kestrun_native::{CookieSecret, RedisBackend, RedisOptions, Server, SessionBackend, SessionOptions};

// ---- a redis-server of our own ----------------------------------------------------------------

struct RedisServer {
    port: u16,
    child: Option<Child>,
    dir: tempfile::TempDir,
    /// Extra `redis-server` arguments (e.g. `--replicaof`).
    extra: Vec<String>,
}

fn redis_server_binary() -> Option<String> {
    let bin = std::env::var("KR_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_string());
    match Command::new(&bin).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(s) if s.success() => Some(bin),
        _ => None,
    }
}

/// A started redis-server, or `None` (reason printed) when it is not installed.
fn redis_or_skip(test: &str) -> Option<RedisServer> {
    match redis_server_binary() {
        Some(_) => Some(RedisServer::start(free_port())),
        None => {
            let reason = "redis-server is not installed (apt-get install redis-server)";
            if std::env::var("KR_REQUIRE_REDIS").is_ok_and(|v| v == "1") {
                panic!("{test}: {reason}, and KR_REQUIRE_REDIS=1");
            }
            let _ = writeln!(std::io::stderr(), "SKIPPED redis_sessions::{test}: {reason}");
            None
        }
    }
}

impl RedisServer {
    fn start(port: u16) -> RedisServer {
        RedisServer::start_with(port, Vec::new())
    }

    fn start_with(port: u16, extra: Vec<String>) -> RedisServer {
        let mut r = RedisServer { port, child: None, dir: tempfile::tempdir().unwrap(), extra };
        r.restart();
        r
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// (Re)starts redis-server on the same port and waits until it answers PING.
    fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let bin = redis_server_binary().expect("redis-server");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let child = Command::new(&bin)
                .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .args(["--daemonize", "no", "--loglevel", "warning", "--dir"])
                .arg(self.dir.path())
                .args(&self.extra)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn redis-server");
            self.child = Some(child);
            while Instant::now() < deadline {
                if self.try_ping() {
                    return;
                }
                if let Some(Ok(Some(_))) = self.child.as_mut().map(|c| c.try_wait()) {
                    break; // exited (e.g. the port is still held after a kill): try again
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            self.kill();
            assert!(Instant::now() < deadline, "redis-server did not start on port {}", self.port);
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn kill(&mut self) {
        kill_child(&mut self.child);
    }

    fn try_ping(&self) -> bool {
        let Ok(client) = redis::Client::open(self.url()) else { return false };
        let Ok(mut con) = client.get_connection_with_timeout(Duration::from_millis(500)) else { return false };
        redis::cmd("PING").query::<String>(&mut con).is_ok_and(|p| p == "PONG")
    }

    fn con(&self) -> redis::Connection {
        redis::Client::open(self.url()).unwrap().get_connection_with_timeout(Duration::from_secs(5)).unwrap()
    }

    fn keys(&self, pattern: &str) -> Vec<String> {
        let mut keys: Vec<String> = redis::cmd("KEYS").arg(pattern).query(&mut self.con()).unwrap();
        keys.sort();
        keys
    }

    fn get(&self, key: &str) -> Option<String> {
        redis::cmd("GET").arg(key).query(&mut self.con()).unwrap()
    }

    fn ttl(&self, key: &str) -> i64 {
        redis::cmd("TTL").arg(key).query(&mut self.con()).unwrap()
    }

    fn exists(&self, key: &str) -> bool {
        redis::cmd("EXISTS").arg(key).query::<i64>(&mut self.con()).unwrap() == 1
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---- servers ----------------------------------------------------------------------------------

const SECRET: &[u8] = b"a shared secret of the test farm, 32+ bytes";

struct Options {
    idle: u64,
    io: u64,
    op_ms: u64,
    secret: Option<&'static [u8]>,
    key_lifetime: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { idle: 60, io: 5, op_ms: 1000, secret: Some(SECRET), key_lifetime: 90 * 24 * 3600 }
    }
}

/// An HTTP server on 127.0.0.1:0 with sessions in Redis at `connection` (prefix `prefix`).
fn redis_session_server(name: &str, connection: &str, prefix: &str, o: Options) -> (Server, String) {
    let server = Server::new(name).unwrap();
    server.add_endpoint_http("127.0.0.1", 0).unwrap();
    server
        .use_redis_session_store(RedisOptions {
            connection: connection.to_string(),
            key_prefix: prefix.to_string(),
            connect_timeout: Some(Duration::from_millis(1000)),
            operation_timeout: Some(Duration::from_millis(o.op_ms)),
        })
        .unwrap();
    server
        .configure_session(SessionOptions {
            cookie_name: "Kr.Session".into(),
            idle_timeout_seconds: o.idle,
            io_timeout_seconds: o.io,
            cookie_key: o.secret.map(CookieSecret::new),
            key_lifetime_seconds: o.key_lifetime,
            ..Default::default()
        })
        .unwrap();
    tutorial_routes(&server);
    let url = start(&server);
    (server, url)
}

fn counter_at(client: &reqwest::blocking::Client, base: &str) -> i64 {
    counter(client, &format!("{base}/session"))
}

/// Sends SIGSTOP / SIGCONT to the process `pid`.
fn signal(pid: u32, sig: &str) {
    assert!(Command::new("kill").args([sig, &pid.to_string()]).status().unwrap().success());
}

// ---- tests ------------------------------------------------------------------------------------

#[test]
fn two_servers_share_sessions_through_redis() {
    let Some(redis) = redis_or_skip("two_servers_share_sessions_through_redis") else { return };
    let (a, url_a) = redis_session_server("redis-a", &redis.url(), "farm:", Options::default());
    let (b, url_b) = redis_session_server("redis-b", &format!("127.0.0.1:{}", redis.port), "farm:", Options::default());
    assert_ne!(url_a, url_b);
    let jar = client();

    assert_eq!(get(&jar, &format!("{url_a}/session/whoami")).0, 401);
    assert_eq!(get(&jar, &format!("{url_a}/session/login?user=max")), (200, "Logged in max".into()));
    assert_eq!(get(&jar, &format!("{url_b}/session/whoami")), (200, "max".into()), "server B reads A's session");

    assert_eq!(counter_at(&jar, &url_a), 1);
    assert_eq!(counter_at(&jar, &url_b), 2);
    assert_eq!(counter_at(&jar, &url_a), 3);
    assert_eq!(counter_at(&jar, &url_b), 4);

    // One key, under the prefix, holding actix-session's JSON map.
    let keys = redis.keys("farm:*");
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0].len(), "farm:".len() + 64, "prefix + 64-character session key");
    let state: HashMap<String, String> = serde_json::from_str(&redis.get(&keys[0]).unwrap()).unwrap();
    assert_eq!(state.len(), 2, "{state:?}");
    let ttl = redis.ttl(&keys[0]);
    assert!((1..=60).contains(&ttl), "expiry is the idle timeout: {ttl}");

    // Another client is another session.
    let other = client();
    assert_eq!(get(&other, &format!("{url_b}/session/whoami")).0, 401);
    assert_eq!(counter_at(&other, &url_b), 1);
    assert_eq!(redis.keys("farm:*").len(), 2);

    // A server with another cookie key cannot read these cookies: a new session.
    let (c, url_c) =
        redis_session_server("redis-c", &redis.url(), "farm:", Options { secret: None, ..Default::default() });
    assert_eq!(get(&jar, &format!("{url_c}/session/whoami")).0, 401);

    // Logout on B clears the state for A too.
    assert_eq!(get(&jar, &format!("{url_b}/session/logout")).0, 200);
    assert_eq!(get(&jar, &format!("{url_a}/session/whoami")).0, 401);

    for s in [a, b, c] {
        stop(&s);
    }
}

#[test]
fn concurrent_increments_of_one_session_on_one_server() {
    let Some(redis) = redis_or_skip("concurrent_increments_of_one_session_on_one_server") else { return };
    let (server, url) = redis_session_server("redis-conc", &redis.url(), "conc:", Options::default());
    let jar = client();
    assert_eq!(counter_at(&jar, &url), 1);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..10 {
                    counter_at(&jar, &url);
                }
            });
        }
    });
    assert_eq!(counter_at(&jar, &url), 82, "the per-session lock serializes one server's requests");
    stop(&server);
}

#[test]
fn idle_session_expires_in_redis_and_use_extends_it() {
    let Some(redis) = redis_or_skip("idle_session_expires_in_redis_and_use_extends_it") else { return };
    let (server, url) =
        redis_session_server("redis-idle", &redis.url(), "idle:", Options { idle: 2, ..Default::default() });
    let jar = client();
    get(&jar, &format!("{url}/session/login?user=max"));
    let key = redis.keys("idle:*").pop().expect("session key in Redis");
    let ttl = redis.ttl(&key);
    assert!((1..=2).contains(&ttl), "EX = idle timeout: {ttl}");

    // Used every second for 4 s (> 2 s idle timeout): the expiry keeps being extended (EXPIRE).
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(1000));
        assert_eq!(get(&jar, &format!("{url}/session/whoami")), (200, "max".into()));
        assert!(redis.exists(&key));
    }

    // Idle for longer than the timeout: Redis expires the key by itself.
    let deadline = Instant::now() + Duration::from_secs(10);
    while redis.exists(&key) {
        assert!(Instant::now() < deadline, "the key did not expire");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(redis.keys("idle:*").is_empty());
    assert_eq!(get(&jar, &format!("{url}/session/whoami")).0, 401, "expired: a new, empty session");
    stop(&server);
}

#[test]
fn redis_killed_mid_test_then_restarted() {
    let Some(mut redis) = redis_or_skip("redis_killed_mid_test_then_restarted") else { return };
    let o = Options { io: 2, op_ms: 500, ..Default::default() };
    let (server, url) = redis_session_server("redis-kill", &redis.url(), "kill:", o);
    let jar = client();
    get(&jar, &format!("{url}/session/login?user=max"));
    assert_eq!(counter_at(&jar, &url), 1);
    assert_eq!(get(&jar, &format!("{url}/session/whoami")), (200, "max".into()));

    redis.kill();
    for _ in 0..5 {
        let t = Instant::now();
        assert_eq!(get(&jar, &format!("{url}/hello")), (200, "Hello".into()));
        assert_eq!(get(&jar, &format!("{url}/session/whoami")).0, 401, "reads see an unavailable, empty session");
        assert_eq!(try_counter(&jar, &url), (503, None), "a write that cannot be stored is answered 503");
        assert!(t.elapsed() < Duration::from_secs(6), "bounded by the timeouts: {:?}", t.elapsed());
    }

    redis.restart(); // same port, empty (no persistence)
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        get(&jar, &format!("{url}/session/login?user=max"));
        if get(&jar, &format!("{url}/session/whoami")) == (200, "max".into()) {
            break;
        }
        assert!(Instant::now() < deadline, "sessions did not work again after Redis came back");
        std::thread::sleep(Duration::from_millis(200));
    }
    let base = counter_at(&jar, &url);
    assert_eq!(counter_at(&jar, &url), base + 1, "the counter works again");
    assert_eq!(redis.keys("kill:*").len(), 1);
    stop(&server);
}

#[test]
fn hung_redis_never_hangs_requests() {
    let Some(redis) = redis_or_skip("hung_redis_never_hangs_requests") else { return };
    let o = Options { io: 2, op_ms: 400, ..Default::default() };
    let (server, url) = redis_session_server("redis-hung", &redis.url(), "hung:", o);
    let jar = client();
    get(&jar, &format!("{url}/session/login?user=max"));
    let pid = redis.child.as_ref().unwrap().id().to_string();
    // SIGSTOP: connections stay open, nothing answers (a hung server or a black-holed network).
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    for _ in 0..3 {
        let t = Instant::now();
        assert_eq!(get(&jar, &format!("{url}/session/whoami")).0, 401);
        assert!(t.elapsed() < Duration::from_secs(5), "bounded by the timeouts: {:?}", t.elapsed());
    }
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(15);
    while get(&jar, &format!("{url}/session/whoami")) != (200, "max".into()) {
        assert!(Instant::now() < deadline, "the session is readable again once Redis answers");
        std::thread::sleep(Duration::from_millis(200));
    }
    stop(&server);
}

#[test]
fn redis_down_at_start_up_then_up() {
    let Some(_) = redis_or_skip("redis_down_at_start_up_then_up") else { return };
    let port = free_port();
    let log = tempfile::NamedTempFile::new().unwrap();
    kestrun_native::logging::add_file_sink(log.path()).unwrap();
    let o = Options { io: 2, op_ms: 500, ..Default::default() };
    let (server, url) = redis_session_server("redis-late", &format!("127.0.0.1:{port}"), "late:", o);
    let jar = client();
    let t = Instant::now();
    assert_eq!(get(&jar, &format!("{url}/session/whoami")).0, 401);
    for _ in 0..20 {
        assert_eq!(try_counter(&jar, &url), (503, None), "a new session that cannot be stored is answered 503");
    }
    assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());

    let redis = RedisServer::start(port);
    let deadline = Instant::now() + Duration::from_secs(15);
    while try_counter(&jar, &url).1.unwrap_or(0) < 2 {
        assert!(Instant::now() < deadline, "sessions did not start working once Redis was up");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(redis.keys("late:*").len(), 1);
    stop(&server);
    let text = std::fs::read_to_string(log.path()).unwrap();
    assert!(text.contains(&format!("redis://127.0.0.1:{port}/0 is unreachable")), "{text}");
    let failures = text.lines().filter(|l| l.contains("session store unavailable")).count();
    assert!((1..=3).contains(&failures), "failed calls are logged at a bounded rate, not per request: {text}");
    assert!(text.contains("session store available again"), "{text}");
}

#[test]
fn storage_format_is_actix_sessions() {
    use actix_session::storage::{generate_session_key, RedisSessionStore, SessionStore};
    let Some(redis) = redis_or_skip("storage_format_is_actix_sessions") else { return };
    let ours = RedisBackend::new(&RedisOptions {
        connection: redis.url(),
        key_prefix: "fmt:".into(),
        connect_timeout: Some(Duration::from_millis(2000)),
        operation_timeout: Some(Duration::from_millis(2000)),
    })
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let actix = RedisSessionStore::builder(redis.url()).cache_keygen(|k| format!("fmt:{k}")).build().await.unwrap();
        let ttl = actix_web::cookie::time::Duration::seconds(30);
        let state: HashMap<String, String> =
            [("user".to_string(), "\"max\"".to_string()), ("n".to_string(), "[0,0,0,7]".to_string())].into();

        // Ours → actix.
        let key = generate_session_key();
        ours.save(key.as_ref(), state.clone(), Duration::from_secs(30)).await.unwrap();
        assert_eq!(actix.load(&key).await.unwrap(), Some(state.clone()));
        // actix → ours.
        let mut state2 = state.clone();
        state2.insert("k".into(), "\"v\"".into());
        let key2 = actix.save(state2.clone(), &ttl).await.unwrap();
        assert_eq!(ours.load(key2.as_ref()).await.unwrap(), Some(state2.clone()));
        // Update / TTL / delete agree too.
        ours.update(key2.as_ref(), state.clone(), Duration::from_secs(30)).await.unwrap();
        assert_eq!(actix.load(&key2).await.unwrap(), Some(state.clone()));
        ours.update_ttl(key2.as_ref(), Duration::from_secs(100)).await.unwrap();
        assert!(redis.ttl(&format!("fmt:{}", key2.as_ref())) > 30);
        actix.delete(&key).await.unwrap();
        assert_eq!(ours.load(key.as_ref()).await.unwrap(), None);
        ours.delete(key2.as_ref()).await.unwrap();
        assert_eq!(actix.load(&key2).await.unwrap(), None);
        // An update of a vanished key stores it again (the adapter keeps the key).
        ours.update(key.as_ref(), state.clone(), Duration::from_secs(30)).await.unwrap();
        assert_eq!(ours.load(key.as_ref()).await.unwrap(), Some(state));
        ours.ping().await.unwrap();
    });
}

#[test]
fn paused_redis_is_answered_503_within_the_io_timeout_and_loses_no_acknowledged_write() {
    let Some(redis) =
        redis_or_skip("paused_redis_is_answered_503_within_the_io_timeout_and_loses_no_acknowledged_write")
    else {
        return;
    };
    // IO timeout 2 s; Redis' own command timeout longer, so the IO timeout is the bound.
    let o = Options { io: 2, op_ms: 5000, ..Default::default() };
    let (server, url) = redis_session_server("redis-paused", &redis.url(), "paused:", o);
    let jar = client();
    let mut acknowledged = vec![counter_at(&jar, &url)];
    for _ in 0..5 {
        acknowledged.push(counter_at(&jar, &url));
    }
    let pid = redis.child.as_ref().unwrap().id();
    signal(pid, "-STOP");
    let mut refused = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let (status, n) = try_counter(&jar, &url);
        assert!(t.elapsed() < Duration::from_millis(2000 * 2 + 1500), "bounded by the IO timeout: {:?}", t.elapsed());
        match status {
            503 => refused += 1,
            200 => acknowledged.push(n.unwrap()),
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(refused, 3, "no write is acknowledged while Redis does not answer");
    signal(pid, "-CONT");
    // Answered again (the writes Redis executes late were never acknowledged).
    let last = counter_again(&jar, &url, Duration::from_secs(15), "sessions to work again after SIGCONT");
    let max_ack = *acknowledged.iter().max().unwrap();
    assert!(last > max_ack, "every acknowledged increment is in the stored session: {last} after {acknowledged:?}");
    let mut sorted = acknowledged.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), acknowledged.len(), "no acknowledged increment was lost: {acknowledged:?}");
    stop(&server);
}

#[test]
fn two_servers_on_one_redis_lose_no_concurrent_increment_of_one_session() {
    let Some(redis) = redis_or_skip("two_servers_on_one_redis_lose_no_concurrent_increment_of_one_session") else {
        return;
    };
    let (a, url_a) = redis_session_server("redis-lock-a", &redis.url(), "lock:", Options::default());
    let (b, url_b) = redis_session_server("redis-lock-b", &redis.url(), "lock:", Options::default());
    let jar = client();
    assert_eq!(counter_at(&jar, &url_a), 1);
    let t = Instant::now();
    let ok = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for i in 0..8 {
            let (jar, url, ok) = (&jar, if i % 2 == 0 { &url_a } else { &url_b }, &ok);
            s.spawn(move || {
                for _ in 0..50 {
                    let (status, _) = try_counter(jar, url);
                    assert_eq!(status, 200);
                    ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    let elapsed = t.elapsed();
    assert_eq!(ok.into_inner(), 400);
    assert_eq!(counter_at(&jar, &url_b), 402, "400 concurrent increments over two servers: none lost");
    eprintln!("400 increments of one session over two servers in {elapsed:?}");
    assert!(redis.keys("lock:*:lock").is_empty(), "every lock was released");
    stop(&a);
    stop(&b);
}

#[test]
fn servers_without_a_secret_share_sessions_through_the_key_ring_in_redis() {
    let Some(redis) = redis_or_skip("servers_without_a_secret_share_sessions_through_the_key_ring_in_redis") else {
        return;
    };
    let no_secret = || Options { secret: None, ..Default::default() };
    let (a, url_a) = redis_session_server("ring-a", &redis.url(), "ring:", no_secret());
    let (b, url_b) = redis_session_server("ring-b", &redis.url(), "ring:", no_secret());
    let jar = client();
    assert_eq!(get(&jar, &format!("{url_a}/session/login?user=max")), (200, "Logged in max".into()));
    assert_eq!(get(&jar, &format!("{url_b}/session/whoami")), (200, "max".into()), "B opens A's cookie");
    assert_eq!(counter_at(&jar, &url_b), 1);
    assert_eq!(counter_at(&jar, &url_a), 2);
    let ring = redis.get("ring:Kestrun.Rust:SessionKeyRing").expect("the key ring lives in Redis, under the prefix");
    let parsed: serde_json::Value = serde_json::from_str(&ring).unwrap();
    assert_eq!(parsed["keys"].as_array().unwrap().len(), 1, "one key, created once");
    assert_eq!(redis.ttl("ring:Kestrun.Rust:SessionKeyRing"), -1, "the ring does not expire");

    // A third server started later joins.
    let (c, url_c) = redis_session_server("ring-c", &redis.url(), "ring:", no_secret());
    assert_eq!(get(&jar, &format!("{url_c}/session/whoami")), (200, "max".into()));

    // Every server restarts: the ring (and so the cookie) outlives them.
    for s in [&a, &b, &c] {
        stop(s);
    }
    drop((a, b, c));
    let (a2, url_a2) = redis_session_server("ring-a2", &redis.url(), "ring:", no_secret());
    assert_eq!(get(&jar, &format!("{url_a2}/session/whoami")), (200, "max".into()), "the cookie works after restarts");
    assert_eq!(counter_at(&jar, &url_a2), 3);
    // Another prefix is another ring: its servers cannot read these cookies.
    let (other, url_other) = redis_session_server("ring-other", &redis.url(), "other:", no_secret());
    assert_eq!(get(&jar, &format!("{url_other}/session/whoami")).0, 401);
    stop(&a2);
    stop(&other);
}

#[test]
fn a_rotated_key_still_opens_the_cookies_it_sealed_and_they_move_to_the_new_key() {
    let Some(redis) = redis_or_skip("a_rotated_key_still_opens_the_cookies_it_sealed_and_they_move_to_the_new_key")
    else {
        return;
    };
    let short = || Options { secret: None, key_lifetime: 2, ..Default::default() };
    let (a, url_a) = redis_session_server("rot-a", &redis.url(), "rot:", short());
    let old_jar = client();
    assert_eq!(get(&old_jar, &format!("{url_a}/session/login?user=max")).0, 200);

    // The key is older than its lifetime when B starts: B adds a key and seals with it.
    std::thread::sleep(Duration::from_millis(2200));
    let (b, url_b) = redis_session_server("rot-b", &redis.url(), "rot:", short());
    let ring: serde_json::Value = serde_json::from_str(&redis.get("rot:Kestrun.Rust:SessionKeyRing").unwrap()).unwrap();
    assert_eq!(ring["keys"].as_array().unwrap().len(), 2, "rotated: the old key is kept");

    // B opens the cookie sealed with the old key, and sends it back sealed with the new one.
    let resp = old_jar.get(format!("{url_b}/session/whoami")).send().unwrap();
    let cookies = set_cookies(&resp);
    assert_eq!((resp.status().as_u16(), resp.text().unwrap()), (200, "max".to_string()));
    assert_eq!(cookies.len(), 1, "the cookie moves to the current key: {cookies:?}");
    assert!(cookies[0].starts_with("Kr.Session="), "{cookies:?}");
    // The next request needs no move.
    let resp = old_jar.get(format!("{url_b}/session/whoami")).send().unwrap();
    assert!(set_cookies(&resp).is_empty());

    // A learns the new key (it reads the ring every lifetime / 4) and opens B's cookies too.
    let fresh = client();
    assert_eq!(get(&fresh, &format!("{url_b}/session/login?user=eve")).0, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    while get(&fresh, &format!("{url_a}/session/whoami")) != (200, "eve".into()) {
        assert!(Instant::now() < deadline, "server A never opened a cookie sealed with the new key");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(get(&old_jar, &format!("{url_a}/session/whoami")), (200, "max".into()));
    stop(&a);
    stop(&b);
}

#[test]
fn several_endpoints_fail_over_to_the_next_and_the_connection_is_named() {
    let Some(primary) = redis_or_skip("several_endpoints_fail_over_to_the_next_and_the_connection_is_named") else {
        return;
    };
    let mut primary = primary;
    let replica =
        RedisServer::start_with(free_port(), vec!["--replicaof".into(), "127.0.0.1".into(), primary.port.to_string()]);
    let connection = format!(
        "127.0.0.1:{},127.0.0.1:{},name=kr-failover,connectTimeout=500,syncTimeout=1000",
        primary.port, replica.port
    );
    let (server, url) = redis_session_server("redis-failover", &connection, "fo:", Options::default());
    let jar = client();
    assert_eq!(get(&jar, &format!("{url}/session/login?user=max")).0, 200);
    assert_eq!(counter_at(&jar, &url), 1);
    let clients: String = redis::cmd("CLIENT").arg("LIST").query(&mut primary.con()).unwrap();
    assert!(clients.contains("name=kr-failover"), "CLIENT SETNAME on the connection: {clients}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while replica.keys("fo:*").iter().filter(|k| !k.contains("Kestrun.Rust")).count() < 1 {
        assert!(Instant::now() < deadline, "the replica did not receive the session");
        std::thread::sleep(Duration::from_millis(100));
    }

    // The primary dies and the replica is promoted: the server moves to the next endpoint.
    primary.kill();
    let _: () = redis::cmd("REPLICAOF").arg("NO").arg("ONE").query(&mut replica.con()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while get(&jar, &format!("{url}/session/whoami")) != (200, "max".into()) {
        assert!(Instant::now() < deadline, "the server did not fail over to the second endpoint");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(counter_at(&jar, &url), 2, "the session continues on the second endpoint");
    let clients: String = redis::cmd("CLIENT").arg("LIST").query(&mut replica.con()).unwrap();
    assert!(clients.contains("name=kr-failover"), "{clients}");
    stop(&server);
}
