//! Comparing two tables: pair rows by key (or by position), compare the
//! cells of paired columns under the configured rules, and collect the rows
//! that differ.

mod content;
mod hints;
mod index;
pub mod options;
pub mod partitioned;
mod result;
pub(crate) mod result_v1;
mod rows;
mod rules;
pub mod spread;
mod suggested;
pub mod typed;

pub use result::{
    pair_label, ColumnPair, ColumnStats, CompareResult, Comparison, Mode, ResolvedPair, RowDiff,
    RowStatus, Rows, Summary,
};
pub use rules::{NumericMode, RuleOverrides, Rules, Sides};
pub use suggested::{
    AppliedSuggestions, InferredKind, InferredRule, KeySuggestion, MappingSuggestion,
};

use crate::array::Array;
use crate::error::{Error, Result, Side};
use crate::progress::{Control, Phase};
use crate::table::Table;
use crate::values::{classify, ValueType};
use index::{KeyColumns, LeftMatch, Matching};
use rayon::prelude::*;
use rules::CellRules;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// What to compare and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CompareConfig {
    /// Key columns that identify a row; left and right names may differ.
    /// Empty means rows are paired by position.
    pub keys: Vec<ColumnPair>,
    /// Column pairs with different names (renamed columns). Columns with the
    /// same name on both sides are paired without being listed.
    pub mappings: Vec<ColumnPair>,
    /// Columns left out of the comparison, by their name on either side.
    pub ignore: Vec<String>,
    /// Rules for all columns.
    pub rules: Rules,
    /// Rule changes for single columns, by left column name.
    pub column_rules: BTreeMap<String, RuleOverrides>,
    /// When no key (or no mapping) is named, fill it in from confident
    /// suggestions ([`crate::suggest::compare`]); when
    /// false, rows without a key are paired by content (or by position,
    /// with [`CompareConfig::by_position`]).
    pub use_suggestions: bool,
    /// Columns on one side only do not make the files differ: they are
    /// still listed, but a comparison whose rows all match says the files
    /// match. Left out of the stored form when false, so that sessions
    /// without it open in releases that do not know it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub ignore_extra_columns: bool,
    /// Without a key, pair row N of the left with row N of the right
    /// instead of pairing rows by their content (see [`compare_as_configured`]); no key
    /// is suggested then. Left out of the stored form when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub by_position: bool,
    /// Read columns as their values show (null spellings, decimal commas
    /// in one file), where the rules say nothing of them
    /// ([`crate::suggest::infer_rules`]). Left out of the stored form when
    /// true, the default.
    #[serde(skip_serializing_if = "is_true")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub infer_rules: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Default for CompareConfig {
    fn default() -> Self {
        CompareConfig {
            keys: Vec::new(),
            mappings: Vec::new(),
            ignore: Vec::new(),
            rules: Rules::default(),
            column_rules: BTreeMap::new(),
            use_suggestions: true,
            ignore_extra_columns: false,
            by_position: false,
            infer_rules: true,
        }
    }
}

impl CompareConfig {
    /// Whether the suggestion stage has anything to fill in: a key or
    /// mappings ([`CompareConfig::use_suggestions`]) or rules
    /// ([`CompareConfig::infer_rules`]).
    pub fn completes(&self) -> bool {
        self.use_suggestions || self.infer_rules
    }

    /// Checks the configuration against the files loaded so far: rules
    /// hold valid values, and every column it names exists (keys and
    /// mappings on their side; ignored columns and columns with their own
    /// rules on either side, checked once both files are there).
    pub fn check(&self, left: Option<&Table>, right: Option<&Table>) -> Result<()> {
        let invalid = |column: Option<String>, detail| Error::InvalidRule { column, detail };
        self.rules.validate().map_err(|d| invalid(None, d))?;
        for (name, o) in &self.column_rules {
            self.rules
                .with(o)
                .validate()
                .map_err(|d| invalid(Some(name.clone()), d))?;
        }
        for p in self.keys.iter().chain(&self.mappings) {
            if let Some(t) = left {
                column(t, Side::Left, &p.left)?;
            }
            if let Some(t) = right {
                column(t, Side::Right, &p.right)?;
            }
        }
        let (Some(left), Some(right)) = (left, right) else {
            return Ok(());
        };
        let missing = |name: &&String| {
            left.column_index(name).is_none() && right.column_index(name).is_none()
        };
        let named = [
            ("a column rule", self.column_rules.keys().find(missing)),
            (
                "the list of ignored columns",
                self.ignore.iter().find(missing),
            ),
        ];
        match named.into_iter().find_map(|(what, n)| n.map(|n| (what, n))) {
            Some((what, name)) => Err(Error::NoSuchColumn {
                what: what.to_string(),
                name: name.clone(),
                left: left.columns().to_vec(),
                right: right.columns().to_vec(),
            }),
            None => Ok(()),
        }
    }

