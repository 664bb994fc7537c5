//! Request dispatch: what runs on an actix worker for a matched route. Reads the body (bounded),
//! copies the request and its session into a `Send`-able [`RequestContext`], waits for a free
//! callback thread, runs the route's callback there and turns the outcome into the response.
//!
//! Two bounds: the wait for a free callback thread (the pool's, → 503) and, for routes that have one,
//! the route's timeout (→ 504 at once; a callback still running is asked to stop through the
//! request's [`CancelToken`], on a thread of its own, and its outcome is discarded).
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use actix_session::SessionExt as _;
use actix_web::http::header::{CONTENT_LENGTH, HOST};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt as _;

use crate::callback_pool::{CallbackPool, Growth, Ticket};
use crate::cancel::CancelToken;
use crate::errors_json::error_response;
use crate::logging;
use crate::panics::panic_message;
use crate::request::RequestContext;
use crate::routes::{RouteEntry, RouteError};
use crate::session::{SessionData, SessionRuntime};

/// Per-run state shared by every route of a server.
pub(crate) struct Dispatcher {
    pub(crate) server_name: String,
    pub(crate) pool: Arc<CallbackPool>,
    pub(crate) max_body: u64,
    pub(crate) sessions: Option<Arc<SessionRuntime>>,
}

/// What a callback job sends back: the handler's result (`Err(panic message)` when it panicked) and
/// the context it worked on.
type Outcome = (std::result::Result<std::result::Result<(), RouteError>, String>, RequestContext);

