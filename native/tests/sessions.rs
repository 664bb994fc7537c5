//! Session behaviour over real HTTPS: counters, cookie attributes, tampering, expiry, the
//! per-session lock, failure rollback.
mod common;

use std::time::Duration;

use common::*;
use kestrun_native::{handler_fn, SameSite, SecurePolicy, Server, SessionData, SessionOptions};

/// A [`bare_client`] and the cookie of the session its first write started, as a request sends it (`name=value`).
fn bare_session_client(url: &str) -> (reqwest::blocking::Client, String) {
    let c = bare_client();
    let cookie = set_cookies(&c.get(format!("{url}/counter")).send().unwrap()).remove(0);
    let pair = cookie.split(';').next().unwrap().to_string();
    (c, pair)
}

/// Adds `GET path`, whose callback answers the text `body` returns from the session it may write.
fn session_text_route(server: &Server, path: &str, body: impl Fn(&mut SessionData) -> String + Send + Sync + 'static) {
    let handler = handler_fn(move |ctx| {
        let text = body(ctx.session_mut().map_err(|e| e.to_string())?);
        ctx.set_body_text(&text);
        Ok(())
    });
    server.add_route("GET", path, handler).unwrap();
}

/// A session server with 4 callback threads and `GET /block`, whose callback writes the session, then holds
/// it (and its lock) until the returned [`Blocker`] releases it; `extra` configures the server further.
fn server_with_blocking_route(name: &str, extra: impl FnOnce(&Server)) -> (Server, String, Blocker) {
    let block = Blocker::new();
    let (server, url) = session_server(name, SessionOptions::default(), |s| {
        s.set_callback_threads(4).unwrap();
        let handler = block.handler(|ctx| {
            ctx.session_mut().map_err(|e| e.to_string())?.set_int32("blocked", 1);
            Ok(())
        });
        s.add_route("GET", "/block", handler).unwrap();
        extra(s);
    });
    (server, url, block)
}

#[test]
fn counter_per_session() {
    let (server, url) = session_server("counter", SessionOptions::default(), |_| {});
    let a = client();
    assert_eq!(counter(&a, &url), 1);
    assert_eq!(counter(&a, &url), 2);
    assert_eq!(counter(&a, &url), 3);
    let b = client();
    assert_eq!(counter(&b, &url), 1, "a fresh client gets a fresh session");
    assert_eq!(counter(&a, &url), 4);
    let resp = a.get(format!("{url}/peek")).send().unwrap();
    assert_eq!(resp.text().unwrap(), "4");
    stop(&server);
}

#[test]
fn cookie_absent_until_first_write_then_has_attributes() {
    let options = SessionOptions {
        cookie_name: "Kr.Session".into(),
        cookie_path: "/".into(),
        cookie_domain: Some("127.0.0.1".into()),
        http_only: true,
        same_site: SameSite::Strict,
        secure_policy: SecurePolicy::Always,
        ..Default::default()
    };
    let (server, url) = session_server("cookie-attrs", options, |_| {});
    let c = bare_client();
    let resp = c.get(format!("{url}/peek")).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(set_cookies(&resp).is_empty(), "no cookie before the first write");
    assert_eq!(resp.text().unwrap(), "-1");

    let resp = c.get(format!("{url}/counter")).send().unwrap();
    let cookies = set_cookies(&resp);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = &cookies[0];
    assert!(cookie.starts_with("Kr.Session="), "{cookie}");
    for attr in ["Path=/", "Domain=127.0.0.1", "HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(cookie.split("; ").any(|p| p == attr), "{attr} missing in {cookie}");
    }
    assert!(!cookie.contains("Max-Age"), "browser-session cookie by default: {cookie}");
    stop(&server);
}

