//! Jobs: loads and comparisons that report progress and can be stopped,
//! for front ends that answer while work goes on (the web server, the
//! desktop app).
//!
//! At most one comparison runs per session, and one load per side; [`Jobs`]
//! numbers them all from one sequence. The workflow's job methods
//! ([`Workflow::start_compare`], [`Workflow::load`] and their cancels) are
//! all a front end calls: the checks, the refusals (`busy`,
//! `not_running`) and the threads live here, once. What a job reports is a
//! [`JobEvent`]: the server streams these as server-sent events, the
//! desktop app sends them through an IPC channel. [`throttled`] keeps
//! progress reports from flooding either.

use super::models::{Incoming, Loaded, Started};
use super::Workflow;
use crate::compare::Summary;
use crate::error::{Error, Result, Side};
use crate::progress::{Control, Progress};
use crate::table::LoadOptions;
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One event of a job; serialized with its `type`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
        #[cfg_attr(feature = "ts", ts(type = "ApiError"))]
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

/// How long a front end that quits waits for cancelled jobs to stop.
pub const STOP_WAIT: Duration = Duration::from_secs(30);

/// What a job works on: one comparison per session, one load per side.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Slot {
    Compare(String),
    Load(String, Side),
}

/// A running job.
struct Running {
    job: u64,
    cancel: Arc<AtomicBool>,
}

/// Every job running, loads and comparisons, numbered from one sequence so
/// that no two jobs share a number. A [`Workflow`] holds one, shared by its
/// clones; front ends reach it through the workflow's job methods.
#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    running: Mutex<HashMap<Slot, Running>>,
}

impl Jobs {
    /// Registers a job on `slot`: a comparison refuses to start while one
    /// runs (`None`), a load stops the one running on its side, so that
    /// the file chosen last is the one that stays.
    fn start(&self, slot: Slot) -> Option<(u64, Arc<AtomicBool>)> {
        let mut running = self.running.lock();
        if let Some(older) = running.get(&slot) {
            match slot {
                Slot::Compare(_) => return None,
                Slot::Load(..) => older.cancel.store(true, Ordering::Relaxed),
            }
        }
        let job = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let cancel = Arc::new(AtomicBool::new(false));
        let entry = Running {
            job,
            cancel: cancel.clone(),
        };
        running.insert(slot, entry);
        Some((job, cancel))
    }

    /// Unregisters job `job` once it ended (a newer job on the same slot
    /// stays).
    fn finish(&self, slot: &Slot, job: u64) {
        let mut running = self.running.lock();
        if running.get(slot).is_some_and(|r| r.job == job) {
            running.remove(slot);
        }
    }

    /// Asks the job on `slot` to stop; its number, if one runs.
    fn cancel(&self, slot: &Slot) -> Option<u64> {
        let running = self.running.lock();
        let r = running.get(slot)?;
        r.cancel.store(true, Ordering::Relaxed);
        Some(r.job)
    }

    /// How many jobs are running.
    pub fn running(&self) -> usize {
        self.running.lock().len()
    }
}

/// Where a job's events go: a server-sent event stream, an IPC channel.
pub type EventSink = dyn Fn(JobEvent) + Send + Sync;

impl Workflow {
    /// Starts comparing session `id` on a thread of its own; its progress,
    /// then the event that ends it (`done`, `failed` or `cancelled`), go to
    /// `send`. Refused with [`Error::Busy`] while a comparison of the
    /// session runs.
    pub fn start_compare(&self, id: &str, send: Arc<EventSink>) -> Result<Started> {
        self.session(id)?;
        let slot = Slot::Compare(id.to_string());
        let (job, cancel) = self
            .jobs
            .start(slot.clone())
            .ok_or_else(|| Error::Busy { id: id.to_string() })?;
        let (w, id, ours) = (self.clone(), id.to_string(), slot.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("compare {job}"))
            .spawn(move || {
                let report = throttled(|e| send(e));
                let ctl = Control::new(&report, &cancel).with_job(job);
                let outcome = unpanicked(|| w.compare(&id, ctl), "the comparison");
                w.jobs.finish(&slot, job);
                send(JobEvent::outcome(job, outcome));
            });
        if let Err(e) = spawned {
            self.jobs.finish(&ours, job);
            return Err(Error::Internal(format!("cannot start a comparison: {e}")));
        }
        Ok(Started { job })
    }

    /// Asks the comparison of session `id` to stop; [`Error::NotRunning`]
    /// when none runs. Its `cancelled` event follows once it stopped.
    pub fn cancel_compare(&self, id: &str) -> Result<Started> {
        self.jobs
            .cancel(&Slot::Compare(id.to_string()))
            .map(|job| Started { job })
            .ok_or_else(|| Error::NotRunning { id: id.to_string() })
    }

