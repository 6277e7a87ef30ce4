//! The JSON export, written piece by piece so that large results stream.

use super::{progress_every, Report};
use crate::error::{Error, Result};
use crate::progress::Control;
use serde::Serialize;
use serde_json::json;
use std::io::Write;

/// One changed cell of a row.
#[derive(Serialize)]
struct Change<'a> {
    column: &'a str,
    right_column: &'a str,
    left: &'a str,
    right: &'a str,
}

/// One result row as it appears in `rows`.
#[derive(Serialize)]
struct Row<'a> {
    status: &'static str,
    key: Vec<&'a str>,
    /// The row number, in positional mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<u64>,
    left_line: Option<u64>,
    right_line: Option<u64>,
    changes: Vec<Change<'a>>,
}

/// Everything the JSON export says but its rows: what, how and how many,
/// the same object whichever front end asks (the Python package's result
/// is made of it).
pub fn head(report: &Report<'_>) -> serde_json::Value {
    let res = report.result;
    let keys: Vec<[&str; 2]> = res
        .keys
        .iter()
        .map(|k| [k.left.as_str(), k.right.as_str()])
        .collect();
    json!({
        "left": report.left.describe(),
        "right": report.right.describe(),
        "mode": res.mode,
        "keys": keys,
        "summary": res.summary,
        "columns": res.columns,
        "left_only_columns": res.left_only_columns,
        "right_only_columns": res.right_only_columns,
        "renamed_columns": res
            .renamed_columns()
            .map(|p| [p.left.as_str(), p.right.as_str()])
            .collect::<Vec<_>>(),
        "type_differences": res
            .type_differences()
            .map(|c| json!({
                "left": c.left,
                "right": c.right,
                "left_type": c.left_type,
                "right_type": c.right_type,
            }))
            .collect::<Vec<_>>(),
        "notes": res.notes,
        "suggested": res.suggested,
    })
}

pub(super) fn write(report: Report<'_>, w: &mut dyn Write, ctl: Control<'_>) -> Result<()> {
    let io = |source| Error::Write {
        path: "output".to_string(),
        source,
    };
    let ser = |e: serde_json::Error| io(e.into());
    let res = report.result;
    let head = head(&report);
    // Write the head object without its closing brace, then stream "rows".
    let head = serde_json::to_string(&head).map_err(ser)?;
    w.write_all(&head.as_bytes()[..head.len() - 1])
        .map_err(io)?;
    w.write_all(b",\"rows\":[").map_err(io)?;
    for (i, row) in res.rows.iter().enumerate() {
        let row = &row;
        progress_every(&ctl, i, res.rows.len())?;
        if i > 0 {
            w.write_all(b",").map_err(io)?;
        }
        let (left_line, right_line) = report.lines(row);
        let changes = report
            .changed(row)
            .iter()
            .map(|&p| {
                let p = p as usize;
                Change {
                    column: &res.pairs[p].left,
                    right_column: &res.pairs[p].right,
                    left: report.left_value(row, p),
                    right: report.right_value(row, p),
                }
            })
            .collect();
        let row = Row {
            status: row.status.name(),
            key: report.key(row),
            row: report.row_number(row),
            left_line,
            right_line,
            changes,
        };
        serde_json::to_writer(&mut *w, &row).map_err(ser)?;
    }
    w.write_all(b"]}\n").map_err(io)?;
    Ok(())
}
