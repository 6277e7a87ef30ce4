//! Pairing rows by key.
//!
//! Both sides' rows are bucketed and sorted by the hash of their key, and
//! the sorted buckets are merged. Runs of equal hashes are grouped by the exact key
//! values, so a hash collision can never pair two different keys. Sorting
//! touches no row data, and afterwards the comparison walks the left rows in
//! order knowing each partner in advance, so the memory loads for
//! consecutive rows do not wait on one another as hash-table probes would.

use super::rules::CellRules;
use crate::table::Table;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The key columns of one side and how their cells are normalised.
pub(crate) struct KeyColumns<'a> {
    pub table: &'a Table,
    pub columns: Vec<usize>,
    pub rules: Vec<&'a CellRules>,
    /// Whether the columns are a whole row's content rather than a key: an
    /// empty cell is then part of the content, not a missing key.
    pub whole_rows: bool,
}

impl KeyColumns<'_> {
    /// The hash of a row's normalised key; equal keys hash equally on both sides.
    pub fn hash(&self, row: usize) -> u64 {
        // The row's cells are found once, not once per key column.
        let cells = self.table.row(row);
        let mut h = 0x9E37_79B9_7F4A_7C15;
        for (&c, r) in self.columns.iter().zip(&self.rules) {
            let bytes = cells.bytes(c);
            h = if r.normalizes_keys() {
                xxh3_64_with_seed(r.normalize_key(text(bytes)).as_bytes(), h)
            } else {
                xxh3_64_with_seed(bytes, h)
            };
        }
        h
    }

    /// Whether row `a` of this side and row `b` of `other` have the same key.
    /// Inlined on purpose: it runs once per probe of the key index, and
    /// whether the compiler inlined it on its own changed with unrelated
    /// code elsewhere in the crate (5% of a 1M-row compare).
    #[inline]
    pub fn same_key(&self, a: usize, other: &KeyColumns<'_>, b: usize) -> bool {
        let (x, y) = (self.table.row(a), other.table.row(b));
        self.columns
            .iter()
            .zip(&other.columns)
            .zip(&self.rules)
            .all(|((&ca, &cb), r)| {
                let (p, q) = (x.bytes(ca), y.bytes(cb));
                p == q
                    || (r.normalizes_keys() && r.normalize_key(text(p)) == r.normalize_key(text(q)))
            })
    }

    /// Whether a row's key has an empty (null) part. Like SQL's NULL, such
    /// a key equals nothing, not even another empty key.
    pub fn is_empty_key(&self, row: usize) -> bool {
        !self.whole_rows
            && self.columns.iter().zip(&self.rules).any(|(&c, r)| {
                let bytes = self.table.cell_bytes(row, c);
                bytes.is_empty() || (r.nulls_beyond_empty() && r.is_null(self.table.cell(row, c)))
            })
    }

    /// Every row with a whole key as an [`Entry`], grouped into `1 << bits`
    /// buckets by the hash's top bits: the entries, and where each bucket
    /// starts. Rows with an empty key are left out, so they pair with nothing.
    fn bucketed(&self, bits: u32) -> (Vec<Entry>, Vec<usize>) {
        // An indexed map collects straight into place; empty keys are
        // marked here and skipped below rather than filtered out in parallel.
        let hashed: Vec<Entry> = (0..self.table.num_rows())
            .into_par_iter()
            .with_min_len(4096)
            .map(|r| {
                if self.is_empty_key(r) {
                    EMPTY_KEY
                } else {
                    (self.hash(r) & HASH_MASK) | r as u64
                }
            })
            .collect();
        // The entries are then grouped by bucket in place (an American
        // flag sort's one pass), empty keys last and cut off: a second
        // array of entries would be the largest thing a keyed comparison
        // holds besides the tables.
        let n = 1usize << bits;
        let bucket = |e: Entry| match e {
            EMPTY_KEY => n,
            _ if bits == 0 => 0,
            _ => (e >> (64 - bits)) as usize,
        };
        let mut starts = vec![0usize; n + 2];
        for &e in &hashed {
            starts[bucket(e) + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        let mut entries = hashed;
        let mut next = starts.clone();
        for b in 0..n {
            while next[b] < starts[b + 1] {
                // Carry the entry found here to its bucket, and the one it
                // displaces to its own, until one belongs here.
                let mut e = entries[next[b]];
                loop {
                    let t = bucket(e);
                    if t == b {
                        break;
                    }
                    std::mem::swap(&mut e, &mut entries[next[t]]);
                    next[t] += 1;
                }
                entries[next[b]] = e;
                next[b] += 1;
            }
        }
        entries.truncate(starts[n]);
        starts.truncate(n + 1);
        (entries, starts)
    }
}

/// A cell's bytes as text (cells are cut from valid UTF-8 at ASCII bytes,
/// as [`Table::cell`] says).
fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// A row and the top 32 bits of its key hash, packed as `hash << 32 | row`
/// so that entries sort by hash, then row. Keys that share those bits are
/// told apart by comparing their values, so a shorter hash costs a few extra
/// comparisons, never a wrong pair, and halves the memory of matching.
type Entry = u64;

const HASH_MASK: u64 = !0 << 32;

/// Marks a row with an empty key. No entry equals it: its row part would be
/// `u32::MAX`, and row indices stay below that.
const EMPTY_KEY: Entry = u64::MAX;

fn row_of(e: Entry) -> u32 {
    e as u32
}

/// Splits `v` into the mutable slices between consecutive `starts`.
fn split_buckets<'v>(mut v: &'v mut [Entry], starts: &[usize]) -> Vec<&'v mut [Entry]> {
    let mut out = Vec::with_capacity(starts.len() - 1);
    for w in starts.windows(2) {
        let (head, tail) = v.split_at_mut(w[1] - w[0]);
        out.push(head);
        v = tail;
    }
    out
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
    /// Per left row: its partner, or one of the markers above. Atomic only so
    /// that buckets can be matched in parallel; every row is written by one
    /// bucket, once.
    left: Vec<AtomicU32>,
    /// Per right row: whether it is accounted for by a pair or a group.
    right_taken: Vec<AtomicBool>,
    /// Groups of repeated keys, by their first left row (or first right row if none on the left).
    groups_by_left: HashMap<u32, usize>,
    groups_by_right: HashMap<u32, usize>,
    pub groups: Vec<Group>,
    /// Rows left unpaired because their key is empty, on the left and the right.
    pub empty_keys: (u64, u64),
}

