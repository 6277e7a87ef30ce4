//! Native dialogs, behind one small trait so that nothing else knows how
//! they are shown and tests can answer them instead of a person. They block
//! until the user answers, so callers run them off the main thread
//! (commands do, through `spawn_blocking`).

use concord::table::InputFormat;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// The questions the app asks through dialogs.
pub trait Dialogs: Send + Sync {
    /// Asks for a CSV file to open; `None` when the user cancels.
    fn pick_file(&self, title: &str) -> Option<PathBuf>;
    /// Asks where to save an export, suggesting `name`; `None` when cancelled.
    fn save_file(&self, title: &str, name: &str) -> Option<PathBuf>;
}

/// The dialogs as the app manages them (state of type `SharedDialogs`).
pub type SharedDialogs = Arc<dyn Dialogs>;

/// The platform's own dialogs, through `tauri-plugin-dialog` (`rfd`).
pub struct Native<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> Dialogs for Native<R> {
    fn pick_file(&self, title: &str) -> Option<PathBuf> {
        let mut dialog = self.0.dialog().file().set_title(title);
        for format in InputFormat::all() {
            dialog = dialog.add_filter(format.label, format.extensions);
        }
        dialog
            .add_filter("All files", &["*"])
            .blocking_pick_file()
            .and_then(|p| p.into_path().ok())
    }

    fn save_file(&self, title: &str, name: &str) -> Option<PathBuf> {
        self.0
            .dialog()
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
}
