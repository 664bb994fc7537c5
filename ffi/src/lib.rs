//! Kestrun.Rust C ABI (`kestrun_rust`): `extern "C"` wrappers over the `kestrun_native` engine.
//!
//! No logic lives here: each function converts pointers / strings, calls the engine, maps errors to
//! [`KrStatus`] and records the thread's last error. Every body runs inside the panic boundary
//! ([`boundary`]). `include/kestrun_rust.h` is generated from these sources by cbindgen (build.rs).
//!
//! A function is `unsafe extern "C"` exactly when it reads or writes through a caller pointer; handle
//! arguments (`KrServer*`, `KrRequest*`) are opaque tokens that are never dereferenced.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, missing_docs)]

#[cfg(not(target_pointer_width = "64"))]
compile_error!("kestrun_rust encodes 64-bit handle ids in pointers: 64-bit targets only");

// Declaration order is the order of the functions in the generated header.
mod boundary;
pub mod handles;
pub mod logging;
pub mod request;
pub mod response;
pub mod routes;
pub mod server;
pub mod session;
pub mod status;
mod strings;
pub mod version;

pub use handles::{KrRequest, KrServer};
pub use logging::*;
pub use request::*;
pub use response::*;
pub use routes::*;
pub use server::*;
pub use session::*;
pub use status::{kr_last_error_message, KrStatus};
pub use version::kr_version;

#[cfg(test)]
mod tests;
