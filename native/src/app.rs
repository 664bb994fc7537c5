//! The actix `App` of a running server: middleware (request log + JSON errors, request header
//! limits, session lock and cookie policy, actix-session) around one service that routes with the
//! engine's own [`RouteTable`] (ASP.NET Core's matching: see [`routes`](crate::routes)): the route's
//! dispatch, 405 JSON with `Allow` for a known path with another verb, or 404 JSON.
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Condition, Next};
use actix_web::{web, App, FromRequest as _, HttpRequest, HttpResponse};

use crate::dispatch::Dispatcher;
use crate::error::Error;
use crate::errors_json::{error_response, JsonError};
use crate::logging::{self, LogLevel};
use crate::routes::{RouteMatch, RouteTable};
use crate::session::{self, SessionOptions, SessionRuntime};
use crate::threads::ThreadTracker;

/// Request header limits (Kestrel's `MaxRequestHeaderCount` and `MaxRequestHeadersTotalSize`);
/// a request over either gets 431 JSON before routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeaderLimits {
    /// Most headers (default 96, the most actix-http's HTTP/1 parser takes; Kestrel's is 100).
    pub(crate) max_count: usize,
    /// Most bytes of header names and values together (default 32 KiB, Kestrel's).
    pub(crate) max_total_bytes: usize,
}

impl Default for HeaderLimits {
    fn default() -> Self {
        HeaderLimits { max_count: crate::listener::H1_PARSER_MAX_HEADERS, max_total_bytes: 32 * 1024 }
    }
}

impl HeaderLimits {
    /// These limits with `max_count` (1..=96) and / or `max_total_bytes` (1 KiB..=128 KiB) replaced.
    pub(crate) fn with(self, max_count: Option<u32>, max_total_bytes: Option<u32>) -> crate::Result<HeaderLimits> {
        let mut limits = self;
        if let Some(n) = max_count {
            let max = crate::listener::H1_PARSER_MAX_HEADERS as u32;
            if !(1..=max).contains(&n) {
                return Err(Error::invalid_argument(format!("request header count limit {n} is not in 1..={max}")));
            }
            limits.max_count = n as usize;
        }
        if let Some(n) = max_total_bytes {
            let max = crate::listener::H1_PARSER_MAX_HEAD_BYTES as u32;
            if !(1024..=max).contains(&n) {
                return Err(Error::invalid_argument(format!(
                    "request header size limit {n} is not in 1024..={max} bytes"
                )));
            }
            limits.max_total_bytes = n as usize;
        }
        Ok(limits)
    }

    /// 431 JSON when `req`'s headers are over a limit.
    fn check(&self, req: &ServiceRequest) -> Option<HttpResponse> {
        let headers = req.headers();
        let count = headers.len();
        if count > self.max_count {
            return Some(error_response(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                &format!("The request has {count} headers; the limit is {}", self.max_count),
            ));
        }
        let total: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
        if total > self.max_total_bytes {
            return Some(error_response(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                &format!("The request headers total {total} bytes; the limit is {} bytes", self.max_total_bytes),
            ));
        }
        None
    }
}

/// Everything a worker needs to build the app.
#[derive(Clone)]
pub(crate) struct AppParts {
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) routes: Arc<RouteTable>,
    pub(crate) tracker: Arc<ThreadTracker>,
    /// Used (disabled) when the server has no sessions: `Condition` needs a middleware either way.
    pub(crate) no_sessions: Arc<SessionRuntime>,
    pub(crate) header_limits: HeaderLimits,
}

impl AppParts {
    pub(crate) fn new(
        dispatcher: Arc<Dispatcher>,
        routes: Arc<RouteTable>,
        tracker: Arc<ThreadTracker>,
        header_limits: HeaderLimits,
    ) -> Self {
        let no_sessions = Arc::new(SessionRuntime::new(SessionOptions { max_sessions: 1, ..Default::default() }, None));
        AppParts { dispatcher, routes, tracker, no_sessions, header_limits }
    }
}

fn not_found(req: &HttpRequest) -> HttpResponse {
    error_response(StatusCode::NOT_FOUND, &format!("No route matches {} {}", req.method(), req.path()))
}

fn method_not_allowed(req: &HttpRequest, allow: &str) -> HttpResponse {
    let mut resp = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method {} is not allowed for {}; allowed: {allow}", req.method(), req.path()),
    );
    if let Ok(v) = HeaderValue::from_str(allow) {
        resp.headers_mut().insert(ALLOW, v);
    }
    resp
}

