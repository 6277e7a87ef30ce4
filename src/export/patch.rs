//! The patch export: the differences as a reviewable CSV patch that
//! `concord apply` applies to the left file. The format is described in
//! [`crate::patch`].

use super::csv::write_record;
use super::{progress_every, Report};
use crate::compare::{Mode, RowDiff};
use crate::error::{Error, Result};
use crate::patch::{Action, Line, Patch, ACTION, AFTER, BEFORE, CHANGED, KEY, RIGHT_ROW};
use crate::progress::Control;
use std::io::{self, Write};

/// What a result row becomes in a patch: a changed row a `change`, a row
/// on one side only (or whose key is not unique, so that it was not
/// paired) a `remove` of the left row or an `add` of the right one. Rows
/// paired by position or by content have no key to find them by: a
/// changed one is removed and added again, found by its values and placed
/// by its row.
fn actions(row: &RowDiff, mode: Mode) -> &'static [Action] {
    match (row.left, row.right) {
        (Some(_), Some(_)) if mode != Mode::Keyed => &[Action::Remove, Action::Add],
        (Some(_), Some(_)) => &[Action::Change],
        (Some(_), None) => &[Action::Remove],
        _ => &[Action::Add],
    }
}

/// The line of the patch that does `act` to result row `row`. With
/// `full_rows`, a change holds every value of the row before and after,
/// equal where the cell did not change, instead of empty ones (what a
/// three-way merge needs to show a whole row in conflict).
fn line_of(report: Report<'_>, row: &RowDiff, act: Action, full_rows: bool) -> Line {
    let res = report.result;
    let right_row = match (act, row.right) {
        (Action::Add, Some(r)) => report.right.source_row(r as usize) + 1,
        _ => 0,
    };
    let key = res
        .keys
        .iter()
        .map(|k| match (act, row.left, row.right) {
            (Action::Add, _, Some(r)) => report.right.cell(r as usize, k.right_index).to_string(),
            (_, Some(l), _) => report.left.cell(l as usize, k.left_index).to_string(),
            _ => String::new(),
        })
        .collect();
    let changed = report.changed(row);
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for p in 0..res.pairs.len() {
        let (b, a) = match act {
            Action::Change if full_rows || changed.contains(&(p as u32)) => {
                (report.left_value(row, p), report.right_value(row, p))
            }
            Action::Change => ("", ""),
            Action::Remove => (report.left_value(row, p), ""),
            Action::Add => ("", report.right_value(row, p)),
        };
        before.push(b.to_string());
        after.push(a.to_string());
    }
    Line {
        line: 0,
        action: act,
        right_row,
        key,
        before,
        after,
    }
}

/// Writes a patch's header: its key columns and compared columns.
fn write_header(w: &mut dyn Write, keys: &[String], columns: &[String]) -> io::Result<()> {
    let mut header = vec![ACTION.to_string(), RIGHT_ROW.to_string()];
    header.extend(keys.iter().map(|k| format!("{KEY}{k}")));
    header.push(CHANGED.to_string());
    for c in columns {
        header.push(format!("{BEFORE}{c}"));
        header.push(format!("{AFTER}{c}"));
    }
    write_record(w, header.iter().map(String::as_str))
}

/// Writes one line of a patch of `columns`; `fields` is scratch space.
fn write_line(
    w: &mut dyn Write,
    line: &Line,
    columns: &[String],
    fields: &mut Vec<String>,
) -> io::Result<()> {
    fields.clear();
    fields.push(line.action.name().to_string());
    fields.push(match line.right_row {
        0 => String::new(),
        n => n.to_string(),
    });
    fields.extend(line.key.iter().cloned());
    let changed = (0..columns.len()).filter(|&i| line.before[i] != line.after[i]);
    fields.push(if line.action == Action::Change {
        let names: Vec<&str> = changed.map(|i| columns[i].as_str()).collect();
        names.join(";")
    } else {
        String::new()
    });
    for (b, a) in line.before.iter().zip(&line.after) {
        fields.push(b.clone());
        fields.push(a.clone());
    }
    write_record(w, fields.iter().map(String::as_str))
}

/// The patch of `report` (as [`write`] writes it, or with every value of
/// a changed row: see [`line_of`]), in memory, its lines numbered as in
/// the written file.
pub fn patch_of(report: Report<'_>, full_rows: bool) -> Patch {
    patch_taken(report, full_rows, |_, _| true)
}

/// The patch of the differences of `report` that `taken` accepts:
/// `taken(row, Some(pair))` for a changed cell (by the result row's index
/// and the column pair's), `taken(row, None)` for a row that is removed
/// or added whole (one on one side only, one whose key is not unique, or
/// a changed row of a comparison without a key). A change keeps only its
/// accepted cells, and goes when it has none.
pub fn patch_taken(
    report: Report<'_>,
    full_rows: bool,
    taken: impl Fn(usize, Option<u32>) -> bool,
) -> Patch {
    let res = report.result;
    let mut lines = Vec::new();
    for (i, row) in res.rows.iter().enumerate() {
        for &act in actions(&row, res.mode) {
            let mut line = line_of(report, &row, act, full_rows);
            if act == Action::Change {
                let mut any = false;
                for &p in report.changed(&row) {
                    if taken(i, Some(p)) {
                        any = true;
                    } else if full_rows {
                        line.after[p as usize] = line.before[p as usize].clone();
                    } else {
                        // Left alone: both empty, as for a cell that did
                        // not change.
                        line.before[p as usize].clear();
                        line.after[p as usize].clear();
                    }
                }
                if !any {
                    continue;
                }
            } else if !taken(i, None) {
                continue;
            }
            line.line = lines.len() as u64 + 2;
            lines.push(line);
        }
    }
    Patch {
        path: "the patch".to_string(),
        keys: res.keys.iter().map(|k| k.left.clone()).collect(),
        columns: res.pairs.iter().map(|p| p.left.clone()).collect(),
        lines,
    }
}

/// Writes a patch held in memory, as [`write`] writes one.
pub fn write_patch(patch: &Patch, w: &mut dyn Write) -> Result<()> {
    let io = |source| Error::Write {
        path: "output".to_string(),
        source,
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    write_header(&mut w, &patch.keys, &patch.columns).map_err(io)?;
    let mut fields = Vec::new();
    for line in &patch.lines {
        write_line(&mut w, line, &patch.columns, &mut fields).map_err(io)?;
    }
    w.flush().map_err(io)
}

pub(super) fn write(report: Report<'_>, w: &mut dyn Write, ctl: Control<'_>) -> Result<()> {
    let res = report.result;
    let io = |source| Error::Write {
        path: "output".to_string(),
        source,
    };
    let keys: Vec<String> = res.keys.iter().map(|k| k.left.clone()).collect();
    let columns: Vec<String> = res.pairs.iter().map(|p| p.left.clone()).collect();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    write_header(&mut w, &keys, &columns).map_err(io)?;
    let mut fields = Vec::new();
    for (i, row) in res.rows.iter().enumerate() {
        progress_every(&ctl, i, res.rows.len())?;
        for &act in actions(&row, res.mode) {
            let line = line_of(report, &row, act, false);
            write_line(&mut w, &line, &columns, &mut fields).map_err(io)?;
        }
    }
    w.flush().map_err(io)
}
