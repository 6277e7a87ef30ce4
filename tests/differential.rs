//! Differential test: Concord's keyed comparison against a reference written
//! for clarity, on generated files full of the cases real exports hold:
//! codes with leading zeros, null tokens, integers longer than `f64` keeps,
//! exponents beyond its range, tolerances met exactly at the boundary, empty
//! and repeated keys, quoted commas and line breaks.
//!
//! The reference shares no code with the engine: the `csv` crate reads the
//! files, a `HashMap` pairs the rows, and numbers are exact big rationals.
//! `CONCORD_DIFF_CASES` sets how many files are generated (300 by default).
//!
//! The same generated tables written as `.xlsx` and Parquet (text cells)
//! must give the comparison their CSV form gives.

use concord::compare::compare_as_configured;
use concord::compare::{ColumnPair, CompareConfig, RowStatus};
use concord::{load_bytes, Control, LoadOptions};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use std::collections::HashMap;

mod common;
use common::generate::*;

/// Reads CSV text with the `csv` crate: header, then records.
fn read(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// A number as written (`-1.5e3`), as an exact rational; `None` for text.
fn number(s: &str) -> Option<BigRational> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().ok()?),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let digits: BigInt = format!("{int}{frac}").parse().ok()?;
    let scale = exp - frac.len() as i64;
    let ten = BigInt::from(10);
    let mut r = if scale >= 0 {
        BigRational::from_integer(digits * num_traits::pow(ten, scale as usize))
    } else {
        BigRational::new(digits, num_traits::pow(ten, (-scale) as usize))
    };
    if neg {
        r = -r;
    }
    Some(r)
}

/// A number written with a leading zero before another digit: a code.
fn is_code(s: &str) -> bool {
    let d = s.trim_start_matches(['-', '+']).as_bytes();
    d.len() > 1 && d[0] == b'0' && d[1].is_ascii_digit()
}

fn is_null(s: &str) -> bool {
    s.is_empty() || s == NULL_TOKEN
}

/// Whether two cells are equal under the rules: nulls equal each other;
/// in a numeric column, numbers (not codes) are equal when they differ by
/// at most the tolerance; everything else compares as text.
fn cells_equal(a: &str, b: &str, numeric_column: bool, tolerance: &BigRational) -> bool {
    if is_null(a) || is_null(b) {
        return is_null(a) && is_null(b);
    }
    if a == b {
        return true;
    }
    if numeric_column && !is_code(a) && !is_code(b) {
        if let (Some(x), Some(y)) = (number(a), number(b)) {
            return (x - y).abs() <= *tolerance;
        }
    }
    false
}

/// The outcome the reference expects, in Concord's row order: left rows in
/// order (a repeated key's rows where it first appears), then right rows
/// whose key the left lacks. Rows with an empty key pair with nothing.
type Expected = (
    Vec<(RowStatus, Option<u32>, Option<u32>, Vec<usize>)>,
    [u64; 5],
);

