//! Endpoints: HTTP or HTTPS on an IPv4 / IPv6 address and port (0 = pick a free port), with the
//! HTTP versions they serve ([`HttpProtocols`], Kestrel's `ListenOptions.Protocols`).
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::tls::{self, TlsSpec};

/// The HTTP versions an endpoint serves (Kestrel's `HttpProtocols`).
///
/// - HTTPS: the version is agreed through TLS ALPN: `Http1AndHttp2` offers `h2` and `http/1.1`
///   (the client picks), `Http1` only `http/1.1`, `Http2` only `h2` (a client that offers ALPN
///   without `h2` fails the handshake; one that offers no ALPN at all is spoken to in HTTP/2).
/// - HTTP: there is no ALPN, so (as in Kestrel) `Http1AndHttp2` and `Http1` serve HTTP/1.1 only, and
///   `Http2` serves HTTP/2 with prior knowledge (h2c, e.g. `curl --http2-prior-knowledge`) only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpProtocols {
    /// HTTP/1.1 (and 1.0) only.
    Http1,
    /// HTTP/2 only.
    Http2,
    /// HTTP/1.1 and HTTP/2 (the default).
    #[default]
    Http1AndHttp2,
}

impl HttpProtocols {
    /// The ALPN protocol ids offered on an HTTPS endpoint, server preference first.
    pub(crate) fn alpn(self) -> Vec<Vec<u8>> {
        match self {
            HttpProtocols::Http1 => vec![b"http/1.1".to_vec()],
            HttpProtocols::Http2 => vec![b"h2".to_vec()],
            HttpProtocols::Http1AndHttp2 => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        }
    }

    /// Parses `Http1`, `Http2` or `Http1AndHttp2` (case-insensitive).
    pub fn parse(text: &str) -> Result<HttpProtocols> {
        match text.trim().to_ascii_lowercase().as_str() {
            "http1" => Ok(HttpProtocols::Http1),
            "http2" => Ok(HttpProtocols::Http2),
            "http1andhttp2" => Ok(HttpProtocols::Http1AndHttp2),
            _ => Err(Error::invalid_argument(format!(
                "{text:?} is not an HTTP protocol set (Http1, Http2 or Http1AndHttp2)"
            ))),
        }
    }
}

impl fmt::Display for HttpProtocols {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HttpProtocols::Http1 => "Http1",
            HttpProtocols::Http2 => "Http2",
            HttpProtocols::Http1AndHttp2 => "Http1AndHttp2",
        })
    }
}

/// What to listen on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    /// `127.0.0.1`, `::1`, `0.0.0.0`, `::` (any IPv4 / IPv6 literal, brackets allowed) or `localhost`
    /// (= `127.0.0.1`).
    pub address: String,
    /// Port; 0 picks a free one at start.
    pub port: u16,
    /// `None` for HTTP.
    pub tls: Option<TlsSpec>,
    /// The HTTP versions served (default `Http1AndHttp2`).
    pub protocols: HttpProtocols,
}

impl EndpointSpec {
    /// An HTTP endpoint.
    pub fn http(address: &str, port: u16) -> Self {
        EndpointSpec { address: address.to_string(), port, tls: None, protocols: HttpProtocols::default() }
    }

    /// An HTTPS endpoint with a self-signed certificate generated in memory.
    pub fn https_self_signed(address: &str, port: u16) -> Self {
        EndpointSpec {
            address: address.to_string(),
            port,
            tls: Some(TlsSpec::SelfSigned),
            protocols: HttpProtocols::default(),
        }
    }

    /// An HTTPS endpoint with a PEM certificate chain and key read from files.
    pub fn https_pem_files(
        address: &str,
        port: u16,
        cert_path: impl Into<std::path::PathBuf>,
        key_path: impl Into<std::path::PathBuf>,
    ) -> Self {
        EndpointSpec {
            address: address.to_string(),
            port,
            tls: Some(TlsSpec::PemFiles { cert_path: cert_path.into(), key_path: key_path.into() }),
            protocols: HttpProtocols::default(),
        }
    }

    /// The same endpoint serving `protocols`.
    pub fn with_protocols(mut self, protocols: HttpProtocols) -> Self {
        self.protocols = protocols;
        self
    }
}

