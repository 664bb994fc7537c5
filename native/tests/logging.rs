//! Logging: the default file and console formats (Kestrun's / Serilog's), output templates, per-sink levels,
//! the run-time minimum level, rolling file names and retention, closing files, and nothing at all without a
//! sink. Logging is process-wide, so these tests run serially.
mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use kestrun_native::logging::{self, ConsoleSinkOptions, FileSinkOptions, RollingInterval};
use kestrun_native::{handler_fn, ErrorKind, LogLevel, Server};
use serial_test::serial;
use time::{OffsetDateTime, UtcOffset};

/// `2026-11-29 08:31:04.123 +00:00` (the default file template's timestamp).
fn is_file_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 30
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 | 23 => c == b' ',
            13 | 16 | 27 => c == b':',
            19 => c == b'.',
            24 => c == b'+' || c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// `[08:31:04 DBG] ` (the default console template's prefix): the tag, or None.
fn console_tag(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let ok = b.len() >= 15
        && b[0] == b'['
        && b[1..9].iter().enumerate().all(|(i, &c)| if i == 2 || i == 5 { c == b':' } else { c.is_ascii_digit() })
        && b[9] == b' '
        && b[13] == b']'
        && b[14] == b' ';
    ok.then(|| &line[10..13])
}

fn demo_server() -> (Server, String) {
    https_server("logging", |s| {
        text_route(s, "/ok", "ok");
        s.add_route("GET", "/fail", handler_fn(|_| Err("nope".into()))).unwrap();
    })
}

fn reset() {
    logging::clear_sinks();
    logging::set_level(LogLevel::Information);
}

/// Starts a test with no sink and the minimum level `level`; returns a fresh directory for its files.
fn fresh(level: LogLevel) -> tempfile::TempDir {
    reset();
    logging::set_level(level);
    tempfile::tempdir().unwrap()
}

