//! Files being loaded, one per side of a session at most: a newer load on
//! the same side stops the older one (so the file chosen last is the one
//! that stays), and the UI can stop one.

use concord::Side;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// A running load: its job number and cancel flag.
type Running = (u64, Arc<AtomicBool>);

/// The loads running, by session and side.
#[derive(Default)]
pub struct Loads {
    next: AtomicU64,
    running: Mutex<HashMap<(String, Side), Running>>,
}

impl Loads {
    /// Registers a load on `side` of `session`, stopping the one running
    /// there; its job number and cancel flag.
    pub fn start(&self, session: &str, side: Side) -> (u64, Arc<AtomicBool>) {
        let job = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let cancel = Arc::new(AtomicBool::new(false));
        let older = self
            .running
            .lock()
            .insert((session.to_string(), side), (job, cancel.clone()));
        if let Some((_, flag)) = older {
            flag.store(true, Ordering::Relaxed);
        }
        (job, cancel)
    }

    /// Unregisters load `job` once it ended.
    pub fn finish(&self, session: &str, side: Side, job: u64) {
        let mut running = self.running.lock();
        let key = (session.to_string(), side);
        if running.get(&key).is_some_and(|(j, _)| *j == job) {
            running.remove(&key);
        }
    }

    /// Stops every load (when the app quits).
    pub fn cancel_all(&self) {
        for (_, flag) in self.running.lock().values() {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// Stops the load on `side` of `session`; its job, if one runs.
    pub fn cancel(&self, session: &str, side: Side) -> Option<u64> {
        let running = self.running.lock();
        let (job, flag) = running.get(&(session.to_string(), side))?;
        flag.store(true, Ordering::Relaxed);
        Some(*job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_load_stops_the_older_and_only_its_own_end_unregisters() {
        let loads = Loads::default();
        let (first, first_flag) = loads.start("s", Side::Left);
        let (second, second_flag) = loads.start("s", Side::Left);
        assert!(
            first_flag.load(Ordering::Relaxed),
            "the older load is stopped"
        );
        assert!(!second_flag.load(Ordering::Relaxed));
        let (_, right_flag) = loads.start("s", Side::Right);
        assert!(
            !right_flag.load(Ordering::Relaxed),
            "the other side runs on"
        );
        loads.finish("s", Side::Left, first);
        assert_eq!(loads.cancel("s", Side::Left), Some(second));
        assert!(second_flag.load(Ordering::Relaxed));
        loads.finish("s", Side::Left, second);
        assert_eq!(loads.cancel("s", Side::Left), None);
    }
}
