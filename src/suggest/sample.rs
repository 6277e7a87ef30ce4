//! Evidence from column contents, read from a bounded sample of rows so that
//! suggesting stays fast on files of any length.

use crate::table::{Table, TableBuilder};
use crate::values::{classify, parse_number, ValueType};
use rayon::prelude::*;
use std::hash::BuildHasherDefault;
use xxhash_rust::xxh3::xxh3_64;

/// At most this many rows of each table are read for suggestions.
pub const SAMPLE_ROWS: usize = 20_000;

/// Hashes already are hashes: a set of them needs no hashing again.
#[derive(Default)]
pub struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 hashes are kept; anything else is still spread.
        self.0 = xxh3_64(bytes);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A set of value hashes.
pub type Hashes = hashbrown::HashSet<u64, BuildHasherDefault<Identity>>;

/// Value hashes with how often each was seen.
pub type Counts = hashbrown::HashMap<u64, u32, BuildHasherDefault<Identity>>;

/// What a sample of one column holds.
#[derive(Debug, Clone)]
pub struct ColumnSample {
    /// The type every sampled non-empty value fits.
    pub value_type: ValueType,
    /// Hash of each distinct normalised value, with how often it was seen.
    pub counts: Counts,
    /// Estimated distinct values in the whole column.
    pub distinct_estimate: f64,
}

impl ColumnSample {
    /// Whether the sample holds any value.
    pub fn has_values(&self) -> bool {
        !self.counts.is_empty()
    }

    /// The fraction of the column's distinct values that the sample saw.
    pub fn coverage(&self) -> f64 {
        if self.distinct_estimate <= 0.0 {
            return 0.0;
        }
        (self.counts.len() as f64 / self.distinct_estimate).min(1.0)
    }
}

/// Which rows are sampled: all of them, or `SAMPLE_ROWS` spread evenly.
pub fn sample_rows(n: usize) -> Vec<usize> {
    if n <= SAMPLE_ROWS {
        (0..n).collect()
    } else {
        (0..SAMPLE_ROWS).map(|i| i * n / SAMPLE_ROWS).collect()
    }
}

/// The rows of a table that suggestions read ([`sample_rows`]), copied
/// together when they are not the whole table. Suggestions read them
/// column after column, many times; rows spread over a large table would
/// each be a cache miss every time, rows side by side are read from the
/// cache (on the 1M-row benchmark pair this took sampling from about 100 ms
/// to a few).
pub struct RowSample<'t> {
    whole: &'t Table,
    copy: Option<Table>,
}

