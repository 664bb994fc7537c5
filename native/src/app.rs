//! The actix `App` of a running server: middleware (request log + JSON errors, session lock and
//! cookie policy, actix-session), one resource per route group (405 JSON with `Allow` for a wrong
//! verb) and a 404 JSON default service.
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Condition, Next};
use actix_web::{guard, web, App, HttpRequest, HttpResponse};

use crate::dispatch::Dispatcher;
use crate::errors_json::{error_response, JsonError};
use crate::logging::{self, LogLevel};
use crate::routes::{RouteTable, Verbs};
use crate::session::{self, SessionOptions, SessionRuntime};
use crate::threads::ThreadTracker;

/// Everything a worker needs to build the app.
#[derive(Clone)]
pub(crate) struct AppParts {
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) routes: Arc<RouteTable>,
    pub(crate) tracker: Arc<ThreadTracker>,
    /// Used (disabled) when the server has no sessions: `Condition` needs a middleware either way.
    pub(crate) no_sessions: Arc<SessionRuntime>,
}

impl AppParts {
    pub(crate) fn new(dispatcher: Arc<Dispatcher>, routes: Arc<RouteTable>, tracker: Arc<ThreadTracker>) -> Self {
        let no_sessions = Arc::new(SessionRuntime::new(SessionOptions { max_sessions: 1, ..Default::default() }, None));
        AppParts { dispatcher, routes, tracker, no_sessions }
    }
}

async fn not_found(req: HttpRequest) -> HttpResponse {
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
    let lock_wait = parts.dispatcher.pool.wait();
    let name: Arc<str> = Arc::from(parts.dispatcher.server_name.as_str());
    let mut app = App::new()
        .wrap(Condition::new(sessions.is_some(), session_mw))
        .wrap(from_fn(move |req, next| session::outer_middleware(outer_rt.clone(), lock_wait, req, next)))
        .wrap(from_fn(move |req, next| log_requests(name.clone(), req, next)))
        .default_service(web::to(not_found));
    for group in parts.routes.groups() {
        let mut resource = web::resource(group.shape.clone());
        for entry in &group.routes {
            let route = match &entry.verbs {
                Verbs::Any => web::route(),
                Verbs::Methods(_) => {
                    let e = entry.clone();
                    web::route().guard(guard::fn_guard(move |ctx| e.verbs.matches(&ctx.head().method)))
                }
            };
            let dispatcher = parts.dispatcher.clone();
            let e = entry.clone();
            resource = resource.route(route.to(move |req: HttpRequest, payload: web::Payload| {
                dispatcher.clone().dispatch(req, payload, e.clone())
            }));
        }
        if let Some(allow) = group.allow() {
            resource = resource.default_service(web::to(move |req: HttpRequest| {
                let resp = method_not_allowed(&req, &allow);
                async move { resp }
            }));
        }
        app = app.service(resource);
    }
    app
}
