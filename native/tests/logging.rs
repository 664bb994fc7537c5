//! Logging: file sinks with the documented line format, request lines at Debug, errors always,
//! nothing at all without a sink. Logging is process-wide, so these tests run serially.
mod common;

use std::time::Duration;

use common::*;
use kestrun_native::{handler_fn, logging, ErrorKind, LogLevel, Server};
use serial_test::serial;

fn is_timestamp(s: &str) -> bool {
    // 2026-11-21T10:00:00.123Z
    let b = s.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'.',
            23 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn demo_server() -> (Server, String) {
    let server = Server::new("logging").unwrap();
    server.add_endpoint_https_self_signed("127.0.0.1", 0).unwrap();
    server
        .add_route(
            "GET",
            "/ok",
            handler_fn(|ctx| {
                ctx.set_body_text("ok");
                Ok(())
            }),
        )
        .unwrap();
    server.add_route("GET", "/fail", handler_fn(|_| Err("nope".into()))).unwrap();
    server.start().unwrap();
    let url = server.endpoint_url(0).unwrap();
    (server, url)
}

#[test]
#[serial]
fn file_sink_gets_formatted_lines_and_debug_request_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dirs/kr.log");
    logging::clear_sinks();
    logging::set_level(LogLevel::Debug);
    logging::add_file_sink(&path).unwrap();
    assert!(path.exists(), "directories and file created");

    let (server, url) = demo_server();
    let c = bare_client();
    assert_eq!(c.get(format!("{url}/ok")).send().unwrap().status(), 200);
    assert_eq!(c.get(format!("{url}/missing")).send().unwrap().status(), 404);
    assert_eq!(c.get(format!("{url}/fail")).send().unwrap().status(), 500);
    logging::write(LogLevel::Warning, "host message");
    logging::write(LogLevel::Verbose, "below the level");
    server.stop(Duration::from_secs(10)).unwrap();
    logging::clear_sinks();
    logging::write(LogLevel::Fatal, "after clear");

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines {
        let (ts, rest) = line.split_at(24);
        assert!(is_timestamp(ts), "bad timestamp in {line:?}");
        let tag = &rest[1..6];
        assert!(["[VRB]", "[DBG]", "[INF]", "[WRN]", "[ERR]", "[FTL]"].contains(&tag), "{line:?}");
    }
    let request_line = |path: &str, status: u16| {
        lines.iter().any(|l| {
            let msg = &l[31..];
            l[25..30] == *"[DBG]" && msg.starts_with(&format!("GET {path} {status} ")) && msg.ends_with("ms")
        })
    };
    assert!(request_line("/ok", 200), "{text}");
    assert!(request_line("/missing", 404), "{text}");
    assert!(request_line("/fail", 500), "{text}");
    assert!(lines.iter().any(|l| l.contains("[ERR]") && l.contains("/fail")), "{text}");
    assert!(lines.iter().any(|l| l.ends_with("[WRN] host message")), "{text}");
    assert!(lines.iter().any(|l| l.contains("[INF] Server 'logging' listening on https://127.0.0.1:")), "{text}");
    assert!(!text.contains("below the level"));
    assert!(!text.contains("after clear"), "cleared sinks write nothing");

    // Append mode: a new sink on the same file keeps the old lines.
    logging::set_level(LogLevel::Warning);
    logging::add_file_sink(&path).unwrap();
    let (server, url) = demo_server();
    assert_eq!(c.get(format!("{url}/ok")).send().unwrap().status(), 200);
    assert_eq!(c.get(format!("{url}/fail")).send().unwrap().status(), 500);
    server.stop(Duration::from_secs(10)).unwrap();
    logging::clear_sinks();
    logging::set_level(LogLevel::Information);
    let text2 = std::fs::read_to_string(&path).unwrap();
    assert!(text2.starts_with(&text), "appended");
    let new = &text2[text.len()..];
    assert!(!new.contains("[DBG]") && !new.contains("[INF]"), "{new}");
    assert!(new.contains("[ERR]"), "errors are logged whatever the level: {new}");
}

#[test]
#[serial]
fn file_sink_errors_are_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let err = logging::add_file_sink(&file.join("below-a-file.log")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    let err = logging::add_file_sink(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "a directory is not a log file");
}

/// Runs in a child process (see below): serves requests with no sink configured.
#[test]
#[serial]
fn child_without_sink() {
    let Some(mode) = std::env::var_os("KR_LOG_CHILD") else {
        return;
    };
    logging::clear_sinks();
    logging::set_level(LogLevel::Verbose);
    assert!(!logging::enabled(LogLevel::Fatal));
    if mode == "console" {
        logging::add_console_sink();
    }
    let (server, url) = demo_server();
    let c = bare_client();
    assert_eq!(c.get(format!("{url}/ok")).send().unwrap().status(), 200);
    assert_eq!(c.get(format!("{url}/fail")).send().unwrap().status(), 500);
    logging::write(LogLevel::Fatal, "written only to a sink");
    server.stop(Duration::from_secs(10)).unwrap();
}

fn run_child(mode: &str) -> String {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_without_sink", "--nocapture", "--test-threads=1"])
        .env("KR_LOG_CHILD", mode)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 passed"), "{stdout}");
    stdout
}

#[test]
#[serial]
fn no_output_at_all_without_a_sink() {
    let stdout = run_child("none");
    for tag in ["[VRB]", "[DBG]", "[INF]", "[WRN]", "[ERR]", "[FTL]", "written only"] {
        assert!(!stdout.contains(tag), "unexpected log output {tag}: {stdout}");
    }
    // The same scenario with a console sink does print (so the check above is meaningful).
    let stdout = run_child("console");
    for tag in ["[DBG] GET /ok 200 ", "[ERR]", "[FTL] written only to a sink"] {
        assert!(stdout.contains(tag), "missing {tag}: {stdout}");
    }
}
