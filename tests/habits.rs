//! The files and habits of real users, through the `concord` binary: codes
//! with leading zeros, null tokens, exact numbers, Excel's `sep=` line,
//! headers made of years, small damaged UTF-8, repeated column names, empty
//! keys, mistyped column names, positional rows and shared reports.

mod common;

use common::{concord, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Writes `files` (name, bytes) into a new temporary folder.
fn files(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let paths = files
        .iter()
        .map(|(name, bytes)| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect();
    (dir, paths)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `concord compare LEFT RIGHT ARGS...` on two texts.
fn compare(left: &str, right: &str, args: &[&str]) -> Output {
    let (_dir, p) = files(&[
        ("left.csv", left.as_bytes()),
        ("right.csv", right.as_bytes()),
    ]);
    let mut all = vec!["compare", s(&p[0]), s(&p[1])];
    all.extend_from_slice(args);
    concord(&all)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)))
}

#[test]
fn codes_keep_their_leading_zeros() {
    let out = compare(
        "id,zip,account\n1,02134,007\n2,10001,12\n",
        "id,zip,account\n1,2134,7\n2,10001,12\n",
        &["--key", "id", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["summary"]["changed"], 1);
    let changes = v["rows"][0]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["left"], "02134");
    // Zero and fractions below one are still numbers.
    let out = compare(
        "id,v\n1,0\n2,0.5\n3,-0.25\n",
        "id,v\n1,0.0\n2,.50\n3,-0.250\n",
        &["--key", "id"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn null_tokens_leave_numeric_columns_numeric() {
    let out = compare(
        "id,amount\n1,1.50\n2,NULL\n3,7\n",
        "id,amount\n1,1.5\n2,NULL\n3,7.00\n",
        &["--key", "id", "--null-token", "NULL"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // Per column too, adding to the global tokens.
    let out = compare(
        "id,amount,note\n1,1.50,N/A\n2,-,x\n",
        "id,amount,note\n1,1.5,\n2,,x\n",
        &[
            "--key",
            "id",
            "--null-token",
            "N/A",
            "--null-token",
            "amount=-",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // And profiles count them as nulls.
    let (_dir, p) = files(&[("n.csv", b"amount\n1.5\nNULL\n2\n")]);
    let out = concord(&[
        "inspect",
        s(&p[0]),
        "--format",
        "json",
        "--null-token",
        "NULL",
    ]);
    let v = json(&out);
    assert_eq!(v["columns"][0]["type"], "decimal");
    assert_eq!(v["columns"][0]["nulls"], 1);
}

#[test]
fn numbers_compare_exactly() {
    let big = compare(
        "id,v\n1,12345678901234567890\n2,9007199254740993\n",
        "id,v\n1,12345678901234567891\n2,9007199254740994\n",
        &["--key", "id", "--format", "json"],
    );
    assert_eq!(json(&big)["summary"]["changed"], 2);
    let big_tol = compare(
        "id,v\n1,12345678901234567890\n",
        "id,v\n1,12345678901234567892\n",
        &["--key", "id", "--tolerance", "v=1.5"],
    );
    assert_eq!(big_tol.status.code(), Some(1));
    let boundary = compare(
        "id,v\n1,0.30\n2,10.00\n3,123456789.10\n",
        "id,v\n1,0.31\n2,10.01\n3,123456789.11\n",
        &["--key", "id", "--tolerance", "0.01"],
    );
    assert_eq!(
        boundary.status.code(),
        Some(0),
        "{}",
        text(&boundary.stdout)
    );
    let huge = compare(
        "id,v\n1,1e400\n2,1e-400\n3,1e300\n",
        "id,v\n1,2e400\n2,0\n3,3e300\n",
        &["--key", "id"],
    );
    assert_eq!(huge.status.code(), Some(1));
    let report = text(&huge.stdout);
    let changed = report
        .lines()
        .find(|l| l.trim_start().starts_with("changed"));
    assert_eq!(
        changed.map(|l| l.split_whitespace().last()),
        Some(Some("3")),
        "{report}"
    );
    assert!(
        report.contains("largest difference more than 1.8e308"),
        "{report}"
    );
    let readable = compare("id,v\n1,1e300\n", "id,v\n1,3e300\n", &["--key", "id"]);
    assert!(
        text(&readable.stdout).contains("largest difference 2e300"),
        "{}",
        text(&readable.stdout)
    );
}

#[test]
fn reading_real_exports() {
    // Headers of years, and a pandas index with a blank name.
    let out = compare(
        "id,name,2022,2023\n1,a,10,20\n2,b,11,21\n",
        "id,name,2022,2023\n1,a,10,20\n2,b,11,22\n",
        &["--key", "id", "--format", "json"],
    );
    let v = json(&out);
    assert_eq!(
        v["left"]["columns"],
        serde_json::json!(["id", "name", "2022", "2023"])
    );
    assert_eq!(v["summary"]["changed"], 1);
    let (_dir, p) = files(&[
        ("pandas.csv", b",name,amount\n0,a,1.5\n1,b,2.5\n"),
        ("excel.csv", b"sep=;\r\nid;amount\r\n1;2,5\r\n"),
        ("damaged.csv", b"name\nJos\xC3\xA9\nRen\xC3\xA9e \xFF\n"),
        ("repeated.csv", b"name,name,name_2\n1,2,3\n"),
    ]);
    let inspect = |p: &Path| json(&concord(&["inspect", s(p), "--format", "json"]));
    let pandas = inspect(&p[0]);
    assert_eq!(pandas["has_header"], true);
    assert_eq!(pandas["rows"], 2);
    let excel = inspect(&p[1]);
    assert_eq!(excel["delimiter"], ";");
    assert_eq!(excel["rows"], 1);
    assert_eq!(excel["columns"][1]["name"], "amount");
    let damaged = inspect(&p[2]);
    assert_eq!(damaged["encoding"], "utf-8");
    assert_eq!(damaged["columns"][0]["samples"][0], "José");
    let repeated = inspect(&p[3]);
    let names: Vec<&str> = repeated["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["name", "name_3", "name_2"]);
}

#[test]
fn empty_keys_never_pair_in_any_format() {
    let left = "id,v\n,1\nNULL,2\n7,3\n";
    let right = "id,v\n,1\nNULL,2\n7,3\n";
    let args = ["--key", "id", "--null-token", "NULL"];
    let v = json(&compare(
        left,
        right,
        &[&args[..], &["--format", "json"]].concat(),
    ));
    assert_eq!(v["summary"]["only_left"], 2);
    assert_eq!(v["summary"]["only_right"], 2);
    assert_eq!(v["summary"]["matched"], 1);
    let note = "2 left rows and 2 right rows have an empty key";
    assert!(
        v["notes"][0].as_str().unwrap().contains(note),
        "{}",
        v["notes"]
    );
    let out = compare(left, right, &args);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains(note));
    assert!(text(&out.stderr).contains(note));
    let csv = text(&compare(left, right, &[&args[..], &["--format", "csv"]].concat()).stdout);
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("only_")).count(),
        4,
        "{csv}"
    );
    let html = text(&compare(left, right, &[&args[..], &["--format", "html"]].concat()).stdout);
    assert!(html.contains(note), "{html}");
    let (dir, p) = files(&[("l.csv", left.as_bytes()), ("r.csv", right.as_bytes())]);
    let book = dir.path().join("diff.xlsx");
    let out = concord(
        &[
            &["compare", s(&p[0]), s(&p[1]), "--output", s(&book)][..],
            &args,
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&book).unwrap()).unwrap();
    let mut strings = String::new();
    use std::io::Read;
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    assert!(strings.contains(note), "{strings}");
}

#[test]
fn every_option_that_names_a_column_is_checked() {
    let (l, r) = ("id,amount\n1,2\n", "id,amt\n1,2\n");
    for bad in [
        &["--ignore", "nosuch"][..],
        &["--map", "nosuch=amt"],
        &["--date-format", "nosuch=%d/%m/%Y"],
        &["--trim=nosuch"],
        &["--ignore-case=nosuch"],
        &["--null-token", "nosuch=NULL"],
        &["--tolerance", "nosuch=1"],
        &["--rel-tolerance", "nosuch=0.1"],
        &["--decimal-comma=nosuch"],
    ] {
        let out = compare(l, r, &[&["--key", "id"][..], bad].concat());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {err}");
        assert!(
            err.contains("'nosuch'") && err.contains("id, amount"),
            "{bad:?}: {err}"
        );
    }
    let out = compare(l, r, &["--key", "id", "--date-format", "%Q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("'%Q' is not a valid date format"));
}

#[test]
fn positional_rows_carry_their_number() {
    let out = compare(
        "a,b\n1,x\n2,y\n",
        "a,b\n1,x\n2,z\n",
        &["--by-position", "--format", "json"],
    );
    let v = json(&out);
    assert_eq!(v["mode"], "positional");
    assert_eq!(v["rows"][0]["row"], 2);
}

#[cfg(unix)]
#[test]
fn reports_are_readable_by_others_like_any_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, p) = files(&[("l.csv", b"id,v\n1,2\n"), ("r.csv", b"id,v\n1,3\n")]);
    for ext in ["csv", "html", "json", "xlsx"] {
        let out_path = dir.path().join(format!("report.{ext}"));
        let run = Command::new("sh")
            .arg("-c")
            .arg("umask 022 && exec \"$0\" compare \"$1\" \"$2\" --key id --output \"$3\"")
            .arg(env!("CARGO_BIN_EXE_concord"))
            .args([&p[0], &p[1], &out_path])
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
        let mode = std::fs::metadata(&out_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{ext}");
    }
}

#[test]
fn html_counts_have_thousands_separators() {
    let mut left = String::from("id,v\n");
    let mut right = String::from("id,v\n");
    for i in 0..1500 {
        left.push_str(&format!("{i},{i}\n"));
        right.push_str(&format!("{i},{}\n", i + 1));
    }
    let html = text(&compare(&left, &right, &["--key", "id", "--format", "html"]).stdout);
    assert!(html.contains("<b>1,500</b>changed"), "{}", &html[..2000]);
}

#[test]
fn saved_sessions_take_files_in_any_encoding() {
    // Windows-1252 (é as one byte) and UTF-16 (Excel's "Unicode Text"):
    // both are converted on reading, so the stored copy and the parsed
    // text differ in size, which must not matter.
    let latin: &[u8] = b"id,name\n1,Caf\xE9\n2,Th\xE9\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "id,name\n1,Café\n2,Tea\n"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    let (dir, p) = files(&[("latin.csv", latin), ("unicode.txt", &utf16)]);
    let data = dir.path().join("data");
    let out = concord(&[
        "--data-dir",
        s(&data),
        "compare",
        s(&p[0]),
        s(&p[1]),
        "--key",
        "id",
        "--save",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["summary"]["changed"], 1);
    assert_eq!(v["rows"][0]["changes"][0]["left"], "Thé");
    assert!(text(&out.stderr).contains("saved as session"));
}
