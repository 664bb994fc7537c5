//! [`RedisBackend`]: the distributed session store (ASP.NET Core's `AddStackExchangeRedisCache`).
//!
//! # Why not actix-session's `RedisSessionStore`
//! actix-session ships a Redis store, but it implements `SessionStore` itself and generates its own
//! session keys in `save`, while every store of this engine sits behind one adapter
//! ([`super::store`]) that generates the key, bounds each call by the IO timeout and applies
//! ASP.NET Core's failure policy, then calls `SessionBackend::save(key, …)`. Wrapping
//! `RedisSessionStore` would lose that key (and its `new` connects eagerly, failing when Redis is
//! down at start-up). So this backend talks to Redis with the same `redis` crate (0.32, tokio,
//! rustls) and writes exactly what actix-session's store writes, so the two can read each other's
//! sessions (a test checks it both ways):
//!
//! | call | Redis command |
//! |---|---|
//! | `load` | `GET prefix+key` → JSON of the `HashMap<String, String>` state (absent → no session) |
//! | `load_and_touch` | `GET prefix+key` + `EXPIRE prefix+key ttl` in one pipeline (what each request does: the sliding idle timeout) |
//! | `save` | `SET prefix+key json NX EX ttl` |
//! | `update` | `SET prefix+key json XX EX ttl`, and `SET prefix+key json EX ttl` if the key had expired |
//! | `update_ttl` | `EXPIRE prefix+key ttl` |
//! | `delete` | `DEL prefix+key` |
//!
//! The idle timeout is Redis key expiry (`EX` / `EXPIRE`, whole seconds, at least 1), so an idle
//! session disappears from Redis by itself; every request extends it.
//!
//! # Connections and faults
//! - One [`ConnectionManager`] (a multiplexed connection that reconnects by itself), created
//!   **lazily** on first use: configuring and starting a server never waits for Redis, and a Redis
//!   that is down at start-up is only logged ([`SessionBackend::server_starting`] makes one
//!   background attempt to report reachability). A failed first connect is retried by later calls,
//!   at most once per [`RETRY_BACKOFF`] (calls in between fail at once instead of queueing).
//! - Every connect is bounded by the connect timeout and every command by the operation timeout
//!   (the adapter adds the session IO timeout on top). A command failing because the connection is
//!   gone (refused, reset, EOF) is retried once on the manager's fresh connection, like actix-session
//!   does; so when Redis comes back, the next request works again without a restart.
//! - All Redis I/O runs on the backend's own one-thread tokio runtime (`kr-redis`), not on the
//!   server's actix workers: the connection's driver task does not die with a worker when the
//!   server stops, and a stopped / restarted server keeps using the same backend.
//! - Reachability changes are logged once each (`unreachable` as a warning, `reachable again` as
//!   information); the adapter logs each failed call.
//!
//! # Connection strings
//! See [`RedisConnection::parse`]: `redis://[[user]:password@]host[:port][/db]`, `rediss://` for
//! TLS, `unix://` / `redis+unix://`, and the StackExchange.Redis form ASP.NET Core's
//! `-Configuration` uses: `host[:port][,password=…][,user=…][,ssl=true][,defaultDatabase=N]
//! [,connectTimeout=ms][,syncTimeout=ms][,abortConnect=false]…`.
mod connection;

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::AsyncConnectionConfig;
use redis::{Client, RedisError, Script, Value};

use super::io_runtime::IoRuntime;
use super::options::RedisOptions;
use super::store::{state_from_json, state_to_json, BoxFuture, LockedLoad, SessionBackend, SessionState};
use crate::error::{Error, Result};
use crate::logging;

/// Connect timeout when neither the caller nor the connection string sets one (StackExchange.Redis's).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(5000);
/// Per-command timeout when neither the caller nor the connection string sets one (StackExchange's
/// `syncTimeout`).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_millis(5000);
/// After a failed first connect, calls fail at once for this long before the next attempt.
pub const RETRY_BACKOFF: Duration = Duration::from_millis(500);

