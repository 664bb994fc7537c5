//! Routes: verbs + pattern → [`RouteHandler`].
//!
//! - Verbs: comma-separated, case-insensitive (`"GET"`, `"get,post"`), `"*"` = any method.
//! - Pattern: `/a/{id}/b`: literal segments and `{name}` parameters (one whole segment each,
//!   name = letters, digits, `_`).
//! - Matching is ASP.NET Core's: literal segments compare case-insensitively (`/Hello` matches
//!   `/hello`; parameter values keep the client's case), and a path matches with or without one
//!   trailing slash (`/hello/` matches `/hello`; a pattern's own trailing slash is ignored).
//! - Routes are grouped by pattern *shape* (parameter names and literal case aside). An unknown path
//!   gets 404; a known path whose routes take other verbs gets 405 with `Allow`. Adding a route whose
//!   shape and verbs overlap an existing one is `InvalidArgument`.
//! - `HEAD` is answered by the route for `GET` unless some route of the path takes `HEAD` itself
//!   (the route runs, the client gets its status and headers, `Content-Length` included, without
//!   the body).
//! - More literal patterns win over parameters: `/users/me` is tried before `/users/{id}`.
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;

use crate::error::{Error, Result};
use crate::request::RequestContext;

/// Why a route handler failed: the request gets a 500 JSON error and its session changes are
/// discarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// A host's callback reported a non-zero status code (shown in the log and the 500 message).
    Status(i32),
    /// A handler's error message (logged; the client only learns that the handler failed).
    Message(String),
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::Status(code) => write!(f, "status {code}"),
            RouteError::Message(message) => f.write_str(message),
        }
    }
}

/// A route's code. `call` runs on a callback thread with the request's context (read the request,
/// build the response, use the session) and returns `Err` for a failure (→ 500 JSON; the request's
/// session changes are discarded). A panic counts as a failure.
pub trait RouteHandler: Send + Sync {
    /// Handles one request.
    fn call(&self, ctx: &mut RequestContext) -> std::result::Result<(), RouteError>;
}

struct FnHandler<F>(F);

impl<F> RouteHandler for FnHandler<F>
where
    F: Fn(&mut RequestContext) -> std::result::Result<(), String> + Send + Sync + 'static,
{
    fn call(&self, ctx: &mut RequestContext) -> std::result::Result<(), RouteError> {
        (self.0)(ctx).map_err(RouteError::Message)
    }
}

/// A [`RouteHandler`] from a Rust closure over the request context (`Err(message)` → 500, the
/// message is logged).
pub fn handler_fn<F>(f: F) -> Arc<dyn RouteHandler>
where
    F: Fn(&mut RequestContext) -> std::result::Result<(), String> + Send + Sync + 'static,
{
    Arc::new(FnHandler(f))
}

/// Longest route timeout accepted: 24 h.
pub const MAX_ROUTE_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// Options of a route (see [`Server::add_route_with_options`](crate::Server::add_route_with_options)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteOptions {
    /// Bound on a request of this route, from its dispatch (body read) to the answer: the wait for a
    /// callback thread and the callback. When it elapses the client gets 504 JSON at once, and a
    /// callback still running is asked to stop through the request's
    /// [`CancelToken`](crate::CancelToken) (its response and session changes are discarded).
    /// `None` (default): no bound.
    pub timeout: Option<Duration>,
}

impl RouteOptions {
    /// The options with `timeout` set.
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// `InvalidArgument` for a zero timeout or one above [`MAX_ROUTE_TIMEOUT`].
    pub(crate) fn validate(&self) -> Result<()> {
        match self.timeout {
            Some(t) if t.is_zero() || t > MAX_ROUTE_TIMEOUT => Err(Error::invalid_argument(format!(
                "route timeout {t:?} is not in 1 ms..=24 h (omit it for no timeout)"
            ))),
            _ => Ok(()),
        }
    }
}

/// Parsed verbs of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verbs {
    Any,
    Methods(Vec<Method>),
}