    /// The rules for one column of one side, for profiles: found through
    /// the pair it belongs to (a key or mapping naming it, else the
    /// same-named column), so that rules filed under either name apply.
    pub fn rules_for_column(&self, side: Side, name: &str) -> Rules {
        let partner = self
            .keys
            .iter()
            .chain(&self.mappings)
            .find_map(|p| match side {
                Side::Left if p.left == name => Some(p.right.as_str()),
                Side::Right if p.right == name => Some(p.left.as_str()),
                _ => None,
            });
        let other = partner.unwrap_or(name);
        match side {
            Side::Left => self.rules_for(name, other),
            Side::Right => self.rules_for(other, name),
        }
    }

    /// The rules for one column pair: the global rules with the pair's own
    /// changes, which are filed under its left name or, failing that, its
    /// right name.
    pub fn rules_for(&self, left: &str, right: &str) -> Rules {
        match self
            .column_rules
            .get(left)
            .or_else(|| self.column_rules.get(right))
        {
            Some(o) => self.rules.with(o),
            None => self.rules.clone(),
        }
    }
}

/// Rows are compared in pieces of this many, one piece per task.
const ROWS_PER_TASK: usize = 16 * 1024;

/// How many values of a column are looked at to judge its type (whether it
/// is numeric, and the type a result reports for it).
const TYPE_SAMPLE: usize = 1000;

/// Compares `left` with `right` as `config` says.
///
/// With no key in `config`, rows are paired by their content, in any order
/// (see [`content`]), or by position when `config.by_position` says so;
/// see [`crate::suggest::compare`] to let suggestions fill
/// in a key first.
/// Work is spread over all cores. Progress is reported in rows, and the
/// cancellation flag is checked between pieces of work.
pub fn compare_as_configured(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    ctl: Control<'_>,
) -> Result<CompareResult> {
    compare_counting_empty_keys(left, right, config, ctl).map(|(result, _)| result)
}

/// [`compare`], and how many left and right rows had an empty key ((0, 0)
/// without a key): with the summary's counts, what tells whether a key
/// chosen on sampled rows is unique on every row.
pub(crate) fn compare_counting_empty_keys(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    ctl: Control<'_>,
) -> Result<(CompareResult, (u64, u64))> {
    let plan = Plan::new(left, right, config)?;
    let (mut result, empty_keys) = if plan.keys.is_empty() && plan.by_position {
        (compare_positional(left, right, plan, ctl)?, (0, 0))
    } else if plan.keys.is_empty() {
        (content::compare_by_content(left, right, plan, ctl)?, (0, 0))
    } else {
        let (result, order) = compare_keyed(left, right, plan, ctl)?;
        (result, order.empty_keys)
    };
    let hints = hints::rule_hints(&result, left, right);
    result.notes.extend(hints);
    Ok((result, empty_keys))
}

/// Which columns a comparison with `config` would use on two tables: its
/// key, its column pairs and the columns left over. A mapping screen shows
/// this instead of working the pairing out again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Pairing {
    /// Key column pairs; empty when rows are paired by position.
    pub keys: Vec<ColumnPair>,
    /// Compared column pairs, in left column order.
    pub pairs: Vec<PairedColumns>,
    /// Left columns compared with nothing (ignored ones excluded).
    pub left_only: Vec<String>,
    /// Right columns compared with nothing (ignored ones excluded).
    pub right_only: Vec<String>,
    /// The suggestions that filled in the key or the pairs, as in
    /// [`CompareResult::suggested`]; `None` when the configuration named them.
    pub suggested: Option<AppliedSuggestions>,
    /// Why the suggested key was chosen over the others (the runners-up),
    /// or why no key was: the notes the comparison will carry.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One compared pair in a [`Pairing`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PairedColumns {
    /// Name in the left file.
    pub left: String,
    /// Name in the right file.
    pub right: String,
    /// Whether its cells will be compared as numbers.
    pub numeric: bool,
}

