//! Opening a comparison made on Apache Spark as a session
//! (`concord sessions import-result DIR`), without Spark: the folder Spark
//! writes is made here from the local engine's own comparison (its CSV
//! export's rows as Parquet parts, as `concord.spark` writes them, and a
//! manifest), so the session must show exactly the local result.

mod common;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use concord::backend::view::PageQuery;
use concord::backend::Workflow;
use concord::compare::{compare_as_configured, Comparison};
use concord::export::{self, Format, Report};
use concord::{CompareConfig, Control, LoadOptions, RowStatus};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A pair with changed rows, rows on one side, keys repeated on either
/// side, quoted line breaks, and a key named differently on each side.
fn pair() -> (String, String) {
    let mut left = String::from("id,name,amount\n");
    let mut right = String::from("ID,name,amount\n");
    for i in 0..400 {
        let name = if i % 9 == 0 {
            format!("\"two\nlines {i}\"")
        } else {
            format!("n{i}")
        };
        left.push_str(&format!("{i},{name},{}.50\n", i % 13));
        match i % 10 {
            0 => {}
            1 => right.push_str(&format!("{i},{name},{}.75\n", i % 13)),
            2 => right.push_str(&format!("{i},{name},{}.50\n{i},again,1\n", i % 13)),
            _ => right.push_str(&format!("{i},{name},{}.50\n", i % 13)),
        }
    }
    left.push_str("7,repeated,1\n");
    right.push_str("1000,new,2\n");
    (left, right)
}

fn config() -> CompareConfig {
    CompareConfig {
        keys: vec![concord::ColumnPair::new("id", "ID")],
        use_suggestions: false,
        ..CompareConfig::default()
    }
}

/// The local comparison of `pair()`.
fn local() -> Comparison {
    let (l, r) = pair();
    let opts = LoadOptions::default();
    let left = concord::load_bytes("left.csv", l.into_bytes(), &opts).unwrap();
    let right = concord::load_bytes("right.csv", r.into_bytes(), &opts).unwrap();
    let result = compare_as_configured(&left, &right, &config(), Control::default()).unwrap();
    Comparison::new(left, right, result)
}

fn csv(c: &Comparison) -> String {
    let mut out = Vec::new();
    export::write(Report::of(c), Format::Csv, &mut out, Control::default()).unwrap();
    String::from_utf8(out).unwrap()
}

/// Writes what `concord.spark` writes for `c` into `dir`: the rows of its
/// CSV export in `parts` Parquet files (every column text), Spark's marker
/// files, and the manifest. Without `lines`, the line columns are empty.
fn spark_folder(c: &Comparison, dir: &Path, parts: usize, lines: bool) {
    let text = csv(c);
    let rows = concord::load_bytes("rows.csv", text.into_bytes(), &LoadOptions::default()).unwrap();
    let rows_dir = dir.join("rows");
    std::fs::create_dir_all(&rows_dir).unwrap();
    let n = rows.num_rows();
    for p in 0..parts {
        let range = p * n / parts..(p + 1) * n / parts;
        let columns: Vec<(String, ArrayRef)> = rows
            .columns()
            .iter()
            .enumerate()
            .map(|(col, name)| {
                let blank = !lines && name.ends_with("_line");
                let values: Vec<&str> = range
                    .clone()
                    .map(|r| if blank { "" } else { rows.cell(r, col) })
                    .collect();
                (
                    name.clone(),
                    Arc::new(StringArray::from(values)) as ArrayRef,
                )
            })
            .collect();
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let file =
            std::fs::File::create(rows_dir.join(format!("part-{p:05}-x.snappy.parquet"))).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }
    std::fs::write(rows_dir.join("_SUCCESS"), "").unwrap();
    std::fs::write(rows_dir.join(".part-00000-x.snappy.parquet.crc"), "crc").unwrap();
    let manifest = serde_json::json!({
        "concord": "0.1.0",
        "configuration": config(),
        "inputs": {"left": "/data/left.csv", "right": "hdfs:///data/right.csv"},
        "lines": {"left": lines, "right": lines},
        "partitions": 7,
        "summary": c.result.summary,
        "columns": c.result.columns,
        "rows": "rows/",
    });
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
}

fn query(statuses: &[RowStatus], search: Option<&str>) -> PageQuery {
    PageQuery {
        limit: 10_000,
        statuses: statuses.to_vec(),
        search: search.map(String::from),
        ..PageQuery::default()
    }
}

