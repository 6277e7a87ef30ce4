//! What a comparison found.

pub use super::rows::Rows;
use crate::array::Array;
use crate::table::Table;
use crate::values::ValueType;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How rows were paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Mode {
    /// By the values of key columns.
    Keyed,
    /// Row N of the left with row N of the right, on request or for files
    /// compared outside memory without a key.
    Positional,
    /// By the rows' content, in any order, for lack of a key.
    Content,
}

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RowStatus {
    /// Present on both sides with at least one differing cell.
    Changed,
    /// Present only in the left file.
    OnlyLeft,
    /// Present only in the right file.
    OnlyRight,
    /// Its key occurs more than once on one side, so it was not paired.
    Duplicate,
}

impl RowStatus {
    /// The name used in exports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            RowStatus::Changed => "changed",
            RowStatus::OnlyLeft => "only_left",
            RowStatus::OnlyRight => "only_right",
            RowStatus::Duplicate => "duplicate",
        }
    }

    /// Parses a name as written by [`RowStatus::name`].
    pub fn from_name(s: &str) -> Option<RowStatus> {
        [
            RowStatus::Changed,
            RowStatus::OnlyLeft,
            RowStatus::OnlyRight,
            RowStatus::Duplicate,
        ]
        .into_iter()
        .find(|st| st.name() == s)
    }
}

/// A column of the left file paired with a column of the right file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnPair {
    /// Name in the left file.
    pub left: String,
    /// Name in the right file.
    pub right: String,
}

/// How a pair of columns is written for people: `id` when both sides call
/// it the same, `id=OrderID` when they do not (as `--key` takes it).
pub fn pair_label(left: &str, right: &str) -> String {
    if left == right {
        left.to_string()
    } else {
        format!("{left}={right}")
    }
}

impl ColumnPair {
    /// A pair of two names.
    pub fn new(left: impl Into<String>, right: impl Into<String>) -> ColumnPair {
        ColumnPair {
            left: left.into(),
            right: right.into(),
        }
    }
}

/// A column pair with the positions of its columns in their tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResolvedPair {
    /// Name in the left file.
    pub left: String,
    /// Name in the right file.
    pub right: String,
    /// Index of the column in the left table.
    pub left_index: usize,
    /// Index of the column in the right table.
    pub right_index: usize,
}

/// Counts over all rows. `identical + changed = matched`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    /// Data rows in the left file.
    pub left_rows: u64,
    /// Data rows in the right file.
    pub right_rows: u64,
    /// Keys present exactly once on each side (in positional mode: rows present on both sides).
    pub matched: u64,
    /// Matched rows whose compared cells are all equal.
    pub identical: u64,
    /// Matched rows with at least one differing cell.
    pub changed: u64,
    /// Rows whose key is only in the left file.
    pub only_left: u64,
    /// Rows whose key is only in the right file.
    pub only_right: u64,
    /// Distinct keys occurring more than once in the left file.
    pub duplicate_keys_left: u64,
    /// Distinct keys occurring more than once in the right file.
    pub duplicate_keys_right: u64,
    /// Columns only in the left file (ignored columns are not counted).
    #[serde(default)]
    pub columns_only_left: u64,
    /// Columns only in the right file (ignored columns are not counted).
    #[serde(default)]
    pub columns_only_right: u64,
    /// Whether the comparison was told that columns on one side only do
    /// not make the files differ ([`super::CompareConfig::ignore_extra_columns`]).
    #[serde(default)]
    pub extra_columns_ignored: bool,
}

impl Summary {
    /// Whether the files differ in any way that was compared: a row, or a
    /// column on one side only unless extra columns were set not to count.
    pub fn has_differences(&self) -> bool {
        self.rows_differ() || (!self.extra_columns_ignored && self.has_extra_columns())
    }

    /// Whether some row differs: changed, on one side only, or with a
    /// repeated key.
    pub fn rows_differ(&self) -> bool {
        self.changed
            + self.only_left
            + self.only_right
            + self.duplicate_keys_left
            + self.duplicate_keys_right
            > 0
    }

    /// Whether some column is on one side only.
    pub fn has_extra_columns(&self) -> bool {
        self.columns_only_left + self.columns_only_right > 0
    }
}

/// Differences found in one column pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnStats {
    /// Name in the left file.
    pub left: String,
    /// Name in the right file.
    pub right: String,
    /// Matched rows where this pair's cells differ.
    pub differences: u64,
    /// The largest |left - right| among differing numeric cells, if any.
    pub max_difference: Option<f64>,
    /// The left column's type, judged from about a thousand rows spread
    /// over the file as the comparison's rules read them (`empty` in
    /// results stored before types were kept).
    #[serde(default = "unknown_type")]
    pub left_type: ValueType,
    /// The right column's type, judged as `left_type` is.
    #[serde(default = "unknown_type")]
    pub right_type: ValueType,
}

fn unknown_type() -> ValueType {
    ValueType::Empty
}

impl ColumnStats {
    /// Whether the two columns hold different types of values; a column
    /// with no values takes the type of any other.
    pub fn type_differs(&self) -> bool {
        self.left_type != self.right_type
            && self.left_type != ValueType::Empty
            && self.right_type != ValueType::Empty
    }
}

