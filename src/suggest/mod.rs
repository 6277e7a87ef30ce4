//! Suggesting how two files correspond: which left column is which right
//! column, and which columns identify a row.
//!
//! Column pairs are scored from their names (spelling, words, synonyms and
//! abbreviations) and their contents (type and shared values, from a bounded
//! sample), then assigned one-to-one so that the total score is largest.
//! Keys are chosen among the paired columns: unique and never empty on both
//! sides, with values found on both sides, checked against all rows.

mod assign;
mod keys;
mod names;
mod sample;

pub use assign::assign;
pub use names::{compare_names, words, NameMatch};

pub use crate::compare::{AppliedSuggestions, KeySuggestion, MappingSuggestion};

use crate::compare::{compare, ColumnPair, CompareConfig, CompareResult, Mode};
use crate::error::Result;
use crate::progress::{Control, Phase};
use crate::table::Table;
use keys::{suggest_keys, Mapped};
use sample::{informativeness, overlap, sample_columns, shared_values, types_compatible};
use serde::{Deserialize, Serialize};

/// Column pairs scoring below this are left unmapped. On the labeled test
/// set (tests/suggest/cases) every pair above it is right, so `compare` uses
/// all suggested pairs when the user names none.
pub const MAPPING_THRESHOLD: f64 = 0.6;

/// Suggestions for comparing two tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Suggestions {
    /// Suggested column pairs, in left column order.
    pub mappings: Vec<MappingSuggestion>,
    /// Left columns with no partner.
    pub unmapped_left: Vec<String>,
    /// Right columns with no partner.
    pub unmapped_right: Vec<String>,
    /// Key candidates, best first.
    pub keys: Vec<KeySuggestion>,
}

impl Suggestions {
    /// The best key, if it is good enough to use without asking.
    pub fn confident_key(&self) -> Option<&KeySuggestion> {
        self.keys.first().filter(|k| k.is_confident())
    }

    /// Suggested pairs of differently named columns.
    pub fn renames(&self) -> impl Iterator<Item = &MappingSuggestion> {
        self.mappings.iter().filter(|m| m.left != m.right)
    }
}

/// The score of pairing two columns, with its reason.
fn pair_score(
    lname: &str,
    rname: &str,
    ls: &sample::ColumnSample,
    rs: &sample::ColumnSample,
    shared: u32,
) -> (f64, &'static str) {
    let name = compare_names(lname, rname);
    if !ls.has_values() || !rs.has_values() {
        return (name.score * 0.95, name.reason);
    }
    let compatible = types_compatible(ls.value_type, rs.value_type);
    let same = if compatible {
        overlap(ls, rs, shared)
    } else {
        0.0
    };
    let name_part = name.score * if compatible { 0.85 + 0.15 * same } else { 0.7 };
    let content_part = same * informativeness(ls, rs) * (0.85 + 0.15 * name.score);
    if content_part > name_part {
        (content_part, "same values")
    } else {
        (name_part, name.reason)
    }
}

/// Suggests column pairs and keys for comparing `left` with `right`.
pub fn suggest(left: &Table, right: &Table, ctl: Control<'_>) -> Result<Suggestions> {
    suggest_parts(left, right, true, ctl)
}

