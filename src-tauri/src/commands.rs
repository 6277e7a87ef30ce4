//! The commands the UI invokes: translation only, one [`Workflow`] call
//! each. Plain operations all go through [`call`]; the commands here are
//! those that are more than a call (a job reporting on a channel, a
//! dialog, the menu). CPU and disk work runs on blocking threads; jobs
//! (loads, comparisons) report through an IPC channel. Files are loaded by path: their contents never cross
//! IPC. Errors are the engine's, as `{code, message, ...}`.

use crate::dialogs::SharedDialogs;
use crate::{open, Desktop};
use concord::backend::jobs::JobEvent;
use concord::backend::models::{Incoming, Loaded, PageQuery, SessionInfo, Started};
use concord::backend::reconcile::Reconciled;
use concord::backend::Workflow;
use concord::export::Format;
use concord::operations::{self, Args};
use concord::{Control, Error, LoadOptions, Result, Side};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

/// Runs blocking work (parsing, comparing, SQLite) off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
}

/// What a command holds to call the workflow on a blocking thread.
fn workflow(state: &State<'_, Desktop>) -> Arc<Workflow> {
    state.workflow.clone()
}

/// Runs a plain operation of the one list ([`concord::operations`]) by
/// name, with its named arguments: every operation that is one workflow
/// call and nothing the desktop adds.
#[tauri::command]
pub async fn call(
    state: State<'_, Desktop>,
    name: String,
    args: Map<String, Value>,
) -> Result<Value> {
    let w = workflow(&state);
    blocking(move || operations::call(&w, &name, &Args(args))).await
}

/// Lists the sessions, as the `list_sessions` call does, and puts the
/// recent ones in the menu.
#[tauri::command]
pub async fn list_sessions<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, Desktop>,
) -> Result<Vec<SessionInfo>> {
    let w = workflow(&state);
    let list = blocking(move || w.list_sessions()).await?;
    // The UI lists sessions after every change: the menu follows.
    crate::menu::update_recent(&app, &list);
    Ok(list)
}

/// Loads the file at `path` (a path or a `file://` URL) into one side,
/// read with `options` (the web API's read parameters: `delimiter`,
/// `header`, `encoding`, `skip`, `allow_ragged`, `format`), reporting
/// progress on `channel`.
#[tauri::command]
pub async fn load_file(
    state: State<'_, Desktop>,
    id: String,
    side: Side,
    path: String,
    options: Option<HashMap<String, String>>,
    channel: Channel<JobEvent>,
) -> Result<Loaded> {
    let w = workflow(&state);
    let path = open::path_from_arg(&path, &std::env::current_dir().unwrap_or_default())
        .ok_or_else(|| Error::Invalid(format!("'{path}' is not a file path")))?;
    let send = move |e| {
        let _ = channel.send(e);
    };
    let params = options.unwrap_or_default();
    let options = LoadOptions::from_params(|k| params.get(k).map(String::as_str))?;
    blocking(move || w.load(&id, side, Incoming::Path(path), &options, &send)).await
}

/// Starts a comparison in the background; its progress and outcome go to
/// `channel` (`progress`, then `done`, `failed` or `cancelled`).
#[tauri::command]
pub async fn start_compare(
    state: State<'_, Desktop>,
    id: String,
    channel: Channel<JobEvent>,
) -> Result<Started> {
    let w = workflow(&state);
    let send = Arc::new(move |e| {
        let _ = channel.send(e);
    });
    blocking(move || w.start_compare(&id, send)).await
}

/// Asks for a file to load on `side`; its path, or null when cancelled.
#[tauri::command]
pub async fn choose_file(dialogs: State<'_, SharedDialogs>, side: Side) -> Result<Option<String>> {
    let title = format!("Open {side} file");
    let dialogs = dialogs.inner().clone();
    blocking(move || Ok(dialogs.pick_file(&title).map(|p| p.display().to_string()))).await
}

