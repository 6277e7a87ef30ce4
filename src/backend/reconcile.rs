//! Reconciling: the user's choices about a comparison's differences (take
//! the right file's value, or keep the left one), per cell, per row, per
//! column or for every difference a filter shows, and what they add up to.
//!
//! Choices are a session's events ([`super::session::Event::Chose`]), in
//! the order they were made: a later choice overrides an earlier one where
//! both cover a difference. They name result rows by their index in the
//! result, so they hold for the result of the inputs and configuration
//! they were made on: loading a file or changing the configuration clears
//! them. The accepted differences are a patch ([`crate::patch`]): the
//! reconciled file is that patch applied to the left file, by the rules of
//! `concord apply`.

use super::view::{view_order, PageQuery};
use crate::compare::{CompareResult, RowStatus};
use crate::error::{Error, Result};
use crate::progress::Control;
use crate::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Which value a choice keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Take {
    /// The right file's value (or row, or its absence): the difference is
    /// accepted.
    Right,
    /// The left file's value: the difference is declined.
    Left,
}

/// What a choice covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Scope {
    /// One changed cell: a result row (by its index in the result) and a
    /// compared column (by its left name).
    Cell {
        /// The result row.
        row: u32,
        /// The column.
        column: String,
    },
    /// Every difference of one result row: its changed cells, or the row
    /// itself when it is on one side only (added or removed).
    Row {
        /// The result row.
        row: u32,
    },
    /// Every changed cell of one compared column.
    Column {
        /// The column, by its left name.
        column: String,
    },
    /// Every difference of the rows a filter shows (the results screen's
    /// statuses, column and search).
    Filter {
        /// Only rows with one of these statuses (all when empty).
        #[serde(default)]
        statuses: Vec<RowStatus>,
        /// Only changed rows where this column differs.
        #[serde(default)]
        column: Option<String>,
        /// Only rows with a key or cell containing this text.
        #[serde(default)]
        search: Option<String>,
    },
}

/// What *Save reconciled…* writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Reconciled {
    /// The left file with the accepted differences applied.
    File,
    /// The patch of the accepted differences.
    Patch,
}

impl Reconciled {
    /// Reads `file` or `patch`.
    pub fn named(name: &str) -> Result<Reconciled> {
        match name {
            "file" => Ok(Reconciled::File),
            "patch" => Ok(Reconciled::Patch),
            other => Err(Error::Invalid(format!(
                "'{other}' is not what can be saved of a reconciliation (file or patch)"
            ))),
        }
    }

    /// The file name offered for it: the left file's name with
    /// `-reconciled` (as CSV when the left file is not), or the session's
    /// patch name with `-accepted`.
    pub fn file_name(self, left_name: &str, session_name: &str) -> String {
        match self {
            Reconciled::File => {
                // Safe on every file system and in a download's header.
                let name: String = std::path::Path::new(left_name)
                    .file_name()
                    .map_or("left".into(), |n| n.to_string_lossy().into_owned())
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
                let lower = name.to_ascii_lowercase();
                let stem = [".csv", ".tsv", ".txt", ".psv", ".tab"]
                    .iter()
                    .find(|e| lower.ends_with(*e))
                    .map(|e| (&name[..name.len() - e.len()], &name[name.len() - e.len()..]));
                match stem {
                    Some((stem, ext)) => format!("{stem}-reconciled{ext}"),
                    None => format!("{name}-reconciled.csv"),
                }
            }
            Reconciled::Patch => {
                crate::export::file_name(session_name, crate::export::Format::Patch)
                    .replace(".patch.csv", "-accepted.patch.csv")
            }
        }
    }
}

/// One choice about differences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Choice {
    /// The value it keeps.
    pub take: Take,
    /// What it covers.
    pub scope: Scope,
}

/// What the choices add up to, counted in differences: each changed cell
/// is one, and so is each row on one side only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reconciliation {
    /// Differences accepted (the right value taken).
    pub taken: u64,
    /// Differences declined (the left value kept).
    pub kept: u64,
    /// Differences no choice covers yet.
    pub open: u64,
    /// Choices made.
    pub choices: u64,
}

/// The choice in force for each difference.
#[derive(Debug, Default)]
pub(crate) struct Decisions {
    /// By result row and column pair, for changed cells.
    cells: HashMap<(u32, u32), Take>,
    /// By result row, for rows added or removed whole.
    rows: HashMap<u32, Take>,
}

