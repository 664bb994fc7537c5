//! [`Server`]: configuration and lifecycle.
//!
//! `start` binds every endpoint on the caller's thread (so bind errors are returned with the
//! address), starts the callback pool and a server thread running an actix `System` with the
//! HTTP server (its worker threads are actix-server's), and returns. `stop` is graceful: no new
//! connections, in-flight requests finish (idle keep-alive connections are closed), bounded by the
//! timeout after which connections are dropped; then every thread the server created is gone:
//! the server thread and callback threads are joined, actix's worker threads are waited for.
//! A server can be started again after a stop; dropping a running server stops it.
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::app::{AppParts, HeaderLimits};
use crate::callback_pool::{CallbackPool, CallbackPoolStats, PoolOptions, ThreadExitHook};
use crate::dispatch::Dispatcher;
use crate::endpoint::{Endpoint, EndpointSpec, HttpProtocols};
use crate::error::{Error, Result};
use crate::listener::{self, ConnectionSettings, Connections, Listener};
use crate::logging;
use crate::routes::{RouteHandler, RouteOptions, RouteTable};
use crate::session::sql::{PostgresBackend, PostgresOptions, SqliteBackend, SqliteOptions};
use crate::session::{MemoryBackend, RedisBackend, RedisOptions, SessionBackend, SessionOptions, SessionRuntime};
use crate::threads::ThreadTracker;

pub use crate::tls::TlsSpec;

/// Default request body limit: 30 MiB (ASP.NET Core's).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 30 * 1024 * 1024;
/// Default wait for a free callback thread: 30 s.
pub const DEFAULT_CALLBACK_WAIT: Duration = Duration::from_secs(30);
/// Default graceful shutdown timeout: 5 s.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// Extra time allowed after the shutdown timeout for threads to exit once connections were dropped.
const THREAD_EXIT_GRACE: Duration = Duration::from_secs(10);
/// How long `start` waits for the server thread to report that it serves.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Default minimum of callback threads (started with the server, kept warm): 2 × cores.
pub fn default_callback_threads() -> usize {
    (2 * num_cpus::get()).clamp(1, 1024)
}

/// Default maximum of callback threads: max(32, 4 × cores). The pool grows to it only while that many
/// callbacks run at once (slow routes), so a handful of slow calls never delays the other routes; it
/// bounds what a burst costs (with PowerShell one runspace per thread, see docs/DESIGN.md).
pub fn default_max_callback_threads() -> usize {
    (4 * num_cpus::get()).clamp(32, 1024)
}

/// Default time after which callback threads above the minimum that the pool did not need are released: 60 s.
pub const DEFAULT_CALLBACK_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

struct Config {
    endpoints: Vec<Endpoint>,
    callback_min: usize,
    callback_max: usize,
    callback_idle_timeout: Duration,
    thread_exit_hook: Option<ThreadExitHook>,
    callback_wait: Duration,
    shutdown_timeout: Duration,
    max_body: u64,
    workers: usize,
    tls_handshake_timeout: Duration,
    max_tls_handshakes: usize,
    header_limits: HeaderLimits,
    routes: RouteTable,
    sessions: Option<Arc<SessionRuntime>>,
    custom_backend: Option<Arc<dyn SessionBackend>>,
}

struct Running {
    thread: std::thread::JoinHandle<()>,
    handle: actix_web::dev::ServerHandle,
    force_tx: Option<tokio::sync::oneshot::Sender<()>>,
    done_rx: std::sync::mpsc::Receiver<()>,
    pool: Arc<CallbackPool>,
    tracker: Arc<ThreadTracker>,
}

enum Phase {
    Stopped,
    Running(Box<Running>),
    Stopping,
}

struct State {
    config: Config,
    phase: Phase,
}