/// The [`Pairing`] that comparing `left` with `right` as `config` says
/// would use, or the error the comparison would stop with.
pub fn pairing(left: &Table, right: &Table, config: &CompareConfig) -> Result<Pairing> {
    let plan = Plan::new(left, right, config)?;
    let pair = |p: &ResolvedPair| ColumnPair::new(p.left.as_str(), p.right.as_str());
    Ok(Pairing {
        keys: plan.keys.iter().map(pair).collect(),
        pairs: plan
            .pairs
            .iter()
            .zip(&plan.pair_rules)
            .map(|(p, r)| PairedColumns {
                left: p.left.clone(),
                right: p.right.clone(),
                numeric: r.numeric,
            })
            .collect(),
        left_only: plan.left_only,
        right_only: plan.right_only,
        suggested: None,
        notes: Vec::new(),
    })
}

/// A configuration resolved against two tables.
#[derive(Clone)]
struct Plan {
    keys: Vec<ResolvedPair>,
    key_rules: Vec<CellRules>,
    pairs: Vec<ResolvedPair>,
    pair_rules: Vec<CellRules>,
    /// Per compared pair, the types of its left and right columns.
    pair_types: Vec<(ValueType, ValueType)>,
    left_only: Vec<String>,
    right_only: Vec<String>,
    extra_columns_ignored: bool,
    /// Whether rows without a key were asked to be paired by position.
    by_position: bool,
    /// Whether every compared pair is the same column position on both
    /// sides: two rows whose text is the same then have the same cells
    /// (see [`Table::reads_text_as`]), so most rows compare with one
    /// comparison of their text instead of one per cell.
    aligned: bool,
}

fn column(table: &Table, side: Side, name: &str) -> Result<usize> {
    table
        .column_index(name)
        .ok_or_else(|| Error::UnknownColumn {
            side,
            name: name.to_string(),
            available: table.columns().to_vec(),
        })
}

impl Plan {
    fn new(left: &Table, right: &Table, config: &CompareConfig) -> Result<Plan> {
        Plan::with_samples(left, right, config, (left, right))
    }

    /// The plan for two tables whose column types are judged from
    /// `samples`: the tables themselves, or (for files read in parts) tables
    /// of the rows [`sampled_type`] would look at in the whole files.
    fn with_samples(
        left: &Table,
        right: &Table,
        config: &CompareConfig,
        samples: (&Table, &Table),
    ) -> Result<Plan> {
        config.check(Some(left), Some(right))?;
        let resolve = |p: &ColumnPair| -> Result<ResolvedPair> {
            Ok(ResolvedPair {
                left: p.left.clone(),
                right: p.right.clone(),
                left_index: column(left, Side::Left, &p.left)?,
                right_index: column(right, Side::Right, &p.right)?,
            })
        };
        let keys = config
            .keys
            .iter()
            .map(resolve)
            .collect::<Result<Vec<_>>>()?;
        let explicit = config
            .mappings
            .iter()
            .map(resolve)
            .collect::<Result<Vec<_>>>()?;
        let ignored = |name: &str| config.ignore.iter().any(|i| i == name);
        let mut used_left = vec![false; left.num_columns()];
        let mut used_right = vec![false; right.num_columns()];
        for p in keys.iter().chain(&explicit) {
            for (used, i, side, name) in [
                (&mut used_left, p.left_index, Side::Left, &p.left),
                (&mut used_right, p.right_index, Side::Right, &p.right),
            ] {
                if used[i] {
                    return Err(Error::ColumnUsedTwice {
                        side,
                        name: name.clone(),
                    });
                }
                used[i] = true;
            }
        }
        let mut pairs = Vec::new();
        let mut left_only = Vec::new();
        for (li, name) in left.columns().iter().enumerate() {
            if let Some(p) = explicit.iter().find(|p| p.left_index == li) {
                if !ignored(&p.left) && !ignored(&p.right) {
                    pairs.push(p.clone());
                }
                continue;
            }
            if used_left[li] || ignored(name) {
                continue;
            }
            match right.column_index(name) {
                Some(ri) if !used_right[ri] => {
                    used_right[ri] = true;
                    pairs.push(ResolvedPair {
                        left: name.clone(),
                        right: name.clone(),
                        left_index: li,
                        right_index: ri,
                    });
                }
                _ => left_only.push(name.clone()),
            }
        }
        let right_only = right
            .columns()
            .iter()
            .enumerate()
            .filter(|&(ri, name)| !used_right[ri] && !ignored(name))
            .map(|(_, n)| n.clone())
            .collect();
        let typed = |p: &ResolvedPair| {
            let rules = config.rules_for(&p.left, &p.right);
            let types = (
                sampled_type(samples.0, p.left_index, &rules, Side::Left),
                sampled_type(samples.1, p.right_index, &rules, Side::Right),
            );
            let numeric =
                rules.numeric == NumericMode::Auto && types.0.is_numeric() && types.1.is_numeric();
            (CellRules::new(rules, numeric), types)
        };
        let key_rules = keys.iter().map(|p| typed(p).0).collect();
        let (pair_rules, pair_types) = pairs.iter().map(typed).unzip();
        Ok(Plan {
            keys,
            key_rules,
            aligned: pairs.iter().all(|p| p.left_index == p.right_index),
            pairs,
            pair_rules,
            pair_types,
            left_only,
            right_only,
            extra_columns_ignored: config.ignore_extra_columns,
            by_position: config.by_position,
        })
    }