/// An endpoint as configured on a server.
pub(crate) struct Endpoint {
    /// The host part of URLs (`localhost`, `127.0.0.1`, `[::1]`).
    pub(crate) host: String,
    pub(crate) ip: IpAddr,
    pub(crate) port: u16,
    /// The TLS configuration, its ALPN list set from `protocols`.
    pub(crate) tls: Option<Arc<rustls::ServerConfig>>,
    pub(crate) protocols: HttpProtocols,
    /// The port actually bound (while / after running).
    pub(crate) bound_port: Option<u16>,
}

/// Parses an endpoint address.
pub(crate) fn parse_address(address: &str) -> Result<(IpAddr, String)> {
    let a = address.trim();
    if a.eq_ignore_ascii_case("localhost") {
        return Ok((IpAddr::V4(Ipv4Addr::LOCALHOST), "localhost".to_string()));
    }
    let bare = a.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(a);
    let ip: IpAddr = bare
        .parse()
        .map_err(|_| Error::invalid_argument(format!("{address:?} is not an IPv4 / IPv6 address or \"localhost\"")))?;
    let host = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    Ok((ip, host))
}

impl Endpoint {
    pub(crate) fn from_spec(spec: &EndpointSpec) -> Result<Endpoint> {
        let (ip, host) = parse_address(&spec.address)?;
        let tls = match &spec.tls {
            None => None,
            Some(t) => {
                let mut config = tls::server_config(t, &spec.address)?;
                Arc::make_mut(&mut config).alpn_protocols = spec.protocols.alpn();
                Some(config)
            }
        };
        Ok(Endpoint { host, ip, port: spec.port, tls, protocols: spec.protocols, bound_port: None })
    }

    /// Serves `protocols` from now on (the TLS configuration's ALPN list follows).
    pub(crate) fn set_protocols(&mut self, protocols: HttpProtocols) {
        self.protocols = protocols;
        if let Some(config) = self.tls.as_mut() {
            Arc::make_mut(config).alpn_protocols = protocols.alpn();
        }
    }

    pub(crate) fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// The port clients should use: bound port once started, else the configured one.
    pub(crate) fn effective_port(&self) -> u16 {
        self.bound_port.unwrap_or(self.port)
    }

    pub(crate) fn url(&self) -> String {
        format!("{}://{}:{}", self.scheme(), self.host, self.effective_port())
    }

    /// Binds the listener: non-blocking, `SO_REUSEADDR` on Unix (a stopped server's port can be
    /// bound again at once), backlog 1024 (actix's default).
    pub(crate) fn bind(&self) -> Result<TcpListener> {
        use socket2::{Domain, Protocol, Socket, Type};
        let addr = SocketAddr::new(self.ip, self.port);
        let shown = format!("{}://{}:{}", self.scheme(), self.host, self.port);
        let fail = |e: std::io::Error| Error::bind_failed(format!("cannot bind {shown}: {e}"));
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).map_err(fail)?;
        #[cfg(unix)]
        socket.set_reuse_address(true).map_err(fail)?;
        socket.bind(&addr.into()).map_err(fail)?;
        socket.listen(1024).map_err(fail)?;
        socket.set_nonblocking(true).map_err(fail)?;
        Ok(socket.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(parse_address("localhost").unwrap().1, "localhost");
        assert_eq!(parse_address("127.0.0.1").unwrap().1, "127.0.0.1");
        assert_eq!(parse_address("::1").unwrap().1, "[::1]");
        assert_eq!(parse_address("[::1]").unwrap().1, "[::1]");
        assert_eq!(parse_address("0.0.0.0").unwrap().0, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert!(parse_address("example.com").is_err());
        assert!(parse_address("300.1.1.1").is_err());
        assert!(parse_address("").is_err());
    }

    #[test]
    fn protocols() {
        assert_eq!(HttpProtocols::default(), HttpProtocols::Http1AndHttp2);
        assert_eq!(HttpProtocols::parse("http1ANDhttp2").unwrap(), HttpProtocols::Http1AndHttp2);
        assert_eq!(HttpProtocols::parse(" Http2 ").unwrap(), HttpProtocols::Http2);
        assert!(HttpProtocols::parse("h2c").is_err());
        assert_eq!(HttpProtocols::Http1.alpn(), vec![b"http/1.1".to_vec()]);
        let spec = EndpointSpec::https_self_signed("127.0.0.1", 0).with_protocols(HttpProtocols::Http2);
        let ep = Endpoint::from_spec(&spec).unwrap();
        assert_eq!(ep.tls.unwrap().alpn_protocols, vec![b"h2".to_vec()]);
    }
}
