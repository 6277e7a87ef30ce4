//! Pairing rows by key.
//!
//! Both sides' rows are sorted by the hash of their key and the two sorted
//! lists are merged. Runs of equal hashes are grouped by the exact key
//! values, so a hash collision can never pair two different keys. Sorting
//! touches no row data, and afterwards the comparison walks the left rows in
//! order knowing each partner in advance, so the memory loads for
//! consecutive rows do not wait on one another as hash-table probes would.

use super::rules::CellRules;
use crate::table::Table;
use rayon::prelude::*;
use std::collections::HashMap;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The key columns of one side and how their cells are normalised.
pub(crate) struct KeyColumns<'a> {
    pub table: &'a Table,
    pub columns: Vec<usize>,
    pub rules: Vec<&'a CellRules>,
}

impl KeyColumns<'_> {
    /// The hash of a row's normalised key; equal keys hash equally on both sides.
    pub fn hash(&self, row: usize) -> u64 {
        let mut h = 0x9E37_79B9_7F4A_7C15;
        for (&c, r) in self.columns.iter().zip(&self.rules) {
            h = if r.normalizes_keys() {
                xxh3_64_with_seed(r.normalize_key(self.table.cell(row, c)).as_bytes(), h)
            } else {
                xxh3_64_with_seed(self.table.cell_bytes(row, c), h)
            };
        }
        h
    }

    /// Whether row `a` of this side and row `b` of `other` have the same key.
    pub fn same_key(&self, a: usize, other: &KeyColumns<'_>, b: usize) -> bool {
        self.columns.iter().zip(&other.columns).zip(&self.rules).all(|((&ca, &cb), r)| {
            self.table.cell_bytes(a, ca) == other.table.cell_bytes(b, cb)
                || (r.normalizes_keys()
                    && r.normalize_key(self.table.cell(a, ca)) == r.normalize_key(other.table.cell(b, cb)))
        })
    }

    /// Every row with its key hash, sorted by hash and then row.
    fn sorted_hashes(&self) -> Vec<(u64, u32)> {
        let mut v: Vec<(u64, u32)> = (0..self.table.num_rows())
            .into_par_iter()
            .with_min_len(4096)
            .map(|r| (self.hash(r), r as u32))
            .collect();
        v.par_sort_unstable();
        v
    }
}

/// What a left row is paired with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeftMatch {
    /// No right row has its key.
    None,
    /// Exactly one right row has its key, and no other left row does.
    Row(u32),
    /// Its key repeats on one side: the row belongs to the group starting at `first`.
    Group { first: bool },
}

const NO_MATCH: u32 = u32::MAX;
const GROUP_FIRST: u32 = u32::MAX - 1;
const GROUP_OTHER: u32 = u32::MAX - 2;

/// All rows of one repeated key.
#[derive(Debug, Default)]
pub(crate) struct Group {
    pub left: Vec<u32>,
    pub right: Vec<u32>,
}

/// The pairing of left and right rows.
pub(crate) struct Matching {
    left: Vec<u32>,
    /// Per right row: whether it is accounted for by a pair or a group.
    pub right_taken: Vec<bool>,
    /// Groups of repeated keys, by their first left row (or first right row if none on the left).
    groups_by_left: HashMap<u32, usize>,
    groups_by_right: HashMap<u32, usize>,
    pub groups: Vec<Group>,
}

impl Matching {
    /// Pairs the rows of two sides by key.
    pub fn new(lk: &KeyColumns<'_>, rk: &KeyColumns<'_>) -> Matching {
        let (l, r) = rayon::join(|| lk.sorted_hashes(), || rk.sorted_hashes());
        let mut m = Matching {
            left: vec![NO_MATCH; lk.table.num_rows()],
            right_taken: vec![false; rk.table.num_rows()],
            groups_by_left: HashMap::new(),
            groups_by_right: HashMap::new(),
            groups: Vec::new(),
        };
        let (mut i, mut j) = (0, 0);
        while i < l.len() || j < r.len() {
            let h = match (l.get(i), r.get(j)) {
                (Some(a), Some(b)) => a.0.min(b.0),
                (Some(a), None) => a.0,
                (None, Some(b)) => b.0,
                (None, None) => unreachable!(),
            };
            let i_end = i + l[i..].iter().take_while(|e| e.0 == h).count();
            let j_end = j + r[j..].iter().take_while(|e| e.0 == h).count();
            match (i_end - i, j_end - j) {
                (1, 1) => {
                    m.left[l[i].1 as usize] = r[j].1;
                    m.right_taken[r[j].1 as usize] = true;
                }
                (0, _) | (_, 0) if i_end - i <= 1 && j_end - j <= 1 => {}
                _ => m.group_run(lk, &l[i..i_end], rk, &r[j..j_end]),
            }
            i = i_end;
            j = j_end;
        }
        m
    }