/// A web server: endpoints, routes, optional sessions. Every method takes `&self`, so it can be
/// shared (`Arc<Server>`); configuration methods fail with `InvalidState` while it runs.
pub struct Server {
    name: String,
    state: Mutex<State>,
    phase_changed: Condvar,
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// A `what` thread count checked against `range` (`InvalidArgument` outside it).
fn thread_count(count: u32, range: std::ops::RangeInclusive<u32>, what: &str) -> Result<usize> {
    if !range.contains(&count) {
        return Err(Error::invalid_argument(format!("{what} thread count {count} is not in {range:?}")));
    }
    Ok(count as usize)
}

impl Server {
    /// A stopped server without endpoints or routes. `name` must not be empty.
    pub fn new(name: &str) -> Result<Server> {
        if name.trim().is_empty() {
            return Err(Error::invalid_argument("server name is empty"));
        }
        Ok(Server {
            name: name.to_string(),
            state: Mutex::new(State {
                config: Config {
                    endpoints: Vec::new(),
                    callback_min: default_callback_threads(),
                    callback_max: default_max_callback_threads().max(default_callback_threads()),
                    callback_idle_timeout: DEFAULT_CALLBACK_IDLE_TIMEOUT,
                    thread_exit_hook: None,
                    callback_wait: DEFAULT_CALLBACK_WAIT,
                    shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
                    max_body: DEFAULT_MAX_BODY_BYTES,
                    workers: num_cpus::get().clamp(1, 4),
                    tls_handshake_timeout: listener::DEFAULT_TLS_HANDSHAKE_TIMEOUT,
                    max_tls_handshakes: listener::DEFAULT_MAX_CONCURRENT_TLS_HANDSHAKES,
                    header_limits: HeaderLimits::default(),
                    routes: RouteTable::default(),
                    sessions: None,
                    custom_backend: None,
                },
                phase: Phase::Stopped,
            }),
            phase_changed: Condvar::new(),
        })
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn configure<R>(&self, f: impl FnOnce(&mut Config) -> Result<R>) -> Result<R> {
        let mut st = self.state.lock();
        match st.phase {
            Phase::Stopped => f(&mut st.config),
            Phase::Running(_) => Err(Error::invalid_state(format!("server '{}' is running; stop it first", self.name))),
            Phase::Stopping => Err(Error::invalid_state(format!("server '{}' is stopping", self.name))),
        }
    }

    /// [`configure`](Self::configure) for a change that cannot fail by itself.
    fn set(&self, f: impl FnOnce(&mut Config)) -> Result<()> {
        self.configure(|c| {
            f(c);
            Ok(())
        })
    }

    /// Adds an endpoint; returns its index. TLS material is generated / read now (errors here).
    pub fn add_endpoint(&self, spec: EndpointSpec) -> Result<usize> {
        let endpoint = Endpoint::from_spec(&spec)?;
        self.configure(|c| {
            c.endpoints.push(endpoint);
            Ok(c.endpoints.len() - 1)
        })
    }

    /// Adds an HTTP endpoint.
    pub fn add_endpoint_http(&self, address: &str, port: u16) -> Result<usize> {
        self.add_endpoint(EndpointSpec::http(address, port))
    }

    /// Adds an HTTPS endpoint with a self-signed certificate generated in memory.
    pub fn add_endpoint_https_self_signed(&self, address: &str, port: u16) -> Result<usize> {
        self.add_endpoint(EndpointSpec::https_self_signed(address, port))
    }

    /// Adds an HTTPS endpoint with a PEM certificate chain and private key read from files now.
    pub fn add_endpoint_https_pem(
        &self,
        address: &str,
        port: u16,
        cert_path: &std::path::Path,
        key_path: &std::path::Path,
    ) -> Result<usize> {
        self.add_endpoint(EndpointSpec::https_pem_files(address, port, cert_path, key_path))
    }

    /// A fixed number of callback threads (1..=1024): minimum and maximum both `count`.
    pub fn set_callback_threads(&self, count: u32) -> Result<()> {
        let count = thread_count(count, 1..=1024, "callback")?;
        self.set(|c| (c.callback_min, c.callback_max) = (count, count))
    }

    /// The callback pool's bounds (each 1..=1024): `min` threads start with the server and stay,
    /// the pool grows up to `max` while callbacks are busy. `None` keeps a bound; when only one is
    /// given and it crosses the other, the other follows it (`max` 2 with the default minimum 8 → 2..=2).
    /// Both given with `min > max` → `InvalidArgument`.
    pub fn set_callback_thread_limits(&self, min: Option<u32>, max: Option<u32>) -> Result<()> {
        let min = min.map(|n| thread_count(n, 1..=1024, "minimum callback")).transpose()?;
        let max = max.map(|n| thread_count(n, 1..=1024, "maximum callback")).transpose()?;
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Err(Error::invalid_argument(format!(
                    "the minimum callback thread count {lo} exceeds the maximum {hi}"
                )));
            }
        }
        self.set(|c| {
            if let Some(hi) = max {
                c.callback_max = hi;
                c.callback_min = c.callback_min.min(hi);
            }
            if let Some(lo) = min {
                c.callback_min = lo;
                c.callback_max = c.callback_max.max(lo);
            }
        })
    }

