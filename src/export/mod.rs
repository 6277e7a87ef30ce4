//! Writing a comparison's differences: text for terminals, JSON, CSV, a
//! self-contained HTML report and an XLSX workbook.
//!
//! Every format streams: it walks the result rows once and reads cell values
//! from the loaded tables as it goes, so exporting a million differing rows
//! needs no second copy of them in memory. Files are written to a temporary
//! name beside the target and renamed into place only when complete, so a
//! failed export never leaves a partial file behind.

mod csv;
mod html;
mod json;
pub use json::head as json_head;

mod patch;
mod text;
mod xlsx;

use crate::compare::{CompareResult, Mode, RowDiff};
use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use crate::table::Table;
use std::io::Write;
use std::path::Path;

pub(crate) use crate::output::OutputFile;
pub use csv::write_csv_field;
pub use patch::{patch_of, patch_taken, write_patch};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A readable summary and the first differences, for terminals.
    Text,
    /// The whole result as one JSON object.
    Json,
    /// One line per differing row with left and right values side by side.
    Csv,
    /// A self-contained HTML report that works offline.
    Html,
    /// An Excel workbook with changed cells highlighted.
    Xlsx,
    /// The differences as a patch that `concord apply` applies to the left
    /// file: a CSV of the rows to change, remove and add ([`crate::patch`]).
    Patch,
}

/// A file name for an export of something called `name` (a session's
/// name, say) in `format`: `concord-NAME.EXT`, with anything but ASCII
/// letters, digits, `-` and `_` replaced, so that it is safe on every
/// file system and in a `Content-Disposition` header.
pub fn file_name(name: &str, format: Format) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() {
        format!("concord.{}", format.extension())
    } else {
        format!("concord-{stem}.{}", format.extension())
    }
}

impl Format {
    /// Every format, in the order they are listed to users.
    pub const ALL: [Format; 6] = [
        Format::Text,
        Format::Json,
        Format::Csv,
        Format::Html,
        Format::Xlsx,
        Format::Patch,
    ];

    /// The format's name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
            Format::Patch => "patch",
        }
    }

    /// Parses a name as written by [`Format::name`].
    pub fn from_name(s: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }

    /// The format a file name's extension asks for (`report.html`,
    /// `diff.XLSX`, `notes.txt`, `fixes.patch.csv`), as an "Export as..."
    /// dialog or `--output` gives it. The longest extension that fits wins,
    /// so `.patch.csv` is a patch and `.csv` a CSV export.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .filter(|f| name.ends_with(&format!(".{}", f.extension())))
            .max_by_key(|f| f.extension().len())
    }

    /// The format named `name` ([`Format::from_name`]), or an error that
    /// lists the names: what front ends call with a name they were given.
    pub fn named(name: &str) -> crate::Result<Format> {
        Format::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            crate::Error::Invalid(format!(
                "format '{name}' is not one of {}",
                names.join(", ")
            ))
        })
    }

    /// The format `path`'s extension names ([`Format::from_extension`]),
    /// or an error that lists the extensions.
    pub fn of_path(path: &Path) -> crate::Result<Format> {
        Format::from_extension(path).ok_or_else(|| {
            let extensions: Vec<String> = Format::ALL
                .iter()
                .map(|f| format!(".{}", f.extension()))
                .collect();
            crate::Error::Invalid(format!(
                "cannot tell the export format from '{}': its extension is none of {}",
                path.display(),
                extensions.join(", ")
            ))
        })
    }

    /// What people call it, as a menu or a save dialog's filter says.
    pub fn label(self) -> &'static str {
        match self {
            Format::Text => "Text",
            Format::Json => "JSON",
            Format::Csv => "CSV",
            Format::Html => "HTML report",
            Format::Xlsx => "Excel workbook",
            Format::Patch => "Patch (CSV)",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Patch => "patch.csv",
            f => f.name(),
        }
    }

    /// The MIME type, for downloads.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Text => "text/plain; charset=utf-8",
            Format::Json => "application/json",
            Format::Csv | Format::Patch => "text/csv; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A comparison result with the two tables it was made from, borrowed:
