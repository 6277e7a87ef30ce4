//! The one error type of the engine.
//!
//! Every variant names what went wrong and where: the file, the line, the
//! field or the column, so that the CLI, the web server and the desktop app
//! can show it to a person as it is.

use std::fmt;
use std::io;

/// Which of the two inputs of a comparison something belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Side {
    /// The first file, the one a comparison starts from.
    Left,
    /// The second file, the one compared against the left.
    Right,
}

/// The [`Error::SourceChanged`] detail of a side compared on Apache Spark
/// and opened from its result folder: its file is never read here.
pub const COMPARED_ON_SPARK: &str =
    "was compared on Apache Spark: this session holds the differing rows Spark found, not the file";

/// What a user can do about a file that changed under a session: load it
/// again, unless it was compared elsewhere (on Spark), where there is
/// nothing to load.
fn reload_hint(detail: &str) -> &'static str {
    if detail == COMPARED_ON_SPARK {
        ""
    } else {
        "; the session did not keep a copy of this large file: load it again to compare its current contents"
    }
}

impl Side {
    /// The side named `left` or `right`, as front ends receive it.
    pub fn from_name(name: &str) -> Result<Side> {
        match name {
            "left" => Ok(Side::Left),
            "right" => Ok(Side::Right),
            other => Err(Error::Invalid(format!(
                "'{other}' is not a side: use left or right"
            ))),
        }
    }

    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Left => "left",
            Side::Right => "right",
        })
    }
}

