//! The data types the front ends receive and send: sessions, files,
//! results, settings and jobs as the web API and the desktop commands
//! answer them (and as `ui/src/lib/transport/generated.ts` declares them).
//! Plain data: what to do with them is the workflow's.

use super::session::SessionState;
pub use super::session::Unavailable;
pub use super::view::{CellChange, Page, PageQuery, PageRow, SortBy};
use crate::compare::{AppliedSuggestions, ColumnPair, ColumnStats, CompareConfig, Mode, Summary};
use crate::table::TableInfo;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::PathBuf;

/// A loaded file, as shown in session listings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileInfo {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its rows, when the session is loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rows: Option<usize>,
    /// How it was read (encoding, delimiter, columns, warnings), when the
    /// session is loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub table: Option<TableInfo>,
    /// Why the file cannot be read now: it was referenced by path, and is
    /// gone or changed since it was loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub unavailable: Option<String>,
    /// Whether its table is kept on disk, because the file is larger than
    /// a third of the memory limit: it is compared a partition at a time.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub on_disk: bool,
    /// Whether a copy of the file (of `bytes`) is kept in the data folder,
    /// so that the session opens after the file moves or changes; false
    /// for a file read from where it is (above the size set in Settings).
    /// Said on the file card: the data folder grows by every copy.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub copied: bool,
}

/// A session as listed and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionInfo {
    /// The session id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created: i64,
    /// Last change, milliseconds since the Unix epoch.
    pub updated: i64,
    /// The left file's name, once loaded.
    pub left: Option<String>,
    /// The right file's name, once loaded.
    pub right: Option<String>,
    /// The current result's summary; `null` before the first comparison or
    /// after the inputs changed.
    pub summary: Option<Summary>,
    /// Keys, mappings and rules (in `show`, not in listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub config: Option<CompareConfig>,
    /// The id of the session's last event: it grows with every change, so
    /// a front end can tell whether what it shows is still current.
    pub last_event: u64,
    /// Referenced files that could not be read back when the session was
    /// opened (in `open`, not in listings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<Unavailable>,
}

impl SessionInfo {
    pub(crate) fn from_state(s: &SessionState, with_config: bool) -> SessionInfo {
        SessionInfo {
            id: s.id.clone(),
            name: s.name.clone(),
            created: s.created,
            updated: s.updated,
            left: s.left.as_ref().map(|i| i.name.clone()),
            right: s.right.as_ref().map(|i| i.name.clone()),
            summary: s.current_result().map(|r| r.summary.clone()),
            config: with_config.then(|| s.config.clone()),
            last_event: s.last_event,
            unavailable: Vec::new(),
        }
    }
}

/// What a results screen needs, in one call: the counts, the differences
/// per column, the columns not compared, the notes, what was suggested, and
/// both files.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResultOverview {
    /// How rows were paired.
    pub mode: Mode,
    /// The key column pairs (empty in positional mode).
    pub keys: Vec<ColumnPair>,
    /// Counts over all rows.
    pub summary: Summary,
    /// Differences per compared column pair.
    pub columns: Vec<ColumnStats>,
    /// Left columns not compared (no partner on the right).
    pub left_only_columns: Vec<String>,
    /// Right columns not compared (no partner on the left).
    pub right_only_columns: Vec<String>,
    /// Key and compared column pairs whose two names differ.
    pub renamed_columns: Vec<ColumnPair>,
    /// Compared column pairs whose two columns hold different types.
    pub type_differences: Vec<ColumnStats>,
    /// Things worth telling the user about how the comparison was made.
    pub notes: Vec<String>,
    /// The key and column pairs that suggestions filled in, if any.
    pub suggested: Option<AppliedSuggestions>,
    /// The left file.
    pub left: TableInfo,
    /// The right file.
    pub right: TableInfo,
    /// How the files were compared when they did not fit the memory limit
    /// (in partitions on disk, or streamed), for people: set by the
    /// comparison this process ran, none for one in memory or for a
    /// result read back from disk (after a restart, say).
    pub plan: Option<String>,
    /// Whether pages and exports read the copies the session kept of the
    /// rows this result names, which it does when a file it references has
    /// changed or gone: the rows are then shown as they were compared.
    pub kept_rows: bool,
    /// Whether the result was made on Apache Spark and opened from its
    /// folder (`sessions import-result`, *Open result from Spark…*): its
    /// files are not read here, and its rows are the differing rows Spark
    /// found.
    pub spark: bool,
    /// The rows the result lists: every differing row, duplicates included
    /// (what an export of all differences writes).
    pub rows: usize,
}

/// A file arriving as a stream, for [`super::Workflow::load_reader`].
pub struct Upload<R> {
    /// The file's name, as the user knows it.
    pub name: String,
    /// Its bytes.
    pub reader: R,
    /// Its size, when known (for progress reports).
    pub size: Option<u64>,
    /// Refuse files of this many bytes or more.
    pub limit: Option<u64>,
}

/// The settings the UI shows: the values in force and their defaults, in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Settings {
    /// The memory limit sessions work within.
    pub memory_limit: u64,
    /// The memory limit when none is set: half of the machine's memory.
    pub memory_limit_default: u64,
    /// Files of this many bytes or more are referenced by path, not copied.
    pub reference_above: u64,
    /// That size when none is set.
    pub reference_above_default: u64,
    /// Why the saved settings were ignored, if they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub problem: Option<String>,
    /// The data folder: sessions and the copies of their files.
    pub data_dir: String,
    /// Bytes the data folder holds.
    pub data_bytes: u64,
}

/// A change of settings. Sizes are written as people write them (`4G`,
/// `512 MiB`); an empty one goes back to the default, and an absent one
/// stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
pub struct SettingsChange {
    /// The new memory limit (at least 1M).
    pub memory_limit: Option<String>,
    /// The new size from which files are referenced by path.
    pub reference_above: Option<String>,
}

/// A job that started: its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Started {
    /// The job, as its [`super::jobs::JobEvent`]s name it.
    pub job: u64,
}

/// A file loaded by [`super::Workflow::load`].
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Loaded {
    /// The job its progress was reported as.
    pub job: u64,
    /// The file as loaded.
    pub file: FileInfo,
    /// How long loading took, in milliseconds.
    pub millis: u64,
}

/// What [`super::Workflow::load`] reads: a file on this machine, or one arriving
/// as a stream (an HTTP request body).
pub enum Incoming {
    /// A path, as the desktop app and the command line give it.
    Path(PathBuf),
    /// A stream, with its name and size.
    Upload(Upload<Box<dyn Read + Send>>),
}