/// everything an export needs ([`Report::of`] a [`crate::compare::Comparison`]).
#[derive(Clone, Copy)]
pub struct Report<'a> {
    /// The left table.
    pub left: &'a Table,
    /// The right table.
    pub right: &'a Table,
    /// What the comparison found.
    pub result: &'a CompareResult,
}

impl<'a> Report<'a> {
    /// The report of `comparison`.
    pub fn of(comparison: &'a crate::compare::Comparison) -> Report<'a> {
        Report {
            left: &comparison.left,
            right: &comparison.right,
            result: &comparison.result,
        }
    }

    /// The key values of a result row.
    pub fn key(&self, row: &RowDiff) -> Vec<&'a str> {
        self.result.key_values(row, self.left, self.right)
    }

    /// The left cell of column pair `pair` in `row`, or "" when the row is not on the left.
    pub fn left_value(&self, row: &RowDiff, pair: usize) -> &'a str {
        row.left.map_or("", |l| {
            self.left
                .cell(l as usize, self.result.pairs[pair].left_index)
        })
    }

    /// The right cell of column pair `pair` in `row`, or "" when the row is not on the right.
    pub fn right_value(&self, row: &RowDiff, pair: usize) -> &'a str {
        row.right.map_or("", |r| {
            self.right
                .cell(r as usize, self.result.pairs[pair].right_index)
        })
    }

    /// What the left and the right file call a row's place beside its
    /// number ([`crate::table::InputFormat::place`]): `line`, or `row`.
    pub fn places(&self) -> (&'static str, &'static str) {
        let place = |t: &Table| crate::table::InputFormat::place_of(t.info().format);
        (place(self.left), place(self.right))
    }

    /// The 1-based place of the row on each side: its file line, or its
    /// row in a file without lines (see [`Report::places`]). `None` on a
    /// side the row is not on, and where the place is not known (line 0:
    /// rows of a comparison made on Spark from several files).
    pub fn lines(&self, row: &RowDiff) -> (Option<u64>, Option<u64>) {
        let known = |n: u64| (n > 0).then_some(n);
        (
            row.left.and_then(|l| known(self.left.line_of(l as usize))),
            row.right
                .and_then(|r| known(self.right.line_of(r as usize))),
        )
    }

    /// Indices of the column pairs whose cells differ in `row`.
    pub fn changed(&self, row: &RowDiff) -> &'a [u32] {
        self.result.changed_pairs(row)
    }

    /// The key column names as shown in headers: the left name, or `left=right` when they differ.
    pub fn key_names(&self) -> Vec<String> {
        self.result
            .keys
            .iter()
            .map(|k| crate::compare::pair_label(&k.left, &k.right))
            .collect()
    }

    /// In positional mode, the 1-based row number that identifies a result
    /// row (its position among the data rows of both files); `None` when
    /// rows are paired by key.
    pub fn row_number(&self, row: &RowDiff) -> Option<u64> {
        if self.result.mode != Mode::Positional {
            return None;
        }
        match (row.left, row.right) {
            (Some(l), _) => Some(self.left.source_row(l as usize) + 1),
            (None, Some(r)) => Some(self.right.source_row(r as usize) + 1),
            (None, None) => None,
        }
    }

    /// The headers of the columns that identify a row in tabular exports:
    /// the key columns, `row` in positional mode, none when rows were
    /// paired by content (their lines identify them).
    pub fn id_names(&self) -> Vec<String> {
        match self.result.mode {
            Mode::Keyed => self.key_names(),
            Mode::Positional => vec!["row".to_string()],
            Mode::Content => Vec::new(),
        }
    }

    /// How rows were paired, for people: the key, or how rows were paired
    /// without one.
    pub fn pairing(&self) -> String {
        match self.result.mode {
            Mode::Keyed => self.key_names().join(", "),
            Mode::Positional => "none, rows compared by position".to_string(),
            Mode::Content => "none, rows paired by content (in any order)".to_string(),
        }
    }

    /// The values under [`Report::id_names`] for one row.
    pub fn id_values(&self, row: &RowDiff) -> Vec<std::borrow::Cow<'a, str>> {
        match self.row_number(row) {
            Some(n) => vec![n.to_string().into()],
            None => self.key(row).into_iter().map(Into::into).collect(),
        }
    }
}