impl Dispatcher {
    pub(crate) async fn dispatch(
        self: Arc<Self>,
        req: HttpRequest,
        payload: web::Payload,
        entry: Arc<RouteEntry>,
    ) -> HttpResponse {
        let body = match read_body(&req, payload, self.max_body).await {
            Ok(b) => b,
            Err(resp) => return resp,
        };
        let mut ctx = build_context(&req, &entry, body);
        // Only routes with a timeout get a token that can be cancelled (the others carry an inert one).
        let route_deadline = entry.timeout.map(|t| tokio::time::Instant::now() + t);
        let token = entry.timeout.map(|_| CancelToken::new());
        if let Some(token) = &token {
            ctx.cancel = token.clone();
        }
        let session = self.sessions.as_ref().map(|_| {
            let s = req.get_session();
            ctx.session = Some(SessionData::from_actix(&s));
            s
        });

        let (tx, mut rx) = tokio::sync::oneshot::channel::<Outcome>();
        let handler = entry.handler.clone();
        let job = Box::new(move || {
            let mut ctx = ctx;
            let result = catch_unwind(AssertUnwindSafe(|| handler.call(&mut ctx))).map_err(|payload| {
                let message = panic_message(payload.as_ref());
                // Dropping a panic payload can itself panic: never let that out of the callback thread.
                let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
                message
            });
            let _ = tx.send((result, ctx));
        });
        let ticket = match self.pool.submit_deferred(job) {
            Ok(t) => t,
            Err(_) => return error_response(StatusCode::SERVICE_UNAVAILABLE, "The server is stopping"),
        };
        // A job that found an idle (or new) thread starts at once: no timer. Otherwise the wait for a
        // free thread is bounded; a job still queued after it is taken back (503). The route's timeout,
        // if any, bounds the whole.
        let mut queue_deadline = (!ticket.immediate).then(|| tokio::time::Instant::now() + self.pool.wait());
        // No thread was idle: one more may be started for this job if it is still waiting after the
        // pool's grow_after (asked again after each grow_after, up to the maximum; see grow_for).
        let submitted = tokio::time::Instant::now();
        let mut grow_deadline = ticket.may_grow.then(|| submitted + self.pool.grow_after());
        let outcome = loop {
            let grow_wait = async {
                match grow_deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            let queue_wait = async {
                match queue_deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            let route_wait = async {
                match route_deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                outcome = &mut rx => break outcome,
                () = queue_wait => {
                    queue_deadline = None;
                    if self.pool.cancel(ticket) {
                        let msg = format!(
                            "No callback thread became free within the configured wait ({} threads busy)",
                            self.pool.max_threads()
                        );
                        logging::warn(&format!("{}: {msg}", self.log_prefix(&req)));
                        return error_response(StatusCode::SERVICE_UNAVAILABLE, &msg);
                    }
                    // Already running: wait for its outcome (or the route's timeout).
                }
                () = route_wait => {
                    return self.timed_out(&req, ticket, token, entry.timeout.unwrap_or_default());
                }
                () = grow_wait => {
                    grow_deadline = (self.pool.grow_for(ticket, submitted.elapsed()) != Growth::Done)
                        .then(|| tokio::time::Instant::now() + self.pool.grow_after());
                }
            }
        };

        match outcome {
            Err(_) => error_response(StatusCode::SERVICE_UNAVAILABLE, "The server is stopping"),
            Ok((Ok(Ok(())), mut ctx)) => {
                if let (Some(s), Some(data)) = (session, ctx.session.take()) {
                    data.apply_to(&s);
                }
                std::mem::take(&mut ctx.response).into_http_response()
            }
            Ok((Ok(Err(RouteError::Status(code))), _)) => self.failed(
                &req,
                &format!("route callback failed (status {code})"),
                &format!("The route handler failed (status {code})"),
            ),
            Ok((Ok(Err(RouteError::Message(message))), _)) => {
                self.failed(&req, &format!("route handler failed: {message}"), "The route handler failed")
            }
            Ok((Err(msg), _)) => {
                self.failed(&req, &format!("route callback panicked: {msg}"), "The route handler failed (panic)")
            }
        }
    }

    /// The route's timeout elapsed: 504. A job still queued is dropped; a running callback is asked to
    /// stop (its cancel hook runs on a thread of its own, never this async worker) and its outcome is
    /// discarded when it returns.
    fn timed_out(
        &self,
        req: &HttpRequest,
        ticket: Ticket,
        token: Option<CancelToken>,
        timeout: Duration,
    ) -> HttpResponse {
        self.pool.note_timeout();
        let limit = describe_duration(timeout);
        if self.pool.cancel(ticket) {
            logging::warn(&format!("{}: timed out after {limit} waiting for a callback thread", self.log_prefix(req)));
        } else {
            logging::warn(&format!("{}: timed out after {limit}; asking the callback to stop", self.log_prefix(req)));
            if let Some(token) = token {
                self.pool.run_aside(move || token.cancel());
            }
        }
        error_response(
            StatusCode::GATEWAY_TIMEOUT,
            &format!("The route did not complete within its timeout of {limit}"),
        )
    }

    /// A failed route: logs `detail` at `Error` with the server and request, answers 500 with `message`.
    fn failed(&self, req: &HttpRequest, detail: &str, message: &str) -> HttpResponse {
        logging::error(&format!("{}: {detail}", self.log_prefix(req)));
        error_response(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// `[server] METHOD /path`, the start of the lines logged about a request.
    fn log_prefix(&self, req: &HttpRequest) -> String {
        format!("[{}] {} {}", self.server_name, req.method(), req.path())
    }
}

/// `2 s`, `1.5 s`, `250 ms`.
fn describe_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms >= 1000 && ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else if ms >= 1000 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{ms} ms")
    }
}

fn too_large(max: u64) -> HttpResponse {
    error_response(StatusCode::PAYLOAD_TOO_LARGE, &format!("The request body exceeds the limit of {max} bytes"))
}

async fn read_body(req: &HttpRequest, mut payload: web::Payload, max: u64) -> Result<Bytes, HttpResponse> {
    if let Some(len) =
        req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|s| s.trim().parse::<u64>().ok())
    {
        if len > max {
            crate::app::drain_small_body(req.headers(), &mut payload).await;
            return Err(too_large(max));
        }
    }
    let mut buf = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            error_response(StatusCode::BAD_REQUEST, &format!("The request body could not be read: {e}"))
        })?;
        if (buf.len() + chunk.len()) as u64 > max {
            crate::app::drain_small_body(req.headers(), &mut payload).await;
            return Err(too_large(max));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

fn build_context(req: &HttpRequest, entry: &RouteEntry, body: Bytes) -> RequestContext {
    let query_string = req.query_string().to_string();
    let query = form_urlencoded::parse(query_string.as_bytes()).into_owned().collect();
    let route_params = entry.route_params(req.path());
    let secure = req.app_config().secure();
    let host = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_else(|| req.app_config().host().to_string());
    RequestContext {
        method: req.method().as_str().to_string(),
        path: req.path().to_string(),
        query_string,
        query,
        route_params,
        headers: req.headers().clone(),
        cookies: Default::default(),
        body,
        remote_addr: req.peer_addr(),
        scheme: if secure { "https" } else { "http" },
        host,
        response: Default::default(),
        session: None,
        cancel: CancelToken::inert(),
    }
}