#[test]
fn secure_policy_same_as_request_and_unspecified_same_site_and_max_age() {
    let options = SessionOptions {
        secure_policy: SecurePolicy::SameAsRequest,
        same_site: SameSite::Unspecified,
        cookie_max_age_seconds: 3600,
        ..Default::default()
    };
    let server = Server::new("same-as-request").unwrap();
    server.add_endpoint_http("127.0.0.1", 0).unwrap();
    server.add_endpoint_https_self_signed("127.0.0.1", 0).unwrap();
    server.configure_session(options).unwrap();
    server.add_route("GET", "/counter", counter_handler()).unwrap();
    let http = start(&server);
    let https = server.endpoint_url(1).unwrap();
    assert!(http.starts_with("http://") && https.starts_with("https://"));
    let c = bare_client();

    let cookie = set_cookies(&c.get(format!("{http}/counter")).send().unwrap()).remove(0);
    assert!(cookie.starts_with(".Kestrun.Session="), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP request → no Secure: {cookie}");
    assert!(!cookie.contains("SameSite"), "unspecified → omitted: {cookie}");
    assert!(cookie.contains("Max-Age=3600"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");

    let cookie = set_cookies(&c.get(format!("{https}/counter")).send().unwrap()).remove(0);
    assert!(cookie.split("; ").any(|p| p == "Secure"), "HTTPS request → Secure: {cookie}");
    stop(&server);
}

#[test]
fn secure_policy_none_and_same_site_none() {
    let options = SessionOptions {
        secure_policy: SecurePolicy::None,
        same_site: SameSite::None,
        http_only: false,
        ..Default::default()
    };
    let (server, url) = session_server("secure-none", options, |_| {});
    let c = bare_client();
    let cookie = set_cookies(&c.get(format!("{url}/counter")).send().unwrap()).remove(0);
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(!cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=None"), "{cookie}");
    stop(&server);
}

#[test]
fn tampered_or_forged_cookie_gives_a_fresh_session() {
    let (server, url) = session_server("tamper", SessionOptions::default(), |_| {});
    let (c, pair) = bare_session_client(&url);
    let (name, value) = pair.split_once('=').unwrap();

    // The genuine cookie continues the session.
    let v = json(c.get(format!("{url}/counter")).header("cookie", &pair).send().unwrap());
    assert_eq!(v["counter"], 2);

    // Flip a character in the middle of the encrypted value.
    let mut bytes = value.as_bytes().to_vec();
    let mid = bytes.len() / 2;
    bytes[mid] = if bytes[mid] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{name}={}", String::from_utf8(bytes).unwrap());
    let resp = c.get(format!("{url}/counter")).header("cookie", &tampered).send().unwrap();
    assert_eq!(resp.status(), 200);
    let fresh_cookie = set_cookies(&resp);
    assert_eq!(json(resp)["counter"], 1, "tampered cookie → new empty session");
    assert_eq!(fresh_cookie.len(), 1, "a new session cookie is issued");

    // A forged cookie (random text), and one with a plausible but unencrypted key.
    for forged in [format!("{name}=forged"), format!("{name}={}", "a".repeat(64))] {
        let resp = c.get(format!("{url}/counter")).header("cookie", &forged).send().unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(json(resp)["counter"], 1);
    }

    // The genuine session is untouched.
    let v = json(c.get(format!("{url}/counter")).header("cookie", &pair).send().unwrap());
    assert_eq!(v["counter"], 3);
    stop(&server);
}

#[test]
fn idle_timeout_expires_sessions() {
    let (server, url) = session_server("idle", idle_timeout(1), |_| {});
    let c = session_client(&url);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(counter(&c, &url), 1, "expired after the 1 s idle timeout: a new session");
    stop(&server);
}

#[test]
fn sliding_expiration_keeps_active_sessions() {
    let (server, url) = session_server("sliding", idle_timeout(4), |_| {});
    let c = session_client(&url);
    let t0 = std::time::Instant::now();
    // Reads only (no write): each one extends the TTL.
    while t0.elapsed() < Duration::from_secs(6) {
        std::thread::sleep(Duration::from_secs(1));
        assert_eq!(c.get(format!("{url}/peek")).send().unwrap().text().unwrap(), "1");
    }
    assert_eq!(counter(&c, &url), 2, "alive after more than the idle timeout thanks to the reads");
    stop(&server);
}

#[test]
fn concurrent_requests_of_one_session_are_serialized() {
    let (server, url) = session_server("concurrency", SessionOptions::default(), |s| {
        s.set_callback_threads(4).unwrap();
    });
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let c = async_client();
        let first: serde_json::Value = c.get(format!("{url}/counter")).send().await.unwrap().json().await.unwrap();
        assert_eq!(first["counter"], 1);
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let c = c.clone();
            let url = url.clone();
            tasks.push(tokio::spawn(async move {
                let resp = c.get(format!("{url}/counter")).send().await.unwrap();
                assert_eq!(resp.status(), 200);
                let v: serde_json::Value = resp.json().await.unwrap();
                v["counter"].as_i64().unwrap()
            }));
        }
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        seen.sort();
        let expected: Vec<i64> = (2..=201).collect();
        assert_eq!(seen, expected, "every increment observed exactly once");
        let last: serde_json::Value = c.get(format!("{url}/counter")).send().await.unwrap().json().await.unwrap();
        assert_eq!(last["counter"], 202, "200 concurrent increments + 2 sequential");
    });
    stop(&server);
}

#[test]
fn different_sessions_do_not_block_each_other() {
    // /block is released by the test once the other session was served.
    let (server, url, block) = server_with_blocking_route("independent", |_| {});
    let a = session_client(&url);
    let b = session_client(&url);
    let url2 = url.clone();
    let a2 = a.clone();
    let holder = std::thread::spawn(move || a2.get(format!("{url2}/block")).send().unwrap().status());
    block.wait_entered();
    // Session A is locked by /block; session B proceeds.
    assert_eq!(counter(&b, &url), 2);
    assert_eq!(counter(&client(), &url), 1, "no session at all proceeds too");
    block.release();
    assert_eq!(holder.join().unwrap(), 200);
    assert_eq!(counter(&a, &url), 2);
    stop(&server);
}

#[test]
fn failed_callback_discards_session_changes_and_clear_works() {
    let (server, url) = session_server("rollback", SessionOptions::default(), |s| {
        s.add_route(
            "GET",
            "/fail",
            handler_fn(|ctx| {
                ctx.session_mut().map_err(|e| e.to_string())?.set_int32("counter", 1000);
                Err("deliberate failure".into())
            }),
        )
        .unwrap();
        session_text_route(s, "/clear", |session| {
            session.set_string("other", "x");
            session.clear();
            session.len().to_string()
        });
        session_text_route(s, "/keys", |session| {
            session.set_string("b", "2");
            session.set("a", vec![1u8, 2, 3]);
            session.keys().collect::<Vec<_>>().join(",")
        });
    });
    let c = session_client(&url);
    let resp = c.get(format!("{url}/fail")).send().unwrap();
    assert_eq!(resp.status(), 500);
    assert_eq!(counter(&c, &url), 2, "the failed request's write was discarded");
    assert_eq!(c.get(format!("{url}/keys")).send().unwrap().text().unwrap(), "a,b,counter");
    assert_eq!(c.get(format!("{url}/clear")).send().unwrap().text().unwrap(), "0");
    assert_eq!(c.get(format!("{url}/peek")).send().unwrap().text().unwrap(), "-1", "clear removed every key");
    assert_eq!(counter(&c, &url), 1);
    stop(&server);
}

#[test]
fn server_without_sessions_reports_no_session() {
    let (server, url) = https_server("no-sessions", |s| {
        let handler = handler_fn(|ctx| {
            let available = ctx.session_available();
            let kind = ctx.session().err().map(|e| e.kind());
            ctx.set_body_text(&format!("{available} {kind:?}"));
            Ok(())
        });
        s.add_route("GET", "/", handler).unwrap();
    });
    let resp = bare_client().get(format!("{url}/")).send().unwrap();
    assert!(resp.headers().get("set-cookie").is_none());
    assert_eq!(resp.text().unwrap(), "false Some(NoSession)");
    stop(&server);
}

#[test]
fn sessions_survive_a_restart() {
    let (server, url) = session_server("restart-sessions", SessionOptions::default(), |_| {});
    let c = session_client(&url);
    stop(&server);
    // Cookies are not port-specific: the same jar applies to the new port.
    let url = start(&server);
    assert_eq!(counter(&c, &url), 2, "the store and the cookie key outlive a stop");
    stop(&server);
}

#[test]
fn waiting_for_a_busy_session_is_bounded_by_the_io_timeout() {
    let block = Blocker::new();
    let options = SessionOptions { io_timeout_seconds: 1, ..Default::default() };
    let (server, url) = session_server("lockwait", options, |s| {
        s.set_callback_threads(4).unwrap();
        let handler = block.handler(|ctx| {
            ctx.session_mut().map_err(|e| e.to_string())?.set_int32("blocked", 1);
            Ok(())
        });
        s.add_route("GET", "/block", handler).unwrap();
    });
    let c = session_client(&url);
    // A request of the session holds its lock (inside its callback) …
    let (c2, url2) = (c.clone(), url.clone());
    let blocker = std::thread::spawn(move || c2.get(format!("{url2}/block")).send().unwrap().status());
    block.wait_entered();
    // … so the next one of the same session waits at most the IO timeout, then runs with an
    // unavailable session: a read sees nothing, a write is refused with 503 JSON.
    let t0 = std::time::Instant::now();
    assert_eq!(c.get(format!("{url}/peek")).send().unwrap().text().unwrap(), "-1");
    assert!(t0.elapsed() >= Duration::from_millis(900), "{:?}", t0.elapsed());
    let t0 = std::time::Instant::now();
    let v = assert_json_error(c.get(format!("{url}/counter")).send().unwrap(), 503);
    assert!(v["message"].as_str().unwrap().contains("did not finish within the IO timeout (1 s)"), "{v}");
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    // Other sessions do not wait.
    assert_eq!(counter(&client(), &url), 1);
    block.release();
    assert_eq!(blocker.join().unwrap(), 200);
    // The refused request changed nothing; the session is served again.
    assert_eq!(counter(&c, &url), 2);
    assert_eq!(c.get(format!("{url}/peek")).send().unwrap().text().unwrap(), "2");
    stop(&server);
}

#[test]
fn reading_a_session_sends_no_cookie_and_keeps_it() {
    let (server, url) = session_server("read-no-cookie", SessionOptions::default(), |_| {});
    let (c, pair) = bare_session_client(&url);
    // A request that only reads the session: no Set-Cookie (as ASP.NET Core), the state is there.
    let resp = c.get(format!("{url}/peek")).header("cookie", &pair).send().unwrap();
    assert!(set_cookies(&resp).is_empty(), "{:?}", set_cookies(&resp));
    assert_eq!(resp.text().unwrap(), "1");
    // A write to the established session sends no cookie either: the client's cookie still names it.
    let resp = c.get(format!("{url}/counter")).header("cookie", &pair).send().unwrap();
    assert!(set_cookies(&resp).is_empty(), "{:?}", set_cookies(&resp));
    assert!(resp.headers().get("cache-control").is_none());
    assert_eq!(json(resp)["counter"], 2);
    let resp = c.get(format!("{url}/peek")).header("cookie", &pair).send().unwrap();
    assert_eq!(resp.text().unwrap(), "2");
    stop(&server);
}
