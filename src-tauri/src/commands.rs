//! The commands the UI invokes: thin functions over [`Workflow`], one per
//! operation of the UI's `Transport` interface. CPU and disk work runs on
//! blocking threads; comparisons run in the background and report through
//! an IPC channel. Files are loaded by path: their contents never cross IPC.

use crate::dialogs::SharedDialogs;
use crate::error::{Error, Result};
use crate::{open, Desktop};
use concord::backend::jobs::{throttled, JobEvent};
use concord::backend::workflow::{
    FileInfo, Page, PageQuery, ResultOverview, SessionInfo, Settings, SettingsChange,
};
use concord::compare::Pairing;
use concord::export::Format;
use concord::profile::ColumnProfile;
use concord::suggest::Suggestions;
use concord::{CompareConfig, Control, LoadOptions, Side};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

/// Runs blocking work (parsing, comparing, SQLite) off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| Error::refused("internal", e.to_string()))?
}

#[tauri::command]
pub async fn list_sessions<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, Desktop>,
) -> Result<Vec<SessionInfo>> {
    let w = state.workflow.clone();
    let list = blocking(move || Ok(w.list_sessions()?)).await?;
    // The UI lists sessions after every change: the menu follows.
    crate::menu::update_recent(&app, &list);
    Ok(list)
}

#[tauri::command]
pub async fn create_session(state: State<'_, Desktop>, name: String) -> Result<SessionInfo> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.create_session(&name)?)).await
}

#[tauri::command]
pub async fn get_session(state: State<'_, Desktop>, id: String) -> Result<SessionInfo> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.session(&id)?)).await
}

#[tauri::command]
pub async fn rename_session(
    state: State<'_, Desktop>,
    id: String,
    name: String,
) -> Result<SessionInfo> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.rename_session(&id, &name)?)).await
}

#[tauri::command]
pub async fn fork_session(
    state: State<'_, Desktop>,
    id: String,
    name: String,
) -> Result<SessionInfo> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.fork_session(&id, &name)?)).await
}

#[tauri::command]
pub async fn delete_session(state: State<'_, Desktop>, id: String) -> Result<()> {
    state.jobs.cancel(&id);
    let w = state.workflow.clone();
    blocking(move || Ok(w.delete_session(&id)?)).await
}

#[tauri::command]
pub async fn settings(state: State<'_, Desktop>) -> Result<Settings> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.settings())).await
}

#[tauri::command]
pub async fn set_settings(state: State<'_, Desktop>, change: SettingsChange) -> Result<Settings> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.set_settings(&change)?)).await
}

/// A loaded file and how long loading took, as the web server answers.
#[derive(Serialize)]
pub struct Loaded {
    file: FileInfo,
    millis: u64,
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
    let w = state.workflow.clone();
    let started = std::time::Instant::now();
    let path = open::path_from_arg(&path, &std::env::current_dir().unwrap_or_default())
        .ok_or_else(|| Error::refused("invalid", format!("'{path}' is not a file path")))?;
    // A newer load on the same side stops this one, so that the file the
    // user chose last is the one that stays.
    let loads = state.loads.clone();
    let (job, cancel) = loads.start(&id, side);
    let file = blocking(move || {
        let loaded = open::check_file(&path).and_then(|()| {
            let report = throttled(|e| {
                let _ = channel.send(e);
            });
            let ctl = Control::new(&report, &cancel).with_job(job);
            Ok(w.load_file(&id, side, &path, &LoadOptions::default(), ctl)?)
        });
        loads.finish(&id, side, job);
        loaded
    })
    .await?;
    Ok(Loaded {
        file,
        millis: started.elapsed().as_millis() as u64,
    })
}

/// Stops the load running on `side` of session `id`; its job, if one runs.
#[tauri::command]
pub fn cancel_load(state: State<'_, Desktop>, id: String, side: Side) -> Option<u64> {
    state.loads.cancel(&id, side)
}

#[tauri::command]
pub async fn file(state: State<'_, Desktop>, id: String, side: Side) -> Result<FileInfo> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.file(&id, side)?)).await
}

#[tauri::command]
pub async fn profiles(
    state: State<'_, Desktop>,
    id: String,
    side: Side,
) -> Result<Vec<ColumnProfile>> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.profiles(&id, side, Control::default())?)).await
}

#[tauri::command]
pub async fn suggestions(state: State<'_, Desktop>, id: String) -> Result<Suggestions> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.suggestions(&id, Control::default())?)).await
}

#[tauri::command]
pub async fn pairing(state: State<'_, Desktop>, id: String) -> Result<Pairing> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.pairing(&id, Control::default())?)).await
}

