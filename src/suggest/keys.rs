//! Which columns identify a row, as a person would choose them.
//!
//! A person looking for a key reaches for identifiers: codes, names, dates,
//! small or numbered integers; never a measure such as a price or a
//! population, even when its values happen to be unique. And they take the
//! fewest columns that do the job, which can be five or six in a long table
//! (a flight is a date, a carrier, a flight number and an airport).
//!
//! The search runs in two stages: over identifier-like columns first, and
//! only if that finds nothing, over every paired column (measures too). A
//! stage looks for the smallest combinations, size by size up to
//! [`MAX_KEY_COLUMNS`], on a sample of rows: each combination's values are
//! hashed per sampled row (folded column by column, so growing a
//! combination by one column costs one pass over the sample), and only the
//! [`BEAM`] combinations that tell the most rows apart are grown further.
//! A column that tells no more rows apart than the combination without it
//! (a constant, or one determined by the others) is never added, so keys
//! stay minimal. Combinations unique on the samples of both sides are then
//! checked against every row.
//!
//! A few repeated values do not disqualify a key: a licence number that
//! repeats a handful of times in fifty thousand rows is still what a person
//! would pick (the repeats are reported as duplicates). Such a near key
//! wins only as a single identifier-named column; otherwise an exactly
//! unique combination is preferred whenever one exists.

use super::sample::{ColumnSample, Counts, Hashes, RowSample};
use super::KeySuggestion;
use crate::table::Table;
use crate::values::{classify, is_null_spelling, parse_number, ValueType};
use rayon::prelude::*;
use std::collections::HashSet;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The most columns a suggested key has.
pub const MAX_KEY_COLUMNS: usize = 6;
/// Combinations of one size grown into the next, at most.
const BEAM: usize = 24;
/// Columns a stage combines, at most (the most varied are kept).
const STAGE_COLUMNS: usize = 24;
/// Combinations checked against all rows, at most, in the whole search.
const VERIFIED: usize = 24;
/// Combinations checked after an exact key of the same size, to name as
/// runners-up.
const RUNNERS_UP: usize = 2;
/// Key candidates reported, at most (the key and its runners-up).
const REPORTED: usize = 5;
/// The share of rows that may repeat their key in a near key.
const NEAR_KEY_REPEATS: f64 = KeySuggestion::NEAR_KEY_REPEATS;

/// How the key found on the samples is checked against every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Check {
    /// Here, by hashing every row's key.
    Here,
    /// By the comparison that uses it, which reads every row's key anyway:
    /// the key is taken as exact for now ([`Verified::provisional`]), and
    /// the comparison's counts confirm it or send the search back to be
    /// done with [`Check::Here`] (see `super::compare`).
    ByComparison,
}

/// A mapped column pair by position.
#[derive(Clone, Copy)]
pub(super) struct Mapped {
    pub left: usize,
    pub right: usize,
}

/// What kind of column a key part is, by its name and sampled values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    /// Named like a key (`id`, `code`, `licence number`, ...).
    NamedKey,
    /// A code, a short name, a date, or an integer that counts or numbers
    /// things (dense, or named like a part of a date).
    Identifier,
    /// A quantity or free text: a poor key when an identifier will do.
    Measure,
}

/// Words that name a key column.
const KEY_WORDS: &[&str] = &[
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
    "licence",
    "license",
    "isbn",
    "serial",
];

/// Words that name a part of a date or a sequence: identifiers even when
/// their values are sparse.
const ORDINAL_WORDS: &[&str] = &[
    "year", "month", "day", "date", "hour", "minute", "week", "quarter", "period", "season",
    "series", "episode", "round", "stage", "line", "seq", "sequence", "index", "rank", "version",
    "time",
];