/// Outermost middleware: a Debug line per request (`GET /path 200 0.35ms`) and JSON for errors that
/// escape the inner services.
async fn log_requests<B: MessageBody + 'static>(
    server_name: Arc<str>,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Nothing (not even the clock) when the request line would not be written.
    let line = logging::enabled(LogLevel::Debug).then(|| (format!("{} {}", req.method(), req.path()), Instant::now()));
    match next.call(req).await {
        Ok(res) => {
            if let Some((line, start)) = line {
                let ms = start.elapsed().as_secs_f64() * 1000.0;
                logging::debug(&format!("{line} {} {ms:.2}ms", res.status().as_u16()));
            }
            Ok(res.map_into_boxed_body())
        }
        Err(e) => {
            let status = e.as_response_error().status_code();
            logging::error(&format!("[{server_name}] request failed: {status} {e}"));
            Err(JsonError { status, message: e.to_string() }.into())
        }
    }
}

/// Builds the app (called once per worker thread, which registers itself with the tracker).
pub(crate) fn build(
    parts: &AppParts,
) -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    parts.tracker.register_current_thread();
    let sessions = parts.dispatcher.sessions.clone();
    let session_mw = sessions.as_ref().unwrap_or(&parts.no_sessions).middleware();
    let outer_rt = sessions.clone();
    let name: Arc<str> = Arc::from(parts.dispatcher.server_name.as_str());
    let limits = parts.header_limits;
    let (routes, dispatcher) = (parts.routes.clone(), parts.dispatcher.clone());
    App::new()
        .wrap(Condition::new(sessions.is_some(), session_mw))
        .wrap(from_fn(move |req, next| session::outer_middleware(outer_rt.clone(), req, next)))
        .wrap(from_fn(move |mut req: ServiceRequest, next: Next<_>| async move {
            match limits.check(&req) {
                Some(resp) => {
                    let mut payload = actix_web::HttpMessage::take_payload(&mut req);
                    drain_small_body(req.headers(), &mut payload).await;
                    Ok(req.into_response(resp))
                }
                None => next.call(req).await.map(ServiceResponse::map_into_boxed_body),
            }
        }))
        .wrap(from_fn(move |req, next| log_requests(name.clone(), req, next)))
        .default_service(fn_service(move |req: ServiceRequest| route(routes.clone(), dispatcher.clone(), req)))
}

/// Reads and drops what is left of a small request body (at most 64 KiB more, for at most 1 s)
/// before an answer that does not use it (404, 405, 413, 431). Over HTTP/2, an answer that ends while
/// the request body is still coming is followed by RST_STREAM(NO_ERROR) (RFC 9113 §8.1), which curl
/// 7.88 reports as a failed request (exit 92) instead of the answer; waiting for a small body avoids
/// that. A larger body (by its `Content-Length`) is left unread: the reset is what stops it.
pub(crate) async fn drain_small_body<S, E>(headers: &actix_web::http::header::HeaderMap, payload: &mut S)
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, E>> + Unpin,
{
    use futures_util::StreamExt as _;
    const MAX: usize = 64 * 1024;
    let declared = headers
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX as u64) {
        return;
    }
    let drain = async {
        let mut read = 0;
        while let Some(Ok(chunk)) = payload.next().await {
            read += chunk.len();
            if read > MAX {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), drain).await;
}

/// Routes a request: the matched route's dispatch, else 405 / 404 JSON.
async fn route(
    routes: Arc<RouteTable>,
    dispatcher: Arc<Dispatcher>,
    req: ServiceRequest,
) -> Result<ServiceResponse, actix_web::Error> {
    let early = match routes.find(req.method(), req.path()) {
        RouteMatch::Found(entry) => Ok(entry.clone()),
        RouteMatch::MethodNotAllowed(allow) => Err(method_not_allowed(req.request(), &allow)),
        RouteMatch::NotFound => Err(not_found(req.request())),
    };
    let (req, mut payload) = req.into_parts();
    let entry = match early {
        Ok(entry) => entry,
        Err(resp) => {
            drain_small_body(req.headers(), &mut payload).await;
            return Ok(ServiceResponse::new(req, resp));
        }
    };
    let body = web::Payload::from_request(&req, &mut payload).await?;
    let resp = dispatcher.dispatch(req.clone(), body, entry).await;
    Ok(ServiceResponse::new(req, resp))
}
