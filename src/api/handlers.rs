//! The route handlers: each parses its request, runs one `Workflow` call on
//! a blocking thread, and answers JSON (or a stream). No logic lives here
//! that another front end would need.

use super::error::ApiError;
use super::AppState;
use crate::backend::models::{
    Incoming, Loaded, PageQuery, SessionInfo, Settings, SettingsChange, Started, Upload,
};
use crate::compare::CompareConfig;
use crate::error::{Error, Side};
use crate::export::Format;
use crate::progress::Control;
use crate::table::LoadOptions;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::{Stream, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
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

#[derive(Deserialize)]
struct Name {
    name: String,
}

pub async fn health() -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "ui": super::assets::ui_built(),
    }))
}

pub async fn list_sessions(State(s): State<AppState>) -> Answer<Json<Vec<SessionInfo>>> {
    Ok(Json(blocking(move || s.workflow.list_sessions()).await?))
}

pub async fn create_session(
    State(s): State<AppState>,
    b: Bytes,
) -> Answer<(StatusCode, Json<SessionInfo>)> {
    let name = if b.is_empty() {
        "Untitled".to_string()
    } else {
        body::<Name>(&b)?.name
    };
    let info = blocking(move || s.workflow.create_session(&name)).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

pub async fn get_session(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Answer<Json<SessionInfo>> {
    Ok(Json(session(&s, &id).await?))
}

pub async fn rename_session(
    State(s): State<AppState>,
    Path(id): Path<String>,
    b: Bytes,
) -> Answer<Json<SessionInfo>> {
    let name = body::<Name>(&b)?.name;
    Ok(Json(
        blocking(move || s.workflow.rename_session(&id, &name)).await?,
    ))
}

pub async fn delete_session(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Answer<StatusCode> {
    blocking(move || s.workflow.delete_session(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn fork_session(
    State(s): State<AppState>,
    Path(id): Path<String>,
    b: Bytes,
) -> Answer<(StatusCode, Json<SessionInfo>)> {
    let name = body::<Name>(&b)?.name;
    let info = blocking(move || s.workflow.fork_session(&id, &name)).await?;
    Ok((StatusCode::CREATED, Json(info)))
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
    let sink = s.channels.sink(&id);
    let loaded = blocking(move || {
        let incoming = Incoming::Upload(upload);
        s.workflow.load(&id, side, incoming, &options, &*sink)
    })
    .await?;
    Ok(Json(loaded))
}

pub async fn file(
    State(s): State<AppState>,
    Path((id, side_name)): Path<(String, String)>,
) -> Answer<Json<Value>> {
    let side = side(&side_name)?;
    let f = blocking(move || s.workflow.file(&id, side)).await?;
    Ok(Json(json!(f)))
}

pub async fn profiles(
    State(s): State<AppState>,
    Path((id, side_name)): Path<(String, String)>,
) -> Answer<Json<Value>> {
    let side = side(&side_name)?;
    let p = blocking(move || s.workflow.profiles(&id, side, Control::default())).await?;
    Ok(Json(json!(p)))
}

pub async fn suggestions(State(s): State<AppState>, Path(id): Path<String>) -> Answer<Json<Value>> {
    let v = blocking(move || s.workflow.suggestions(&id, Control::default())).await?;
    Ok(Json(json!(v)))
}

pub async fn pairing(State(s): State<AppState>, Path(id): Path<String>) -> Answer<Json<Value>> {
    let v = blocking(move || s.workflow.pairing(&id, Control::default())).await?;
    Ok(Json(json!(v)))
}

pub async fn set_config(
    State(s): State<AppState>,
    Path(id): Path<String>,
    b: Bytes,
) -> Answer<Json<SessionInfo>> {
    let config: CompareConfig = body(&b)?;
    Ok(Json(
        blocking(move || s.workflow.set_config(&id, config)).await?,
    ))
}

pub async fn settings(State(s): State<AppState>) -> Answer<Json<Settings>> {
    Ok(Json(blocking(move || Ok(s.workflow.settings())).await?))
}

pub async fn set_settings(State(s): State<AppState>, b: Bytes) -> Answer<Json<Settings>> {
    let change: SettingsChange = body(&b)?;
    Ok(Json(
        blocking(move || s.workflow.set_settings(&change)).await?,
    ))
}

pub async fn start_compare(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Answer<(StatusCode, Json<Started>)> {
    let sink = s.channels.sink(&id);
    let started = blocking(move || s.workflow.start_compare(&id, sink)).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

pub async fn cancel_compare(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Answer<Json<Started>> {
    Ok(Json(s.workflow.cancel_compare(&id)?))
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

pub async fn overview(State(s): State<AppState>, Path(id): Path<String>) -> Answer<Json<Value>> {
    let o = blocking(move || s.workflow.result_overview(&id)).await?;
    Ok(Json(json!(o)))
}

pub async fn results(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Answer<Json<Value>> {
    let query = PageQuery::from_params(|k| q.get(k).map(String::as_str))?;
    let page = blocking(move || s.workflow.page(&id, &query, Control::default())).await?;
    Ok(Json(json!(page)))
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

pub async fn export(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Answer<Response> {
    let format = Format::named(q.get("format").map_or("csv", String::as_str))?;
    // Fail before the download starts when there is nothing to export.
    let (check, sid) = (s.clone(), id.clone());
    let file = blocking(move || check.workflow.export_name(&sid, format)).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    tokio::task::spawn_blocking(move || {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, ChannelWriter(tx));
        let _ = s
            .workflow
            .export_to(&id, format, &mut out, Control::default());
        let _ = std::io::Write::flush(&mut out);
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<Bytes, Infallible>(b), rx))
    });
    Ok((
        [
            (header::CONTENT_TYPE, format.mime().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// Any `/api/...` path that is not a route.
pub async fn no_route() -> ApiError {
    ApiError::refused(
        StatusCode::NOT_FOUND,
        "no_route",
        "there is no such API route",
    )
}
