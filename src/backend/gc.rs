//! Garbage collection: removing the blobs no session refers to any more.

use super::session::SessionState;
use super::store::{SessionStore, Slot};
use crate::error::Result;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What garbage collection removed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GcReport {
    /// Blobs removed.
    pub removed: usize,
    /// Bytes freed.
    pub bytes: u64,
    /// Blobs kept because some session refers to them.
    pub kept: usize,
}

impl SessionStore {
    /// Removes blobs that no session refers to and that are older than
    /// `grace` (so a blob written for an event not yet committed survives),
    /// and temporary files of writes abandoned longer than `grace` ago.
    pub fn gc(&self, grace: Duration) -> Result<GcReport> {
        let (mut referenced, snapshots): (Vec<String>, Vec<String>) = self.log.references()?;
        for snap in &snapshots {
            if let Ok(bytes) = self.blobs.read(snap) {
                if let Ok(state) = serde_json::from_slice::<SessionState>(&bytes) {
                    referenced.extend(state.blobs().into_iter().map(String::from));
                }
            }
        }
        referenced.extend(snapshots);
        // Take the sessions out of the map's lock before reading each one.
        let resident: Vec<Arc<Slot>> = self.sessions.read().values().cloned().collect();
        for slot in resident {
            referenced.extend(slot.data.read().state.blobs().into_iter().map(String::from));
        }
        let referenced: HashSet<String> = referenced.into_iter().collect();
        let cutoff = SystemTime::now() - grace;
        let mut report = GcReport::default();
        for (hash, modified) in self.blobs.list()? {
            if referenced.contains(&hash) || modified > cutoff {
                report.kept += 1;
                continue;
            }
            report.bytes += std::fs::metadata(self.blobs.path(&hash)).map_or(0, |m| m.len());
            self.blobs.remove(&hash)?;
            report.removed += 1;
        }
        for (path, modified) in self.blobs.temporaries()? {
            if modified < cutoff {
                let _ = std::fs::remove_file(path);
            }
        }
        Ok(report)
    }
}