/// A boxed error kept as the cause of a storage failure.
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Errors produced by loading, comparing, exporting and keeping sessions.
///
/// Each variant has a stable machine code ([`Error::code`]) and an HTTP
/// status ([`Error::http_status`]); serialized, an error is
/// `{"code", "message"}` plus whichever of `path`, `line`, `column`,
/// `side` and `session` it knows, so that every front end can react to it
/// and show it as it is. Messages name the file, line, column or session at
/// fault and never a command-line flag: the CLI adds its own hints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read '{path}': {source}")]
    Read {
        /// The file as the user named it.
        path: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// An output could not be written.
    #[error("cannot write '{path}': {source}")]
    Write {
        /// The output as the user named it.
        path: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The file has no bytes (or only a byte-order mark).
    #[error("'{path}' is empty: there is no header and no data")]
    EmptyFile {
        /// The file as the user named it.
        path: String,
    },
    /// The bytes are not text in any encoding Concord reads.
    #[error("'{path}' is not a CSV text file: {detail}")]
    NotText {
        /// The file as the user named it.
        path: String,
        /// Why, in words (for example "it is a ZIP archive, not a workbook Concord recognises").
        detail: String,
    },
    /// A record has a different number of fields than the header.
    #[error(
        "'{path}' line {line}: expected {expected} fields (as in the header), found {found}{}",
        title_note(*title_lines)
    )]
    FieldCount {
        /// The file as the user named it.
        path: String,
        /// 1-based line where the record starts.
        line: u64,
        /// Number of columns of the table.
        expected: usize,
        /// Number of fields found on that record.
        found: usize,
        /// How many lines at the top look like a title above the real
        /// header (see [`crate::table::sniff::title_lines`]): skipping
        /// them is what would read the file.
        title_lines: Option<u64>,
    },
    /// A quoted field runs to the end of the file.
    #[error("'{path}' line {line}: a quoted field starts here and is never closed")]
    UnterminatedQuote {
        /// The file as the user named it.
        path: String,
        /// 1-based line where the unclosed record starts.
        line: u64,
    },
    /// A single record is larger than the 2 GiB a row may hold.
    #[error("'{path}' line {line}: one record is larger than 2 GiB")]
    RecordTooLarge {
        /// The file as the user named it.
        path: String,
        /// 1-based line where the record starts.
        line: u64,
    },
    /// A file has more rows than a table holds.
    #[error(
        "'{path}' has {rows} rows; Concord handles up to {} rows per file",
        u32::MAX
    )]
    TooManyRows {
        /// The file as the user named it.
        path: String,
        /// Its rows.
        rows: u64,
    },
    /// An upload reached the size limit it was given.
    #[error("'{path}' is {limit} bytes or more; files must be smaller than {limit} bytes here")]
    TooLarge {
        /// The file as the user named it.
        path: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A column named in the configuration does not exist.
    #[error("the {side} file has no column named '{name}' (its columns: {})", .available.join(", "))]
    UnknownColumn {
        /// Which file was searched.
        side: Side,
        /// The name that was asked for.
        name: String,
        /// The columns that file does have.
        available: Vec<String>,
    },
    /// A column named by the configuration (an ignored column, a column's
    /// own rules) is in neither file.
    #[error(
        "{what} names '{name}', which is not a column of either file (left columns: {}; right columns: {})",
        .left.join(", "),
        .right.join(", ")
    )]
    NoSuchColumn {
        /// What names the column, in words ("the list of ignored columns").
        what: String,
        /// The name that was given.
        name: String,
        /// The left file's columns.
        left: Vec<String>,
        /// The right file's columns.
        right: Vec<String>,
    },
    /// A column appears in two keys or mappings.
    #[error("the {side} column '{name}' is used twice in the keys and mappings")]
    ColumnUsedTwice {
        /// The file it belongs to.
        side: Side,
        /// The column.
        name: String,
    },
    /// A comparison rule has a value it cannot take.
    #[error("{}{detail}", .column.as_ref().map(|c| format!("column '{c}': ")).unwrap_or_default())]
    InvalidRule {
        /// The column whose own rules hold the value, if not the global rules.
        column: Option<String>,
        /// What is wrong.
        detail: String,
    },
    /// A file is not what it should be: a Concord session file or event
    /// log that is not one, or an input whose line is not of its format.
    #[error("'{path}'{}: {detail}", .line.map(|l| format!(" line {l}")).unwrap_or_default())]
    InvalidFile {
        /// The file.
        path: String,
        /// The line at fault, when there is one.
        line: Option<u64>,
        /// What is wrong.
        detail: String,
    },
    /// An option or request value is invalid (used by front ends for their
    /// own arguments).
    #[error("{0}")]
    Invalid(String),
    /// A JSON argument of an operation (a configuration, a settings
    /// change: an HTTP request's body, an IPC call's argument) does not
    /// decode as what the operation takes.
    #[error("the request's {name} is not valid: {detail}")]
    InvalidJson {
        /// The argument.
        name: String,
        /// What the decoder said.
        detail: String,
    },
    /// The operation was cancelled through its cancellation token.
    #[error("the operation was cancelled")]
    Cancelled,
    /// A comparison of the session is running already.
    #[error("session '{id}' is already being compared")]
    Busy {
        /// The session.
        id: String,
    },
    /// No comparison of the session is running to be cancelled.
    #[error("no comparison of session '{id}' is running")]
    NotRunning {
        /// The session.
        id: String,
    },
    /// A folder, or something else that is not a file, was given to load.
    #[error("'{path}' is a folder, not a file: choose or drop a CSV file")]
    NotAFile {
        /// The path.
        path: String,
    },
    /// Something failed that never should (a worker thread could not start
    /// or stopped unexpectedly); the message says what.
    #[error("internal error: {0}")]
    Internal(String),
    /// A session reads this file from where the user keeps it (it was too
    /// large to copy into the store), and it is no longer the file that was
    /// loaded.
    #[error("'{path}' {detail}{}", reload_hint(detail))]
    SourceChanged {
        /// The file.
        path: String,
        /// What happened to it ("was deleted or moved", "changed since ...").
        detail: String,
    },
    /// The directory for spill files has too little free space for two
    /// files that do not fit in memory.
    #[error(
        "'{dir}' has {} MiB free, and comparing these files on disk needs about {} MiB; \
         free some space or choose another directory for spill files",
        free >> 20,
        needed >> 20
    )]
    NoSpace {
        /// The directory.
        dir: String,
        /// Bytes the spill files may take.
        needed: u64,
        /// Bytes free there.
        free: u64,
    },
    /// Writing an XLSX workbook failed.
    #[error("cannot write the XLSX workbook: {0}")]
    Xlsx(String),
    /// No session has this id (it never existed or was deleted).
    #[error("there is no session '{id}'")]
    UnknownSession {
        /// The id that was asked for.
        id: String,
    },
    /// A session has no file loaded on a side that an operation needs.
    #[error("session '{id}' has no {side} file loaded yet")]
    MissingInput {
        /// The session.
        id: String,
        /// The side with no file.
        side: Side,
    },
    /// A session has no result made from its current files and settings.
    #[error("session '{id}' has no current comparison result; compare it first")]
    NoResult {
        /// The session.
        id: String,
    },
    /// The inputs of a session changed while a comparison was running, so its
    /// result was not stored.
    #[error(
        "the files or settings of session '{id}' changed while the comparison ran; run it again"
    )]
    Stale {
        /// The session.
        id: String,
    },
    /// A patch whose rows no longer fit the file it is applied to.
    #[error("the patch '{path}' does not fit '{file}': {} of its rows are in conflict{}:\n  {}", .conflicts.len(), if .conflicts.len() > 20 { " (the first 20)" } else { "" }, .conflicts.iter().take(20).cloned().collect::<Vec<_>>().join("\n  "))]
    PatchConflict {
        /// The patch.
        path: String,
        /// The file it was applied to.
        file: String,
        /// The rows in conflict, one line each.
        conflicts: Vec<String>,
    },
    /// Another process (or window) changed the session since it was read.
    #[error("session '{id}' was changed elsewhere (another Concord window or process) since it was opened; reopen it and try again")]
    Conflict {
        /// The session.
        id: String,
    },
    /// Stored data failed its check.
    #[error("session '{session}' is damaged at event {event}: {detail}")]
    Corrupt {
        /// The session.
        session: String,
        /// The event id (0 when the damage is not in one event).
        event: u64,
        /// What is wrong.
        detail: String,
    },
    /// Stored data was written by a newer Concord, in a format this build
    /// does not know.
    #[error("{what} was written by a newer version of Concord (format {found}; this version reads up to {known}); update Concord to open it")]
    NewerFormat {
        /// What was read ("the session database", "session '...' (event 7)").
        what: String,
        /// The format version found.
        found: u64,
        /// The newest format this build reads.
        known: u64,
    },
    /// The session database or blob store failed.
    #[error("session storage failed: {detail}")]
    Storage {
        /// What was being done, and what went wrong.
        detail: String,
        /// The underlying error (SQLite's, the file system's), kept for logs.
        #[source]
        source: Option<Source>,
    },
}

