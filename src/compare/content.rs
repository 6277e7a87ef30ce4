//! Pairing rows without a key, by their content.
//!
//! Rows are first paired by their whole content: every compared column, read
//! as the rules read keys. The index that pairs keys ([`super::index`])
//! pairs them here, and a content that repeats pairs its copies in file
//! order, so three copies on the left against two on the right leave one on
//! the left. The rows left over are then paired where one partner is
//! clearly best: more than half of the compared cells equal under the
//! rules, and more than any other candidate has. Candidates are found
//! through the values they share, column by column; a value that many rows
//! share (a country, a year) says little about which row is which, so it
//! finds none. The rest are listed as on one side only.
//!
//! Row order does not matter: a file sorted differently, with a few rows
//! edited, removed or added, reads as those edits.

use super::index::{KeyColumns, LeftMatch, Matching};
use super::result::{CompareResult, Mode, RowStatus, Summary};
use super::rules::CellRules;
use super::{count_rows, for_row_ranges, join_pieces, Piece, Plan};
use crate::error::Result;
use crate::progress::{Control, Phase};
use crate::table::Table;
use rayon::prelude::*;
use std::collections::HashMap;
use xxhash_rust::xxh3::xxh3_64;

/// A value on more leftover right rows than this finds no candidates.
const COMMON: usize = 8;

/// How many candidates, those sharing the most values, are checked cell by
/// cell for each leftover left row.
const SHORTLIST: usize = 4;

/// No partner.
const NONE: u32 = u32::MAX;

/// Compares two tables whose rows are paired by content (see the module
/// notes).
pub(super) fn compare_by_content(
    left: &Table,
    right: &Table,
    plan: Plan,
    ctl: Control<'_>,
) -> Result<CompareResult> {
    let side = |table, index: fn(&super::ResolvedPair) -> usize| KeyColumns {
        table,
        columns: plan.pairs.iter().map(index).collect(),
        rules: plan.pair_rules.iter().collect(),
        whole_rows: true,
    };
    let lk = side(left, |p| p.left_index);
    let rk = side(right, |p| p.right_index);
    let (nl, nr) = (left.num_rows(), right.num_rows());
    let mut partner = vec![NONE; nl];
    let mut taken = vec![false; nr];
    if plan.pairs.is_empty() {
        // With no column compared every row has the same (empty) content:
        // repeats pair in file order.
        for i in 0..nl.min(nr) {
            partner[i] = i as u32;
            taken[i] = true;
        }
    } else {
        let matching = Matching::new(&lk, &rk);
        // Rows that only share a hash are told apart here, reading the
        // right rows (in random order) a few rows ahead.
        partner = (0..nl)
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| {
                matching.prefetch_ahead(right, i);
                match matching.left(i) {
                    LeftMatch::Row(r) if lk.same_key(i, &rk, r as usize) => r,
                    _ => NONE,
                }
            })
            .collect();
        for &r in partner.iter().filter(|&&r| r != NONE) {
            taken[r as usize] = true;
        }
        for g in &matching.groups {
            for (&l, &r) in g.left.iter().zip(&g.right) {
                partner[l as usize] = r;
                taken[r as usize] = true;
            }
        }
    }
    ctl.check()?;
    // Rows paired so far have the same content: they are identical without
    // comparing their cells again. Only the closest pairs below are compared.
    let exact: Vec<bool> = partner.iter().map(|&p| p != NONE).collect();
    let same = exact.iter().filter(|&&e| e).count() as u64;
    let leftover_left: Vec<u32> = (0..nl as u32)
        .filter(|&i| partner[i as usize] == NONE)
        .collect();
    let leftover_right: Vec<u32> = (0..nr as u32).filter(|&j| !taken[j as usize]).collect();
    let best = best_partners(left, right, &plan, &leftover_left, &leftover_right);
    for &(l, r) in &best {
        partner[l as usize] = r;
        taken[r as usize] = true;
    }
    ctl.check()?;

    let total = (nl + nr) as u64;
    let left_pieces = for_row_ranges(nl, 0, total, ctl, |range| {
        let mut piece = Piece::new(plan.pairs.len());
        for i in range {
            let from = piece.changed.len();
            match partner[i] {
                NONE => piece.push(RowStatus::OnlyLeft, Some(i as u32), None, from),
                _ if exact[i] => piece.matched += 1,
                r => piece.pair(&plan, (left, i), (right, r as usize)),
            }
        }
        piece
    })?;
    let right_pieces = for_row_ranges(nr, nl as u64, total, ctl, |range| {
        let mut piece = Piece::new(plan.pairs.len());
        for j in range.filter(|&j| !taken[j]) {
            piece.push(
                RowStatus::OnlyRight,
                None,
                Some(j as u32),
                piece.changed.len(),
            );
        }
        piece
    })?;
    let all = join_pieces(
        left_pieces.into_iter().chain(right_pieces).collect(),
        plan.pairs.len(),
    );
    let mut summary = Summary {
        left_rows: nl as u64,
        right_rows: nr as u64,
        matched: all.matched,
        ..Summary::default()
    };
    count_rows(&mut summary, &all.rows);
    ctl.report(Phase::Comparing, total, total);
    let notes = vec![content_note(same, best.len() as u64)];
    Ok(plan.finish_piece(Mode::Content, summary, all, notes))
}

