//! Comparing one pair of tables as many pairs of pieces, on machines that
//! never see the whole: which piece each row goes to, and where each row of
//! a piece's result stands in the result of the whole.
//!
//! Both answers come from the engine's own key rules (trimming and case
//! are Unicode's, as in matching), so a cluster that partitions and orders
//! by them gets the rows the local engine gets, in the same order.

use super::index::KeyColumns;
use super::{CompareConfig, CompareResult, NumericMode, Plan, RowDiff, RowStatus};
use crate::error::{Result, Side};
use crate::table::Table;
use rayon::prelude::*;

/// Which of `n` partitions a row of `keys` belongs to: equal keys (as the
/// key rules normalise them) on either side give the same partition.
pub(crate) fn partition_of(keys: &KeyColumns<'_>, row: usize, n: u64) -> u64 {
    keys.hash(row) % n
}

/// The key columns of `side` under `plan`.
fn key_columns<'a>(plan: &'a Plan, table: &'a Table, side: Side) -> KeyColumns<'a> {
    KeyColumns {
        table,
        columns: plan
            .keys
            .iter()
            .map(|k| match side {
                Side::Left => k.left_index,
                Side::Right => k.right_index,
            })
            .collect(),
        rules: plan.key_rules.iter().collect(),
        whole_rows: false,
    }
}

/// Which of `n` partitions each row of `side` goes to when `left` and
/// `right` are compared by `config`'s key. The other side may be a table
/// with its columns and no rows: only the key's columns and rules count.
/// Rows whose keys match land in the same partition, so each pair of
/// partitions can be compared on its own.
pub fn key_partitions(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    side: Side,
    n: u32,
) -> Result<Vec<u32>> {
    let plan = Plan::new(left, right, config)?;
    let table = match side {
        Side::Left => left,
        Side::Right => right,
    };
    let keys = key_columns(&plan, table, side);
    let n = u64::from(n.max(1));
    Ok((0..table.num_rows())
        .into_par_iter()
        .with_min_len(4096)
        .map(|r| partition_of(&keys, r, n) as u32)
        .collect())
}

/// `config` with the one thing a comparison of `left` and `right` still
/// decides from their rows fixed: whether each compared pair's cells are
/// numbers compared by value (numeric mode `auto`, decided by the column
/// types). Pieces of larger tables, each judging from its own rows, could
/// decide differently; given this configuration, none decides.
pub fn numeric_decided(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
) -> Result<CompareConfig> {
    let plan = Plan::new(left, right, config)?;
    let mut decided = config.clone();
    for (pair, rules) in plan.pairs.iter().zip(&plan.pair_rules) {
        if rules.rules.numeric != NumericMode::Auto {
            continue;
        }
        // Overrides are found under the left name, else the right one.
        let name = match decided.column_rules.contains_key(&pair.left) {
            false if decided.column_rules.contains_key(&pair.right) => pair.right.clone(),
            _ => pair.left.clone(),
        };
        decided.column_rules.entry(name).or_default().numeric = Some(match rules.numeric {
            true => NumericMode::Always,
            false => NumericMode::Never,
        });
    }
    Ok(decided)
}

/// Where each row of `result` (a keyed comparison of `left` and `right`
/// by `config`) stands in the order of results: its left row's index in
/// its file ([`Table::source_row`]: the tables may hold only the rows the
/// result refers to), or `1 << 32` plus its right row's index when it has
/// no left row; every row
/// of a repeated key takes the place of the first row of its key. When the
/// tables are pieces of larger ones holding their rows in the same order,
/// sorting all pieces' rows by these places (mapped to the whole tables'
/// row numbers), then by their order in their piece, gives the result the
/// whole tables would give.
pub fn result_places(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    result: &CompareResult,
) -> Result<Vec<u64>> {
    let plan = Plan::new(left, right, config)?;
    let (lk, rk) = (
        key_columns(&plan, left, Side::Left),
        key_columns(&plan, right, Side::Right),
    );
    // A repeated key's rows come together, left rows then right rows; the
    // next row starts another key's rows when its key differs.
    let same_key = |a: &RowDiff, b: &RowDiff| -> bool {
        let (ka, ra) = side_row(a, &lk, &rk);
        let (kb, rb) = side_row(b, &lk, &rk);
        ka.same_key(ra, kb, rb)
    };
    // Places in the whole tables: a comparison's tables may hold only the
    // rows its result refers to.
    let place = |row: &RowDiff| match (row.left, row.right) {
        (Some(l), _) => left.source_row(l as usize),
        (None, Some(r)) => 1 << 32 | right.source_row(r as usize),
        (None, None) => unreachable!("a result row has a side"),
    };
    let mut places = Vec::with_capacity(result.rows.len());
    let mut group: Option<(RowDiff, u64)> = None;
    for row in result.rows.iter() {
        if row.status != RowStatus::Duplicate {
            group = None;
            places.push(place(&row));
            continue;
        }
        let at = match &group {
            Some((first, at)) if same_key(first, &row) => *at,
            _ => place(&row),
        };
        places.push(at);
        group = Some((row, at));
    }
    Ok(places)
}

