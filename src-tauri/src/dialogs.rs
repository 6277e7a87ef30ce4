//! Native dialogs, behind two functions so that nothing else knows how they
//! are shown. They block until the user answers, so callers run them off
//! the main thread (commands do, through `spawn_blocking`). Tests pass
//! paths to the commands directly instead.

use std::path::PathBuf;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// Asks for a CSV file to open; `None` when the user cancels.
pub fn pick_file<R: Runtime>(app: &AppHandle<R>, title: &str) -> Option<PathBuf> {
    app.dialog()
        .file()
        .set_title(title)
        .add_filter("CSV and text files", &["csv", "tsv", "txt", "psv", "tab"])
        .add_filter("All files", &["*"])
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok())
}

/// Asks where to save an export, suggesting `name`; `None` when cancelled.
pub fn save_file<R: Runtime>(app: &AppHandle<R>, title: &str, name: &str) -> Option<PathBuf> {
    app.dialog()
        .file()
        .set_title(title)
        .set_file_name(name)
        .add_filter("CSV", &["csv"])
        .add_filter("Excel workbook", &["xlsx"])
        .add_filter("HTML report", &["html"])
        .add_filter("JSON", &["json"])
        .add_filter("Text", &["txt"])
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
}