    /// Compares the paired cells of two rows; pushes the indices of differing
    /// pairs to `changed` and counts them in `stats`.
    fn compare_rows(
        &self,
        left: &Table,
        l: usize,
        right: &Table,
        r: usize,
        changed: &mut Vec<u32>,
        stats: &mut [ColumnTally],
    ) {
        let (lrow, rrow) = (left.row(l), right.row(r));
        if self.aligned
            && lrow.text() == rrow.text()
            && (left.reads_text_as(right) || lrow.same_ends(&rrow))
        {
            return;
        }
        for (p, (pair, rules)) in self.pairs.iter().zip(&self.pair_rules).enumerate() {
            if lrow.bytes(pair.left_index) == rrow.bytes(pair.right_index) {
                continue;
            }
            let verdict = rules.compare(
                left.cell(l, pair.left_index),
                right.cell(r, pair.right_index),
            );
            if !verdict.equal {
                changed.push(p as u32);
                let t = &mut stats[p];
                t.differences += 1;
                if let Some(d) = verdict.numeric_difference {
                    t.max_difference = Some(t.max_difference.map_or(d, |m: f64| m.max(d)));
                }
            }
        }
    }

    /// [`Plan::finish`] for a result held in memory: its rows, changed
    /// cells and tallies from the pieces joined into `all`.
    fn finish_piece(
        self,
        mode: Mode,
        summary: Summary,
        all: Piece,
        notes: Vec<String>,
    ) -> CompareResult {
        self.finish(
            mode,
            summary,
            all.tallies,
            all.rows.into(),
            all.changed.into(),
            notes,
        )
    }

    fn finish(
        self,
        mode: Mode,
        mut summary: Summary,
        tallies: Vec<ColumnTally>,
        rows: Rows,
        changed_pairs: Array<u32>,
        notes: Vec<String>,
    ) -> CompareResult {
        let columns = self
            .pairs
            .iter()
            .zip(tallies)
            .zip(&self.pair_types)
            .map(|((p, t), &(left_type, right_type))| ColumnStats {
                left: p.left.clone(),
                right: p.right.clone(),
                differences: t.differences,
                max_difference: t.max_difference,
                left_type,
                right_type,
            })
            .collect();
        summary.columns_only_left = self.left_only.len() as u64;
        summary.columns_only_right = self.right_only.len() as u64;
        summary.extra_columns_ignored = self.extra_columns_ignored;
        CompareResult {
            mode,
            keys: self.keys,
            pairs: self.pairs,
            left_only_columns: self.left_only,
            right_only_columns: self.right_only,
            summary,
            columns,
            rows,
            notes,
            suggested: None,
            changed_pairs,
        }
    }
}