/// Words that name a quantity.
const MEASURE_WORDS: &[&str] = &[
    "amount",
    "price",
    "cost",
    "total",
    "sum",
    "avg",
    "mean",
    "rate",
    "ratio",
    "pct",
    "percent",
    "population",
    "pop",
    "value",
    "score",
    "weight",
    "height",
    "length",
    "width",
    "depth",
    "mass",
    "temp",
    "temperature",
    "delay",
    "distance",
    "duration",
    "speed",
    "balance",
    "salary",
    "income",
    "revenue",
    "sales",
    "profit",
    "gdp",
    "qty",
    "quantity",
    "count",
    "size",
    "volume",
    "lat",
    "lon",
    "lng",
    "latitude",
    "longitude",
    "pressure",
    "humidity",
    "precip",
];

/// A column pair that may be part of a key, with its sampled row hashes.
struct Candidate {
    pair: Mapped,
    /// The left and right columns as key parts.
    parts: (Part, Part),
    role: Role,
    /// Hash of the cell in each sampled left row; 0 when it is empty.
    left: Vec<u64>,
    /// The same for the right side.
    right: Vec<u64>,
    /// Distinct values in the left sample.
    distinct: usize,
}

/// A combination of candidates (by index) with its folded row hashes.
#[derive(Clone)]
struct Combination {
    members: Vec<usize>,
    left: Vec<u64>,
    right: Vec<u64>,
    /// Distinct non-empty values of the combination in the left sample.
    distinct: usize,
}

/// A column of one side as a key part: its index, and whether the common
/// spellings of null are no value in it.
#[derive(Clone, Copy)]
struct Part {
    col: usize,
    spelled_nulls: bool,
}

/// Whether a key cell holds no value: empty, or, in a column whose other
/// values are typed (numbers, dates), a common spelling of null. In a text
/// column `NA` or `-` may be a real value.
fn no_value(v: &[u8], spelled_nulls: bool) -> bool {
    v.is_empty()
        || (spelled_nulls && v.len() <= 6 && std::str::from_utf8(v).is_ok_and(is_null_spelling))
}

/// The type of a column's sampled values other than the spellings of null,
/// and whether those spellings are nulls in it (it is otherwise typed).
fn typed(t: &Table, rows: &[usize], col: usize) -> (ValueType, bool) {
    let mut ty = ValueType::Empty;
    for &r in rows {
        let v = t.cell(r, col).trim();
        if !v.is_empty() && !is_null_spelling(v) {
            ty = ty.join(classify(v));
            if ty == ValueType::Text {
                break;
            }
        }
    }
    (ty, ty != ValueType::Text)
}

fn cell_hash(v: &[u8], spelled_nulls: bool, seed: u64) -> u64 {
    if no_value(v, spelled_nulls) {
        0
    } else {
        xxh3_64_with_seed(v, seed) | 1
    }
}

/// The hash of a combination grown by one column; empty stays empty.
fn fold(acc: u64, cell: u64) -> u64 {
    if acc == 0 || cell == 0 {
        0
    } else {
        (acc.rotate_left(23) ^ cell).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
    }
}

fn sampled_hashes(t: &Table, rows: &[usize], part: Part) -> Vec<u64> {
    rows.iter()
        .map(|&r| cell_hash(t.cell_bytes(r, part.col), part.spelled_nulls, 0x51_7cc1))
        .collect()
}

/// Distinct non-empty values, and rows whose value is empty or repeated.
fn tally(hashes: &[u64]) -> (usize, usize) {
    let mut seen = Hashes::with_capacity_and_hasher(hashes.len(), Default::default());
    let mut repeated = 0;
    for &h in hashes {
        if h == 0 || !seen.insert(h) {
            repeated += 1;
        }
    }
    (seen.len(), repeated)
}

/// The share of the distinct non-empty values of the smaller sample that
/// the other sample holds too.
fn sample_overlap(left: &[u64], right: &[u64]) -> f64 {
    let set = |h: &[u64]| -> Hashes { h.iter().copied().filter(|&x| x != 0).collect() };
    let (l, r) = (set(left), set(right));
    let (small, large) = if l.len() <= r.len() {
        (&l, &r)
    } else {
        (&r, &l)
    };
    if small.is_empty() {
        return 0.0;
    }
    small.iter().filter(|h| large.contains(*h)).count() as f64 / small.len() as f64
}

