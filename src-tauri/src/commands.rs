//! The commands the UI invokes: translation only, one [`Workflow`] call
//! each, one per operation of the UI's `Transport` interface. CPU and disk
//! work runs on blocking threads; jobs (loads, comparisons) report through
//! an IPC channel. Files are loaded by path: their contents never cross
//! IPC. Errors are the engine's, as `{code, message, ...}`.

use crate::dialogs::SharedDialogs;
use crate::{open, Desktop};
use concord::backend::jobs::JobEvent;
use concord::backend::models::{
    FileInfo, Incoming, Loaded, Page, PageQuery, ResultOverview, SessionInfo, Settings,
    SettingsChange, Started,
};
use concord::compare::Pairing;
use concord::export::Format;
use concord::profile::ColumnProfile;
use concord::suggest::Suggestions;
use concord::{CompareConfig, Control, Error, LoadOptions, Result, Side};
use std::collections::HashMap;
use std::path::PathBuf;
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
fn workflow(state: &State<'_, Desktop>) -> Arc<concord::backend::Workflow> {
    state.workflow.clone()
}

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

#[tauri::command]
pub async fn create_session(state: State<'_, Desktop>, name: String) -> Result<SessionInfo> {
    let w = workflow(&state);
    blocking(move || w.create_session(&name)).await
}

#[tauri::command]
pub async fn get_session(state: State<'_, Desktop>, id: String) -> Result<SessionInfo> {
    let w = workflow(&state);
    blocking(move || w.session(&id)).await
}

#[tauri::command]
pub async fn rename_session(
    state: State<'_, Desktop>,
    id: String,
    name: String,
) -> Result<SessionInfo> {
    let w = workflow(&state);
    blocking(move || w.rename_session(&id, &name)).await
}

#[tauri::command]
pub async fn fork_session(
    state: State<'_, Desktop>,
    id: String,
    name: String,
) -> Result<SessionInfo> {
    let w = workflow(&state);
    blocking(move || w.fork_session(&id, &name)).await
}

#[tauri::command]
pub async fn delete_session(state: State<'_, Desktop>, id: String) -> Result<()> {
    let w = workflow(&state);
    blocking(move || w.delete_session(&id)).await
}

#[tauri::command]
pub async fn settings(state: State<'_, Desktop>) -> Result<Settings> {
    let w = workflow(&state);
    blocking(move || Ok(w.settings())).await
}

#[tauri::command]
pub async fn set_settings(state: State<'_, Desktop>, change: SettingsChange) -> Result<Settings> {
    let w = workflow(&state);
    blocking(move || w.set_settings(&change)).await
}

/// Loads the file at `path` (a path or a `file://` URL) into one side,
/// reporting progress on `channel`.
#[tauri::command]
pub async fn load_file(
    state: State<'_, Desktop>,
    id: String,
    side: Side,
    path: String,
    channel: Channel<JobEvent>,
) -> Result<Loaded> {
    let w = workflow(&state);
    let path = open::path_from_arg(&path, &std::env::current_dir().unwrap_or_default())
        .ok_or_else(|| Error::Invalid(format!("'{path}' is not a file path")))?;
    let send = move |e| {
        let _ = channel.send(e);
    };
    let options = LoadOptions::default();
    blocking(move || w.load(&id, side, Incoming::Path(path), &options, &send)).await
}

/// Stops the load running on `side` of session `id`; its job, if one runs.
#[tauri::command]
pub fn cancel_load(state: State<'_, Desktop>, id: String, side: Side) -> Option<u64> {
    state.workflow.cancel_load(&id, side)
}

#[tauri::command]
pub async fn file(state: State<'_, Desktop>, id: String, side: Side) -> Result<FileInfo> {
    let w = workflow(&state);
    blocking(move || w.file(&id, side)).await
}

#[tauri::command]
pub async fn profiles(
    state: State<'_, Desktop>,
    id: String,
    side: Side,
) -> Result<Vec<ColumnProfile>> {
    let w = workflow(&state);
    blocking(move || w.profiles(&id, side, Control::default())).await
}

#[tauri::command]
pub async fn suggestions(state: State<'_, Desktop>, id: String) -> Result<Suggestions> {
    let w = workflow(&state);
    blocking(move || w.suggestions(&id, Control::default())).await
}

#[tauri::command]
pub async fn pairing(state: State<'_, Desktop>, id: String) -> Result<Pairing> {
    let w = workflow(&state);
    blocking(move || w.pairing(&id, Control::default())).await
}

#[tauri::command]
pub async fn set_config(
    state: State<'_, Desktop>,
    id: String,
    config: CompareConfig,
) -> Result<SessionInfo> {
    let w = workflow(&state);
    blocking(move || w.set_config(&id, config)).await
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

#[tauri::command]
pub fn cancel_compare(state: State<'_, Desktop>, id: String) -> Result<Started> {
    state.workflow.cancel_compare(&id)
}

#[tauri::command]
pub async fn overview(state: State<'_, Desktop>, id: String) -> Result<ResultOverview> {
    let w = workflow(&state);
    blocking(move || w.result_overview(&id)).await
}

/// A page of result rows; `query` holds the web API's parameters
/// (`offset`, `limit`, `status`, `column`, `q`, `sort`, `desc`) as text.
#[tauri::command]
pub async fn results(
    state: State<'_, Desktop>,
    id: String,
    query: HashMap<String, String>,
) -> Result<Page> {
    let q = PageQuery::from_params(|k| query.get(k).map(String::as_str))?;
    let w = workflow(&state);
    blocking(move || w.page(&id, &q, Control::default())).await
}

/// Exports the current result to `path` (written atomically); returns the
/// path. The path must end in an export format's extension, which picks
/// the format: whatever runs in the window cannot write other files.
#[tauri::command]
pub async fn export_result(state: State<'_, Desktop>, id: String, path: String) -> Result<String> {
    let w = workflow(&state);
    blocking(move || {
        let path = PathBuf::from(path);
        w.export_file(&id, Format::of_path(&path)?, &path, Control::default())?;
        Ok(path.display().to_string())
    })
    .await
}

/// Asks for a file to load on `side`; its path, or null when cancelled.
#[tauri::command]
pub async fn choose_file(dialogs: State<'_, SharedDialogs>, side: Side) -> Result<Option<String>> {
    let title = format!("Open {side} file");
    let dialogs = dialogs.inner().clone();
    blocking(move || Ok(dialogs.pick_file(&title).map(|p| p.display().to_string()))).await
}

/// Asks where to export the result (the chosen extension picks the
/// format, else `format` does), then exports; the saved path, or null when
/// cancelled.
#[tauri::command]
pub async fn choose_export(
    dialogs: State<'_, SharedDialogs>,
    state: State<'_, Desktop>,
    id: String,
    format: String,
) -> Result<Option<String>> {
    let w = workflow(&state);
    let dialogs = dialogs.inner().clone();
    blocking(move || {
        let asked = Format::named(&format)?;
        let suggested = w.export_name(&id, asked)?;
        let Some(path) = dialogs.save_file("Export as…", &suggested) else {
            return Ok(None);
        };
        let format = Format::from_extension(&path).unwrap_or(asked);
        w.export_file(&id, format, &path, Control::default())?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// The session the app was started with (files on its command line), once
/// it is loaded; null otherwise. Later ones arrive as `open-session` events.
#[tauri::command]
pub fn take_opened(state: State<'_, Desktop>) -> Option<crate::Opened> {
    state.opened.lock().take()
}