use connection::MAX_TIMEOUT_MS;
pub use connection::{redact, RedisConnection};

const HEALTH_UNKNOWN: u8 = 0;
const HEALTH_UP: u8 = 1;
const HEALTH_DOWN: u8 = 2;

/// The connection in use (made on first use), which endpoint it goes to, and when / why the last
/// failed connect happened.
#[derive(Default)]
struct ConnSlot {
    conn: Option<(MultiplexedConnection, usize)>,
    last_failure: Option<(Instant, String)>,
}

/// One endpoint of the connection string.
struct Endpoint {
    client: Client,
    display: String,
}

struct Inner {
    endpoints: Vec<Endpoint>,
    /// The endpoint the next connect starts with (the last that worked, or the one after a failure).
    preferred: AtomicUsize,
    prefix: String,
    display: String,
    connect_timeout: Duration,
    operation_timeout: Duration,
    client_name: Option<String>,
    connect_retry: u32,
    abort_connect: bool,
    conn: tokio::sync::Mutex<ConnSlot>,
    health: AtomicU8,
}

/// Session state in Redis (see the module docs).
pub struct RedisBackend {
    inner: Arc<Inner>,
    io: IoRuntime,
}

impl std::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("server", &self.inner.display)
            .field("prefix", &self.inner.prefix)
            .field("connect_timeout", &self.inner.connect_timeout)
            .field("operation_timeout", &self.inner.operation_timeout)
            .finish()
    }
}

fn timeout_from(
    given: Option<Duration>,
    from_string: Option<Duration>,
    default: Duration,
    what: &str,
) -> Result<Duration> {
    let Some(timeout) = given else { return Ok(from_string.unwrap_or(default)) };
    if timeout > Duration::from_millis(MAX_TIMEOUT_MS) {
        return Err(Error::invalid_argument(format!(
            "Redis {what} {} ms is larger than {MAX_TIMEOUT_MS} ms",
            timeout.as_millis()
        )));
    }
    Ok(timeout)
}

/// Whether a failed command should be retried once on a fresh connection.
fn connection_lost(e: &RedisError) -> bool {
    e.is_unrecoverable_error() || e.is_connection_dropped() || e.is_connection_refusal()
}

fn redis_error(what: &str, display: &str, e: impl std::fmt::Display) -> Error {
    Error::io(format!("Redis {what} on {display} failed: {e}"))
}