fn reference(left: &[Vec<String>], right: &[Vec<String>], tol: f64) -> Expected {
    let tolerance = number(&format!("{tol}")).unwrap();
    let mut numeric = [false; 4];
    for c in 1..4 {
        let all_numbers = left
            .iter()
            .chain(right)
            .all(|r| is_null(&r[c]) || (number(&r[c]).is_some() && !is_code(&r[c])));
        numeric[c] = all_numbers || !tolerance.is_zero();
    }
    fn index(rows: &[Vec<String>]) -> HashMap<&str, Vec<u32>> {
        let mut m: HashMap<&str, Vec<u32>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            if !is_null(&r[0]) {
                m.entry(r[0].as_str()).or_default().push(i as u32);
            }
        }
        m
    }
    let (li, ri) = (index(left), index(right));
    let mut out = Vec::new();
    let mut counts = [0u64; 5]; // matched, changed, only_left, only_right, duplicate keys
    for (i, row) in left.iter().enumerate() {
        let i = i as u32;
        if is_null(&row[0]) {
            out.push((RowStatus::OnlyLeft, Some(i), None, vec![]));
            counts[2] += 1;
            continue;
        }
        let ls = &li[row[0].as_str()];
        let rs = ri.get(row[0].as_str());
        if ls.len() > 1 || rs.is_some_and(|v| v.len() > 1) {
            if ls[0] == i {
                out.extend(
                    ls.iter()
                        .map(|&x| (RowStatus::Duplicate, Some(x), None, vec![])),
                );
                out.extend(
                    rs.into_iter()
                        .flatten()
                        .map(|&x| (RowStatus::Duplicate, None, Some(x), vec![])),
                );
            }
            continue;
        }
        match rs {
            None => {
                out.push((RowStatus::OnlyLeft, Some(i), None, vec![]));
                counts[2] += 1;
            }
            Some(v) => {
                counts[0] += 1;
                let j = v[0];
                let other = &right[j as usize];
                let changed: Vec<usize> = (1..4)
                    .filter(|&c| !cells_equal(&row[c], &other[c], numeric[c], &tolerance))
                    .collect();
                if !changed.is_empty() {
                    counts[1] += 1;
                    out.push((RowStatus::Changed, Some(i), Some(j), changed));
                }
            }
        }
    }
    for (j, row) in right.iter().enumerate() {
        let j = j as u32;
        let key = row[0].as_str();
        if !is_null(key) && li.contains_key(key) {
            continue;
        }
        match ri.get(key) {
            Some(rs) if !is_null(key) && rs.len() > 1 => {
                if rs[0] == j {
                    out.extend(
                        rs.iter()
                            .map(|&x| (RowStatus::Duplicate, None, Some(x), vec![])),
                    );
                }
            }
            _ => {
                out.push((RowStatus::OnlyRight, None, Some(j), vec![]));
                counts[3] += 1;
            }
        }
    }
    counts[4] = li
        .values()
        .chain(ri.values())
        .filter(|v| v.len() > 1)
        .count() as u64;
    (out, counts)
}

#[test]
fn keyed_diff_agrees_with_an_independent_reference() {
    let cases: u64 = std::env::var("CONCORD_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let opts = LoadOptions {
        delimiter: Some(b','),
        has_header: Some(true),
        ..LoadOptions::default()
    };
    let mut interesting = [0u64; 4];
    for seed in 1..=cases {
        let mut rng = Rng::for_case(seed);
        let (left_rows, right_rows) = generate(&mut rng, true);
        let tol = TOLERANCES[rng.below(TOLERANCES.len())];
        let (ltext, rtext) = (to_csv(&left_rows), to_csv(&right_rows));
        let (l, r) = (read(&ltext), read(&rtext));
        assert_eq!((l.len(), r.len()), (left_rows.len(), right_rows.len()));

        let lt = load_bytes("left.csv", ltext.clone().into_bytes(), &opts).unwrap();
        let rt = load_bytes("right.csv", rtext.clone().into_bytes(), &opts).unwrap();
        let cfg = keyed_config(tol);
        let res = compare_as_configured(&lt, &rt, &cfg, Control::default()).unwrap();

        let (rows, counts) = reference(&l, &r, tol);
        let (got, summary) = outcome(&res);
        assert_eq!(
            (got, summary),
            (rows, counts),
            "seed {seed}, tolerance {tol:e}\nleft:\n{ltext}\nright:\n{rtext}"
        );
        interesting[0] += counts[1];
        interesting[1] += counts[4];
        interesting[2] += lt.num_rows() as u64;
        interesting[3] += (0..lt.num_rows())
            .filter(|&i| is_null(lt.cell(i, 0)))
            .count() as u64;
    }
    // The generator must reach the hard cases, or the test proves little.
    let [changed, duplicates, rows, empty_keys] = interesting;
    assert!(
        changed > cases && duplicates > cases / 4 && empty_keys > cases / 4,
        "changed {changed}, duplicate keys {duplicates}, rows {rows}, empty keys {empty_keys}"
    );
}

