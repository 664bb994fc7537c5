//! HTTP as Kestrel serves it, over real sockets: HTTP/2 through ALPN on HTTPS with HTTP/1.1 kept,
//! per-endpoint protocols, h2c with prior knowledge on an `Http2`-only plain endpoint, ASP.NET
//! Core's route matching (case, one trailing slash) and HEAD; and under abuse: idle connections that
//! never start TLS, the TLS handshake timeout and slots, request header limits (431 JSON).
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use kestrun_native::{handler_fn, EndpointSpec, ErrorKind, HttpProtocols, Server, TlsSpec};
use tokio::io::{AsyncRead, AsyncWrite};

// ---- servers ----------------------------------------------------------------------------------------

/// A certificate (and key) for `localhost` that the test clients trust.
fn pem() -> (String, String) {
    kestrun_native::tls::self_signed_pem(&[]).unwrap()
}

/// The test routes: `GET /hello` → `hello`; `GET /Users/{id}/Profile/` → `id=<id>`; `GET /created` →
/// 201 with `x-kind: created` and body `made`; `GET /own` → `get`, `HEAD /own` → 204 with `x-own: head`.
fn routes(server: &Server) {
    text_route(server, "/hello", "hello");
    let profile = handler_fn(|ctx| {
        let id = ctx.route_param("id").unwrap_or("?").to_string();
        ctx.set_body_text(&format!("id={id}"));
        Ok(())
    });
    server.add_route("GET", "/Users/{id}/Profile/", profile).unwrap();
    let created = handler_fn(|ctx| {
        ctx.add_header("x-kind", "created").map_err(|e| e.to_string())?;
        ctx.write(201, Some("text/plain"), b"made").map_err(|e| e.to_string())
    });
    server.add_route("GET", "/created", created).unwrap();
    text_route(server, "/own", "get");
    let own_head = handler_fn(|ctx| {
        ctx.add_header("x-own", "head").map_err(|e| e.to_string())?;
        ctx.set_status(204).map_err(|e| e.to_string())
    });
    server.add_route("HEAD", "/own", own_head).unwrap();
    let upload = handler_fn(|ctx| {
        let n = ctx.body().len();
        ctx.set_body_text(&n.to_string());
        Ok(())
    });
    server.add_route("POST", "/upload", upload).unwrap();
}

/// A started server with one endpoint serving `protocols`: HTTPS with `tls` (certificate, key), or
/// HTTP; `configure` runs before the start. Returns the server and its port.
fn server_with(
    name: &str,
    tls: Option<&(String, String)>,
    protocols: HttpProtocols,
    configure: impl FnOnce(&Server),
) -> (Server, u16) {
    let server = Server::new(name).unwrap();
    let tls = tls.map(|(cert_pem, key_pem)| TlsSpec::Pem { cert_pem: cert_pem.clone(), key_pem: key_pem.clone() });
    let spec = EndpointSpec { address: "127.0.0.1".into(), port: 0, tls, protocols };
    server.add_endpoint(spec).unwrap();
    routes(&server);
    configure(&server);
    server.start().unwrap();
    let port = server.endpoint_port(0).unwrap();
    (server, port)
}

// ---- clients ----------------------------------------------------------------------------------------

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// A TLS connection to `localhost:port` trusting `cert_pem`, offering `alpn` (none when empty).
async fn tls_connect(
    port: u16,
    cert_pem: &str,
    alpn: &[&[u8]],
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut cert_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await
}

/// The protocol the server chose through ALPN.
fn alpn_of(tls: &tokio_rustls::client::TlsStream<tokio::net::TcpStream>) -> Option<Vec<u8>> {
    tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec)
}