impl<'t> RowSample<'t> {
    /// The sampled rows of `table`.
    pub fn of(table: &'t Table) -> RowSample<'t> {
        let n = table.num_rows();
        if n <= SAMPLE_ROWS {
            return RowSample {
                whole: table,
                copy: None,
            };
        }
        let mut b = TableBuilder::like(table);
        for r in sample_rows(n) {
            b.push_from(table, r);
        }
        // In memory, nothing can fail; a failure only costs the copy.
        RowSample {
            whole: table,
            copy: b.finish(table.file_rows()).ok(),
        }
    }

    /// The sampled rows, as a table.
    pub fn table(&self) -> &Table {
        self.copy.as_ref().unwrap_or(self.whole)
    }

    /// The indices of the sampled rows in [`RowSample::table`].
    pub fn rows(&self) -> Vec<usize> {
        match &self.copy {
            Some(c) => (0..c.num_rows()).collect(),
            None => sample_rows(self.whole.num_rows()),
        }
    }

    /// Rows in the whole table.
    pub fn total(&self) -> usize {
        self.whole.num_rows()
    }
}

/// The hash of a trimmed cell's value as compared across columns, numbers
/// by value (`1.50` = `1.5`), text without regard to case; and whether the
/// value is a number.
fn hashed(v: &str, scratch: &mut String) -> Option<(u64, bool)> {
    if v.is_empty() {
        return None;
    }
    if let Some(x) = parse_number(v) {
        let x = if x == 0.0 { 0.0 } else { x };
        return Some((xxh3_64(&x.to_bits().to_le_bytes()) ^ 0x5bd1_e995, true));
    }
    if v.is_ascii() {
        if !v.bytes().any(|b| b.is_ascii_uppercase()) {
            return Some((xxh3_64(v.as_bytes()), false));
        }
        scratch.clear();
        scratch.push_str(v);
        scratch.make_ascii_lowercase();
    } else {
        scratch.clear();
        for c in v.chars() {
            if c.is_ascii() {
                scratch.push(c.to_ascii_lowercase());
            } else {
                scratch.extend(c.to_lowercase());
            }
        }
    }
    Some((xxh3_64(scratch.as_bytes()), false))
}

/// Samples every column of a table, several columns at a time.
pub fn sample_columns(sample: &RowSample<'_>) -> Vec<ColumnSample> {
    let (table, rows) = (sample.table(), sample.rows());
    let total = sample.total() as f64;
    (0..table.num_columns())
        .into_par_iter()
        .map(|c| {
            let mut scratch = String::new();
            let mut value_type = ValueType::Empty;
            let mut nulls = 0;
            let mut counts =
                Counts::with_capacity_and_hasher(rows.len().min(4096), Default::default());
            for &r in &rows {
                let cell = table.cell(r, c).trim();
                match hashed(cell, &mut scratch) {
                    None => nulls += 1,
                    Some((h, number)) => {
                        let seen = counts.entry(h).or_insert(0);
                        // Text equal but for case is of one type: a value
                        // seen before needs no dates tried on it again
                        // (numbers are classified each time, cheaply, as
                        // `1` and `1.0` are one value of two types).
                        if value_type != ValueType::Text && (number || *seen == 0) {
                            value_type = value_type.join(classify(cell));
                        }
                        *seen += 1;
                    }
                }
            }
            let sampled = rows.len();
            let non_null = (sampled - nulls) as f64;
            // Guaranteed-error estimator: values seen once stand for sqrt(N/n) values each.
            let singles = counts.values().filter(|&&k| k == 1).count() as f64;
            let others = counts.len() as f64 - singles;
            let population = if sampled == 0 {
                0.0
            } else {
                total * non_null / sampled as f64
            };
            let distinct_estimate = if non_null == 0.0 {
                0.0
            } else {
                (singles * (population / non_null).sqrt() + others)
                    .min(population)
                    .max(counts.len() as f64)
            };
            ColumnSample {
                value_type,
                counts,
                distinct_estimate,
            }
        })
        .collect()
}

/// Whether values of these two types can be the same data.
pub fn types_compatible(a: ValueType, b: ValueType) -> bool {
    use ValueType::*;
    a == b
        || a == Empty
        || b == Empty
        || (a.is_numeric() && b.is_numeric())
        || matches!((a, b), (Date, Datetime) | (Datetime, Date))
}

/// For every left and right column, how many distinct sampled values they
/// share: a merge of all (hash, column) pairs of both sides, sorted.
pub fn shared_values(left: &[ColumnSample], right: &[ColumnSample]) -> Vec<Vec<u32>> {
    let entries = |cols: &[ColumnSample]| -> Vec<(u64, u16)> {
        let mut v: Vec<(u64, u16)> = cols
            .iter()
            .enumerate()
            .flat_map(|(c, s)| s.counts.keys().map(move |&h| (h, c as u16)))
            .collect();
        v.par_sort_unstable();
        v
    };
    let (l, r) = rayon::join(|| entries(left), || entries(right));
    let mut shared = vec![vec![0u32; right.len()]; left.len()];
    let (mut i, mut j) = (0, 0);
    while i < l.len() && j < r.len() {
        let h = l[i].0.min(r[j].0);
        let i_end = i + l[i..].iter().take_while(|e| e.0 == h).count();
        let j_end = j + r[j..].iter().take_while(|e| e.0 == h).count();
        for a in &l[i..i_end] {
            for b in &r[j..j_end] {
                shared[a.1 as usize][b.1 as usize] += 1;
            }
        }
        i = i_end;
        j = j_end;
    }
    shared
}

/// How much of the data two columns share, from 0 to 1, allowing for the
/// samples having seen only part of each column's values.
pub fn overlap(a: &ColumnSample, b: &ColumnSample, shared: u32) -> f64 {
    if !a.has_values() || !b.has_values() {
        return 0.0;
    }
    let distinct = a.distinct_estimate.max(b.distinct_estimate);
    let smaller = a.counts.len().min(b.counts.len()) as f64;
    let expected = (distinct * a.coverage() * b.coverage()).clamp(1.0, smaller);
    (shared as f64 / expected).min(1.0)
}

/// How much a value overlap says: two yes/no columns always share their
/// values, two columns of a thousand distinct values rarely do by chance.
pub fn informativeness(a: &ColumnSample, b: &ColumnSample) -> f64 {
    let d = a.distinct_estimate.min(b.distinct_estimate).max(1.0);
    (d.log2() / 10.0).clamp(0.0, 1.0)
}
