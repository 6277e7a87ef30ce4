//! The CSV export: one line per differing row.
//!
//! Columns: `status`, the key columns (in positional mode `row`, the row
//! number), `left_line`, `right_line`,
//! `changed_columns` (the left names of the differing pairs, separated by
//! `;`), then for every compared pair `left:NAME` and `right:NAME`.

use super::{progress_every, Report};
use crate::compare::RowDiff;
use crate::error::{Error, Result};
use crate::progress::Control;
use std::io::{self, Write};

/// Writes one CSV field, quoted when it holds a comma, quote or line break.
pub fn write_csv_field<W: Write + ?Sized>(w: &mut W, s: &str) -> io::Result<()> {
    write_csv_bytes(w, s.as_bytes())
}

/// Writes one CSV field given as UTF-8 bytes, quoted when needed.
fn write_csv_bytes<W: Write + ?Sized>(w: &mut W, s: &[u8]) -> io::Result<()> {
    if !s.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        return w.write_all(s);
    }
    w.write_all(b"\"")?;
    for (i, part) in s.split(|&b| b == b'"').enumerate() {
        if i > 0 {
            w.write_all(b"\"\"")?;
        }
        w.write_all(part)?;
    }
    w.write_all(b"\"")
}

/// Writes one CSV record of `fields`, each quoted when needed.
pub(super) fn write_record<'s>(
    w: &mut dyn Write,
    fields: impl IntoIterator<Item = &'s str>,
) -> io::Result<()> {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_csv_field(w, f)?;
    }
    w.write_all(b"\n")
}

/// Writes one differing row; `changed` is scratch space.
fn write_row(
    w: &mut impl Write,
    report: Report<'_>,
    row: &RowDiff,
    changed: &mut String,
) -> io::Result<()> {
    let res = report.result;
    w.write_all(row.status.name().as_bytes())?;
    for k in report.id_values(row) {
        w.write_all(b",")?;
        write_csv_field(w, &k)?;
    }
    let (ll, rl) = report.lines(row);
    for line in [ll, rl] {
        match line {
            Some(n) => write!(w, ",{n}")?,
            None => w.write_all(b",")?,
        }
    }
    changed.clear();
    for (n, &p) in report.changed(row).iter().enumerate() {
        if n > 0 {
            changed.push(';');
        }
        changed.push_str(&res.pairs[p as usize].left);
    }
    w.write_all(b",")?;
    write_csv_field(w, changed)?;
    // Each row's cells are read through one row handle per side.
    let lrow = row.left.map(|l| report.left.row(l as usize));
    let rrow = row.right.map(|r| report.right.row(r as usize));
    for pair in &res.pairs {
        w.write_all(b",")?;
        write_csv_bytes(w, lrow.map_or(&[][..], |c| c.bytes(pair.left_index)))?;
        w.write_all(b",")?;
        write_csv_bytes(w, rrow.map_or(&[][..], |c| c.bytes(pair.right_index)))?;
    }
    w.write_all(b"\n")
}

pub(super) fn write(report: Report<'_>, w: &mut dyn Write, ctl: Control<'_>) -> Result<()> {
    let io = |source| Error::Write {
        path: "output".to_string(),
        source,
    };
    let res = report.result;
    let mut header: Vec<String> = vec!["status".into()];
    header.extend(report.id_names());
    header.extend([
        "left_line".into(),
        "right_line".into(),
        "changed_columns".into(),
    ]);
    for p in &res.pairs {
        header.push(format!("left:{}", p.left));
        header.push(format!("right:{}", p.right));
    }
    // Many small writes follow: buffer them here, where the writer's type is known.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    write_record(&mut w, header.iter().map(String::as_str)).map_err(io)?;
    let mut changed = String::new();
    for (i, row) in res.rows.iter().enumerate() {
        let row = &row;
        progress_every(&ctl, i, res.rows.len())?;
        write_row(&mut w, report, row, &mut changed).map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(())
}
