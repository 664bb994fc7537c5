//! Regenerates the committed C header `ffi/include/kestrun_rust.h` from `ffi/src` with cbindgen:
//!
//! ```sh
//! cargo run -p kestrun_rust --example gen_header
//! ```
//!
//! The file is written only when its content changes. `cargo test -p kestrun_rust` (tests/header_fresh.rs)
//! fails while the committed header differs from what the sources generate; builds never write it.
use std::path::PathBuf;
use std::process::ExitCode;

include!("../header_gen.rs");

fn main() -> ExitCode {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = match generate_header(&crate_dir) {
        Ok(header) => header,
        Err(e) => {
            eprintln!("`{REGENERATE_COMMAND}`: could not generate {HEADER_PATH}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let path = crate_dir.join(HEADER_PATH);
    if std::fs::read_to_string(&path).ok().as_deref() == Some(header.as_str()) {
        println!("{} is up to date", path.display());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, &header))
    {
        eprintln!("could not write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {}", path.display());
    ExitCode::SUCCESS
}