/// The note of a comparison paired by content.
fn content_note(same: u64, closest: u64) -> String {
    let rows = |n: u64| {
        if n == 1 {
            "1 row".to_string()
        } else {
            format!("{n} rows")
        }
    };
    let closest = match closest {
        0 => String::new(),
        1 => ", 1 row paired with the right row most like it".to_string(),
        n => format!(", {n} rows paired with the right rows most like them"),
    };
    format!(
        "no key: rows were paired by their content, in any order ({} found unchanged on both \
         sides{closest}); name a key to pair them by key, or ask for pairing by position to \
         compare row N with row N",
        rows(same)
    )
}

/// A cell as candidates are looked up by it: its hash as the rules read
/// keys, or `None` for an empty cell, which tells no rows apart.
fn cell_hash(rules: &CellRules, cell: &str) -> Option<u64> {
    if cell.is_empty() {
        return None;
    }
    Some(xxh3_64(rules.normalize_key(cell).as_bytes()))
}

/// Pairs leftover left rows with leftover right rows where one partner is
/// clearly best; returns the pairs as (left row, right row).
fn best_partners(
    left: &Table,
    right: &Table,
    plan: &Plan,
    lefts: &[u32],
    rights: &[u32],
) -> Vec<(u32, u32)> {
    let columns = plan.pairs.len();
    if lefts.is_empty() || rights.is_empty() || columns < 2 {
        return Vec::new();
    }
    // Per column, the leftover right rows (by position in `rights`) that
    // hold each value, up to one past COMMON.
    let postings: Vec<HashMap<u64, Vec<u32>>> = plan
        .pairs
        .par_iter()
        .zip(&plan.pair_rules)
        .map(|(p, rules)| {
            let mut by_value: HashMap<u64, Vec<u32>> = HashMap::new();
            for (k, &r) in rights.iter().enumerate() {
                if let Some(h) = cell_hash(rules, right.cell(r as usize, p.right_index)) {
                    let list = by_value.entry(h).or_default();
                    if list.len() <= COMMON {
                        list.push(k as u32);
                    }
                }
            }
            by_value
        })
        .collect();
    let equal_cells = |l: usize, r: usize| {
        plan.pairs
            .iter()
            .zip(&plan.pair_rules)
            .filter(|(p, rules)| {
                let (a, b) = (left.cell(l, p.left_index), right.cell(r, p.right_index));
                a == b || rules.compare(a, b).equal
            })
            .count()
    };
    let mut proposals: Vec<(usize, u32, u32)> = lefts
        .par_iter()
        .with_min_len(256)
        .filter_map(|&l| {
            let mut shared: HashMap<u32, u32> = HashMap::new();
            for (c, (p, rules)) in plan.pairs.iter().zip(&plan.pair_rules).enumerate() {
                let Some(h) = cell_hash(rules, left.cell(l as usize, p.left_index)) else {
                    continue;
                };
                match postings[c].get(&h) {
                    Some(list) if list.len() <= COMMON => {
                        for &k in list {
                            *shared.entry(k).or_default() += 1;
                        }
                    }
                    _ => {}
                }
            }
            let mut shortlist: Vec<(u32, u32)> = shared.into_iter().collect();
            shortlist.sort_unstable_by_key(|&(k, n)| (std::cmp::Reverse(n), k));
            shortlist.truncate(SHORTLIST);
            let mut scored: Vec<(usize, u32)> = shortlist
                .into_iter()
                .map(|(k, _)| {
                    let r = rights[k as usize];
                    (equal_cells(l as usize, r as usize), r)
                })
                .collect();
            scored.sort_unstable_by_key(|&(n, r)| (std::cmp::Reverse(n), r));
            let (best, r) = *scored.first()?;
            let runner_up = scored.get(1).map_or(0, |s| s.0);
            (best * 2 > columns && best > runner_up).then_some((best, l, r))
        })
        .collect();
    // The closest pairs first; a right row goes to the first left row
    // that wants it.
    proposals.sort_unstable_by_key(|&(n, l, _)| (std::cmp::Reverse(n), l));
    let mut used = HashMap::new();
    proposals
        .into_iter()
        .filter(|&(_, l, r)| used.insert(r, l).is_none())
        .map(|(_, l, r)| (l, r))
        .collect()
}
