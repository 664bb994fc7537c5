//! [`ResponseData`]: the response a route callback builds (status, content type, body, headers,
//! cookies as [`CookieSpec`]s), and its conversion into an actix response.
use actix_web::cookie::{time::Duration as CookieDuration, Cookie};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::error::{Error, Result};
use crate::session::SameSite;

/// A cookie to add to the response (`Set-Cookie`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSpec {
    /// Cookie name (an HTTP token).
    pub name: String,
    /// Cookie value (percent-encoded on the wire when needed).
    pub value: String,
    /// `Path` attribute.
    pub path: Option<String>,
    /// `Domain` attribute.
    pub domain: Option<String>,
    /// `Max-Age` in seconds; negative → a browser-session cookie (no `Max-Age`).
    pub max_age_seconds: i64,
    /// `HttpOnly` attribute.
    pub http_only: bool,
    /// `Secure` attribute.
    pub secure: bool,
    /// `SameSite` attribute ([`SameSite::Unspecified`] omits it).
    pub same_site: SameSite,
}

impl CookieSpec {
    /// A session cookie `name=value` without attributes.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        CookieSpec {
            name: name.into(),
            value: value.into(),
            path: None,
            domain: None,
            max_age_seconds: -1,
            http_only: false,
            secure: false,
            same_site: SameSite::Unspecified,
        }
    }
}

/// The response of a route: default `200`, no content type, empty body.
#[derive(Debug, Clone)]
pub struct ResponseData {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
    headers: Vec<(HeaderName, HeaderValue)>,
    cookies: Vec<String>,
}

impl Default for ResponseData {
    fn default() -> Self {
        ResponseData { status: 200, content_type: None, body: Vec::new(), headers: Vec::new(), cookies: Vec::new() }
    }
}

/// Adds `; charset=utf-8` to text-like content types (`text/*`, `application/json`,
/// `application/xml`, `application/javascript`) that have no charset parameter.
pub fn normalize_content_type(content_type: &str) -> String {
    let trimmed = content_type.trim();
    let essence = trimmed.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let text_like = essence.starts_with("text/")
        || matches!(essence.as_str(), "application/json" | "application/xml" | "application/javascript");
    let has_charset = trimmed.split(';').skip(1).any(|p| p.trim().to_ascii_lowercase().starts_with("charset="));
    if text_like && !has_charset {
        format!("{trimmed}; charset=utf-8")
    } else {
        trimmed.to_string()
    }
}

impl ResponseData {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The content type, if one was set (already normalized).
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Extra headers added so far.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// Sets the status: 100..=999, else `InvalidArgument`.
    pub fn set_status(&mut self, status: u16) -> Result<()> {
        if !(100..=999).contains(&status) {
            return Err(Error::invalid_argument(format!("status {status} is not in 100..=999")));
        }
        self.status = status;
        Ok(())
    }

    /// Sets the content type (validated as a header value, normalized with
    /// [`normalize_content_type`]).
    pub fn set_content_type(&mut self, content_type: &str) -> Result<()> {
        if content_type.trim().is_empty() {
            return Err(Error::invalid_argument("content type is empty"));
        }
        let normalized = normalize_content_type(content_type);
        HeaderValue::from_str(&normalized)
            .map_err(|_| Error::invalid_argument(format!("invalid content type {content_type:?}")))?;
        self.content_type = Some(normalized);
        Ok(())
    }

    /// Sets the body bytes.
    pub fn set_body(&mut self, body: impl Into<Vec<u8>>) {
        self.body = body.into();
    }

    /// Sets a UTF-8 text body; the content type becomes `text/plain; charset=utf-8` unless one
    /// was set.
    pub fn set_body_text(&mut self, text: &str) {
        self.body = text.as_bytes().to_vec();
        if self.content_type.is_none() {
            self.content_type = Some("text/plain; charset=utf-8".to_string());
        }
    }

    /// Status, content type (when `Some`) and body in one call. Nothing changes on error.
    pub fn write(&mut self, status: u16, content_type: Option<&str>, body: &[u8]) -> Result<()> {
        let mut next = self.clone_head();
        next.set_status(status)?;
        if let Some(ct) = content_type {
            next.set_content_type(ct)?;
        }
        self.status = next.status;
        self.content_type = next.content_type;
        self.body = body.to_vec();
        Ok(())
    }

    fn clone_head(&self) -> ResponseData {
        ResponseData { status: self.status, content_type: self.content_type.clone(), ..Default::default() }
    }

