//! A session's durable state: the events that change it, and the state they
//! fold into.
//!
//! Folding is pure and deterministic: the same events always give the same
//! state, which is what lets a session be rebuilt after a restart or a crash
//! from its last snapshot and the events after it.

use super::reconcile::Choice;
use crate::compare::{CompareConfig, CompareResult, Comparison, Summary};
use crate::error::Side;
use crate::table::{LoadOptions, Table};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A file loaded into one side of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRef {
    /// Hash (BLAKE3) of the file's bytes: the name of its copy in the blob
    /// store, or, for a file referenced by path, the hash it had when it
    /// was loaded (`spark:` and a manifest's hash for a side compared on
    /// Apache Spark, which no file matches: see `src/backend/spark.rs`).
    pub blob: String,
    /// The file's name as the user gave it.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// How the file was read: detected values made explicit, so that
    /// reloading reads it the same way.
    pub options: LoadOptions,
    /// Set when the file was too large to copy into the store: the session
    /// reads it from where the user keeps it. Stored from event format 2 on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<FileRef>,
}

/// Where a file that was not copied into the store lives, and how it looked
/// when loaded: enough to tell on reopen whether it is still the file that
/// was compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// Its absolute path.
    pub path: String,
    /// Its modification time when loaded, in nanoseconds since the Unix
    /// epoch. A file with the same size and time is taken as unchanged; a
    /// different time with the same size is checked against the hash.
    pub modified_ns: i64,
}

impl InputRef {
    /// The event and snapshot format that records this input: 7 when the
    /// file is compressed or a workbook's sheet is named, 6 when lines
    /// above its header are skipped (which a release reading 5 would read
    /// as data), 5 for a
    /// file read by a reader other than CSV's (its options name the format,
    /// which a release reading 4 would read as CSV), 2 for a referenced
    /// file, 1 otherwise, so that a session without either still opens in
    /// releases that read only format 1.
    pub fn format(&self) -> u32 {
        if self.options.compression.is_some() || self.options.sheet.is_some() {
            7
        } else if self.options.skip_lines > 0 {
            6
        } else if self.options.format.is_some() {
            5
        } else if self.reference.is_some() {
            2
        } else {
            1
        }
    }
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
    /// Hash of the rows the result names, kept in the blob store when the
    /// session references a file by path (see [`super::kept`]), so that
    /// the result can still be shown when that file changes. Stored from
    /// event format 3 on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_rows: Option<String>,
}

impl ResultRef {
    /// The event and snapshot format that records this result: 3 when it
    /// has kept rows, 1 otherwise (see [`InputRef::format`]).
    pub fn format(&self) -> u32 {
        if self.kept_rows.is_some() {
            3
        } else {
            1
        }
    }
}

/// The event and snapshot format that records `config`: 4 when it says
/// that extra columns do not count, that rows are paired by position,
/// that one file writes decimal commas, or that rules are not inferred (which a release reading 3 would
/// drop or refuse, changing the answer), 1 otherwise (see
/// [`InputRef::format`]).
fn config_format(config: &CompareConfig) -> u32 {
    use crate::compare::Sides;
    let one_file = |s: Sides| matches!(s, Sides::Left | Sides::Right);
    let decimal_comma_in_one_file = one_file(config.rules.decimal_comma)
        || config
            .column_rules
            .values()
            .any(|o| o.decimal_comma.is_some_and(one_file));
    if config.ignore_extra_columns
        || config.by_position
        || decimal_comma_in_one_file
        || !config.infer_rules
    {
        4
    } else {
        1
    }
}