    /// How long callback threads above the minimum may go unused before they are released (default
    /// 60 s; must not be zero). A released thread runs the thread-exit hook first.
    pub fn set_callback_idle_timeout(&self, timeout: Duration) -> Result<()> {
        if timeout.is_zero() {
            return Err(Error::invalid_argument("the callback idle timeout must be greater than zero"));
        }
        self.set(|c| c.callback_idle_timeout = timeout)
    }

    /// A hook every callback thread runs on itself right before it exits (released when idle, or at
    /// stop), after its last callback: hosts release per-thread state there (the PowerShell module
    /// disposes the runspace the thread opened). `None` removes it. Replaced hooks are dropped.
    pub fn set_callback_thread_exit_hook(&self, hook: Option<ThreadExitHook>) -> Result<()> {
        self.set(|c| c.thread_exit_hook = hook)
    }

    /// A snapshot of the callback pool: configured bounds, live / busy threads, queue, peak, threads
    /// started and released and route timeouts since the start (counts 0 while stopped).
    pub fn callback_pool_stats(&self) -> CallbackPoolStats {
        let st = self.state.lock();
        match &st.phase {
            Phase::Running(r) => r.pool.stats(),
            _ => CallbackPoolStats {
                min_threads: st.config.callback_min,
                max_threads: st.config.callback_max,
                ..Default::default()
            },
        }
    }

    /// How long a request may wait for a free callback thread before 503 (default 30 s).
    pub fn set_callback_wait(&self, wait: Duration) -> Result<()> {
        self.set(|c| c.callback_wait = wait)
    }

    /// Graceful shutdown timeout used by `Drop` and [`stop_default`](Self::stop_default) (default 5 s).
    pub fn set_shutdown_timeout(&self, timeout: Duration) -> Result<()> {
        self.set(|c| c.shutdown_timeout = timeout)
    }

    /// The graceful shutdown timeout.
    pub fn shutdown_timeout(&self) -> Duration {
        self.state.lock().config.shutdown_timeout
    }

    /// Largest accepted request body (default 30 MiB); larger → 413 JSON.
    pub fn set_max_body_bytes(&self, bytes: u64) -> Result<()> {
        self.set(|c| c.max_body = bytes)
    }

    /// Number of actix worker threads (async I/O; 1..=64, default min(cores, 4)).
    pub fn set_worker_threads(&self, count: u32) -> Result<()> {
        let count = thread_count(count, 1..=64, "worker")?;
        self.set(|c| c.workers = count)
    }

    /// How long a client has to complete the TLS handshake, counted from the TCP accept (default
    /// 10 s, Kestrel's; 1 ms..=5 min). The connection is closed when it elapses.
    pub fn set_tls_handshake_timeout(&self, timeout: Duration) -> Result<()> {
        if timeout.is_zero() || timeout > Duration::from_secs(300) {
            return Err(Error::invalid_argument(format!("TLS handshake timeout {timeout:?} is not in 1 ms..=5 min")));
        }
        self.set(|c| c.tls_handshake_timeout = timeout)
    }

    /// How many TLS handshakes may compute at the same time, over every HTTPS endpoint (default
    /// 256; 1..=65536). Counted from the client's complete `ClientHello`: connections that send
    /// nothing take no slot. A handshake waiting for a slot is still bounded by the handshake timeout.
    pub fn set_max_concurrent_tls_handshakes(&self, count: u32) -> Result<()> {
        if !(1..=65536).contains(&count) {
            return Err(Error::invalid_argument(format!("concurrent TLS handshake count {count} is not in 1..=65536")));
        }
        self.set(|c| c.max_tls_handshakes = count as usize)
    }

