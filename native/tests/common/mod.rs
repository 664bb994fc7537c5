//! Shared helpers of the integration tests: servers on port 0, clients (HTTPS-capable, with or
//! without a cookie store), routes used by several tests, and the pieces of the tests that hold a
//! callback busy.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use kestrun_native::{handler_fn, RequestContext, RouteHandler, Server, SessionOptions};

// ---- clients ----------------------------------------------------------------------------------------

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

/// The body of `GET url` (no cookies).
pub fn get_text(url: &str) -> String {
    bare_client().get(url).send().unwrap().text().unwrap()
}

/// `GET url`: the status and the body.
pub fn get(client: &reqwest::blocking::Client, url: &str) -> (u16, String) {
    let resp = client.get(url).send().unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

/// `GET base/session/counter`: the status, and the counter when it was 200. A 503 must say that the
/// change was not stored (the store did not answer, or the session stayed busy for the IO timeout).
pub fn try_counter(client: &reqwest::blocking::Client, base: &str) -> (u16, Option<i64>) {
    let resp = client.get(format!("{base}/session/counter")).send().unwrap();
    let status = resp.status().as_u16();
    let v: serde_json::Value = resp.json().unwrap();
    if status == 503 {
        assert!(v["message"].as_str().unwrap().contains("were not stored"), "{v}");
    }
    (status, v["counter"].as_i64())
}

/// Kills a child process started by a test (a redis-server, a postgres) and reaps it; nothing when there is none.
pub fn kill_child(child: &mut Option<std::process::Child>) {
    if let Some(mut c) = child.take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// A loopback TCP port nothing listens on (for a server the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Parses a JSON body.
pub fn json(resp: reqwest::blocking::Response) -> serde_json::Value {
    resp.json().unwrap()
}

/// The `Set-Cookie` values of a response.
pub fn set_cookies(resp: &reqwest::blocking::Response) -> Vec<String> {
    resp.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect()
}

/// The `counter` of a `/counter` answer.
pub fn counter(client: &reqwest::blocking::Client, url: &str) -> i64 {
    let v = json(client.get(format!("{url}/counter")).send().unwrap());
    v["counter"].as_i64().unwrap()
}

/// A [`client`] whose session its first `GET /counter` started (the counter is 1).
#[track_caller]
pub fn session_client(url: &str) -> reqwest::blocking::Client {
    let c = client();
    assert_eq!(counter(&c, url), 1, "a fresh client starts a fresh session");
    c
}

// ---- servers ----------------------------------------------------------------------------------------

/// Starts `server`; returns the URL of its first endpoint.
pub fn start(server: &Server) -> String {
    server.start().unwrap();
    server.endpoint_url(0).unwrap()
}

/// Stops `server` gracefully (bounded by 10 s); it must stop in time.
pub fn stop(server: &Server) {
    server.stop(Duration::from_secs(10)).unwrap();
}

/// A server with a self-signed HTTPS endpoint on 127.0.0.1:0, after `configure` configured it; started.
pub fn https_server(name: &str, configure: impl FnOnce(&Server)) -> (Server, String) {
    let server = Server::new(name).unwrap();
    server.add_endpoint_https_self_signed("127.0.0.1", 0).unwrap();
    configure(&server);
    let url = start(&server);
    (server, url)
}

/// [`https_server`] with sessions (`options`) and the counter routes, after `extra` configured it.
pub fn session_server(name: &str, options: SessionOptions, extra: impl FnOnce(&Server)) -> (Server, String) {
    https_server(name, |server| {
        server.configure_session(options).unwrap();
        server.add_route("GET", "/counter", counter_handler()).unwrap();
        server.add_route("GET", "/peek", peek_handler()).unwrap();
        extra(server);
    })
}

/// The default session options with an idle timeout of `seconds`.
pub fn idle_timeout(seconds: u64) -> SessionOptions {
    SessionOptions { idle_timeout_seconds: seconds, ..Default::default() }
}

// ---- routes -----------------------------------------------------------------------------------------

/// Adds `GET path` answering the text `text`.
pub fn text_route(server: &Server, path: &str, text: &'static str) {
    let handler = handler_fn(move |ctx| {
        ctx.set_body_text(text);
        Ok(())
    });
    server.add_route("GET", path, handler).unwrap();
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

/// `/session/login?user=…`, `/session/whoami` (401 without user), `/session/logout`.
pub fn login_handler() -> Arc<dyn RouteHandler> {
    handler_fn(|ctx| {
        let user = ctx.query("user", 0).unwrap_or_default().to_string();
        ctx.session_mut().map_err(|e| e.to_string())?.set_string("user", &user);
        ctx.set_body_text(&format!("Logged in {user}"));
        Ok(())
    })
}

pub fn whoami_handler() -> Arc<dyn RouteHandler> {
    handler_fn(|ctx| {
        let user = ctx.session().map_err(|e| e.to_string())?.get_string("user");
        match user {
            Some(u) => ctx.set_body_text(&u),
            None => {
                ctx.set_status(401).map_err(|e| e.to_string())?;
                ctx.set_body_text("no user");
            }
        }
        Ok(())
    })
}

pub fn logout_handler() -> Arc<dyn RouteHandler> {
    handler_fn(|ctx| {
        ctx.session_mut().map_err(|e| e.to_string())?.clear();
        ctx.set_body_text("bye");
        Ok(())
    })
}

/// The 19.1 tutorial's session routes under `/session` (`counter`, `login?user=…`, `whoami`,
/// `logout`) and `GET /hello`.
pub fn tutorial_routes(server: &Server) {
    server.add_route("GET", "/session/counter", counter_handler()).unwrap();
    server.add_route("GET", "/session/login", login_handler()).unwrap();
    server.add_route("GET", "/session/whoami", whoami_handler()).unwrap();
    server.add_route("GET", "/session/logout", logout_handler()).unwrap();
    text_route(server, "/hello", "Hello");
}

/// Asserts the engine's JSON error answer (`{"status","error","message"}`, JSON content type) with `status`.
pub fn assert_json_error(resp: reqwest::blocking::Response, status: u16) -> serde_json::Value {
    assert_eq!(resp.status().as_u16(), status);
    assert_eq!(resp.headers()["content-type"], "application/json; charset=utf-8");
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["status"], status, "{v}");
    assert!(v["error"].is_string() && v["message"].is_string(), "{v}");
    v
}

// ---- busy callbacks ---------------------------------------------------------------------------------

/// Polls (every 5 ms) until `done()`.
pub fn wait_until(done: impl Fn() -> bool) {
    while !done() {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Polls (every 10 ms) until `done()`, failing the test after `timeout` with what it waited for.
pub fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + timeout;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Polls `GET base/session/counter` until it is answered 200 again (503 meanwhile: the store is not answering),
/// failing the test after `timeout` with what it waited for; the counter of that answer.
pub fn counter_again(client: &reqwest::blocking::Client, base: &str, timeout: Duration, what: &str) -> i64 {
    let mut counter = None;
    wait_for(what, timeout, || {
        if let (200, Some(n)) = try_counter(client, base) {
            counter = Some(n);
        }
        counter.is_some()
    });
    counter.unwrap()
}

/// A callback that holds its callback thread (and its session's lock) until the test releases it.
pub struct Blocker {
    entered: Arc<AtomicUsize>,
    release: Arc<Barrier>,
}

impl Blocker {
    pub fn new() -> Blocker {
        Blocker { entered: Arc::new(AtomicUsize::new(0)), release: Arc::new(Barrier::new(2)) }
    }

    /// A handler that runs `first` (e.g. a session write), counts itself as entered, then waits for
    /// [`release`](Self::release).
    pub fn handler(
        &self,
        first: impl Fn(&mut RequestContext) -> Result<(), String> + Send + Sync + 'static,
    ) -> Arc<dyn RouteHandler> {
        let (entered, release) = (self.entered.clone(), self.release.clone());
        handler_fn(move |ctx| {
            first(ctx)?;
            entered.fetch_add(1, Ordering::SeqCst);
            release.wait();
            Ok(())
        })
    }

    /// Waits until a request is inside the handler.
    pub fn wait_entered(&self) {
        wait_until(|| self.entered.load(Ordering::SeqCst) > 0);
    }

    /// Lets the blocked handler return.
    pub fn release(&self) {
        self.release.wait();
    }
}
