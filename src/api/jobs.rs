//! Running comparisons and the events they send.
//!
//! A comparison runs as a job on a blocking thread; at most one per
//! session. Its progress, and that of file loads, goes to the session's
//! event channel, which `GET /api/sessions/{id}/events` streams as
//! server-sent events. A job is cancelled through its flag (by `DELETE
//! .../compare`, or for every job when the server shuts down).

use crate::compare::Summary;
use crate::progress::Progress;
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// One event on a session's channel; serialized with its `type`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JobEvent {
    /// Work in progress: `{"type": "progress", "job", "phase", "side", "done", "total"}`.
    Progress(Progress),
    /// A comparison finished and its result is stored.
    Done {
        /// The job.
        job: u64,
        /// The result's counts.
        summary: Summary,
    },
    /// A job failed; `error` is the engine's `{code, message, ...}`.
    Failed {
        /// The job.
        job: u64,
        /// What went wrong.
        error: serde_json::Value,
    },
    /// A job was cancelled; the session is as it was.
    Cancelled {
        /// The job.
        job: u64,
    },
}

impl JobEvent {
    /// The event's name in the stream.
    pub fn name(&self) -> &'static str {
        match self {
            JobEvent::Progress(_) => "progress",
            JobEvent::Done { .. } => "done",
            JobEvent::Failed { .. } => "failed",
            JobEvent::Cancelled { .. } => "cancelled",
        }
    }
}

/// A running comparison.
struct Running {
    job: u64,
    cancel: Arc<AtomicBool>,
}

/// The server's jobs and event channels.
#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    running: Mutex<HashMap<String, Running>>,
    channels: Mutex<HashMap<String, broadcast::Sender<JobEvent>>>,
}

/// Progress reports are sent at most this often per job, so a fast job does
/// not flood a slow browser.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

impl Jobs {
    /// A new job number.
    pub fn next_job(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The event channel of a session.
    pub fn sender(&self, session: &str) -> broadcast::Sender<JobEvent> {
        self.channels
            .lock()
            .entry(session.to_string())
            .or_insert_with(|| broadcast::channel(256).0)
            .clone()
    }

    /// Registers a comparison on `session`; `None` when one is running.
    pub fn start(&self, session: &str) -> Option<(u64, Arc<AtomicBool>)> {
        let mut running = self.running.lock();
        if running.contains_key(session) {
            return None;
        }
        let job = self.next_job();
        let cancel = Arc::new(AtomicBool::new(false));
        running.insert(
            session.to_string(),
            Running {
                job,
                cancel: cancel.clone(),
            },
        );
        Some((job, cancel))
    }

    /// Unregisters a finished comparison.
    pub fn finish(&self, session: &str, job: u64) {
        let mut running = self.running.lock();
        if running.get(session).is_some_and(|r| r.job == job) {
            running.remove(session);
        }
    }

    /// Asks the comparison on `session` to stop; returns its job, if one runs.
    pub fn cancel(&self, session: &str) -> Option<u64> {
        let running = self.running.lock();
        let r = running.get(session)?;
        r.cancel.store(true, Ordering::Relaxed);
        Some(r.job)
    }

    /// Asks every running comparison to stop (at shutdown).
    pub fn cancel_all(&self) {
        for r in self.running.lock().values() {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Ends every event stream (at shutdown): the channels are dropped, and
    /// a stream ends once the jobs still sending on it finish.
    pub fn close_channels(&self) {
        self.channels.lock().clear();
    }

    /// How many comparisons are running.
    pub fn running(&self) -> usize {
        self.running.lock().len()
    }
}

/// A progress callback that forwards reports to `tx`, at most every
/// [`PROGRESS_EVERY`] except the last of each phase.
pub fn forward(tx: broadcast::Sender<JobEvent>) -> impl Fn(Progress) + Sync {
    let last = Mutex::new(None::<Instant>);
    move |p: Progress| {
        let mut last = last.lock();
        let due = last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) || p.done >= p.total;
        if due {
            *last = Some(Instant::now());
            let _ = tx.send(JobEvent::Progress(p));
        }
    }
}