    /// Request header limits (Kestrel's `MaxRequestHeaderCount` / `MaxRequestHeadersTotalSize`):
    /// at most `max_count` headers (1..=96, default 96) of at most `max_total_bytes` (names and
    /// values, 1 KiB..=128 KiB, default 32 KiB); more → 431 JSON. `None` keeps a limit. HTTP/1.1's
    /// parser refuses more than 96 headers or a request head over 128 KiB whatever these are.
    pub fn set_request_header_limits(&self, max_count: Option<u32>, max_total_bytes: Option<u32>) -> Result<()> {
        self.configure(|c| {
            c.header_limits = c.header_limits.with(max_count, max_total_bytes)?;
            Ok(())
        })
    }

    /// Adds a route (see [`routes`](crate::routes) for verbs and pattern syntax).
    pub fn add_route(&self, verbs: &str, pattern: &str, handler: Arc<dyn RouteHandler>) -> Result<()> {
        self.configure(|c| c.routes.add(verbs, pattern, handler))
    }

    /// [`add_route`](Self::add_route) with options (a timeout: see [`RouteOptions`]).
    pub fn add_route_with_options(
        &self,
        verbs: &str,
        pattern: &str,
        handler: Arc<dyn RouteHandler>,
        options: RouteOptions,
    ) -> Result<()> {
        options.validate()?;
        self.configure(|c| c.routes.add_with_options(verbs, pattern, handler, options))
    }

    /// Number of routes.
    pub fn route_count(&self) -> usize {
        self.state.lock().config.routes.len()
    }

    /// Enables sessions with `options` (validated). The store is the backend set with
    /// [`set_session_backend`](Self::set_session_backend), else a new in-memory store.
    pub fn configure_session(&self, options: SessionOptions) -> Result<()> {
        options.validate()?;
        self.set(|c| c.sessions = Some(Arc::new(SessionRuntime::new(options, c.custom_backend.clone()))))
    }

    /// Uses `backend` as the session store; must precede [`configure_session`](Self::configure_session).
    pub fn set_session_backend(&self, backend: Arc<dyn SessionBackend>) -> Result<()> {
        self.configure(|c| {
            if c.sessions.is_some() {
                return Err(Error::invalid_state("the session store must be chosen before sessions are configured"));
            }
            c.custom_backend = Some(backend);
            Ok(())
        })
    }

    /// Selects the Redis session store ([`RedisBackend`]); must precede
    /// [`configure_session`](Self::configure_session). The connection string is parsed here
    /// (`InvalidArgument` if bad) but no connection is made: the store connects on first use, so
    /// the server starts (and logs it) while Redis is down. `InvalidState` when sessions are already
    /// configured or a store was already chosen, or while running.
    pub fn use_redis_session_store(&self, options: RedisOptions) -> Result<()> {
        if options.connection.trim().is_empty() {
            return Err(Error::invalid_argument("Redis connection string is empty"));
        }
        self.use_store(|| {
            let backend = RedisBackend::new(&options)?;
            logging::debug(&format!(
                "Server '{}': Redis session store {} (key prefix {:?}, connect timeout {:?}, operation timeout {:?})",
                self.name,
                backend.server_display(),
                backend.key_prefix(),
                backend.connect_timeout(),
                backend.operation_timeout()
            ));
            Ok(Arc::new(backend))
        })
    }

    /// Selects the PostgreSQL session store ([`PostgresBackend`]); as
    /// [`use_redis_session_store`](Self::use_redis_session_store): the connection string is parsed
    /// here, the database reached on first use.
    pub fn use_postgres_session_store(&self, options: PostgresOptions) -> Result<()> {
        self.use_store(|| {
            let backend = PostgresBackend::new(&options)?;
            logging::debug(&format!("Server '{}': PostgreSQL session store {backend:?}", self.name));
            Ok(Arc::new(backend))
        })
    }

    /// Selects the SQLite session store ([`SqliteBackend`]): the file (and its table) is opened or
    /// created here (`Io` when it cannot be).
    pub fn use_sqlite_session_store(&self, options: SqliteOptions) -> Result<()> {
        self.use_store(|| {
            let backend = SqliteBackend::new(&options)?;
            logging::debug(&format!("Server '{}': SQLite session store {backend:?}", self.name));
            Ok(Arc::new(backend))
        })
    }

