//! Kestrun.Rust engine (`kestrun_native`): an actix-web server with HTTP/HTTPS endpoints (rustls),
//! routes whose callbacks run on a growing pool of dedicated threads (with optional per-route timeouts), cookie sessions
//! (actix-session) over a pluggable store and process-wide logging. No `unsafe` and nothing of the C
//! ABI (handles, integer enums, status codes): that is all in `ffi/`.
//!
//! ```no_run
//! use kestrun_native::{routes::handler_fn, Server, SessionOptions};
//! let server = Server::new("demo")?;
//! server.add_endpoint_https_self_signed("127.0.0.1", 0)?;
//! server.configure_session(SessionOptions::default())?;
//! server.add_route("GET", "/session/counter", handler_fn(|ctx| {
//!     let session = ctx.session_mut().map_err(|e| e.to_string())?;
//!     let n = session.get_int32("counter").unwrap_or(0) + 1;
//!     session.set_int32("counter", n);
//!     ctx.write(200, Some("application/json"), format!("{{\"counter\":{n}}}").as_bytes())
//!         .map_err(|e| e.to_string())
//! }))?;
//! server.start()?;
//! println!("{}", server.endpoint_url(0)?);
//! server.stop(std::time::Duration::from_secs(5))?;
//! # Ok::<(), kestrun_native::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod app;
mod callback_pool;
mod cancel;
mod dispatch;
pub mod endpoint;
pub mod error;
pub mod errors_json;
pub mod listener;
pub mod logging;
pub mod panics;
pub mod request;
pub mod response;
pub mod routes;
pub mod server;
pub mod session;
mod threads;
pub mod tls;

pub use callback_pool::{CallbackPoolStats, ThreadExitHook};
pub use cancel::{CancelRegistration, CancelToken};
pub use endpoint::{EndpointSpec, HttpProtocols};
pub use error::{Error, ErrorKind, Result};
pub use logging::LogLevel;
pub use panics::panic_message;
pub use request::RequestContext;
pub use response::{CookieSpec, ResponseData};
pub use routes::{handler_fn, RouteError, RouteHandler, RouteOptions};
pub use server::{Server, TlsSpec};
pub use session::{
    CookieSecret, MemoryBackend, RedisBackend, RedisConnection, RedisOptions, SameSite, SecurePolicy, SessionBackend,
    SessionData, SessionOptions, SessionState,
};

/// The crate version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
