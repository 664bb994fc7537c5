//! The JSON error responses the engine produces:
//! `{"status":404,"error":"Not Found","message":"No route matches GET /x"}` with
//! `Content-Type: application/json; charset=utf-8`.
use std::fmt;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// The JSON body text for `status` and `message`.
pub fn error_body(status: StatusCode, message: &str) -> String {
    serde_json::json!({
        "status": status.as_u16(),
        "error": status.canonical_reason().unwrap_or("Error"),
        "message": message,
    })
    .to_string()
}

/// A JSON error response.
pub fn error_response(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8")))
        .body(error_body(status, message))
}

/// An actix error that renders as a JSON error response.
#[derive(Debug)]
pub(crate) struct JsonError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl ResponseError for JsonError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        error_response(self.status, &self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_shape() {
        let v: serde_json::Value =
            serde_json::from_str(&error_body(StatusCode::NOT_FOUND, "No route matches GET /x")).unwrap();
        assert_eq!(v["status"], 404);
        assert_eq!(v["error"], "Not Found");
        assert_eq!(v["message"], "No route matches GET /x");
    }
}