/// [`fresh`] with a default file sink at `name` in the fresh directory; returns the directory (kept until the
/// test ends) and the file's path.
fn fresh_with_file_sink(level: LogLevel, name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = fresh(level);
    let path = dir.path().join(name);
    logging::add_file_sink(&path).unwrap();
    (dir, path)
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
#[serial]
fn file_sink_gets_formatted_lines_and_debug_request_lines() {
    let (_dir, path) = fresh_with_file_sink(LogLevel::Debug, "nested/dirs/kr.log");
    assert!(path.exists(), "directories and file created");
    assert_eq!(logging::file_sink_paths(), vec![path.clone()]);

    let (server, url) = demo_server();
    let c = bare_client();
    assert_eq!(c.get(format!("{url}/ok")).send().unwrap().status(), 200);
    assert_eq!(c.get(format!("{url}/missing")).send().unwrap().status(), 404);
    assert_eq!(c.get(format!("{url}/fail")).send().unwrap().status(), 500);
    logging::write(LogLevel::Warning, "host message");
    logging::write(LogLevel::Verbose, "below the level");
    stop(&server);
    logging::clear_sinks();
    logging::write(LogLevel::Fatal, "after clear");
    assert!(logging::file_sink_paths().is_empty());

    // {Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines {
        let (ts, rest) = line.split_at(30);
        assert!(is_file_timestamp(ts), "bad timestamp in {line:?}");
        let tag = &rest[1..6];
        assert!(["[VRB]", "[DBG]", "[INF]", "[WRN]", "[ERR]", "[FTL]"].contains(&tag), "{line:?}");
        assert_eq!(&rest[6..7], " ", "{line:?}");
    }
    let request_line = |path: &str, status: u16| {
        lines.iter().any(|l| {
            let msg = &l[37..];
            l[31..36] == *"[DBG]" && msg.starts_with(&format!("GET {path} {status} ")) && msg.ends_with("ms")
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
    stop(&server);
    reset();
    let text2 = std::fs::read_to_string(&path).unwrap();
    assert!(text2.starts_with(&text), "appended");
    let new = &text2[text.len()..];
    assert!(!new.contains("[DBG]") && !new.contains("[INF]"), "{new}");
    assert!(new.contains("[ERR]"), "errors are logged whatever the level: {new}");
}

#[test]
#[serial]
fn templates_sink_levels_and_the_run_time_level() {
    let dir = fresh(LogLevel::Verbose);
    let (all, warn) = (dir.path().join("all.log"), dir.path().join("warn.log"));
    logging::add_file_sink_with(FileSinkOptions {
        output_template: "{Level:w3}|{Level,-11}|{Message}{NewLine}".into(),
        ..FileSinkOptions::new(&all)
    })
    .unwrap();
    logging::add_file_sink_with(FileSinkOptions {
        output_template: "{Level:u3} {Message:lj}{NewLine}".into(),
        restricted_to_minimum_level: LogLevel::Warning,
        ..FileSinkOptions::new(&warn)
    })
    .unwrap();
    for (level, name) in [
        (LogLevel::Verbose, "v"),
        (LogLevel::Debug, "d"),
        (LogLevel::Information, "i"),
        (LogLevel::Warning, "w"),
        (LogLevel::Error, "e"),
        (LogLevel::Fatal, "f"),
    ] {
        logging::write(level, name);
    }
    // The minimum level changes at run time; Error and Fatal pass it whatever it is.
    logging::set_level(LogLevel::Fatal);
    assert!(!logging::enabled(LogLevel::Warning));
    assert!(logging::enabled(LogLevel::Error));
    logging::warn("warning at Fatal");
    logging::error("error at Fatal");
    logging::set_level(LogLevel::Information);
    logging::debug("debug at Information");
    logging::info("info at Information");
    logging::fatal("fatal at Information");
    reset();

    let all = std::fs::read_to_string(&all).unwrap();
    assert_eq!(
        all,
        "vrb|Verbose    |v\ndbg|Debug      |d\ninf|Information|i\nwrn|Warning    |w\nerr|Error      |e\nftl|Fatal      |f\n\
         err|Error      |error at Fatal\ninf|Information|info at Information\nftl|Fatal      |fatal at Information\n"
    );
    let warn = std::fs::read_to_string(&warn).unwrap();
    assert_eq!(warn, "WRN w\nERR e\nFTL f\nERR error at Fatal\nFTL fatal at Information\n");
}

#[test]
#[serial]
fn a_sink_restricted_to_warning_skips_request_lines_entirely() {
    let dir = fresh(LogLevel::Verbose);
    let path = dir.path().join("w.log");
    logging::add_file_sink_with(FileSinkOptions {
        restricted_to_minimum_level: LogLevel::Warning,
        ..FileSinkOptions::new(&path)
    })
    .unwrap();
    assert!(!logging::enabled(LogLevel::Debug), "no sink takes Debug: request lines are not even formatted");
    assert!(logging::enabled(LogLevel::Warning));
    reset();
    assert!(!logging::enabled(LogLevel::Fatal));
}

#[test]
#[serial]
fn timestamps_use_the_offset_the_host_sets() {
    let dir = fresh(LogLevel::Information);
    let path = dir.path().join("offset.log");
    logging::set_utc_offset(UtcOffset::from_hms(5, 30, 0).unwrap());
    logging::add_file_sink_with(FileSinkOptions {
        output_template: "{Timestamp:zzz}|{Timestamp:HH}|{Timestamp:u}{NewLine}".into(),
        ..FileSinkOptions::new(&path)
    })
    .unwrap();
    let before = OffsetDateTime::now_utc();
    logging::info("x");
    let after = OffsetDateTime::now_utc();
    logging::set_utc_offset(UtcOffset::UTC);
    reset();
    assert_eq!(logging::utc_offset(), UtcOffset::UTC);
    let text = std::fs::read_to_string(&path).unwrap();
    let fields: Vec<&str> = text.trim_end().split('|').collect();
    assert_eq!(fields[0], "+05:30", "{text}");
    let local_hours: Vec<String> = [before, after]
        .iter()
        .map(|t| format!("{:02}", t.to_offset(UtcOffset::from_hms(5, 30, 0).unwrap()).hour()))
        .collect();
    assert!(local_hours.contains(&fields[1].to_owned()), "{text}");
    assert!(fields[2].ends_with('Z'), "the u format is UTC: {text}");
}

#[test]
#[serial]
fn bad_templates_and_options_are_rejected_and_add_no_sink() {
    let dir = fresh(LogLevel::Verbose);
    let err = logging::add_console_sink_with(ConsoleSinkOptions {
        output_template: "[{Level:u3}] {Properties}".into(),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("{Properties}: unknown token"), "{err}");
    assert_eq!(logging::check_template("{Nope}").unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert!(logging::check_template(logging::DEFAULT_CONSOLE_TEMPLATE).is_ok());
    for rolling in [RollingInterval::Year, RollingInterval::Month] {
        let err = logging::add_file_sink_with(FileSinkOptions {
            rolling_interval: rolling,
            ..FileSinkOptions::new(dir.path().join("log-.txt"))
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().contains("supported: Infinite, Day, Hour, Minute"), "{err}");
    }
    let err = logging::add_file_sink_with(FileSinkOptions {
        rolling_interval: RollingInterval::Day,
        retained_file_count_limit: Some(0),
        ..FileSinkOptions::new(dir.path().join("log-.txt"))
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = logging::add_file_sink_with(FileSinkOptions {
        output_template: "{Level:q}".into(),
        ..FileSinkOptions::new(dir.path().join("t.log"))
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(!logging::enabled(LogLevel::Fatal), "no sink was added");
    assert!(file_names(dir.path()).is_empty(), "no file was created: {:?}", file_names(dir.path()));
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
    assert_eq!(logging::add_file_sink(Path::new("")).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

/// The current UTC time formatted like tracing-appender's file names for `rolling`, at `t`.
fn period(t: OffsetDateTime, rolling: RollingInterval) -> String {
    let day = format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day());
    match rolling {
        RollingInterval::Day => day,
        RollingInterval::Hour => format!("{day}-{:02}", t.hour()),
        RollingInterval::Minute => format!("{day}-{:02}-{:02}", t.hour(), t.minute()),
        _ => unreachable!(),
    }
}

#[test]
#[serial]
fn rolling_files_are_named_by_period() {
    for rolling in [RollingInterval::Day, RollingInterval::Hour, RollingInterval::Minute] {
        let dir = fresh(LogLevel::Information);
        let before = OffsetDateTime::now_utc();
        logging::add_file_sink_with(FileSinkOptions {
            rolling_interval: rolling,
            ..FileSinkOptions::new(dir.path().join("logs/log-.txt"))
        })
        .unwrap();
        logging::info("rolled");
        let after = OffsetDateTime::now_utc();
        reset();
        let names = file_names(&dir.path().join("logs"));
        assert_eq!(names.len(), 1, "{rolling:?}: {names:?}");
        let expected: Vec<String> =
            [before, after].iter().map(|t| format!("log.{}.txt", period(*t, rolling))).collect();
        assert!(expected.contains(&names[0]), "{rolling:?}: {names:?} not in {expected:?}");
        let text = std::fs::read_to_string(dir.path().join("logs").join(&names[0])).unwrap();
        assert!(text.ends_with(" [INF] rolled\n"), "{text}");
    }
    // Infinite: the path is the file, as given.
    let dir = tempfile::tempdir().unwrap();
    logging::add_file_sink_with(FileSinkOptions::new(dir.path().join("log-.txt"))).unwrap();
    logging::info("one file");
    reset();
    assert_eq!(file_names(dir.path()), ["log-.txt"]);
}

#[test]
#[serial]
fn retained_file_count_limit_prunes_the_oldest_rolled_files() {
    let dir = tempfile::tempdir().unwrap();
    for minute in 1..=3 {
        std::fs::write(dir.path().join(format!("log.2020-01-01-00-0{minute}.txt")), "old\n").unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::write(dir.path().join("notes.md"), "not a log").unwrap();
    reset();
    logging::add_file_sink_with(FileSinkOptions {
        rolling_interval: RollingInterval::Minute,
        retained_file_count_limit: Some(2),
        ..FileSinkOptions::new(dir.path().join("log-.txt"))
    })
    .unwrap();
    logging::info("kept");
    reset();
    let names = file_names(dir.path());
    let logs: Vec<&String> = names.iter().filter(|n| n.starts_with("log.")).collect();
    assert_eq!(logs.len(), 2, "the newest old file and the current one: {names:?}");
    assert!(names.contains(&"log.2020-01-01-00-03.txt".to_owned()), "{names:?}");
    assert!(names.contains(&"notes.md".to_owned()), "other files are left alone: {names:?}");
}

/// The open file descriptors of this process that point to `path` (Linux).
#[cfg(target_os = "linux")]
fn open_fds(path: &Path) -> usize {
    let target: PathBuf = path.canonicalize().unwrap();
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|p| *p == target)
        .count()
}

#[cfg(target_os = "linux")]
#[test]
#[serial]
fn clear_sinks_closes_the_files() {
    let (dir, path) = fresh_with_file_sink(LogLevel::Information, "closed.log");
    logging::add_console_sink();
    logging::warn("to the file");
    assert_eq!(open_fds(&path), 1, "open while the sink exists");
    // Adding a sink rebuilds the subscriber but shares the open file.
    logging::add_file_sink(&dir.path().join("second.log")).unwrap();
    assert_eq!(open_fds(&path), 1);
    logging::clear_sinks();
    assert_eq!(open_fds(&path), 0, "closed by clear_sinks (-CloseLogsOnExit)");
    assert!(std::fs::read_to_string(&path).unwrap().ends_with("[WRN] to the file\n"));
}

/// Runs in a child process (see below): serves requests and logs at every level, with the sink of `mode`.
#[test]
#[serial]
fn child_logging() {
    let Some(mode) = std::env::var_os("KR_LOG_CHILD") else {
        return;
    };
    logging::clear_sinks();
    logging::set_level(LogLevel::Verbose);
    assert!(!logging::enabled(LogLevel::Fatal));
    if mode == "console" {
        logging::add_console_sink();
    } else if mode == "template" {
        logging::add_console_sink_with(ConsoleSinkOptions {
            output_template: "{Level:w3}> {Message} <{Level}>{NewLine}".into(),
            restricted_to_minimum_level: LogLevel::Information,
        })
        .unwrap();
    }
    let (server, url) = demo_server();
    let c = bare_client();
    assert_eq!(c.get(format!("{url}/ok")).send().unwrap().status(), 200);
    assert_eq!(c.get(format!("{url}/fail")).send().unwrap().status(), 500);
    logging::verbose("verbose line");
    logging::write(LogLevel::Fatal, "written only to a sink");
    stop(&server);
    logging::clear_sinks();
    logging::error("after clear");
}

fn run_child(mode: &str) -> (String, String) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_logging", "--nocapture", "--test-threads=1"])
        .env("KR_LOG_CHILD", mode)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    (stdout, stderr)
}

#[test]
#[serial]
fn no_output_at_all_without_a_sink() {
    let (stdout, stderr) = run_child("none");
    for text in ["VRB", "DBG", "INF", "WRN", "ERR", "FTL", "GET /ok", "written only", "verbose line", "listening"] {
        assert!(!stdout.contains(text), "unexpected log output {text}: {stdout}");
        assert!(!stderr.contains(text), "unexpected log output {text} on stderr: {stderr}");
    }
}

#[test]
#[serial]
fn console_lines_in_kestruns_default_format() {
    // The same scenario with a console sink prints `[HH:mm:ss LVL] message` lines.
    let (stdout, _) = run_child("console");
    // (The test harness's `test child_logging ... ` precedes the first line.)
    let lines: Vec<(&str, &str)> = stdout
        .lines()
        .filter_map(|l| {
            let l = &l[l.find('[')?..];
            console_tag(l).map(|tag| (tag, &l[15..]))
        })
        .collect();
    let has = |tag: &str, prefix: &str| lines.iter().any(|(t, m)| *t == tag && m.starts_with(prefix));
    assert!(has("INF", "Server 'logging' listening on https://127.0.0.1:"), "{stdout}");
    assert!(has("DBG", "GET /ok 200 "), "{stdout}");
    assert!(lines.iter().any(|(t, m)| *t == "ERR" && m.contains("/fail")), "{stdout}");
    assert!(has("VRB", "verbose line"), "{stdout}");
    assert!(has("FTL", "written only to a sink"), "{stdout}");
    assert!(!stdout.contains("after clear"), "{stdout}");
}

#[test]
#[serial]
fn console_output_template() {
    let (stdout, _) = run_child("template");
    assert!(stdout.contains("ftl> written only to a sink <Fatal>\n"), "{stdout}");
    assert!(stdout.lines().any(|l| l.contains("inf> Server 'logging' listening on ") && l.ends_with(" <Information>")));
    assert!(stdout.lines().any(|l| l.starts_with("err> ") && l.contains("/fail")), "{stdout}");
    assert!(!stdout.contains("GET /ok 200"), "Debug is below the sink's restricted level: {stdout}");
    assert!(!stdout.contains("verbose line"), "{stdout}");
}
