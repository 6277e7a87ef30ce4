//! Sessions: comparisons in progress that survive restarts and crashes.
//!
//! [`workflow::Workflow`] is the one API the command line, the web server and
//! the desktop app call. Under it, [`store::SessionStore`] keeps sessions in
//! memory over an event log in SQLite ([`log`]) and a content-addressed blob
//! store ([`blobs`]); [`session`] defines the events and the state they fold
//! into; [`portable`] moves sessions between machines; [`settings`] keeps
//! the settings a user changes from the UI.

pub mod blobs;
pub mod format;
pub mod gc;
mod intake;
pub mod jobs;
pub mod kept;
pub mod log;
pub mod models;
pub mod naming;
pub mod portable;
pub mod reconcile;
mod results;
pub mod session;
pub mod settings;
mod spark;
pub mod store;
pub mod view;
pub mod workflow;

pub use store::{SessionStore, StoreLimits};
pub use workflow::Workflow;

use std::path::PathBuf;

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "CONCORD_DATA_DIR";

/// Where sessions are kept: `CONCORD_DATA_DIR` if set, else the operating
/// system's application data directory (`~/.local/share/concord` on Linux).
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "concord")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".concord"))
}

#[cfg(test)]
mod tests;
