//! Parquet and Arrow IPC inputs, written by pyarrow and DuckDB (see
//! tests/fixtures/columnar/make.py), read through the command line:
//!
//! - `people.parquet` (pyarrow; two row groups, snappy) and
//!   `people.feather` (pyarrow, lz4): 3 rows of int64, string,
//!   decimal(10,2), date32, bool, float64, timestamp[us, UTC], list of
//!   strings and a nullable string;
//! - `people.arrows` (pyarrow): the same rows as an Arrow IPC stream, in
//!   batches of 2 and 1 rows;
//! - `people-brotli.parquet`, `people-gzip.parquet` (pyarrow): the same
//!   rows with pyarrow's other codecs;
//! - `people-changed.parquet` (DuckDB, zstd): Bob's amount 20.00 -> 25.00,
//!   Cy (id 3) gone, Ed (id 5) added;
//! - `people.csv`: the same rows as people.parquet, written as a person
//!   would (`10.5` for 10.50, `20` for 20.00).

mod common;

use common::{concord, text};
use serde_json::Value;
use std::path::Path;

/// A fixture's path (a path already, as it is).
fn file(name: &str) -> String {
    if Path::new(name).is_absolute() {
        return name.to_string();
    }
    format!(
        "{}/tests/fixtures/columnar/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn summary(left: &str, right: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let out = concord(
        &[
            &[
                "compare",
                &file(left),
                &file(right),
                "--key",
                "id",
                "--format",
                "json",
            ][..],
            extra,
        ]
        .concat(),
    );
    assert!(out.status.code() != Some(2), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code(), v["summary"].clone())
}

#[test]
fn a_parquet_file_and_the_same_rows_in_csv_compare_as_identical() {
    // Decimals, dates, timestamps in UTC, booleans, lists and nulls.
    for typed in [
        "people.parquet",
        "people.feather",
        "people.arrows",
        "people-brotli.parquet",
        "people-gzip.parquet",
    ] {
        let (code, s) = summary("people.csv", typed, &[]);
        assert_eq!(code, Some(0), "{typed}: {s}");
        assert_eq!(s["identical"], 3);
    }
    let (code, _) = summary("people.feather", "people.parquet", &[]);
    assert_eq!(code, Some(0));
}

#[test]
fn two_parquet_files_from_two_writers_compare_by_key() {
    let (code, s) = summary("people.parquet", "people-changed.parquet", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        (&s["changed"], &s["only_left"], &s["only_right"]),
        (&Value::from(1), &Value::from(1), &Value::from(1)),
        "{s}"
    );
    let out = concord(&[
        "compare",
        &file("people.parquet"),
        &file("people-changed.parquet"),
        "--key",
        "id",
    ]);
    let report = text(&out.stdout);
    assert!(report.contains("amount: 20.00 → 25.00"), "{report}");
    // A Parquet file has rows, not lines: a row's place is called so.
    assert!(
        report.contains("left row ") && !report.contains(" line "),
        "{report}"
    );
}

