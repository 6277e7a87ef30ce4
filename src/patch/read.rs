//! Reading a patch file back (see [`crate::patch`] for its format).

use super::{Action, ACTION, AFTER, BEFORE, CHANGED, KEY, RIGHT_ROW};
use crate::error::{Error, Result};
use crate::progress::Control;
use crate::table::{load_path, LoadOptions, Table};
use std::path::Path;

/// A patch, read: what to do to which rows of the left file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// The patch file, as named to the user.
    pub path: String,
    /// The key columns, by their left names (none when rows were paired by
    /// their content).
    pub keys: Vec<String>,
    /// The compared columns, by their left names.
    pub columns: Vec<String>,
    /// The patch's lines, in its order.
    pub lines: Vec<Line>,
}

/// One line of a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Its line in the patch file, for messages.
    pub line: u64,
    /// What it does.
    pub action: Action,
    /// For [`Action::Add`], the row's number among the right file's rows.
    pub right_row: u64,
    /// The row's key, one value per key column.
    pub key: Vec<String>,
    /// Old values, one per column (see [`crate::patch`]).
    pub before: Vec<String>,
    /// New values, one per column.
    pub after: Vec<String>,
}

impl Patch {
    /// Reads the patch at `path` (a CSV file, as Concord writes it or as a
    /// spreadsheet saves it again; compressed too).
    pub fn read(path: &Path) -> Result<Patch> {
        let opts = LoadOptions {
            has_header: Some(true),
            format: Some("csv".to_string()),
            ..LoadOptions::default()
        };
        let table = load_path(path, &opts, Control::default())?;
        Patch::from_table(&table, &path.display().to_string())
    }

    /// The patch a loaded table holds; `path` names it in errors.
    pub fn from_table(table: &Table, path: &str) -> Result<Patch> {
        let bad = |line: Option<u64>, detail: String| Error::InvalidFile {
            path: path.to_string(),
            line,
            detail,
        };
        let header = table.columns();
        if header.len() < 3 || header[0] != ACTION || header[1] != RIGHT_ROW {
            return Err(bad(
                Some(1),
                format!(
                    "is not a Concord patch: its header does not start with {ACTION},{RIGHT_ROW} \
                     (write one with `concord compare LEFT RIGHT --format patch`)"
                ),
            ));
        }
        let keys: Vec<String> = header[2..]
            .iter()
            .map_while(|h| h.strip_prefix(KEY).map(str::to_string))
            .collect();
        let changed_at = 2 + keys.len();
        if header.get(changed_at).map(String::as_str) != Some(CHANGED) {
            return Err(bad(
                Some(1),
                format!("its header has no '{CHANGED}' column after the key columns"),
            ));
        }
        let values = &header[changed_at + 1..];
        let mut columns = Vec::new();
        for pair in values.chunks(2) {
            let name = pair[0].strip_prefix(BEFORE);
            match (name, pair.get(1).and_then(|a| a.strip_prefix(AFTER))) {
                (Some(b), Some(a)) if a == b => columns.push(b.to_string()),
                _ => {
                    return Err(bad(
                        Some(1),
                        format!(
                            "its header should hold '{BEFORE}NAME,{AFTER}NAME' pairs after \
                             '{CHANGED}', not '{}'",
                            pair.join(",")
                        ),
                    ))
                }
            }
        }
        let mut lines = Vec::with_capacity(table.num_rows());
        for row in 0..table.num_rows() {
            let line = table.line_of(row);
            let cell = |c: usize| table.cell(row, c).to_string();
            let action = Action::from_name(table.cell(row, 0)).ok_or_else(|| {
                bad(
                    Some(line),
                    format!(
                        "'{}' is not an action (change, remove or add)",
                        table.cell(row, 0)
                    ),
                )
            })?;
            let right_row = match action {
                Action::Add => match table.cell(row, 1).parse::<u64>() {
                    Ok(n) if n >= 1 => n,
                    _ => {
                        return Err(bad(
                            Some(line),
                            format!(
                                "an added row needs its row number in '{RIGHT_ROW}', not '{}'",
                                table.cell(row, 1)
                            ),
                        ))
                    }
                },
                _ => 0,
            };
            let at = changed_at + 1;
            lines.push(Line {
                line,
                action,
                right_row,
                key: (2..changed_at).map(cell).collect(),
                before: (0..columns.len()).map(|c| cell(at + 2 * c)).collect(),
                after: (0..columns.len()).map(|c| cell(at + 2 * c + 1)).collect(),
            });
        }
        Ok(Patch {
            path: path.to_string(),
            keys,
            columns,
            lines,
        })
    }
}