/// The key columns and row index of a one-sided row.
fn side_row<'a, 'b>(
    row: &RowDiff,
    lk: &'b KeyColumns<'a>,
    rk: &'b KeyColumns<'a>,
) -> (&'b KeyColumns<'a>, usize) {
    match (row.left, row.right) {
        (Some(l), _) => (lk, l as usize),
        (None, Some(r)) => (rk, r as usize),
        (None, None) => unreachable!("a result row has a side"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{compare_as_configured, ColumnPair, Rules};
    use crate::progress::Control;
    use crate::table::{load_bytes, LoadOptions};

    fn table(lines: &[String]) -> Table {
        let text = format!("id,v\n{}", lines.concat());
        load_bytes("t.csv", text.into_bytes(), &LoadOptions::default()).unwrap()
    }

    /// Rows with repeated keys on either side or both, keys that match only
    /// when trimmed (of a no-break space, which Spark's `trim` keeps) and
    /// lower-cased, rows on one side, and empty keys.
    fn sides() -> (Vec<String>, Vec<String>) {
        let mut left = Vec::new();
        let mut right = Vec::new();
        for i in 0..300 {
            let key = if i % 7 == 0 {
                format!("K{i}\u{a0}")
            } else {
                format!("k{i}")
            };
            match i % 11 {
                0 => left.push(format!("{key},only left\n")),
                1 => right.push(format!("k{i},only right\n")),
                2 => {
                    left.push(format!("{key},a\n"));
                    right.push(format!("k{i},b\n"));
                    right.push(format!("K{i},c\n"));
                }
                3 => {
                    left.push(format!("{key},a\n"));
                    left.push(format!("k{i},b\n"));
                }
                4 => left.push(",empty key\n".to_string()),
                _ => {
                    left.push(format!("{key},{}\n", i % 3));
                    right.push(format!("k{i},{}\n", i % 2));
                }
            }
        }
        // Rows whose repeated key comes late on the left, after the right's.
        right.insert(0, "k5,early\n".to_string());
        (left, right)
    }

    #[test]
    fn numbers_decided_on_the_whole_stay_decided_in_a_piece() {
        let lines = |v: &[&str]| -> Vec<String> {
            v.iter()
                .enumerate()
                .map(|(i, x)| format!("{i},{x}\n"))
                .collect()
        };
        let (whole_l, whole_r) = (table(&lines(&["1.0", "x"])), table(&lines(&["1", "y"])));
        let (piece_l, piece_r) = (table(&lines(&["1.0"])), table(&lines(&["1"])));
        let config = CompareConfig {
            keys: vec![ColumnPair::new("id", "id")],
            ..CompareConfig::default()
        };
        let on_piece = |c: &CompareConfig| {
            compare_as_configured(&piece_l, &piece_r, c, Control::default())
                .unwrap()
                .summary
                .changed
        };
        // Alone, the piece's column holds numbers: 1.0 equals 1.
        assert_eq!(on_piece(&config), 0);
        let decided = numeric_decided(&whole_l, &whole_r, &config).unwrap();
        assert_eq!(decided.column_rules["v"].numeric, Some(NumericMode::Never));
        assert_eq!(on_piece(&decided), 1);
    }

    #[test]
    fn pieces_put_together_by_place_give_the_whole_result() {
        let (left, right) = sides();
        let (lt, rt) = (table(&left), table(&right));
        let config = CompareConfig {
            keys: vec![ColumnPair::new("id", "id")],
            rules: Rules {
                trim: true,
                ignore_case: true,
                ..Rules::default()
            },
            ..CompareConfig::default()
        };
        let whole = compare_as_configured(&lt, &rt, &config, Control::default()).unwrap();
        let n = 4;
        let lp = key_partitions(&lt, &table(&[]), &config, Side::Left, n).unwrap();
        let rp = key_partitions(&table(&[]), &rt, &config, Side::Right, n).unwrap();
        let mut rows = Vec::new();
        for p in 0..n {
            let pick = |lines: &[String], parts: &[u32]| -> Vec<usize> {
                (0..lines.len()).filter(|&i| parts[i] == p).collect()
            };
            let (li, ri) = (pick(&left, &lp), pick(&right, &rp));
            let lines = |all: &[String], at: &[usize]| -> Vec<String> {
                at.iter().map(|&i| all[i].clone()).collect()
            };
            let (pl, pr) = (table(&lines(&left, &li)), table(&lines(&right, &ri)));
            let found = compare_as_configured(&pl, &pr, &config, Control::default()).unwrap();
            let places = result_places(&pl, &pr, &config, &found).unwrap();
            for (seq, (row, at)) in found.rows.iter().zip(places).enumerate() {
                let whole_place = match at >> 32 {
                    0 => li[at as u32 as usize] as u64,
                    _ => 1 << 32 | ri[at as u32 as usize] as u64,
                };
                let global = (
                    row.status,
                    row.left.map(|l| li[l as usize] as u32),
                    row.right.map(|r| ri[r as usize] as u32),
                );
                rows.push(((whole_place, p, seq), global));
            }
        }
        rows.sort_by_key(|(at, _)| *at);
        let pieces: Vec<_> = rows.into_iter().map(|(_, g)| g).collect();
        let expected: Vec<_> = whole
            .rows
            .iter()
            .map(|r| (r.status, r.left, r.right))
            .collect();
        assert!(expected.iter().any(|r| r.0 == RowStatus::Duplicate));
        assert!(expected.len() > 200);
        assert_eq!(pieces, expected);
    }
}
