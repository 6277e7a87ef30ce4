//! The route handlers: one generic handler for every plain operation
//! ([`call`]), and a handler for each route that is more than a call (an
//! upload, an event stream, a download). Each runs one `Workflow` call on a
//! blocking thread and answers JSON (or a stream). No logic lives here
//! that another front end would need.

use super::error::ApiError;
use super::AppState;
use crate::backend::models::{Incoming, Loaded, PageQuery, SessionInfo, Started, Upload};
use crate::backend::reconcile::Reconciled;
use crate::error::{Error, Side};
use crate::export::Format;
use crate::operations::{self, Args, Operation};
use crate::progress::Control;
use crate::table::LoadOptions;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, RawPathParams, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::{Stream, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::convert::Infallible;

type Answer<T> = Result<T, ApiError>;
type Params = Query<HashMap<String, String>>;

/// Runs blocking work (parsing, comparing, SQLite) off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Answer<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(ApiError::from)
}

/// The session `id`, or its `not_found` error, for handlers that answer
/// before (or without) doing blocking work on it.
async fn session(s: &AppState, id: &str) -> Answer<SessionInfo> {
    let (w, id) = (s.workflow.clone(), id.to_string());
    blocking(move || w.session(&id)).await
}

/// Serves a plain operation: its path and query parameters (or, when the
/// list names one argument for the query, the query as that argument) and
/// its JSON body (its fields, or the body whole as the argument the list
/// names) become the call's arguments.
pub async fn call(
    op: &'static Operation,
    State(s): State<AppState>,
    path: RawPathParams,
    Query(query): Params,
    b: Bytes,
) -> Answer<Response> {
    let http = op.http.as_ref().expect("a routed operation has a route");
    let mut args = Map::new();
    for (k, v) in &path {
        args.insert(k.to_string(), Value::String(v.to_string()));
    }
    let query = query.into_iter().map(|(k, v)| (k, Value::String(v)));
    match http.query {
        Some(name) => {
            args.insert(name.to_string(), Value::Object(query.collect()));
        }
        None => args.extend(query),
    }
    if !b.is_empty() {
        let body: Value = body(&b)?;
        match (http.body, body) {
            (Some(name), body) => {
                args.insert(name.to_string(), body);
            }
            (None, Value::Object(fields)) => args.extend(fields),
            (None, _) => {
                return Err(ApiError::refused(
                    StatusCode::BAD_REQUEST,
                    "invalid_json",
                    "the request body is not a JSON object",
                ))
            }
        }
    }
    let args = Args(args);
    let answer = blocking(move || operations::call(&s.workflow, op.name, &args)).await?;
    let status = StatusCode::from_u16(http.status).unwrap_or(StatusCode::OK);
    Ok(match status {
        StatusCode::NO_CONTENT => status.into_response(),
        _ => (status, Json(answer)).into_response(),
    })
}

/// Parses a JSON body, answering `invalid_json` (400) with serde's reason.
fn body<T: DeserializeOwned>(bytes: &[u8]) -> Answer<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::refused(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the request body is not valid: {e}"),
        )
    })
}

fn side(name: &str) -> Answer<Side> {
    Ok(Side::from_name(name)?)
}

pub async fn health() -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "ui": super::assets::ui_built(),
    }))
}

/// The file's own name from `X-File-Name`: only its last path component is
/// kept, so a name can never point anywhere on this machine.
fn file_name(headers: &HeaderMap) -> Answer<String> {
    let raw = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("upload.csv");
    let name = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if name.is_empty() || name == "." || name == ".." || name.chars().any(char::is_control) {
        return Err(Error::Invalid(format!("'{raw}' is not a usable file name")).into());
    }
    Ok(name.to_string())
}

/// A place among the uploads being read. Each upload streams to disk
/// through its own buffers: bounding how many are read at once bounds
/// their memory.
async fn upload_slot(s: &AppState) -> Answer<tokio::sync::OwnedSemaphorePermit> {
    let waited = tokio::time::timeout(s.limits.body_idle, s.uploads.clone().acquire_owned()).await;
    match waited {
        Ok(Ok(slot)) => Ok(slot),
        _ => Err(ApiError::refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_busy",
            format!(
                "{} uploads are being read already; try again when one has ended",
                s.limits.uploads
            ),
        )),
    }
}

