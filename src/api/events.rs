//! The server's event channels, one per session, which `GET
//! /api/sessions/{id}/events` streams as server-sent events: the jobs
//! themselves (loads and comparisons) are the workflow's
//! ([`crate::backend::jobs`]); this only carries what they report to the
//! browser.

use crate::backend::jobs::{EventSink, JobEvent};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::broadcast;

/// The event channel of every session a client listened to or ran a job on.
#[derive(Default)]
pub struct Channels {
    channels: Mutex<HashMap<String, broadcast::Sender<JobEvent>>>,
}

impl Channels {
    /// The event channel of a session.
    pub fn sender(&self, session: &str) -> broadcast::Sender<JobEvent> {
        self.channels
            .lock()
            .entry(session.to_string())
            .or_insert_with(|| broadcast::channel(256).0)
            .clone()
    }

    /// Where a job on `session` sends its events: that session's channel
    /// (an event no one listens to is dropped).
    pub fn sink(&self, session: &str) -> Arc<EventSink> {
        let tx = self.sender(session);
        Arc::new(move |e| {
            let _ = tx.send(e);
        })
    }

    /// Ends every event stream (at shutdown): the channels are dropped, and
    /// a stream ends once the jobs still sending on it finish.
    pub fn close(&self) {
        self.channels.lock().clear();
    }
}
