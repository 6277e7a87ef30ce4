//! The local web server behind `concord serve`: the JSON API over
//! [`Workflow`], server-sent events for progress, and the embedded web UI.
//!
//! Every route is a thin handler ([`handlers`]) around one `Workflow` call,
//! run on a blocking thread; errors are the engine's `{code, message}` with
//! its HTTP status. The routes are the operations of `src/operations.json`
//! that have one: the router is built from that list, which the desktop
//! app's commands and the UI's transports follow too. [`security`] keeps
//! the server to its own pages and machine.

mod assets;
pub mod error;
pub mod events;
mod handlers;
pub mod security;

use crate::backend::Workflow;
use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use events::Channels;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The one list of operations, shared with the desktop app and the UI:
/// `[{"name", "http": {"method", "path"}, "command", "ui", "why"}]`.
pub const OPERATIONS_JSON: &str = include_str!("../operations.json");

/// One route: an operation of [`OPERATIONS_JSON`] with an `http` entry.
#[derive(Debug, Clone)]
pub struct Route {
    /// The operation's (and the handler's) name.
    pub name: String,
    /// The HTTP method.
    pub method: String,
    /// The path, with `{id}` and `{side}` parameters.
    pub path: String,
}

#[derive(serde::Deserialize)]
struct Operation {
    name: String,
    http: Option<Http>,
}

#[derive(serde::Deserialize)]
struct Http {
    method: String,
    path: String,
}

/// The routes of [`OPERATIONS_JSON`].
pub fn routes() -> Vec<Route> {
    let all: Vec<Operation> = serde_json::from_str(OPERATIONS_JSON)
        .expect("operations.json is valid (checked by a test)");
    all.into_iter()
        .filter_map(|o| {
            let http = o.http?;
            Some(Route {
                name: o.name,
                method: http.method,
                path: http.path,
            })
        })
        .collect()
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The one workflow over the session store.
    pub workflow: Arc<Workflow>,
    /// The sessions' event channels.
    pub channels: Arc<Channels>,
    /// Uploads of this many bytes or more are refused (`None`: no limit).
    pub upload_limit: Option<u64>,
}

impl AppState {
    /// The state of a server over `workflow`.
    pub fn new(workflow: Arc<Workflow>, upload_limit: Option<u64>) -> AppState {
        AppState {
            workflow,
            channels: Arc::default(),
            upload_limit,
        }
    }
}

/// Adds route `name` to a path's method router.
fn add(mr: MethodRouter<AppState>, method: MethodFilter, name: &str) -> MethodRouter<AppState> {
    use handlers::*;
    match name {
        "health" => mr.on(method, health),
        "list_sessions" => mr.on(method, list_sessions),
        "create_session" => mr.on(method, create_session),
        "get_session" => mr.on(method, get_session),
        "rename_session" => mr.on(method, rename_session),
        "delete_session" => mr.on(method, delete_session),
        "fork_session" => mr.on(method, fork_session),
        "file" => mr.on(method, file),
        "upload_file" => mr.on(method, upload_file),
        "profiles" => mr.on(method, profiles),
        "suggestions" => mr.on(method, suggestions),
        "pairing" => mr.on(method, pairing),
        "set_config" => mr.on(method, set_config),
        "settings" => mr.on(method, settings),
        "set_settings" => mr.on(method, set_settings),
        "start_compare" => mr.on(method, start_compare),
        "cancel_compare" => mr.on(method, cancel_compare),
        "events" => mr.on(method, events),
        "overview" => mr.on(method, overview),
        "results" => mr.on(method, results),
        "export" => mr.on(method, export),
        other => panic!("operations.json routes '{other}', which has no handler"),
    }
}

fn filter(method: &str) -> MethodFilter {
    MethodFilter::try_from(Method::from_bytes(method.as_bytes()).expect("a method name"))
        .expect("a method axum routes")
}

/// The whole application: the API from `operations.json`, the UI for every
/// other path, and the guard around both.
pub fn router(state: AppState, guard: security::Guard) -> Router {
    let mut paths: BTreeMap<String, MethodRouter<AppState>> = BTreeMap::new();
    for r in routes() {
        let mr = paths.remove(&r.path).unwrap_or_default();
        paths.insert(r.path.clone(), add(mr, filter(&r.method), &r.name));
    }
    let mut api = Router::new();
    for (path, mr) in paths {
        api = api.route(&path, mr);
    }
    let api = api
        .route(
            "/api/{*rest}",
            on(
                MethodFilter::GET
                    .or(MethodFilter::POST)
                    .or(MethodFilter::PUT)
                    .or(MethodFilter::PATCH)
                    .or(MethodFilter::DELETE),
                handlers::no_route,
            ),
        )
        .with_state(state);
    api.fallback(assets::serve)
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(guard),
            security::guard,
        ))
}

/// Serves `app` (made from `state`) on `listener` until `shutdown`
/// completes; then stops the running jobs and waits (up to 30 s) for them
/// to end, so that nothing a client was told is stored is lost.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stopping = state.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            stopping.workflow.cancel_jobs();
            stopping.channels.close();
        })
        .await?;
    let workflow = state.workflow;
    let _ = tokio::task::spawn_blocking(move || {
        workflow.wait_for_jobs(crate::backend::jobs::STOP_WAIT)
    })
    .await;
    Ok(())
}
