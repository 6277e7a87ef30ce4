//! The patch export: the differences as a reviewable CSV patch that
//! `concord apply` applies to the left file. The format is described in
//! [`crate::patch`].

use super::csv::write_record;
use super::{progress_every, Report};
use crate::compare::{Mode, RowDiff};
use crate::error::{Error, Result};
use crate::patch::{Action, ACTION, AFTER, BEFORE, CHANGED, KEY, RIGHT_ROW};
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

/// Writes one line of the patch; `fields` is scratch space.
fn write_line(
    w: &mut dyn Write,
    report: Report<'_>,
    row: &RowDiff,
    act: Action,
    fields: &mut Vec<String>,
) -> io::Result<()> {
    let res = report.result;
    fields.clear();
    fields.push(act.name().to_string());
    fields.push(match (act, row.right) {
        (Action::Add, Some(r)) => (report.right.source_row(r as usize) + 1).to_string(),
        _ => String::new(),
    });
    for k in &res.keys {
        fields.push(match (act, row.left, row.right) {
            (Action::Add, _, Some(r)) => report.right.cell(r as usize, k.right_index).to_string(),
            (_, Some(l), _) => report.left.cell(l as usize, k.left_index).to_string(),
            _ => String::new(),
        });
    }
    let changed = report.changed(row);
    let names: Vec<&str> = changed
        .iter()
        .map(|&p| res.pairs[p as usize].left.as_str())
        .collect();
    fields.push(if act == Action::Change {
        names.join(";")
    } else {
        String::new()
    });
    for (p, _) in res.pairs.iter().enumerate() {
        let keep = act != Action::Change || changed.contains(&(p as u32));
        let (before, after) = match act {
            Action::Change if !keep => ("", ""),
            Action::Change => (report.left_value(row, p), report.right_value(row, p)),
            Action::Remove => (report.left_value(row, p), ""),
            Action::Add => ("", report.right_value(row, p)),
        };
        fields.push(before.to_string());
        fields.push(after.to_string());
    }
    write_record(w, fields.iter().map(String::as_str))
}

pub(super) fn write(report: Report<'_>, w: &mut dyn Write, ctl: Control<'_>) -> Result<()> {
    let res = report.result;
    let io = |source| Error::Write {
        path: "output".to_string(),
        source,
    };
    let mut header = vec![ACTION.to_string(), RIGHT_ROW.to_string()];
    header.extend(res.keys.iter().map(|k| format!("{KEY}{}", k.left)));
    header.push(CHANGED.to_string());
    for p in &res.pairs {
        header.push(format!("{BEFORE}{}", p.left));
        header.push(format!("{AFTER}{}", p.left));
    }
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    write_record(&mut w, header.iter().map(String::as_str)).map_err(io)?;
    let mut fields = Vec::new();
    for (i, row) in res.rows.iter().enumerate() {
        progress_every(&ctl, i, res.rows.len())?;
        for &act in actions(&row, res.mode) {
            write_line(&mut w, report, &row, act, &mut fields).map_err(io)?;
        }
    }
    w.flush().map_err(io)
}