impl Verbs {
    pub(crate) fn parse(verbs: &str) -> Result<Verbs> {
        let mut methods: Vec<Method> = Vec::new();
        for part in verbs.split(',') {
            let part = part.trim();
            if part == "*" {
                return if verbs.split(',').all(|p| p.trim() == "*") {
                    Ok(Verbs::Any)
                } else {
                    Err(Error::invalid_argument(format!("verbs {verbs:?}: \"*\" cannot be combined with other verbs")))
                };
            }
            if part.is_empty() {
                return Err(Error::invalid_argument(format!("verbs {verbs:?}: empty verb")));
            }
            let upper = part.to_ascii_uppercase();
            let method = Method::from_bytes(upper.as_bytes())
                .map_err(|_| Error::invalid_argument(format!("verbs {verbs:?}: {part:?} is not an HTTP method")))?;
            if !methods.contains(&method) {
                methods.push(method);
            }
        }
        if methods.is_empty() {
            return Err(Error::invalid_argument("verbs are empty"));
        }
        Ok(Verbs::Methods(methods))
    }

    pub(crate) fn overlaps(&self, other: &Verbs) -> bool {
        match (self, other) {
            (Verbs::Any, _) | (_, Verbs::Any) => true,
            (Verbs::Methods(a), Verbs::Methods(b)) => a.iter().any(|m| b.contains(m)),
        }
    }

    pub(crate) fn matches(&self, method: &Method) -> bool {
        match self {
            Verbs::Any => true,
            Verbs::Methods(ms) => ms.contains(method),
        }
    }
}

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    Param(String),
}

/// A parsed route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoutePattern {
    pub(crate) text: String,
    pub(crate) segments: Vec<Segment>,
}

/// The segments of a path (or pattern) after its leading `/`, without one trailing `/`:
/// `/` and `//` have none, `/a/b/` has `a`, `b`.
fn path_segments(path: &str) -> impl Iterator<Item = &str> {
    let rest = path.strip_prefix('/').unwrap_or(path);
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    rest.split('/').filter(move |_| !rest.is_empty())
}

/// Whether a request path segment (percent-encoded) equals a pattern literal, ignoring case.
fn literal_matches(segment: &str, literal_lower: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
    decoded.chars().flat_map(char::to_lowercase).eq(literal_lower.chars())
}

fn is_param_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl RoutePattern {
    pub(crate) fn parse(pattern: &str) -> Result<RoutePattern> {
        let bad = |why: &str| Error::invalid_argument(format!("route pattern {pattern:?}: {why}"));
        if !pattern.starts_with('/') {
            return Err(bad("must start with '/'"));
        }
        if pattern.chars().any(|c| c.is_control() || c == '?' || c == '#' || c == '*' || c == ' ') {
            return Err(bad("contains a character not allowed in a path pattern"));
        }
        let mut segments = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for seg in path_segments(pattern) {
            if let Some(inner) = seg.strip_prefix('{') {
                let name = inner.strip_suffix('}').ok_or_else(|| bad("a parameter must be a whole segment: {name}"))?;
                if !is_param_name(name) {
                    return Err(bad(&format!("invalid parameter name {name:?}")));
                }
                if names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    return Err(bad(&format!("parameter {name:?} appears twice")));
                }
                names.push(name);
                segments.push(Segment::Param(name.to_string()));
            } else {
                if seg.contains('{') || seg.contains('}') {
                    return Err(bad("a parameter must be a whole segment: {name}"));
                }
                // Kept decoded and lower-cased: requests compare their decoded segment ignoring case.
                let decoded = percent_encoding::percent_decode_str(seg).decode_utf8_lossy();
                segments.push(Segment::Literal(decoded.chars().flat_map(char::to_lowercase).collect()));
            }
        }
        Ok(RoutePattern { text: pattern.to_string(), segments })
    }

    /// The shape: literals (lower-cased), parameters numbered (`/a/{p0}`); `/` for the root.
    pub(crate) fn shape(&self) -> String {
        if self.segments.is_empty() {
            return "/".to_string();
        }
        let mut out = String::new();
        let mut n = 0;
        for seg in &self.segments {
            out.push('/');
            match seg {
                Segment::Literal(s) => out.push_str(s),
                Segment::Param(_) => {
                    out.push_str(&format!("{{p{n}}}"));
                    n += 1;
                }
            }
        }
        out
    }

    /// Parameter names in order.
    pub(crate) fn param_names(&self) -> Vec<String> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param(n) => Some(n.clone()),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// Sort key: at the first difference, a literal segment sorts before a parameter.
    fn specificity(&self) -> Vec<u8> {
        self.segments.iter().map(|s| matches!(s, Segment::Param(_)) as u8).collect()
    }
}