    /// Loads `incoming` into one side of session `id` as a job, reporting
    /// progress to `send`, on this thread: a newer load on the same side
    /// stops this one, and [`Workflow::cancel_load`] can.
    pub fn load(
        &self,
        id: &str,
        side: Side,
        incoming: Incoming,
        options: &LoadOptions,
        send: &EventSink,
    ) -> Result<Loaded> {
        let started = Instant::now();
        let slot = Slot::Load(id.to_string(), side);
        let (job, cancel) = self
            .jobs
            .start(slot.clone())
            .ok_or_else(|| Error::Internal("a load was refused a job".into()))?;
        let report = throttled(send);
        let ctl = Control::new(&report, &cancel).with_job(job);
        let file = unpanicked(
            || match incoming {
                Incoming::Path(path) => self.load_file(id, side, &path, options, ctl),
                Incoming::Upload(upload) => self.load_reader(id, side, upload, options, ctl),
            },
            "loading the file",
        );
        self.jobs.finish(&slot, job);
        Ok(Loaded {
            job,
            file: file?,
            millis: started.elapsed().as_millis() as u64,
        })
    }

    /// Stops the load running on `side` of session `id`; its job, if one runs.
    pub fn cancel_load(&self, id: &str, side: Side) -> Option<u64> {
        self.jobs.cancel(&Slot::Load(id.to_string(), side))
    }

    /// Asks every job to stop (when a front end quits).
    pub fn cancel_jobs(&self) {
        for r in self.jobs.running.lock().values() {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Waits (blocking) until no job runs, at most `timeout`, so that a
    /// front end that quits after [`Workflow::cancel_jobs`] loses nothing
    /// it said was stored; whether none runs.
    pub fn wait_for_jobs(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.jobs.running() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.jobs.running() == 0
    }
}

/// `work`'s outcome, or an [`Error::Internal`] naming `what` if it
/// panicked: a job always ends, unregistered and with its last event sent,
/// so its session is never left busy.
fn unpanicked<T>(work: impl FnOnce() -> Result<T>, what: &str) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
        .unwrap_or_else(|_| Err(Error::Internal(format!("{what} stopped unexpectedly"))))
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
    fn one_comparison_per_session_one_load_per_side_and_one_sequence() {
        let jobs = Jobs::default();
        let compare = |s: &str| Slot::Compare(s.to_string());
        let load = |s: &str, side| Slot::Load(s.to_string(), side);
        let (job, flag) = jobs.start(compare("a")).unwrap();
        assert!(
            jobs.start(compare("a")).is_none(),
            "a second comparison of the same session"
        );
        let (other, _) = jobs.start(compare("b")).unwrap();
        let (first, first_flag) = jobs.start(load("a", Side::Left)).unwrap();
        let (second, second_flag) = jobs.start(load("a", Side::Left)).unwrap();
        let (right, right_flag) = jobs.start(load("a", Side::Right)).unwrap();
        let mut numbers = vec![job, other, first, second, right];
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), 5, "loads and comparisons share one sequence");
        assert!(
            first_flag.load(Ordering::Relaxed),
            "a newer load stops the older"
        );
        assert!(!second_flag.load(Ordering::Relaxed) && !right_flag.load(Ordering::Relaxed));
        jobs.finish(&load("a", Side::Left), first);
        assert_eq!(
            jobs.cancel(&load("a", Side::Left)),
            Some(second),
            "only its own end unregisters"
        );
        assert_eq!(jobs.cancel(&compare("a")), Some(job));
        assert!(flag.load(Ordering::Relaxed));
        jobs.finish(&compare("a"), job);
        assert_eq!(jobs.cancel(&compare("a")), None);
        assert_eq!(jobs.running(), 3);
    }

    #[test]
    fn waiting_for_jobs_returns_once_the_last_one_ended() {
        let dir = tempfile::tempdir().unwrap();
        let w = Workflow::open(dir.path()).unwrap();
        let slot = Slot::Compare("s".into());
        let (job, cancel) = w.jobs.start(slot.clone()).unwrap();
        assert!(!w.wait_for_jobs(Duration::ZERO), "a job runs");
        let jobs = w.jobs.clone();
        let worker = std::thread::spawn(move || {
            while !cancel.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(5));
            }
            std::thread::sleep(Duration::from_millis(50));
            jobs.finish(&slot, job);
        });
        w.cancel_jobs();
        assert!(w.wait_for_jobs(Duration::from_secs(10)));
        assert_eq!(w.jobs.running(), 0);
        worker.join().unwrap();
    }

    #[test]
    fn a_job_that_panics_ends_with_an_internal_error() {
        let ok = unpanicked(|| Ok(7), "counting");
        assert_eq!(ok.unwrap(), 7);
        let e = unpanicked(|| -> Result<()> { panic!("a bug") }, "counting").unwrap_err();
        assert_eq!(e.code(), "internal");
        assert!(
            e.to_string().contains("counting stopped unexpectedly"),
            "{e}"
        );
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