    /// Makes the store `make` builds the server's, once, before sessions are configured.
    fn use_store(&self, make: impl FnOnce() -> Result<Arc<dyn SessionBackend>>) -> Result<()> {
        self.configure(|c| {
            if c.sessions.is_some() {
                return Err(Error::invalid_state("the session store must be chosen before sessions are configured"));
            }
            if c.custom_backend.is_some() {
                return Err(Error::invalid_state(format!("server '{}' already has a session store", self.name)));
            }
            c.custom_backend = Some(make()?);
            Ok(())
        })
    }

    /// The session options, if sessions are configured.
    pub fn session_options(&self) -> Option<SessionOptions> {
        self.state.lock().config.sessions.as_ref().map(|s| s.options.clone())
    }

    /// The built-in in-memory session store, if sessions use it (diagnostics, tests).
    pub fn memory_session_store(&self) -> Option<Arc<MemoryBackend>> {
        self.state.lock().config.sessions.as_ref().and_then(|s| s.memory.clone())
    }

    /// Number of endpoints.
    pub fn endpoint_count(&self) -> usize {
        self.state.lock().config.endpoints.len()
    }

    /// The port of endpoint `index`: the bound port once started, the configured one before.
    pub fn endpoint_port(&self, index: usize) -> Result<u16> {
        let st = self.state.lock();
        st.config.endpoints.get(index).map(Endpoint::effective_port).ok_or_else(|| self.bad_index(index, &st))
    }

    /// Sets the HTTP versions endpoint `index` serves (default `Http1AndHttp2`; see [`HttpProtocols`]).
    /// `InvalidArgument` for an index out of range, `InvalidState` while running.
    pub fn set_endpoint_protocols(&self, index: usize, protocols: HttpProtocols) -> Result<()> {
        self.configure(|c| {
            let count = c.endpoints.len();
            let ep = c.endpoints.get_mut(index).ok_or_else(|| {
                Error::invalid_argument(format!(
                    "endpoint index {index} is out of range (server '{}' has {count})",
                    self.name
                ))
            })?;
            ep.set_protocols(protocols);
            Ok(())
        })
    }

    /// The HTTP versions endpoint `index` serves.
    pub fn endpoint_protocols(&self, index: usize) -> Result<HttpProtocols> {
        let st = self.state.lock();
        st.config.endpoints.get(index).map(|ep| ep.protocols).ok_or_else(|| self.bad_index(index, &st))
    }

    /// The URL of endpoint `index`, e.g. `https://127.0.0.1:8080`.
    pub fn endpoint_url(&self, index: usize) -> Result<String> {
        let st = self.state.lock();
        st.config.endpoints.get(index).map(Endpoint::url).ok_or_else(|| self.bad_index(index, &st))
    }

    fn bad_index(&self, index: usize, st: &State) -> Error {
        Error::invalid_argument(format!(
            "endpoint index {index} is out of range (server '{}' has {})",
            self.name,
            st.config.endpoints.len()
        ))
    }

    /// Whether the server is running.
    pub fn is_running(&self) -> bool {
        matches!(self.state.lock().phase, Phase::Running(_))
    }

