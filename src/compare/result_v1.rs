//! A result as result formats 0 and 1 stored it, read into today's
//! [`CompareResult`] so that a session saved then shows what it showed.
//!
//! Stored results are postcard, which does not describe its layout: an old
//! result must be decoded with the exact structure it was written from.
//! Those results kept no column types and did not count columns on one
//! side only; they are read as they were, with types unknown and with the
//! columns on one side counted, as every result now counts them.

use super::result::{ColumnStats, CompareResult, Mode, ResolvedPair, Rows, Summary};
use super::suggested::{AppliedSuggestions, KeySuggestion, MappingSuggestion};
use crate::array::Array;
use crate::values::ValueType;
use serde::Deserialize;

/// [`Summary`] in formats 0 and 1.
#[derive(Deserialize)]
struct SummaryV1 {
    left_rows: u64,
    right_rows: u64,
    matched: u64,
    identical: u64,
    changed: u64,
    only_left: u64,
    only_right: u64,
    duplicate_keys_left: u64,
    duplicate_keys_right: u64,
}

/// [`ColumnStats`] in formats 0 and 1.
#[derive(Deserialize)]
struct ColumnStatsV1 {
    left: String,
    right: String,
    differences: u64,
    max_difference: Option<f64>,
}

/// [`KeySuggestion`] in formats 0 and 1 (its figures always from every row).
#[derive(Deserialize)]
struct KeySuggestionV1 {
    left: Vec<String>,
    right: Vec<String>,
    score: f64,
    unique_left: f64,
    unique_right: f64,
    overlap: f64,
}

/// [`AppliedSuggestions`] in formats 0 and 1 (before inferred rules).
#[derive(Deserialize)]
struct AppliedV1 {
    key: Option<KeySuggestionV1>,
    mappings: Vec<MappingSuggestion>,
}

/// [`CompareResult`] in formats 0 and 1.
#[derive(Deserialize)]
pub(crate) struct CompareResultV1 {
    mode: Mode,
    keys: Vec<ResolvedPair>,
    pairs: Vec<ResolvedPair>,
    left_only_columns: Vec<String>,
    right_only_columns: Vec<String>,
    summary: SummaryV1,
    columns: Vec<ColumnStatsV1>,
    rows: Rows,
    notes: Vec<String>,
    suggested: Option<AppliedV1>,
    changed_pairs: Array<u32>,
}

impl From<CompareResultV1> for CompareResult {
    fn from(old: CompareResultV1) -> CompareResult {
        let s = old.summary;
        let summary = Summary {
            left_rows: s.left_rows,
            right_rows: s.right_rows,
            matched: s.matched,
            identical: s.identical,
            changed: s.changed,
            only_left: s.only_left,
            only_right: s.only_right,
            duplicate_keys_left: s.duplicate_keys_left,
            duplicate_keys_right: s.duplicate_keys_right,
            columns_only_left: old.left_only_columns.len() as u64,
            columns_only_right: old.right_only_columns.len() as u64,
            extra_columns_ignored: false,
        };
        let columns = old
            .columns
            .into_iter()
            .map(|c| ColumnStats {
                left: c.left,
                right: c.right,
                differences: c.differences,
                max_difference: c.max_difference,
                left_type: ValueType::Empty,
                right_type: ValueType::Empty,
            })
            .collect();
        CompareResult {
            mode: old.mode,
            keys: old.keys,
            pairs: old.pairs,
            left_only_columns: old.left_only_columns,
            right_only_columns: old.right_only_columns,
            summary,
            columns,
            rows: old.rows,
            notes: old.notes,
            suggested: old.suggested.map(|s| AppliedSuggestions {
                key: s.key.map(|k| KeySuggestion {
                    left: k.left,
                    right: k.right,
                    score: k.score,
                    unique_left: k.unique_left,
                    unique_right: k.unique_right,
                    overlap: k.overlap,
                    sampled: false,
                }),
                mappings: s.mappings,
                rules: Vec::new(),
            }),
            changed_pairs: old.changed_pairs,
        }
    }
}
