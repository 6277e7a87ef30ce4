//! Progress reporting and cancellation for long operations.
//!
//! The engine never talks to a terminal or a window: it calls the progress
//! callback it is given, and checks the cancellation flag between pieces of
//! work. The CLI draws a progress bar from the callback; the desktop app and
//! the web server forward it to the UI.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicBool, Ordering};

/// The step of a long operation that a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Reading and parsing a file; units are bytes.
    Loading,
    /// Matching rows by key and comparing cells; units are rows.
    Comparing,
    /// Writing an export; units are rows.
    Exporting,
}

/// One progress report: `done` of `total` units of `stage`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Progress {
    /// What is being done.
    pub stage: Stage,
    /// Units finished so far.
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

/// A progress callback. It is called from worker threads, so it must be `Sync`.
pub type ProgressFn<'a> = dyn Fn(Progress) + Sync + 'a;

/// How a caller watches and stops a long operation; `Control::default()` does neither.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    /// Called with progress reports, possibly from several threads.
    pub progress: Option<&'a ProgressFn<'a>>,
    /// When set to true, the operation stops at its next check with [`Error::Cancelled`].
    pub cancel: Option<&'a AtomicBool>,
}

impl<'a> Control<'a> {
    /// Sends a progress report, if anyone listens.
    pub fn report(&self, stage: Stage, done: u64, total: u64) {
        if let Some(p) = self.progress {
            p(Progress { stage, done, total });
        }
    }

    /// Fails with [`Error::Cancelled`] once cancellation was asked for.
    pub fn check(&self) -> Result<()> {
        match self.cancel {
            Some(c) if c.load(Ordering::Relaxed) => Err(Error::Cancelled),
            _ => Ok(()),
        }
    }
}
