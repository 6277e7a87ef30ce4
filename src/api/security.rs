//! What keeps a local server local.
//!
//! A web page in any browser tab can send requests to `127.0.0.1`, and a
//! DNS name can be pointed at it (DNS rebinding). So every request must
//! name this server in its `Host` header, and a request that carries an
//! `Origin` must come from this server's own pages. A server bound to a
//! non-loopback address also wants a token: given once in the URL it
//! prints (`?token=...`), then kept in a same-site cookie. Every response
//! carries a strict Content-Security-Policy.

use super::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The policy every response carries: only this server's own scripts,
/// styles, images and connections; no frames, plugins or foreign forms.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The headers every response carries, the policy first: the guard sets
/// them on what the application answers, and the connection layer on the
/// refusals it writes itself.
pub const HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// The cookie that carries the token after the first visit.
const TOKEN_COOKIE: &str = "concord_token";

/// Who may talk to the server.
#[derive(Debug, Clone)]
pub struct Guard {
    /// `Host` values that name this server (`127.0.0.1:7878`, `localhost:7878`, ...).
    hosts: Vec<String>,
    /// The token required when the server is reachable from other machines.
    token: Option<String>,
}

impl Guard {
    /// The guard for a server listening on `addr`, with `token` required
    /// (when bound beyond loopback).
    pub fn new(addr: SocketAddr, token: Option<String>) -> Guard {
        let port = addr.port();
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        if !addr.ip().is_loopback() && !addr.ip().is_unspecified() {
            hosts.push(addr.to_string());
        }
        Guard { hosts, token }
    }

    /// Also accepts `host` (`name:port`) as this server's name, for a server
    /// bound to all interfaces and reached by a machine name.
    pub fn allow_host(&mut self, host: String) {
        self.hosts.push(host);
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|host| self.host_allowed(host))
    }
}

/// Checks `Host`, `Origin` and the token, and sets the security headers.
pub async fn guard(State(g): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !g.host_allowed(host) {
        return forbidden(
            "forbidden_host",
            format!("this server does not answer to the host '{host}'"),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !g.origin_allowed(origin) {
            return forbidden(
                "forbidden_origin",
                format!("requests from '{origin}' are refused: only this server's own pages may call it"),
            );
        }
    }
    let mut set_cookie = None;
    if let Some(token) = &g.token {
        let given = query_token(req.uri().query());
        let cookie = cookie_token(headers);
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "));
        let ok = [given.as_deref(), cookie.as_deref(), bearer]
            .into_iter()
            .flatten()
            .any(|t| constant_time_eq(t.as_bytes(), token.as_bytes()));
        if !ok {
            return forbidden(
                "token_required",
                "this server needs the token it printed when it started: open the URL it showed"
                    .into(),
            );
        }
        if given.is_some() {
            set_cookie = Some(format!(
                "{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
            ));
        }
    }
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    for (name, value) in HEADERS {
        h.insert(name, HeaderValue::from_static(value));
    }
    if let Some(c) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::SET_COOKIE, c);
    }
    response
}

fn forbidden(code: &'static str, message: String) -> Response {
    let mut r = ApiError::refused(StatusCode::FORBIDDEN, code, message).into_response();
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    r
}

fn query_token(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix("token="))
        .map(str::to_string)
}

fn cookie_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            kv.trim()
                .strip_prefix(&format!("{TOKEN_COOKIE}="))
                .map(str::to_string)
        })
}

/// Compares two secrets without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new random token: 32 hex digits from the OS's randomness (through
/// BLAKE3 of fresh bytes read from `/dev/urandom`, or of the time and
/// process where that is missing).
pub fn new_token() -> String {
    let mut seed = [0u8; 32];
    let read = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut seed));
    if read.is_err() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        seed[..16].copy_from_slice(&now.to_le_bytes());
        seed[16..20].copy_from_slice(&std::process::id().to_le_bytes());
    }
    blake3::hash(&seed).to_hex()[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_origins_must_name_this_server() {
        let g = Guard::new("127.0.0.1:7878".parse().unwrap(), None);
        assert!(g.host_allowed("127.0.0.1:7878"));
        assert!(g.host_allowed("LOCALHOST:7878"));
        assert!(!g.host_allowed("evil.example:7878"));
        assert!(!g.host_allowed("127.0.0.1:9999"));
        assert!(g.origin_allowed("http://localhost:7878"));
        assert!(!g.origin_allowed("http://evil.example"));
        assert!(!g.origin_allowed("null"));
        assert_eq!(query_token(Some("a=1&token=xyz")), Some("xyz".into()));
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
        assert_eq!(new_token().len(), 32);
        assert_ne!(new_token(), new_token());
    }
}
