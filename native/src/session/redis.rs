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
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, ConnectionAddr, ConnectionInfo, ProtocolVersion, RedisConnectionInfo, RedisError, Value};

use super::options::RedisOptions;
use super::store::{BoxFuture, SessionBackend, SessionState};
use crate::error::{Error, Result};
use crate::logging;

/// Connect timeout when neither the caller nor the connection string sets one (StackExchange.Redis's).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(5000);
/// Per-command timeout when neither the caller nor the connection string sets one (StackExchange's
/// `syncTimeout`).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_millis(5000);
/// Largest accepted connect / operation timeout.
const MAX_TIMEOUT_MS: u64 = 3_600_000;
/// After a failed first connect, calls fail at once for this long before the next attempt.
pub const RETRY_BACKOFF: Duration = Duration::from_millis(500);
const DEFAULT_PORT: u16 = 6379;
const DEFAULT_TLS_PORT: u16 = 6380;

/// A parsed Redis connection string.
#[derive(Debug, Clone)]
pub struct RedisConnection {
    /// Where and how to connect.
    pub info: ConnectionInfo,
    /// `connectTimeout=` of a StackExchange-style string.
    pub connect_timeout: Option<Duration>,
    /// `syncTimeout=` / `asyncTimeout=` of a StackExchange-style string.
    pub operation_timeout: Option<Duration>,
    /// Endpoints after the first of a StackExchange-style string (not used: no failover).
    pub ignored_endpoints: Vec<String>,
}

fn bad(connection: &str, why: impl std::fmt::Display) -> Error {
    Error::invalid_argument(format!("invalid Redis connection string {:?}: {why}", redact(connection)))
}

/// `connection` with any password replaced by `***` (for messages and logs).
pub fn redact(connection: &str) -> String {
    if let Some((scheme, rest)) = connection.split_once("://") {
        // URL form: scheme://[user[:password]@]host...
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            let userinfo = &rest[..at];
            let user = userinfo.split_once(':').map_or("", |(u, _)| u);
            let shown = if userinfo.contains(':') { format!("{user}:***") } else { "***".to_string() };
            return format!("{scheme}://{shown}@{}", &rest[at + 1..]);
        }
        return connection.to_string();
    }
    connection
        .split(',')
        .map(|part| match part.split_once('=') {
            Some((k, _)) if k.trim().eq_ignore_ascii_case("password") => format!("{}=***", k),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_bool(connection: &str, key: &str, v: &str) -> Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        other => Err(bad(connection, format!("{key}={other:?} is not true or false"))),
    }
}

