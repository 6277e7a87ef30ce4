//! The text report for terminals: a summary, differences per column, and
//! the first differing rows.

use super::Report;
use crate::compare::{Mode, RowStatus};
use crate::table::Table;
use crate::values::readable_number;
use std::io::{self, Write};

/// How many differing rows the text report lists.
pub(super) const DEFAULT_ROWS: usize = 20;

/// Formats an integer with thousands separators: `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn describe(t: &Table) -> String {
    let i = t.info();
    format!(
        "{} ({} rows, {} columns{}{})",
        i.path,
        thousands(t.file_rows()),
        t.num_columns(),
        i.read_as()
            .iter()
            .map(|p| format!(", {p}"))
            .collect::<String>(),
        if i.has_header { "" } else { ", no header" }
    )
}

/// Shortens a value for a one-line display.
fn clip(s: &str) -> String {
    const MAX: usize = 60;
    let one_line = s.replace(['\n', '\r'], "⏎");
    if one_line.chars().count() > MAX {
        let cut: String = one_line.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

/// Shortens two differing values so that where they differ stays in view.
fn clip_pair(a: &str, b: &str) -> (String, String) {
    const CONTEXT: usize = 20;
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    if common <= CONTEXT {
        return (clip(a), clip(b));
    }
    let skip = common - CONTEXT;
    let tail = |s: &str| format!("…{}", clip(&s.chars().skip(skip).collect::<String>()));
    (tail(a), tail(b))
}

pub(super) fn write(report: Report<'_>, w: &mut dyn Write, max_rows: usize) -> io::Result<()> {
    let res = report.result;
    let s = &res.summary;
    writeln!(w, "left:  {}", describe(report.left))?;
    writeln!(w, "right: {}", describe(report.right))?;
    for t in [report.left, report.right] {
        for warning in &t.info().warnings {
            writeln!(w, "  note ({}): {warning}", t.info().path)?;
        }
    }
    writeln!(w, "key:   {}", report.pairing())?;
    writeln!(w, "compared columns: {}", res.pairs.len())?;
    for (label, text) in super::column_lines(res) {
        writeln!(w, "  {label}: {text}")?;
    }
    writeln!(w)?;
    let lines = [
        ("matched rows", s.matched),
        ("  identical", s.identical),
        ("  changed", s.changed),
        ("only in left", s.only_left),
        ("only in right", s.only_right),
        ("duplicate keys in left", s.duplicate_keys_left),
        ("duplicate keys in right", s.duplicate_keys_right),
    ];
    for (label, n) in lines {
        writeln!(w, "{label:<24}{:>14}", thousands(n))?;
    }
    let differing: Vec<_> = res.columns.iter().filter(|c| c.differences > 0).collect();
    if !differing.is_empty() {
        writeln!(w, "\ndifferences by column:")?;
        let width = differing
            .iter()
            .map(|c| c.left.chars().count())
            .max()
            .unwrap_or(0);
        for c in differing {
            let name = if c.left == c.right {
                c.left.clone()
            } else {
                format!("{} / {}", c.left, c.right)
            };
            write!(w, "  {name:<width$}{:>14}", thousands(c.differences))?;
            if let Some(d) = c.max_difference {
                write!(w, "   largest difference {}", readable_number(d))?;
            }
            writeln!(w)?;
        }
    }
    if !res.rows.is_empty() {
        let shown = res.rows.len().min(max_rows);
        writeln!(
            w,
            "\nfirst {shown} of {} differing rows:",
            thousands(res.rows.len() as u64)
        )?;
        for row in res.rows.iter().take(max_rows) {
            let row = &row;
            let key = report.key(row);
            let (ll, rl) = report.lines(row);
            let (lw, rw) = report.places();
            let place = match (ll, rl) {
                (Some(l), Some(r)) => format!("left {lw} {l}, right {rw} {r}"),
                (Some(l), None) => format!("left {lw} {l}"),
                (None, Some(r)) => format!("right {rw} {r}"),
                (None, None) => String::new(),
            };
            let key_text = if let Some(n) = report.row_number(row) {
                format!("row {n}  ")
            } else if res.mode == Mode::Content {
                // Without a key, a row is told by its first cells.
                const SHOWN: usize = 4;
                let value = |p| match row.left {
                    Some(_) => report.left_value(row, p),
                    None => report.right_value(row, p),
                };
                let mut cells: Vec<String> = (0..res.pairs.len().min(SHOWN))
                    .map(|p| format!("{}={}", res.pairs[p].left, clip(value(p))))
                    .collect();
                if res.pairs.len() > SHOWN {
                    cells.push("…".into());
                }
                format!("{}  ", cells.join(", "))
            } else if key.is_empty() {
                String::new()
            } else {
                format!(
                    "{}  ",
                    report
                        .key_names()
                        .iter()
                        .zip(&key)
                        .map(|(k, v)| format!("{k}={}", clip(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            writeln!(w, "  {:<11} {key_text}({place})", row.status.name())?;
            if row.status == RowStatus::Changed {
                for &p in report.changed(row) {
                    let p = p as usize;
                    let (a, b) = clip_pair(report.left_value(row, p), report.right_value(row, p));
                    writeln!(w, "      {}: {a} → {b}", res.pairs[p].left)?;
                }
            }
        }
    }
    if !res.notes.is_empty() {
        writeln!(w)?;
    }
    for note in &res.notes {
        writeln!(w, "note: {note}")?;
    }
    if !s.has_differences() && s.has_extra_columns() {
        writeln!(
            w,
            "\nThe files match (columns on one side only are not counted)."
        )?;
    } else if !s.has_differences() {
        writeln!(w, "\nThe files match.")?;
    } else if !s.rows_differ() {
        writeln!(w, "\nEvery row matches; the files differ in their columns.")?;
    }
    Ok(())
}
