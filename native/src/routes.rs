//! Routes: verbs + pattern → [`RouteHandler`].
//!
//! - Verbs: comma-separated, case-insensitive (`"GET"`, `"get,post"`), `"*"` = any method.
//! - Pattern: `/a/{id}/b`: literal segments and `{name}` parameters (one whole segment each,
//!   name = letters, digits, `_`).
//! - Routes are grouped by pattern *shape* (parameter names aside), one actix resource per group,
//!   so an unknown path gets 404 and a known path with the wrong verb gets 405 with `Allow`.
//!   Adding a route whose shape and verbs overlap an existing one is `InvalidArgument`.
//! - More literal patterns win over parameters: `/users/me` is tried before `/users/{id}`.
use std::fmt;
use std::sync::Arc;

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
        for seg in pattern[1..].split('/') {
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
                segments.push(Segment::Literal(seg.to_string()));
            }
        }
        Ok(RoutePattern { text: pattern.to_string(), segments })
    }

    /// The shape: literals kept, parameters numbered (`/a/{p0}`), which is also the actix pattern.
    pub(crate) fn shape(&self) -> String {
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
    pub(crate) handler: Arc<dyn RouteHandler>,
}

/// Routes sharing a pattern shape (one actix resource).
#[derive(Clone)]
pub(crate) struct RouteGroup {
    pub(crate) shape: String,
    specificity: Vec<u8>,
    pub(crate) routes: Vec<Arc<RouteEntry>>,
}

impl RouteGroup {
    /// The `Allow` header value (empty if some route takes any method).
    pub(crate) fn allow(&self) -> Option<String> {
        let mut methods: Vec<String> = Vec::new();
        for r in &self.routes {
            match &r.verbs {
                Verbs::Any => return None,
                Verbs::Methods(ms) => {
                    for m in ms {
                        if !methods.iter().any(|x| x == m.as_str()) {
                            methods.push(m.as_str().to_string());
                        }
                    }
                }
            }
        }
        Some(methods.join(", "))
    }
}

/// All routes of a server.
#[derive(Default, Clone)]
pub(crate) struct RouteTable {
    groups: Vec<RouteGroup>,
}

impl RouteTable {
    pub(crate) fn add(&mut self, verbs: &str, pattern: &str, handler: Arc<dyn RouteHandler>) -> Result<()> {
        let verbs = Verbs::parse(verbs)?;
        let pattern = RoutePattern::parse(pattern)?;
        let shape = pattern.shape();
        let entry =
            Arc::new(RouteEntry { verbs, pattern: pattern.text.clone(), param_names: pattern.param_names(), handler });
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
                self.groups.push(RouteGroup { shape, specificity, routes: vec![entry] });
                self.groups.sort_by(|a, b| a.specificity.cmp(&b.specificity));
            }
        }
        Ok(())
    }

    pub(crate) fn groups(&self) -> &[RouteGroup] {
        &self.groups
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
        assert_eq!(t.groups()[2].allow().unwrap(), "GET, POST");
        assert_eq!(t.groups()[0].allow(), None);
    }
}
