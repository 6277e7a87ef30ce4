//! A three-way merge of a table by key and cell: what git's merge driver
//! (`concord git merge`) does with a CSV file both branches changed.
//!
//! The changes of the other branch ("theirs", against the common base) are
//! a patch ([`crate::patch`]) with whole rows, applied to this branch's
//! file ("ours") as a merge ([`OnConflict::Mark`]): edits to different
//! cells of one row both stay, a row added or removed on one side is added
//! or removed, the same edit made on both sides is made once, and a cell
//! both sides changed differently (or a row one side removed and the other
//! changed) is written between git's conflict markers, both versions of
//! the row in full, for a person to resolve.

use crate::compare::{CompareConfig, Mode, NumericMode};
use crate::error::{Error, Result};
use crate::export::{patch_of, Report};
use crate::patch::{apply_to_file, Conflict, OnConflict};
use crate::progress::Control;
use crate::table::{load_path, LoadOptions};
use std::path::Path;

/// What a merge did.
#[derive(Debug)]
pub struct Merged {
    /// The rows written in conflict.
    pub conflicts: Vec<Conflict>,
    /// Rows changed, removed and added by the other side's changes.
    pub counts: [u64; 3],
}

/// Merges into the file `ours` the changes `theirs` made to `base`, by
/// key (the configuration's, or the key suggested from the base and
/// theirs), and writes the result over `ours`. Every change of text counts
/// (`1.50` to `1.5` too). Fails, leaving `ours` as it was, when the rows
/// cannot be paired by a key or theirs added or removed columns: a merge
/// by cells cannot say where those go, and git's line merge should.
pub fn merge(
    base: &Path,
    ours: &Path,
    theirs: &Path,
    opts: &LoadOptions,
    config: &CompareConfig,
    ctl: Control<'_>,
) -> Result<Merged> {
    let mut config = config.clone();
    config.rules.numeric = NumericMode::Never;
    config.infer_rules = false;
    let b = load_path(base, opts, ctl)?;
    let t = load_path(theirs, opts, ctl)?;
    let result = crate::suggest::compare(&b, &t, &config, ctl)?;
    if result.mode != Mode::Keyed {
        return Err(Error::Invalid(
            "no column identifies the rows (give one with --key), so they cannot be merged by key"
                .into(),
        ));
    }
    if !result.left_only_columns.is_empty() || !result.right_only_columns.is_empty() {
        let mut moved: Vec<String> = result.right_only_columns.clone();
        moved.extend(result.left_only_columns.iter().cloned());
        return Err(Error::Invalid(format!(
            "the other side added or removed columns ({}), which a merge by cells cannot place",
            moved.join(", ")
        )));
    }
    let report = Report {
        left: &b,
        right: &t,
        result: &result,
    };
    let patch = patch_of(report, true);
    drop((b, t));
    let applied = apply_to_file(ours, opts, &patch, OnConflict::Mark, ours, ctl)?;
    Ok(Merged {
        conflicts: applied.skipped,
        counts: [applied.changed, applied.removed, applied.added],
    })
}