    /// Splits a run of equal hashes by exact key and records each key's rows.
    fn group_run(&mut self, lk: &KeyColumns<'_>, l: &[(u64, u32)], rk: &KeyColumns<'_>, r: &[(u64, u32)]) {
        let mut left: Vec<u32> = l.iter().map(|e| e.1).collect();
        let mut right: Vec<u32> = r.iter().map(|e| e.1).collect();
        while !left.is_empty() || !right.is_empty() {
            // Take one key (from the left if any remain) and every row that has it.
            let (keep_l, rest_l): (Vec<u32>, Vec<u32>);
            let (keep_r, rest_r): (Vec<u32>, Vec<u32>);
            if let Some(&rep) = left.first() {
                (keep_l, rest_l) = left.iter().partition(|&&x| lk.same_key(x as usize, lk, rep as usize));
                (keep_r, rest_r) = right.iter().partition(|&&x| rk.same_key(x as usize, lk, rep as usize));
            } else {
                let rep = right[0];
                keep_l = Vec::new();
                rest_l = Vec::new();
                (keep_r, rest_r) = right.iter().partition(|&&x| rk.same_key(x as usize, rk, rep as usize));
            }
            match (keep_l.len(), keep_r.len()) {
                (1, 1) => {
                    self.left[keep_l[0] as usize] = keep_r[0];
                    self.right_taken[keep_r[0] as usize] = true;
                }
                (a, b) if a <= 1 && b <= 1 => {}
                _ => {
                    let g = self.groups.len();
                    for (n, &x) in keep_l.iter().enumerate() {
                        self.left[x as usize] = if n == 0 { GROUP_FIRST } else { GROUP_OTHER };
                    }
                    for &x in &keep_r {
                        self.right_taken[x as usize] = true;
                    }
                    match keep_l.first() {
                        Some(&f) => self.groups_by_left.insert(f, g),
                        None => self.groups_by_right.insert(keep_r[0], g),
                    };
                    self.groups.push(Group { left: keep_l, right: keep_r });
                }
            }
            left = rest_l;
            right = rest_r;
        }
    }

    /// What left row `row` is paired with.
    #[inline]
    pub fn left(&self, row: usize) -> LeftMatch {
        match self.left[row] {
            NO_MATCH => LeftMatch::None,
            GROUP_FIRST => LeftMatch::Group { first: true },
            GROUP_OTHER => LeftMatch::Group { first: false },
            r => LeftMatch::Row(r),
        }
    }

    /// The partner of a left row, if it has exactly one; used to look ahead.
    #[inline]
    pub fn partner(&self, row: usize) -> Option<u32> {
        match self.left.get(row) {
            Some(&r) if r < GROUP_OTHER => Some(r),
            _ => None,
        }
    }

    /// The group whose first left row is `row`.
    pub fn group_of_left(&self, row: u32) -> Option<&Group> {
        self.groups_by_left.get(&row).map(|&g| &self.groups[g])
    }

    /// The group, with no left rows, whose first right row is `row`.
    pub fn group_of_right(&self, row: u32) -> Option<&Group> {
        self.groups_by_right.get(&row).map(|&g| &self.groups[g])
    }

    /// Distinct keys that occur more than once on the left and on the right.
    pub fn duplicate_keys(&self) -> (u64, u64) {
        let l = self.groups.iter().filter(|g| g.left.len() > 1).count();
        let r = self.groups.iter().filter(|g| g.right.len() > 1).count();
        (l as u64, r as u64)
    }
}
