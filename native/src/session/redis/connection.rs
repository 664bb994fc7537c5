//! Redis connection strings: [`RedisConnection::parse`] and [`redact`].
//!
//! Two forms are accepted:
//! - a URL, `redis://[[user]:password@]host[:port][/db]`, `rediss://…` (TLS), `unix://…` / `redis+unix://…`
//!   (parsed by the `redis` crate; one endpoint);
//! - StackExchange.Redis's configuration string (what ASP.NET Core's `RedisCacheOptions.Configuration` and
//!   Kestrun.Rust's `Add-KrDistributedRedisCache` build from a `ConfigurationOptions`): comma-separated endpoints
//!   `host[:port]` / `[v6][:port]` and `key=value` options, keys case-insensitive.
//!
//! # Options of the StackExchange form
//! Honoured (a field of [`RedisConnection`] or of its [`ConnectionInfo`]s): `password`, `user`, `ssl`, `sslHost`,
//! `defaultDatabase`, `connectTimeout`, `syncTimeout`, `asyncTimeout`, `name` / `clientName`, `abortConnect`,
//! `connectRetry`, `protocol`. Every endpoint is kept ([`RedisConnection::endpoints`]).
//!
//! Rejected with a message that names them, because a session store cannot honour them: `serviceName`
//! (Sentinel), `proxy` other than `None`, `sslProtocols` that leave out TLS 1.2 or 1.3, command renames
//! (`$COMMAND=`), and any option not listed here.
//!
//! Accepted and ignored, because they tune StackExchange.Redis itself or features a session store does not use
//! (administrative commands, pub/sub, cluster/replica topology, diagnostics): `allowAdmin`, `keepAlive`,
//! `tieBreaker`, `configChannel`, `configCheckSeconds`, `channelPrefix`, `version`, `resolveDns`,
//! `heartbeatInterval`, `highPrioritySocketThreads`, `includeDetailInExceptions`,
//! `includePerformanceCountersInExceptions`, `setlib`, `responseTimeout` (obsolete in StackExchange.Redis) and
//! `checkCertificateRevocation` (rustls has no revocation lists: certificates are checked for trust, validity
//! and host name only).
//!
//! # TLS
//! `ssl=true` / `rediss://` verify the server certificate with rustls against the platform trust store, read by
//! `rustls-native-certs` on each connect: `SSL_CERT_FILE` / `SSL_CERT_DIR`, when set, replace the system store
//! (e.g. a private CA). The name checked is the endpoint's host (a DNS name, or an IP address that must be in the
//! certificate's IP SANs). The `redis` crate verifies against the host it connects to, so `sslHost` is accepted
//! only when it names that host (else the error says so).
use std::time::Duration;

use redis::{Client, ConnectionAddr, ConnectionInfo, ProtocolVersion, RedisConnectionInfo};

use crate::error::{Error, Result};

/// Largest accepted connect / operation timeout.
pub(super) const MAX_TIMEOUT_MS: u64 = 3_600_000;
/// Largest accepted `connectRetry`.
pub const MAX_CONNECT_RETRY: u32 = 1000;
/// StackExchange.Redis's default `connectRetry`.
pub const DEFAULT_CONNECT_RETRY: u32 = 3;
const DEFAULT_PORT: u16 = 6379;
const DEFAULT_TLS_PORT: u16 = 6380;

