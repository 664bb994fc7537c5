//! Routes, request / response round trips and the JSON error responses, over real HTTPS.
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use kestrun_native::{handler_fn, CookieSpec, SameSite, Server};

#[test]
fn not_found_method_not_allowed_and_payload_too_large_are_json() {
    let (server, url) = https_server("errors", |s| {
        s.set_max_body_bytes(1024).unwrap();
        s.add_route("GET,put", "/items/{id}", handler_fn(|_| Ok(()))).unwrap();
        s.add_route(
            "POST",
            "/upload",
            handler_fn(|ctx| {
                let n = ctx.body().len();
                ctx.set_body_text(&n.to_string());
                Ok(())
            }),
        )
        .unwrap();
    });
    let c = bare_client();
    let v = assert_json_error(c.get(format!("{url}/nope")).send().unwrap(), 404);
    assert_eq!(v["error"], "Not Found");
    assert_eq!(v["message"], "No route matches GET /nope");

    let resp = c.delete(format!("{url}/items/7")).send().unwrap();
    assert_eq!(resp.headers()["allow"], "GET, HEAD, PUT", "GET routes answer HEAD too");
    let v = assert_json_error(resp, 405);
    assert_eq!(v["error"], "Method Not Allowed");
    assert_eq!(c.put(format!("{url}/items/7")).send().unwrap().status(), 200);

    let v = assert_json_error(c.post(format!("{url}/upload")).body(vec![b'x'; 4096]).send().unwrap(), 413);
    assert_eq!(v["error"], "Payload Too Large");
    let resp = c.post(format!("{url}/upload")).body(vec![b'x'; 1024]).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().unwrap(), "1024");
    stop(&server);
}

#[test]
fn failing_and_panicking_callbacks_give_500_and_the_server_keeps_serving() {
    let (server, url) = https_server("failures", |s| {
        s.add_route(
            "GET",
            "/fail",
            handler_fn(|ctx| {
                ctx.set_body_text("partial");
                Err("boom".into())
            }),
        )
        .unwrap();
        s.add_route("GET", "/panic", handler_fn(|_| panic!("callback panic"))).unwrap();
        text_route(s, "/ok", "fine");
    });
    let c = bare_client();
    for _ in 0..3 {
        let v = assert_json_error(c.get(format!("{url}/fail")).send().unwrap(), 500);
        assert_eq!(v["error"], "Internal Server Error");
        assert_json_error(c.get(format!("{url}/panic")).send().unwrap(), 500);
        assert_eq!(c.get(format!("{url}/ok")).send().unwrap().text().unwrap(), "fine");
    }
    stop(&server);
}

#[test]
fn saturated_callback_pool_gives_503_after_the_wait() {
    let block = Blocker::new();
    let (server, url) = https_server("saturated", |s| {
        s.set_callback_threads(1).unwrap();
        s.set_callback_wait(Duration::from_millis(300)).unwrap();
        s.add_route("GET", "/block", block.handler(|_| Ok(()))).unwrap();
        text_route(s, "/quick", "quick");
    });
    let c = bare_client();
    let (c2, url2) = (c.clone(), url.clone());
    let blocker = std::thread::spawn(move || c2.get(format!("{url2}/block")).send().unwrap().status());
    block.wait_entered();
    let v = assert_json_error(c.get(format!("{url}/quick")).send().unwrap(), 503);
    assert_eq!(v["error"], "Service Unavailable");
    block.release();
    assert_eq!(blocker.join().unwrap(), 200);
    assert_eq!(c.get(format!("{url}/quick")).send().unwrap().text().unwrap(), "quick", "served again");
    stop(&server);
}