/// `rows` (a header first) as an `.xlsx` workbook whose cells are the
/// same text, written by `rust_xlsxwriter`.
fn to_xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// `rows` (a header first) as a Parquet file of string columns, written
/// by the `parquet` crate's Arrow writer.
fn to_parquet(rows: &[Vec<String>]) -> Vec<u8> {
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    let columns: Vec<(String, ArrayRef)> = (0..rows[0].len())
        .map(|c| {
            let values: Vec<&str> = rows[1..].iter().map(|r| r[c].as_str()).collect();
            let array: ArrayRef = std::sync::Arc::new(StringArray::from(values));
            (rows[0][c].clone(), array)
        })
        .collect();
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

/// The comparison's rows and summary, as the reference gives them.
fn outcome(res: &concord::CompareResult) -> Expected {
    let rows = res
        .rows
        .iter()
        .map(|x| {
            let changed = res
                .changed_pairs(&x)
                .iter()
                .map(|&p| res.pairs[p as usize].left_index)
                .collect::<Vec<_>>();
            (x.status, x.left, x.right, changed)
        })
        .collect();
    let s = &res.summary;
    let summary = [
        s.matched,
        s.changed,
        s.only_left,
        s.only_right,
        s.duplicate_keys_left + s.duplicate_keys_right,
    ];
    (rows, summary)
}

#[test]
fn the_same_tables_as_csv_xlsx_and_parquet_give_the_same_comparison() {
    let cases: u64 = std::env::var("CONCORD_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(60, |n: u64| (n / 5).max(1));
    let csv_opts = LoadOptions {
        delimiter: Some(b','),
        has_header: Some(true),
        ..LoadOptions::default()
    };
    let header = LoadOptions {
        has_header: Some(true),
        ..LoadOptions::default()
    };
    let mut cfg = CompareConfig {
        keys: vec![ColumnPair::new("id", "id")],
        use_suggestions: false,
        ..CompareConfig::default()
    };
    cfg.rules.null_tokens = vec![NULL_TOKEN.to_string()];
    for seed in 1..=cases {
        let mut rng = Rng::for_case(seed);
        let (left_rows, right_rows) = generate(&mut rng, true);
        let (ltext, rtext) = (to_csv(&left_rows), to_csv(&right_rows));
        let (l, r) = (left_rows.clone(), right_rows.clone());
        let with_header = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
            let mut all = vec![["id", "amount", "code", "note"].map(String::from).to_vec()];
            all.extend(rows.iter().cloned());
            all
        };
        let (lh, rh) = (with_header(&l), with_header(&r));
        let load =
            |name: &str, bytes: Vec<u8>, opts: &LoadOptions| load_bytes(name, bytes, opts).unwrap();
        let csv = (
            load("l.csv", ltext.clone().into_bytes(), &csv_opts),
            load("r.csv", rtext.clone().into_bytes(), &csv_opts),
        );
        let expected =
            outcome(&compare_as_configured(&csv.0, &csv.1, &cfg, Control::default()).unwrap());
        let sources = [
            (
                "xlsx",
                load("l.xlsx", to_xlsx(&lh), &header),
                load("r.xlsx", to_xlsx(&rh), &header),
            ),
            (
                "parquet",
                load("l.parquet", to_parquet(&lh), &header),
                load("r.parquet", to_parquet(&rh), &header),
            ),
            (
                "csv against parquet",
                load("l.csv", ltext.clone().into_bytes(), &csv_opts),
                load("r.parquet", to_parquet(&rh), &header),
            ),
        ];
        for (what, lt, rt) in sources {
            let got = outcome(&compare_as_configured(&lt, &rt, &cfg, Control::default()).unwrap());
            assert_eq!(
                got, expected,
                "seed {seed}, {what}\nleft:\n{ltext}\nright:\n{rtext}"
            );
        }
    }
}
