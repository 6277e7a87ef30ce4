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
pub enum Side {
    /// The first file, the one a comparison starts from.
    Left,
    /// The second file, the one compared against the left.
    Right,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Left => "left",
            Side::Right => "right",
        })
    }
}

/// Errors produced by loading, comparing and exporting.
#[derive(Debug, thiserror::Error)]
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
        /// Why, in words (for example "it is a ZIP archive, such as an .xlsx workbook").
        detail: String,
    },
    /// A record has a different number of fields than the header.
    #[error(
        "'{path}' line {line}: expected {expected} fields (as in the header), found {found}; \
         pass --allow-ragged to pad short rows and cut long ones"
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
    },
    /// A quoted field runs to the end of the file.
    #[error("'{path}' line {line}: a quoted field starts here and is never closed")]
    UnterminatedQuote {
        /// The file as the user named it.
        path: String,
        /// 1-based line where the unclosed record starts.
        line: u64,
    },
    /// A single record is larger than the 4 GiB a row may hold.
    #[error("'{path}' line {line}: one record is larger than 4 GiB")]
    RecordTooLarge {
        /// The file as the user named it.
        path: String,
        /// 1-based line where the record starts.
        line: u64,
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
    /// An option or configuration value is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The operation was cancelled through its cancellation token.
    #[error("the operation was cancelled")]
    Cancelled,
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
    /// The inputs of a session changed while a comparison was running, so its
    /// result was not stored.
    #[error(
        "the files or settings of session '{id}' changed while the comparison ran; run it again"
    )]
    Stale {
        /// The session.
        id: String,
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
        /// What was read ("the data directory '...'", "session '...' event 7").
        what: String,
        /// The format version found.
        found: u64,
        /// The newest format this build reads.
        known: u64,
    },
    /// The session database or blob store failed.
    #[error("session storage failed: {0}")]
    Storage(String),
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
                ..
            } => Error::FieldCount {
                path,
                line,
                expected,
                found,
            },
            Error::UnterminatedQuote { line, .. } => Error::UnterminatedQuote { path, line },
            Error::RecordTooLarge { line, .. } => Error::RecordTooLarge { path, line },
            e => e,
        }
    }

    /// A stable machine-readable code for the error, used by the API and the
    /// desktop app as the `code` of `{code, message}`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Read { .. } => "read_failed",
            Error::Write { .. } => "write_failed",
            Error::EmptyFile { .. } => "empty_file",
            Error::NotText { .. } => "not_text",
            Error::FieldCount { .. } => "field_count",
            Error::UnterminatedQuote { .. } => "unterminated_quote",
            Error::RecordTooLarge { .. } => "record_too_large",
            Error::UnknownColumn { .. } | Error::NoSuchColumn { .. } => "unknown_column",
            Error::Invalid(_) => "invalid",
            Error::Cancelled => "cancelled",
            Error::Xlsx(_) => "xlsx_failed",
            Error::UnknownSession { .. } => "unknown_session",
            Error::MissingInput { .. } => "missing_input",
            Error::Stale { .. } => "stale",
            Error::Conflict { .. } => "conflict",
            Error::Corrupt { .. } => "corrupt",
            Error::NewerFormat { .. } => "newer_format",
            Error::Storage(_) => "storage",
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Storage(e.to_string())
    }
}

/// The result type of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;
