//! [`RequestContext`]: everything a route handler can read about its request and write about its
//! response (and, when the server has sessions, the request's session).
use std::borrow::Cow;
use std::cell::OnceCell;
use std::net::SocketAddr;

use actix_web::cookie::Cookie;
use actix_web::http::header::{HeaderMap, HeaderName, COOKIE};
use actix_web::web::Bytes;

use crate::cancel::CancelToken;
use crate::error::{Error, Result};
use crate::response::{CookieSpec, ResponseData};
use crate::session::SessionData;

/// A request as seen by a route callback, plus the response it is building and (when the server has
/// sessions) a copy of its session.
///
/// Name lookups: headers are case-insensitive (HTTP); query names, route parameters and cookies
/// prefer an exact match and fall back to a case-insensitive one (ASP.NET Core's collections are
/// case-insensitive).
#[derive(Default)]
pub struct RequestContext {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query_string: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) route_params: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    /// Parsed from the `Cookie` headers on first use (most callbacks never look at cookies).
    pub(crate) cookies: OnceCell<Vec<(String, String)>>,
    pub(crate) body: Bytes,
    pub(crate) remote_addr: Option<SocketAddr>,
    pub(crate) scheme: &'static str,
    pub(crate) host: String,
    pub(crate) response: ResponseData,
    pub(crate) session: Option<SessionData>,
    /// Cancelled when the route's timeout elapses (inert for routes without a timeout).
    pub(crate) cancel: CancelToken,
}

/// The request cookies, parsed like actix-web's `HttpRequest::cookies` (every `Cookie` header split on
/// `;`, values percent-decoded); none at all if a header is not UTF-8 or a pair does not parse.
fn parse_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut cookies = Vec::new();
    for header in headers.get_all(COOKIE) {
        let Ok(s) = std::str::from_utf8(header.as_bytes()) else { return Vec::new() };
        for pair in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match Cookie::parse_encoded(pair) {
                Ok(c) => cookies.push((c.name().to_string(), c.value().to_string())),
                Err(_) => return Vec::new(),
            }
        }
    }
    cookies
}

fn lookup<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .or_else(|| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .map(|(_, v)| v.as_str())
}

impl RequestContext {
    /// An empty context for unit tests and tools (method `GET`, path `/`, scheme `http`).
    pub fn for_tests() -> Self {
        RequestContext { method: "GET".into(), path: "/".into(), scheme: "http", ..Default::default() }
    }

    /// The request method, e.g. `GET`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request path as sent (not percent-decoded, without the query string), e.g. `/users/42`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string without `?` ("" when none).
    pub fn query_string(&self) -> &str {
        &self.query_string
    }