/// One route: verbs, its own parameter names, handler.
pub(crate) struct RouteEntry {
    pub(crate) verbs: Verbs,
    pub(crate) pattern: String,
    pub(crate) param_names: Vec<String>,
    /// The path segment index of each parameter (same order as `param_names`).
    param_segments: Vec<usize>,
    pub(crate) handler: Arc<dyn RouteHandler>,
    /// [`RouteOptions::timeout`].
    pub(crate) timeout: Option<Duration>,
}

impl RouteEntry {
    /// The route's parameters in `path` (a path this route matched): name and percent-decoded value,
    /// in the client's case.
    pub(crate) fn route_params(&self, path: &str) -> Vec<(String, String)> {
        let segments: Vec<&str> = path_segments(path).collect();
        self.param_names
            .iter()
            .zip(&self.param_segments)
            .filter_map(|(name, &i)| {
                segments
                    .get(i)
                    .map(|v| (name.clone(), percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned()))
            })
            .collect()
    }
}

/// Routes sharing a pattern shape.
#[derive(Clone)]
pub(crate) struct RouteGroup {
    pub(crate) shape: String,
    segments: Vec<Segment>,
    specificity: Vec<u8>,
    pub(crate) routes: Vec<Arc<RouteEntry>>,
}

impl RouteGroup {
    /// The `Allow` header value (`None` if some route takes any method). `HEAD` follows `GET`
    /// when no route takes it, since `GET` routes answer it.
    pub(crate) fn allow(&self) -> Option<String> {
        let mut methods: Vec<&Method> = Vec::new();
        for r in &self.routes {
            match &r.verbs {
                Verbs::Any => return None,
                Verbs::Methods(ms) => {
                    for m in ms {
                        if !methods.contains(&m) {
                            methods.push(m);
                        }
                    }
                }
            }
        }
        let mut names: Vec<&str> = Vec::with_capacity(methods.len() + 1);
        for m in &methods {
            names.push(m.as_str());
            if **m == Method::GET && !methods.contains(&&Method::HEAD) {
                names.push(Method::HEAD.as_str());
            }
        }
        Some(names.join(", "))
    }

    /// Whether the request path's segments fit this group's pattern.
    fn matches(&self, segments: &[&str]) -> bool {
        segments.len() == self.segments.len()
            && self.segments.iter().zip(segments).all(|(pattern, seg)| match pattern {
                Segment::Literal(lower) => literal_matches(seg, lower),
                Segment::Param(_) => !seg.is_empty(),
            })
    }

    /// The route taking `method`, if any.
    fn route_for(&self, method: &Method) -> Option<&Arc<RouteEntry>> {
        self.routes.iter().find(|r| r.verbs.matches(method))
    }
}

/// What a request path and method find in a [`RouteTable`].
pub(crate) enum RouteMatch<'a> {
    /// The route to run.
    Found(&'a Arc<RouteEntry>),
    /// The path is known, the method is not: the `Allow` value (every method of the path's routes).
    MethodNotAllowed(String),
    /// No route has this path.
    NotFound,
}

/// All routes of a server.
#[derive(Default, Clone)]
pub(crate) struct RouteTable {
    groups: Vec<RouteGroup>,
}

impl RouteTable {
    pub(crate) fn add(&mut self, verbs: &str, pattern: &str, handler: Arc<dyn RouteHandler>) -> Result<()> {
        self.add_with_options(verbs, pattern, handler, RouteOptions::default())
    }