pub async fn upload_file(
    State(s): State<AppState>,
    Path((id, side_name)): Path<(String, String)>,
    Query(q): Params,
    headers: HeaderMap,
    request: Body,
) -> Answer<Json<Loaded>> {
    let side = side(&side_name)?;
    let name = file_name(&headers)?;
    let options = LoadOptions::from_params(|k| q.get(k).map(String::as_str))?;
    let size = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The body streams to the blob store through a blocking reader; it is
    // never held whole in memory.
    let stream = request.into_data_stream().map_err(std::io::Error::other);
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
    let upload = Upload {
        name,
        reader: Box::new(reader) as Box<dyn std::io::Read + Send>,
        size,
        limit: s.upload_limit,
    };
    let slot = upload_slot(&s).await?;
    let sink = s.channels.sink(&id);
    let loaded = blocking(move || {
        let _slot = slot;
        let incoming = Incoming::Upload(upload);
        s.workflow.load(&id, side, incoming, &options, &*sink)
    })
    .await?;
    Ok(Json(loaded))
}

/// Opens an uploaded Spark result (its folder as one stream, see
/// [`crate::backend::Workflow::import_result_upload`]) as a new session.
pub async fn open_result(State(s): State<AppState>, request: Body) -> Answer<Response> {
    let stream = request.into_data_stream().map_err(std::io::Error::other);
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
    let slot = upload_slot(&s).await?;
    let limit = s.upload_limit;
    let info = blocking(move || {
        let _slot = slot;
        s.workflow
            .import_result_upload(reader, limit, Control::default())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(info)).into_response())
}

pub async fn start_compare(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Answer<(StatusCode, Json<Started>)> {
    let sink = s.channels.sink(&id);
    let started = blocking(move || s.workflow.start_compare(&id, sink)).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

pub async fn events(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Answer<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    session(&s, &id).await?;
    let rx = s.channels.sender(&id).subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(e) => {
                    let event = Event::default().event(e.name()).json_data(&e).ok()?;
                    return Some((Ok(event), rx));
                }
                // A slow reader missed some progress: go on from here.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Sends what an export writes to the response body, a piece at a time.
struct ChannelWriter(tokio::sync::mpsc::Sender<Bytes>);

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Bytes::copy_from_slice(buf))
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the download was closed")
            })?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A download named `file` of type `mime` whose body `write` writes, a
/// piece at a time, on a blocking thread (a failure then cuts the
/// download short: callers check what can fail first).
fn download(
    mime: &str,
    file: &str,
    write: impl FnOnce(&mut dyn std::io::Write) + Send + 'static,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    tokio::task::spawn_blocking(move || {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, ChannelWriter(tx));
        write(&mut out);
        let _ = std::io::Write::flush(&mut out);
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<Bytes, Infallible>(b), rx))
    });
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

pub async fn export(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Answer<Response> {
    let format = Format::named(q.get("format").map_or("csv", String::as_str))?;
    let view = PageQuery::view_from_params(|k| q.get(k).map(String::as_str))?;
    // Fail before the download starts when there is nothing to export.
    let (check, sid) = (s.clone(), id.clone());
    let file = blocking(move || check.workflow.export_name(&sid, format)).await?;
    Ok(download(format.mime(), &file, move |out| {
        let _ = s
            .workflow
            .export_to(&id, format, view.as_ref(), out, Control::default());
    }))
}

/// Downloads what *Save reconciled…* saves (`as=file`, the default, or
/// `as=patch`), streamed as an export is: a reconciled file is as large
/// as the left file.
pub async fn save_reconciled(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Answer<Response> {
    let what = Reconciled::named(q.get("as").map_or("file", String::as_str))?;
    // Fail before the download starts when there is nothing to save.
    let (check, sid) = (s.clone(), id.clone());
    let file = blocking(move || check.workflow.reconciled_name(&sid, what)).await?;
    Ok(download("text/csv; charset=utf-8", &file, move |out| {
        let _ = s
            .workflow
            .save_reconciled_to(&id, what, out, Control::default());
    }))
}

/// Any `/api/...` path that is not a route.
pub async fn no_route() -> ApiError {
    ApiError::refused(
        StatusCode::NOT_FOUND,
        "no_route",
        "there is no such API route",
    )
}