impl Error {
    /// The same error naming the file `path`: a file read from a stored copy
    /// is reported under the name the user knows.
    pub fn with_path(self, path: &str) -> Error {
        let path = path.to_string();
        match self {
            Error::Read { source, .. } => Error::Read { path, source },
            Error::EmptyFile { .. } => Error::EmptyFile { path },
            Error::NotText { detail, .. } => Error::NotText { path, detail },
            Error::FieldCount {
                line,
                expected,
                found,
                title_lines,
                ..
            } => Error::FieldCount {
                path,
                line,
                expected,
                found,
                title_lines,
            },
            Error::UnterminatedQuote { line, .. } => Error::UnterminatedQuote { path, line },
            Error::RecordTooLarge { line, .. } => Error::RecordTooLarge { path, line },
            Error::TooManyRows { rows, .. } => Error::TooManyRows { path, rows },
            Error::InvalidFile { line, detail, .. } => Error::InvalidFile { path, line, detail },
            e => e,
        }
    }

    /// A storage failure described by `detail`.
    pub fn storage(detail: impl Into<String>) -> Error {
        Error::Storage {
            detail: detail.into(),
            source: None,
        }
    }

    /// A storage failure described by `detail`, caused by `source`.
    pub fn storage_from(
        detail: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Storage {
            detail: format!("{}: {source}", detail.into()),
            source: Some(Box::new(source)),
        }
    }

