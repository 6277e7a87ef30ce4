//! The one error every command returns: the engine's own error, or a
//! refusal of the desktop layer (a bad argument, a dialog that failed). It
//! reaches the UI as `{code, message, ...}`, as the web server's do.

use serde::{Serialize, Serializer};

/// A command's error.
#[derive(Debug)]
pub enum Error {
    /// What the engine said, with its code and position fields.
    Engine(concord::Error),
    /// A refusal by the desktop layer.
    Refused {
        /// A stable code (`invalid`, `busy`, `not_running`, `dialog`, `internal`).
        code: &'static str,
        /// A sentence for people.
        message: String,
    },
}

impl Error {
    /// A refusal with `code`.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Error {
        Error::Refused {
            code,
            message: message.into(),
        }
    }

    /// The error's code, as the UI sees it.
    pub fn code(&self) -> String {
        match self {
            Error::Engine(e) => serde_json::json!(e)["code"]
                .as_str()
                .unwrap_or("internal")
                .to_string(),
            Error::Refused { code, .. } => code.to_string(),
        }
    }
}

impl From<concord::Error> for Error {
    fn from(e: concord::Error) -> Error {
        Error::Engine(e)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Engine(e) => e.fmt(f),
            Error::Refused { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Error::Engine(e) => e.serialize(s),
            Error::Refused { code, message } => {
                serde_json::json!({ "code": code, "message": message }).serialize(s)
            }
        }
    }
}

/// What commands return.
pub type Result<T> = std::result::Result<T, Error>;