fn exported(w: &Workflow, id: &str) -> String {
    let mut out = Vec::new();
    w.export_to(id, Format::Csv, None, &mut out, Control::default())
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// `text` with the two line columns of every row emptied.
fn without_lines(text: &str) -> String {
    let table =
        concord::load_bytes("x.csv", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap();
    let at: Vec<usize> = ["left_line", "right_line"]
        .iter()
        .map(|n| table.column_index(n).unwrap())
        .collect();
    let mut out = Vec::new();
    let mut w = csv::Writer::from_writer(&mut out);
    w.write_record(table.columns()).unwrap();
    for r in 0..table.num_rows() {
        let cells = (0..table.num_columns()).map(|c| {
            if at.contains(&c) {
                ""
            } else {
                table.cell(r, c)
            }
        });
        w.write_record(cells).unwrap();
    }
    drop(w);
    String::from_utf8(out).unwrap()
}

fn sessions(w: &Workflow) -> usize {
    w.list_sessions().unwrap().len()
}

#[test]
fn a_spark_result_opens_as_a_session_showing_the_local_rows() {
    let c = local();
    let s = &c.result.summary;
    assert!(s.changed > 20 && s.only_left > 20 && s.only_right > 0);
    assert!(s.duplicate_keys_left > 0 && s.duplicate_keys_right > 0);
    let out = tempfile::tempdir().unwrap();
    spark_folder(&c, out.path(), 3, true);
    let data = tempfile::tempdir().unwrap();
    let w = Workflow::open(data.path()).unwrap();
    let info = w
        .import_result(out.path(), None, Control::default())
        .unwrap();
    assert_eq!(info.summary.as_ref(), Some(&c.result.summary));
    assert_eq!(info.name, "left.csv vs right.csv");

    // The rows, their lines and order, as the local engine wrote them.
    assert_eq!(exported(&w, &info.id), csv(&c));
    let changed = w
        .page(
            &info.id,
            &query(&[RowStatus::Changed], None),
            Control::default(),
        )
        .unwrap();
    assert_eq!(changed.total as u64, s.changed);
    let found = w
        .page(
            &info.id,
            &query(&[], Some("TWO\nLINES 9")),
            Control::default(),
        )
        .unwrap();
    assert!(found.total >= 1, "a search finds a cell with a line break");
    let overview = w.result_overview(&info.id).unwrap();
    assert_eq!(overview.columns, c.result.columns);
    assert!(overview.kept_rows);
    assert!(common::columns_name_the_cells(&w, &info.id) > 100);
    assert!(
        overview.notes[0].contains("compared on Apache Spark"),
        "{:?}",
        overview.notes
    );

    // Reopened by another process: the same rows, from the session alone.
    drop(w);
    let w = Workflow::open(data.path()).unwrap();
    assert_eq!(exported(&w, &info.id), csv(&c));
    let again = w.compare(&info.id, Control::default()).unwrap_err();
    assert_eq!(again.code(), "source_changed");
    assert!(again.to_string().contains("Apache Spark"), "{again}");

    // Under a small memory limit, the kept rows go to disk: still the same.
    drop(w);
    let w = Workflow::open(data.path())
        .unwrap()
        .with_memory_limit(concord::budget::MemoryBudget(
            concord::budget::MemoryBudget::MIN,
        ));
    assert_eq!(exported(&w, &info.id), csv(&c));
}

#[test]
fn rows_without_line_numbers_are_shown_without_them() {
    let c = local();
    let out = tempfile::tempdir().unwrap();
    spark_folder(&c, out.path(), 2, false);
    let data = tempfile::tempdir().unwrap();
    let w = Workflow::open(data.path()).unwrap();
    let info = w
        .import_result(out.path(), Some("nightly"), Control::default())
        .unwrap();
    assert_eq!(info.name, "nightly");
    let text = exported(&w, &info.id);
    assert_eq!(without_lines(&text), without_lines(&csv(&c)));
    assert_eq!(text, without_lines(&csv(&c)));
    let page = w
        .page(&info.id, &query(&[], None), Control::default())
        .unwrap();
    assert!(page
        .rows
        .iter()
        .all(|r| r.left_line.is_none() && r.right_line.is_none()));
}

/// Each way a folder can fail to be a result is refused, naming what is
/// wrong, and leaves no session behind.
#[test]
fn a_folder_that_is_not_a_whole_result_is_refused() {
    let c = local();
    let data = tempfile::tempdir().unwrap();
    let w = Workflow::open(data.path()).unwrap();
    let cases: Vec<(&str, Spoil, &str)> = vec![
        (
            "no manifest",
            Box::new(|d: &Path| std::fs::remove_file(d.join("manifest.json")).unwrap()),
            "manifest.json",
        ),
        (
            "a part missing",
            Box::new(|d: &Path| std::fs::remove_file(first_part(d)).unwrap()),
            "incomplete",
        ),
        (
            "rows outside",
            Box::new(|d: &Path| edit_manifest(d, |m| m["rows"] = "../elsewhere".into())),
            "not a folder inside it",
        ),
        (
            "other columns",
            Box::new(|d: &Path| edit_manifest(d, |m| m["columns"][0]["left"] = "nope".into())),
            "has the columns",
        ),
        (
            "not a manifest",
            Box::new(|d: &Path| std::fs::write(d.join("manifest.json"), "{}").unwrap()),
            "not the manifest",
        ),
        (
            "no key",
            Box::new(|d: &Path| {
                edit_manifest(d, |m| m["configuration"]["keys"] = serde_json::json!([]))
            }),
            "no key",
        ),
    ];
    for (what, spoil, says) in cases {
        let out = tempfile::tempdir().unwrap();
        spark_folder(&c, out.path(), 3, true);
        spoil(out.path());
        let e = w
            .import_result(out.path(), None, Control::default())
            .unwrap_err();
        assert!(e.to_string().contains(says), "{what}: {e}");
        assert_eq!(sessions(&w), 0, "{what}: a session was left behind");
    }
    let out = tempfile::tempdir().unwrap();
    spark_folder(&c, out.path(), 1, true);
    std::fs::write(
        out.path().join("rows").join("part-00000-x.snappy.parquet"),
        b"PAR1 not parquet",
    )
    .unwrap();
    let e = w
        .import_result(out.path(), None, Control::default())
        .unwrap_err();
    assert!(e.to_string().contains("part-00000"), "{e}");
    assert_eq!(sessions(&w), 0);
}

/// What a case does to a good folder.
type Spoil = Box<dyn Fn(&Path)>;

fn first_part(dir: &Path) -> PathBuf {
    dir.join("rows").join("part-00000-x.snappy.parquet")
}

fn edit_manifest(dir: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut m);
    std::fs::write(path, m.to_string()).unwrap();
}