    /// The `index`-th value of the query parameter `name` (percent-decoded, `+` as space).
    pub fn query(&self, name: &str, index: usize) -> Option<&str> {
        let exact: Vec<&str> = self.query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect();
        if !exact.is_empty() {
            return exact.get(index).copied();
        }
        self.query.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).nth(index)
    }

    /// How many values the query parameter `name` has (0 when absent).
    pub fn query_count(&self, name: &str) -> usize {
        let exact = self.query.iter().filter(|(k, _)| k == name).count();
        if exact > 0 {
            return exact;
        }
        self.query.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).count()
    }

    /// All decoded query pairs in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The route parameter `name` (from a `{name}` segment of the pattern), percent-decoded.
    pub fn route_param(&self, name: &str) -> Option<&str> {
        lookup(&self.route_params, name)
    }

    /// All route parameters.
    pub fn route_params(&self) -> &[(String, String)] {
        &self.route_params
    }

    /// The header `name` (case-insensitive); repeated headers are joined with `", "`. Non-UTF-8
    /// bytes are replaced (lossy).
    pub fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        let mut values = self.headers.get_all(&name);
        let first = values.next()?;
        let mut joined = String::from_utf8_lossy(first.as_bytes());
        for v in values {
            let s = joined.to_mut();
            s.push_str(", ");
            s.push_str(&String::from_utf8_lossy(v.as_bytes()));
        }
        Some(joined)
    }

    /// All request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request cookie `name` (decoded value).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        lookup(self.cookies.get_or_init(|| parse_cookies(&self.headers)), name)
    }

    /// The request body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The client's address as `ip:port` (`[ip]:port` for IPv6); "" if unknown.
    pub fn remote_addr(&self) -> String {
        self.remote_addr.map(|a| a.to_string()).unwrap_or_default()
    }

    /// The client's socket address, if known.
    pub fn remote_socket_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// Whether the request was given up: its route's timeout elapsed and the client got 504 (a callback
    /// may poll this; hosts rather register a hook on [`cancel_token`](Self::cancel_token)). Always
    /// false for routes without a timeout.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The request's cancellation token (inert for routes without a timeout).
    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }

    /// `http` or `https` (the endpoint's scheme).
    pub fn scheme(&self) -> &str {
        self.scheme
    }

    /// The `Host` the client addressed (the `Host` header, else the endpoint's address).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The response being built.
    pub fn response(&self) -> &ResponseData {
        &self.response
    }

    /// The response being built, mutable.
    pub fn response_mut(&mut self) -> &mut ResponseData {
        &mut self.response
    }

    /// Sets the response status (100..=999).
    pub fn set_status(&mut self, status: u16) -> Result<()> {
        self.response.set_status(status)
    }

    /// Sets the response content type (`; charset=utf-8` added to text-like types without one).
    pub fn set_content_type(&mut self, content_type: &str) -> Result<()> {
        self.response.set_content_type(content_type)
    }

    /// Sets the response body bytes.
    pub fn set_body(&mut self, body: impl Into<Vec<u8>>) {
        self.response.set_body(body)
    }

    /// Sets a UTF-8 text body (and `text/plain; charset=utf-8` unless a content type was set).
    pub fn set_body_text(&mut self, text: &str) {
        self.response.set_body_text(text)
    }

    /// Status, content type (if `Some`) and body in one call.
    pub fn write(&mut self, status: u16, content_type: Option<&str>, body: &[u8]) -> Result<()> {
        self.response.write(status, content_type, body)
    }

    /// Adds a response header (name and value are validated).
    pub fn add_header(&mut self, name: &str, value: &str) -> Result<()> {
        self.response.add_header(name, value)
    }

    /// Adds a response cookie.
    pub fn add_cookie(&mut self, cookie: &CookieSpec) -> Result<()> {
        self.response.add_cookie(cookie)
    }

    /// Whether the server has sessions (and so [`session`](Self::session) works).
    pub fn session_available(&self) -> bool {
        self.session.is_some()
    }

    /// The request's session; `ErrorKind::NoSession` when the server has no sessions.
    pub fn session(&self) -> Result<&SessionData> {
        self.session.as_ref().ok_or_else(Error::no_session)
    }

    /// The request's session, mutable; `ErrorKind::NoSession` when the server has no sessions.
    /// Changes are committed when the callback succeeds and discarded when it fails.
    pub fn session_mut(&mut self) -> Result<&mut SessionData> {
        self.session.as_mut().ok_or_else(Error::no_session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    #[test]
    fn query_lookup() {
        let mut ctx = RequestContext::for_tests();
        ctx.query = form_urlencoded::parse(b"a=1&b=x+y&a=2&C=%C3%A9").into_owned().collect();
        assert_eq!(ctx.query("a", 0), Some("1"));
        assert_eq!(ctx.query("a", 1), Some("2"));
        assert_eq!(ctx.query("a", 2), None);
        assert_eq!(ctx.query_count("a"), 2);
        assert_eq!(ctx.query("b", 0), Some("x y"));
        assert_eq!(ctx.query("c", 0), Some("é"));
        assert_eq!(ctx.query_count("zz"), 0);
    }

    #[test]
    fn cookies_parsed_on_demand() {
        let mut ctx = RequestContext::for_tests();
        ctx.headers.append(COOKIE, HeaderValue::from_static("a=1; b=x%20y"));
        ctx.headers.append(COOKIE, HeaderValue::from_static("C=3"));
        assert_eq!(ctx.cookie("a"), Some("1"));
        assert_eq!(ctx.cookie("b"), Some("x y"));
        assert_eq!(ctx.cookie("c"), Some("3"));
        assert_eq!(ctx.cookie("d"), None);
        let mut bad = RequestContext::for_tests();
        bad.headers.append(COOKIE, HeaderValue::from_static("a=1; novalue"));
        assert_eq!(bad.cookie("a"), None, "like actix-web: one bad pair → no cookies");
    }

    #[test]
    fn header_join() {
        let mut ctx = RequestContext::for_tests();
        ctx.headers.append(HeaderName::from_static("x-a"), HeaderValue::from_static("1"));
        ctx.headers.append(HeaderName::from_static("x-a"), HeaderValue::from_static("2"));
        assert_eq!(ctx.header("X-A").as_deref(), Some("1, 2"));
        assert_eq!(ctx.header("x-b"), None);
        assert_eq!(ctx.header("bad name"), None);
    }
}