    /// A stable machine-readable code for the error, used by the API and the
    /// desktop app as the `code` of `{code, message}`. The README lists them.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Read { .. } => "read_failed",
            Error::Write { .. } => "write_failed",
            Error::EmptyFile { .. } => "empty_file",
            Error::NotText { .. } => "not_text",
            Error::FieldCount { .. } => "field_count",
            Error::UnterminatedQuote { .. } => "unterminated_quote",
            Error::RecordTooLarge { .. } => "record_too_large",
            Error::TooManyRows { .. } => "too_many_rows",
            Error::TooLarge { .. } => "too_large",
            Error::UnknownColumn { .. } | Error::NoSuchColumn { .. } => "unknown_column",
            Error::ColumnUsedTwice { .. } => "column_used_twice",
            Error::InvalidRule { .. } => "invalid_rule",
            Error::InvalidFile { .. } => "invalid_file",
            Error::Invalid(_) => "invalid",
            Error::InvalidJson { .. } => "invalid_json",
            Error::Cancelled => "cancelled",
            Error::Busy { .. } => "busy",
            Error::NotRunning { .. } => "not_running",
            Error::NotAFile { .. } => "not_a_file",
            Error::Internal(_) => "internal",
            Error::Xlsx(_) => "xlsx_failed",
            Error::UnknownSession { .. } => "not_found",
            Error::MissingInput { .. } => "missing_input",
            Error::NoResult { .. } => "no_result",
            Error::Stale { .. } => "stale",
            Error::Conflict { .. } => "conflict",
            Error::PatchConflict { .. } => "patch_conflict",
            Error::Corrupt { .. } => "corrupt",
            Error::NewerFormat { .. } => "newer_format",
            Error::Storage { .. } => "storage",
            Error::NoSpace { .. } => "no_space",
            Error::SourceChanged { .. } => "source_changed",
        }
    }

    /// The HTTP status a web front end answers with: 404 for what does not
    /// exist, 409 for a request that conflicts with the session's state, 400
    /// for a bad request, 422 for a file that cannot be read as CSV, 500 for
    /// failures of the machine or of stored data.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::UnknownSession { .. } => 404,
            Error::TooLarge { .. } => 413,
            Error::NoSpace { .. } => 507,
            Error::Read { source, .. } if source.kind() == io::ErrorKind::NotFound => 404,
            Error::MissingInput { .. }
            | Error::NoResult { .. }
            | Error::Stale { .. }
            | Error::Conflict { .. }
            | Error::PatchConflict { .. }
            | Error::SourceChanged { .. }
            | Error::Busy { .. }
            | Error::NotRunning { .. }
            | Error::Cancelled => 409,
            Error::UnknownColumn { .. }
            | Error::NoSuchColumn { .. }
            | Error::ColumnUsedTwice { .. }
            | Error::InvalidRule { .. }
            | Error::NotAFile { .. }
            | Error::Invalid(_)
            | Error::InvalidJson { .. } => 400,
            Error::EmptyFile { .. }
            | Error::NotText { .. }
            | Error::FieldCount { .. }
            | Error::UnterminatedQuote { .. }
            | Error::RecordTooLarge { .. }
            | Error::TooManyRows { .. }
            | Error::InvalidFile { .. } => 422,
            Error::Read { .. }
            | Error::Write { .. }
            | Error::Xlsx(_)
            | Error::Corrupt { .. }
            | Error::NewerFormat { .. }
            | Error::Internal(_)
            | Error::Storage { .. } => 500,
        }
    }

    /// The file an error is about, if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Read { path, .. }
            | Error::Write { path, .. }
            | Error::EmptyFile { path }
            | Error::NotText { path, .. }
            | Error::FieldCount { path, .. }
            | Error::UnterminatedQuote { path, .. }
            | Error::RecordTooLarge { path, .. }
            | Error::TooManyRows { path, .. }
            | Error::TooLarge { path, .. }
            | Error::SourceChanged { path, .. }
            | Error::NotAFile { path }
            | Error::InvalidFile { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The 1-based line of the file an error is about, if any.
    pub fn line(&self) -> Option<u64> {
        match self {
            Error::FieldCount { line, .. }
            | Error::UnterminatedQuote { line, .. }
            | Error::RecordTooLarge { line, .. } => Some(*line),
            Error::InvalidFile { line, .. } => *line,
            _ => None,
        }
    }

    /// The column an error is about, if any.
    pub fn column(&self) -> Option<&str> {
        match self {
            Error::UnknownColumn { name, .. }
            | Error::NoSuchColumn { name, .. }
            | Error::ColumnUsedTwice { name, .. } => Some(name),
            Error::InvalidRule { column, .. } => column.as_deref(),
            _ => None,
        }
    }

    /// The session an error is about, if any.
    pub fn session(&self) -> Option<&str> {
        match self {
            Error::UnknownSession { id }
            | Error::MissingInput { id, .. }
            | Error::NoResult { id }
            | Error::Stale { id }
            | Error::Busy { id }
            | Error::NotRunning { id }
            | Error::Conflict { id } => Some(id),
            Error::Corrupt { session, .. } => Some(session),
            _ => None,
        }
    }

    /// The side of the comparison an error is about, if any.
    pub fn side(&self) -> Option<Side> {
        match self {
            Error::UnknownColumn { side, .. }
            | Error::ColumnUsedTwice { side, .. }
            | Error::MissingInput { side, .. } => Some(*side),
            _ => None,
        }
    }
}