/// A parsed Redis connection string (see the module docs).
#[derive(Debug, Clone)]
pub struct RedisConnection {
    /// Where and how to connect: the first of [`endpoints`](Self::endpoints).
    pub info: ConnectionInfo,
    /// Every endpoint, in the order given (never empty; `endpoints[0]` is [`info`](Self::info)), each with the
    /// same credentials, database, protocol and TLS settings. StackExchange.Redis connects to all of them and uses
    /// the one that answers; the backend should connect to the first that answers (in this order) and, when it
    /// stops answering, fail over to the next (wrapping around), so that a list of a primary and its replicas
    /// keeps sessions working while one of them is down. A URL has one endpoint.
    pub endpoints: Vec<ConnectionInfo>,
    /// `connectTimeout=` of a StackExchange-style string: the bound of one connect to one endpoint.
    pub connect_timeout: Option<Duration>,
    /// The per-command timeout: `asyncTimeout=` when given, else `syncTimeout=` (ASP.NET Core's session store
    /// calls Redis asynchronously, and StackExchange.Redis's `asyncTimeout` defaults to `syncTimeout`).
    pub operation_timeout: Option<Duration>,
    /// `name=` / `clientName=`: the backend should send `CLIENT SETNAME <name>` on every new connection (as
    /// StackExchange.Redis does), so that `CLIENT LIST` on the server shows it. Checked here: printable ASCII
    /// without spaces, as Redis requires. `None` when absent or empty.
    pub client_name: Option<String>,
    /// `abortConnect=` (default `true`, StackExchange.Redis's). The engine never blocks server start-up on Redis;
    /// what the backend should do: `true`, when the first connect fails on every endpoint (after
    /// [`connect_retry`](Self::connect_retry) rounds) the calls waiting for it fail with that connect error and a
    /// later call starts a new connect (StackExchange.Redis's `Connect` throws); `false`, the backend keeps
    /// connecting in the background from the start (calls fail fast meanwhile) and logs the failures as warnings
    /// rather than errors (StackExchange.Redis returns a multiplexer that keeps retrying).
    pub abort_connect: bool,
    /// `connectRetry=` (default 3, StackExchange.Redis's): how many rounds over all
    /// [`endpoints`](Self::endpoints) one connect makes before it fails (each attempt bounded by the connect
    /// timeout); 0 is taken as 1.
    pub connect_retry: u32,
    /// `sslHost=` when given: the host name the server certificate must name. Already checked to be the host of
    /// every endpoint (the name rustls verifies), so nothing more is needed for it.
    pub ssl_host: Option<String>,
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

/// `true` for `None` / `Default` (the platform's choice) or a set with both TLS 1.2 and 1.3 (what rustls offers).
fn ssl_protocols_ok(connection: &str, value: &str) -> Result<()> {
    let mut tls12 = false;
    let mut tls13 = false;
    let mut platform_default = false;
    for name in value.split('|').map(|n| n.trim().to_ascii_lowercase()) {
        match name.as_str() {
            "none" | "default" => platform_default = true,
            "tls12" => tls12 = true,
            "tls13" => tls13 = true,
            "tls" | "tls11" | "ssl2" | "ssl3" => {}
            other => return Err(bad(connection, format!("sslProtocols: {other:?} is not an SslProtocols name"))),
        }
    }
    if platform_default || (tls12 && tls13) {
        Ok(())
    } else {
        Err(bad(
            connection,
            format!("sslProtocols={value:?} cannot be honoured: the TLS of the session store (rustls) offers TLS 1.2 and 1.3; leave sslProtocols unset or include Tls12|Tls13"),
        ))
    }
}

/// A Redis client name as `CLIENT SETNAME` accepts it (printable ASCII, no spaces); `None` when empty.
fn client_name(connection: &str, key: &str, value: &str) -> Result<Option<String>> {
    let name = value.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.len() > 256 || !name.bytes().all(|b| (b'!'..=b'~').contains(&b)) {
        return Err(bad(
            connection,
            format!(
                "{key}={name:?} is not a Redis client name (printable ASCII without spaces, at most 256 characters)"
            ),
        ));
    }
    Ok(Some(name.to_string()))
}

fn same_host(a: &str, b: &str) -> bool {
    a.trim_start_matches('[')
        .trim_end_matches(']')
        .eq_ignore_ascii_case(b.trim_start_matches('[').trim_end_matches(']'))
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
                endpoints: vec![info.clone()],
                info,
                connect_timeout: None,
                operation_timeout: None,
                client_name: None,
                abort_connect: true,
                connect_retry: DEFAULT_CONNECT_RETRY,
                ssl_host: None,
            });
        }
        // StackExchange.Redis configuration: endpoints and key=value options, comma-separated.
        let mut endpoints = Vec::new();
        let mut password = None;
        let mut username = None;
        let mut ssl = false;
        let mut ssl_host: Option<String> = None;
        let mut db = 0i64;
        let mut connect_timeout = None;
        let mut sync_timeout = None;
        let mut async_timeout = None;
        let mut resp3 = false;
        let mut client = None;
        let mut abort_connect = true;
        let mut connect_retry = DEFAULT_CONNECT_RETRY;
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
                "sslhost" => ssl_host = Some(value.trim().to_string()).filter(|h| !h.is_empty()),
                "defaultdatabase" => {
                    db = match value.trim().parse::<i64>() {
                        Ok(n) if n >= 0 => n,
                        _ => return Err(bad(s, format!("defaultDatabase={value:?} is not a database number"))),
                    }
                }
                "connecttimeout" => connect_timeout = Some(parse_ms(s, key, value)?),
                "synctimeout" => sync_timeout = Some(parse_ms(s, key, value)?),
                "asynctimeout" => async_timeout = Some(parse_ms(s, key, value)?),
                "protocol" => {
                    resp3 = match value.trim().to_ascii_lowercase().as_str() {
                        "resp3" | "3" => true,
                        "resp2" | "2" => false,
                        other => return Err(bad(s, format!("protocol={other:?} is not resp2 or resp3"))),
                    }
                }
                "name" | "clientname" => client = client_name(s, key, value)?,
                "abortconnect" => abort_connect = parse_bool(s, key, value)?,
                "connectretry" => {
                    connect_retry = match value.trim().parse::<u32>() {
                        Ok(n) if n <= MAX_CONNECT_RETRY => n,
                        _ => {
                            return Err(bad(
                                s,
                                format!(
                                    "connectRetry={value:?} is not a number of attempts in 0..={MAX_CONNECT_RETRY}"
                                ),
                            ))
                        }
                    }
                }
                "sslprotocols" => ssl_protocols_ok(s, value)?,
                "proxy" => {
                    if !value.trim().eq_ignore_ascii_case("none") {
                        return Err(bad(
                            s,
                            format!("proxy={value:?} is not supported: the session store talks to Redis itself (proxy=None)"),
                        ));
                    }
                }
                "servicename" => {
                    let why =
                        format!("serviceName={value:?} (Redis Sentinel) is not supported: give the Redis endpoints");
                    return Err(bad(s, why));
                }
                // Accepted, no effect on a session store (see the module docs).
                "allowadmin"
                | "keepalive"
                | "tiebreaker"
                | "configchannel"
                | "configcheckseconds"
                | "channelprefix"
                | "version"
                | "resolvedns"
                | "heartbeatinterval"
                | "highprioritysocketthreads"
                | "includedetailinexceptions"
                | "includeperformancecountersinexceptions"
                | "setlib"
                | "responsetimeout"
                | "checkcertificaterevocation" => {}
                _ if key.starts_with('$') => {
                    return Err(bad(s, format!("renaming Redis commands ({key}=) is not supported")));
                }
                _ => return Err(bad(s, format!("option {key:?} is not supported"))),
            }
        }
        if endpoints.is_empty() {
            return Err(bad(s, "no host[:port] endpoint"));
        }
        let default_port = if ssl { DEFAULT_TLS_PORT } else { DEFAULT_PORT };
        let redis = RedisConnectionInfo {
            db,
            username,
            password,
            protocol: if resp3 { ProtocolVersion::RESP3 } else { ProtocolVersion::RESP2 },
        };
        let mut infos = Vec::with_capacity(endpoints.len());
        for endpoint in &endpoints {
            let (host, port) = parse_endpoint(s, endpoint, default_port)?;
            if let Some(tls_host) = &ssl_host {
                if !ssl {
                    return Err(bad(s, format!("sslHost={tls_host:?} needs ssl=true")));
                }
                if !same_host(tls_host, &host) {
                    return Err(bad(
                        s,
                        format!(
                            "sslHost={tls_host:?} differs from the endpoint host {host:?}: the server certificate is verified against the host connected to, and a different TLS host name is not supported (connect to {tls_host:?} itself, or leave sslHost unset)"
                        ),
                    ));
                }
            }
            let addr = if ssl {
                ConnectionAddr::TcpTls { host, port, insecure: false, tls_params: None }
            } else {
                ConnectionAddr::Tcp(host, port)
            };
            infos.push(ConnectionInfo { addr, redis: redis.clone() });
        }
        Ok(RedisConnection {
            info: infos[0].clone(),
            endpoints: infos,
            connect_timeout,
            operation_timeout: async_timeout.or(sync_timeout),
            client_name: client,
            abort_connect,
            connect_retry,
            ssl_host,
        })
    }

    /// `redis://host:port/db` / `rediss://…` / `unix:…` of the first endpoint, without credentials (for logs).
    pub fn display(&self) -> String {
        display_info(&self.info)
    }
}