    /// Binds every endpoint, starts serving on the server's own threads and returns.
    /// `BindFailed` (naming `address:port`) if an endpoint cannot bind; `InvalidState` if running
    /// or without endpoints.
    pub fn start(&self) -> Result<()> {
        // The session cookie keys of a shared store's key ring, read (or created) before anything
        // else starts: bounded by the session IO timeout.
        let sessions = {
            let st = self.state.lock();
            matches!(st.phase, Phase::Stopped).then(|| st.config.sessions.clone()).flatten()
        };
        if let Some(sessions) = &sessions {
            sessions.prepare_key_ring(&self.name);
        }
        let mut st = self.state.lock();
        match st.phase {
            Phase::Stopped => {}
            Phase::Running(_) => {
                return Err(Error::invalid_state(format!("server '{}' is already running", self.name)))
            }
            Phase::Stopping => return Err(Error::invalid_state(format!("server '{}' is stopping", self.name))),
        }
        let config = &st.config;
        if config.endpoints.is_empty() {
            return Err(Error::invalid_state(format!("server '{}' has no endpoint", self.name)));
        }
        let mut listeners = Vec::with_capacity(config.endpoints.len());
        for ep in &config.endpoints {
            listeners.push(Listener { tcp: ep.bind()?, tls: ep.tls.clone(), protocols: ep.protocols });
        }
        let ports: Vec<u16> = listeners.iter().map(|l| l.tcp.local_addr().map(|a| a.port()).unwrap_or(0)).collect();
        let settings = ConnectionSettings {
            tls_handshake_timeout: config.tls_handshake_timeout,
            handshakes: Arc::new(tokio::sync::Semaphore::new(config.max_tls_handshakes)),
        };
        let connections = Connections { listeners, settings };

        let pool = CallbackPool::start(
            &self.name,
            PoolOptions {
                min: config.callback_min,
                max: config.callback_max,
                idle_timeout: config.callback_idle_timeout,
                wait: config.callback_wait,
                grow_after: crate::callback_pool::GROW_AFTER,
                on_thread_exit: config.thread_exit_hook.clone(),
            },
        )?;
        let tracker = Arc::new(ThreadTracker::default());
        let dispatcher = Arc::new(Dispatcher {
            server_name: self.name.clone(),
            pool: pool.clone(),
            max_body: config.max_body,
            sessions: config.sessions.clone(),
        });
        let parts = AppParts::new(dispatcher, Arc::new(config.routes.clone()), tracker.clone(), config.header_limits);
        let sweep = config.sessions.as_ref().and_then(|s| s.memory.clone().map(|m| (m, s.sweep_interval())));
        let ring = config.sessions.clone().filter(|s| s.uses_key_ring());
        let store_sweep =
            config.sessions.as_ref().and_then(|s| s.backend.sweep_interval().map(|every| (s.backend.clone(), every)));
        let store = config.sessions.as_ref().map(|s| s.backend.clone());
        let workers = config.workers;

        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<actix_web::dev::ServerHandle>>();
        let (force_tx, force_rx) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let name = self.name.clone();
        let short: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).take(8).collect();
        let spawned = std::thread::Builder::new().name(format!("kr-srv-{short}")).spawn(move || {
            serve(name, parts, connections, workers, Maintenance { sweep, ring, store_sweep }, ready_tx, force_rx);
            let _ = done_tx.send(());
        });
        let thread = match spawned {
            Ok(t) => t,
            Err(e) => {
                let _ = pool.shutdown(Duration::from_secs(5));
                return Err(Error::internal(format!("cannot spawn the server thread: {e}")));
            }
        };
        let handle = match ready_rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(Ok(handle)) => handle,
            failure => {
                let _ = force_tx.send(());
                let _ = done_rx.recv_timeout(THREAD_EXIT_GRACE);
                let _ = thread.join();
                let _ = pool.shutdown(Duration::from_secs(5));
                tracker.wait_idle(THREAD_EXIT_GRACE);
                return Err(match failure {
                    Ok(Err(e)) => e,
                    _ => Error::internal(format!("server '{}' did not start", self.name)),
                });
            }
        };
        for (ep, port) in st.config.endpoints.iter_mut().zip(ports) {
            ep.bound_port = Some(port);
        }
        let urls: Vec<String> = st.config.endpoints.iter().map(Endpoint::url).collect();
        st.phase =
            Phase::Running(Box::new(Running { thread, handle, force_tx: Some(force_tx), done_rx, pool, tracker }));
        drop(st);
        logging::info(&format!("Server '{}' listening on {}", self.name, urls.join(", ")));
        if let Some(store) = store {
            store.server_starting(&self.name);
        }
        Ok(())
    }

    /// Stops gracefully: stops accepting, lets in-flight requests finish for at most `timeout`
    /// (then drops connections), and ends every thread of the server. Stopping a stopped server is
    /// fine. `Timeout` if a route callback was still running after the timeout (its thread is left
    /// to finish on its own); the server is stopped either way and can be started again.
    pub fn stop(&self, timeout: Duration) -> Result<()> {
        let running = {
            let mut st = self.state.lock();
            loop {
                match std::mem::replace(&mut st.phase, Phase::Stopping) {
                    Phase::Running(r) => break r,
                    Phase::Stopped => {
                        st.phase = Phase::Stopped;
                        return Ok(());
                    }
                    Phase::Stopping => self.phase_changed.wait(&mut st),
                }
            }
        };
        let result = self.shutdown(*running, timeout);
        let mut st = self.state.lock();
        st.phase = Phase::Stopped;
        self.phase_changed.notify_all();
        drop(st);
        logging::info(&format!("Server '{}' stopped", self.name));
        result
    }

    /// [`stop`](Self::stop) with the configured shutdown timeout.
    pub fn stop_default(&self) -> Result<()> {
        self.stop(self.shutdown_timeout())
    }

    fn shutdown(&self, mut running: Running, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        // Sends the command now; the returned future only waits for completion.
        drop(running.handle.stop(true));
        let mut server_done = running.done_rx.recv_timeout(remaining(deadline)).is_ok();
        if !server_done {
            logging::warn(&format!(
                "Server '{}': in-flight requests did not finish within {timeout:?}; closing connections",
                self.name
            ));
            if let Some(tx) = running.force_tx.take() {
                let _ = tx.send(());
            }
            server_done = running.done_rx.recv_timeout(THREAD_EXIT_GRACE).is_ok();
        }
        let mut problems = Vec::new();
        if server_done {
            let _ = running.thread.join();
        } else {
            problems.push("the server thread did not exit".to_string());
        }
        if let Err(e) = running.pool.shutdown(remaining(deadline).max(Duration::from_millis(200))) {
            problems.push(e.message().to_string());
        }
        if !running.tracker.wait_idle(remaining(deadline) + THREAD_EXIT_GRACE) {
            problems.push(format!("{} worker thread(s) did not exit", running.tracker.live()));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            let msg = format!("server '{}' stopped, but: {}", self.name, problems.join("; "));
            logging::warn(&msg);
            Err(Error::timeout(msg))
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop_default();
    }
}

