//! Column profiles: what each column holds, in a few numbers.

use crate::error::Result;
use crate::progress::{Control, Phase};
use crate::table::Table;
use crate::values::{classify, parse_bool, parse_decimal, parse_time_point, ValueType};
use hashbrown::HashTable;
use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

/// Distinct values are counted exactly up to this many, then estimated.
const EXACT_DISTINCT_LIMIT: usize = 1 << 20;

/// How many example values a profile keeps.
const SAMPLES: usize = 5;

/// A summary of one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnProfile {
    /// The column name.
    pub name: String,
    /// The most specific type every non-empty value fits (`empty` if there is none).
    #[serde(rename = "type")]
    pub value_type: ValueType,
    /// Number of empty cells.
    pub nulls: u64,
    /// Number of distinct non-empty values.
    pub distinct: u64,
    /// Whether `distinct` is exact (it is estimated above about a million values).
    pub distinct_exact: bool,
    /// Whether every row has a value and no value repeats.
    pub unique: bool,
    /// The smallest value, ordered by the column's type.
    pub min: Option<String>,
    /// The largest value, ordered by the column's type.
    pub max: Option<String>,
    /// The first few distinct values.
    pub samples: Vec<String>,
}

/// Whether a cell of a column (by index) counts as "no value": the empty
/// cell always, and null tokens where the comparison's rules name them.
pub type IsNull<'a> = &'a (dyn Fn(usize, &str) -> bool + Sync);

/// Profiles every column of `table`, several columns at a time; only empty
/// cells count as nulls.
pub fn profile(table: &Table) -> Vec<ColumnProfile> {
    profile_with(table, &|_, v: &str| v.is_empty(), Control::default()).expect("nothing cancels it")
}

/// Profiles every column of `table`, counting the cells `is_null` accepts
/// as nulls (so that `NULL` in a column of numbers neither makes it text nor
/// counts as a distinct value).
/// Reports progress in columns and stops between columns when cancelled.
pub fn profile_with(
    table: &Table,
    is_null: IsNull<'_>,
    ctl: Control<'_>,
) -> Result<Vec<ColumnProfile>> {
    let total = table.num_columns() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    (0..table.num_columns())
        .into_par_iter()
        .map(|c| {
            ctl.check()?;
            let p = profile_column(table, c, is_null);
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            ctl.report(Phase::Profiling, d, total);
            Ok(p)
        })
        .collect()
}

/// Profiles one column.
pub fn profile_column(table: &Table, col: usize, is_null: IsNull<'_>) -> ColumnProfile {
    let rows = table.num_rows();
    let mut value_type = ValueType::Empty;
    let mut nulls = 0u64;
    let mut distinct = DistinctCounter::new();
    let mut samples: Vec<String> = Vec::new();
    for r in 0..rows {
        let v = table.cell(r, col);
        if v.is_empty() || is_null(col, v) {
            nulls += 1;
            continue;
        }
        if value_type != ValueType::Text {
            value_type = value_type.join(classify(v));
        }
        if distinct.insert(xxh3_64(v.as_bytes())) && samples.len() < SAMPLES {
            samples.push(v.to_string());
        }
    }
    let (min, max) = min_max(table, col, value_type, &|v| is_null(col, v));
    let (count, exact) = distinct.count();
    ColumnProfile {
        name: table.columns()[col].clone(),
        value_type,
        nulls,
        distinct: count,
        distinct_exact: exact,
        unique: rows > 0 && nulls == 0 && exact && count == rows as u64,
        min,
        max,
        samples,
    }
}

/// Smallest and largest non-null values of a column, ordered as numbers
/// (exactly, at any size), points in time, booleans or text according to
/// its type.
fn min_max(
    table: &Table,
    col: usize,
    t: ValueType,
    is_null: &dyn Fn(&str) -> bool,
) -> (Option<String>, Option<String>) {
    let values = (0..table.num_rows())
        .map(|r| table.cell(r, col))
        .filter(|v| !v.is_empty() && !is_null(v));
    let pick = match t {
        ValueType::Empty => return (None, None),
        ValueType::Integer | ValueType::Decimal => extremes(values, parse_decimal),
        ValueType::Date | ValueType::Datetime => extremes(values, |v| parse_time_point(v, &[])),
        ValueType::Boolean => extremes(values, parse_bool),
        ValueType::Text => extremes(values, Some),
    };
    (pick.0.map(String::from), pick.1.map(String::from))
}

fn extremes<'a, K: PartialOrd + Clone>(
    values: impl Iterator<Item = &'a str>,
    key: impl Fn(&'a str) -> Option<K>,
) -> (Option<&'a str>, Option<&'a str>) {
    let mut lo: Option<(K, &str)> = None;
    let mut hi: Option<(K, &str)> = None;
    for v in values {
        let Some(k) = key(v) else { continue };
        if lo.as_ref().is_none_or(|(m, _)| k < *m) {
            lo = Some((k.clone(), v));
        }
        if hi.as_ref().is_none_or(|(m, _)| k > *m) {
            hi = Some((k, v));
        }
    }
    (lo.map(|x| x.1), hi.map(|x| x.1))
}