#[tauri::command]
pub async fn set_config(
    state: State<'_, Desktop>,
    id: String,
    config: CompareConfig,
) -> Result<SessionInfo> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.set_config(&id, config)?)).await
}

/// The job a started comparison runs as.
#[derive(Serialize)]
pub struct Started {
    job: u64,
}

/// Starts a comparison in the background; its progress and outcome go to
/// `channel` (`progress`, then `done`, `failed` or `cancelled`).
#[tauri::command]
pub async fn start_compare(
    state: State<'_, Desktop>,
    id: String,
    channel: Channel<JobEvent>,
) -> Result<Started> {
    let w = state.workflow.clone();
    let check = w.clone();
    let sid = id.clone();
    blocking(move || Ok(check.session(&sid)?)).await?;
    let jobs = state.jobs.clone();
    let Some((job, cancel)) = jobs.start(&id) else {
        return Err(Error::refused(
            "busy",
            format!("session '{id}' is already being compared"),
        ));
    };
    tauri::async_runtime::spawn_blocking(move || {
        let report = throttled(|e| {
            let _ = channel.send(e);
        });
        let end = jobs.run_compare(&w, &id, (job, &cancel), &report);
        let _ = channel.send(end);
    });
    Ok(Started { job })
}

#[tauri::command]
pub fn cancel_compare(state: State<'_, Desktop>, id: String) -> Result<Started> {
    match state.jobs.cancel(&id) {
        Some(job) => Ok(Started { job }),
        None => Err(Error::refused(
            "not_running",
            format!("no comparison of session '{id}' is running"),
        )),
    }
}

#[tauri::command]
pub async fn overview(state: State<'_, Desktop>, id: String) -> Result<ResultOverview> {
    let w = state.workflow.clone();
    blocking(move || Ok(w.result_overview(&id)?)).await
}

/// A page of result rows; `query` holds the web API's parameters
/// (`offset`, `limit`, `status`, `column`, `q`, `sort`, `desc`) as text.
#[tauri::command]
pub async fn results(
    state: State<'_, Desktop>,
    id: String,
    query: HashMap<String, String>,
) -> Result<Page> {
    let q = PageQuery::from_params(|k| query.get(k).map(String::as_str))
        .map_err(|m| Error::refused("invalid", m))?;
    let w = state.workflow.clone();
    blocking(move || Ok(w.page(&id, &q, Control::default())?)).await
}

/// The format an export to `path` is written in: the path's extension if
/// it names one, else `format`.
fn export_format(path: &std::path::Path, format: &str) -> Result<Format> {
    Format::from_extension(path)
        .or_else(|| Format::from_name(format))
        .ok_or_else(|| Error::refused("invalid", format!("'{format}' is not an export format")))
}

/// Exports the current result to `path` (written atomically); returns the
/// path. The path must end in an export format's extension, which picks
/// the format: whatever runs in the window cannot write other files.
#[tauri::command]
pub async fn export_result(state: State<'_, Desktop>, id: String, path: String) -> Result<String> {
    let w = state.workflow.clone();
    blocking(move || {
        let path = PathBuf::from(path);
        let format = Format::from_extension(&path).ok_or_else(|| {
            let extensions: Vec<String> = Format::ALL
                .iter()
                .map(|f| format!(".{}", f.extension()))
                .collect();
            Error::refused(
                "invalid",
                format!(
                    "'{}' does not end in an export format's extension ({})",
                    path.display(),
                    extensions.join(", ")
                ),
            )
        })?;
        w.export_file(&id, format, &path, Control::default())?;
        Ok(path.display().to_string())
    })
    .await
}

/// Asks for a file to load on `side`; its path, or null when cancelled.
#[tauri::command]
pub async fn choose_file(dialogs: State<'_, SharedDialogs>, side: Side) -> Result<Option<String>> {
    let title = format!(
        "Open {} file",
        if side == Side::Left { "left" } else { "right" }
    );
    let dialogs = dialogs.inner().clone();
    blocking(move || Ok(dialogs.pick_file(&title).map(|p| p.display().to_string()))).await
}

/// Asks where to export the result (the chosen extension picks the
/// format), then exports; the saved path, or null when cancelled.
#[tauri::command]
pub async fn choose_export(
    dialogs: State<'_, SharedDialogs>,
    state: State<'_, Desktop>,
    id: String,
    format: String,
) -> Result<Option<String>> {
    let w = state.workflow.clone();
    let dialogs = dialogs.inner().clone();
    blocking(move || {
        w.comparison(&id)?;
        let name = w.session(&id)?.name;
        let suggested =
            concord::export::file_name(&name, Format::from_name(&format).unwrap_or(Format::Csv));
        let Some(path) = dialogs.save_file("Export as…", &suggested) else {
            return Ok(None);
        };
        let format = export_format(&path, &format)?;
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