/// The periodic session work of a running server.
struct Maintenance {
    /// The memory store to sweep, and how often.
    sweep: Option<(Arc<MemoryBackend>, Duration)>,
    /// Sessions whose key ring is read again periodically.
    ring: Option<Arc<SessionRuntime>>,
    /// A store whose expired sessions the server deletes, and how often (SQL stores).
    store_sweep: Option<(Arc<dyn SessionBackend>, Duration)>,
}

/// The server thread: an actix `System` running the HTTP server until it stops (graceful) or
/// `force_rx` fires / is dropped (connections dropped).
fn serve(
    name: String,
    parts: AppParts,
    connections: Connections,
    workers: usize,
    maintenance: Maintenance,
    ready_tx: std::sync::mpsc::Sender<Result<actix_web::dev::ServerHandle>>,
    force_rx: tokio::sync::oneshot::Receiver<()>,
) {
    let system = actix_rt::System::new();
    system.block_on(async move {
        if let Some(sessions) = maintenance.ring {
            let name = name.clone();
            actix_rt::spawn(async move {
                loop {
                    tokio::time::sleep(sessions.key_ring_refresh_interval()).await;
                    sessions.refresh_key_ring(&name).await;
                }
            });
        }
        if let Some((store, every)) = maintenance.store_sweep {
            actix_rt::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    match store.sweep_expired().await {
                        Ok(0) => {}
                        Ok(n) => logging::verbose(&format!("session store: {n} expired session(s) deleted")),
                        Err(e) => logging::warn(&format!("session store: deleting expired sessions failed: {e}")),
                    }
                }
            });
        }
        if let Some((memory, interval)) = maintenance.sweep {
            actix_rt::spawn(async move {
                loop {
                    tokio::time::sleep(interval).await;
                    let n = memory.sweep_expired();
                    if n > 0 {
                        logging::verbose(&format!("session store: {n} expired session(s) removed"));
                    }
                }
            });
        }
        let builder = actix_server::Server::build()
            .workers(workers)
            .disable_signals()
            // Our stop() bounds the graceful phase itself (then forces), so actix's own bound is long.
            .shutdown_timeout(3600);
        let server = match listener::add_listeners(builder, connections, &parts) {
            Ok(builder) => builder.run(),
            Err(e) => {
                let _ = ready_tx.send(Err(Error::bind_failed(format!("cannot listen: {e}"))));
                return;
            }
        };
        let _ = ready_tx.send(Ok(server.handle()));
        tokio::select! {
            result = server => {
                if let Err(e) = result {
                    logging::error(&format!("Server '{name}' failed: {e}"));
                }
            }
            _ = force_rx => {
                // Dropping the server future stops its workers without waiting and joins its accept thread.
            }
        }
    });
    drop(system);
}