fn parse_ms(connection: &str, key: &str, v: &str) -> Result<Duration> {
    match v.trim().parse::<u64>() {
        Ok(ms) if (1..=MAX_TIMEOUT_MS).contains(&ms) => Ok(Duration::from_millis(ms)),
        _ => Err(bad(connection, format!("{key}={v:?} is not a number of milliseconds in 1..={MAX_TIMEOUT_MS}"))),
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` → (host, port).
fn parse_endpoint(connection: &str, endpoint: &str, default_port: u16) -> Result<(String, u16)> {
    let endpoint = endpoint.trim();
    let (host, port) = if let Some(rest) = endpoint.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| bad(connection, "unclosed '[' in an IPv6 address"))?;
        match after {
            "" => (host, None),
            p if p.starts_with(':') => (host, Some(&p[1..])),
            _ => return Err(bad(connection, format!("unexpected {after:?} after an IPv6 address"))),
        }
    } else if endpoint.matches(':').count() > 1 {
        (endpoint, None) // a bare IPv6 address
    } else {
        match endpoint.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (endpoint, None),
        }
    };
    if host.is_empty() || host.bytes().any(|b| b.is_ascii_whitespace() || b == b'/' || b == b'@') {
        return Err(bad(connection, format!("{endpoint:?} is not a host[:port]")));
    }
    let port = match port {
        None => default_port,
        Some(p) => match p.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err(bad(connection, format!("port {p:?} is not 1..=65535"))),
        },
    };
    Ok((host.to_string(), port))
}

impl RedisConnection {
    /// Parses a connection string (see the module docs); `InvalidArgument` naming the problem
    /// (passwords are never echoed).
    pub fn parse(connection: &str) -> Result<RedisConnection> {
        let s = connection.trim();
        if s.is_empty() {
            return Err(Error::invalid_argument("Redis connection string is empty"));
        }
        if s.contains("://") {
            let scheme = s.split("://").next().unwrap_or_default().to_ascii_lowercase();
            if !matches!(scheme.as_str(), "redis" | "rediss" | "unix" | "redis+unix") {
                return Err(bad(s, format!("scheme {scheme:?} is not redis, rediss, unix or redis+unix")));
            }
            let client = Client::open(s).map_err(|e| bad(s, e))?;
            let info = client.get_connection_info().clone();
            if !info.addr.is_supported() {
                return Err(bad(s, "this address type is not supported on this platform"));
            }
            return Ok(RedisConnection {
                info,
                connect_timeout: None,
                operation_timeout: None,
                ignored_endpoints: vec![],
            });
        }
        // StackExchange.Redis configuration: endpoints and key=value options, comma-separated.
        let mut endpoints = Vec::new();
        let mut password = None;
        let mut username = None;
        let mut ssl = false;
        let mut db = 0i64;
        let mut connect_timeout = None;
        let mut operation_timeout = None;
        let mut resp3 = false;
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, value)) = part.split_once('=') else {
                endpoints.push(part.to_string());
                continue;
            };
            let key = key.trim();
            match key.to_ascii_lowercase().as_str() {
                "password" => password = Some(value.to_string()).filter(|p| !p.is_empty()),
                "user" => username = Some(value.trim().to_string()).filter(|u| !u.is_empty()),
                "ssl" => ssl = parse_bool(s, key, value)?,
                "defaultdatabase" => {
                    db = match value.trim().parse::<i64>() {
                        Ok(n) if n >= 0 => n,
                        _ => return Err(bad(s, format!("defaultDatabase={value:?} is not a database number"))),
                    }
                }
                "connecttimeout" => connect_timeout = Some(parse_ms(s, key, value)?),
                "synctimeout" | "asynctimeout" => operation_timeout = Some(parse_ms(s, key, value)?),
                "protocol" => {
                    resp3 = match value.trim().to_ascii_lowercase().as_str() {
                        "resp3" | "3" => true,
                        "resp2" | "2" => false,
                        other => return Err(bad(s, format!("protocol={other:?} is not resp2 or resp3"))),
                    }
                }
                // Accepted for compatibility, no effect here: connections are always lazy and retried
                // (abortConnect=false behaviour), the rest tune StackExchange.Redis internals.
                "abortconnect"
                | "allowadmin"
                | "keepalive"
                | "connectretry"
                | "name"
                | "clientname"
                | "resolvedns"
                | "checkcertificaterevocation"
                | "sslprotocols"
                | "sslhost"
                | "tiebreaker"
                | "version"
                | "configchannel"
                | "channelprefix"
                | "servicename"
                | "proxy"
                | "setlib"
                | "responsetimeout"
                | "configcheckseconds"
                | "heartbeatinterval"
                | "highprioritysocketthreads"
                | "includedetailinexceptions"
                | "includeperformancecountersinexceptions" => {
                    if key.eq_ignore_ascii_case("abortConnect") {
                        parse_bool(s, key, value)?;
                    }
                }
                _ => return Err(bad(s, format!("option {key:?} is not supported"))),
            }
        }
        let Some(first) = endpoints.first() else {
            return Err(bad(s, "no host[:port] endpoint"));
        };
        let (host, port) = parse_endpoint(s, first, if ssl { DEFAULT_TLS_PORT } else { DEFAULT_PORT })?;
        for other in &endpoints[1..] {
            parse_endpoint(s, other, DEFAULT_PORT)?;
        }
        let addr = if ssl {
            ConnectionAddr::TcpTls { host, port, insecure: false, tls_params: None }
        } else {
            ConnectionAddr::Tcp(host, port)
        };
        let redis = RedisConnectionInfo {
            db,
            username,
            password,
            protocol: if resp3 { ProtocolVersion::RESP3 } else { ProtocolVersion::RESP2 },
        };
        Ok(RedisConnection {
            info: ConnectionInfo { addr, redis },
            connect_timeout,
            operation_timeout,
            ignored_endpoints: endpoints[1..].to_vec(),
        })
    }

    /// `redis://host:port/db` / `rediss://…` / `unix:…` without credentials (for logs).
    pub fn display(&self) -> String {
        let db = self.info.redis.db;
        let auth = if self.info.redis.password.is_some() { "***@" } else { "" };
        match &self.info.addr {
            ConnectionAddr::Tcp(h, p) if h.contains(':') => format!("redis://{auth}[{h}]:{p}/{db}"),
            ConnectionAddr::Tcp(h, p) => format!("redis://{auth}{h}:{p}/{db}"),
            ConnectionAddr::TcpTls { host, port, .. } if host.contains(':') => {
                format!("rediss://{auth}[{host}]:{port}/{db}")
            }
            ConnectionAddr::TcpTls { host, port, .. } => format!("rediss://{auth}{host}:{port}/{db}"),
            ConnectionAddr::Unix(path) => format!("unix://{auth}{}?db={db}", path.display()),
        }
    }
}

const HEALTH_UNKNOWN: u8 = 0;
const HEALTH_UP: u8 = 1;
const HEALTH_DOWN: u8 = 2;

/// The lazily created connection manager, and when / why the last failed first connect happened.
#[derive(Default)]
struct ConnSlot {
    manager: Option<ConnectionManager>,
    last_failure: Option<(Instant, String)>,
}

struct Inner {
    client: Client,
    prefix: String,
    display: String,
    connect_timeout: Duration,
    operation_timeout: Duration,
    conn: tokio::sync::Mutex<ConnSlot>,
    health: AtomicU8,
}

/// Session state in Redis (see the module docs).
pub struct RedisBackend {
    inner: Arc<Inner>,
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
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
        let display = parsed.display();
        if !parsed.ignored_endpoints.is_empty() {
            logging::warn(&format!(
                "Redis session store: only the first endpoint ({display}) is used; ignored: {}",
                parsed.ignored_endpoints.join(", ")
            ));
        }
        let client = Client::open(parsed.info).map_err(|e| Error::invalid_argument(format!("Redis client: {e}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .thread_name("kr-redis")
            .enable_all()
            .build()
            .map_err(|e| Error::internal(format!("cannot start the Redis I/O thread: {e}")))?;
        let handle = runtime.handle().clone();
        Ok(RedisBackend {
            inner: Arc::new(Inner {
                client,
                prefix: options.key_prefix.clone(),
                display,
                connect_timeout,
                operation_timeout,
                conn: tokio::sync::Mutex::new(ConnSlot::default()),
                health: AtomicU8::new(HEALTH_UNKNOWN),
            }),
            runtime: Some(runtime),
            handle,
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
        let fut = f(inner.clone());
        // The timer is created inside the task: only the backend's runtime has a time driver for sure.
        let task = self.handle.spawn(async move { tokio::time::timeout(bound, fut).await });
        Box::pin(async move {
            match task.await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => {
                    Err(Error::timeout(format!("Redis on {} did not answer within {bound:?}", inner.display)))
                }
                Err(e) => Err(Error::internal(format!("Redis task failed: {e}"))),
            }
        })
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

    /// The connection manager, connecting on first use (at most once per [`RETRY_BACKOFF`]).
    async fn manager(&self) -> Result<ConnectionManager> {
        let mut slot = self.conn.lock().await;
        if let Some(m) = &slot.manager {
            return Ok(m.clone());
        }
        if let Some((at, message)) = &slot.last_failure {
            if at.elapsed() < RETRY_BACKOFF {
                return Err(Error::io(message.clone()));
            }
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(self.connect_timeout)
            .set_response_timeout(self.operation_timeout)
            .set_number_of_retries(0);
        let attempt = ConnectionManager::new_with_config(self.client.clone(), config);
        let result = match tokio::time::timeout(self.connect_timeout + self.operation_timeout, attempt).await {
            Ok(Ok(m)) => Ok(m),
            Ok(Err(e)) => Err(format!("cannot connect to Redis on {}: {e}", self.display)),
            Err(_) => {
                Err(format!("cannot connect to Redis on {}: timed out after {:?}", self.display, self.connect_timeout))
            }
        };
        match result {
            Ok(m) => {
                *slot = ConnSlot { manager: Some(m.clone()), last_failure: None };
                Ok(m)
            }
            Err(message) => {
                slot.last_failure = Some((Instant::now(), message.clone()));
                self.mark(false, &message);
                Err(Error::io(message))
            }
        }
    }

    /// Runs `cmd`, retrying once when the connection was lost (the manager reconnects).
    async fn query<T: redis::FromRedisValue>(&self, what: &str, cmd: redis::Cmd) -> Result<T> {
        self.run(what, Request::Cmd(cmd)).await
    }

    /// Runs `request` (a command or a pipeline), retrying once when the connection was lost.
    async fn run<T: redis::FromRedisValue>(&self, what: &str, request: Request) -> Result<T> {
        let mut conn = self.manager().await?;
        let mut retried = false;
        loop {
            let outcome = match &request {
                Request::Cmd(cmd) => cmd.query_async::<T>(&mut conn).await,
                Request::Pipe(pipe) => pipe.query_async::<T>(&mut conn).await,
            };
            match outcome {
                Ok(v) => {
                    self.mark(true, "");
                    return Ok(v);
                }
                Err(e) if !retried && connection_lost(&e) => {
                    logging::verbose(&format!("Redis {what}: connection lost ({e}); retrying once"));
                    retried = true;
                }
                Err(e) => {
                    if e.is_io_error() || connection_lost(&e) || e.is_timeout() {
                        self.mark(false, &e.to_string());
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
}

fn parse_state(redis_key: &str, value: Option<String>) -> Result<Option<SessionState>> {
    match value {
        None => Ok(None),
        Some(json) => serde_json::from_str::<HashMap<String, String>>(&json)
            .map(Some)
            .map_err(|e| Error::io(format!("session state in Redis key {redis_key:?} is not valid JSON: {e}"))),
    }
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
            let body = serde_json::to_string(&state).map_err(|e| Error::internal(format!("session state: {e}")))?;
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
            let body = serde_json::to_string(&state).map_err(|e| Error::internal(format!("session state: {e}")))?;
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

    fn server_starting(&self, server_name: &str) {
        let name = server_name.to_string();
        let inner = self.inner.clone();
        logging::info(&format!(
            "Server '{name}': sessions in Redis on {} (key prefix {:?}; connected lazily)",
            inner.display, inner.prefix
        ));
        let ping = self.ping();
        self.handle.spawn(async move {
            if ping.await.is_ok() {
                logging::info(&format!("Server '{name}': Redis session store on {} is reachable", inner.display));
            }
            // A failure was logged as "unreachable" by the health tracking.
        });
    }
}

impl Drop for RedisBackend {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            // Blocking on the shutdown is not allowed inside an async context.
            if tokio::runtime::Handle::try_current().is_ok() {
                rt.shutdown_background();
            } else {
                rt.shutdown_timeout(Duration::from_secs(2));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(c: &RedisConnection) -> (String, u16) {
        match &c.info.addr {
            ConnectionAddr::Tcp(h, p) => (h.clone(), *p),
            ConnectionAddr::TcpTls { host, port, .. } => (host.clone(), *port),
            other => panic!("not TCP: {other:?}"),
        }
    }

    #[test]
    fn parses_urls() {
        let c = RedisConnection::parse("redis://127.0.0.1:6390/2").unwrap();
        assert_eq!(tcp(&c), ("127.0.0.1".into(), 6390));
        assert_eq!(c.info.redis.db, 2);
        assert_eq!(c.display(), "redis://127.0.0.1:6390/2");
        let c = RedisConnection::parse("redis://:s3cr%40t@example.com").unwrap();
        assert_eq!(c.info.redis.password.as_deref(), Some("s3cr@t"));
        assert_eq!(tcp(&c), ("example.com".into(), 6379));
        assert_eq!(c.display(), "redis://***@example.com:6379/0");
        let c = RedisConnection::parse("rediss://user:pw@cache.local:6380/1").unwrap();
        assert!(matches!(c.info.addr, ConnectionAddr::TcpTls { insecure: false, .. }));
        assert_eq!(c.info.redis.username.as_deref(), Some("user"));
        assert_eq!(c.display(), "rediss://***@cache.local:6380/1");
        assert!(RedisConnection::parse("http://x:1").is_err());
        assert!(RedisConnection::parse("redis://host:notaport").is_err());
        assert!(RedisConnection::parse("   ").is_err());
    }

    #[test]
    fn parses_stackexchange_form() {
        let c = RedisConnection::parse("localhost:6379").unwrap();
        assert_eq!(tcp(&c), ("localhost".into(), 6379));
        assert_eq!(c.info.redis.db, 0);
        let c = RedisConnection::parse("localhost").unwrap();
        assert_eq!(tcp(&c), ("localhost".into(), 6379));
        let c = RedisConnection::parse(
            "cache.example:7000,password=p,w=rd,ssl=True,defaultDatabase=3,abortConnect=false,connectTimeout=1500,syncTimeout=250",
        );
        assert!(c.is_err(), "'w=rd' is an unknown option");
        let c = RedisConnection::parse(
            "cache.example:7000, password=p=w, ssl=True ,defaultDatabase=3,abortConnect=false,connectTimeout=1500,syncTimeout=250,user=me",
        )
        .unwrap();
        assert!(matches!(&c.info.addr, ConnectionAddr::TcpTls { host, port: 7000, .. } if host == "cache.example"));
        assert_eq!(c.info.redis.password.as_deref(), Some("p=w"));
        assert_eq!(c.info.redis.username.as_deref(), Some("me"));
        assert_eq!(c.info.redis.db, 3);
        assert_eq!(c.connect_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(c.operation_timeout, Some(Duration::from_millis(250)));
        let c = RedisConnection::parse("secure.example,ssl=true").unwrap();
        assert_eq!(tcp(&c), ("secure.example".into(), 6380), "TLS default port is 6380 (StackExchange)");
        let c = RedisConnection::parse("[::1]:6390").unwrap();
        assert_eq!(tcp(&c), ("::1".into(), 6390));
        assert_eq!(c.display(), "redis://[::1]:6390/0");
        let c = RedisConnection::parse("a:1,b:2").unwrap();
        assert_eq!(tcp(&c), ("a".into(), 1));
        assert_eq!(c.ignored_endpoints, vec!["b:2".to_string()]);
        for bad in [
            "host:0",
            "host:99999",
            "host:1,ssl=maybe",
            "password=x",
            "host:1,defaultDatabase=-1",
            "host:1,connectTimeout=0",
            "a b:1",
        ] {
            assert!(RedisConnection::parse(bad).is_err(), "{bad} must be rejected");
        }
    }

    #[test]
    fn errors_and_redaction_never_show_passwords() {
        let e = RedisConnection::parse("host:1,password=hunter2,bogus=1").unwrap_err();
        assert!(!e.message().contains("hunter2"), "{}", e.message());
        assert!(e.message().contains("password=***"), "{}", e.message());
        assert_eq!(redact("redis://:hunter2@h:1/0"), "redis://:***@h:1/0");
        assert_eq!(redact("redis://u:hunter2@h:1/0"), "redis://u:***@h:1/0");
        assert_eq!(redact("redis://h:1/0"), "redis://h:1/0");
    }

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
