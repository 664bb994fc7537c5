// Shared by examples/gen_header.rs (writes the header) and tests/header_fresh.rs (checks it): renders
// ffi/include/kestrun_rust.h from the sources. Nothing runs this at build time.
use std::path::Path;

/// Header path relative to the ffi crate directory.
pub const HEADER_PATH: &str = "include/kestrun_rust.h";

/// The command that regenerates the committed header (from the workspace root).
pub const REGENERATE_COMMAND: &str = "cargo run -p kestrun_rust --example gen_header";

/// Runs cbindgen over `src/lib.rs` (following `mod` declarations) with `cbindgen.toml`.
pub fn generate_header(crate_dir: &Path) -> Result<String, String> {
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .map_err(|e| format!("cbindgen.toml: {e}"))?;
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src").join("lib.rs"))
        .generate()
        .map_err(|e| format!("cbindgen: {e}"))?;
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).map_err(|e| format!("cbindgen output is not UTF-8: {e}"))
}