    pub(crate) fn add_with_options(
        &mut self,
        verbs: &str,
        pattern: &str,
        handler: Arc<dyn RouteHandler>,
        options: RouteOptions,
    ) -> Result<()> {
        let verbs = Verbs::parse(verbs)?;
        let pattern = RoutePattern::parse(pattern)?;
        let shape = pattern.shape();
        let entry = Arc::new(RouteEntry {
            verbs,
            pattern: pattern.text.clone(),
            param_names: pattern.param_names(),
            param_segments: pattern
                .segments
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, Segment::Param(_)))
                .map(|(i, _)| i)
                .collect(),
            handler,
            timeout: options.timeout,
        });
        match self.groups.iter_mut().find(|g| g.shape == shape) {
            Some(group) => {
                if let Some(existing) = group.routes.iter().find(|r| r.verbs.overlaps(&entry.verbs)) {
                    return Err(Error::invalid_argument(format!(
                        "route {} {} overlaps the existing route for {}",
                        describe(&entry.verbs),
                        entry.pattern,
                        existing.pattern
                    )));
                }
                group.routes.push(entry);
            }
            None => {
                let specificity = pattern.specificity();
                self.groups.push(RouteGroup { shape, segments: pattern.segments, specificity, routes: vec![entry] });
                self.groups.sort_by(|a, b| a.specificity.cmp(&b.specificity));
            }
        }
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn groups(&self) -> &[RouteGroup] {
        &self.groups
    }

    /// The route for `method` and `path` (the request's raw, percent-encoded path). The groups whose
    /// pattern fits the path are tried most literal first: a route taking the method wins; for
    /// `HEAD`, a route taking `HEAD` itself before one taking `GET`.
    pub(crate) fn find(&self, method: &Method, path: &str) -> RouteMatch<'_> {
        let segments: Vec<&str> = path_segments(path).collect();
        let candidates = || self.groups.iter().filter(|g| g.matches(&segments));
        if let Some(route) = candidates().find_map(|g| g.route_for(method)) {
            return RouteMatch::Found(route);
        }
        if *method == Method::HEAD {
            if let Some(route) = candidates().find_map(|g| g.route_for(&Method::GET)) {
                return RouteMatch::Found(route);
            }
        }
        let mut allow: Vec<String> = Vec::new();
        for group in candidates() {
            for m in group.allow().iter().flat_map(|a| a.split(", ")) {
                if !allow.iter().any(|x| x == m) {
                    allow.push(m.to_string());
                }
            }
        }
        if allow.is_empty() {
            RouteMatch::NotFound
        } else {
            RouteMatch::MethodNotAllowed(allow.join(", "))
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.groups.iter().map(|g| g.routes.len()).sum()
    }
}

