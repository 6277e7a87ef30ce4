//! The server's connections. Each is read here up to the end of its
//! request's head before the HTTP layer (hyper) sees it, so that what that
//! layer would refuse on its own, with an empty body (a head too large or
//! too slow, too many headers, a malformed request line), is answered in
//! the API's words: `{code, message}` as JSON, with the security headers.
//! A client that sends its head slowly is cut off after
//! [`Limits::head_timeout`]; connections beyond [`Limits::connections`]
//! are refused.
//!
//! Each connection serves one request (no keep-alive): that is what lets
//! every request's head pass through here without this module having to
//! follow HTTP's framing of bodies. On 127.0.0.1 a connection costs tens
//! of microseconds; `bench/load.py` measures the server as it is.

use super::error::refusal_body;
use super::security::HEADERS;
use super::{AppState, Limits};
use axum::http::StatusCode;
use axum::Router;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;

/// Serves `app` (made from `state`) on `listener` until `shutdown`
/// completes; then stops the running jobs and waits (up to
/// [`STOP_WAIT`](crate::backend::jobs::STOP_WAIT)) for the requests and
/// jobs in flight to end, so that nothing a client was told is stored is lost.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let limits = Arc::new(state.limits.clone());
    let room = Arc::new(Semaphore::new(limits.connections));
    let tracker = tokio_util::task::TaskTracker::new();
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // A connection that failed before it was accepted, or no
                // descriptors left for the moment: the next may work.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let permit = room.clone().try_acquire_owned();
        let (app, limits, stopping) = (app.clone(), limits.clone(), stopping.clone());
        tracker.spawn(async move {
            match permit {
                Ok(_permit) => serve_one(stream, app, &limits, stopping).await,
                Err(_) => {
                    let message = format!(
                        "the server is serving {} connections already; try again in a moment",
                        limits.connections
                    );
                    refuse(
                        stream,
                        StatusCode::SERVICE_UNAVAILABLE,
                        "server_busy",
                        &message,
                    )
                    .await
                }
            }
        });
    }
    state.workflow.cancel_jobs();
    state.channels.close();
    let _ = stop.send(true);
    tracker.close();
    let _ = tokio::time::timeout(crate::backend::jobs::STOP_WAIT, tracker.wait()).await;
    let workflow = state.workflow;
    let _ = tokio::task::spawn_blocking(move || {
        workflow.wait_for_jobs(crate::backend::jobs::STOP_WAIT)
    })
    .await;
    Ok(())
}

/// Serves the one request of `stream`, or refuses it.
async fn serve_one(
    mut stream: TcpStream,
    app: Router,
    limits: &Limits,
    mut stopping: watch::Receiver<bool>,
) {
    let head = tokio::select! {
        head = read_head(&mut stream, limits) => head,
        _ = stopping.changed() => return,
    };
    let read = match head {
        Head::Read(read) => read,
        Head::Refused(status, code, message) => {
            return refuse(stream, status, code, &message).await
        }
        Head::Gone => return,
    };
    let io = hyper_util::rt::TokioIo::new(Replayed {
        read,
        at: 0,
        stream,
    });
    let service = hyper_util::service::TowerToHyperService::new(app);
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = stopping.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// What came of reading a request's head.
#[derive(Debug)]
enum Head {
    /// The bytes read: the whole head, and perhaps the start of the body.
    Read(Vec<u8>),
    /// A request refused before it reached the HTTP layer.
    Refused(StatusCode, &'static str, String),
    /// The client went away (or never said anything): no one to answer.
    Gone,
}

/// Reads `stream` until its first request's head is whole, within `limits`.
async fn read_head(stream: &mut (impl AsyncRead + Unpin), limits: &Limits) -> Head {
    let deadline = Instant::now() + limits.head_timeout;
    let mut read = Vec::with_capacity(4096);
    loop {
        let mut headers = vec![httparse::EMPTY_HEADER; limits.headers];
        match httparse::Request::new(&mut headers).parse(&read) {
            Ok(httparse::Status::Complete(_)) => return Head::Read(read),
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return Head::Refused(
                    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "headers_too_large",
                    format!("the request has more than {} headers", limits.headers),
                )
            }
            Err(e) => {
                return Head::Refused(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("the request is not valid HTTP/1.1: {e}"),
                )
            }
        }
        if read.len() >= limits.head_bytes {
            return Head::Refused(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers_too_large",
                format!(
                    "the request's line and headers take more than {} bytes",
                    limits.head_bytes
                ),
            );
        }
        let mut more = (&mut *stream).take((limits.head_bytes + 1 - read.len()) as u64);
        match tokio::time::timeout_at(deadline, more.read_buf(&mut read)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Head::Gone,
            Ok(Ok(_)) => {}
            Err(_) if read.is_empty() => return Head::Gone,
            Err(_) => {
                return Head::Refused(
                    StatusCode::REQUEST_TIMEOUT,
                    "request_timeout",
                    format!(
                        "the request's head did not arrive within {} s",
                        limits.head_timeout.as_secs()
                    ),
                )
            }
        }
    }
}

/// Answers `stream` with a refusal, then closes it gently: the client may
/// still be sending, and closing a socket with unread bytes resets it,
/// which can lose the answer before the client reads it.
async fn refuse(mut stream: TcpStream, status: StatusCode, code: &str, message: &str) {
    let _ = stream.write_all(&raw_refusal(status, code, message)).await;
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 8192];
    let mut left = 1 << 20;
    let drain = async {
        while left > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left -= n.min(left),
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
}

/// A whole HTTP/1.1 response refusing a request, as the API's errors are:
/// `{code, message}` with the security headers every response carries.
fn raw_refusal(status: StatusCode, code: &str, message: &str) -> Vec<u8> {
    let body = refusal_body(code, message);
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len(),
    );
    for (name, value) in HEADERS {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&body);
    out
}

