//! Comparisons running in the background, for front ends that start a job
//! and answer at once (the web server, the desktop app).
//!
//! At most one comparison runs per session; [`Jobs`] hands out job numbers
//! and cancel flags, and cancels one job or all of them. What a job reports
//! is a [`JobEvent`]: the server streams these as server-sent events, the
//! desktop app sends them through an IPC channel. [`throttled`] keeps
//! progress reports from flooding either.

use super::Workflow;
use crate::compare::Summary;
use crate::progress::{Control, Progress, ProgressFn};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One event of a job; serialized with its `type`.
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
    /// The event's name (`progress`, `done`, `failed`, `cancelled`).
    pub fn name(&self) -> &'static str {
        match self {
            JobEvent::Progress(_) => "progress",
            JobEvent::Done { .. } => "done",
            JobEvent::Failed { .. } => "failed",
            JobEvent::Cancelled { .. } => "cancelled",
        }
    }

    /// The event that ends job `job` with `outcome`.
    pub fn outcome(job: u64, outcome: crate::error::Result<Summary>) -> JobEvent {
        match outcome {
            Ok(summary) => JobEvent::Done { job, summary },
            Err(crate::error::Error::Cancelled) => JobEvent::Cancelled { job },
            Err(e) => JobEvent::Failed {
                job,
                error: serde_json::json!(e),
            },
        }
    }
}

/// How long a front end that quits waits for cancelled comparisons to stop.
pub const STOP_WAIT: Duration = Duration::from_secs(30);

/// A running comparison.
struct Running {
    job: u64,
    cancel: Arc<AtomicBool>,
}

/// Job numbers and the comparisons running, one per session at most.
#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    running: Mutex<HashMap<String, Running>>,
}

impl Jobs {
    /// A new job number.
    pub fn next_job(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
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

    /// How many comparisons are running.
    pub fn running(&self) -> usize {
        self.running.lock().len()
    }

    /// Runs the comparison of `session` registered as `job` (with `cancel`,
    /// from [`Jobs::start`]) on this thread, reporting to `report`, then
    /// unregisters it; the event that ends it. Front ends call this on a
    /// blocking thread and send the event where their client listens.
    pub fn run_compare(
        &self,
        workflow: &Workflow,
        session: &str,
        (job, cancel): (u64, &AtomicBool),
        report: &ProgressFn<'_>,
    ) -> JobEvent {
        let ctl = Control::new(report, cancel).with_job(job);
        let outcome = workflow.compare(session, ctl);
        self.finish(session, job);
        JobEvent::outcome(job, outcome)
    }

    /// Waits (blocking) until no comparison runs, at most `timeout`, so
    /// that a front end that quits after [`Jobs::cancel_all`] loses nothing
    /// it said was stored; whether none runs.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.running() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.running() == 0
    }
}

/// Progress reports are passed on at most this often per job, so a fast job
/// does not flood a slow reader.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// A progress callback that passes reports to `send` as [`JobEvent`]s, at
/// most every [`PROGRESS_EVERY`], and always the last of a phase.
pub fn throttled(send: impl Fn(JobEvent) + Sync) -> impl Fn(Progress) + Sync {
    let last = Mutex::new(None::<Instant>);
    move |p: Progress| {
        let mut last = last.lock();
        let due = last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) || p.done >= p.total;
        if due {
            *last = Some(Instant::now());
            send(JobEvent::Progress(p));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Phase;

    #[test]
    fn one_comparison_per_session_and_cancel_reaches_its_flag() {
        let jobs = Jobs::default();
        let (job, flag) = jobs.start("a").unwrap();
        assert!(
            jobs.start("a").is_none(),
            "a second job on the same session"
        );
        assert!(jobs.start("b").is_some());
        assert_eq!(jobs.cancel("a"), Some(job));
        assert!(flag.load(Ordering::Relaxed));
        jobs.finish("a", job);
        assert_eq!(jobs.cancel("a"), None);
        assert_eq!(jobs.running(), 1);
    }

    #[test]
    fn throttled_progress_keeps_the_first_and_the_last() {
        let seen = Mutex::new(Vec::new());
        let report = throttled(|e| seen.lock().push(e));
        for done in 0..=1000 {
            report(Progress {
                job: 1,
                phase: Phase::Comparing,
                side: None,
                done,
                total: 1000,
            });
        }
        drop(report);
        let seen = seen.into_inner();
        assert!(seen.len() < 10, "{} reports", seen.len());
        let done: Vec<u64> = seen
            .iter()
            .map(|e| match e {
                JobEvent::Progress(p) => p.done,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!((done[0], *done.last().unwrap()), (0, 1000));
    }
}