/// Every how many rows a column of `rows` rows is sampled to judge its
/// type: the smallest power of two that samples at most [`TYPE_SAMPLE`]
/// rows. A power of two lets a file read in parts keep the same sample
/// while it does not yet know its length: it keeps every row, and every
/// time the sample outgrows its size it drops every other row.
pub(crate) fn type_step(rows: usize) -> usize {
    let mut step = 1;
    while rows.div_ceil(step) > TYPE_SAMPLE {
        step *= 2;
    }
    step
}

/// The type of a column judged from the rows [`type_step`] picks, as
/// `rules` read cells: nulls (null tokens included) are empty, values are
/// trimmed and numbers may have a decimal comma.
fn sampled_type(table: &Table, col: usize, rules: &Rules, side: Side) -> ValueType {
    let n = table.num_rows();
    let step = type_step(n);
    (0..n)
        .step_by(step)
        .map(|r| {
            let v = table.cell(r, col);
            if rules.is_null(v) {
                return ValueType::Empty;
            }
            let v = if rules.trim { v.trim() } else { v };
            match rules
                .decimal_comma
                .includes(side)
                .then(|| crate::values::from_decimal_comma(v))
                .flatten()
            {
                Some(usual) => classify(&usual),
                None => classify(v),
            }
        })
        .fold(ValueType::Empty, ValueType::join)
}

/// Per-column counters, kept per task and added up at the end.
#[derive(Debug, Clone, Copy, Default)]
struct ColumnTally {
    differences: u64,
    max_difference: Option<f64>,
}

fn add_tallies(into: &mut [ColumnTally], from: &[ColumnTally]) {
    for (a, b) in into.iter_mut().zip(from) {
        a.differences += b.differences;
        a.max_difference = match (a.max_difference, b.max_difference) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
    }
}

/// What one task of the row loop found.
#[derive(Default)]
struct Piece {
    rows: Vec<RowDiff>,
    changed: Vec<u32>,
    tallies: Vec<ColumnTally>,
    matched: u64,
    /// Right rows first paired by key hash whose keys turned out to differ.
    unpaired_right: Vec<u32>,
}

impl Piece {
    fn new(pairs: usize) -> Piece {
        Piece {
            tallies: vec![ColumnTally::default(); pairs],
            ..Piece::default()
        }
    }

    fn push(
        &mut self,
        status: RowStatus,
        left: Option<u32>,
        right: Option<u32>,
        changes_from: usize,
    ) {
        self.rows.push(RowDiff {
            status,
            left,
            right,
            changes_start: changes_from as u32,
            changes_len: (self.changed.len() - changes_from) as u32,
        });
    }

    /// Counts left row `l` and right row `r` as paired, compares their
    /// cells, and lists them as changed if any differs.
    fn pair(&mut self, plan: &Plan, (left, l): (&Table, usize), (right, r): (&Table, usize)) {
        let from = self.changed.len();
        self.matched += 1;
        plan.compare_rows(left, l, right, r, &mut self.changed, &mut self.tallies);
        if self.changed.len() > from {
            self.push(RowStatus::Changed, Some(l as u32), Some(r as u32), from);
        }
    }
}

/// Adds up the rows of a result by status into `summary`: changed and one
/// sided rows, and the identical ones among the `summary.matched`.
fn count_rows(summary: &mut Summary, rows: &[RowDiff]) {
    for r in rows {
        match r.status {
            RowStatus::Changed => summary.changed += 1,
            RowStatus::OnlyLeft => summary.only_left += 1,
            RowStatus::OnlyRight => summary.only_right += 1,
            RowStatus::Duplicate => {}
        }
    }
    summary.identical = summary.matched - summary.changed;
}

/// Joins the pieces in order, rebasing each row's changed cells.
fn join_pieces(pieces: Vec<Piece>, pairs: usize) -> Piece {
    let mut all = Piece::new(pairs);
    for p in pieces {
        let base = all.changed.len() as u32;
        all.rows.extend(p.rows.into_iter().map(|mut r| {
            r.changes_start += base;
            r
        }));
        all.changed.extend(p.changed);
        add_tallies(&mut all.tallies, &p.tallies);
        all.matched += p.matched;
    }
    all
}

