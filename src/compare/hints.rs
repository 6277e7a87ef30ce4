//! Notes on differences that a rule the user chooses would leave out.
//!
//! Trimming spaces and ignoring letter case are the user's choices: a
//! difference in case may matter (a password, a code). Concord does not
//! make them, but says so when every difference found in a column is of
//! that kind, so that the choice is one click away.

use super::result::{CompareResult, RowStatus};
use crate::table::Table;

/// One note per compared column whose differences are all in letter case,
/// in spaces at either end, or in both.
pub(crate) fn rule_hints(result: &CompareResult, left: &Table, right: &Table) -> Vec<String> {
    let columns = result.pairs.len();
    // Per column: differences in letter case only, in spaces only, and in
    // both (equal once trimmed and lower-cased).
    let mut kinds = vec![[0u64; 3]; columns];
    // A column with one difference of another kind gets no note: its cells
    // are not read again, and the walk ends once every column has one (a
    // result of millions of changed rows is not read to its end for this).
    let mut spoiled = vec![false; columns];
    let mut open = columns;
    for row in result.rows.iter() {
        if open == 0 {
            break;
        }
        let (Some(l), Some(r), RowStatus::Changed) = (row.left, row.right, row.status) else {
            continue;
        };
        for &p in result.changed_pairs(&row) {
            let p = p as usize;
            if spoiled[p] {
                continue;
            }
            let pair = &result.pairs[p];
            let a = left.cell(l as usize, pair.left_index);
            let b = right.cell(r as usize, pair.right_index);
            let k = &mut kinds[p];
            if a.to_lowercase() == b.to_lowercase() {
                k[0] += 1;
            } else if a.trim() == b.trim() {
                k[1] += 1;
            } else if a.trim().to_lowercase() == b.trim().to_lowercase() {
                k[2] += 1;
            } else {
                spoiled[p] = true;
                open -= 1;
            }
        }
    }
    result
        .columns
        .iter()
        .zip(kinds)
        .filter_map(|(c, [case, spaces, both])| {
            let n = c.differences;
            if n == 0 || case + spaces + both < n {
                return None;
            }
            let (what, rule) = match (case > 0 || both > 0, spaces > 0 || both > 0) {
                (true, false) => ("in letter case", "ignore case"),
                (false, true) => ("in spaces at the start or end", "trim spaces"),
                _ => (
                    "in letter case or spaces at the start or end",
                    "ignore case and trim spaces",
                ),
            };
            let all = if n == 1 {
                "the 1 difference".to_string()
            } else {
                format!("all {n} differences")
            };
            Some(format!(
                "{all} in '{}' {} {what}: {rule} for this column to leave {} out",
                c.left,
                if n == 1 { "is" } else { "are" },
                if n == 1 { "it" } else { "them" }
            ))
        })
        .collect()
}