#[test]
fn values_read_as_their_types_say() {
    let out = concord(&["inspect", &file("people.parquet"), "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "parquet");
    let samples = |name: &str| {
        v["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["samples"]
            .clone()
    };
    assert_eq!(samples("amount")[0], "10.50", "decimals at their scale");
    assert_eq!(
        samples("seen")[0],
        "2024-03-01T12:00:00.25Z",
        "microseconds, in UTC"
    );
    assert_eq!(samples("tags")[0], "[\"a\",\"b\"]", "lists as JSON");
    assert_eq!(v["columns"][8]["nulls"], 2, "nulls as empty cells");
}

/// Writes `rows` rows (id, name, amount as decimal(12,2)) to a Parquet
/// file at `path` in row groups of 10,000, with the `parquet` crate's
/// Arrow writer; `change` alters an amount, `keep` drops rows.
fn write_parquet(
    path: &std::path::Path,
    rows: i64,
    change: impl Fn(i64, i128) -> i128,
    keep: impl Fn(i64) -> bool,
) {
    use arrow_array::{ArrayRef, Decimal128Array, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let ids: Vec<i64> = (0..rows).filter(|&i| keep(i)).collect();
    let names: Vec<String> = ids.iter().map(|i| format!("name {i}")).collect();
    let amounts: Vec<i128> = ids
        .iter()
        .map(|&i| change(i, i128::from(i) * 7 % 100_000))
        .collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(Int64Array::from(ids))),
        ("name", Arc::new(StringArray::from(names))),
        (
            "amount",
            Arc::new(
                Decimal128Array::from(amounts)
                    .with_precision_and_scale(12, 2)
                    .unwrap(),
            ),
        ),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(10_000))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn a_parquet_file_larger_than_the_memory_limit_is_read_a_row_group_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let (left, right) = (dir.path().join("l.parquet"), dir.path().join("r.parquet"));
    write_parquet(&left, 200_000, |_, a| a, |_| true);
    write_parquet(
        &right,
        200_000,
        |i, a| if i % 1000 == 7 { a + 1 } else { a },
        |i| i % 5000 != 3,
    );
    let (l, r) = (left.to_str().unwrap(), right.to_str().unwrap());
    let args = ["compare", l, r, "--key", "id", "--format", "csv"];
    let whole = concord(&args);
    assert_eq!(whole.status.code(), Some(1), "{}", text(&whole.stderr));
    let spill = dir.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    let parts = concord(
        &[
            &args[..],
            &[
                "--memory-limit",
                "1M",
                "--spill-dir",
                spill.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert_eq!(parts.status.code(), Some(1), "{}", text(&parts.stderr));
    assert!(
        text(&parts.stderr).contains("do not fit the memory limit"),
        "{}",
        text(&parts.stderr)
    );
    assert!(parts.stdout == whole.stdout, "the outputs differ");
    // 200 changed amounts and 40 rows gone.
    assert_eq!(text(&whole.stdout).lines().count(), 1 + 200 + 40);
}

#[test]
fn a_damaged_parquet_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(file("people.parquet")).unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = concord(&["compare", cut.to_str().unwrap(), &file("people.parquet")]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("cut.parquet") && err.contains("cannot be read"),
        "{err}"
    );
}

#[test]
fn an_arrow_stream_is_told_by_its_bytes_and_other_binary_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("export.bin");
    std::fs::copy(file("people.arrows"), &copy).unwrap();
    let (code, s) = summary("people.csv", copy.to_str().unwrap(), &[]);
    assert_eq!(code, Some(0), "{s}");
    // Formats Concord does not read, each named in the refusal.
    let cases: [(&str, &[u8], &str); 4] = [
        ("old.feather", b"FEA1\0\0\0\x01", "Feather version 1"),
        ("data.bin", b"FEA1\0\0\0\x01", "Feather version 1"),
        ("data.orc", b"ORC\x0a\x03\0\0\0", "an ORC file"),
        (
            "junk.arrow",
            b"\x01\x02\0\0junk",
            "is not an Arrow IPC file or stream",
        ),
    ];
    for (name, bytes, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = concord(&["inspect", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = text(&out.stderr);
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
    }
}

#[test]
fn a_type_concord_does_not_read_is_an_error_naming_the_column() {
    use arrow_array::{ArrayRef, Int64Array, IntervalYearMonthArray, RecordBatch};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.arrow");
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(Int64Array::from(vec![1, 2]))),
        ("span", Arc::new(IntervalYearMonthArray::from(vec![12, 3]))),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let file = std::fs::File::create(&path).unwrap();
    let mut w = arrow_ipc::writer::FileWriter::try_new(file, &batch.schema()).unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
    let out = concord(&["inspect", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("odd.arrow")
            && err.contains("column 'span'")
            && err.contains("not one Concord reads"),
        "{err}"
    );
}
