//! How much the server takes from a client before it refuses: the bounds
//! that keep a slow, greedy or broken client from holding the server's
//! connections or memory for ever.

use std::time::Duration;

/// The server's bounds on what a client may send and hold. Each refusal
/// they cause is answered as every other error is (`{code, message}`).
#[derive(Debug, Clone)]
pub struct Limits {
    /// The most bytes a request's head (its request line and headers) may
    /// take; beyond, `431 headers_too_large`.
    pub head_bytes: usize,
    /// The most headers a request may carry; beyond, `431 headers_too_large`.
    pub headers: usize,
    /// The time a client has to send a whole request head; after it,
    /// `408 request_timeout` (a connection that sent nothing is closed).
    pub head_timeout: Duration,
    /// The longest a request body may pause between two pieces; after it,
    /// `408 request_timeout`.
    pub body_idle: Duration,
    /// Connections served at once; beyond, `503 server_busy`.
    pub connections: usize,
    /// Uploads read at once: each streams to disk, so this bounds their
    /// memory. Others wait up to [`Limits::body_idle`], then get `503 server_busy`.
    pub uploads: usize,
}

impl Default for Limits {
    /// Bounds in the spirit of nginx's defaults (32 KiB of headers, a
    /// minute for a body to go on), with a stricter head timeout.
    fn default() -> Limits {
        Limits {
            head_bytes: 32 * 1024,
            headers: 100,
            head_timeout: Duration::from_secs(30),
            body_idle: Duration::from_secs(60),
            connections: 512,
            uploads: 4,
        }
    }
}
