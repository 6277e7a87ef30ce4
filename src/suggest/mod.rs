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
pub use inferred::{infer_rules, sampled_rows, Inferred};
pub use names::{compare_names, words, NameMatch};

pub use crate::compare::{AppliedSuggestions, KeySuggestion, MappingSuggestion};

use crate::compare::{
    compare_as_configured, compare_counting_empty_keys, ColumnPair, CompareConfig, CompareResult,
    Summary,
};
use crate::error::Result;
use crate::progress::{Control, Phase};
use crate::table::Table;
pub use keys::MAX_KEY_COLUMNS;
use keys::{suggest_keys, Check, Mapped};
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    suggest_parts(left, right, Some(Check::Here), &[], ctl).map(|(s, _)| s)
}

/// Suggests column pairs, and keys only when `keys` says how to check them
/// (checking key candidates reads every row, which a caller that has a key
/// can skip); no key holds a column named in `ignored` (on either side).
/// The flag says whether the first key is provisional, left for the
/// comparison to check ([`Check::ByComparison`]).
fn suggest_parts(
    left: &Table,
    right: &Table,
    keys: Option<Check>,
    ignored: &[String],
    ctl: Control<'_>,
) -> Result<(Suggestions, bool)> {
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
    let keyable: Vec<Mapped> = mapped
        .iter()
        .filter(|m| {
            let (l, r) = (&left.columns()[m.left], &right.columns()[m.right]);
            !ignored.contains(l) && !ignored.contains(r)
        })
        .copied()
        .collect();
    let (candidates, provisional) = match keys {
        Some(check) => suggest_keys(
            (left, &lsample),
            (right, &rsample),
            &ls,
            &rs,
            &keyable,
            check,
        ),
        None => (Vec::new(), false),
    };
    ctl.report(Phase::Suggesting, STEPS, STEPS);
    // A provisional key's figures are rounded once confirmed.
    let keys = candidates
        .into_iter()
        .enumerate()
        .map(|(i, k)| if provisional && i == 0 { k } else { rounded(k) })
        .collect();
    let suggestions = Suggestions {
        mappings,
        unmapped_left,
        unmapped_right,
        keys,
    };
    Ok((suggestions, provisional))
}

/// A key's figures to four places, as people and stored results read them.
fn rounded(mut k: KeySuggestion) -> KeySuggestion {
    for v in [
        &mut k.score,
        &mut k.unique_left,
        &mut k.unique_right,
        &mut k.overlap,
    ] {
        *v = (*v * 10_000.0).round() / 10_000.0;
    }
    k
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
    /// Whether the suggested key is taken as exact until the comparison
    /// that uses it confirms it ([`Completed::confirmed`]).
    provisional_key: bool,
}

impl Completed {
    /// `config` as it is, with nothing suggested.
    pub fn unchanged(config: &CompareConfig) -> Completed {
        Completed {
            config: config.clone(),
            applied: None,
            notes: Vec::new(),
            provisional_key: false,
        }
    }

