//! The server's side of background jobs: the shared registry
//! ([`crate::backend::jobs::Jobs`]) plus one event channel per session,
//! which `GET /api/sessions/{id}/events` streams as server-sent events.
//! File loads report their progress on the same channel.

pub use crate::backend::jobs::JobEvent;
use crate::backend::jobs::{self, throttled};
use crate::progress::Progress;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::ops::Deref;
use tokio::sync::broadcast;

/// The server's jobs and event channels.
#[derive(Default)]
pub struct Jobs {
    registry: jobs::Jobs,
    channels: Mutex<HashMap<String, broadcast::Sender<JobEvent>>>,
}

impl Deref for Jobs {
    type Target = jobs::Jobs;
    fn deref(&self) -> &jobs::Jobs {
        &self.registry
    }
}

impl Jobs {
    /// The event channel of a session.
    pub fn sender(&self, session: &str) -> broadcast::Sender<JobEvent> {
        self.channels
            .lock()
            .entry(session.to_string())
            .or_insert_with(|| broadcast::channel(256).0)
            .clone()
    }

    /// Ends every event stream (at shutdown): the channels are dropped, and
    /// a stream ends once the jobs still sending on it finish.
    pub fn close_channels(&self) {
        self.channels.lock().clear();
    }
}

/// A progress callback that sends throttled reports to `tx`.
pub fn forward(tx: broadcast::Sender<JobEvent>) -> impl Fn(Progress) + Sync {
    throttled(move |e| {
        let _ = tx.send(e);
    })
}
