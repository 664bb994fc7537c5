//! The connection layer of a running server: for each endpoint, how an accepted TCP connection
//! becomes an HTTP/1.1 or HTTP/2 connection served by the app. This replaces actix-web's
//! `HttpServer` (whose TLS listeners always offer `h2` and stop accepting while a worker's
//! handshakes are at actix-tls's limit) with the same actix-server / actix-http pieces:
//!
//! - `TCP_NODELAY` on every accepted socket.
//! - HTTPS: the ALPN list of the endpoint's [`HttpProtocols`]; the handshake bounded by the
//!   server's TLS handshake timeout (default 10 s, Kestrel's) from the moment the connection is
//!   accepted. The client's `ClientHello` is awaited without holding anything but the socket, so
//!   idle or slow connections never delay other clients; only the part of the handshake that costs
//!   CPU (from the complete `ClientHello` on) takes one of the server's handshake slots (a bound on
//!   concurrent handshakes, default [`DEFAULT_MAX_CONCURRENT_TLS_HANDSHAKES`]); a handshake that
//!   waits for a slot still ends at its deadline. Accepting never stops because of handshakes.
//! - HTTP: HTTP/1.1, or HTTP/2 with prior knowledge (h2c) on an `Http2`-only endpoint.
//! - HTTP/1.x: when actix-http's parser refuses a request head (more than 96 headers or a head over
//!   128 KiB), it answers `431` with an empty body and drops the connection at once; [`Conn`] turns
//!   that answer into the engine's JSON 431 and then reads and discards what the client still sends
//!   for a short while before closing (a "lingering close"), so the client reads the 431 instead of
//!   a connection reset.
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use actix_http::{HttpService, Protocol};
use actix_rt::net::TcpStream;
use actix_server::{GracefulShutdownSignal, ServerBuilder};
use actix_service::{fn_service, map_config, IntoServiceFactory as _, ServiceFactory, ServiceFactoryExt as _};
use actix_web::dev::AppConfig;
use actix_web::http::StatusCode;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::sync::Semaphore;
use tokio::time::{timeout_at, Instant};

use crate::app::{self, AppParts};
use crate::endpoint::HttpProtocols;
use crate::errors_json::error_body;
use crate::logging;

/// Default TLS handshake timeout: 10 s (Kestrel's `HttpsConnectionAdapterOptions.HandshakeTimeout`).
pub const DEFAULT_TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default bound on TLS handshakes computing at the same time (per server).
pub const DEFAULT_MAX_CONCURRENT_TLS_HANDSHAKES: usize = 256;
/// actix-http's HTTP/1 parser limits (not configurable there): headers per request, request head bytes.
pub const H1_PARSER_MAX_HEADERS: usize = 96;
/// See [`H1_PARSER_MAX_HEADERS`]: the request line and headers, 128 KiB.
pub const H1_PARSER_MAX_HEAD_BYTES: usize = 128 * 1024;
/// How long a connection refused with 431 is drained before it is closed.
const LINGER_TIME: Duration = Duration::from_secs(2);
/// The most a refused connection's drain reads before it closes anyway.
const LINGER_BYTES: usize = 16 * 1024 * 1024;

/// One endpoint's listener as `serve` hands it over.
pub(crate) struct Listener {
    pub(crate) tcp: std::net::TcpListener,
    pub(crate) tls: Option<Arc<rustls::ServerConfig>>,
    pub(crate) protocols: HttpProtocols,
}

/// The endpoints' listeners and the server-wide connection settings, as `serve` hands them over.
pub(crate) struct Connections {
    pub(crate) listeners: Vec<Listener>,
    pub(crate) settings: ConnectionSettings,
}

/// The server-wide connection settings.
#[derive(Clone)]
pub(crate) struct ConnectionSettings {
    pub(crate) tls_handshake_timeout: Duration,
    /// Handshake slots, shared by every TLS endpoint and worker of the server.
    pub(crate) handshakes: Arc<Semaphore>,
}

/// Adds every listener to an actix-server `builder`, each connection served by a new `app` service.
pub(crate) fn add_listeners(
    mut builder: ServerBuilder,
    Connections { listeners, settings }: Connections,
    parts: &AppParts,
) -> io::Result<ServerBuilder> {
    let shutdown = builder.graceful_shutdown_signal();
    for Listener { tcp, tls, protocols } in listeners {
        let addr = tcp.local_addr()?;
        let name = format!("kestrun-{addr}");
        let (parts, settings, shutdown) = (parts.clone(), settings.clone(), shutdown.clone());
        // The factories run on each worker.
        builder = match tls {
            Some(config) => builder.listen(name, tcp, move || {
                let (config, settings) = (config.clone(), settings.clone());
                fn_service(move |stream: TcpStream| accept_tls(stream, config.clone(), settings.clone(), protocols))
                    .and_then(http_service(&parts, &shutdown, addr, true))
            })?,
            None => builder.listen(name, tcp, move || {
                fn_service(move |stream: TcpStream| accept_plain(stream, protocols))
                    .and_then(http_service(&parts, &shutdown, addr, false))
            })?,
        };
    }
    Ok(builder)
}

