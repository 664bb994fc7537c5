//! Kestrun.Rust C ABI (`kestrun_rust`): `extern "C"` wrappers over the `kestrun_native` engine.
//!
//! No logic lives here: each function converts pointers / strings, calls the engine, maps errors to
//! [`KrStatus`] and records the thread's last error. Every body runs inside the panic boundary
//! ([`boundary`]). Handles, their tables and the integer enums of the C API live here, never in the
//! engine.
//!
//! `include/kestrun_rust.h` is generated from these sources by cbindgen and committed; after changing
//! the C API regenerate it with `cargo run -p kestrun_rust --example gen_header` (the test
//! `tests/header_fresh.rs` fails while the committed header differs from the sources).
//!
//! A function is `unsafe extern "C"` exactly when it reads or writes through a caller pointer; handle
//! arguments (`KrServer*`, `KrRequest*`) are opaque tokens that are never dereferenced.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, missing_docs)]

#[cfg(not(target_pointer_width = "64"))]
compile_error!("kestrun_rust encodes 64-bit handle ids in pointers: 64-bit targets only");

// Declaration order is the order of the functions in the generated header.
mod boundary;
pub mod enums;
pub mod errors;
mod handle_table;
pub mod handles;
pub mod http;
mod last_error;
pub mod logging;
pub mod pool;
pub mod request;
pub mod response;
pub mod routes;
pub mod server;
pub mod session;
pub mod status;
mod strings;
pub mod version;

pub use enums::{KrHttpProtocols, KrLogLevel, KrRollingInterval, KrSameSite, KrSecurePolicy};
pub use errors::{kr_last_error_message, kr_status_name};
pub use handles::{KrRequest, KrServer};
pub use http::*;
pub use logging::*;
pub use pool::*;
pub use request::*;
pub use response::*;
pub use routes::*;
pub use server::*;
pub use session::*;
pub use status::{KrStatus, KrStatusValue};
pub use version::kr_version;

#[cfg(test)]
mod tests;
