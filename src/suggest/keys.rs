//! Which columns identify a row: unique, never empty, and shared between
//! the two files.

use super::sample::{sample_rows, ColumnSample};
use super::KeySuggestion;
use crate::table::Table;
use crate::values::ValueType;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Single columns checked against all rows, at most.
const SINGLE_CANDIDATES: usize = 4;
/// Columns combined into pairs when no single column is a key.
const PAIR_COLUMNS: usize = 8;
/// Pairs checked against all rows, at most.
const PAIR_CANDIDATES: usize = 3;

/// A mapped column pair by position.
#[derive(Clone, Copy)]
pub(super) struct Mapped {
    pub left: usize,
    pub right: usize,
}

fn key_hash(t: &Table, row: usize, cols: &[usize]) -> Option<u64> {
    let mut h = 0x2545_F491_4F6C_DD1D;
    for &c in cols {
        let v = t.cell_bytes(row, c);
        if v.is_empty() {
            return None;
        }
        h = xxh3_64_with_seed(v, h);
    }
    Some(h)
}

/// Sorted distinct key hashes of all rows, and the share of rows whose key is
/// present and not repeated.
fn distinct_keys(t: &Table, cols: &[usize]) -> (Vec<u64>, f64) {
    let mut hashes: Vec<u64> = (0..t.num_rows())
        .into_par_iter()
        .with_min_len(8192)
        .filter_map(|r| key_hash(t, r, cols))
        .collect();
    hashes.par_sort_unstable();
    let once = hashes
        .chunk_by(|a, b| a == b)
        .filter(|run| run.len() == 1)
        .count();
    hashes.dedup();
    let unique = once as f64 / t.num_rows().max(1) as f64;
    (hashes, unique)
}

fn shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// How likely a column is to be meant as a key, before looking at its data:
/// whole numbers and codes more than amounts or dates; names such as `id`,
/// `code` or `sku` more than others.
fn prior(name: &str, t: ValueType) -> f64 {
    let type_factor = match t {
        ValueType::Integer | ValueType::Text => 1.0,
        ValueType::Date | ValueType::Datetime => 0.8,
        _ => 0.7,
    };
    let words = super::names::words(name);
    let keyish = [
        "id",
        "key",
        "code",
        "number",
        "no",
        "num",
        "nr",
        "sku",
        "uuid",
        "guid",
        "ref",
        "email",
        "identifier",
    ];
    let name_factor = if words.iter().any(|w| keyish.contains(&w.as_str())) {
        1.0
    } else {
        0.9
    };
    type_factor * name_factor
}

fn verify(left: &Table, right: &Table, l: &[usize], r: &[usize], prior: f64) -> KeySuggestion {
    let ((lk, unique_left), (rk, unique_right)) =
        rayon::join(|| distinct_keys(left, l), || distinct_keys(right, r));
    let smaller = lk.len().min(rk.len());
    let overlap = if smaller == 0 {
        0.0
    } else {
        shared(&lk, &rk) as f64 / smaller as f64
    };
    KeySuggestion {
        left: l.iter().map(|&c| left.columns()[c].clone()).collect(),
        right: r.iter().map(|&c| right.columns()[c].clone()).collect(),
        score: unique_left * unique_right * (0.5 + 0.5 * overlap) * prior,
        unique_left,
        unique_right,
        overlap,
    }
}

/// Ranks key candidates among the mapped columns, best first.
pub(super) fn suggest_keys(
    left: &Table,
    right: &Table,
    ls: &[ColumnSample],
    rs: &[ColumnSample],
    mapped: &[Mapped],
) -> Vec<KeySuggestion> {
    let prior_of = |m: &Mapped| prior(&left.columns()[m.left], ls[m.left].value_type);
    let mut singles: Vec<&Mapped> = mapped
        .iter()
        .filter(|m| ls[m.left].unique_in_sample() && rs[m.right].unique_in_sample())
        .collect();
    singles.sort_by(|a, b| prior_of(b).total_cmp(&prior_of(a)));
    let mut found: Vec<KeySuggestion> = singles
        .iter()
        .take(SINGLE_CANDIDATES)
        .map(|m| verify(left, right, &[m.left], &[m.right], prior_of(m)))
        .collect();
    let has_true_key = found
        .iter()
        .any(|k| k.unique_left >= 1.0 && k.unique_right >= 1.0);
    if !has_true_key {
        // Pairs of the most varied columns, judged first on the sampled rows.
        let mut varied: Vec<&Mapped> = mapped.iter().filter(|m| ls[m.left].has_values()).collect();
        varied.sort_by(|a, b| ls[b.left].counts.len().cmp(&ls[a.left].counts.len()));
        varied.truncate(PAIR_COLUMNS);
        let lrows = sample_rows(left.num_rows());
        let rrows = sample_rows(right.num_rows());
        let unique_on = |t: &Table, rows: &[usize], cols: &[usize]| -> bool {
            let mut seen = std::collections::HashSet::with_capacity(rows.len());
            rows.iter()
                .all(|&r| key_hash(t, r, cols).is_some_and(|h| seen.insert(h)))
        };
        let mut pairs: Vec<(f64, [Mapped; 2])> = Vec::new();
        for (i, a) in varied.iter().enumerate() {
            for b in &varied[i + 1..] {
                let (lc, rc) = ([a.left, b.left], [a.right, b.right]);
                if unique_on(left, &lrows, &lc) && unique_on(right, &rrows, &rc) {
                    pairs.push((prior_of(a) * prior_of(b), [**a, **b]));
                }
            }
        }
        pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
        for (p, [a, b]) in pairs.into_iter().take(PAIR_CANDIDATES) {
            // A pair is a little less likely than a single column with the same figures.
            let prior = p.sqrt() * 0.95;
            found.push(verify(
                left,
                right,
                &[a.left, b.left],
                &[a.right, b.right],
                prior,
            ));
        }
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found
}
