//! Server lifecycle: endpoints (IPv4, IPv6, PEM files), bind failures, restart, several servers,
//! configuration state rules, graceful and bounded stop.
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use kestrun_native::{handler_fn, ErrorKind, Server};

/// `GET /hello` answering `text`.
fn hello(server: &Server, text: &'static str) {
    text_route(server, "/hello", text);
}

#[test]
fn http_and_https_endpoints_with_ports_and_urls() {
    let server = Server::new("endpoints").unwrap();
    assert_eq!(server.add_endpoint_http("127.0.0.1", 0).unwrap(), 0);
    assert_eq!(server.add_endpoint_https_self_signed("localhost", 0).unwrap(), 1);
    assert_eq!(server.endpoint_count(), 2);
    assert_eq!(server.endpoint_port(0).unwrap(), 0, "configured port before start");
    assert_eq!(server.endpoint_url(1).unwrap(), "https://localhost:0");
    assert_eq!(server.endpoint_port(2).unwrap_err().kind(), ErrorKind::InvalidArgument);
    hello(&server, "hi");
    server.start().unwrap();
    assert!(server.is_running());
    let p0 = server.endpoint_port(0).unwrap();
    let p1 = server.endpoint_port(1).unwrap();
    assert!(p0 != 0 && p1 != 0 && p0 != p1);
    assert_eq!(server.endpoint_url(0).unwrap(), format!("http://127.0.0.1:{p0}"));
    assert_eq!(server.endpoint_url(1).unwrap(), format!("https://localhost:{p1}"));
    assert_eq!(get_text(&format!("http://127.0.0.1:{p0}/hello")), "hi");
    assert_eq!(get_text(&format!("https://localhost:{p1}/hello")), "hi");
    stop(&server);
    assert!(!server.is_running());
    server.stop(Duration::from_secs(10)).unwrap(); // stopping a stopped server is fine
}

#[test]
fn ipv6_loopback_endpoint() {
    let server = Server::new("ipv6").unwrap();
    server.add_endpoint_https_self_signed("::1", 0).unwrap();
    hello(&server, "six");
    let url = start(&server);
    assert!(url.starts_with("https://[::1]:"), "{url}");
    let c = bare_client();
    let resp = c.get(format!("{url}/hello")).send().unwrap();
    assert_eq!(resp.text().unwrap(), "six");
    stop(&server);
}

#[test]
fn pem_files_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = kestrun_native::tls::self_signed_pem(&[]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, &cert).unwrap();
    std::fs::write(&key_path, &key).unwrap();

    let server = Server::new("pem").unwrap();
    // Errors are reported when the endpoint is added.
    let err = server.add_endpoint_https_pem("127.0.0.1", 0, &dir.path().join("missing.pem"), &key_path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls);
    assert!(err.message().contains("missing.pem"), "{err}");
    let err = server.add_endpoint_https_pem("127.0.0.1", 0, &key_path, &key_path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls);
    assert_eq!(server.endpoint_count(), 0);

    server.add_endpoint_https_pem("127.0.0.1", 0, &cert_path, &key_path).unwrap();
    hello(&server, "pem");
    let url = start(&server);

    // A client that trusts exactly this certificate (no danger_accept_invalid_certs).
    let strict = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.as_bytes()).unwrap())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    assert_eq!(strict.get(format!("{url}/hello")).send().unwrap().text().unwrap(), "pem");
    stop(&server);
}

#[test]
fn bind_failure_names_address_and_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let server = Server::new("bind-fail").unwrap();
    server.add_endpoint_http("127.0.0.1", 0).unwrap();
    server.add_endpoint_http("127.0.0.1", port).unwrap();
    hello(&server, "x");
    let err = server.start().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BindFailed);
    assert!(err.message().contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(!server.is_running());

    // An address that is not on this machine.
    let server2 = Server::new("bind-fail-2").unwrap();
    server2.add_endpoint_http("192.0.2.1", 0).unwrap();
    let err = server2.start().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BindFailed);
    assert!(err.message().contains("192.0.2.1:0"), "{err}");

    // Unparsable addresses are rejected when added.
    assert_eq!(server2.add_endpoint_http("not an address", 80).unwrap_err().kind(), ErrorKind::InvalidArgument);

    // Once the port is free the first server starts.
    drop(taken);
    server.start().unwrap();
    assert_eq!(server.endpoint_port(1).unwrap(), port);
    stop(&server);
}