/// Opens the folder of a comparison made on Apache Spark as a new
/// session: the folder at `path` (a drop), or one asked for in a dialog.
/// The session; null when the user chose no folder, or when `path` is not
/// such a folder (no `manifest.json` in it), which the caller then loads
/// as it would.
#[tauri::command]
pub async fn open_result(
    dialogs: State<'_, SharedDialogs>,
    state: State<'_, Desktop>,
    path: Option<String>,
) -> Result<Option<SessionInfo>> {
    let w = workflow(&state);
    let dialogs = dialogs.inner().clone();
    blocking(move || {
        let dir = match path {
            Some(p) => open::path_from_arg(&p, &std::env::current_dir().unwrap_or_default())
                .filter(|d| d.join("manifest.json").is_file()),
            None => dialogs.pick_folder("Open a result from Spark"),
        };
        match dir {
            Some(dir) => w.import_result(&dir, None, Control::default()).map(Some),
            None => Ok(None),
        }
    })
    .await
}

/// Asks where to save something of session `id` (a save dialog titled
/// `title`, in the left file's folder, offering `suggested`), then saves
/// it there with `save`; the saved path, or null when cancelled.
fn save_as(
    dialogs: &SharedDialogs,
    w: &Workflow,
    id: &str,
    title: &str,
    suggested: &str,
    save: impl FnOnce(&Path) -> Result<()>,
) -> Result<Option<String>> {
    let folder = w.export_folder(id)?;
    let Some(path) = dialogs.save_file(title, folder.as_deref(), suggested) else {
        return Ok(None);
    };
    save(&path)?;
    Ok(Some(path.display().to_string()))
}

/// Asks where to export the result (the chosen extension picks the
/// format, else `format` does), then exports it, or the rows of the view
/// `query` gives (the web API's parameters); see [`save_as`].
#[tauri::command]
pub async fn choose_export(
    dialogs: State<'_, SharedDialogs>,
    state: State<'_, Desktop>,
    id: String,
    format: String,
    query: Option<HashMap<String, String>>,
) -> Result<Option<String>> {
    let w = workflow(&state);
    let dialogs = dialogs.inner().clone();
    blocking(move || {
        let asked = Format::named(&format)?;
        let query = query.unwrap_or_default();
        let view = PageQuery::view_from_params(|k| query.get(k).map(String::as_str))?;
        let suggested = w.export_name(&id, asked)?;
        save_as(&dialogs, &w, &id, "Export as…", &suggested, |path| {
            let format = Format::from_extension(path).unwrap_or(asked);
            w.export_file(&id, format, view.as_ref(), path, Control::default())
        })
    })
    .await
}

/// Asks where to save the reconciled file (`what` is `file`) or the patch
/// of the accepted differences (`patch`), then saves it; see [`save_as`].
#[tauri::command]
pub async fn choose_reconciled(
    dialogs: State<'_, SharedDialogs>,
    state: State<'_, Desktop>,
    id: String,
    what: String,
) -> Result<Option<String>> {
    let w = workflow(&state);
    let dialogs = dialogs.inner().clone();
    blocking(move || {
        let what = Reconciled::named(&what)?;
        let title = match what {
            Reconciled::File => "Save reconciled file…",
            Reconciled::Patch => "Save patch…",
        };
        let suggested = w.reconciled_name(&id, what)?;
        save_as(&dialogs, &w, &id, title, &suggested, |path| {
            w.save_reconciled(&id, what, path, Control::default())
        })
    })
    .await
}

/// The session the app was started with (files on its command line), once
/// it is loaded; null otherwise. Later ones arrive as `open-session` events.
#[tauri::command]
pub fn take_opened(state: State<'_, Desktop>) -> Option<crate::Opened> {
    state.opened.lock().take()
}

/// The window's heartbeat: its page is alive (see [`crate::recovery`]).
#[tauri::command]
pub fn alive(heartbeat: State<'_, crate::recovery::Heartbeat>) {
    heartbeat.beat();
}
