//! Sessions against a hostile client: session fixation (a new id at login), logout replay (a
//! cookie captured before logout reaches nothing), and when the cookie goes out (once per session,
//! marked not cacheable).
mod common;

use common::*;
use kestrun_native::{handler_fn, Server, SessionOptions};

/// Session routes of a login flow: `/login?user=…` (sets `user`, then a new id when `renew=1`),
/// `/whoami` (401 without user), `/logout` (ends the session), `/relogin?user=…` (ends the session
/// and starts a new one in the same request).
fn login_routes(server: &Server) {
    let login = handler_fn(|ctx| {
        let user = ctx.query("user", 0).unwrap_or_default().to_string();
        let renew = ctx.query("renew", 0) == Some("1");
        let session = ctx.session_mut().map_err(|e| e.to_string())?;
        session.set_string("user", &user);
        if renew {
            session.renew_id();
        }
        ctx.set_body_text(&format!("Logged in {user}"));
        Ok(())
    });
    let whoami = handler_fn(|ctx| {
        match ctx.session().map_err(|e| e.to_string())?.get_string("user") {
            Some(u) => ctx.set_body_text(&u),
            None => {
                ctx.set_status(401).map_err(|e| e.to_string())?;
                ctx.set_body_text("no user");
            }
        }
        Ok(())
    });
    let logout = handler_fn(|ctx| {
        ctx.session_mut().map_err(|e| e.to_string())?.clear();
        ctx.set_body_text("bye");
        Ok(())
    });
    let relogin = handler_fn(|ctx| {
        let user = ctx.query("user", 0).unwrap_or_default().to_string();
        let session = ctx.session_mut().map_err(|e| e.to_string())?;
        session.clear();
        session.set_string("user", &user);
        ctx.set_body_text(&format!("Logged in {user}"));
        Ok(())
    });
    server.add_route("GET", "/login", login).unwrap();
    server.add_route("GET", "/whoami", whoami).unwrap();
    server.add_route("GET", "/logout", logout).unwrap();
    server.add_route("GET", "/relogin", relogin).unwrap();
}

fn server(name: &str) -> (Server, String) {
    session_server(name, SessionOptions { cookie_name: "Kr.Session".into(), ..Default::default() }, login_routes)
}

/// `GET url` with `cookie` (`name=value`, or none) from a client without a cookie store: status,
/// body and the `Set-Cookie` values.
fn get_with(url: &str, cookie: Option<&str>) -> (u16, String, Vec<String>, reqwest::header::HeaderMap) {
    let mut req = bare_client().get(url);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let resp = req.send().unwrap();
    let cookies = set_cookies(&resp);
    let headers = resp.headers().clone();
    (resp.status().as_u16(), resp.text().unwrap(), cookies, headers)
}

/// The `name=value` part of a `Set-Cookie` value.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

fn assert_not_cacheable(headers: &reqwest::header::HeaderMap) {
    assert_eq!(headers["cache-control"], "no-cache,no-store");
    assert_eq!(headers["pragma"], "no-cache");
    assert_eq!(headers["expires"], "-1");
}

#[test]
fn a_cookie_planted_before_a_login_that_renews_the_id_sees_nothing_afterwards() {
    let (server, url) = server("fixation");
    // The attacker gets a session of their own and plants its cookie in the victim's browser.
    let (_, _, cookies, _) = get_with(&format!("{url}/counter"), None);
    let planted = pair(&cookies[0]);
    assert_eq!(get_with(&format!("{url}/counter"), Some(&planted)).1, "{\"counter\":2}");

    // The victim logs in with the planted cookie; the login gives the session a new id.
    let (status, _, cookies, headers) = get_with(&format!("{url}/login?user=alice&renew=1"), Some(&planted));
    assert_eq!(status, 200);
    assert_eq!(cookies.len(), 1, "the new id goes out: {cookies:?}");
    let victim = pair(&cookies[0]);
    assert_ne!(victim, planted);
    assert_not_cacheable(&headers);

    // The victim keeps their data under the new id …
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&victim)).1, "alice");
    assert_eq!(get_with(&format!("{url}/counter"), Some(&victim)).1, "{\"counter\":3}");
    // … and the planted cookie reaches nothing: not the identity, not the data.
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&planted)).0, 401);
    assert_eq!(get_with(&format!("{url}/peek"), Some(&planted)).1, "-1");
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&victim)).1, "alice", "the attacker's requests changed nothing");
    stop(&server);
}