/// Whether a result row is changed cell by cell (rather than added or
/// removed whole).
fn by_cells(result: &CompareResult, status: RowStatus) -> bool {
    status == RowStatus::Changed && result.mode == crate::compare::Mode::Keyed
}

impl Decisions {
    /// The decisions `choices` make, in order, on `result`. A stored
    /// choice that does not fit the result (an imported log's, say) counts
    /// for nothing rather than making the result unreadable.
    pub(crate) fn of(
        left: &Table,
        right: &Table,
        result: &CompareResult,
        choices: &[Choice],
        ctl: Control<'_>,
    ) -> Result<Decisions> {
        let mut d = Decisions::default();
        for choice in choices {
            match d.decide(left, right, result, choice, ctl) {
                Err(Error::Cancelled) => return Err(Error::Cancelled),
                _ => continue,
            }
        }
        Ok(d)
    }

    /// Checks `choice` against `result` (a row that is there, a column
    /// that is compared) and records it.
    pub(crate) fn decide(
        &mut self,
        left: &Table,
        right: &Table,
        result: &CompareResult,
        choice: &Choice,
        ctl: Control<'_>,
    ) -> Result<()> {
        let pair = |column: &str| {
            result
                .pairs
                .iter()
                .position(|p| p.left == column)
                .map(|p| p as u32)
                .ok_or_else(|| Error::UnknownColumn {
                    side: crate::error::Side::Left,
                    name: column.to_string(),
                    available: result.pairs.iter().map(|p| p.left.clone()).collect(),
                })
        };
        let row_of = |row: u32| {
            if (row as usize) < result.rows.len() {
                Ok(result.rows.get(row as usize))
            } else {
                Err(Error::Invalid(format!(
                    "the result has no row {row} (it has {})",
                    result.rows.len()
                )))
            }
        };
        let take = choice.take;
        let whole_row = |d: &mut Decisions, r: u32| -> Result<()> {
            let row = row_of(r)?;
            if by_cells(result, row.status) {
                for &p in result.changed_pairs(&row) {
                    d.cells.insert((r, p), take);
                }
            } else {
                d.rows.insert(r, take);
            }
            Ok(())
        };
        match &choice.scope {
            Scope::Cell { row, column } => {
                let p = pair(column)?;
                let diff = row_of(*row)?;
                if !by_cells(result, diff.status) || !result.changed_pairs(&diff).contains(&p) {
                    return Err(Error::Invalid(format!(
                        "row {row} has no changed cell in '{column}' to choose a value for"
                    )));
                }
                self.cells.insert((*row, p), take);
            }
            Scope::Row { row } => whole_row(self, *row)?,
            Scope::Column { column } => {
                let p = pair(column)?;
                for (r, row) in result.rows.iter().enumerate() {
                    if by_cells(result, row.status) && result.changed_pairs(&row).contains(&p) {
                        self.cells.insert((r as u32, p), take);
                    }
                }
            }
            Scope::Filter {
                statuses,
                column,
                search,
            } => {
                let q = PageQuery {
                    statuses: statuses.clone(),
                    column: column.clone(),
                    search: search.clone(),
                    ..PageQuery::default()
                };
                for r in view_order(left, right, result, &q, ctl)? {
                    whole_row(self, r)?;
                }
            }
        }
        Ok(())
    }

    /// The choice in force for a changed cell (`Some(pair)`) or a row
    /// added or removed whole (`None`) of result row `row`.
    pub(crate) fn get(&self, row: u32, pair: Option<u32>) -> Option<Take> {
        match pair {
            Some(p) => self.cells.get(&(row, p)).copied(),
            None => self.rows.get(&row).copied(),
        }
    }

    /// Whether the difference is accepted.
    pub(crate) fn taken(&self, row: u32, pair: Option<u32>) -> bool {
        self.get(row, pair) == Some(Take::Right)
    }

    /// The counts over every difference of `result`.
    pub(crate) fn count(&self, result: &CompareResult, choices: usize) -> Reconciliation {
        let mut c = Reconciliation {
            choices: choices as u64,
            ..Reconciliation::default()
        };
        let mut add = |t: Option<Take>| match t {
            Some(Take::Right) => c.taken += 1,
            Some(Take::Left) => c.kept += 1,
            None => c.open += 1,
        };
        for (r, row) in result.rows.iter().enumerate() {
            let r = r as u32;
            if by_cells(result, row.status) {
                for &p in result.changed_pairs(&row) {
                    add(self.get(r, Some(p)));
                }
            } else {
                add(self.get(r, None));
            }
        }
        c
    }
}