impl RedisBackend {
    /// A backend for `options` (connection string parsed and validated here; no connection is
    /// made until the first use). A `connect_timeout` / `operation_timeout` of `None` takes the
    /// connection string's `connectTimeout` / `syncTimeout`, else 5 s.
    pub fn new(options: &RedisOptions) -> Result<RedisBackend> {
        let parsed = RedisConnection::parse(&options.connection)?;
        if options.key_prefix.len() > 1024 {
            return Err(Error::invalid_argument("Redis key prefix is longer than 1024 bytes"));
        }
        let connect_timeout =
            timeout_from(options.connect_timeout, parsed.connect_timeout, DEFAULT_CONNECT_TIMEOUT, "connect timeout")?;
        let operation_timeout = timeout_from(
            options.operation_timeout,
            parsed.operation_timeout,
            DEFAULT_OPERATION_TIMEOUT,
            "operation timeout",
        )?;
        let endpoints = parsed
            .endpoints
            .iter()
            .map(|info| {
                let display = connection::display_info(info);
                Client::open(info.clone())
                    .map(|client| Endpoint { client, display })
                    .map_err(|e| Error::invalid_argument(format!("Redis client: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let display = endpoints.iter().map(|e| e.display.as_str()).collect::<Vec<_>>().join(", ");
        Ok(RedisBackend {
            inner: Arc::new(Inner {
                endpoints,
                preferred: AtomicUsize::new(0),
                prefix: options.key_prefix.clone(),
                display,
                connect_timeout,
                operation_timeout,
                client_name: parsed.client_name.clone(),
                connect_retry: parsed.connect_retry.max(1),
                abort_connect: parsed.abort_connect,
                conn: tokio::sync::Mutex::new(ConnSlot::default()),
                health: AtomicU8::new(HEALTH_UNKNOWN),
            }),
            io: IoRuntime::new("kr-redis")?,
        })
    }

    /// The server as `redis://host:port/db` (no credentials).
    pub fn server_display(&self) -> &str {
        &self.inner.display
    }

    /// The key prefix (ASP.NET Core's `InstanceName`).
    pub fn key_prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// The Redis key of session `key`.
    pub fn redis_key(&self, key: &str) -> String {
        format!("{}{key}", self.inner.prefix)
    }

    /// The Redis key of the lock of session `key` (`<prefix><key>:lock`).
    pub fn lock_key(&self, key: &str) -> String {
        format!("{}{key}:lock", self.inner.prefix)
    }

    /// Runs one of the lock scripts on `keys` = (lock, state) with `args`.
    fn script<T: redis::FromRedisValue + Send + 'static>(
        &self,
        what: &'static str,
        script: &'static Script,
        key: &str,
        args: Vec<Vec<u8>>,
    ) -> BoxFuture<'static, Result<T>> {
        let mut invocation = script.prepare_invoke();
        invocation.key(self.lock_key(key)).key(self.redis_key(key));
        for arg in args {
            invocation.arg(arg);
        }
        self.spawn(move |inner| async move { inner.run::<T>(what, Request::Script(invocation)).await })
    }

    /// The effective connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.inner.connect_timeout
    }

    /// The effective per-command timeout.
    pub fn operation_timeout(&self) -> Duration {
        self.inner.operation_timeout
    }

    /// Sends `PING` (diagnostics, tests); bounded by the timeouts.
    pub fn ping(&self) -> BoxFuture<'static, Result<()>> {
        self.spawn(|inner| async move {
            let v: String = inner.query("PING", redis::cmd("PING")).await?;
            if v == "PONG" {
                Ok(())
            } else {
                Err(Error::io(format!("unexpected PING answer {v:?}")))
            }
        })
    }

    /// Runs `cmd` (`what` names it in errors) as [`spawn`](Self::spawn) does, ignoring its reply.
    fn fire(&self, what: &'static str, cmd: redis::Cmd) -> BoxFuture<'static, Result<()>> {
        self.spawn(move |inner| async move {
            inner.query::<Value>(what, cmd).await?;
            Ok(())
        })
    }

    fn spawn<T, F, Fut>(&self, f: F) -> BoxFuture<'static, Result<T>>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Inner>) -> Fut,
        Fut: std::future::Future<Output = Result<T>> + Send + 'static,
    {
        let inner = self.inner.clone();
        let bound = inner.connect_timeout + 2 * inner.operation_timeout + Duration::from_millis(100);
        self.io.run(bound, format!("Redis on {}", inner.display), f(inner.clone()))
    }
}

impl Inner {
    fn mark(&self, up: bool, detail: &str) {
        let new = if up { HEALTH_UP } else { HEALTH_DOWN };
        let old = self.health.swap(new, Ordering::AcqRel);
        if old == new {
            return;
        }
        match (old, up) {
            (HEALTH_DOWN, true) => logging::info(&format!("Redis session store: {} is reachable again", self.display)),
            (_, true) => logging::debug(&format!("Redis session store: connected to {}", self.display)),
            (_, false) => logging::warn(&format!(
                "Redis session store: {} is unreachable ({detail}); sessions act as empty and their changes are lost until it is back",
                self.display
            )),
        }
    }

    /// The connection in use and its endpoint's index, connecting when there is none (at most once
    /// per [`RETRY_BACKOFF`] after a failure): up to `connectRetry` rounds over every endpoint, from
    /// the preferred one, each attempt bounded by the connect timeout; `CLIENT SETNAME` on the new
    /// connection when the string named the client.
    async fn connection(&self) -> Result<(MultiplexedConnection, usize)> {
        let mut slot = self.conn.lock().await;
        if let Some(c) = &slot.conn {
            return Ok(c.clone());
        }
        if let Some((at, message)) = &slot.last_failure {
            if at.elapsed() < RETRY_BACKOFF {
                return Err(Error::io(message.clone()));
            }
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(self.connect_timeout)
            .set_response_timeout(self.operation_timeout);
        let n = self.endpoints.len();
        let start = self.preferred.load(Ordering::Relaxed) % n;
        let mut failures = Vec::new();
        for _round in 0..self.connect_retry {
            for k in 0..n {
                let i = (start + k) % n;
                let endpoint = &self.endpoints[i];
                let attempt = endpoint.client.get_multiplexed_async_connection_with_config(&config);
                let conn = match tokio::time::timeout(self.connect_timeout + self.operation_timeout, attempt).await {
                    Ok(Ok(conn)) => conn,
                    Ok(Err(e)) => {
                        failures.push(format!("{}: {e}", endpoint.display));
                        continue;
                    }
                    Err(_) => {
                        failures.push(format!("{}: timed out after {:?}", endpoint.display, self.connect_timeout));
                        continue;
                    }
                };
                let mut conn = conn;
                if let Some(name) = &self.client_name {
                    let mut cmd = redis::cmd("CLIENT");
                    cmd.arg("SETNAME").arg(name);
                    match tokio::time::timeout(self.operation_timeout, cmd.query_async::<()>(&mut conn)).await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => {
                            logging::warn(&format!("Redis on {}: CLIENT SETNAME failed: {e}", endpoint.display))
                        }
                        Err(_) => logging::warn(&format!("Redis on {}: CLIENT SETNAME timed out", endpoint.display)),
                    }
                }
                if n > 1 && i != start {
                    logging::warn(&format!(
                        "Redis session store: using {} ({})",
                        endpoint.display,
                        failures.join("; ")
                    ));
                }
                self.preferred.store(i, Ordering::Relaxed);
                *slot = ConnSlot { conn: Some((conn.clone(), i)), last_failure: None };
                return Ok((conn, i));
            }
        }
        let message = format!("cannot connect to Redis ({})", failures.join("; "));
        slot.last_failure = Some((Instant::now(), message.clone()));
        self.mark(false, &message);
        Err(Error::io(message))
    }

    /// Forgets the connection to endpoint `index` (it failed): the next call connects again, from the
    /// next endpoint when there are several (failover).
    async fn forget(&self, index: usize) {
        let mut slot = self.conn.lock().await;
        if slot.conn.as_ref().is_some_and(|(_, i)| *i == index) {
            slot.conn = None;
            if self.endpoints.len() > 1 {
                self.preferred.store((index + 1) % self.endpoints.len(), Ordering::Relaxed);
            }
        }
    }

    /// Runs `cmd`, retrying once when the connection was lost.
    async fn query<T: redis::FromRedisValue>(&self, what: &str, cmd: redis::Cmd) -> Result<T> {
        self.run(what, Request::Cmd(cmd)).await
    }

    /// Runs `request` (a command, a pipeline or a script). A lost connection is made again (on the
    /// next endpoint when there are several) and the request retried once; with several endpoints a
    /// timeout also moves the next call to the next endpoint.
    async fn run<T: redis::FromRedisValue>(&self, what: &str, request: Request) -> Result<T> {
        let mut retried = false;
        loop {
            let (mut conn, index) = self.connection().await?;
            let outcome = match &request {
                Request::Cmd(cmd) => cmd.query_async::<T>(&mut conn).await,
                Request::Pipe(pipe) => pipe.query_async::<T>(&mut conn).await,
                Request::Script(script) => script.invoke_async::<T>(&mut conn).await,
            };
            match outcome {
                Ok(v) => {
                    self.mark(true, "");
                    return Ok(v);
                }
                Err(e) if !retried && connection_lost(&e) => {
                    logging::verbose(&format!("Redis {what}: connection lost ({e}); retrying once"));
                    self.forget(index).await;
                    retried = true;
                }
                Err(e) => {
                    if e.is_io_error() || connection_lost(&e) || e.is_timeout() {
                        self.mark(false, &e.to_string());
                        if connection_lost(&e) || self.endpoints.len() > 1 {
                            self.forget(index).await;
                        }
                    }
                    return Err(redis_error(what, &self.display, e));
                }
            }
        }
    }
}

/// What [`Inner::run`] sends.
enum Request {
    Cmd(redis::Cmd),
    Pipe(redis::Pipeline),
    Script(redis::ScriptInvocation<'static>),
}

/// Takes the session's lock (`KEYS[1]`) for `ARGV[1]` (token) for `ARGV[2]` ms unless another token
/// holds it, then reads the state (`KEYS[2]`) and slides its expiry to `ARGV[3]` s: `{1, state}` or
/// `{0}` (busy). Taking a lock the token already holds succeeds (a retried call).
static LOCK_AND_LOAD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) or redis.call('GET', KEYS[1]) == ARGV[1] then
  local v = redis.call('GET', KEYS[2])
  if v then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
  return {1, v}
end
return {0}",
    )
});