impl Matching {
    /// Pairs the rows of two sides by key.
    ///
    /// Rows are bucketed by the top bits of their key hash; buckets are then
    /// sorted by hash and merged on all cores, each small enough for the cache.
    pub fn new(lk: &KeyColumns<'_>, rk: &KeyColumns<'_>) -> Matching {
        let rows = lk.table.num_rows().max(rk.table.num_rows());
        let bits = (rows / 256).max(1).ilog2().min(16);
        let ((mut l, ls), (mut r, rs)) = rayon::join(|| lk.bucketed(bits), || rk.bucketed(bits));
        let mut m = Matching {
            left: (0..lk.table.num_rows())
                .map(|_| AtomicU32::new(NO_MATCH))
                .collect(),
            right_taken: (0..rk.table.num_rows())
                .map(|_| AtomicBool::new(false))
                .collect(),
            groups_by_left: HashMap::new(),
            groups_by_right: HashMap::new(),
            groups: Vec::new(),
            empty_keys: (
                (lk.table.num_rows() - l.len()) as u64,
                (rk.table.num_rows() - r.len()) as u64,
            ),
        };
        let buckets: Vec<_> = split_buckets(&mut l, &ls)
            .into_iter()
            .zip(split_buckets(&mut r, &rs))
            .collect();
        let groups: Vec<Vec<Group>> = buckets
            .into_par_iter()
            .map(|(lb, rb)| {
                lb.sort_unstable();
                rb.sort_unstable();
                m.merge(lk, lb, rk, rb)
            })
            .collect();
        for g in groups.into_iter().flatten() {
            let i = m.groups.len();
            match g.left.first() {
                Some(&f) => m.groups_by_left.insert(f, i),
                None => m.groups_by_right.insert(g.right[0], i),
            };
            m.groups.push(g);
        }
        m
    }

    fn pair(&self, l: u32, r: u32) {
        self.left[l as usize].store(r, Ordering::Relaxed);
        self.right_taken[r as usize].store(true, Ordering::Relaxed);
    }

