//! Redis connection strings: [`RedisConnection::parse`] and [`redact`].
use std::time::Duration;

use redis::{Client, ConnectionAddr, ConnectionInfo, ProtocolVersion, RedisConnectionInfo};

use crate::error::{Error, Result};

/// Largest accepted connect / operation timeout.
pub(super) const MAX_TIMEOUT_MS: u64 = 3_600_000;
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
}