/// How many of `rows` rows may repeat their key in a near key.
fn allowed_repeats(rows: usize) -> usize {
    (rows as f64 * NEAR_KEY_REPEATS) as usize
}

/// The role of one column, from its name and its sampled values.
fn role(
    name: &str,
    (value_type, s): (ValueType, &ColumnSample),
    t: &Table,
    rows: &[usize],
    col: usize,
) -> Role {
    let words = super::names::words(name);
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    if has(KEY_WORDS) && !matches!(value_type, ValueType::Decimal) {
        return Role::NamedKey;
    }
    let measure_named = has(MEASURE_WORDS) && !has(ORDINAL_WORDS);
    match value_type {
        ValueType::Decimal | ValueType::Boolean | ValueType::Empty => Role::Measure,
        _ if measure_named => Role::Measure,
        ValueType::Date | ValueType::Datetime => Role::Identifier,
        ValueType::Integer if has(ORDINAL_WORDS) => Role::Identifier,
        ValueType::Integer => {
            // Numbers that number things are dense (1, 2, 3, ... with gaps);
            // quantities spread over a range much wider than their count.
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for v in rows
                .iter()
                .filter_map(|&r| parse_number(t.cell(r, col).trim()))
            {
                lo = lo.min(v);
                hi = hi.max(v);
            }
            let span = (hi - lo + 1.0).max(1.0);
            if s.counts.len() as f64 >= span * 0.1 || hi - lo < 1000.0 {
                Role::Identifier
            } else {
                Role::Measure
            }
        }
        _ => {
            // Text: codes and names are short; descriptions are long and wordy.
            let (mut len, mut words, mut n) = (0usize, 0usize, 0usize);
            for &r in rows.iter().step_by((rows.len() / 500).max(1)) {
                let v = t.cell_bytes(r, col);
                if !v.is_empty() {
                    len += v.len();
                    words += v.split(|&b| b == b' ').filter(|w| !w.is_empty()).count();
                    n += 1;
                }
            }
            let n = n.max(1);
            if len / n > 32 || words as f64 / n as f64 > 4.0 {
                Role::Measure
            } else {
                Role::Identifier
            }
        }
    }
}

fn key_hash(t: &Table, row: usize, parts: &[Part]) -> Option<u64> {
    let mut h = 0x2545_F491_4F6C_DD1D;
    for p in parts {
        let v = t.cell_bytes(row, p.col);
        if no_value(v, p.spelled_nulls) {
            return None;
        }
        h = xxh3_64_with_seed(v, h);
    }
    Some(h)
}