#[test]
fn request_round_trip() {
    let (server, url) = https_server("round-trip", |s| {
        s.add_route(
            "*",
            "/echo/{id}/x/{Name}",
            handler_fn(|ctx| {
                let body = serde_json::json!({
                    "method": ctx.method(),
                    "path": ctx.path(),
                    "query_string": ctx.query_string(),
                    "a0": ctx.query("a", 0),
                    "a1": ctx.query("a", 1),
                    "a2": ctx.query("a", 2),
                    "a_count": ctx.query_count("a"),
                    "missing_count": ctx.query_count("missing"),
                    "space": ctx.query("s", 0),
                    "utf8": ctx.query("u", 0),
                    "upper": ctx.query("A", 0),
                    "id": ctx.route_param("id"),
                    "name": ctx.route_param("name"),
                    "nope": ctx.route_param("nope"),
                    "header": ctx.header("X-Test"),
                    "multi": ctx.header("x-multi"),
                    "absent_header": ctx.header("x-absent"),
                    "cookie_a": ctx.cookie("ca"),
                    "cookie_b": ctx.cookie("cb"),
                    "body": String::from_utf8_lossy(ctx.body()),
                    "remote": ctx.remote_addr(),
                    "scheme": ctx.scheme(),
                    "host": ctx.host(),
                });
                ctx.write(200, Some("application/json"), body.to_string().as_bytes()).map_err(|e| e.to_string())
            }),
        )
        .unwrap();
    });
    let port = server.endpoint_port(0).unwrap();
    let c = bare_client();
    let resp = c
        .post(format!("{url}/echo/42/x/b%C3%B6b%20j?a=1&s=hello+world&a=2%263&u=%C3%A9t%C3%A9"))
        .header("X-Test", "yes")
        .header("x-multi", "one")
        .header("x-multi", "two")
        .header("cookie", "ca=1; cb=two%20words")
        .body("payload bytes")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json; charset=utf-8");
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["method"], "POST");
    assert_eq!(v["path"], "/echo/42/x/b%C3%B6b%20j");
    assert_eq!(v["query_string"], "a=1&s=hello+world&a=2%263&u=%C3%A9t%C3%A9");
    assert_eq!(v["a0"], "1");
    assert_eq!(v["a1"], "2&3");
    assert_eq!(v["a2"], serde_json::Value::Null);
    assert_eq!(v["a_count"], 2);
    assert_eq!(v["missing_count"], 0);
    assert_eq!(v["space"], "hello world");
    assert_eq!(v["utf8"], "été");
    assert_eq!(v["upper"], "1", "query names are case-insensitive");
    assert_eq!(v["id"], "42");
    assert_eq!(v["name"], "böb j", "route parameters are percent-decoded");
    assert_eq!(v["nope"], serde_json::Value::Null);
    assert_eq!(v["header"], "yes");
    assert_eq!(v["multi"], "one, two");
    assert_eq!(v["absent_header"], serde_json::Value::Null);
    assert_eq!(v["cookie_a"], "1");
    assert_eq!(v["cookie_b"], "two words");
    assert_eq!(v["body"], "payload bytes");
    assert!(v["remote"].as_str().unwrap().starts_with("127.0.0.1:"), "{}", v["remote"]);
    assert_eq!(v["scheme"], "https");
    assert_eq!(v["host"], format!("127.0.0.1:{port}"));
    stop(&server);
}