    /// This completion, once a comparison with its configuration has counted
    /// `summary` and rows with an empty key: a provisional key is confirmed
    /// when no key was repeated or empty on either side and at least half
    /// of the keys of the smaller side were found on both (its figures are
    /// then the comparison's), and `None` says it was not, so the
    /// comparison must be done again with keys checked here. Reading the
    /// counts costs nothing, where checking the key first reads every row.
    fn confirmed(mut self, summary: &Summary, empty_keys: (u64, u64)) -> Option<Completed> {
        if !self.provisional_key {
            return Some(self);
        }
        let exact = summary.duplicate_keys_left == 0
            && summary.duplicate_keys_right == 0
            && empty_keys == (0, 0);
        let smaller = summary.left_rows.min(summary.right_rows);
        let overlap = if smaller == 0 {
            0.0
        } else {
            summary.matched as f64 / smaller as f64
        };
        let key = self.applied.as_mut()?.key.as_mut()?;
        if !exact || overlap < 0.5 {
            return None;
        }
        // A provisional key's score is its prior alone (unique, all found).
        key.score *= 0.5 + 0.5 * overlap;
        key.overlap = overlap;
        *key = rounded(key.clone());
        self.provisional_key = false;
        Some(self)
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
    complete(left, right, config, Check::Here, ctl)
}

/// [`complete_config`], with the suggested key checked as `check` says.
fn complete(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    check: Check,
    ctl: Control<'_>,
) -> Result<Completed> {
    let mut completed = complete_pairing(left, right, config, check, ctl)?;
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

/// Whether completing `config` for tables with the columns of `left` and
/// `right` looks for a key, and for renamed column pairs.
fn wanted(left: &Table, right: &Table, config: &CompareConfig) -> (bool, bool) {
    // Rows paired by position on request need no key.
    let want_key = config.use_suggestions && config.keys.is_empty() && !config.by_position;
    // Renamed pairs are worth looking for only if some column on each side
    // has no partner of the same name.
    let unpaired = |a: &Table, b: &Table| a.columns().iter().any(|c| b.column_index(c).is_none());
    let want_maps = config.use_suggestions
        && config.mappings.is_empty()
        && unpaired(left, right)
        && unpaired(right, left);
    (want_key, want_maps)
}

/// Whether completing `config` for tables with the columns of `left` and
/// `right` (which may hold no rows) suggests a key or column pairs, which
/// read the tables' rows; when it does not, completing it reads only the
/// rows [`sampled_rows`] names.
pub fn suggests_pairing(left: &Table, right: &Table, config: &CompareConfig) -> bool {
    let (key, maps) = wanted(left, right, config);
    key || maps
}

/// Completes `config` with a suggested key and renamed pairs.
fn complete_pairing(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    check: Check,
    ctl: Control<'_>,
) -> Result<Completed> {
    let (want_key, want_maps) = wanted(left, right, config);
    if !want_key && !want_maps {
        return Ok(Completed::unchanged(config));
    }
    let (s, provisional) =
        suggest_parts(left, right, want_key.then_some(check), &config.ignore, ctl)?;
    let mut out = config.clone();
    let mut applied = AppliedSuggestions::default();
    let ignored = |name: &str| config.ignore.iter().any(|i| i == name);
    let mut notes = Vec::new();
    let mut provisional_key = false;
    if want_key {
        // No key holds an ignored column (the search left them out), so a
        // provisional key, confident by its guessed figures, is the one used.
        let usable = s.usable_key(&config.ignore);
        notes = s.key_notes(usable);
        if let Some(k) = usable {
            provisional_key = provisional;
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
        provisional_key,
    })
}

/// Compares `left` with `right` after the suggestion stage: when `config`
/// names no key or no column mapping (and allows suggestions), confident
/// suggestions fill them in first. The result's `suggested` field and notes
/// say what was used. This is what the workflow and the CLI run; the
/// comparison itself ([`compare`]) knows nothing of suggestions.
///
/// A key found on sampled rows is checked by the comparison that uses it,
/// which reads every key anyway: should the comparison find it repeated,
/// empty or mostly unmatched, the keys are checked on every row first and
/// the comparison is done again, so the answer is always the one
/// [`complete_config`] and [`compare`] give.
pub fn compare(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    ctl: Control<'_>,
) -> Result<CompareResult> {
    if !config.completes() {
        return compare_as_configured(left, right, config, ctl);
    }
    if !keys_read_as_written(config) {
        return with_suggestions(left, right, config, ctl, |config| {
            compare_as_configured(left, right, config, ctl)
        });
    }
    let completed = complete(left, right, config, Check::ByComparison, ctl)?;
    let (result, empty_keys) = compare_counting_empty_keys(left, right, &completed.config, ctl)?;
    match completed.confirmed(&result.summary, empty_keys) {
        Some(completed) => Ok(annotate(result, completed)),
        None => with_suggestions(left, right, config, ctl, |config| {
            compare_as_configured(left, right, config, ctl)
        }),
    }
}

/// Whether the comparison reads key cells as the key search does, so that
/// its counts can confirm a key the search found: no trimming, no letter
/// case ignored and no null tokens of the user's (which the comparison
/// applies to keys and the search does not), and null spellings inferred
/// (without them a typed column's `NA`, empty to the search, is a value to
/// the comparison).
fn keys_read_as_written(config: &CompareConfig) -> bool {
    let plain = |trim: bool, case: bool, nulls: &[String]| !trim && !case && nulls.is_empty();
    config.infer_rules
        && plain(
            config.rules.trim,
            config.rules.ignore_case,
            &config.rules.null_tokens,
        )
        && config.column_rules.values().all(|o| {
            plain(
                o.trim.unwrap_or(false),
                o.ignore_case.unwrap_or(false),
                o.null_tokens.as_deref().unwrap_or_default(),
            )
        })
}

/// Runs `compare` with `config` after the suggestion stage, as
/// [`compare`] does, for comparisons made another way
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
