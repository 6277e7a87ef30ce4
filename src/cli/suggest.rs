//! `concord suggest`: which columns correspond, and which identify a row.

use super::args::PairReadArgs;
use super::{finish_stdout, progress, InspectFormat, SAME};
use clap::Args;
use concord::{Control, Error};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct SuggestArgs {
    /// The left file.
    left: PathBuf,
    /// The right file.
    right: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: InspectFormat,
    #[command(flatten)]
    read: PairReadArgs,
}

/// Runs `concord suggest`.
pub(crate) fn run(a: SuggestArgs) -> Result<i32, Error> {
    let opts = a.read.options();
    let bar = progress::Bar::new();
    let report = |p| bar.update(p);
    let ctl = Control {
        progress: Some(&report),
        ..Control::default()
    };
    super::mapped::guard(&[&a.left, &a.right]);
    let loaded = concord::table::map_both(&a.left, &a.right, &opts, ctl);
    bar.finish();
    let (left, right) = loaded?;
    let s = concord::suggest::suggest(&left, &right, ctl)?;
    let mut out = std::io::stdout().lock();
    let written = match a.format {
        InspectFormat::Json => serde_json::to_writer_pretty(&mut out, &s)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out)),
        InspectFormat::Text => write_suggestions_text(&mut out, &s),
    };
    finish_stdout(written)?;
    Ok(SAME)
}

fn write_suggestions_text(
    out: &mut dyn Write,
    s: &concord::suggest::Suggestions,
) -> std::io::Result<()> {
    writeln!(out, "column pairs:")?;
    let width = s
        .mappings
        .iter()
        .map(|m| m.left.chars().count())
        .max()
        .unwrap_or(0);
    for m in &s.mappings {
        writeln!(
            out,
            "  {:<width$}  =  {:<24}  {:.2}  {}",
            m.left, m.right, m.score, m.reason
        )?;
    }
    if !s.unmapped_left.is_empty() {
        writeln!(out, "only in left:  {}", s.unmapped_left.join(", "))?;
    }
    if !s.unmapped_right.is_empty() {
        writeln!(out, "only in right: {}", s.unmapped_right.join(", "))?;
    }
    writeln!(out, "\nkeys:")?;
    if s.keys.is_empty() {
        writeln!(out, "  none: no paired column is unique on both sides")?;
    }
    for k in &s.keys {
        writeln!(
            out,
            "  {:<30}  score {:.2}  unique left {:.1}%  unique right {:.1}%  shared {:.1}%{}",
            k.label(),
            k.score,
            k.unique_left * 100.0,
            k.unique_right * 100.0,
            k.overlap * 100.0,
            if k.is_confident() {
                ""
            } else {
                "  (not confident)"
            }
        )?;
    }
    if let Some(k) = s.keys.first().filter(|k| k.is_confident()) {
        let flags: Vec<String> = k
            .left
            .iter()
            .zip(&k.right)
            .map(|(l, r)| format!("--key {}", concord::compare::pair_label(l, r)))
            .collect();
        writeln!(
            out,
            "\nconcord compare uses the first key when none is given, as with: {}",
            flags.join(" ")
        )?;
    }
    Ok(())
}
