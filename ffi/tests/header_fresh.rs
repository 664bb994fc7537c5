//! Fails when the committed `include/kestrun_rust.h` is not what cbindgen generates from `src/`.
//! Nothing regenerates the header implicitly: run `cargo run -p kestrun_rust --example gen_header`
//! after changing the C API and commit the result.
use std::path::PathBuf;

include!("../header_gen.rs");

/// The first line where `a` and `b` differ (1-based), with both versions of it.
fn first_difference(a: &str, b: &str) -> String {
    let (mut la, mut lb) = (a.lines(), b.lines());
    let mut n = 1;
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            (None, None) => return "only line endings differ".to_string(),
            (x, y) => {
                return format!(
                    "first difference at line {n}:\n  committed: {}\n  generated: {}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                )
            }
        }
    }
}

#[test]
fn committed_header_matches_generated() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let generated = generate_header(&crate_dir).expect("cbindgen generates the header");
    let committed = std::fs::read_to_string(crate_dir.join(HEADER_PATH)).expect("header exists");
    assert!(
        committed == generated,
        "ffi/{HEADER_PATH} is stale (it differs from what ffi/src generates); regenerate it with `{REGENERATE_COMMAND}` \
         and commit it.\n{}",
        first_difference(&committed, &generated)
    );
}

#[test]
fn header_declares_every_exported_function() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(crate_dir.join(HEADER_PATH)).expect("header exists");
    for name in [
        "kr_version",
        "kr_last_error_message",
        "kr_status_name",
        "kr_server_new",
        "kr_server_free",
        "kr_request_body",
        "kr_response_write",
        "kr_session_get_int32",
        "kr_log_write",
    ] {
        assert!(
            header.contains(&format!(" {name}(")) || header.contains(&format!("*{name}(")),
            "{name} missing from header"
        );
    }
    for constant in ["KR_OK = 0", "KR_PANIC = 98", "KR_INTERNAL = 99", "KR_SAME_SITE_UNSPECIFIED = 3"] {
        assert!(header.contains(constant), "{constant} missing from header");
    }
    assert!(header.contains("const char *kr_status_name(KrStatus status);"), "kr_status_name takes a KrStatus");
}
