//! The local web server behind `concord serve`: the JSON API over
//! [`Workflow`], server-sent events for progress, and the embedded web UI.
//!
//! The routes are those of the one list of operations
//! ([`crate::operations`]). A plain operation's route is served by one
//! generic handler that turns path and query parameters and the JSON body
//! into its arguments; the others (an upload, an event stream, a download,
//! the health check) have a thin handler of their own ([`handlers`]).
//! Work runs on a blocking thread; errors are the engine's `{code,
//! message}` with its HTTP status. [`security`] keeps
//! the server to its own pages and machine.

mod assets;
mod connections;
pub mod error;
pub mod events;
mod handlers;
mod limits;
pub mod security;

pub use connections::serve;
pub use limits::Limits;

use crate::backend::Workflow;
use crate::operations::{Operation, OPERATIONS};
use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use events::Channels;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The one workflow over the session store.
    pub workflow: Arc<Workflow>,
    /// The sessions' event channels.
    pub channels: Arc<Channels>,
    /// Uploads of this many bytes or more are refused (`None`: no limit).
    pub upload_limit: Option<u64>,
    /// What the server takes from a client before it refuses.
    pub limits: Limits,
    /// The uploads that may be read at once ([`Limits::uploads`]).
    pub uploads: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state of a server over `workflow`, with the default [`Limits`].
    pub fn new(workflow: Arc<Workflow>, upload_limit: Option<u64>) -> AppState {
        let limits = Limits::default();
        AppState {
            workflow,
            channels: Arc::default(),
            upload_limit,
            uploads: Arc::new(tokio::sync::Semaphore::new(limits.uploads)),
            limits,
        }
    }

    /// The same state with other limits.
    pub fn with_limits(mut self, limits: Limits) -> AppState {
        self.uploads = Arc::new(tokio::sync::Semaphore::new(limits.uploads));
        self.limits = limits;
        self
    }
}

/// Adds the route of `op` to a path's method router: the generic handler
/// for a plain operation, its own handler otherwise.
fn add(
    mr: MethodRouter<AppState>,
    method: MethodFilter,
    op: &'static Operation,
) -> MethodRouter<AppState> {
    use handlers::*;
    if op.call.is_some() {
        return mr.on(method, move |s, p, q, b| call(op, s, p, q, b));
    }
    match op.name {
        "health" => mr.on(method, health),
        "upload_file" => mr.on(method, upload_file),
        "open_result" => mr.on(method, open_result),
        "start_compare" => mr.on(method, start_compare),
        "events" => mr.on(method, events),
        "export" => mr.on(method, export),
        "save_reconciled" => mr.on(method, save_reconciled),
        other => panic!("the operation '{other}' has a route but no handler"),
    }
}

fn filter(method: &str) -> MethodFilter {
    MethodFilter::try_from(Method::from_bytes(method.as_bytes()).expect("a method name"))
        .expect("a method axum routes")
}

/// The whole application: the API from the list of operations, the UI for every
/// other path, and the guard around both.
pub fn router(state: AppState, guard: security::Guard) -> Router {
    let limits = Arc::new(state.limits.clone());
    let mut paths: BTreeMap<String, MethodRouter<AppState>> = BTreeMap::new();
    for op in OPERATIONS {
        let Some(http) = &op.http else { continue };
        let mr = paths.remove(http.path).unwrap_or_default();
        paths.insert(http.path.to_string(), add(mr, filter(http.method), op));
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
            limits,
            error::in_our_words,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(guard),
            security::guard,
        ))
}
