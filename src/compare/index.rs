//! Finding rows by key: a hash table from key to row, built per side.

use super::rules::CellRules;
use crate::table::Table;
use hashbrown::HashTable;
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
            let cell = self.table.cell(row, c);
            h = xxh3_64_with_seed(r.normalize_key(cell).as_bytes(), h);
        }
        h
    }

    /// Whether row `a` of this side and row `b` of `other` have the same key.
    pub fn same_key(&self, a: usize, other: &KeyColumns<'_>, b: usize) -> bool {
        self.columns.iter().zip(&other.columns).zip(&self.rules).all(|((&ca, &cb), r)| {
            let (x, y) = (self.table.cell(a, ca), other.table.cell(b, cb));
            x == y || r.normalize_key(x) == r.normalize_key(y)
        })
    }

    /// Hashes of every row's key, computed on all cores.
    pub fn all_hashes(&self) -> Vec<u64> {
        (0..self.table.num_rows())
            .into_par_iter()
            .with_min_len(4096)
            .map(|r| self.hash(r))
            .collect()
    }
}

/// Rows of one table by key: for each distinct key its first row, and for
/// keys that occur more than once, all their rows.
pub(crate) struct KeyIndex {
    firsts: HashTable<u32>,
    groups: HashMap<u32, Vec<u32>>,
}

impl KeyIndex {
    /// Indexes every row of `keys.table`, whose key hashes are `hashes`.
    pub fn build(keys: &KeyColumns<'_>, hashes: &[u64]) -> KeyIndex {
        let mut firsts = HashTable::with_capacity(hashes.len());
        let mut groups: HashMap<u32, Vec<u32>> = HashMap::new();
        for (row, &h) in hashes.iter().enumerate() {
            let found = firsts
                .find(h, |&f: &u32| keys.same_key(f as usize, keys, row))
                .copied();
            match found {
                Some(first) => groups.entry(first).or_insert_with(|| vec![first]).push(row as u32),
                None => {
                    firsts.insert_unique(h, row as u32, |&r| hashes[r as usize]);
                }
            }
        }
        KeyIndex { firsts, groups }
    }

    /// The first row of this index's table whose key equals row `row` of `other`.
    pub fn find(&self, own: &KeyColumns<'_>, hash: u64, other: &KeyColumns<'_>, row: usize) -> Option<u32> {
        self.firsts
            .find(hash, |&f| own.same_key(f as usize, other, row))
            .copied()
    }

    /// All rows of the key whose first row is `first`, if the key repeats.
    pub fn group(&self, first: u32) -> Option<&[u32]> {
        self.groups.get(&first).map(Vec::as_slice)
    }

    /// Whether any key repeats.
    pub fn has_duplicates(&self) -> bool {
        !self.groups.is_empty()
    }

    /// Number of distinct keys that occur more than once.
    pub fn duplicate_keys(&self) -> u64 {
        self.groups.len() as u64
    }
}
