//! The CSV export: one line per differing row.
//!
//! Columns: `status`, the key columns, `left_line`, `right_line`,
//! `changed_columns` (the left names of the differing pairs, separated by
//! `;`), then for every compared pair `left:NAME` and `right:NAME`.

use super::{progress_every, Report};
use crate::error::{Error, Result};
use crate::progress::Control;
use std::io::{self, Write};

/// Writes one CSV field, quoted when it holds a comma, quote or line break.
pub fn write_csv_field(w: &mut dyn Write, s: &str) -> io::Result<()> {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        w.write_all(b"\"")?;
        w.write_all(s.replace('"', "\"\"").as_bytes())?;
        w.write_all(b"\"")
    } else {
        w.write_all(s.as_bytes())
    }
}

fn write_record<'s>(
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

pub(super) fn write(report: Report<'_>, w: &mut dyn Write, ctl: Control<'_>) -> Result<()> {
    let io = |source| Error::Write {
        path: "output".to_string(),
        source,
    };
    let res = report.result;
    let mut header: Vec<String> = vec!["status".into()];
    header.extend(report.key_names());
    header.extend([
        "left_line".into(),
        "right_line".into(),
        "changed_columns".into(),
    ]);
    for p in &res.pairs {
        header.push(format!("left:{}", p.left));
        header.push(format!("right:{}", p.right));
    }
    write_record(w, header.iter().map(String::as_str)).map_err(io)?;
    let mut fields: Vec<String> = Vec::new();
    for (i, row) in res.rows.iter().enumerate() {
        progress_every(&ctl, i, res.rows.len())?;
        fields.clear();
        fields.push(row.status.name().to_string());
        fields.extend(report.key(row).into_iter().map(String::from));
        let (ll, rl) = report.lines(row);
        fields.push(ll.map_or(String::new(), |l| l.to_string()));
        fields.push(rl.map_or(String::new(), |l| l.to_string()));
        let changed: Vec<&str> = report
            .changed(row)
            .iter()
            .map(|&p| res.pairs[p as usize].left.as_str())
            .collect();
        fields.push(changed.join(";"));
        let pre = fields.len();
        write_record(
            w,
            fields[..pre].iter().map(String::as_str).chain(
                (0..res.pairs.len())
                    .flat_map(|p| [report.left_value(row, p), report.right_value(row, p)]),
            ),
        )
        .map_err(io)?;
    }
    Ok(())
}
