//! `concord apply`: a patch written by `concord compare --format patch`
//! applied to the left file.

use super::args::ReadArgs;
use super::SAME;
use clap::Args;
use concord::patch::{apply, apply_to_file, OnConflict, Patch};
use concord::{Control, Error};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct ApplyArgs {
    /// The file to patch: the left file of the comparison that wrote the patch.
    left: PathBuf,
    /// The patch (`concord compare LEFT RIGHT --format patch --output PATCH`).
    patch: PathBuf,
    /// Where the patched file goes (`-` for standard output). It may be
    /// LEFT itself: the file is replaced only once the patch applied.
    #[arg(long, short)]
    output: PathBuf,
    /// Apply the rows that fit and list those in conflict, instead of
    /// refusing the whole patch.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    read: ReadArgs,
}

/// Runs `concord apply`.
pub(crate) fn run(a: ApplyArgs) -> Result<i32, Error> {
    let patch = Patch::read(&a.patch)?;
    let opts = a.read.options();
    let on_conflict = if a.force {
        OnConflict::Skip
    } else {
        OnConflict::Refuse
    };
    let applied = if a.output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        let applied = apply(
            &a.left,
            &opts,
            &patch,
            on_conflict,
            &mut out,
            Control::default(),
        )?;
        out.flush().map_err(|source| Error::Write {
            path: "standard output".into(),
            source,
        })?;
        applied
    } else {
        apply_to_file(
            &a.left,
            &opts,
            &patch,
            on_conflict,
            &a.output,
            Control::default(),
        )?
    };
    for note in &applied.notes {
        say!("concord: note: {note}");
    }
    for c in &applied.skipped {
        say!("concord: skipped {c}");
    }
    say!(
        "concord: wrote {}: {} rows changed, {} removed, {} added{}",
        if a.output.as_os_str() == "-" {
            "standard output".to_string()
        } else {
            a.output.display().to_string()
        },
        applied.changed,
        applied.removed,
        applied.added,
        match applied.skipped.len() {
            0 => String::new(),
            n => format!(", {n} patch rows skipped"),
        }
    );
    Ok(SAME)
}