    /// Merges one bucket of each side, both sorted by hash; returns the
    /// groups of repeated keys found in it.
    fn merge(
        &self,
        lk: &KeyColumns<'_>,
        l: &[Entry],
        rk: &KeyColumns<'_>,
        r: &[Entry],
    ) -> Vec<Group> {
        let mut groups = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < l.len() || j < r.len() {
            let h = match (l.get(i), r.get(j)) {
                (Some(&a), Some(&b)) => (a & HASH_MASK).min(b & HASH_MASK),
                (Some(&a), None) => a & HASH_MASK,
                (None, Some(&b)) => b & HASH_MASK,
                (None, None) => unreachable!(),
            };
            let i_end = i + l[i..].iter().take_while(|&&e| e & HASH_MASK == h).count();
            let j_end = j + r[j..].iter().take_while(|&&e| e & HASH_MASK == h).count();
            match (i_end - i, j_end - j) {
                // A lone pair is checked by the caller when it reads both rows.
                (1, 1) => self.pair(row_of(l[i]), row_of(r[j])),
                (a, b) if a <= 1 && b <= 1 => {}
                _ => self.group_run(lk, &l[i..i_end], rk, &r[j..j_end], &mut groups),
            }
            i = i_end;
            j = j_end;
        }
        groups
    }

    /// Splits a run of equal hashes by exact key and records each key's rows.
    fn group_run(
        &self,
        lk: &KeyColumns<'_>,
        l: &[Entry],
        rk: &KeyColumns<'_>,
        r: &[Entry],
        groups: &mut Vec<Group>,
    ) {
        // Entries of one run sort by row.
        let mut left: Vec<u32> = l.iter().map(|&e| row_of(e)).collect();
        let mut right: Vec<u32> = r.iter().map(|&e| row_of(e)).collect();
        while !left.is_empty() || !right.is_empty() {
            // Take one key (from the left if any remain) and every row that has it.
            let (keep_l, rest_l): (Vec<u32>, Vec<u32>);
            let (keep_r, rest_r): (Vec<u32>, Vec<u32>);
            if let Some(&rep) = left.first() {
                (keep_l, rest_l) = left
                    .iter()
                    .partition(|&&x| lk.same_key(x as usize, lk, rep as usize));
                (keep_r, rest_r) = right
                    .iter()
                    .partition(|&&x| rk.same_key(x as usize, lk, rep as usize));
            } else {
                let rep = right[0];
                keep_l = Vec::new();
                rest_l = Vec::new();
                (keep_r, rest_r) = right
                    .iter()
                    .partition(|&&x| rk.same_key(x as usize, rk, rep as usize));
            }
            match (keep_l.len(), keep_r.len()) {
                (1, 1) => self.pair(keep_l[0], keep_r[0]),
                (a, b) if a <= 1 && b <= 1 => {}
                _ => {
                    for (n, &x) in keep_l.iter().enumerate() {
                        let mark = if n == 0 { GROUP_FIRST } else { GROUP_OTHER };
                        self.left[x as usize].store(mark, Ordering::Relaxed);
                    }
                    for &x in &keep_r {
                        self.right_taken[x as usize].store(true, Ordering::Relaxed);
                    }
                    groups.push(Group {
                        left: keep_l,
                        right: keep_r,
                    });
                }
            }
            left = rest_l;
            right = rest_r;
        }
    }

    /// Whether right row `row` is accounted for by a pair or a group.
    #[inline]
    pub fn right_taken(&self, row: usize) -> bool {
        self.right_taken[row].load(Ordering::Relaxed)
    }

    /// What left row `row` is paired with.
    #[inline]
    pub fn left(&self, row: usize) -> LeftMatch {
        match self.left[row].load(Ordering::Relaxed) {
            NO_MATCH => LeftMatch::None,
            GROUP_FIRST => LeftMatch::Group { first: true },
            GROUP_OTHER => LeftMatch::Group { first: false },
            r => LeftMatch::Row(r),
        }
    }

    /// The partner of a left row, if it has exactly one; used to look ahead.
    #[inline]
    pub fn partner(&self, row: usize) -> Option<u32> {
        match self.left.get(row).map(|r| r.load(Ordering::Relaxed)) {
            Some(r) if r < GROUP_OTHER => Some(r),
            _ => None,
        }
    }

    /// Starts loading the right partners of the left rows a little after
    /// `row`, which come in random order: a walk over the left rows then
    /// finds each partner in the cache.
    #[inline]
    pub fn prefetch_ahead(&self, right: &Table, row: usize) {
        for (ahead, stage) in [(16, 0), (8, 1)] {
            if let Some(r) = self.partner(row + ahead) {
                right.prefetch_row(r as usize, stage);
            }
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