/// Sorted distinct key hashes of all rows, and the share of rows whose key is
/// present and not repeated.
fn distinct_keys(t: &Table, cols: &[Part]) -> (Vec<u64>, f64) {
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

/// A combination checked against every row.
struct Verified {
    suggestion: KeySuggestion,
    roles: Vec<Role>,
    /// Candidate indices, for minimality checks.
    members: Vec<usize>,
    /// Leftmost left column index, for ties.
    first_column: usize,
    /// Whether the figures are a guess, unique and found on both sides,
    /// left for the comparison to confirm ([`Check::ByComparison`]).
    provisional: bool,
}

impl Verified {
    fn exact(&self) -> bool {
        self.suggestion.unique_left >= 1.0 && self.suggestion.unique_right >= 1.0
    }

    fn near(&self) -> bool {
        self.suggestion.is_near_unique()
    }

    /// The order a person would choose in (smaller is better): usable keys
    /// before the rest, checked on every row before judged on samples;
    /// among them exact keys, and single key-named columns
    /// with a few repeats, before other near keys; then fewer columns, then
    /// identifiers before measures, then more keys found on both sides.
    fn rank(&self) -> (u8, bool, u8, usize, Role, i64, usize) {
        let usable = self.suggestion.is_confident();
        let class = if self.exact() || (self.roles == [Role::NamedKey] && self.near()) {
            0
        } else if self.near() {
            1
        } else {
            2
        };
        let worst_role = self.roles.iter().copied().max().unwrap_or(Role::Measure);
        (
            u8::from(!usable),
            // A key checked on every row before one judged on samples.
            self.suggestion.sampled,
            class,
            self.roles.len(),
            worst_role,
            -((self.suggestion.overlap * 1e6) as i64),
            self.first_column,
        )
    }
}

/// The left and right key parts of a combination.
fn parts(cands: &[Candidate], members: &[usize]) -> (Vec<Part>, Vec<Part>) {
    members.iter().map(|&m| cands[m].parts).unzip()
}

fn verify(left: &Table, right: &Table, cands: &[Candidate], members: &[usize]) -> Verified {
    let (lp, rp) = parts(cands, members);
    let ((lk, unique_left), (rk, unique_right)) =
        rayon::join(|| distinct_keys(left, &lp), || distinct_keys(right, &rp));
    let smaller = lk.len().min(rk.len());
    let overlap = if smaller == 0 {
        0.0
    } else {
        shared(&lk, &rk) as f64 / smaller as f64
    };
    let figures = (unique_left, unique_right, overlap, false);
    verified(left, right, cands, members, figures)
}

/// A combination judged on the sampled rows only: a runner-up, named for
/// people beside the key chosen, is not worth reading every row for.
/// When the samples are the `whole` files, it is judged as [`verify`] does.
fn judge_on_samples(
    left: &Table,
    right: &Table,
    cands: &[Candidate],
    comb: &Combination,
    whole: bool,
) -> Verified {
    if whole {
        return verify(left, right, cands, &comb.members);
    }
    let once = |h: &[u64]| {
        let mut counts = Counts::with_capacity_and_hasher(h.len(), Default::default());
        for &x in h.iter().filter(|&&x| x != 0) {
            *counts.entry(x).or_default() += 1;
        }
        counts.values().filter(|&&n| n == 1).count() as f64 / h.len().max(1) as f64
    };
    let figures = (
        once(&comb.left),
        once(&comb.right),
        sample_overlap(&comb.left, &comb.right),
        true,
    );
    verified(left, right, cands, &comb.members, figures)
}

/// A combination with its figures: unique left and right, overlap, and
/// whether they were measured on the samples only.
fn verified(
    left: &Table,
    right: &Table,
    cands: &[Candidate],
    members: &[usize],
    (unique_left, unique_right, overlap, sampled): (f64, f64, f64, bool),
) -> Verified {
    let (lp, rp) = parts(cands, members);
    let roles: Vec<Role> = members.iter().map(|&m| cands[m].role).collect();
    // The displayed score: uniqueness and overlap, lowered a little per
    // extra column and more for measures.
    let prior: f64 = roles
        .iter()
        .map(|r| match r {
            Role::NamedKey => 1.0,
            Role::Identifier => 0.95,
            Role::Measure => 0.7,
        })
        .product::<f64>()
        .powf(1.0 / roles.len() as f64)
        * 0.98f64.powi(roles.len() as i32 - 1);
    Verified {
        suggestion: KeySuggestion {
            left: lp.iter().map(|p| left.columns()[p.col].clone()).collect(),
            right: rp.iter().map(|p| right.columns()[p.col].clone()).collect(),
            score: unique_left * unique_right * (0.5 + 0.5 * overlap) * prior,
            unique_left,
            unique_right,
            overlap,
            sampled,
        },
        roles,
        members: members.to_vec(),
        first_column: lp.iter().map(|p| p.col).min().unwrap_or(0),
        provisional: false,
    }
}

/// Searches `cands` (all of one stage) for the smallest combinations unique
/// on both samples, and checks them against every row. Appends what it
/// checked to `found`, and returns once a size has given an exact key.
/// Returns the combination that came closest to a key on the samples (the
/// most distinct values, with the fewest columns), to name when nothing
/// passed.
fn search(
    left: &Table,
    right: &Table,
    cands: &[Candidate],
    usable: &[usize],
    found: &mut Vec<Verified>,
    budget: &mut usize,
    check: &mut Check,
) -> Option<Vec<usize>> {
    let mut closest: Option<(usize, Vec<usize>)> = None;
    let sample_left = cands.first().map_or(0, |c| c.left.len());
    let sample_right = cands.first().map_or(0, |c| c.right.len());
    let allowed = (allowed_repeats(sample_left), allowed_repeats(sample_right));
    // Files no larger than the sample are their samples.
    let whole = left.num_rows() == sample_left && right.num_rows() == sample_right;
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    let mut beam: Vec<Combination> = vec![Combination {
        members: Vec::new(),
        left: vec![u64::MAX; sample_left],
        right: vec![u64::MAX; sample_right],
        distinct: 1,
    }];
    for _size in 1..=MAX_KEY_COLUMNS {
        // Every way to grow a combination of the beam by one column: the
        // combination, the column, and the members they make.
        let mut grown: Vec<(usize, usize, Vec<usize>)> = Vec::new();
        for (b, comb) in beam.iter().enumerate() {
            for &c in usable {
                if comb.members.contains(&c) {
                    continue;
                }
                let mut members = comb.members.clone();
                members.push(c);
                members.sort_unstable();
                // A superset of a key found already is not minimal.
                let contains_key = found
                    .iter()
                    .filter(|v| v.exact())
                    .any(|v| v.members.iter().all(|m| members.contains(m)));
                if !contains_key && seen.insert(members.clone()) {
                    grown.push((b, c, members));
                }
            }
        }
        // Each grown combination, and whether it is a key on both samples.
        let mut next: Vec<(Combination, bool)> = grown
            .into_par_iter()
            .filter_map(|(b, c, members)| {
                let comb = &beam[b];
                let fold_all = |acc: &[u64], col: &[u64]| -> Vec<u64> {
                    acc.iter().zip(col).map(|(&a, &x)| fold(a, x)).collect()
                };
                let left = fold_all(&comb.left, &cands[c].left);
                let (distinct, l_rep) = tally(&left);
                if !comb.members.is_empty() && distinct <= comb.distinct {
                    // A constant, or a column the others determine.
                    return None;
                }
                let right = fold_all(&comb.right, &cands[c].right);
                let is_key = l_rep <= allowed.0 && tally(&right).1 <= allowed.1;
                let grown = Combination {
                    members,
                    left,
                    right,
                    distinct,
                };
                Some((grown, is_key))
            })
            .collect();
        // Keys on both samples go to be checked, best first: identifiers
        // before measures, then the most values found on both samples (on
        // files of up to SAMPLE_ROWS rows the samples are the files, so
        // this is the overlap itself; a key that includes an edited column
        // shares fewer values, in whole percents: beyond that it is noise),
        // then the least redundant (the smallest sum of the logarithms of
        // its columns' distinct counts: carrier, flight and hour rather
        // than a time of day that repeats what the hour says), then the
        // leftmost.
        next.par_sort_by_cached_key(|(comb, is_key)| {
            let worst = comb.members.iter().map(|&m| cands[m].role).max();
            let first = comb.members.iter().map(|&m| cands[m].pair.left).min();
            let shared = if *is_key {
                sample_overlap(&comb.left, &comb.right)
            } else {
                0.0
            };
            let spread: f64 = comb
                .members
                .iter()
                .map(|&m| (cands[m].distinct.max(1) as f64).ln())
                .sum();
            (
                worst,
                -((shared * 100.0).round() as i64),
                (spread * 1000.0) as i64,
                first,
            )
        });
        let mut exact_found = false;
        let mut runners_up = RUNNERS_UP;
        let mut rest = Vec::new();
        for (comb, is_key) in next {
            // Candidates come best first: past an exact key, a few more
            // are checked to name as runners-up, and the rest are not.
            if is_key && exact_found && runners_up == 0 {
                continue;
            }
            if is_key && *budget > 0 {
                let v = if exact_found {
                    runners_up -= 1;
                    judge_on_samples(left, right, cands, &comb, whole)
                } else if *check == Check::ByComparison && !whole {
                    // Only the first key is left to the comparison: should
                    // it fail there, the search runs again checking here.
                    *check = Check::Here;
                    let mut v = verified(left, right, cands, &comb.members, (1.0, 1.0, 1.0, false));
                    v.provisional = true;
                    v
                } else {
                    verify(left, right, cands, &comb.members)
                };
                *budget -= 1;
                exact_found |= v.exact() && v.suggestion.is_confident();
                let keep_growing = !v.exact();
                found.push(v);
                if keep_growing {
                    rest.push(comb);
                }
            } else if !is_key {
                rest.push(comb);
            }
        }
        if exact_found || *budget == 0 {
            return None;
        }
        // Grow the combinations that tell the most rows apart.
        rest.sort_by_key(|c| std::cmp::Reverse(c.distinct));
        if let Some(best) = rest.first() {
            if closest.as_ref().is_none_or(|c| best.distinct > c.0) {
                closest = Some((best.distinct, best.members.clone()));
            }
        }
        rest.truncate(BEAM);
        beam = rest;
        if beam.is_empty() {
            break;
        }
    }
    closest.map(|c| c.1)
}

/// Ranks key candidates among the mapped columns, best first: the key a
/// person would choose, then its runners-up.
/// Candidates are judged on the tables' row samples and checked on the
/// whole tables, here or, with [`Check::ByComparison`], by the comparison:
/// the second value then says whether the first key is provisional.
pub(super) fn suggest_keys(
    (left, lsample): (&Table, &RowSample<'_>),
    (right, rsample): (&Table, &RowSample<'_>),
    ls: &[ColumnSample],
    rs: &[ColumnSample],
    mapped: &[Mapped],
    mut check: Check,
) -> (Vec<KeySuggestion>, bool) {
    let (lrows, rrows) = (lsample.rows(), rsample.rows());
    let (lt, rt) = (lsample.table(), rsample.table());
    let left_allowed = allowed_repeats(lrows.len());
    // Columns that may be part of a key: filled (almost) everywhere on both
    // sides (null spellings count as empty), and not constant.
    let right_allowed = allowed_repeats(rrows.len());
    let empties = |h: &[u64]| h.iter().filter(|&&x| x == 0).count();
    let mut cands: Vec<Candidate> = mapped
        .par_iter()
        .filter(|m| (ls[m.left].counts.len() > 1 || lrows.len() <= 1) && rs[m.right].has_values())
        .filter_map(|m| {
            let (left_type, spelled_nulls) = typed(lt, &lrows, m.left);
            let lp = Part {
                col: m.left,
                spelled_nulls,
            };
            let left_hashes = sampled_hashes(lt, &lrows, lp);
            if empties(&left_hashes) > left_allowed {
                return None;
            }
            let rp = Part {
                col: m.right,
                spelled_nulls: typed(rt, &rrows, m.right).1,
            };
            let right_hashes = sampled_hashes(rt, &rrows, rp);
            if empties(&right_hashes) > right_allowed {
                return None;
            }
            let name = &left.columns()[m.left];
            Some(Candidate {
                pair: *m,
                parts: (lp, rp),
                role: role(name, (left_type, &ls[m.left]), lt, &lrows, m.left),
                distinct: tally(&left_hashes).0,
                left: left_hashes,
                right: right_hashes,
            })
        })
        .collect();
    cands.sort_by_key(|c| c.pair.left);
    let varied = |idx: &mut Vec<usize>| {
        idx.sort_by(|&a, &b| {
            ls[cands[b].pair.left]
                .counts
                .len()
                .cmp(&ls[cands[a].pair.left].counts.len())
        });
        idx.truncate(STAGE_COLUMNS);
    };
    let mut found = Vec::new();
    let mut budget = VERIFIED;
    let mut identifiers: Vec<usize> = (0..cands.len())
        .filter(|&i| cands[i].role != Role::Measure)
        .collect();
    varied(&mut identifiers);
    let mut closest = search(
        left,
        right,
        &cands,
        &identifiers,
        &mut found,
        &mut budget,
        &mut check,
    );
    let has_key = found.iter().any(|v| v.suggestion.is_confident());
    if !has_key && budget > 0 {
        let mut all: Vec<usize> = (0..cands.len()).collect();
        varied(&mut all);
        closest = search(
            left,
            right,
            &cands,
            &all,
            &mut found,
            &mut budget,
            &mut check,
        )
        .or(closest);
    }
    if found.is_empty() {
        if let Some(members) = closest {
            found.push(verify(left, right, &cands, &members));
        }
    }
    found.sort_by_key(|v| v.rank());
    // A provisional key is the first one checked and ranks first, as the
    // exact key it is taken for (everything found after it was judged on
    // the samples): anywhere else its guessed figures would be shown as
    // measured.
    debug_assert!(found.iter().skip(1).all(|v| !v.provisional));
    let provisional = found.first().is_some_and(|v| v.provisional);
    let keys = found
        .into_iter()
        .take(REPORTED)
        .map(|v| v.suggestion)
        .collect();
    (keys, provisional)
}

#[cfg(test)]
mod tests {
    use crate::progress::Control;
    use crate::suggest::suggest;
    use crate::table::{load_bytes, LoadOptions, Table};

    fn table(text: &str) -> Table {
        load_bytes("t.csv", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
    }

    /// The suggested keys of a table compared with itself, as labels.
    fn keys(text: &str) -> Vec<String> {
        let t = table(text);
        let s = suggest(&t, &t, Control::default()).unwrap();
        s.keys.iter().map(|k| k.label()).collect()
    }

    fn confident(text: &str) -> Option<String> {
        let t = table(text);
        let s = suggest(&t, &t, Control::default()).unwrap();
        s.confident_key().map(|k| k.label())
    }

    /// Flights: one row per (day, carrier, flight, origin); no four of them
    /// are unique, and the departure time (with `NA`s) would be unique
    /// with fewer.
    fn flights() -> String {
        let mut t = String::from("year,month,day,dep_time,carrier,flight,origin,dep_delay\n");
        let mut n = 0u64;
        for month in 1..=3 {
            for day in 1..=20 {
                for carrier in ["UA", "AA", "B6"] {
                    for flight in 1..=12 {
                        for origin in ["EWR", "JFK", "LGA"] {
                            // The same flight number leaves every airport;
                            // only some leave an airport twice a day.
                            if (flight + day) % 5 == 0 && origin == "LGA" {
                                continue;
                            }
                            n += 1;
                            let dep = if n % 40 == 0 {
                                "NA".to_string()
                            } else {
                                format!("{}", 500 + (n * 7919) % 1900)
                            };
                            t.push_str(&format!(
                                "2013,{month},{day},{dep},{carrier},{flight},{origin},{}\n",
                                n % 97
                            ));
                        }
                    }
                }
            }
        }
        t
    }

    #[test]
    fn a_key_of_several_identifier_columns_is_found() {
        let k = keys(&flights());
        assert_eq!(k[0], "month + day + carrier + flight + origin", "{k:?}");
    }

    #[test]
    fn a_column_with_null_spellings_is_no_key() {
        // dep_time is unique where it is filled, but `NA` is no value.
        let k = keys(&flights());
        assert!(k.iter().all(|k| !k.contains("dep_time")), "{k:?}");
    }

    #[test]
    fn a_measure_unique_by_chance_loses_to_a_natural_key() {
        let mut t = String::from("country,continent,year,pop,lifeExp\n");
        for (c, country) in ["Chad", "Peru", "Fiji", "Oman", "Laos", "Iran"]
            .iter()
            .enumerate()
        {
            for y in 0..12 {
                let year = 1952 + 5 * y;
                let pop = 1_000_000 + c * 7_654_321 + y * 123_457;
                t.push_str(&format!(
                    "{country},Asia,{year},{pop},{}.{}\n",
                    40 + c + y,
                    (c * 13 + y * 7) % 100
                ));
            }
        }
        let k = keys(&t);
        assert_eq!(k[0], "country + year", "{k:?}");
        assert_eq!(confident(&t).as_deref(), Some("country + year"));
    }

    #[test]
    fn a_unique_float_next_to_a_natural_key_is_not_the_key() {
        let mut t = String::from("reading,station,day\n");
        for s in 0..30 {
            for d in 1..=25 {
                t.push_str(&format!(
                    "{}.{:03},S{s:02},{d}\n",
                    s * 3 + d,
                    (s * 37 + d * 11) % 997
                ));
            }
        }
        assert_eq!(keys(&t)[0], "station + day");
    }

    #[test]
    fn a_key_named_column_with_a_few_repeats_is_still_the_key() {
        // 21 rows of 50,000 repeat their licence number; licence + name
        // would be unique, but a person picks the licence.
        let mut t = String::from("licence_number,animal_name,breed\n");
        for i in 0..50_000u32 {
            let licence = if i % 2381 == 7 { i - 1 } else { i };
            t.push_str(&format!("L{licence:06},pet{},b{}\n", i % 977, i % 31));
        }
        let k = keys(&t);
        assert_eq!(k[0], "licence_number", "{k:?}");
        assert_eq!(confident(&t).as_deref(), Some("licence_number"));
    }

    #[test]
    fn a_composite_with_a_few_repeats_loses_to_an_exact_one() {
        // (month, day, carrier, flight) repeats in a few rows; with origin
        // it is unique.
        let k = keys(&flights());
        assert!(k[0].contains("origin"), "{k:?}");
    }

    #[test]
    fn long_free_text_is_no_identifier() {
        // Each bake's description is unique, but the key is who baked in
        // which episode.
        let mut t = String::from("series,episode,baker,signature\n");
        for s in 1..=4 {
            for e in 1..=8 {
                for b in [
                    "Annetha",
                    "David",
                    "Edd",
                    "Jasminder",
                    "Jonathan",
                    "Miranda",
                ] {
                    t.push_str(&format!(
                        "{s},{e},{b},\"Light {b} sponge with {s} layers of cream and {e} kinds of berry\"\n"
                    ));
                }
            }
        }
        assert_eq!(keys(&t)[0], "series + episode + baker");
    }

    #[test]
    fn a_dash_that_is_a_value_is_still_part_of_a_key() {
        // `-` is a null spelling in typed columns only: in this text
        // column it is a value, and (code, side) is the key.
        let mut t = String::from("code,side,label\n");
        for i in 0..200 {
            let side = ["+", "-"][i % 2];
            t.push_str(&format!("C{},{side},x{}\n", i / 2, (i / 2) % 7));
        }
        assert_eq!(confident(&t).as_deref(), Some("code + side"));
    }

    #[test]
    fn a_column_of_years_is_no_measure() {
        // Years are sparse integers with a wide span in general, but named
        // as part of a date they are identifiers: (region, year) is the key
        // over the unique population.
        let mut t = String::from("region,year,population\n");
        for r in 0..9 {
            for y in [1800, 1850, 1900, 1950, 2000, 2020] {
                t.push_str(&format!("R{r},{y},{}\n", 100_003 * (r + 1) + y * 37));
            }
        }
        assert_eq!(keys(&t)[0], "region + year");
    }

    #[test]
    fn without_any_key_the_closest_candidates_are_named() {
        // Every row twice: nothing is unique.
        let mut t = String::from("name,size\n");
        for i in 0..100 {
            t.push_str(&format!("n{},{}\n", i / 2, i / 2));
        }
        let tab = table(&t);
        let s = suggest(&tab, &tab, Control::default()).unwrap();
        assert!(s.confident_key().is_none());
        let notes = s.key_notes(None);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("the closest: name"), "{notes:?}");
    }
}