#[test]
fn state_rules() {
    let server = Server::new("states").unwrap();
    assert_eq!(server.start().unwrap_err().kind(), ErrorKind::InvalidState, "no endpoint");
    server.add_endpoint_http("127.0.0.1", 0).unwrap();
    assert_eq!(server.set_callback_threads(0).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(server.set_callback_threads(1025).unwrap_err().kind(), ErrorKind::InvalidArgument);
    server.start().unwrap();
    assert_eq!(server.start().unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(server.add_endpoint_http("127.0.0.1", 0).unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(server.add_route("GET", "/", handler_fn(|_| Ok(()))).unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(server.set_callback_threads(3).unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(server.configure_session(Default::default()).unwrap_err().kind(), ErrorKind::InvalidState);
    stop(&server);
    server.add_route("GET", "/", handler_fn(|_| Ok(()))).unwrap();
    assert_eq!(Server::new("").err().unwrap().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn restart_and_two_servers_at_once() {
    let a = Server::new("a").unwrap();
    a.add_endpoint_https_self_signed("127.0.0.1", 0).unwrap();
    hello(&a, "A");
    let b = Server::new("b").unwrap();
    b.add_endpoint_https_self_signed("127.0.0.1", 0).unwrap();
    hello(&b, "B");
    a.start().unwrap();
    b.start().unwrap();
    let (ua, ub) = (a.endpoint_url(0).unwrap(), b.endpoint_url(0).unwrap());
    assert_ne!(ua, ub);
    assert_eq!(get_text(&format!("{ua}/hello")), "A");
    assert_eq!(get_text(&format!("{ub}/hello")), "B");
    stop(&a);
    assert_eq!(get_text(&format!("{ub}/hello")), "B", "b unaffected by a's stop");
    assert!(bare_client().get(format!("{ua}/hello")).send().is_err(), "a no longer listens");
    let ua = start(&a);
    assert_eq!(get_text(&format!("{ua}/hello")), "A");
    stop(&a);
    drop(b); // dropping a running server stops it
}

#[test]
fn graceful_stop_lets_in_flight_requests_finish() {
    let entered = Arc::new(AtomicBool::new(false));
    let e = entered.clone();
    let (server, url) = https_server("graceful", |s| {
        let slow = handler_fn(move |ctx| {
            e.store(true, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(700));
            ctx.set_body_text("done");
            Ok(())
        });
        s.add_route("GET", "/slow", slow).unwrap();
    });
    let req = std::thread::spawn(move || {
        let resp = bare_client().get(format!("{url}/slow")).send().unwrap();
        (resp.status().as_u16(), resp.text().unwrap())
    });
    wait_until(|| entered.load(Ordering::SeqCst));
    server.stop(Duration::from_secs(30)).unwrap();
    assert_eq!(req.join().unwrap(), (200, "done".to_string()), "the in-flight request completed");
}

#[test]
fn stop_is_bounded_by_its_timeout() {
    let stuck = Blocker::new();
    let server = Server::new("bounded").unwrap();
    server.add_endpoint_http("127.0.0.1", 0).unwrap();
    server.add_route("GET", "/stuck", stuck.handler(|_| Ok(()))).unwrap();
    hello(&server, "ok");
    let url = start(&server);
    let u2 = url.clone();
    let req = std::thread::spawn(move || bare_client().get(format!("{u2}/stuck")).send().map(|r| r.status().as_u16()));
    stuck.wait_entered();
    let t0 = Instant::now();
    let err = server.stop(Duration::from_millis(500)).unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(20), "stop took {:?}", t0.elapsed());
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(!server.is_running());
    assert!(req.join().unwrap().is_err(), "the stuck request's connection was dropped");
    stuck.release();
    // The server can be started again.
    let url = start(&server);
    assert_eq!(get_text(&format!("{url}/hello")), "ok");
    stop(&server);
}