    /// Adds a header. The name must be a valid header name and the value a valid header value;
    /// `Content-Length`, `Transfer-Encoding` and `Connection` are managed by the server and rejected.
    /// `Content-Type` sets the content type.
    pub fn add_header(&mut self, name: &str, value: &str) -> Result<()> {
        let header_name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| Error::invalid_argument(format!("invalid header name {name:?}")))?;
        if header_name == header::CONTENT_TYPE {
            return self.set_content_type(value);
        }
        if header_name == header::CONTENT_LENGTH
            || header_name == header::TRANSFER_ENCODING
            || header_name == header::CONNECTION
        {
            return Err(Error::invalid_argument(format!("header {name:?} is managed by the server")));
        }
        let header_value = HeaderValue::from_str(value)
            .map_err(|_| Error::invalid_argument(format!("invalid value for header {name:?}")))?;
        self.headers.push((header_name, header_value));
        Ok(())
    }

    /// Adds a `Set-Cookie` for `cookie` (name must be a token; the value is percent-encoded when needed).
    pub fn add_cookie(&mut self, spec: &CookieSpec) -> Result<()> {
        if spec.name.is_empty() || !spec.name.bytes().all(is_token_byte) {
            return Err(Error::invalid_argument(format!("invalid cookie name {:?}", spec.name)));
        }
        let mut cookie = Cookie::new(spec.name.clone(), spec.value.clone());
        if let Some(path) = &spec.path {
            if path.bytes().any(|b| b == b';' || b.is_ascii_control()) {
                return Err(Error::invalid_argument(format!("invalid cookie path {path:?}")));
            }
            cookie.set_path(path.clone());
        }
        if let Some(domain) = &spec.domain {
            if domain.bytes().any(|b| b == b';' || b.is_ascii_control() || b == b' ') {
                return Err(Error::invalid_argument(format!("invalid cookie domain {domain:?}")));
            }
            cookie.set_domain(domain.clone());
        }
        if spec.max_age_seconds >= 0 {
            cookie.set_max_age(CookieDuration::seconds(spec.max_age_seconds));
        }
        if spec.http_only {
            cookie.set_http_only(true);
        }
        cookie.set_secure(spec.secure);
        match spec.same_site.to_cookie() {
            Some(s) => cookie.set_same_site(s),
            None => cookie.set_same_site(None),
        }
        let text = cookie.encoded().to_string();
        HeaderValue::from_str(&text).map_err(|_| Error::invalid_argument("cookie is not a valid header value"))?;
        self.cookies.push(text);
        Ok(())
    }

    /// The actix response for this data.
    pub(crate) fn into_http_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut builder = HttpResponse::build(status);
        if let Some(ct) = &self.content_type {
            if let Ok(v) = HeaderValue::from_str(ct) {
                builder.insert_header((header::CONTENT_TYPE, v));
            }
        }
        for (name, value) in self.headers {
            builder.append_header((name, value));
        }
        for cookie in self.cookies {
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                builder.append_header((header::SET_COOKIE, v));
            }
        }
        builder.body(self.body)
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl SameSite {
    pub(crate) fn to_cookie(self) -> Option<actix_web::cookie::SameSite> {
        match self {
            SameSite::Lax => Some(actix_web::cookie::SameSite::Lax),
            SameSite::Strict => Some(actix_web::cookie::SameSite::Strict),
            SameSite::None => Some(actix_web::cookie::SameSite::None),
            SameSite::Unspecified => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_rules() {
        for (given, expected) in [
            ("text/html", "text/html; charset=utf-8"),
            ("application/json", "application/json; charset=utf-8"),
            ("Application/XML", "Application/XML; charset=utf-8"),
            ("application/javascript", "application/javascript; charset=utf-8"),
            ("text/plain; charset=latin1", "text/plain; charset=latin1"),
            ("image/png", "image/png"),
            ("application/octet-stream", "application/octet-stream"),
        ] {
            assert_eq!(normalize_content_type(given), expected);
        }
    }

    #[test]
    fn status_and_headers_validated() {
        let mut r = ResponseData::default();
        assert_eq!(r.status(), 200);
        assert!(r.set_status(99).is_err());
        assert!(r.set_status(1000).is_err());
        r.set_status(418).unwrap();
        assert!(r.add_header("bad name", "x").is_err());
        assert!(r.add_header("x-ok", "line\nbreak").is_err());
        assert!(r.add_header("content-length", "3").is_err());
        r.add_header("X-Ok", "yes").unwrap();
        r.add_header("content-type", "text/csv").unwrap();
        assert_eq!(r.content_type(), Some("text/csv; charset=utf-8"));
        assert!(r.write(42, None, b"x").is_err());
        assert_eq!(r.status(), 418);
    }

    #[test]
    fn cookies() {
        let mut r = ResponseData::default();
        let c = CookieSpec {
            path: Some("/p".into()),
            max_age_seconds: 60,
            http_only: true,
            secure: true,
            same_site: SameSite::Strict,
            ..CookieSpec::new("a", "b c")
        };
        r.add_cookie(&c).unwrap();
        let s = &r.cookies[0];
        assert!(s.starts_with("a=b%20c"), "{s}");
        assert!(
            s.contains("Path=/p")
                && s.contains("Max-Age=60")
                && s.contains("HttpOnly")
                && s.contains("Secure")
                && s.contains("SameSite=Strict"),
            "{s}"
        );
        assert!(r.add_cookie(&CookieSpec::new("bad name", "x")).is_err());
    }
}