impl Event {
    /// The format it is stored in (see [`InputRef::format`]).
    pub fn format(&self) -> u32 {
        match self {
            Event::Loaded { input, .. } => input.format(),
            Event::Compared { result } => result.format(),
            Event::ConfigSet { config } => config_format(config),
            Event::Chose { .. } => 8,
            _ => 1,
        }
    }
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
    /// A choice about the current result's differences was made (see
    /// [`super::reconcile`]). Stored from event format 8 on.
    Chose {
        /// The choice.
        choice: Choice,
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
    /// The choices about the current result's differences, in order;
    /// cleared when a file or the configuration changes. Stored from
    /// snapshot format 8 on, and left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
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
            choices: Vec::new(),
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
                self.choices.clear();
            }
            Event::ConfigSet { config } => {
                self.config = config.clone();
                self.data_revision += 1;
                self.choices.clear();
            }
            Event::Compared { result } => self.result = Some(result.clone()),
            Event::Chose { choice } => self.choices.push(choice.clone()),
        }
        self.updated = at;
        self.last_event = event_id;
    }

    /// The format its snapshot is written in: the highest of its inputs'
    /// and its result's.
    pub fn format(&self) -> u32 {
        let inputs = [&self.left, &self.right].into_iter().flatten();
        let result = self.result.as_ref().map_or(1, ResultRef::format);
        let config = config_format(&self.config);
        let choices = if self.choices.is_empty() { 1 } else { 8 };
        inputs
            .map(InputRef::format)
            .fold(result.max(config).max(choices), u32::max)
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

    /// Every blob the state keeps in the store (a referenced file is not
    /// there).
    pub fn blobs(&self) -> Vec<&str> {
        let mut v: Vec<&str> = [&self.left, &self.right]
            .into_iter()
            .flatten()
            .filter(|i| i.reference.is_none())
            .map(|i| i.blob.as_str())
            .collect();
        if let Some(r) = &self.result {
            v.push(&r.blob);
            v.extend(r.kept_rows.as_deref());
        }
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
    /// When this process compared the session a partition at a time: the
    /// result's differing rows copied out of the tables, and the result
    /// pointing into them, which pages and exports read (see
    /// [`crate::plan::LoadedComparison::copies`]). Set with `result`.
    pub copies: Option<Comparison>,
    /// When this process compared the session's files outside memory,
    /// because they did not fit the memory limit: how, for people (see
    /// [`crate::plan::Strategy::note`]). Set with `result`.
    pub plan: Option<String>,
    /// Row orders of the result for the last few page queries.
    pub(crate) views: Vec<(super::view::ViewKey, Arc<Vec<u32>>)>,
    /// Referenced files that could not be read when the session was
    /// opened (moved, deleted or changed): their sides have no table.
    pub unavailable: Vec<Unavailable>,
    /// The choices in force for the current result's differences, worked
    /// out once from `state.choices` (see [`super::reconcile`]).
    pub(crate) decisions: Option<Arc<super::reconcile::Decisions>>,
}

/// A referenced file a session could not read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unavailable {
    /// Which side it was loaded on.
    pub side: Side,
    /// Its path.
    pub path: String,
    /// What happened to it, for people ("was deleted or moved").
    pub detail: String,
}

impl Unavailable {
    /// The error that operations needing this side's table answer.
    pub fn error(&self) -> crate::error::Error {
        crate::error::Error::SourceChanged {
            path: self.path.clone(),
            detail: self.detail.clone(),
        }
    }
}

impl SessionData {
    /// Drops what `event` makes stale: the one place derived data is
    /// cleared, called as each event is applied. A new file drops the
    /// copies, the plan and the page orders made from the old one; a new
    /// configuration or result drops the page orders.
    pub(crate) fn invalidate(&mut self, event: &Event) {
        match event {
            Event::Loaded { .. } => {
                self.copies = None;
                self.plan = None;
                self.views.clear();
            }
            Event::ConfigSet { .. } | Event::Compared { .. } => self.views.clear(),
            Event::Created { .. } | Event::Renamed { .. } | Event::Chose { .. } => {}
        }
        if !matches!(event, Event::Created { .. } | Event::Renamed { .. }) {
            self.decisions = None;
        }
    }

    /// A session holding `state` and nothing loaded.
    pub fn new(state: SessionState) -> SessionData {
        SessionData {
            state,
            left: None,
            right: None,
            result: None,
            copies: None,
            plan: None,
            views: Vec::new(),
            unavailable: Vec::new(),
            decisions: None,
        }
    }

    /// Bytes of memory the loaded data holds, for the store's budget.
    pub fn heap_bytes(&self) -> usize {
        let tables: usize = [&self.left, &self.right]
            .into_iter()
            .flatten()
            .map(|t| t.heap_bytes())
            .sum();
        let result = self.result.as_ref().map_or(0, |r| r.heap_bytes());
        let copies = self.copies.as_ref().map_or(0, |c| {
            c.left.heap_bytes() + c.right.heap_bytes() + c.result.heap_bytes()
        });
        let views: usize = self.views.iter().map(|v| v.1.len() * 4).sum();
        tables + result + copies + views + 1024
    }

    /// Why one side has no table: its referenced file is unavailable, or
    /// nothing was loaded there.
    pub fn missing(&self, side: Side) -> crate::error::Error {
        match self.unavailable.iter().find(|u| u.side == side) {
            Some(u) => u.error(),
            None => crate::error::Error::MissingInput {
                id: self.state.id.clone(),
                side,
            },
        }
    }

    /// The table on one side, or why there is none ([`Self::missing`]).
    pub fn loaded(&self, side: Side) -> crate::error::Result<Arc<Table>> {
        self.table(side).cloned().ok_or_else(|| self.missing(side))
    }

    /// The loaded result, if it was made from the current inputs.
    pub fn current_result(&self) -> Option<&Arc<CompareResult>> {
        self.state.current_result().and(self.result.as_ref())
    }

    /// The table on one side.
    pub fn table(&self, side: Side) -> Option<&Arc<Table>> {
        match side {
            Side::Left => self.left.as_ref(),
            Side::Right => self.right.as_ref(),
        }
    }
}