/// `redis://host:port/db` / `rediss://…` / `unix:…` without credentials (for logs).
pub fn display_info(info: &ConnectionInfo) -> String {
    let db = info.redis.db;
    let auth = if info.redis.password.is_some() { "***@" } else { "" };
    match &info.addr {
        ConnectionAddr::Tcp(h, p) if h.contains(':') => format!("redis://{auth}[{h}]:{p}/{db}"),
        ConnectionAddr::Tcp(h, p) => format!("redis://{auth}{h}:{p}/{db}"),
        ConnectionAddr::TcpTls { host, port, .. } if host.contains(':') => {
            format!("rediss://{auth}[{host}]:{port}/{db}")
        }
        ConnectionAddr::TcpTls { host, port, .. } => format!("rediss://{auth}{host}:{port}/{db}"),
        ConnectionAddr::Unix(path) => format!("unix://{auth}{}?db={db}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_port(info: &ConnectionInfo) -> (String, u16) {
        match &info.addr {
            ConnectionAddr::Tcp(h, p) => (h.clone(), *p),
            ConnectionAddr::TcpTls { host, port, .. } => (host.clone(), *port),
            other => panic!("not TCP: {other:?}"),
        }
    }

    fn tcp(c: &RedisConnection) -> (String, u16) {
        host_port(&c.info)
    }

    fn err(connection: &str) -> String {
        match RedisConnection::parse(connection) {
            Ok(c) => panic!("{connection} must be rejected, got {c:?}"),
            Err(e) => e.message().to_string(),
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
    fn a_url_is_one_endpoint_with_the_stackexchange_defaults() {
        let c = RedisConnection::parse("rediss://default:token@cache.example:6379").unwrap();
        assert_eq!(c.endpoints.len(), 1);
        assert_eq!(host_port(&c.endpoints[0]), ("cache.example".into(), 6379));
        assert_eq!((c.client_name.as_deref(), c.abort_connect, c.connect_retry), (None, true, DEFAULT_CONNECT_RETRY));
        assert_eq!(c.ssl_host, None);
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
        assert!(!c.abort_connect);
        let c = RedisConnection::parse("secure.example,ssl=true").unwrap();
        assert_eq!(tcp(&c), ("secure.example".into(), 6380), "TLS default port is 6380 (StackExchange)");
        let c = RedisConnection::parse("[::1]:6390").unwrap();
        assert_eq!(tcp(&c), ("::1".into(), 6390));
        assert_eq!(c.display(), "redis://[::1]:6390/0");
        let c = RedisConnection::parse("a:1,b:2").unwrap();
        assert_eq!(tcp(&c), ("a".into(), 1));
        for bad in [
            "host:0",
            "host:99999",
            "host:1,ssl=maybe",
            "password=x",
            "host:1,defaultDatabase=-1",
            "host:1,connectTimeout=0",
            "a b:1",
            "a:1,b:0",
        ] {
            assert!(RedisConnection::parse(bad).is_err(), "{bad} must be rejected");
        }
    }

    #[test]
    fn keeps_every_endpoint_with_the_same_settings() {
        let c = RedisConnection::parse("primary:7000,replica,[::1]:7002,ssl=true,password=pw,user=u,defaultDatabase=2")
            .unwrap();
        let hosts: Vec<_> = c.endpoints.iter().map(host_port).collect();
        assert_eq!(
            hosts,
            vec![("primary".into(), 7000), ("replica".into(), 6380), ("::1".into(), 7002)],
            "every endpoint, in order; the TLS default port for each one without a port"
        );
        assert_eq!(host_port(&c.info), hosts[0], "info is the first endpoint");
        for e in &c.endpoints {
            assert!(matches!(e.addr, ConnectionAddr::TcpTls { insecure: false, .. }), "{e:?}");
            assert_eq!(e.redis.password.as_deref(), Some("pw"));
            assert_eq!(e.redis.username.as_deref(), Some("u"));
            assert_eq!(e.redis.db, 2);
        }
        assert_eq!(display_info(&c.endpoints[2]), "rediss://***@[::1]:7002/2");
        let plain = RedisConnection::parse("a,b:2").unwrap();
        assert_eq!(
            plain.endpoints.iter().map(host_port).collect::<Vec<_>>(),
            vec![("a".into(), 6379), ("b".into(), 2)]
        );
        assert!(plain.endpoints.iter().all(|e| matches!(e.addr, ConnectionAddr::Tcp(..))));
    }

    #[test]
    fn client_name_abort_connect_and_connect_retry() {
        let c = RedisConnection::parse("h").unwrap();
        assert_eq!((c.client_name.as_deref(), c.abort_connect, c.connect_retry), (None, true, 3));
        let c = RedisConnection::parse("h,name=kestrun-web1,abortConnect=false,connectRetry=5").unwrap();
        assert_eq!((c.client_name.as_deref(), c.abort_connect, c.connect_retry), (Some("kestrun-web1"), false, 5));
        let c = RedisConnection::parse("h,clientName=app:1,connectRetry=0,abortConnect=True").unwrap();
        assert_eq!((c.client_name.as_deref(), c.abort_connect, c.connect_retry), (Some("app:1"), true, 0));
        assert_eq!(RedisConnection::parse("h,clientName=").unwrap().client_name, None, "empty: no name");
        assert!(err("h,name=two words").contains("name=\"two words\""));
        assert!(err("h,clientName=caf\u{e9}").contains("client name"));
        assert!(err("h,abortConnect=maybe").contains("abortConnect"));
        assert!(err("h,connectRetry=-1").contains("connectRetry"));
        assert!(err("h,connectRetry=1001").contains("connectRetry"));
        assert!(err("h,connectRetry=lots").contains("connectRetry"));
    }

    #[test]
    fn ssl_host_must_name_the_endpoint_host() {
        let c = RedisConnection::parse("cache.example:6380,ssl=true,sslHost=CACHE.example").unwrap();
        assert_eq!(c.ssl_host.as_deref(), Some("CACHE.example"));
        let c = RedisConnection::parse("[::1]:6380,ssl=true,sslHost=[::1]").unwrap();
        assert_eq!(c.ssl_host.as_deref(), Some("[::1]"));
        assert_eq!(RedisConnection::parse("h,ssl=true,sslHost=").unwrap().ssl_host, None, "empty: unset");
        let m = err("10.0.0.5:6380,ssl=true,sslHost=cache.example");
        assert!(m.contains("sslHost=\"cache.example\" differs from the endpoint host \"10.0.0.5\""), "{m}");
        let m = err("a.example,b.example,ssl=true,sslHost=a.example");
        assert!(m.contains("\"b.example\""), "every endpoint is checked: {m}");
        let m = err("h:1,sslHost=h");
        assert!(m.contains("sslHost=\"h\" needs ssl=true"), "{m}");
    }

    #[test]
    fn async_timeout_wins_over_sync_timeout() {
        let c = RedisConnection::parse("h,asyncTimeout=700,syncTimeout=100").unwrap();
        assert_eq!(c.operation_timeout, Some(Duration::from_millis(700)));
        let c = RedisConnection::parse("h,syncTimeout=100,asyncTimeout=700").unwrap();
        assert_eq!(c.operation_timeout, Some(Duration::from_millis(700)));
        let c = RedisConnection::parse("h,syncTimeout=100").unwrap();
        assert_eq!(c.operation_timeout, Some(Duration::from_millis(100)));
        assert_eq!(RedisConnection::parse("h").unwrap().operation_timeout, None);
        assert!(err("h,asyncTimeout=0").contains("asyncTimeout"));
    }

    #[test]
    fn rejects_what_a_session_store_cannot_honour_and_ignores_the_rest() {
        for (connection, named) in [
            ("h,serviceName=mymaster", "serviceName"),
            ("h,proxy=Twemproxy", "proxy"),
            ("h,ssl=true,sslProtocols=Tls12", "sslProtocols"),
            ("h,ssl=true,sslProtocols=Tls13", "sslProtocols"),
            ("h,sslProtocols=Tls99", "sslProtocols"),
            ("h,$GET=FETCH", "$GET"),
            ("h,bogus=1", "bogus"),
        ] {
            let m = err(connection);
            assert!(m.contains(named), "{connection}: {m}");
        }
        for ok in [
            "h,proxy=None",
            "h,ssl=true,sslProtocols=Tls12|Tls13",
            "h,ssl=true,sslProtocols=None",
            "h,allowAdmin=true,keepAlive=60,tieBreaker=,configChannel=x,configCheckSeconds=60,channelPrefix=p",
            "h,version=7.0,resolveDns=true,heartbeatInterval=1000,highPrioritySocketThreads=true,setlib=false",
            "h,includeDetailInExceptions=true,includePerformanceCountersInExceptions=false,responseTimeout=5000",
            "h,checkCertificateRevocation=true",
        ] {
            RedisConnection::parse(ok).unwrap_or_else(|e| panic!("{ok}: {}", e.message()));
        }
    }

    #[test]
    fn parses_what_add_krdistributedrediscache_builds_from_configuration_options() {
        // The string KrRedisCacheSettings builds from Kestrun's 19.2 ConfigurationOptions.
        let c = RedisConnection::parse(
            "127.0.0.1:6390,user=default,password=tok3n,ssl=true,defaultDatabase=0,connectTimeout=5000,syncTimeout=5000,asyncTimeout=5000,name=kestrun-box,abortConnect=false,connectRetry=3",
        )
        .unwrap();
        assert!(
            matches!(&c.info.addr, ConnectionAddr::TcpTls { host, port: 6390, insecure: false, .. } if host == "127.0.0.1")
        );
        assert_eq!(c.info.redis.username.as_deref(), Some("default"));
        assert_eq!(c.info.redis.password.as_deref(), Some("tok3n"));
        assert_eq!(c.client_name.as_deref(), Some("kestrun-box"));
        assert!(!c.abort_connect);
        assert_eq!(c.connect_retry, 3);
        assert_eq!(
            (c.connect_timeout, c.operation_timeout),
            (Some(Duration::from_secs(5)), Some(Duration::from_secs(5)))
        );
    }

    #[test]
    fn errors_and_redaction_never_show_passwords() {
        let e = RedisConnection::parse("host:1,password=hunter2,bogus=1").unwrap_err();
        assert!(!e.message().contains("hunter2"), "{}", e.message());
        assert!(e.message().contains("password=***"), "{}", e.message());
        let e = RedisConnection::parse("host:1,password=hunter2,ssl=true,sslHost=other").unwrap_err();
        assert!(!e.message().contains("hunter2"), "{}", e.message());
        assert_eq!(redact("redis://:hunter2@h:1/0"), "redis://:***@h:1/0");
        assert_eq!(redact("redis://u:hunter2@h:1/0"), "redis://u:***@h:1/0");
        assert_eq!(redact("redis://h:1/0"), "redis://h:1/0");
    }
}