/// The HTTP/1 + HTTP/2 service of a connection over a new app service (actix-web's defaults:
/// 5 s keep-alive and request head timeout, 1 s disconnect timeout). Its errors (the connection's
/// end) are dropped, as actix-web's are.
fn http_service<T: AsyncRead + AsyncWrite + Unpin + 'static>(
    parts: &AppParts,
    shutdown: &GracefulShutdownSignal,
    addr: SocketAddr,
    secure: bool,
) -> impl ServiceFactory<(T, Protocol, Option<SocketAddr>), Config = (), Response = (), Error = (), InitError = ()> {
    let signal = shutdown.clone();
    let app = app::build(parts).into_factory().map_err(|e: actix_web::Error| e.error_response());
    HttpService::build()
        .graceful_shutdown_signal(move || {
            let signal = signal.clone();
            async move { signal.notified().await }
        })
        .client_request_timeout(Duration::from_secs(5))
        .client_disconnect_timeout(Duration::from_secs(1))
        .local_addr(addr)
        // `AppConfig::new` is crate-private; this is the constructor it stands for (what actix-web's
        // HttpServer builds), so requests' `secure` / `host` are what they were with HttpServer.
        .finish(map_config(app, move |_| AppConfig::__priv_test_new(secure, addr.to_string(), addr)))
        .map_err(|_| ())
}

/// What the HTTP service gets for a connection.
type Accepted<S> = (Conn<S>, Protocol, Option<SocketAddr>);

async fn accept_plain(stream: TcpStream, protocols: HttpProtocols) -> Result<Accepted<TcpStream>, ()> {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().ok();
    // No ALPN without TLS: Http2-only endpoints speak h2c with prior knowledge, the others HTTP/1.1.
    Ok(match protocols {
        HttpProtocols::Http2 => (Conn::new(stream, false), Protocol::Http2, peer),
        _ => (Conn::new(stream, true), Protocol::Http1, peer),
    })
}

async fn accept_tls(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
    settings: ConnectionSettings,
    protocols: HttpProtocols,
) -> Result<Accepted<tokio_rustls::server::TlsStream<TcpStream>>, ()> {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().ok();
    let deadline = Instant::now() + settings.tls_handshake_timeout;
    // A failed handshake is logged at Debug (as Kestrel does) and ends the connection.
    let fail = |what: &str| {
        if logging::enabled(logging::LogLevel::Debug) {
            let peer = peer.map(|p| p.to_string()).unwrap_or_else(|| "?".into());
            logging::debug(&format!("TLS handshake with {peer} {what}"));
        }
    };
    // 1. The ClientHello, read without a handshake slot.
    let start = tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream);
    let start = match timeout_at(deadline, start).await {
        Ok(Ok(start)) => start,
        Ok(Err(e)) => {
            fail(&format!("failed: {e}"));
            return Err(());
        }
        Err(_) => {
            fail("timed out waiting for the ClientHello");
            return Err(());
        }
    };
    // 2. A slot for the rest (key exchange, certificate signature), within the same deadline.
    let Ok(Ok(_slot)) = timeout_at(deadline, settings.handshakes.acquire()).await else {
        fail("timed out waiting for a handshake slot");
        return Err(());
    };
    let tls = match timeout_at(deadline, start.into_stream(config)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            fail(&format!("failed: {e}"));
            return Err(());
        }
        Err(_) => {
            fail("timed out");
            return Err(());
        }
    };
    let proto = match tls.get_ref().1.alpn_protocol() {
        Some(b"h2") => Protocol::Http2,
        Some(_) => Protocol::Http1,
        // A client without ALPN: the endpoint's only version, else HTTP/1.1.
        None if protocols == HttpProtocols::Http2 => Protocol::Http2,
        None => Protocol::Http1,
    };
    Ok((Conn::new(tls, proto == Protocol::Http1), proto, peer))
}