/// Writes `report` as `format` to `out`.
pub fn write(
    report: Report<'_>,
    format: Format,
    out: &mut dyn Write,
    ctl: Control<'_>,
) -> Result<()> {
    let io = |source| Error::Write {
        path: "output".to_string(),
        source,
    };
    match format {
        Format::Text => text::write(report, out, text::DEFAULT_ROWS).map_err(io),
        Format::Json => json::write(report, out, ctl),
        Format::Csv => csv::write(report, out, ctl),
        Format::Patch => patch::write(report, out, ctl),
        Format::Html => html::write(report, out, ctl),
        Format::Xlsx => {
            let tmp = tempfile::Builder::new()
                .prefix(".concord-")
                .suffix(".xlsx")
                .tempfile()
                .map_err(io)?;
            xlsx::write(report, tmp.path(), ctl)?;
            let mut f = std::fs::File::open(tmp.path()).map_err(io)?;
            std::io::copy(&mut f, out).map_err(io)?;
            Ok(())
        }
    }
}

/// Writes `report` as `format` to the file `path`, atomically: the file
/// appears complete or not at all (a device or pipe such as `/dev/null` is
/// written through; see [`OutputFile`]).
pub fn write_file(report: Report<'_>, format: Format, path: &Path, ctl: Control<'_>) -> Result<()> {
    let shown = path.display().to_string();
    let io = |source| Error::Write {
        path: shown.clone(),
        source,
    };
    let out = OutputFile::create(path).map_err(io)?;
    match (format, out.temp_path()) {
        (Format::Xlsx, Some(tmp)) => xlsx::write(report, tmp, ctl)?,
        _ => {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, out.file());
            let written = write(report, format, &mut w, ctl).map_err(|e| match e {
                Error::Write { source, .. } => io(source),
                e => e,
            });
            written?;
            w.flush().map_err(io)?;
        }
    }
    out.commit().map_err(io)
}

/// Writes `bytes` to the file `path` atomically, as [`write_file`] does
/// an export (a patched file, say).
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::output::write_atomically(path, |w| {
        w.write_all(bytes).map_err(|source| Error::Write {
            path: path.display().to_string(),
            source,
        })
    })
}

/// The columns section every report shows, as (label, text) lines:
/// columns on one side only (and whether they count as a difference),
/// columns paired under another name, and columns whose types differ.
/// Empty when both files have the same columns, by name and type. A CSV
/// export holds rows only, so the command line prints these beside it.
pub fn column_lines(res: &CompareResult) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    let counted = if res.summary.extra_columns_ignored {
        "not counted: extra columns are ignored"
    } else {
        "a difference"
    };
    for (label, names) in [
        ("only in left", &res.left_only_columns),
        ("only in right", &res.right_only_columns),
    ] {
        if !names.is_empty() {
            lines.push((label, format!("{} ({counted})", names.join(", "))));
        }
    }
    let renamed: Vec<String> = res
        .renamed_columns()
        .map(|p| crate::compare::pair_label(&p.left, &p.right))
        .collect();
    if !renamed.is_empty() {
        lines.push(("under another name", renamed.join(", ")));
    }
    let retyped: Vec<String> = res
        .type_differences()
        .map(|c| {
            format!(
                "{}: {} in left, {} in right",
                crate::compare::pair_label(&c.left, &c.right),
                c.left_type.name(),
                c.right_type.name()
            )
        })
        .collect();
    if !retyped.is_empty() {
        lines.push(("types differ", retyped.join("; ")));
    }
    lines
}

/// Reports export progress every so many rows.
fn progress_every(ctl: &Control<'_>, i: usize, total: usize) -> Result<()> {
    if i % 65_536 == 0 {
        ctl.check()?;
        ctl.report(Phase::Exporting, i as u64, total as u64);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