/// Writes the state `ARGV[2]` (expiring after `ARGV[3]` s) and releases the lock, only if the token
/// `ARGV[1]` still holds it: 1, else 0 (nothing written).
static COMMIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0",
    )
});

/// Deletes the state and releases the lock if the token `ARGV[1]` holds it.
static DELETE_LOCKED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('DEL', KEYS[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1",
    )
});

/// Releases the lock if the token `ARGV[1]` holds it.
static UNLOCK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0",
    )
});

/// Replaces the key ring (`KEYS[1]`) with `ARGV[2]` if it still is `ARGV[1]` (`''`: absent): 1, else 0.
static SWAP_RING: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local cur = redis.call('GET', KEYS[1])
if (cur == false and ARGV[1] == '') or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0",
    )
});

/// The Redis key of the session cookie key ring, after the prefix (no session key looks like it:
/// those are 64 letters and digits).
pub const KEY_RING_KEY: &str = "Kestrun.Rust:SessionKeyRing";

/// `ms` as Redis wants it for `PX` (at least 1).
fn lock_ms(lock_ttl: Duration) -> u64 {
    u64::try_from(lock_ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn parse_state(redis_key: &str, value: Option<String>) -> Result<Option<SessionState>> {
    value.map(|json| state_from_json(&format!("Redis key {redis_key:?}"), &json)).transpose()
}

fn ttl_seconds(ttl: Duration) -> u64 {
    ttl.as_secs().max(1)
}

impl SessionBackend for RedisBackend {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionState>>> {
        let redis_key = self.redis_key(key);
        self.spawn(move |inner| async move {
            let value: Option<String> = inner.query("GET", redis::cmd("GET").arg(&redis_key).clone()).await?;
            parse_state(&redis_key, value)
        })
    }

    fn load_and_touch<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<SessionState>>> {
        let redis_key = self.redis_key(key);
        self.spawn(move |inner| async move {
            // GET + EXPIRE in one round trip (a pipeline: works on every Redis version, unlike GETEX).
            let mut pipe = redis::pipe();
            pipe.cmd("GET").arg(&redis_key).cmd("EXPIRE").arg(&redis_key).arg(ttl_seconds(ttl)).ignore();
            let (value,): (Option<String>,) = inner.run("GET + EXPIRE", Request::Pipe(pipe)).await?;
            parse_state(&redis_key, value)
        })
    }

    fn save<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let redis_key = self.redis_key(key);
        self.spawn(move |inner| async move {
            let body = state_to_json(&state)?;
            let mut cmd = redis::cmd("SET");
            cmd.arg(&redis_key).arg(body).arg("NX").arg("EX").arg(ttl_seconds(ttl));
            match inner.query::<Value>("SET NX", cmd).await? {
                Value::Nil => Err(Error::io(format!("session key {redis_key:?} already exists in Redis"))),
                _ => Ok(()),
            }
        })
    }

    fn update<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let redis_key = self.redis_key(key);
        self.spawn(move |inner| async move {
            let body = state_to_json(&state)?;
            let mut cmd = redis::cmd("SET");
            cmd.arg(&redis_key).arg(&body).arg("XX").arg("EX").arg(ttl_seconds(ttl));
            if let Value::Nil = inner.query::<Value>("SET XX", cmd).await? {
                // Expired between load and update: store it again under the same key.
                let mut cmd = redis::cmd("SET");
                cmd.arg(&redis_key).arg(&body).arg("EX").arg(ttl_seconds(ttl));
                inner.query::<Value>("SET", cmd).await?;
            }
            Ok(())
        })
    }

    fn update_ttl<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let mut cmd = redis::cmd("EXPIRE");
        cmd.arg(self.redis_key(key)).arg(ttl_seconds(ttl));
        self.fire("EXPIRE", cmd)
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(self.redis_key(key));
        self.fire("DEL", cmd)
    }

    /// Yes: a lock key per session (`<prefix><key>:lock`) holding a random token, set with `NX` and
    /// an expiry of the IO timeout, so the requests of one session run one at a time across every
    /// server sharing this Redis; the commit writes only while the token still holds the lock.
    fn locks_across_processes(&self) -> bool {
        true
    }

    fn lock_and_load<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        lock_ttl: Duration,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<LockedLoad>> {
        let redis_key = self.redis_key(key);
        let args = vec![
            token.as_bytes().to_vec(),
            lock_ms(lock_ttl).to_string().into_bytes(),
            ttl_seconds(ttl).to_string().into_bytes(),
        ];
        let call = self.script::<Vec<Value>>("lock + GET + EXPIRE", &LOCK_AND_LOAD, key, args);
        Box::pin(async move {
            let reply = call.await?;
            match reply.as_slice() {
                [Value::Int(1)] | [Value::Int(1), Value::Nil] => Ok(LockedLoad::Acquired(None)),
                [Value::Int(1), value] => {
                    let json: String = redis::from_redis_value(value)
                        .map_err(|e| Error::io(format!("session state in Redis key {redis_key:?}: {e}")))?;
                    parse_state(&redis_key, Some(json)).map(LockedLoad::Acquired)
                }
                [Value::Int(0)] => Ok(LockedLoad::Busy),
                other => Err(Error::io(format!("unexpected answer of the session lock script: {other:?}"))),
            }
        })
    }

    fn update_locked<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        state: SessionState,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool>> {
        let body = match state_to_json(&state) {
            Ok(b) => b,
            Err(e) => return Box::pin(async move { Err(e) }),
        };
        let args = vec![token.as_bytes().to_vec(), body.into_bytes(), ttl_seconds(ttl).to_string().into_bytes()];
        let call = self.script::<i64>("SET (locked)", &COMMIT, key, args);
        Box::pin(async move { Ok(call.await? == 1) })
    }

    fn delete_locked<'a>(&'a self, key: &'a str, token: &'a str) -> BoxFuture<'a, Result<()>> {
        let call = self.script::<i64>("DEL (locked)", &DELETE_LOCKED, key, vec![token.as_bytes().to_vec()]);
        Box::pin(async move { call.await.map(|_| ()) })
    }

    fn unlock<'a>(&'a self, key: &'a str, token: &'a str) -> BoxFuture<'a, Result<()>> {
        let call = self.script::<i64>("unlock", &UNLOCK, key, vec![token.as_bytes().to_vec()]);
        Box::pin(async move { call.await.map(|_| ()) })
    }

    /// Yes: one key, `<prefix>Kestrun.Rust:SessionKeyRing` (no expiry), holding the ring's JSON;
    /// changed only by a compare-and-set script.
    fn keeps_key_ring(&self) -> bool {
        true
    }

    fn load_key_ring(&self) -> BoxFuture<'_, Result<Option<String>>> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(self.redis_key(KEY_RING_KEY));
        self.spawn(move |inner| async move { inner.query::<Option<String>>("GET key ring", cmd).await })
    }

    fn swap_key_ring(&self, expected: Option<String>, new: String) -> BoxFuture<'_, Result<bool>> {
        let mut invocation = SWAP_RING.prepare_invoke();
        invocation.key(self.redis_key(KEY_RING_KEY)).arg(expected.unwrap_or_default()).arg(new);
        self.spawn(move |inner| async move {
            inner.run::<i64>("SET key ring", Request::Script(invocation)).await.map(|n| n == 1)
        })
    }

    fn server_starting(&self, server_name: &str) {
        let name = server_name.to_string();
        let inner = self.inner.clone();
        logging::info(&format!(
            "Server '{name}': sessions in Redis on {} (key prefix {:?}; connected lazily)",
            inner.display, inner.prefix
        ));
        let ping = self.ping();
        self.io.spawn(async move {
            if ping.await.is_ok() {
                logging::info(&format!("Server '{name}': Redis session store on {} is reachable", inner.display));
                return;
            }
            // A failure was logged as "unreachable" by the health tracking. With abortConnect=false
            // (StackExchange.Redis keeps connecting in the background) keep trying until connected;
            // calls meanwhile fail fast.
            while !inner.abort_connect && inner.conn.lock().await.conn.is_none() {
                tokio::time::sleep(RETRY_BACKOFF * 2).await;
                let _ = inner.connection().await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        let ms = |ms: u64| (ms > 0).then(|| Duration::from_millis(ms));
        let o = |c: u64, op: u64, s: &str| RedisOptions {
            connection: s.into(),
            key_prefix: "p:".into(),
            connect_timeout: ms(c),
            operation_timeout: ms(op),
        };
        let b = RedisBackend::new(&o(0, 0, "localhost:1")).unwrap();
        assert_eq!((b.connect_timeout(), b.operation_timeout()), (DEFAULT_CONNECT_TIMEOUT, DEFAULT_OPERATION_TIMEOUT));
        let b = RedisBackend::new(&o(0, 0, "localhost:1,connectTimeout=700,syncTimeout=300")).unwrap();
        assert_eq!(
            (b.connect_timeout(), b.operation_timeout()),
            (Duration::from_millis(700), Duration::from_millis(300))
        );
        let b = RedisBackend::new(&o(900, 80, "localhost:1,connectTimeout=700")).unwrap();
        assert_eq!(
            (b.connect_timeout(), b.operation_timeout()),
            (Duration::from_millis(900), Duration::from_millis(80))
        );
        assert_eq!(b.redis_key("abc"), "p:abc");
        assert!(RedisBackend::new(&o(4_000_000, 0, "localhost:1")).is_err());
    }

    #[test]
    fn unreachable_fails_fast_and_bounded() {
        // A port nothing listens on: refused at once; the backoff makes the next call fail at once too.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let b = RedisBackend::new(&RedisOptions {
            connection: format!("127.0.0.1:{port}"),
            key_prefix: String::new(),
            connect_timeout: Some(Duration::from_millis(500)),
            operation_timeout: Some(Duration::from_millis(500)),
        })
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let t = Instant::now();
        assert!(rt.block_on(b.load("k")).is_err());
        assert!(rt.block_on(b.save("k", SessionState::new(), Duration::from_secs(5))).is_err());
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        drop(rt);
        drop(b); // outside any runtime: joins the I/O thread
    }
}