/// Runs `f` over `0..n` in tasks of [`ROWS_PER_TASK`] rows on all cores,
/// reporting progress and stopping early on cancellation.
fn for_row_ranges<F>(
    n: usize,
    progress_base: u64,
    progress_total: u64,
    ctl: Control<'_>,
    f: F,
) -> Result<Vec<Piece>>
where
    F: Fn(std::ops::Range<usize>) -> Piece + Sync,
{
    let done = AtomicU64::new(progress_base);
    (0..n.div_ceil(ROWS_PER_TASK))
        .into_par_iter()
        .map(|t| {
            ctl.check()?;
            let range = t * ROWS_PER_TASK..((t + 1) * ROWS_PER_TASK).min(n);
            let len = range.len() as u64;
            let piece = f(range);
            let d = done.fetch_add(len, Ordering::Relaxed) + len;
            ctl.report(Phase::Comparing, d, progress_total);
            Ok(piece)
        })
        .collect()
}

fn compare_positional(
    left: &Table,
    right: &Table,
    plan: Plan,
    ctl: Control<'_>,
) -> Result<CompareResult> {
    let (nl, nr) = (left.num_rows(), right.num_rows());
    let common = nl.min(nr);
    let total = nl.max(nr) as u64;
    let pieces = for_row_ranges(common, 0, total, ctl, |range| {
        let mut piece = Piece::new(plan.pairs.len());
        for i in range {
            piece.pair(&plan, (left, i), (right, i));
        }
        piece
    })?;
    let mut all = join_pieces(pieces, plan.pairs.len());
    let changed = all.rows.len() as u64;
    let from = all.changed.len();
    for i in common..nl {
        all.push(RowStatus::OnlyLeft, Some(i as u32), None, from);
    }
    for i in common..nr {
        all.push(RowStatus::OnlyRight, None, Some(i as u32), from);
    }
    ctl.report(Phase::Comparing, total, total);
    let summary = Summary {
        left_rows: nl as u64,
        right_rows: nr as u64,
        matched: common as u64,
        identical: common as u64 - changed,
        changed,
        only_left: (nl - common) as u64,
        only_right: (nr - common) as u64,
        duplicate_keys_left: 0,
        duplicate_keys_right: 0,
        ..Summary::default()
    };
    let notes = vec![POSITIONAL_NOTE.to_string()];
    Ok(plan.finish_piece(Mode::Positional, summary, all, notes))
}

/// Where a result row stands in the order of results: rows with a left
/// row come in left file order, then rows only on the right in right file
/// order. Sorting by it puts the rows of several comparisons in that order.
pub(crate) fn place(row: &RowDiff) -> u64 {
    match (row.left, row.right) {
        (Some(l), _) => u64::from(l),
        (None, Some(r)) => 1 << 32 | u64::from(r),
        (None, None) => unreachable!("a result row has a side"),
    }
}

/// Where each row of a keyed result stands in the order of results, and
/// what a result made of several comparisons needs to add up its notes.
pub(crate) struct KeyedOrder {
    /// Per result row, its [`place`], except that all rows of a duplicated
    /// key share the place of the row that stands for them.
    pub order: Vec<u64>,
    /// Left and right rows with an empty key.
    pub empty_keys: (u64, u64),
}

/// The note for rows whose key is empty.
pub(crate) fn empty_key_note(left: u64, right: u64) -> String {
    format!(
        "{left} left rows and {right} right rows have an empty key; an empty key matches nothing \
         (not even another empty key), so they are listed as only_left / only_right"
    )
}

/// The note of a comparison by position, as asked.
pub(crate) const POSITIONAL_NOTE: &str =
    "rows were compared by position, as asked: row N of the left file with row N of the right file";

/// The note of a comparison by position of files without a key compared
/// outside memory, where rows are not paired by content.
pub(crate) const POSITIONAL_OUT_OF_CORE_NOTE: &str =
    "no key: these files are compared outside memory, where rows without a key are compared by \
     position (row N of the left file with row N of the right file), not paired by content; \
     name a key, or raise the memory limit, to pair them otherwise";