/// An accepted connection (TCP, or TLS over TCP) as the HTTP service reads and writes it: passes
/// everything through, except actix-http's empty HTTP/1 431 (request head refused by its parser),
/// which becomes the engine's JSON 431 followed by a lingering close (see the module docs).
pub(crate) struct Conn<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> {
    io: Option<S>,
    /// HTTP/1: look for the 431.
    h1: bool,
    /// The JSON 431 still to write, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
    /// A 431 was answered: drain the connection before closing it.
    linger: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Conn<S> {
    fn new(io: S, h1: bool) -> Self {
        Conn { io: Some(io), h1, pending: None, linger: false }
    }

    fn io(&mut self) -> io::Result<&mut S> {
        self.io.as_mut().ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "connection closed"))
    }

    /// Writes what is left of the JSON 431.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = self.pending.as_mut() {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let io = self.io.as_mut().ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))?;
            match ready!(Pin::new(io).poll_write(cx, &bytes[*written..]))? {
                0 => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                n => *written += n,
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// Whether `buf` is exactly actix-http's answer to a refused request head: a `431` status line and
/// headers with `content-length: 0`, nothing after them.
fn is_parser_431(buf: &[u8]) -> bool {
    let status_431 = buf.starts_with(b"HTTP/1.1 431 ") || buf.starts_with(b"HTTP/1.0 431 ");
    status_431
        && buf.ends_with(b"\r\n\r\n")
        && buf.windows(4).position(|w| w == b"\r\n\r\n") == Some(buf.len() - 4)
        && buf.to_ascii_lowercase().windows(19).any(|w| w == b"\r\ncontent-length: 0")
}

/// The JSON 431 that replaces `original` (keeps its `date` header).
fn json_431(original: &[u8]) -> Vec<u8> {
    let status = StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
    let body = error_body(
        status,
        &format!(
            "The request headers are too large: HTTP/1.1 requests are limited to {H1_PARSER_MAX_HEADERS} headers \
             and {} KiB for the request line and headers",
            H1_PARSER_MAX_HEAD_BYTES / 1024
        ),
    );
    let date = String::from_utf8_lossy(original)
        .split("\r\n")
        .find(|line| line.to_ascii_lowercase().starts_with("date:"))
        .map(|line| format!("{line}\r\n"))
        .unwrap_or_default();
    format!(
        "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\n{date}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> AsyncRead for Conn<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.get_mut().io()?).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> AsyncWrite for Conn<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if this.h1 && !this.linger && is_parser_431(buf) {
            logging::debug("HTTP/1.1 request head refused by the parser: 431");
            this.pending = Some((json_431(buf), 0));
            this.linger = true;
            // What cannot be written now is written by the next write / flush, or by the linger task.
            if let Poll::Ready(Err(e)) = this.poll_pending(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(this.io()?).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.h1 {
            // HTTP/1 writes are looked at one buffer at a time.
            let buf = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &**b);
            return Pin::new(this).poll_write(cx, buf);
        }
        Pin::new(this.io()?).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        !self.h1 && self.io.as_ref().is_some_and(|io| io.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(this.io()?).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(this.io()?).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Drop for Conn<S> {
    fn drop(&mut self) {
        if !self.linger {
            return;
        }
        let (Some(io), Ok(runtime)) = (self.io.take(), tokio::runtime::Handle::try_current()) else {
            return;
        };
        let pending = self.pending.take().map(|(bytes, written)| bytes[written..].to_vec()).unwrap_or_default();
        runtime.spawn(linger(io, pending));
    }
}

/// Writes the rest of the 431, closes the sending side, then reads and discards what the client
/// still sends (at most [`LINGER_BYTES`] for at most [`LINGER_TIME`]) before the socket is dropped:
/// closing a socket with unread data resets the connection, and the client may lose the answer.
async fn linger<S: AsyncRead + AsyncWrite + Unpin>(mut io: S, pending: Vec<u8>) {
    let deadline = Instant::now() + LINGER_TIME;
    let drain = async {
        io.write_all(&pending).await?;
        io.flush().await?;
        io.shutdown().await?;
        let mut buf = vec![0u8; 16 * 1024];
        let mut total = 0;
        while total < LINGER_BYTES {
            match io.read(&mut buf).await? {
                0 => break,
                n => total += n,
            }
        }
        io::Result::Ok(())
    };
    let _ = timeout_at(deadline, drain).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_get_tcp_nodelay() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = tokio::net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        assert!(!stream.nodelay().unwrap(), "the OS default is off");
        let (conn, proto, peer) = accept_plain(stream, HttpProtocols::default()).await.unwrap();
        assert!(conn.io.as_ref().unwrap().nodelay().unwrap());
        assert_eq!((proto, peer), (Protocol::Http1, Some(client.local_addr().unwrap())));
    }

    #[test]
    fn parser_431_is_recognised_and_rewritten() {
        let actix = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n";
        assert!(is_parser_431(actix));
        assert!(!is_parser_431(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
        assert!(!is_parser_431(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 12\r\n\r\n"));
        let mut with_body = actix.to_vec();
        with_body.extend_from_slice(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        assert!(!is_parser_431(&with_body));
        let json = String::from_utf8(json_431(actix)).unwrap();
        let (head, body) = json.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "));
        assert!(head.contains("\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT"));
        assert!(head.contains(&format!("\r\ncontent-length: {}", body.len())));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["status"], 431);
    }
}