/// Counts distinct hashes exactly while that stays small, and estimates the
/// count with a HyperLogLog sketch beyond.
struct DistinctCounter {
    exact: Option<HashTable<u64>>,
    registers: Vec<u8>,
}

const HLL_BITS: u32 = 14;

impl DistinctCounter {
    fn new() -> DistinctCounter {
        DistinctCounter {
            exact: Some(HashTable::new()),
            registers: vec![0; 1 << HLL_BITS],
        }
    }

    /// Adds a hash; returns whether it was new (always false once estimating).
    fn insert(&mut self, h: u64) -> bool {
        let idx = (h >> (64 - HLL_BITS)) as usize;
        let rank = ((h << HLL_BITS) | (1 << (HLL_BITS - 1))).leading_zeros() as u8 + 1;
        if rank > self.registers[idx] {
            self.registers[idx] = rank;
        }
        let Some(set) = self.exact.as_mut() else {
            return false;
        };
        if set.find(h, |&x| x == h).is_some() {
            return false;
        }
        set.insert_unique(h, h, |&x| x);
        if set.len() > EXACT_DISTINCT_LIMIT {
            self.exact = None;
        }
        true
    }

    /// The count and whether it is exact.
    fn count(&self) -> (u64, bool) {
        if let Some(set) = &self.exact {
            return (set.len() as u64, true);
        }
        let m = self.registers.len() as f64;
        let sum: f64 = self.registers.iter().map(|&r| 2f64.powi(-(r as i32))).sum();
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        let estimate = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        (estimate.round() as u64, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{load_bytes, LoadOptions};

    #[test]
    fn profiles_types_nulls_and_extremes() {
        let t = load_bytes(
            "p.csv",
            b"id,amount,when,flag,name\n1,10.5,2024-03-01,yes,bob\n2,-3,2023-12-31,no,\n3,100,2024-01-15,yes,alice\n".to_vec(),
            &LoadOptions::default(),
        )
        .unwrap();
        let p = profile(&t);
        let id = &p[0];
        assert_eq!(
            (id.value_type, id.unique, id.distinct),
            (ValueType::Integer, true, 3)
        );
        let amount = &p[1];
        assert_eq!(amount.value_type, ValueType::Decimal);
        assert_eq!(
            (amount.min.as_deref(), amount.max.as_deref()),
            (Some("-3"), Some("100"))
        );
        let when = &p[2];
        assert_eq!(when.value_type, ValueType::Date);
        assert_eq!(
            (when.min.as_deref(), when.max.as_deref()),
            (Some("2023-12-31"), Some("2024-03-01"))
        );
        let flag = &p[3];
        assert_eq!(
            (flag.value_type, flag.distinct, flag.unique),
            (ValueType::Boolean, 2, false)
        );
        let name = &p[4];
        assert_eq!(
            (name.value_type, name.nulls, name.unique),
            (ValueType::Text, 1, false)
        );
        assert_eq!(name.samples, vec!["bob", "alice"]);
        assert_eq!(name.min.as_deref(), Some("alice"));
    }

    #[test]
    fn null_tokens_count_as_nulls_and_numbers_order_exactly() {
        let t = load_bytes(
            "n.csv",
            b"amount,big\n1.50,12345678901234567891\nNULL,12345678901234567890\n-2,NULL\n".to_vec(),
            &LoadOptions::default(),
        )
        .unwrap();
        let plain = profile(&t);
        assert_eq!(plain[0].value_type, ValueType::Text);
        assert_eq!(plain[0].nulls, 0);
        let p = profile_with(&t, &|_, v: &str| v == "NULL", Control::default()).unwrap();
        assert_eq!(
            (p[0].value_type, p[0].nulls, p[0].distinct),
            (ValueType::Decimal, 1, 2)
        );
        assert_eq!(
            (p[0].min.as_deref(), p[0].max.as_deref()),
            (Some("-2"), Some("1.50"))
        );
        assert_eq!(p[1].value_type, ValueType::Integer);
        assert_eq!(
            (p[1].min.as_deref(), p[1].max.as_deref()),
            (Some("12345678901234567890"), Some("12345678901234567891"))
        );
    }

    #[test]
    fn distinct_counts_switch_to_an_estimate_when_large() {
        let mut d = DistinctCounter::new();
        let n = EXACT_DISTINCT_LIMIT as u64 + 50_000;
        for i in 0..n {
            d.insert(xxh3_64(&i.to_le_bytes()));
        }
        let (est, exact) = d.count();
        assert!(!exact);
        let err = (est as f64 - n as f64).abs() / n as f64;
        assert!(err < 0.03, "estimate {est} for {n}");
        let mut small = DistinctCounter::new();
        for i in [1u64, 2, 2, 3] {
            small.insert(xxh3_64(&i.to_le_bytes()));
        }
        assert_eq!(small.count(), (3, true));
    }
}