#[test]
fn without_a_new_id_the_planted_cookie_would_see_the_login() {
    // The same flow without renewing the id: what the new command protects against.
    let (server, url) = server("fixation-control");
    let (_, _, cookies, _) = get_with(&format!("{url}/counter"), None);
    let planted = pair(&cookies[0]);
    let (_, _, cookies, _) = get_with(&format!("{url}/login?user=alice"), Some(&planted));
    assert!(cookies.is_empty(), "an update of an established session sends no cookie: {cookies:?}");
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&planted)).1, "alice");
    stop(&server);
}

#[test]
fn a_cookie_captured_before_logout_reaches_nothing_of_the_next_session() {
    let (server, url) = server("logout-replay");
    let (_, _, cookies, _) = get_with(&format!("{url}/login?user=alice"), None);
    let captured = pair(&cookies[0]);
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&captured)).1, "alice");

    // Logout ends the session: the removal cookie goes out, not cacheable.
    let (status, _, cookies, headers) = get_with(&format!("{url}/logout"), Some(&captured));
    assert_eq!(status, 200);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].starts_with("Kr.Session=;") || cookies[0].contains("Max-Age=0"), "{}", cookies[0]);
    assert_not_cacheable(&headers);

    // The captured cookie reaches nothing; logging in with it starts another session (new id).
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&captured)).0, 401);
    let (_, _, cookies, _) = get_with(&format!("{url}/login?user=mallory"), Some(&captured));
    assert_eq!(cookies.len(), 1, "a new session, a new cookie");
    let mallory = pair(&cookies[0]);
    assert_ne!(mallory, captured);

    // The user logs in again: their next session is theirs alone.
    let (_, _, cookies, _) = get_with(&format!("{url}/login?user=alice"), None);
    let alice = pair(&cookies[0]);
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&alice)).1, "alice");
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&captured)).0, 401);
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&mallory)).1, "mallory");
    stop(&server);
}

#[test]
fn a_write_after_clear_in_the_same_request_starts_a_new_session() {
    let (server, url) = server("relogin");
    let (_, _, cookies, _) = get_with(&format!("{url}/login?user=alice"), None);
    let old = pair(&cookies[0]);
    let (status, _, cookies, headers) = get_with(&format!("{url}/relogin?user=bob"), Some(&old));
    assert_eq!(status, 200);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let new = pair(&cookies[0]);
    assert_ne!(new, old);
    assert_not_cacheable(&headers);
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&new)).1, "bob");
    assert_eq!(get_with(&format!("{url}/whoami"), Some(&old)).0, 401);
    stop(&server);
}

#[test]
fn the_cookie_goes_out_once_per_session_and_that_response_is_not_cacheable() {
    let (server, url) = server("cookie-once");
    // Reads before any write: nothing.
    let (_, _, cookies, headers) = get_with(&format!("{url}/peek"), None);
    assert!(cookies.is_empty());
    assert!(headers.get("cache-control").is_none());
    // The first write establishes the session: the cookie and the three headers.
    let (_, _, cookies, headers) = get_with(&format!("{url}/counter"), None);
    assert_eq!(cookies.len(), 1);
    assert_not_cacheable(&headers);
    let cookie = pair(&cookies[0]);
    // Later writes and reads: no cookie, no such headers.
    for expected in 2..=5 {
        let (status, body, cookies, headers) = get_with(&format!("{url}/counter"), Some(&cookie));
        assert_eq!((status, body), (200, format!("{{\"counter\":{expected}}}")));
        assert!(cookies.is_empty(), "{cookies:?}");
        assert!(headers.get("cache-control").is_none() && headers.get("pragma").is_none());
    }
    let (_, body, cookies, _) = get_with(&format!("{url}/peek"), Some(&cookie));
    assert_eq!((body.as_str(), cookies.len()), ("5", 0));
    // A renewal sends the new cookie (and the headers) once; the next write sends none.
    let (_, _, cookies, headers) = get_with(&format!("{url}/login?user=alice&renew=1"), Some(&cookie));
    assert_eq!(cookies.len(), 1);
    assert_not_cacheable(&headers);
    let renewed = pair(&cookies[0]);
    let (_, body, cookies, _) = get_with(&format!("{url}/counter"), Some(&renewed));
    assert_eq!((body.as_str(), cookies.len()), ("{\"counter\":6}", 0));
    stop(&server);
}
