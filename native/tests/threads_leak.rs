//! Start / stop 50 times in one process: no thread or port is leaked. Alone in its test binary so
//! that no other test's threads disturb the count.
mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::text_route;
use kestrun_native::{Server, SessionOptions};

fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

fn wait_for_threads(at_most: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let n = thread_count();
        if n <= at_most || Instant::now() > deadline {
            return n;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One HTTP/1.1 request on a new connection, left open (keep-alive) and returned.
fn get_keep_alive(port: u16) -> (String, TcpStream) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.ends_with(b"pong") {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed early: {}", String::from_utf8_lossy(&buf));
        buf.extend_from_slice(&chunk[..n]);
    }
    (String::from_utf8_lossy(&buf).into_owned(), s)
}

#[test]
fn start_stop_50_times_leaks_no_threads_or_ports() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let server = Server::new("cycle").unwrap();
    server.add_endpoint_http("127.0.0.1", port).unwrap();
    server.add_endpoint_https_self_signed("127.0.0.1", 0).unwrap();
    server.set_callback_threads(3).unwrap();
    server.configure_session(SessionOptions::default()).unwrap();
    text_route(&server, "/ping", "pong");

    // Warm-up cycle: process-wide lazies are created once.
    server.start().unwrap();
    let (resp, conn) = get_keep_alive(port);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    drop(conn);
    server.stop(Duration::from_secs(10)).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let baseline = thread_count();

    let mut immediate_max = 0;
    let t0 = Instant::now();
    for i in 0..50 {
        server.start().unwrap_or_else(|e| panic!("cycle {i}: {e}"));
        assert_eq!(server.endpoint_port(0).unwrap(), port, "same port every time");
        if i == 0 {
            // Server thread + callback threads + actix workers and acceptor.
            assert!(thread_count() >= baseline + 4, "threads while running: {}", thread_count());
        }
        // An idle keep-alive connection is open while stopping: graceful stop closes it.
        let (resp, _idle) = get_keep_alive(port);
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
        server.stop(Duration::from_secs(10)).unwrap_or_else(|e| panic!("cycle {i}: {e}"));
        assert!(!server.is_running());
        immediate_max = immediate_max.max(thread_count());
    }
    let elapsed = t0.elapsed();
    eprintln!(
        "50 start/stop cycles: {elapsed:?}; baseline {baseline} threads, at most {immediate_max} right after a stop"
    );

    let after = wait_for_threads(baseline);
    assert!(after <= baseline, "threads leaked: {baseline} before, {after} after 50 cycles");
    // The port is free again.
    drop(TcpListener::bind(("127.0.0.1", port)).expect("port released"));
    drop(server);
    assert!(elapsed < Duration::from_secs(100), "50 cycles took {elapsed:?}");
}
