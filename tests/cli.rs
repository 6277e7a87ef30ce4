//! The `concord` binary, run as a user runs it: real files, real processes,
//! exit codes and output checked.

mod common;

use common::{concord, text};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn f(name: &str) -> String {
    fixture(name).display().to_string()
}

#[test]
fn differing_files_exit_1_with_a_readable_report() {
    let out = concord(&[
        "compare",
        &f("daff/bridges.csv"),
        &f("daff/broken_bridges.csv"),
        "--key",
        "bridge",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("designer: L. L. Buck → D. Duck"), "{s}");
    assert!(s.contains("only_left   bridge=Manhattan"), "{s}");
    assert!(s.contains("only_right  bridge=Spamspan"), "{s}");
}

#[test]
fn identical_files_exit_0() {
    let out = concord(&[
        "compare",
        &f("daff/bridges.csv"),
        &f("daff/bridges.csv"),
        "--key",
        "bridge",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("The files match."));
}

#[test]
fn a_column_on_one_side_only_makes_the_files_differ_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let (l, r) = (dir.path().join("l.csv"), dir.path().join("r.csv"));
    std::fs::write(&l, "id,amount,extra\n1,10,a\n2,20,b\n").unwrap();
    std::fs::write(&r, "ID,amount\n1,10\n2,20\n").unwrap();
    let (l, r) = (l.to_str().unwrap(), r.to_str().unwrap());
    let out = concord(&["compare", l, r, "--key", "id=ID"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("  only in left: extra (a difference)"), "{s}");
    assert!(s.contains("  under another name: id=ID"), "{s}");
    assert!(
        s.contains("Every row matches; the files differ in their columns."),
        "{s}"
    );

    let out = concord(&["compare", l, r, "--key", "id=ID", "--ignore-extra-columns"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("extra (not counted: extra columns are ignored)"),
        "{s}"
    );
    assert!(
        s.contains("The files match (columns on one side only are not counted)."),
        "{s}"
    );

    let out = concord(&["compare", l, r, "--key", "id=ID", "--ignore", "extra"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\nThe files match.\n"));

    let out = concord(&["compare", l, r, "--key", "id=ID", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["columns_only_left"], 1);
    assert_eq!(v["left_only_columns"], serde_json::json!(["extra"]));
    assert_eq!(v["renamed_columns"], serde_json::json!([["id", "ID"]]));
    assert_eq!(v["columns"][0]["left_type"], "integer");
    assert_eq!(v["type_differences"], serde_json::json!([]));

    // A CSV holds rows only: the section goes to stderr.
    let out = concord(&["compare", l, r, "--key", "id=ID", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("concord: columns only in left: extra (a difference)"),
        "{err}"
    );
}

#[test]
fn json_output_on_the_boston_311_pair() {
    let out = concord(&[
        "compare",
        &f("qsv/boston311-100.csv"),
        &f("qsv/boston311-100-diff.csv"),
        "--key",
        "case_enquiry_id",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["keys"],
        serde_json::json!([["case_enquiry_id", "case_enquiry_id"]])
    );
    assert_eq!(v["left"]["rows"], 100);
    assert_eq!(v["left"]["columns"].as_array().unwrap().len(), 29);
    let s = &v["summary"];
    assert_eq!(s["matched"], 100);
    assert_eq!(s["changed"], 4);
    assert_eq!(s["identical"], 96);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let first = &rows[0];
    assert_eq!(first["status"], "changed");
    assert_eq!(first["key"], serde_json::json!(["101004113747"]));
    assert_eq!(first["left_line"], 26);
    assert_eq!(first["right_line"], 39);
    assert_eq!(first["changes"][0]["column"], "closed_dt");
    assert_eq!(first["changes"][0]["left"], "2022-01-02 11:03:10");
    assert_eq!(first["changes"][0]["right"], "2022-01-02 11:04:10");
}

#[test]
fn renamed_columns_tolerances_and_ignores_from_the_command_line() {
    let base = [
        "compare",
        &f("csv-align/file_a.csv"),
        &f("csv-align/file_b.csv"),
        "--key",
        "id",
        "--map",
        "name=full_name",
        "--map",
        "email=email_address",
        "--map",
        "amount=value",
        "--format",
        "json",
    ]
    .map(String::from)
    .to_vec();
    let run = |extra: &[&str]| -> serde_json::Value {
        let mut args = base.clone();
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = concord(&args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = run(&[]);
    assert_eq!(v["summary"]["changed"], 2);
    assert_eq!(v["summary"]["only_left"], 1);
    assert_eq!(v["summary"]["only_right"], 1);
    let amount = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["left"] == "amount")
        .unwrap()
        .clone();
    assert_eq!(amount["right"], "value");
    assert_eq!(amount["max_difference"], 50.0);
    // A tolerance of 50 on amount makes row 3 equal; ignoring name makes row 2 equal.
    let v = run(&["--tolerance", "amount=50", "--ignore", "name"]);
    assert_eq!(v["summary"]["changed"], 0);
    assert_eq!(v["summary"]["identical"], 3);
}

#[test]
fn exports_to_files_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (ext, check) in [
        ("csv", "status,bridge,left_line"),
        ("json", "\"summary\""),
        ("html", "<!DOCTYPE html>"),
        ("txt", "matched rows"),
    ] {
        let path = dir.path().join(format!("diff.{ext}"));
        let out = concord(&[
            "compare",
            &f("daff/bridges.csv"),
            &f("daff/broken_bridges.csv"),
            "--key",
            "bridge",
            "--output",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        assert!(text(&out.stderr).contains("wrote 3 differing rows"));
        let body = std::fs::read_to_string(&path).unwrap();
        assert!(body.contains(check), "{ext}: {body}");
    }
    let xlsx = dir.path().join("diff.xlsx");
    let out = concord(&[
        "compare",
        &f("daff/bridges.csv"),
        &f("daff/broken_bridges.csv"),
        "--key",
        "bridge",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
}

#[test]
fn errors_exit_2_name_the_problem_and_leave_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.csv");
    let o = output.to_str().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "a,b\n1,2\n3\n").unwrap();
    let b = bad.to_str().unwrap();
    let bridges = f("daff/bridges.csv");
    let bridges = bridges.as_str();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["compare", "/no/such/left.csv", b, "-o", o],
            "/no/such/left.csv",
        ),
        (
            vec!["compare", bridges, b, "-o", o],
            "line 3: expected 2 fields",
        ),
        (
            vec!["compare", bridges, bridges, "--key", "nope", "-o", o],
            "no column named 'nope'",
        ),
        (
            vec![
                "compare",
                bridges,
                bridges,
                "--tolerance",
                "length=-1",
                "-o",
                o,
            ],
            "--tolerance",
        ),
        (
            vec!["compare", bridges, bridges, "-o", "/no/such/dir/out.csv"],
            "/no/such/dir/out.csv",
        ),
        (
            vec!["compare", bridges, bridges, "-o", "out.unknown"],
            "--format",
        ),
        (vec!["inspect", "/no/such/file.csv"], "/no/such/file.csv"),
        (vec!["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, needle) in cases {
        let out = concord(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!output.exists(), "{args:?} left an output file");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("bad.csv")]);
}

#[test]
fn ragged_rows_are_accepted_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("ragged.csv");
    std::fs::write(&bad, "a,b\n1,2\n3\n").unwrap();
    let out = concord(&[
        "inspect",
        bad.to_str().unwrap(),
        "--allow-ragged",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"], 2);
    assert!(v["warnings"][0].as_str().unwrap().contains("padded"));
}

#[test]
fn title_lines_above_one_header_are_named_and_skipped_for_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    let plain = dir.path().join("plain.csv");
    std::fs::write(
        &report,
        "Sales report Q3\nExported by finance\nid,amount\n1,10\n2,20\n",
    )
    .unwrap();
    std::fs::write(&plain, "id,amount\n1,10\n2,25\n").unwrap();
    let (report, plain) = (report.to_str().unwrap(), plain.to_str().unwrap());
    let out = concord(&["compare", report, plain, "--key", "id"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("the first 2 lines look like a title above the header")
            && err.contains("pass --skip-lines 2"),
        "{err}"
    );
    let out = concord(&[
        "compare",
        report,
        plain,
        "--key",
        "id",
        "--left-skip-lines",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("20 → 25"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn compressed_files_compare_as_their_plain_text_does() {
    let plain = concord(&[
        "compare",
        &f("daff/bridges.csv"),
        &f("daff/broken_bridges.csv"),
    ]);
    assert_eq!(plain.status.code(), Some(1));
    let body = |out: &std::process::Output| -> String {
        // The two lines naming the files differ; what was found does not.
        text(&out.stdout)
            .lines()
            .skip(2)
            .collect::<Vec<_>>()
            .join("\n")
    };
    for right in [
        "compressed/broken_bridges.csv.zst",
        "compressed/broken_bridges.csv.bz2",
        "compressed/broken_bridges.csv.xz",
        "compressed/broken_bridges-gzipped.csv",
    ] {
        for left in ["compressed/bridges.csv.gz", "compressed/two-members.csv.gz"] {
            let out = concord(&["compare", &f(left), &f(right)]);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{left} {right}: {}",
                text(&out.stderr)
            );
            assert_eq!(body(&out), body(&plain), "{left} {right}");
        }
    }
    let out = concord(&[
        "compare",
        &f("compressed/bridges.csv.gz"),
        &f("daff/broken_bridges.csv"),
    ]);
    let first = text(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        first.contains("gzip"),
        "the file is said to be compressed: {first}"
    );
    // A download cut short is an error naming the file, not a shorter table.
    let out = concord(&[
        "compare",
        &f("compressed/cut-short.csv.gz"),
        &f("daff/bridges.csv"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("cut-short.csv.gz") && err.contains("gzip stream ends early"),
        "{err}"
    );
}

#[test]
fn positional_comparison_says_so_on_stderr() {
    let (l, r) = (f("daff/quote_me.csv"), f("daff/quote_me2.csv"));
    let out = concord(&["compare", &l, &r, "--by-position"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("compared by position, as asked: row N of the left file with row N"),
        "{err}"
    );
    assert!(!err.contains("no key could be suggested"), "{err}");
    assert!(text(&out.stdout).contains("key:   none, rows compared by position"));
    // A key and --by-position contradict each other.
    let out = concord(&["compare", &l, &r, "--by-position", "--key", "this"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_excel_unicode_text_export_matches_its_utf8_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(fixture("csv-align/file_a.csv")).unwrap();
    // Excel's "Unicode Text": UTF-16LE with a byte-order mark, tab-separated, CRLF.
    let tsv = csv.replace(',', "\t").replace('\n', "\r\n");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(tsv.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let path = dir.path().join("file_a.txt");
    std::fs::write(&path, bytes).unwrap();
    let out = concord(&["inspect", path.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["encoding"], "utf-16le");
    assert_eq!(v["delimiter"], "\t");
    assert_eq!(v["columns"][0]["type"], "integer");
    assert_eq!(v["columns"][3]["type"], "decimal");
    let out = concord(&[
        "compare",
        &f("csv-align/file_a.csv"),
        path.to_str().unwrap(),
        "--key",
        "id",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn a_windows_1252_file_matches_its_utf8_twin() {
    let dir = tempfile::tempdir().unwrap();
    let utf8 = dir.path().join("utf8.csv");
    let latin = dir.path().join("latin.csv");
    std::fs::write(&utf8, "id,city\n1,Zürich\n2,São Paulo\n").unwrap();
    std::fs::write(&latin, b"id,city\n1,Z\xFCrich\n2,S\xE3o Paulo\n").unwrap();
    let out = concord(&[
        "compare",
        utf8.to_str().unwrap(),
        latin.to_str().unwrap(),
        "--key",
        "id",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("windows-1252"));
}

#[test]
fn inspect_reports_profiles() {
    let out = concord(&["inspect", &f("qsv/boston311-100.csv"), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["encoding"], "utf-8");
    assert_eq!(v["delimiter"], ",");
    assert_eq!(v["has_header"], true);
    assert_eq!(v["rows"], 100);
    let id = &v["columns"][0];
    assert_eq!(id["name"], "case_enquiry_id");
    assert_eq!(id["type"], "integer");
    assert_eq!(id["unique"], true);
    assert_eq!(v["columns"][1]["type"], "datetime");
    assert_eq!(v["columns"][26]["type"], "decimal");
    let text_out = concord(&["inspect", &f("qsv/boston311-100.csv")]);
    assert!(text(&text_out.stdout).contains("case_enquiry_id"));
}

#[test]
fn duplicate_keys_in_the_waffle_tables_are_reported_not_paired() {
    let out = concord(&[
        "compare",
        &f("daff/waffle.csv"),
        &f("daff/waffle2.csv"),
        "--key",
        "id",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["summary"]["duplicate_keys_left"].as_u64().unwrap() > 0);
    let dups: Vec<_> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "duplicate")
        .collect();
    assert!(!dups.is_empty());
    assert!(dups
        .iter()
        .all(|r| r["changes"].as_array().unwrap().is_empty()));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn suggest_prints_mappings_and_keys() {
    let out = concord(&[
        "suggest",
        &f("csv-align/file_a.csv"),
        &f("csv-align/file_b.csv"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pairs: Vec<(String, String)> = v["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["left"].as_str().unwrap().into(),
                m["right"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        pairs.contains(&("name".into(), "full_name".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("email".into(), "email_address".into())),
        "{pairs:?}"
    );
    for m in v["mappings"].as_array().unwrap() {
        let score = m["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        assert!(!m["reason"].as_str().unwrap().is_empty());
    }
    assert_eq!(v["unmapped_left"], serde_json::json!(["amount"]));
    assert_eq!(v["unmapped_right"], serde_json::json!(["value"]));
    let key = &v["keys"][0];
    assert_eq!(key["left"], serde_json::json!(["id"]));
    assert_eq!(key["right"], serde_json::json!(["id"]));
    assert_eq!(key["unique_left"], 1.0);
    assert_eq!(key["unique_right"], 1.0);
    assert_eq!(key["overlap"], 0.75);
    let plain = concord(&[
        "suggest",
        &f("csv-align/file_a.csv"),
        &f("csv-align/file_b.csv"),
    ]);
    assert!(
        text(&plain.stdout).contains("name   =  full_name"),
        "{}",
        text(&plain.stdout)
    );
}

#[test]
fn compare_without_a_key_uses_a_confident_suggestion_and_says_so() {
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut v = vec![
            "compare".to_string(),
            f("qsv/boston311-100.csv"),
            f("qsv/boston311-100-diff.csv"),
            "--format".into(),
            "json".into(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        concord(&a)
    };
    let auto = run(args(&[]));
    assert!(
        text(&auto.stderr).contains("using the suggested key case_enquiry_id"),
        "{}",
        text(&auto.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&auto.stdout).unwrap();
    assert_eq!(
        v["suggested"]["key"]["left"],
        serde_json::json!(["case_enquiry_id"])
    );
    assert_eq!(
        v["keys"],
        serde_json::json!([["case_enquiry_id", "case_enquiry_id"]])
    );
    let explicit: serde_json::Value =
        serde_json::from_slice(&run(args(&["--key", "case_enquiry_id"])).stdout).unwrap();
    assert_eq!(v["summary"], explicit["summary"]);
    assert_eq!(explicit["suggested"]["key"], serde_json::Value::Null);
    let off: serde_json::Value =
        serde_json::from_slice(&run(args(&["--no-suggest"])).stdout).unwrap();
    assert_eq!(off["mode"], "content");
    assert_eq!(off["suggested"], serde_json::Value::Null);
}

#[test]
fn compare_without_a_usable_key_pairs_rows_by_content() {
    // The daff "quote_me" sheets have no column that identifies a row.
    let out = concord(&[
        "compare",
        &f("daff/quote_me.csv"),
        &f("daff/quote_me2.csv"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["mode"], "content");
    let err = text(&out.stderr);
    assert!(err.contains("no key could be suggested"), "{err}");
    assert!(err.contains("rows were paired by their content"), "{err}");
}

/// `concord compare LEFT RIGHT --key id --format json EXTRA...`, parsed.
fn keyed_json(left: &str, right: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["compare", left, right, "--key", "id", "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_slice(&concord(&args).stdout).unwrap()
}

#[test]
fn per_column_rules_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let left = dir.path().join("l.csv");
    let right = dir.path().join("r.csv");
    std::fs::write(
        &left,
        "id,name,city,when,note\n A1 ,Ann,Oslo,2024-01-05,NULL\nb2,Bob,Rome,2024-02-01,x\n",
    )
    .unwrap();
    std::fs::write(
        &right,
        "id,name,city,when,note\na1,ann,Oslo ,05/01/2024,\nB2,Bob,rome,01/02/2024,x\n",
    )
    .unwrap();
    let (l, r) = (left.to_str().unwrap(), right.to_str().unwrap());
    let run = |extra: &[&str]| keyed_json(l, r, extra);
    // Keys differ in case and spaces: without rules nothing matches.
    assert_eq!(run(&[])["summary"]["matched"], 0);
    let v = run(&[
        "--trim=id",
        "--ignore-case=id",
        "--trim=city",
        "--ignore-case=name",
        "--date-format",
        "when=%d/%m/%Y",
        "--null-token",
        "NULL",
    ]);
    assert_eq!(v["summary"]["matched"], 2, "{v}");
    // city: "Rome" vs "rome" still differs, as case is ignored only for name and id.
    let changed: Vec<&str> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["column"].as_str().unwrap())
        })
        .collect();
    assert_eq!(changed, vec!["city"], "{v}");
    let all = run(&[
        "--trim",
        "--ignore-case",
        "--date-format",
        "%d/%m/%Y",
        "--null-token",
        "NULL",
    ]);
    assert_eq!(all["summary"]["identical"], 2, "{all}");
}

#[test]
fn decimal_commas_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let left = dir.path().join("l.csv");
    let right = dir.path().join("r.csv");
    std::fs::write(&left, "id;betrag;menge\n1;1.234,50;2\n2;10,5;3\n").unwrap();
    std::fs::write(&right, "id;betrag;menge\n1;1234,5;2\n2;10,75;3\n").unwrap();
    let (l, r) = (left.to_str().unwrap(), right.to_str().unwrap());
    let run = |extra: &[&str]| keyed_json(l, r, extra);
    assert_eq!(run(&["--no-infer"])["summary"]["changed"], 2);
    let v = run(&["--decimal-comma"]);
    assert_eq!(v["summary"]["changed"], 1, "{v}");
    assert_eq!(v["columns"][0]["max_difference"], 0.25);
    assert_eq!(run(&["--decimal-comma=betrag"])["summary"]["changed"], 1);
    // The values show it: inferred, applied and said.
    let v = run(&[]);
    assert_eq!(v["summary"]["changed"], 1, "{v}");
    assert_eq!(v["suggested"]["rules"][0]["kind"], "decimal_comma");
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("reading decimal commas in 'betrag' in both files"),
        "{v}"
    );
}

#[test]
fn decimal_commas_in_one_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let left = dir.path().join("l.csv");
    let right = dir.path().join("r.csv");
    // `1.234` on the left is one and a bit; on the right, 1,234 is too.
    std::fs::write(&left, "id,x\n1,1.234\n2,1234.5\n3,NA\n").unwrap();
    std::fs::write(&right, "id;x\n1;1,234\n2;1.234,5\n3;\n").unwrap();
    let (l, r) = (left.to_str().unwrap(), right.to_str().unwrap());
    let run = |extra: &[&str]| keyed_json(l, r, extra);
    let v = run(&[]);
    assert_eq!(v["summary"]["changed"], 0, "{v}");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("reading decimal commas in 'x' in the right file"),
        "{notes}"
    );
    assert!(
        notes.contains("reading 'NA' as no value in 'x' in the left file"),
        "{notes}"
    );
    // Said on the command line instead.
    let v = run(&[
        "--no-infer",
        "--decimal-comma-side",
        "right",
        "--null-token",
        "NA",
    ]);
    assert_eq!(v["summary"]["changed"], 0, "{v}");
    // Both files read with decimal commas, `1.234` on the left is 1234.
    let v = run(&["--no-infer", "--decimal-comma", "--null-token", "NA"]);
    assert_eq!(v["summary"]["changed"], 1, "{v}");
}

#[test]
fn files_over_the_memory_limit_are_compared_on_disk_with_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let (mut left, mut right) = (
        String::from("id,name,amount\n"),
        String::from("id,name,amount\n"),
    );
    for i in 0..40_000u32 {
        left.push_str(&format!("{i},\"name\n{i}\",{}.5\n", i % 97));
        if i % 11 != 0 {
            let amount = if i % 13 == 0 { i % 89 } else { i % 97 };
            right.push_str(&format!("{i},\"name\n{i}\",{amount}.5\n"));
        }
    }
    right.push_str("40001,new,1\n");
    let (l, r) = (dir.path().join("l.csv"), dir.path().join("r.csv"));
    std::fs::write(&l, left).unwrap();
    std::fs::write(&r, right).unwrap();
    let (l, r) = (l.to_str().unwrap(), r.to_str().unwrap());
    let spill = dir.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    let compare = ["compare", l, r, "--key", "id", "--format", "csv"];
    let whole = concord(&compare);
    let parts = concord(
        &[
            &compare[..],
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
    let said = text(&parts.stderr);
    assert!(
        said.contains("do not fit the memory limit (1 MiB)"),
        "{said}"
    );
    assert!(!text(&whole.stderr).contains("memory limit"));
    // Not assert_eq: thousands of lines would bury the message.
    assert!(parts.stdout == whole.stdout, "the outputs differ");
    assert!(text(&whole.stdout).lines().count() > 3000);
    assert_eq!(
        std::fs::read_dir(&spill).unwrap().count(),
        0,
        "spill files left"
    );
    // Compressed, the files are decompressed a piece at a time: the same
    // output (the CSV export names no file).
    let packed = |p: &str, tool: &str| {
        let out = std::process::Command::new(tool)
            .args(["-k", "-q", p])
            .status();
        assert!(out.unwrap().success(), "{tool} ran");
    };
    packed(l, "gzip");
    packed(r, "zstd");
    let (lz, rz) = (format!("{l}.gz"), format!("{r}.zst"));
    let compare_packed = ["compare", &lz, &rz, "--key", "id", "--format", "csv"];
    let limit = [
        "--memory-limit",
        "1M",
        "--spill-dir",
        spill.to_str().unwrap(),
    ];
    let parts = concord(&[&compare_packed[..], &limit[..]].concat());
    assert_eq!(parts.status.code(), Some(1), "{}", text(&parts.stderr));
    assert!(
        text(&parts.stderr).contains("do not fit the memory limit"),
        "{}",
        text(&parts.stderr)
    );
    assert!(
        parts.stdout == whole.stdout,
        "the compressed outputs differ"
    );

    // Saved as a session, the files are kept in tables on disk, and the
    // session compares them in partitions: the same output.
    let data = dir.path().join("data");
    let saved = concord(
        &[
            &["--data-dir", data.to_str().unwrap()][..],
            &compare,
            &["--memory-limit", "1M", "--save"],
        ]
        .concat(),
    );
    assert_eq!(saved.status.code(), Some(1), "{}", text(&saved.stderr));
    let said = text(&saved.stderr);
    assert!(
        said.contains(
            "l.csv is larger than a third of the memory limit (1 MiB): its table is kept on disk"
        ),
        "{said}"
    );
    assert!(said.contains("partitions on disk"), "{said}");
    assert!(
        saved.stdout == whole.stdout,
        "the saved session's output differs"
    );

    let bad = concord(&["compare", l, r, "--memory-limit", "lots"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("'lots' is not a size"),
        "{}",
        text(&bad.stderr)
    );
}

/// The command line maps its inputs; a file cut short by another program
/// while it is mapped makes reading its lost pages fault. That must end in
/// Concord's own error naming the file, not a bare "Bus error".
#[test]
fn a_file_cut_short_while_mapped_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shrinking.csv");
    let mut csv = String::from("id,value\n");
    for i in 0..20_000 {
        csv.push_str(&format!("{i},value number {i}\n"));
    }
    std::fs::write(&path, &csv).unwrap();
    let out = concord(&["debug-cut-short", path.to_str().unwrap()]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("shrinking.csv was cut short by another program"),
        "{err}"
    );
    assert!(!err.contains("read "), "the lost page was not read: {err}");
}

#[test]
fn json_lines_files_over_the_memory_limit_are_compared_on_disk_with_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let (mut left, mut right) = (String::new(), String::new());
    for i in 0..30_000u32 {
        left.push_str(&format!(
            "{{\"id\": {i}, \"name\": \"name {i}\", \"amount\": {}.5}}\n",
            i % 97
        ));
        if i % 11 != 0 {
            let amount = if i % 13 == 0 { i % 89 } else { i % 97 };
            right.push_str(&format!(
                "{{\"amount\": {amount}.5, \"id\": {i}, \"name\": \"name {i}\"}}\n"
            ));
        }
    }
    let (l, r) = (dir.path().join("l.jsonl"), dir.path().join("r.jsonl"));
    std::fs::write(&l, left).unwrap();
    std::fs::write(&r, right).unwrap();
    let (l, r) = (l.to_str().unwrap(), r.to_str().unwrap());
    let compare = ["compare", l, r, "--key", "id", "--format", "csv"];
    let whole = concord(&compare);
    assert_eq!(whole.status.code(), Some(1), "{}", text(&whole.stderr));
    let parts = concord(&[&compare[..], &["--memory-limit", "1M"]].concat());
    assert_eq!(parts.status.code(), Some(1), "{}", text(&parts.stderr));
    assert!(
        text(&parts.stderr).contains("do not fit the memory limit"),
        "{}",
        text(&parts.stderr)
    );
    assert!(parts.stdout == whole.stdout, "the outputs differ");
    assert!(text(&whole.stdout).lines().count() > 3000);
}

#[test]
fn an_export_named_without_a_folder_lands_in_the_working_folder() {
    // Its folder is synced after the rename: `.` for a bare file name.
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_concord"))
        .current_dir(dir.path())
        .args([
            "compare",
            &f("daff/bridges.csv"),
            &f("daff/broken_bridges.csv"),
            "--key",
            "bridge",
            "--output",
            "diff.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let body = std::fs::read_to_string(dir.path().join("diff.csv")).unwrap();
    assert!(body.starts_with("status,bridge"), "{body}");
}