#[test]
fn response_headers_cookies_and_content_types() {
    let (server, url) = https_server("responses", |s| {
        s.add_route("GET", "/default", handler_fn(|_| Ok(()))).unwrap();
        text_route(s, "/text", "héllo");
        s.add_route(
            "GET",
            "/html",
            handler_fn(|ctx| {
                ctx.set_content_type("text/html").map_err(|e| e.to_string())?;
                ctx.set_body_text("<p>x</p>");
                Ok(())
            }),
        )
        .unwrap();
        s.add_route(
            "GET",
            "/png",
            handler_fn(|ctx| ctx.write(201, Some("image/png"), &[0x89, b'P', b'N', b'G']).map_err(|e| e.to_string())),
        )
        .unwrap();
        s.add_route(
            "GET",
            "/latin",
            handler_fn(|ctx| ctx.write(200, Some("text/plain; charset=iso-8859-1"), b"x").map_err(|e| e.to_string())),
        )
        .unwrap();
        s.add_route(
            "GET",
            "/headers",
            handler_fn(|ctx| {
                ctx.set_status(202).map_err(|e| e.to_string())?;
                ctx.add_header("X-One", "1").map_err(|e| e.to_string())?;
                ctx.add_header("X-Many", "a").map_err(|e| e.to_string())?;
                ctx.add_header("X-Many", "b").map_err(|e| e.to_string())?;
                assert!(ctx.add_header("Bad Name", "x").is_err());
                assert!(ctx.add_header("X-Bad", "a\r\nb").is_err());
                assert!(ctx.set_status(1000).is_err());
                let mut c = CookieSpec::new("theme", "dark mode");
                c.path = Some("/".into());
                c.max_age_seconds = 120;
                c.http_only = true;
                c.secure = true;
                c.same_site = SameSite::Strict;
                ctx.add_cookie(&c).map_err(|e| e.to_string())?;
                ctx.add_cookie(&CookieSpec::new("plain", "v")).map_err(|e| e.to_string())?;
                Ok(())
            }),
        )
        .unwrap();
        s.add_route(
            "GET",
            "/users/{id}",
            handler_fn(|ctx| {
                let id = ctx.route_param("id").unwrap_or_default().to_string();
                ctx.set_body_text(&format!("user {id}"));
                Ok(())
            }),
        )
        .unwrap();
        text_route(s, "/users/me", "me");
    });
    let c = bare_client();
    let resp = c.get(format!("{url}/default")).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("content-type").is_none());
    assert_eq!(resp.bytes().unwrap().len(), 0);

    let resp = c.get(format!("{url}/text")).send().unwrap();
    assert_eq!(resp.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(resp.text().unwrap(), "héllo");
    let resp = c.get(format!("{url}/html")).send().unwrap();
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    let resp = c.get(format!("{url}/png")).send().unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(&resp.bytes().unwrap()[..], &[0x89, b'P', b'N', b'G']);
    let resp = c.get(format!("{url}/latin")).send().unwrap();
    assert_eq!(resp.headers()["content-type"], "text/plain; charset=iso-8859-1");

    let resp = c.get(format!("{url}/headers")).send().unwrap();
    assert_eq!(resp.status(), 202);
    assert_eq!(resp.headers()["x-one"], "1");
    let many: Vec<_> = resp.headers().get_all("x-many").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(many, ["a", "b"]);
    let cookies: Vec<_> =
        resp.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let theme = cookies.iter().find(|c| c.starts_with("theme=")).unwrap();
    for attr in ["theme=dark%20mode", "Path=/", "Max-Age=120", "HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(theme.split("; ").any(|p| p == attr), "{attr} missing in {theme}");
    }
    assert!(cookies.iter().any(|c| c == "plain=v"), "{cookies:?}");

    assert_eq!(c.get(format!("{url}/users/me")).send().unwrap().text().unwrap(), "me", "literal beats parameter");
    assert_eq!(c.get(format!("{url}/users/7")).send().unwrap().text().unwrap(), "user 7");
    stop(&server);
}

#[test]
fn callbacks_run_on_named_callback_threads() {
    let seen = Arc::new(parking_lot::Mutex::new(Vec::<String>::new()));
    let s2 = seen.clone();
    struct Recorder(Arc<parking_lot::Mutex<Vec<String>>>);
    impl kestrun_native::RouteHandler for Recorder {
        fn call(&self, ctx: &mut kestrun_native::RequestContext) -> Result<(), kestrun_native::RouteError> {
            self.0.lock().push(std::thread::current().name().unwrap_or("").to_string());
            ctx.set_body_text("ok");
            Ok(())
        }
    }
    let (server, url) = https_server("threads", move |s| {
        s.set_callback_threads(2).unwrap();
        s.add_route("GET", "/", Arc::new(Recorder(s2))).unwrap();
    });
    let c = bare_client();
    for _ in 0..4 {
        assert_eq!(c.get(format!("{url}/")).send().unwrap().text().unwrap(), "ok");
    }
    let seen = seen.lock().clone();
    assert_eq!(seen.len(), 4);
    for name in &seen {
        assert!(name.starts_with("kr-cb-"), "callback ran on {name}");
    }
    stop(&server);
}

#[test]
fn route_configuration_errors() {
    let server = Server::new("config-errors").unwrap();
    let h = handler_fn(|_| Ok(()));
    assert_eq!(
        server.add_route("GET", "no-slash", h.clone()).unwrap_err().kind(),
        kestrun_native::ErrorKind::InvalidArgument
    );
    assert_eq!(
        server.add_route("FO O", "/", h.clone()).unwrap_err().kind(),
        kestrun_native::ErrorKind::InvalidArgument
    );
    server.add_route("get", "/a/{id}", h.clone()).unwrap();
    assert_eq!(
        server.add_route("GET,POST", "/a/{x}", h.clone()).unwrap_err().kind(),
        kestrun_native::ErrorKind::InvalidArgument
    );
    server.add_route("POST", "/a/{x}", h).unwrap();
    assert_eq!(server.route_count(), 2);
}