/// The end of a [`Error::FieldCount`] message when title lines were found.
fn title_note(title_lines: Option<u64>) -> String {
    match title_lines {
        Some(1) => "; the first line looks like a title above the header".to_string(),
        Some(n) => format!("; the first {n} lines look like a title above the header"),
        None => String::new(),
    }
}

impl serde::Serialize for Error {
    /// `{"code", "message"}` and the structured fields the error has.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("code", self.code())?;
        m.serialize_entry("message", &self.to_string())?;
        if let Some(p) = self.path() {
            m.serialize_entry("path", p)?;
        }
        if let Some(l) = self.line() {
            m.serialize_entry("line", &l)?;
        }
        if let Some(c) = self.column() {
            m.serialize_entry("column", c)?;
        }
        if let Some(side) = self.side() {
            m.serialize_entry("side", &side)?;
        }
        if let Some(id) = self.session() {
            m.serialize_entry("session", id)?;
        }
        if let Error::FieldCount {
            title_lines: Some(n),
            ..
        } = self
        {
            m.serialize_entry("title_lines", n)?;
        }
        m.end()
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::storage_from("the session database failed", e)
    }
}

/// The result type of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialize_with_code_message_and_fields() {
        let e = Error::FieldCount {
            path: "a.csv".into(),
            line: 7,
            expected: 3,
            found: 2,
            title_lines: None,
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["code"], "field_count");
        assert!(v.get("title_lines").is_none());
        assert_eq!(v["path"], "a.csv");
        assert_eq!(v["line"], 7);
        assert!(v["message"].as_str().unwrap().contains("line 7"));
        assert!(
            !v["message"].as_str().unwrap().contains("--"),
            "no CLI flags"
        );
        assert_eq!(e.http_status(), 422);
        let v = serde_json::to_value(Error::UnknownSession { id: "x1".into() }).unwrap();
        assert_eq!(
            (v["code"].as_str(), v["session"].as_str()),
            (Some("not_found"), Some("x1"))
        );
        assert_eq!(Error::NoResult { id: "x".into() }.http_status(), 409);
        assert_eq!(Error::Stale { id: "x".into() }.http_status(), 409);
        assert_eq!(Error::storage("disk").http_status(), 500);
    }

    #[test]
    fn storage_errors_keep_their_source() {
        let sqlite = rusqlite::Connection::open_in_memory()
            .unwrap()
            .execute("NOT SQL", [])
            .unwrap_err();
        let e = Error::from(sqlite);
        let source = std::error::Error::source(&e).expect("the SQLite error is kept");
        assert!(source.downcast_ref::<rusqlite::Error>().is_some());
        assert_eq!(e.code(), "storage");
    }
}
