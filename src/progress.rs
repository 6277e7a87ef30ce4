//! Progress reporting and cancellation for long operations.
//!
//! The engine never talks to a terminal or a window: it calls the progress
//! callback it is given, and checks the cancellation flag between pieces of
//! work (inside parsing, comparing and view building, not only between
//! steps). The CLI draws a progress bar from the callback; the web server
//! sends each [`Progress`] as a server-sent event and the desktop app
//! through a Tauri channel, so a report says which job and which side it
//! belongs to, and two loads in flight never share one bar.

use crate::error::{Error, Result, Side};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

/// The step of a long operation that a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Phase {
    /// Copying a file into the session store; units are bytes.
    Storing,
    /// Reading and parsing a file; units are bytes.
    Loading,
    /// Profiling columns; units are columns.
    Profiling,
    /// Suggesting column pairs and keys; units are steps.
    Suggesting,
    /// Matching rows by key and comparing cells; units are rows.
    Comparing,
    /// Filtering, searching or sorting a result for a view; units are rows.
    Viewing,
    /// Writing an export; units are rows.
    Exporting,
}

impl Phase {
    /// The name used in reports (`loading`, `comparing`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Phase::Storing => "storing",
            Phase::Loading => "loading",
            Phase::Profiling => "profiling",
            Phase::Suggesting => "suggesting",
            Phase::Comparing => "comparing",
            Phase::Viewing => "viewing",
            Phase::Exporting => "exporting",
        }
    }
}

/// One progress report: `done` of `total` units of `phase`, for job `job`
/// and, when the work belongs to one file, that file's `side`. Serialized
/// as `{"job", "phase", "side", "done", "total"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    /// The job, as numbered by whoever started it (0 when nobody did).
    pub job: u64,
    /// What is being done.
    pub phase: Phase,
    /// The file the work is about, if it is about one.
    pub side: Option<Side>,
    /// Units finished so far.
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

/// A progress callback. It is called from worker threads, so it must be `Sync`.
pub type ProgressFn<'a> = dyn Fn(Progress) + Sync + 'a;

/// How a caller watches and stops a long operation; `Control::default()` does
/// neither. It is a small `Copy` value, passed down by value.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    /// Called with progress reports, possibly from several threads.
    pub progress: Option<&'a ProgressFn<'a>>,
    /// When set to true, the operation stops at its next check with [`Error::Cancelled`].
    pub cancel: Option<&'a AtomicBool>,
    /// The job number put in every report.
    pub job: u64,
    /// The side put in every report, for work on one file.
    pub side: Option<Side>,
}

impl<'a> Control<'a> {
    /// A control reporting to `progress` and stopped by `cancel`.
    pub fn new(progress: &'a ProgressFn<'a>, cancel: &'a AtomicBool) -> Control<'a> {
        Control {
            progress: Some(progress),
            cancel: Some(cancel),
            ..Control::default()
        }
    }

    /// The same control, numbering its reports as job `job`.
    pub fn with_job(self, job: u64) -> Control<'a> {
        Control { job, ..self }
    }

    /// The same control, marking its reports as work on `side`.
    pub fn with_side(self, side: Side) -> Control<'a> {
        Control {
            side: Some(side),
            ..self
        }
    }

    /// Sends a progress report, if anyone listens.
    pub fn report(&self, phase: Phase, done: u64, total: u64) {
        if let Some(p) = self.progress {
            p(Progress {
                job: self.job,
                phase,
                side: self.side,
                done,
                total,
            });
        }
    }

    /// Whether cancellation was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Fails with [`Error::Cancelled`] once cancellation was asked for.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_carry_job_and_side_and_serialize_for_events() {
        let seen = std::sync::Mutex::new(Vec::new());
        let report = |p: Progress| seen.lock().unwrap().push(p);
        let cancel = AtomicBool::new(false);
        let ctl = Control::new(&report, &cancel).with_job(7);
        ctl.with_side(Side::Left).report(Phase::Loading, 1, 4);
        ctl.report(Phase::Comparing, 2, 4);
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen[0].side, Some(Side::Left));
        assert_eq!(seen[1].side, None);
        assert_eq!(
            serde_json::to_value(seen[0]).unwrap(),
            serde_json::json!({"job": 7, "phase": "loading", "side": "left", "done": 1, "total": 4})
        );
        assert!(ctl.check().is_ok());
        cancel.store(true, Ordering::Relaxed);
        assert!(matches!(ctl.check(), Err(Error::Cancelled)));
    }
}