fn describe(verbs: &Verbs) -> String {
    match verbs {
        Verbs::Any => "*".to_string(),
        Verbs::Methods(ms) => ms.iter().map(Method::as_str).collect::<Vec<_>>().join(","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop() -> Arc<dyn RouteHandler> {
        handler_fn(|_| Ok(()))
    }

    #[test]
    fn verbs() {
        assert_eq!(Verbs::parse("*").unwrap(), Verbs::Any);
        assert_eq!(Verbs::parse("get, Post").unwrap(), Verbs::Methods(vec![Method::GET, Method::POST]));
        assert!(Verbs::parse("").is_err());
        assert!(Verbs::parse("GET,").is_err());
        assert!(Verbs::parse("GE T").is_err());
        assert!(Verbs::parse("GET,*").is_err());
        assert!(Verbs::parse("get").unwrap().overlaps(&Verbs::parse("POST,GET").unwrap()));
        assert!(!Verbs::parse("get").unwrap().overlaps(&Verbs::parse("POST").unwrap()));
    }

    #[test]
    fn patterns() {
        let p = RoutePattern::parse("/a/{id}/b/{x_2}").unwrap();
        assert_eq!(p.shape(), "/a/{p0}/b/{p1}");
        assert_eq!(p.param_names(), vec!["id", "x_2"]);
        assert_eq!(RoutePattern::parse("/").unwrap().shape(), "/");
        for bad in ["", "a", "/a/{id", "/a/x{id}", "/{1a}", "/{a}/{a}", "/a?b", "/a/*"] {
            assert!(RoutePattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn table_overlap_and_order() {
        let mut t = RouteTable::default();
        t.add("GET", "/users/{id}", noop()).unwrap();
        t.add("POST", "/users/{name}", noop()).unwrap();
        assert!(t.add("get", "/users/{other}", noop()).is_err());
        t.add("GET", "/users/me", noop()).unwrap();
        assert!(t.add("*", "/users/me", noop()).is_err());
        t.add("*", "/any", noop()).unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t.groups()[0].shape, "/any");
        assert_eq!(t.groups()[1].shape, "/users/me");
        assert_eq!(t.groups()[2].shape, "/users/{p0}");
        assert_eq!(t.groups()[2].allow().unwrap(), "GET, HEAD, POST");
        assert_eq!(t.groups()[0].allow(), None);
    }

    /// The pattern of the route `find` returns (`Err(allow)` for 405, `Err("404")` for none).
    fn found(t: &RouteTable, method: Method, path: &str) -> Result<String, String> {
        match t.find(&method, path) {
            RouteMatch::Found(r) => Ok(format!("{} {}", describe(&r.verbs), r.pattern)),
            RouteMatch::MethodNotAllowed(allow) => Err(allow),
            RouteMatch::NotFound => Err("404".into()),
        }
    }

    #[test]
    fn matching_ignores_case_and_one_trailing_slash() {
        let mut t = RouteTable::default();
        t.add("GET", "/Hello", noop()).unwrap();
        t.add("GET", "/users/{id}/Posts/", noop()).unwrap();
        t.add("GET", "/", noop()).unwrap();
        t.add("GET", "/caf%C3%A9", noop()).unwrap();
        assert!(t.add("GET", "/HELLO/", noop()).is_err(), "same route in another case / with a slash");
        for path in ["/hello", "/HELLO", "/hello/", "/HeLLo/"] {
            assert_eq!(found(&t, Method::GET, path).unwrap(), "GET /Hello", "{path}");
        }
        for path in ["/hello//", "//hello", "/hello/x", "/hell"] {
            assert_eq!(found(&t, Method::GET, path), Err("404".into()), "{path}");
        }
        assert_eq!(found(&t, Method::GET, "/USERS/AbC/posts").unwrap(), "GET /users/{id}/Posts/");
        assert_eq!(found(&t, Method::GET, "/users/AbC/posts/").unwrap(), "GET /users/{id}/Posts/");
        assert_eq!(found(&t, Method::GET, "/users//posts"), Err("404".into()), "empty parameter");
        assert_eq!(found(&t, Method::GET, "/").unwrap(), "GET /");
        assert_eq!(found(&t, Method::GET, "//").unwrap(), "GET /");
        assert_eq!(found(&t, Method::GET, "/CAF%C3%89").unwrap(), "GET /caf%C3%A9");
        assert_eq!(found(&t, Method::GET, "/Café").unwrap(), "GET /caf%C3%A9");
        let RouteMatch::Found(r) = t.find(&Method::GET, "/Users/Ab%20C/POSTS/") else { panic!() };
        assert_eq!(r.route_params("/Users/Ab%20C/POSTS/"), vec![("id".to_string(), "Ab C".to_string())]);
    }

    #[test]
    fn head_uses_get_unless_mapped_and_405_lists_every_method() {
        let mut t = RouteTable::default();
        t.add("GET,PUT", "/items/{id}", noop()).unwrap();
        t.add("GET", "/own", noop()).unwrap();
        t.add("HEAD", "/own", noop()).unwrap();
        t.add("GET", "/users/me", noop()).unwrap();
        t.add("DELETE", "/users/{id}", noop()).unwrap();
        t.add("POST", "/post-only", noop()).unwrap();
        assert_eq!(found(&t, Method::HEAD, "/items/1").unwrap(), "GET,PUT /items/{id}");
        assert_eq!(found(&t, Method::HEAD, "/own").unwrap(), "HEAD /own");
        assert_eq!(found(&t, Method::DELETE, "/items/1"), Err("GET, HEAD, PUT".into()));
        assert_eq!(found(&t, Method::GET, "/own/").unwrap(), "GET /own");
        assert_eq!(found(&t, Method::POST, "/own"), Err("GET, HEAD".into()));
        // A less literal route of the same path takes the verbs the literal one lacks.
        assert_eq!(found(&t, Method::DELETE, "/users/me").unwrap(), "DELETE /users/{id}");
        assert_eq!(found(&t, Method::POST, "/users/me"), Err("GET, HEAD, DELETE".into()));
        assert_eq!(found(&t, Method::HEAD, "/post-only"), Err("POST".into()));
    }
}
