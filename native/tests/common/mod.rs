//! Shared helpers of the integration tests: servers on port 0, HTTPS clients with a cookie store.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use kestrun_native::{handler_fn, RouteHandler, Server, SessionOptions};

/// A blocking HTTPS-capable client with a cookie store that accepts the self-signed certificate.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .cookie_store(true)
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// The same without a cookie store (to look at Set-Cookie / send cookies by hand).
pub fn bare_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// An async client with a cookie store.
pub fn async_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

/// `GET /counter`: increments the session's int32 `counter` and answers `{"counter":n}`.
pub fn counter_handler() -> Arc<dyn RouteHandler> {
    handler_fn(|ctx| {
        let session = ctx.session_mut().map_err(|e| e.to_string())?;
        let n = session.get_int32("counter").unwrap_or(0) + 1;
        session.set_int32("counter", n);
        ctx.write(200, Some("application/json"), format!("{{\"counter\":{n}}}").as_bytes()).map_err(|e| e.to_string())
    })
}

/// `GET /peek`: the counter without writing (or -1 when absent).
pub fn peek_handler() -> Arc<dyn RouteHandler> {
    handler_fn(|ctx| {
        let n = ctx.session().map_err(|e| e.to_string())?.get_int32("counter").unwrap_or(-1);
        ctx.set_body_text(&n.to_string());
        Ok(())
    })
}

/// A self-signed HTTPS server on 127.0.0.1:0 with sessions (`options`) and the counter routes,
/// after `extra` configured it; started.
pub fn session_server(name: &str, options: SessionOptions, extra: impl FnOnce(&Server)) -> (Server, String) {
    let server = Server::new(name).unwrap();
    server.add_endpoint_https_self_signed("127.0.0.1", 0).unwrap();
    server.configure_session(options).unwrap();
    server.add_route("GET", "/counter", counter_handler()).unwrap();
    server.add_route("GET", "/peek", peek_handler()).unwrap();
    extra(&server);
    server.start().unwrap();
    let url = server.endpoint_url(0).unwrap();
    (server, url)
}

/// Parses a JSON body.
pub fn json(resp: reqwest::blocking::Response) -> serde_json::Value {
    resp.json().unwrap()
}

/// The `counter` of a `/counter` answer.
pub fn counter(client: &reqwest::blocking::Client, url: &str) -> i64 {
    let v = json(client.get(format!("{url}/counter")).send().unwrap());
    v["counter"].as_i64().unwrap()
}