/// Suggests column pairs, and keys only when `keys` is true: checking key
/// candidates reads every row, which a caller that has a key can skip.
fn suggest_parts(left: &Table, right: &Table, keys: bool, ctl: Control<'_>) -> Result<Suggestions> {
    const STEPS: u64 = 3;
    ctl.check()?;
    ctl.report(Phase::Suggesting, 0, STEPS);
    let (ls, rs) = rayon::join(|| sample_columns(left), || sample_columns(right));
    ctl.check()?;
    ctl.report(Phase::Suggesting, 1, STEPS);
    let shared = shared_values(&ls, &rs);
    let scored: Vec<Vec<(f64, &'static str)>> = left
        .columns()
        .iter()
        .enumerate()
        .map(|(i, ln)| {
            right
                .columns()
                .iter()
                .enumerate()
                .map(|(j, rn)| pair_score(ln, rn, &ls[i], &rs[j], shared[i][j]))
                .collect()
        })
        .collect();
    let matrix: Vec<Vec<f64>> = scored
        .iter()
        .map(|r| r.iter().map(|s| s.0).collect())
        .collect();
    let assignment = assign(&matrix);
    let mut mappings = Vec::new();
    let mut mapped = Vec::new();
    let mut right_used = vec![false; right.num_columns()];
    let mut unmapped_left = Vec::new();
    for (i, a) in assignment.iter().enumerate() {
        match a {
            Some(j) if scored[i][*j].0 >= MAPPING_THRESHOLD => {
                right_used[*j] = true;
                mapped.push(Mapped { left: i, right: *j });
                mappings.push(MappingSuggestion {
                    left: left.columns()[i].clone(),
                    right: right.columns()[*j].clone(),
                    score: (scored[i][*j].0 * 1000.0).round() / 1000.0,
                    reason: scored[i][*j].1.to_string(),
                });
            }
            _ => unmapped_left.push(left.columns()[i].clone()),
        }
    }
    let unmapped_right = right
        .columns()
        .iter()
        .zip(&right_used)
        .filter(|(_, &u)| !u)
        .map(|(n, _)| n.clone())
        .collect();
    ctl.check()?;
    ctl.report(Phase::Suggesting, 2, STEPS);
    let candidates = if keys {
        suggest_keys(left, right, &ls, &rs, &mapped)
    } else {
        Vec::new()
    };
    ctl.report(Phase::Suggesting, STEPS, STEPS);
    let keys = candidates
        .into_iter()
        .map(|mut k| {
            for v in [
                &mut k.score,
                &mut k.unique_left,
                &mut k.unique_right,
                &mut k.overlap,
            ] {
                *v = (*v * 10_000.0).round() / 10_000.0;
            }
            k
        })
        .collect();
    Ok(Suggestions {
        mappings,
        unmapped_left,
        unmapped_right,
        keys,
    })
}

/// Completes `config` with confident suggestions: a key when it names none,
/// renamed column pairs when it names no mapping. Returns the completed
/// configuration and what was added (`None` when nothing was missing).
pub fn complete_config(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    ctl: Control<'_>,
) -> Result<(CompareConfig, Option<AppliedSuggestions>)> {
    let want_key = config.keys.is_empty();
    // Renamed pairs are worth looking for only if some column on each side
    // has no partner of the same name.
    let unpaired = |a: &Table, b: &Table| a.columns().iter().any(|c| b.column_index(c).is_none());
    let want_maps = config.mappings.is_empty() && unpaired(left, right) && unpaired(right, left);
    if !want_key && !want_maps {
        return Ok((config.clone(), None));
    }
    let s = suggest_parts(left, right, want_key, ctl)?;
    let mut out = config.clone();
    let mut applied = AppliedSuggestions::default();
    let ignored = |name: &str| config.ignore.iter().any(|i| i == name);
    if want_key {
        if let Some(k) = s.confident_key() {
            if !k.left.iter().chain(&k.right).any(|c| ignored(c)) {
                out.keys = k
                    .left
                    .iter()
                    .zip(&k.right)
                    .map(|(l, r)| ColumnPair::new(l.as_str(), r.as_str()))
                    .collect();
                applied.key = Some(k.clone());
            }
        }
    }
    if want_maps {
        let used = |m: &MappingSuggestion| {
            out.keys.iter().any(|k| k.left == m.left || k.right == m.right)
                || ignored(&m.left)
                || ignored(&m.right)
                // A same-named column on the other side would be paired by name already.
                || right.column_index(&m.left).is_some()
                || left.column_index(&m.right).is_some()
        };
        let renames: Vec<MappingSuggestion> = s.renames().filter(|m| !used(m)).cloned().collect();
        out.mappings = renames
            .iter()
            .map(|m| ColumnPair::new(m.left.as_str(), m.right.as_str()))
            .collect();
        applied.mappings = renames;
    }
    Ok((out, Some(applied)))
}

/// Compares `left` with `right` after the suggestion stage: when `config`
/// names no key or no column mapping (and allows suggestions), confident
/// suggestions fill them in first. The result's `suggested` field and notes
/// say what was used. This is what the workflow and the CLI run; the
/// comparison itself ([`compare`]) knows nothing of suggestions.
pub fn compare_with_suggestions(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    ctl: Control<'_>,
) -> Result<CompareResult> {
    with_suggestions(left, right, config, ctl, |config| {
        compare(left, right, config, ctl)
    })
}

/// Runs `compare` with `config` after the suggestion stage, as
/// [`compare_with_suggestions`] does, for comparisons made another way
/// (a partition at a time, say).
pub fn with_suggestions(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    ctl: Control<'_>,
    compare: impl FnOnce(&CompareConfig) -> Result<CompareResult>,
) -> Result<CompareResult> {
    let (config, applied) = if config.use_suggestions {
        complete_config(left, right, config, ctl)?
    } else {
        (config.clone(), None)
    };
    let result = compare(&config)?;
    Ok(annotate(result, applied))
}

/// Records in a result which suggestions its configuration was completed
/// with ([`complete_config`]), and says so in its notes.
pub fn annotate(mut result: CompareResult, applied: Option<AppliedSuggestions>) -> CompareResult {
    if let Some(a) = &applied {
        let mut notes = a.describe();
        if result.mode == Mode::Positional {
            notes.push("no key could be suggested: no paired column (or pair of columns) is unique and filled on both sides".to_string());
        }
        notes.append(&mut result.notes);
        result.notes = notes;
    }
    result.suggested = applied;
    result
}

#[cfg(test)]
mod tests;
