//! `concord inspect`: how one file is read, and a profile of each column.

use super::args::ReadArgs;
use super::{finish_stdout, progress, InspectFormat, SAME};
use clap::Args;
use concord::table::delimiter_name;
use concord::{Control, Error, Table};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct InspectArgs {
    /// The file: CSV or other delimited text, JSON Lines or a workbook, compressed or not.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: InspectFormat,
    /// A value that means "no value" (e.g. NULL, N/A): counted as empty in
    /// the profiles. Repeatable.
    #[arg(long = "null-token", value_name = "T")]
    null_tokens: Vec<String>,
    #[command(flatten)]
    read: ReadArgs,
}

/// Runs `concord inspect`.
pub(crate) fn run(a: InspectArgs) -> Result<i32, Error> {
    let opts = a.read.options();
    let bar = progress::Bar::new();
    let report = |p| bar.update(p);
    let table = concord::load_path(
        &a.file,
        &opts,
        Control {
            progress: Some(&report),
            ..Control::default()
        },
    );
    bar.finish();
    let table = table?;
    let rules = concord::compare::Rules {
        null_tokens: a.null_tokens.clone(),
        ..Default::default()
    };
    let profiles =
        concord::profile::profile_with(&table, &|_, v| rules.is_null(v), Control::default())?;
    let info = table.info();
    // A workbook's sheets, with their sizes.
    let sheets = match info.sheet {
        Some(_) => concord::table::sheet_sizes(&a.file)?,
        None => Vec::new(),
    };
    let mut out = std::io::stdout().lock();
    let written = match a.format {
        InspectFormat::Json => {
            let v = serde_json::json!({
                "path": info.path,
                "bytes": info.bytes,
                "format": info.format,
                "compression": info.compression,
                "sheet": info.sheet,
                "sheets": sheets,
                "encoding": info.encoding,
                "delimiter": info.delimiter.map(|d| (d as char).to_string()),
                "has_header": info.has_header,
                "rows": table.num_rows(),
                "columns": profiles,
                "warnings": info.warnings,
            });
            serde_json::to_writer_pretty(&mut out, &v)
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out))
        }
        InspectFormat::Text => write_inspect_text(&mut out, &table, &sheets, &profiles),
    };
    finish_stdout(written)?;
    Ok(SAME)
}

fn write_inspect_text(
    out: &mut dyn Write,
    table: &Table,
    sheets: &[concord::table::SheetSize],
    profiles: &[concord::profile::ColumnProfile],
) -> std::io::Result<()> {
    let info = table.info();
    writeln!(out, "file:      {}", info.path)?;
    writeln!(out, "format:    {}", info.format)?;
    if let Some(s) = &info.sheet {
        writeln!(out, "sheet:     {s}")?;
    }
    if !sheets.is_empty() {
        let listed: Vec<String> = sheets
            .iter()
            .map(|s| match (s.rows, s.columns) {
                (0, _) => format!("{} (empty)", s.name),
                (r, c) => format!("{} ({r} x {c})", s.name),
            })
            .collect();
        writeln!(out, "sheets:    {}", listed.join(", "))?;
    }
    if let Some(c) = info.compression {
        writeln!(out, "compressed: {c}")?;
    }
    if let Some(e) = info.encoding {
        writeln!(out, "encoding:  {e}")?;
    }
    if let Some(d) = info.delimiter {
        writeln!(out, "delimiter: {}", delimiter_name(d))?;
    }
    writeln!(
        out,
        "header:    {}",
        if info.has_header { "yes" } else { "no" }
    )?;
    writeln!(out, "rows:      {}", table.num_rows())?;
    writeln!(out, "columns:   {}", table.num_columns())?;
    for w in &info.warnings {
        writeln!(out, "note:      {w}")?;
    }
    writeln!(out)?;
    let width = profiles
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(6);
    writeln!(
        out,
        "{:<width$}  {:<8}  {:>8}  {:>10}  {:<6}  {:<20}  {:<20}  samples",
        "column", "type", "empty", "distinct", "unique", "min", "max"
    )?;
    let short = |s: &Option<String>| -> String {
        let s = s.as_deref().unwrap_or("");
        if s.chars().count() > 20 {
            format!("{}…", s.chars().take(19).collect::<String>())
        } else {
            s.to_string()
        }
    };
    for p in profiles {
        let distinct = if p.distinct_exact {
            p.distinct.to_string()
        } else {
            format!("~{}", p.distinct)
        };
        writeln!(
            out,
            "{:<width$}  {:<8}  {:>8}  {:>10}  {:<6}  {:<20}  {:<20}  {}",
            p.name,
            p.value_type.name(),
            p.nulls,
            distinct,
            if p.unique { "yes" } else { "no" },
            short(&p.min),
            short(&p.max),
            p.samples
                .iter()
                .map(|s| short(&Some(s.clone())))
                .collect::<Vec<_>>()
                .join(" | ")
        )?;
    }
    Ok(())
}
