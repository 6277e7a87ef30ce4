//! A session's durable state: the events that change it, and the state they
//! fold into.
//!
//! Folding is pure and deterministic: the same events always give the same
//! state, which is what lets a session be rebuilt after a restart or a crash
//! from its last snapshot and the events after it.

use crate::compare::{CompareConfig, CompareResult, Summary};
use crate::error::Side;
use crate::table::{LoadOptions, Table};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A file loaded into one side of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRef {
    /// Hash of the file's bytes in the blob store.
    pub blob: String,
    /// The file's name as the user gave it.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// How the file was read: detected values made explicit, so that
    /// reloading reads it the same way.
    pub options: LoadOptions,
}

/// A stored comparison result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRef {
    /// Hash of the serialized [`CompareResult`] in the blob store.
    pub blob: String,
    /// The data revision the comparison was made at.
    pub data_revision: u64,
    /// Its summary, for listings.
    pub summary: Summary,
}

/// One change to a session, as appended to its event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The session was created.
    Created {
        /// Its name.
        name: String,
    },
    /// The session was renamed.
    Renamed {
        /// The new name.
        name: String,
    },
    /// A file was loaded into (or replaced on) one side.
    Loaded {
        /// Which side.
        side: Side,
        /// The file.
        input: InputRef,
    },
    /// Keys, mappings or rules were set.
    ConfigSet {
        /// The whole new configuration.
        config: CompareConfig,
    },
    /// A comparison finished and its result was stored.
    Compared {
        /// The stored result.
        result: ResultRef,
    },
}

/// Everything durable about a session, folded from its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    /// The session id.
    pub id: String,
    /// Its name, for people.
    pub name: String,
    /// When it was created (milliseconds since the Unix epoch).
    pub created: i64,
    /// When it last changed (milliseconds since the Unix epoch).
    pub updated: i64,
    /// The left file, once loaded.
    pub left: Option<InputRef>,
    /// The right file, once loaded.
    pub right: Option<InputRef>,
    /// Keys, mappings and rules.
    pub config: CompareConfig,
    /// The latest comparison, if any.
    pub result: Option<ResultRef>,
    /// Bumped by every change to the inputs (a file or the configuration);
    /// a result is current when it was made at this revision.
    pub data_revision: u64,
    /// The id of the last event folded in.
    pub last_event: u64,
}

impl SessionState {
    /// The state of a session before its first event.
    pub fn empty(id: &str) -> SessionState {
        SessionState {
            id: id.to_string(),
            name: String::new(),
            created: 0,
            updated: 0,
            left: None,
            right: None,
            config: CompareConfig::default(),
            result: None,
            data_revision: 0,
            last_event: 0,
        }
    }

    /// Folds one event in.
    pub fn apply(&mut self, event_id: u64, at: i64, event: &Event) {
        match event {
            Event::Created { name } => {
                self.name = name.clone();
                self.created = at;
            }
            Event::Renamed { name } => self.name = name.clone(),
            Event::Loaded { side, input } => {
                match side {
                    Side::Left => self.left = Some(input.clone()),
                    Side::Right => self.right = Some(input.clone()),
                }
                self.data_revision += 1;
            }
            Event::ConfigSet { config } => {
                self.config = config.clone();
                self.data_revision += 1;
            }
            Event::Compared { result } => self.result = Some(result.clone()),
        }
        self.updated = at;
        self.last_event = event_id;
    }

    /// The input on one side.
    pub fn input(&self, side: Side) -> Option<&InputRef> {
        match side {
            Side::Left => self.left.as_ref(),
            Side::Right => self.right.as_ref(),
        }
    }

    /// The result, if it was made from the current inputs.
    pub fn current_result(&self) -> Option<&ResultRef> {
        self.result
            .as_ref()
            .filter(|r| r.data_revision == self.data_revision)
    }

    /// Every blob the state refers to.
    pub fn blobs(&self) -> Vec<&str> {
        let mut v: Vec<&str> = [&self.left, &self.right]
            .into_iter()
            .flatten()
            .map(|i| i.blob.as_str())
            .collect();
        v.extend(self.result.as_ref().map(|r| r.blob.as_str()));
        v
    }
}

/// A session in memory: its durable state and the data loaded for it.
#[derive(Debug, Clone)]
pub struct SessionData {
    /// The durable state.
    pub state: SessionState,
    /// The loaded left table.
    pub left: Option<Arc<Table>>,
    /// The loaded right table.
    pub right: Option<Arc<Table>>,
    /// The stored result, loaded.
    pub result: Option<Arc<CompareResult>>,
    /// Row orders of the result for the last few page queries.
    pub(crate) views: Vec<(super::view::ViewKey, Arc<Vec<u32>>)>,
}

impl SessionData {
    /// A session holding `state` and nothing loaded.
    pub fn new(state: SessionState) -> SessionData {
        SessionData {
            state,
            left: None,
            right: None,
            result: None,
            views: Vec::new(),
        }
    }

    /// Bytes of memory the loaded data holds, for the store's budget.
    pub fn heap_bytes(&self) -> usize {
        let tables: usize = [&self.left, &self.right]
            .into_iter()
            .flatten()
            .map(|t| t.heap_bytes())
            .sum();
        let result = self
            .result
            .as_ref()
            .map_or(0, |r| r.rows.len() * 24 + r.pairs.len() * 64);
        let views: usize = self.views.iter().map(|v| v.1.len() * 4).sum();
        tables + result + views + 1024
    }

    /// The table on one side.
    pub fn table(&self, side: Side) -> Option<&Arc<Table>> {
        match side {
            Side::Left => self.left.as_ref(),
            Side::Right => self.right.as_ref(),
        }
    }
}