/// A response as an HTTP/2 client sees it.
#[derive(Debug)]
struct H2Response {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl H2Response {
    fn json(&self) -> serde_json::Value {
        assert_eq!(self.headers["content-type"], "application/json; charset=utf-8");
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// One HTTP/2 request on `io` (TLS with `h2` agreed, or plain TCP with prior knowledge).
async fn h2_request<T: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    io: T,
    method: &str,
    url: &str,
    headers: &[(&str, String)],
) -> Result<H2Response, h2::Error> {
    let (client, connection) = h2::client::handshake(io).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut client = client.ready().await?;
    let mut request = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    let (response, _) = client.send_request(request.body(()).unwrap(), true)?;
    let (parts, mut body) = response.await?.into_parts();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk?;
        let _ = body.flow_control().release_capacity(chunk.len());
        bytes.extend_from_slice(&chunk);
    }
    Ok(H2Response { status: parts.status.as_u16(), headers: parts.headers, body: bytes })
}

/// A blocking HTTPS / HTTP client (HTTP/1.1: this reqwest has no HTTP/2) that trusts `cert_pem`.
fn h1_client(cert_pem: Option<&str>) -> reqwest::blocking::Client {
    let mut builder = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30));
    if let Some(pem) = cert_pem {
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

// ---- HTTP/2 and protocols ---------------------------------------------------------------------------

#[test]
fn https_serves_http2_through_alpn_and_keeps_http11() {
    let tls = pem();
    let (server, port) = server_with("alpn", Some(&tls), HttpProtocols::default(), |_| {});
    let rt = runtime();
    rt.block_on(async {
        let conn = tls_connect(port, &tls.0, &[b"h2", b"http/1.1"]).await.unwrap();
        assert_eq!(alpn_of(&conn).as_deref(), Some(&b"h2"[..]));
        let resp = h2_request(conn, "GET", &format!("https://localhost:{port}/hello"), &[]).await.unwrap();
        assert_eq!((resp.status, resp.body.as_slice()), (200, &b"hello"[..]));
        let conn = tls_connect(port, &tls.0, &[b"http/1.1"]).await.unwrap();
        assert_eq!(alpn_of(&conn).as_deref(), Some(&b"http/1.1"[..]));
    });
    let resp = h1_client(Some(&tls.0)).get(format!("https://localhost:{port}/hello")).send().unwrap();
    assert_eq!(resp.version(), reqwest::Version::HTTP_11);
    assert_eq!(resp.text().unwrap(), "hello");
    stop(&server);
}

#[test]
fn endpoint_protocols_decide_what_alpn_offers() {
    let tls = pem();
    let rt = runtime();
    // Http1: a client offering both gets HTTP/1.1; one offering only h2 fails the handshake.
    let (server, port) = server_with("alpn-h1", Some(&tls), HttpProtocols::Http1, |_| {});
    rt.block_on(async {
        let conn = tls_connect(port, &tls.0, &[b"h2", b"http/1.1"]).await.unwrap();
        assert_eq!(alpn_of(&conn).as_deref(), Some(&b"http/1.1"[..]));
        assert!(tls_connect(port, &tls.0, &[b"h2"]).await.is_err(), "h2 only on an Http1 endpoint");
    });
    assert_eq!(h1_client(Some(&tls.0)).get(format!("https://localhost:{port}/hello")).send().unwrap().status(), 200);
    stop(&server);

    // Http2: h2 agreed; a client offering only http/1.1 fails; one without ALPN gets HTTP/2.
    let (server, port) = server_with("alpn-h2", Some(&tls), HttpProtocols::Http2, |_| {});
    rt.block_on(async {
        let conn = tls_connect(port, &tls.0, &[b"h2", b"http/1.1"]).await.unwrap();
        assert_eq!(alpn_of(&conn).as_deref(), Some(&b"h2"[..]));
        let resp = h2_request(conn, "GET", &format!("https://localhost:{port}/hello"), &[]).await.unwrap();
        assert_eq!(resp.status, 200);
        assert!(tls_connect(port, &tls.0, &[b"http/1.1"]).await.is_err(), "http/1.1 only on an Http2 endpoint");
        let conn = tls_connect(port, &tls.0, &[]).await.unwrap();
        assert_eq!(alpn_of(&conn), None);
        let resp = h2_request(conn, "GET", &format!("https://localhost:{port}/hello"), &[]).await.unwrap();
        assert_eq!(resp.body, b"hello");
    });
    assert!(h1_client(Some(&tls.0)).get(format!("https://localhost:{port}/hello")).send().is_err());
    stop(&server);
}

#[test]
fn endpoint_protocols_can_be_changed_until_the_start() {
    let tls = pem();
    let server = Server::new("set-protocols").unwrap();
    let tls_spec = TlsSpec::Pem { cert_pem: tls.0.clone(), key_pem: tls.1.clone() };
    let spec =
        EndpointSpec { address: "127.0.0.1".into(), port: 0, tls: Some(tls_spec), protocols: Default::default() };
    let index = server.add_endpoint(spec).unwrap();
    assert_eq!(server.endpoint_protocols(index).unwrap(), HttpProtocols::Http1AndHttp2);
    server.set_endpoint_protocols(index, HttpProtocols::Http1).unwrap();
    assert_eq!(server.endpoint_protocols(index).unwrap(), HttpProtocols::Http1);
    assert_eq!(server.set_endpoint_protocols(3, HttpProtocols::Http1).unwrap_err().kind(), ErrorKind::InvalidArgument);
    routes(&server);
    server.start().unwrap();
    let port = server.endpoint_port(index).unwrap();
    runtime().block_on(async {
        let conn = tls_connect(port, &tls.0, &[b"h2", b"http/1.1"]).await.unwrap();
        assert_eq!(alpn_of(&conn).as_deref(), Some(&b"http/1.1"[..]));
    });
    assert_eq!(server.set_endpoint_protocols(index, HttpProtocols::Http2).unwrap_err().kind(), ErrorKind::InvalidState);
    stop(&server);
}

/// Sends a raw HTTP/1.1 GET on a new connection; returns what came back (until EOF or 3 s).
fn raw_http11_get(port: u16, path: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

#[test]
fn plain_http_serves_http11_and_http2_only_endpoints_speak_h2c() {
    let rt = runtime();
    // Http2 without TLS: HTTP/2 with prior knowledge only.
    let (server, port) = server_with("h2c", None, HttpProtocols::Http2, |_| {});
    rt.block_on(async {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let resp = h2_request(tcp, "GET", &format!("http://127.0.0.1:{port}/hello"), &[]).await.unwrap();
        assert_eq!((resp.status, resp.body.as_slice()), (200, &b"hello"[..]));
    });
    let answer = raw_http11_get(port, "/hello");
    assert!(!answer.starts_with(b"HTTP/1.1"), "HTTP/1.1 answered on an Http2 endpoint: {answer:?}");
    stop(&server);

    // The default on plain HTTP: HTTP/1.1 (no ALPN to agree on HTTP/2), as Kestrel.
    let (server, port) = server_with("h1-plain", None, HttpProtocols::default(), |_| {});
    assert!(raw_http11_get(port, "/hello").starts_with(b"HTTP/1.1 200 OK\r\n"));
    rt.block_on(async {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let result = tokio::time::timeout(
            Duration::from_secs(10),
            h2_request(tcp, "GET", &format!("http://127.0.0.1:{port}/hello"), &[]),
        )
        .await
        .expect("the prior-knowledge request ends");
        assert!(result.is_err(), "h2c answered on an Http1AndHttp2 plain endpoint: {result:?}");
    });
    stop(&server);
}

// ---- routing ----------------------------------------------------------------------------------------

#[test]
fn routes_match_case_insensitively_and_with_or_without_one_trailing_slash() {
    let (server, port) = server_with("route-match", None, HttpProtocols::default(), |_| {});
    let c = h1_client(None);
    let url = format!("http://127.0.0.1:{port}");
    for path in ["/hello", "/HELLO", "/Hello/", "/hello/?x=1"] {
        let resp = c.get(format!("{url}{path}")).send().unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.text().unwrap(), "hello", "{path}");
    }
    // Parameter values keep their case; the pattern's own trailing slash is optional too.
    assert_eq!(c.get(format!("{url}/users/AbC/profile")).send().unwrap().text().unwrap(), "id=AbC");
    assert_eq!(c.get(format!("{url}/USERS/x%20Y/PROFILE/")).send().unwrap().text().unwrap(), "id=x Y");
    for path in ["/hello//", "/hello/x", "/users//profile"] {
        let v = assert_json_error(c.get(format!("{url}{path}")).send().unwrap(), 404);
        assert!(v["message"].as_str().unwrap().starts_with("No route matches GET /"), "{v}");
    }
    stop(&server);
}

#[test]
fn a_head_answer_carries_no_body_bytes() {
    // HEAD, then (once its answer is in) GET on the same connection: nothing but the HEAD's headers comes
    // before the GET's answer. (Not pipelined: actix-http's HTTP/1 codec takes the HEAD-ness and
    // keep-alive of the *last decoded* request, so a GET pipelined behind a HEAD gives the HEAD a body.)
    let (server, port) = server_with("head-raw", None, HttpProtocols::default(), |_| {});
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"HEAD /created HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "closed early: {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(b"GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let _ = s.read_to_end(&mut got);
    let text = String::from_utf8(got).unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 201 Created\r\n"), "{text}");
    assert!(head.contains("\r\ncontent-length: 4\r\n"), "{text}");
    assert!(head.contains("\r\nx-kind: created\r\n"), "{text}");
    assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "body bytes after the HEAD answer: {text}");
    assert!(rest.ends_with("\r\n\r\nhello"), "{text}");
    stop(&server);
}

#[test]
fn head_is_answered_by_get_routes_unless_mapped() {
    let tls = pem();
    let (server, port) = server_with("head", Some(&tls), HttpProtocols::default(), |_| {});
    let url = format!("https://localhost:{port}");
    let c = h1_client(Some(&tls.0));
    // HTTP/1.1: the GET's status, headers and Content-Length, no body.
    let get = c.get(format!("{url}/created")).send().unwrap();
    assert_eq!(get.status(), 201);
    assert_eq!(get.headers()["content-length"], "4");
    let head = c.head(format!("{url}/Created/")).send().unwrap();
    assert_eq!(head.status(), 201);
    assert_eq!(head.headers()["x-kind"], "created");
    assert_eq!(head.headers()["content-length"], "4");
    assert_eq!(head.headers()["content-type"], get.headers()["content-type"]);
    assert!(head.bytes().unwrap().is_empty());
    // A HEAD route of its own wins.
    let own = c.head(format!("{url}/own")).send().unwrap();
    assert_eq!(own.status(), 204);
    assert_eq!(own.headers()["x-own"], "head");
    assert_eq!(c.get(format!("{url}/own")).send().unwrap().text().unwrap(), "get");
    // 405 lists HEAD with GET.
    let resp = c.post(format!("{url}/hello")).send().unwrap();
    assert_eq!(resp.headers()["allow"], "GET, HEAD");
    assert_json_error(resp, 405);
    // HTTP/2: the same.
    runtime().block_on(async {
        let conn = tls_connect(port, &tls.0, &[b"h2"]).await.unwrap();
        let resp = h2_request(conn, "HEAD", &format!("{url}/created"), &[]).await.unwrap();
        assert_eq!(resp.status, 201);
        assert_eq!(resp.headers["content-length"], "4");
        assert_eq!(resp.headers["x-kind"], "created");
        assert!(resp.body.is_empty());
    });
    stop(&server);
}

#[test]
fn early_http2_answers_wait_for_a_small_request_body() {
    // An answer that ends while the request body is still coming is followed by RST_STREAM(NO_ERROR),
    // which curl 7.88 reports as a failed request instead of the answer. For a small body (here sent
    // 200 ms after the headers) the server reads it first: no reset follows the answer.
    let tls = pem();
    let (server, port) = server_with("h2-early", Some(&tls), HttpProtocols::default(), |s| {
        s.set_max_body_bytes(1024).unwrap();
    });
    runtime().block_on(async {
        for (path, status, body_len) in
            [("/nope", 404, 2), ("/hello", 405, 2), ("/upload", 413, 2048), ("/upload", 200, 10)]
        {
            let conn = tls_connect(port, &tls.0, &[b"h2"]).await.unwrap();
            let (client, connection) = h2::client::handshake(conn).await.unwrap();
            tokio::spawn(async move {
                let _ = connection.await;
            });
            let mut client = client.ready().await.unwrap();
            let request = http::Request::builder()
                .method("POST")
                .uri(format!("https://localhost:{port}{path}"))
                .header("content-length", body_len.to_string())
                .body(())
                .unwrap();
            let (response, mut send) = client.send_request(request, false).unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
            send.send_data(bytes::Bytes::from(vec![b'x'; body_len]), true).unwrap();
            let response = response.await.unwrap();
            assert_eq!(response.status().as_u16(), status, "{path}");
            let reset =
                tokio::time::timeout(Duration::from_millis(300), std::future::poll_fn(|cx| send.poll_reset(cx))).await;
            assert!(reset.is_err(), "POST {path}: the answer was followed by RST_STREAM {reset:?}");
        }
    });
    stop(&server);
}

// ---- under abuse ------------------------------------------------------------------------------------

/// The soft limit on open files of this process (from /proc; `None` elsewhere).
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[test]
fn idle_connections_that_never_start_tls_do_not_delay_other_clients() {
    // The client and the server sockets of every idle connection are in this process: 2 per
    // connection, plus some slack for the runtime, the server and the test harness.
    let mut idle = 2000;
    if let Some(limit) = open_files_limit() {
        if limit < 2 * idle + 256 {
            idle = limit.saturating_sub(256) / 2;
            eprintln!("open files soft limit {limit}: using {idle} idle connections instead of 2000");
        }
    }
    assert!(idle >= 500, "too few file descriptors for a meaningful test");
    let tls = pem();
    let (server, port) = server_with("idle-tls", Some(&tls), HttpProtocols::default(), |_| {});
    let c = h1_client(Some(&tls.0));
    assert_eq!(c.get(format!("https://localhost:{port}/hello")).send().unwrap().status(), 200);

    let sockets: Vec<TcpStream> = (0..idle).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    // A new client (TCP connect, TLS handshake, request) behind all of them.
    let fresh = h1_client(Some(&tls.0));
    let started = Instant::now();
    let resp = fresh.get(format!("https://localhost:{port}/hello")).send().unwrap();
    let elapsed = started.elapsed();
    eprintln!("/hello (HTTP/1.1, new TLS connection) with {idle} idle connections: {elapsed:?}");
    assert_eq!(resp.text().unwrap(), "hello");
    assert!(elapsed < Duration::from_secs(1), "/hello took {elapsed:?} with {idle} idle connections");
    // And over HTTP/2.
    runtime().block_on(async {
        let started = Instant::now();
        let conn = tls_connect(port, &tls.0, &[b"h2"]).await.unwrap();
        let resp = h2_request(conn, "GET", &format!("https://localhost:{port}/hello"), &[]).await.unwrap();
        assert_eq!(resp.body, b"hello");
        assert!(started.elapsed() < Duration::from_secs(1), "HTTP/2 /hello took {:?}", started.elapsed());
    });
    drop(sockets);
    stop(&server);
}

#[test]
fn the_tls_handshake_timeout_closes_silent_and_stalled_connections() {
    let tls = pem();
    let (server, port) = server_with("handshake-timeout", Some(&tls), HttpProtocols::default(), |s| {
        s.set_tls_handshake_timeout(Duration::from_millis(500)).unwrap();
    });
    // Silent, and stalled after the first bytes of a ClientHello (a TLS handshake record header).
    for first_bytes in [&b""[..], &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01][..]] {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(first_bytes).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let started = Instant::now();
        let mut buf = [0u8; 64];
        let closed = match s.read(&mut buf) {
            Ok(0) => true,
            Ok(_) => false, // an alert before the close is fine too: read on
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
        } || matches!(s.read(&mut buf), Ok(0) | Err(_));
        let elapsed = started.elapsed();
        assert!(closed, "not closed ({first_bytes:?})");
        assert!(
            elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(3),
            "closed after {elapsed:?} ({first_bytes:?})"
        );
    }
    // Handshakes that complete are not affected.
    assert_eq!(h1_client(Some(&tls.0)).get(format!("https://localhost:{port}/hello")).send().unwrap().status(), 200);
    stop(&server);
    // The option is validated.
    assert!(server.set_tls_handshake_timeout(Duration::ZERO).is_err());
    assert!(server.set_max_concurrent_tls_handshakes(0).is_err());
}

#[test]
fn one_handshake_slot_still_serves_many_concurrent_clients() {
    let tls = pem();
    let (server, port) = server_with("handshake-slots", Some(&tls), HttpProtocols::default(), |s| {
        s.set_max_concurrent_tls_handshakes(1).unwrap();
    });
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let cert = tls.0.clone();
            std::thread::spawn(move || {
                let resp = h1_client(Some(&cert)).get(format!("https://localhost:{port}/hello")).send().unwrap();
                resp.status().as_u16()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
    stop(&server);
}

#[test]
fn oversized_request_headers_get_431_json_over_http11_and_http2() {
    let tls = pem();
    let (plain, plain_port) = server_with("h431", None, HttpProtocols::default(), |_| {});
    let (secure, secure_port) = server_with("h431s", Some(&tls), HttpProtocols::default(), |_| {});
    let mb = "a".repeat(1024 * 1024);
    let kb40 = "b".repeat(40 * 1024);
    for (url, cert) in
        [(format!("http://127.0.0.1:{plain_port}"), None), (format!("https://localhost:{secure_port}"), Some(&tls.0))]
    {
        let c = h1_client(cert.map(String::as_str));
        // 1 MiB: refused by actix-http's parser (head over 128 KiB), rewritten to JSON, read by the client.
        let v = assert_json_error(c.get(format!("{url}/hello")).header("x-big", &mb).send().unwrap(), 431);
        assert_eq!(v["error"], "Request Header Fields Too Large");
        assert!(v["message"].as_str().unwrap().contains("128 KiB"), "{v}");
        // 40 KiB: over the 32 KiB limit of the engine; the connection stays usable.
        let v = assert_json_error(c.get(format!("{url}/hello")).header("x-big", &kb40).send().unwrap(), 431);
        assert!(v["message"].as_str().unwrap().contains("limit is 32768 bytes"), "{v}");
        assert_eq!(c.get(format!("{url}/hello")).send().unwrap().text().unwrap(), "hello");
        // Too many headers: 97 and more refused by the parser, 90 fine.
        let mut many = c.get(format!("{url}/hello"));
        for i in 0..100 {
            many = many.header(format!("x-h{i}"), "v");
        }
        assert_json_error(many.send().unwrap(), 431);
        let mut some = c.get(format!("{url}/hello"));
        for i in 0..80 {
            some = some.header(format!("x-h{i}"), "v");
        }
        assert_eq!(some.send().unwrap().status(), 200);
    }
    // HTTP/2: the engine's limits answer both.
    runtime().block_on(async {
        let url = format!("https://localhost:{secure_port}/hello");
        for (value, needle) in [(&kb40, "limit is 32768 bytes"), (&mb, "limit is 32768 bytes")] {
            let conn = tls_connect(secure_port, &tls.0, &[b"h2"]).await.unwrap();
            let resp = h2_request(conn, "GET", &url, &[("x-big", value.clone())]).await.unwrap();
            assert_eq!(resp.status, 431);
            let v = resp.json();
            assert!(v["message"].as_str().unwrap().contains(needle), "{v}");
        }
        let conn = tls_connect(secure_port, &tls.0, &[b"h2"]).await.unwrap();
        let headers: Vec<(&str, String)> =
            (0..100).map(|i| (["x-a", "x-b", "x-c", "x-d"][i % 4], format!("v{i}"))).collect();
        let resp = h2_request(conn, "GET", &url, &headers).await.unwrap();
        assert_eq!(resp.status, 431);
        assert!(resp.json()["message"].as_str().unwrap().contains("the limit is 96"));
    });
    stop(&plain);
    stop(&secure);
}

#[test]
fn header_limits_are_configurable() {
    let (server, port) = server_with("header-limits", None, HttpProtocols::default(), |s| {
        s.set_request_header_limits(Some(10), Some(2048)).unwrap();
    });
    let c = h1_client(None);
    let url = format!("http://127.0.0.1:{port}/hello");
    assert_eq!(c.get(&url).header("x-a", "b".repeat(1500)).send().unwrap().status(), 200);
    let v = assert_json_error(c.get(&url).header("x-a", "b".repeat(3000)).send().unwrap(), 431);
    assert!(v["message"].as_str().unwrap().contains("limit is 2048 bytes"), "{v}");
    let mut many = c.get(&url);
    for i in 0..12 {
        many = many.header(format!("x-h{i}"), "v");
    }
    let v = assert_json_error(many.send().unwrap(), 431);
    assert!(v["message"].as_str().unwrap().contains("the limit is 10"), "{v}");
    stop(&server);
    assert!(server.set_request_header_limits(Some(0), None).is_err());
    assert!(server.set_request_header_limits(Some(97), None).is_err());
    assert!(server.set_request_header_limits(None, Some(512)).is_err());
}