fn compare_keyed(
    left: &Table,
    right: &Table,
    plan: Plan,
    ctl: Control<'_>,
) -> Result<(CompareResult, KeyedOrder)> {
    let lk = KeyColumns {
        table: left,
        columns: plan.keys.iter().map(|k| k.left_index).collect(),
        rules: plan.key_rules.iter().collect(),
        whole_rows: false,
    };
    let rk = KeyColumns {
        table: right,
        columns: plan.keys.iter().map(|k| k.right_index).collect(),
        rules: plan.key_rules.iter().collect(),
        whole_rows: false,
    };
    let matching = Matching::new(&lk, &rk);
    ctl.check()?;
    let (nl, nr) = (left.num_rows(), right.num_rows());
    let total = (nl + nr) as u64;

    // Left rows, in left order. A repeated key is marked once, at its first
    // left row, and expanded below. Pairs whose keys only share a hash are
    // split here, where both rows are read anyway.
    let left_pieces = for_row_ranges(nl, 0, total, ctl, |range| {
        let mut piece = Piece::new(plan.pairs.len());
        for i in range {
            matching.prefetch_ahead(right, i);
            let from = piece.changed.len();
            match matching.left(i) {
                LeftMatch::None => piece.push(RowStatus::OnlyLeft, Some(i as u32), None, from),
                LeftMatch::Group { first: true } => {
                    piece.push(RowStatus::Duplicate, Some(i as u32), None, from)
                }
                LeftMatch::Group { first: false } => {}
                LeftMatch::Row(r) if !lk.same_key(i, &rk, r as usize) => {
                    piece.push(RowStatus::OnlyLeft, Some(i as u32), None, from);
                    piece.unpaired_right.push(r);
                }
                LeftMatch::Row(r) => piece.pair(&plan, (left, i), (right, r as usize)),
            }
        }
        piece
    })?;
    let mut unpaired: Vec<u32> = left_pieces
        .iter()
        .flat_map(|p| p.unpaired_right.iter().copied())
        .collect();
    unpaired.sort_unstable();
    // Right rows not accounted for by the left pass, in right order.
    let right_pieces = for_row_ranges(nr, nl as u64, total, ctl, |range| {
        let mut piece = Piece::new(plan.pairs.len());
        for j in range {
            let from = piece.changed.len();
            if !matching.right_taken(j) || unpaired.binary_search(&(j as u32)).is_ok() {
                piece.push(RowStatus::OnlyRight, None, Some(j as u32), from);
            } else if matching.group_of_right(j as u32).is_some() {
                piece.push(RowStatus::Duplicate, None, Some(j as u32), from);
            }
        }
        piece
    })?;
    let mut all = join_pieces(
        left_pieces.into_iter().chain(right_pieces).collect(),
        plan.pairs.len(),
    );
    let mut order: Vec<u64> = all.rows.iter().map(place).collect();

    let (dup_left, dup_right) = matching.duplicate_keys();
    let mut summary = Summary {
        left_rows: nl as u64,
        right_rows: nr as u64,
        matched: all.matched,
        duplicate_keys_left: dup_left,
        duplicate_keys_right: dup_right,
        ..Summary::default()
    };
    count_rows(&mut summary, &all.rows);

    if !matching.groups.is_empty() {
        // Each marker stands for every row of its key, left rows then right rows.
        let at = all.changed.len() as u32;
        let dup = |left: Option<u32>, right: Option<u32>| RowDiff {
            status: RowStatus::Duplicate,
            left,
            right,
            changes_start: at,
            changes_len: 0,
        };
        let mut rows = Vec::with_capacity(all.rows.len());
        let mut places = Vec::with_capacity(all.rows.len());
        for (r, at) in all.rows.into_iter().zip(order) {
            let group = match (r.status, r.left, r.right) {
                (RowStatus::Duplicate, Some(l), _) => matching.group_of_left(l),
                (RowStatus::Duplicate, None, Some(j)) => matching.group_of_right(j),
                _ => None,
            };
            match group {
                Some(g) => {
                    rows.extend(g.left.iter().map(|&x| dup(Some(x), None)));
                    rows.extend(g.right.iter().map(|&x| dup(None, Some(x))));
                    places.resize(rows.len(), at);
                }
                None => {
                    rows.push(r);
                    places.push(at);
                }
            }
        }
        all.rows = rows;
        order = places;
    }
    ctl.report(Phase::Comparing, total, total);
    let mut notes = Vec::new();
    let (l, r) = matching.empty_keys;
    if (l, r) != (0, 0) {
        notes.push(empty_key_note(l, r));
    }
    let result = plan.finish_piece(Mode::Keyed, summary, all, notes);
    let order = KeyedOrder {
        order,
        empty_keys: (l, r),
    };
    Ok((result, order))
}

#[cfg(test)]
mod tests;
