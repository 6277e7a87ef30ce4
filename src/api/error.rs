//! Errors as HTTP responses: the engine's `{code, message, ...}` with the
//! status [`Error::http_status`] gives, plus the server's own refusals.

use crate::error::Error;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An error a handler answers with.
#[derive(Debug)]
pub enum ApiError {
    /// An engine error, as the engine serializes it.
    Engine(Error),
    /// The server's own refusal: status, code and message.
    Refused(StatusCode, &'static str, String),
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::Engine(e)
    }
}

impl ApiError {
    /// A request the server refuses with `status`, a stable `code` and a message.
    pub fn refused(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Refused(status, code, message.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Engine(e) => {
                let status = StatusCode::from_u16(e.http_status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, Json(&e)).into_response()
            }
            ApiError::Refused(status, code, message) => (
                status,
                Json(serde_json::json!({ "code": code, "message": message })),
            )
                .into_response(),
        }
    }
}
