//! Regenerates `include/kestrun_rust.h` from `src/` on every build; the file is written only when its
//! content changed, so its mtime is stable and the committed copy stays byte-identical.
use std::path::PathBuf;

include!("header_gen.rs");

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=header_gen.rs");
    println!("cargo:rerun-if-changed={HEADER_PATH}");

    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let header = match generate_header(&crate_dir) {
        Ok(header) => header,
        Err(e) => panic!("could not generate {HEADER_PATH}: {e}"),
    };
    let path = crate_dir.join(HEADER_PATH);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != header {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create include/");
        }
        std::fs::write(&path, header).expect("write include/kestrun_rust.h");
    }
}