/// A connection whose first bytes were already read: they are read again
/// (by the HTTP layer), then the rest of the stream.
struct Replayed {
    read: Vec<u8>,
    at: usize,
    stream: TcpStream,
}

impl AsyncRead for Replayed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.at < this.read.len() {
            let n = (this.read.len() - this.at).min(buf.remaining());
            buf.put_slice(&this.read[this.at..this.at + n]);
            this.at += n;
            if this.at == this.read.len() {
                this.read = Vec::new();
                this.at = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Replayed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits() -> Limits {
        Limits {
            head_bytes: 1024,
            headers: 8,
            head_timeout: Duration::from_millis(300),
            ..Limits::default()
        }
    }

    fn read(bytes: &[u8]) -> Head {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(read_head(&mut &bytes[..], &limits()))
    }

    fn refused(head: Head) -> (u16, &'static str) {
        match head {
            Head::Refused(status, code, _) => (status.as_u16(), code),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn a_whole_head_is_read_with_what_follows_it() {
        let request = b"PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
        match read(request) {
            Head::Read(bytes) => assert_eq!(bytes, request),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn heads_too_large_or_malformed_are_refused_and_silence_is_not_answered() {
        let long = format!("GET /x HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(2000));
        assert_eq!(refused(read(long.as_bytes())), (431, "headers_too_large"));
        let many: String = (0..9).map(|i| format!("X-{i}: v\r\n")).collect();
        let many = format!("GET /x HTTP/1.1\r\n{many}\r\n");
        assert_eq!(refused(read(many.as_bytes())), (431, "headers_too_large"));
        assert_eq!(
            refused(read(b"NOT HTTP AT ALL\r\n\r\n")),
            (400, "bad_request")
        );
        assert!(matches!(read(b""), Head::Gone));
        // Cut off in the middle: the client went away, no one to answer.
        assert!(matches!(read(b"GET /x HTTP/1.1\r\nHo"), Head::Gone));
    }

    #[test]
    fn a_head_that_comes_too_slowly_is_refused() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let (mut client, mut server) = tokio::io::duplex(64);
        let head = rt.block_on(async move {
            client.write_all(b"GET /x HTTP/1.1\r\n").await.unwrap();
            let head = read_head(&mut server, &limits()).await;
            drop(client);
            head
        });
        assert_eq!(refused(head), (408, "request_timeout"));
        let (client, mut server) = tokio::io::duplex(64);
        let head = rt.block_on(async move {
            let head = read_head(&mut server, &limits()).await;
            drop(client);
            head
        });
        assert!(matches!(head, Head::Gone), "{head:?}");
    }

    #[test]
    fn a_refusal_is_a_whole_response_with_a_json_body() {
        let raw = raw_refusal(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "slow \"client\"",
        );
        let text = String::from_utf8(raw).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{head}"
        );
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(head.contains("content-security-policy: "));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["code"], "request_timeout");
        assert_eq!(json["message"], "slow \"client\"");
    }
}
