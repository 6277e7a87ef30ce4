//! Errors as HTTP responses: the engine's `{code, message, ...}` with the
//! status [`Error::http_status`] gives, plus the server's own refusals, and
//! [`in_our_words`], which says axum's refusals the same way.

use super::Limits;
use crate::error::Error;
use axum::body::{Body, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

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
                [(header::CONTENT_TYPE, "application/json")],
                refusal_body(code, &message),
            )
                .into_response(),
        }
    }
}

/// The body of every refusal: `{"code": ..., "message": ...}`.
pub fn refusal_body(code: &str, message: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "code": code, "message": message })).unwrap_or_default()
}

/// The code and the words for a refusal the HTTP layer or axum made on
/// its own, by its status.
fn said_for(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("bad_request", "the request is not valid"),
        StatusCode::NOT_FOUND => ("no_route", "there is no such page"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this route does not take this method (the Allow header lists those it takes)",
        ),
        StatusCode::REQUEST_TIMEOUT => ("request_timeout", "the request took too long to arrive"),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            "the request's body is larger than this route takes",
        ),
        StatusCode::URI_TOO_LONG => ("uri_too_long", "the request's address is too long"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "the request's body is not of a type this route takes",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid", "the request's content is not valid"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            ("headers_too_large", "the request's headers are too large")
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            ("server_busy", "the server is busy; try again in a moment")
        }
        s if s.is_server_error() => ("internal", "the server failed to answer"),
        _ => ("refused", "the request was refused"),
    }
}

/// Says every refusal as the API's own errors are said. Axum's refusals
/// (a method a route does not take, a body over its limit, a query that
/// does not parse) come as plain text or with no body: they become
/// `{code, message}` with their status and their headers (such as 405's
/// `Allow`). A request body that pauses for longer than
/// [`Limits::body_idle`] is cut off and answered `408 request_timeout`.
pub async fn in_our_words(State(limits): State<Arc<Limits>>, req: Request, next: Next) -> Response {
    let paused = Arc::new(AtomicBool::new(false));
    let req = if req.body().size_hint().exact() == Some(0) {
        req
    } else {
        req.map(|body| idle_limited(body, limits.body_idle, paused.clone()))
    };
    let response = next.run(req).await;
    if paused.load(Ordering::Relaxed) {
        let message = format!(
            "the request's body paused for more than {} s",
            limits.body_idle.as_secs()
        );
        return ApiError::refused(StatusCode::REQUEST_TIMEOUT, "request_timeout", message)
            .into_response();
    }
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let said = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let said = String::from_utf8_lossy(&said);
    let (code, words) = said_for(status);
    let message = match said.trim() {
        "" => words.to_string(),
        said => format!("{words} ({said})"),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(refusal_body(code, &message)))
}

/// `body`, cut off with an error (and `paused` set) when its next piece
/// takes longer than `idle` to arrive.
fn idle_limited(body: Body, idle: Duration, paused: Arc<AtomicBool>) -> Body {
    let pieces = body.into_data_stream();
    Body::from_stream(futures_util::stream::unfold(Some(pieces), move |pieces| {
        let paused = paused.clone();
        async move {
            let mut pieces = pieces?;
            match tokio::time::timeout(idle, pieces.next()).await {
                Ok(Some(piece)) => Some((piece, Some(pieces))),
                Ok(None) => None,
                Err(_) => {
                    paused.store(true, Ordering::Relaxed);
                    let why = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request's body paused for too long",
                    );
                    Some((Err(axum::Error::new(why)), None))
                }
            }
        }
    }))
}
