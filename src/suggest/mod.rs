//! Suggesting how two files correspond: which left column is which right
//! column, and which columns identify a row.
//!
//! Column pairs are scored from their names (spelling, words, synonyms and
//! abbreviations) and their contents (type and shared values, from a bounded
//! sample), then assigned one-to-one so that the total score is largest.
//! Keys are chosen among the paired columns: unique and never empty on both
//! sides, with values found on both sides, checked against all rows.

mod assign;
mod inferred;
mod keys;
mod names;
mod sample;

pub use assign::assign;
pub use inferred::{infer_rules, Inferred};
pub use names::{compare_names, words, NameMatch};

pub use crate::compare::{AppliedSuggestions, KeySuggestion, MappingSuggestion};

use crate::compare::{compare, ColumnPair, CompareConfig, CompareResult};
use crate::error::Result;
use crate::progress::{Control, Phase};
use crate::table::Table;
pub use keys::MAX_KEY_COLUMNS;
use keys::{suggest_keys, Mapped};
use sample::{
    informativeness, overlap, sample_columns, shared_values, types_compatible, RowSample,
};
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
    /// The best key good enough to use without asking.
    pub fn confident_key(&self) -> Option<&KeySuggestion> {
        self.usable_key(&[])
    }

    /// The best key good enough to use without asking that holds none of
    /// the `ignored` columns (named on either side).
    pub fn usable_key(&self, ignored: &[String]) -> Option<&KeySuggestion> {
        self.keys.iter().find(|k| {
            k.is_confident() && !k.left.iter().chain(&k.right).any(|c| ignored.contains(c))
        })
    }

    /// Notes on the key choice for a comparison that used `chosen` (or no
    /// suggested key): the runners-up, or, when no key was usable, the
    /// closest candidates and why they were not used.
    pub fn key_notes(&self, chosen: Option<&KeySuggestion>) -> Vec<String> {
        let others: Vec<String> = self
            .keys
            .iter()
            .filter(|k| Some(*k) != chosen)
            .take(3)
            .map(|k| format!("{} ({})", k.label(), k.figures()))
            .collect();
        match chosen {
            Some(_) if others.is_empty() => Vec::new(),
            Some(_) => vec![format!("other keys considered: {}", others.join("; "))],
            None if others.is_empty() => vec![format!(
                "no key could be suggested: no paired column, nor any combination of up to \
                 {MAX_KEY_COLUMNS} paired columns, is filled on both sides and unique in more \
                 than a few rows"
            )],
            None => vec![format!(
                "no key could be suggested: a key must be unique on both sides but for at most \
                 {}% of rows, with at least half of its values on both sides; the closest: {}",
                KeySuggestion::NEAR_KEY_REPEATS * 100.0,
                others.join("; ")
            )],
        }
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
    let (lsample, rsample) = rayon::join(|| RowSample::of(left), || RowSample::of(right));
    let (ls, rs) = rayon::join(|| sample_columns(&lsample), || sample_columns(&rsample));
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
        suggest_keys((left, &lsample), (right, &rsample), &ls, &rs, &mapped)
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

/// A configuration completed with suggestions ([`complete_config`]).
#[derive(Debug, Clone)]
pub struct Completed {
    /// The configuration to compare with.
    pub config: CompareConfig,
    /// What was added (`None` when nothing was missing).
    pub applied: Option<AppliedSuggestions>,
    /// Why the key was chosen over the others, or why none was.
    pub notes: Vec<String>,
}

impl Completed {
    /// `config` as it is, with nothing suggested.
    pub fn unchanged(config: &CompareConfig) -> Completed {
        Completed {
            config: config.clone(),
            applied: None,
            notes: Vec::new(),
        }
    }
}

/// Completes `config` with confident suggestions: a key when it names none,
/// renamed column pairs when it names no mapping (both when
/// [`CompareConfig::use_suggestions`]), and the rules the files' values
/// show where it sets none (when [`CompareConfig::infer_rules`]).
pub fn complete_config(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    ctl: Control<'_>,
) -> Result<Completed> {
    let mut completed = complete_pairing(left, right, config, ctl)?;
    if config.infer_rules {
        // A configuration the comparison will refuse infers nothing; the
        // comparison says what is wrong with it.
        if let Ok(pairing) = crate::compare::pairing(left, right, &completed.config) {
            let inferred = infer_rules(left, right, &pairing, &completed.config);
            completed.notes.extend(inferred.notes);
            if !inferred.rules.is_empty() {
                inferred::apply(&mut completed.config, &inferred.rules);
                completed.applied.get_or_insert_with(Default::default).rules = inferred.rules;
            }
        }
    }
    Ok(completed)
}

/// Completes `config` with a suggested key and renamed pairs.
fn complete_pairing(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    ctl: Control<'_>,
) -> Result<Completed> {
    // Rows paired by position on request need no key.
    let want_key = config.use_suggestions && config.keys.is_empty() && !config.by_position;
    // Renamed pairs are worth looking for only if some column on each side
    // has no partner of the same name.
    let unpaired = |a: &Table, b: &Table| a.columns().iter().any(|c| b.column_index(c).is_none());
    let want_maps = config.use_suggestions
        && config.mappings.is_empty()
        && unpaired(left, right)
        && unpaired(right, left);
    if !want_key && !want_maps {
        return Ok(Completed::unchanged(config));
    }
    let s = suggest_parts(left, right, want_key, ctl)?;
    let mut out = config.clone();
    let mut applied = AppliedSuggestions::default();
    let ignored = |name: &str| config.ignore.iter().any(|i| i == name);
    let mut notes = Vec::new();
    if want_key {
        let usable = s.usable_key(&config.ignore);
        notes = s.key_notes(usable);
        if let Some(k) = usable {
            out.keys = k
                .left
                .iter()
                .zip(&k.right)
                .map(|(l, r)| ColumnPair::new(l.as_str(), r.as_str()))
                .collect();
            applied.key = Some(k.clone());
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
    Ok(Completed {
        config: out,
        applied: Some(applied),
        notes,
    })
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
    let completed = if config.completes() {
        complete_config(left, right, config, ctl)?
    } else {
        Completed::unchanged(config)
    };
    let result = compare(&completed.config)?;
    Ok(annotate(result, completed))
}

/// Records in a result which suggestions its configuration was completed
/// with ([`complete_config`]), and says so in its notes.
pub fn annotate(mut result: CompareResult, completed: Completed) -> CompareResult {
    let Completed { applied, notes, .. } = completed;
    let mut all = applied.as_ref().map_or_else(Vec::new, |a| a.describe());
    all.extend(notes);
    all.append(&mut result.notes);
    result.notes = all;
    result.suggested = applied;
    result
}

#[cfg(test)]
mod tests;
