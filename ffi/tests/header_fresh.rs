//! Fails when the committed `include/kestrun_rust.h` is not what cbindgen generates from `src/`.
//! (build.rs rewrites the header on every build, so CI also runs `git diff --exit-code ffi/include`.)
use std::path::PathBuf;

include!("../header_gen.rs");

#[test]
fn committed_header_matches_generated() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let generated = generate_header(&crate_dir).expect("cbindgen generates the header");
    let committed = std::fs::read_to_string(crate_dir.join(HEADER_PATH)).expect("header exists");
    assert!(
        committed == generated,
        "{HEADER_PATH} is stale: rebuild the ffi crate (cargo build -p kestrun_rust) and commit the header"
    );
}

#[test]
fn header_declares_every_exported_function() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(crate_dir.join(HEADER_PATH)).expect("header exists");
    for name in [
        "kr_version",
        "kr_last_error_message",
        "kr_server_new",
        "kr_server_free",
        "kr_request_body",
        "kr_response_write",
        "kr_session_get_int32",
        "kr_log_write",
    ] {
        assert!(header.contains(&format!(" {name}(")), "{name} missing from header");
    }
    for constant in ["KR_OK = 0", "KR_PANIC = 98", "KR_INTERNAL = 99", "KR_SAME_SITE_UNSPECIFIED = 3"] {
        assert!(header.contains(constant), "{constant} missing from header");
    }
}