/// One row of the result: a changed pair of rows, or a row on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowDiff {
    /// What happened to the row.
    pub status: RowStatus,
    /// The row's index in the left table, if it is there.
    pub left: Option<u32>,
    /// The row's index in the right table, if it is there.
    pub right: Option<u32>,
    pub(crate) changes_start: u32,
    pub(crate) changes_len: u32,
}

/// The outcome of comparing two tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareResult {
    /// How rows were paired.
    pub mode: Mode,
    /// The key column pairs (empty in positional mode).
    pub keys: Vec<ResolvedPair>,
    /// The compared column pairs, in left column order.
    pub pairs: Vec<ResolvedPair>,
    /// Left columns not compared because the right file has no partner for them.
    pub left_only_columns: Vec<String>,
    /// Right columns not compared because the left file has no partner for them.
    pub right_only_columns: Vec<String>,
    /// Counts over all rows.
    pub summary: Summary,
    /// Per compared column pair, in the order of `pairs`.
    pub columns: Vec<ColumnStats>,
    /// Differing rows: left file order, then rows only in the right file in right file order.
    pub rows: Rows,
    /// Things worth telling the user about how the comparison was made.
    pub notes: Vec<String>,
    /// The suggested key and column pairs the comparison used, when the
    /// caller let suggestions fill in what the user did not name.
    #[serde(default)]
    pub suggested: Option<super::suggested::AppliedSuggestions>,
    pub(crate) changed_pairs: Array<u32>,
}

impl CompareResult {
    /// The same result with only the rows `order` names (indices into its
    /// rows), in that order: what an export of a filtered, sorted view
    /// writes. Its summary and column figures stay the whole result's.
    pub fn select(&self, order: &[u32]) -> CompareResult {
        let rows: Vec<RowDiff> = order.iter().map(|&i| self.rows.get(i as usize)).collect();
        CompareResult {
            rows: rows.into(),
            ..self.clone()
        }
    }

    /// The same result without the compared columns in which no cell
    /// differs (in the whole result): what an export of a view showing
    /// "differing columns only" writes. Every changed cell is in a column
    /// that differs, so rows keep all their changes.
    pub fn differing_columns_only(&self) -> CompareResult {
        let kept: Vec<usize> = (0..self.pairs.len())
            .filter(|&i| self.columns.get(i).is_some_and(|c| c.differences > 0))
            .collect();
        let mut new_index = vec![u32::MAX; self.pairs.len()];
        for (new, &old) in kept.iter().enumerate() {
            new_index[old] = new as u32;
        }
        let changed: Vec<u32> = self
            .changed_pairs
            .iter()
            .map(|&old| new_index[old as usize])
            .collect();
        CompareResult {
            pairs: kept.iter().map(|&i| self.pairs[i].clone()).collect(),
            columns: kept.iter().map(|&i| self.columns[i].clone()).collect(),
            changed_pairs: changed.into(),
            ..self.clone()
        }
    }

    /// Key and compared column pairs whose two names differ, keys first.
    pub fn renamed_columns(&self) -> impl Iterator<Item = &ResolvedPair> {
        self.keys
            .iter()
            .chain(&self.pairs)
            .filter(|p| p.left != p.right)
    }

    /// Compared column pairs whose two columns hold different types of
    /// values (see [`ColumnStats::type_differs`]).
    pub fn type_differences(&self) -> impl Iterator<Item = &ColumnStats> {
        self.columns.iter().filter(|c| c.type_differs())
    }

    /// Indices into `pairs` of the cells that differ in `row`.
    pub fn changed_pairs(&self, row: &RowDiff) -> &[u32] {
        let s = row.changes_start as usize;
        &self.changed_pairs[s..s + row.changes_len as usize]
    }

    /// Bytes of the process's memory the result holds (rows on disk take none).
    pub fn heap_bytes(&self) -> usize {
        self.rows.heap_bytes() + self.changed_pairs.heap_bytes() + self.pairs.len() * 64
    }

    /// The key values of a result row, from the left row when there is one.
    /// In positional mode there is no key and the list is empty.
    pub fn key_values<'t>(&self, row: &RowDiff, left: &'t Table, right: &'t Table) -> Vec<&'t str> {
        match (row.left, row.right) {
            (Some(l), _) => self
                .keys
                .iter()
                .map(|k| left.cell(l as usize, k.left_index))
                .collect(),
            (None, Some(r)) => self
                .keys
                .iter()
                .map(|k| right.cell(r as usize, k.right_index))
                .collect(),
            (None, None) => Vec::new(),
        }
    }
}

/// Two tables and the result of comparing them, its rows pointing into
/// them: the one value the command line, sessions, result pages and
/// exports pass around (exports read it through `export::Report::of`).
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The left table (or the rows of it the result refers to).
    pub left: Arc<Table>,
    /// The right table (or the rows of it the result refers to).
    pub right: Arc<Table>,
    /// What the comparison found.
    pub result: Arc<CompareResult>,
}

impl Comparison {
    /// The three together.
    pub fn new(left: Table, right: Table, result: CompareResult) -> Comparison {
        Comparison {
            left: Arc::new(left),
            right: Arc::new(right),
            result: Arc::new(result),
        }
    }
}
