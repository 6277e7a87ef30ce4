//! Native dialogs, behind one small trait so that nothing else knows how
//! they are shown and tests can answer them instead of a person. They block
//! until the user answers, so callers run them off the main thread
//! (commands do, through `spawn_blocking`).

use concord::export::Format;
use concord::table::{Compression, InputFormat};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// The questions the app asks through dialogs.
pub trait Dialogs: Send + Sync {
    /// Asks for a CSV file to open; `None` when the user cancels.
    fn pick_file(&self, title: &str) -> Option<PathBuf>;
    /// Asks for a folder (a comparison's result written by Spark); `None`
    /// when the user cancels.
    fn pick_folder(&self, title: &str) -> Option<PathBuf>;
    /// Asks where to save an export, starting in `folder` (when given)
    /// and suggesting `name`; `None` when cancelled.
    fn save_file(&self, title: &str, folder: Option<&Path>, name: &str) -> Option<PathBuf>;
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
        let compressed: Vec<&str> = Compression::ALL
            .iter()
            .flat_map(|c| c.extensions().iter().copied())
            .collect();
        dialog = dialog.add_filter("Compressed files (gzip, zstd, bzip2, xz)", &compressed);
        dialog
            .add_filter("All files", &["*"])
            .blocking_pick_file()
            .and_then(|p| p.into_path().ok())
    }

    fn pick_folder(&self, title: &str) -> Option<PathBuf> {
        let dialog = self.0.dialog().file().set_title(title);
        dialog
            .blocking_pick_folder()
            .and_then(|p| p.into_path().ok())
    }

    fn save_file(&self, title: &str, folder: Option<&Path>, name: &str) -> Option<PathBuf> {
        let mut dialog = self.0.dialog().file().set_title(title).set_file_name(name);
        if let Some(folder) = folder {
            dialog = dialog.set_directory(folder);
        }
        // The format the suggested name asks for first.
        let suggested = Format::from_extension(Path::new(name));
        let formats = suggested
            .into_iter()
            .chain(Format::ALL.into_iter().filter(|f| Some(*f) != suggested));
        for format in formats {
            dialog = dialog.add_filter(format.label(), &[format.extension()]);
        }
        dialog.blocking_save_file().and_then(|p| p.into_path().ok())
    }
}
