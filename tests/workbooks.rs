//! Workbooks as inputs, written by the programs people use (openpyxl,
//! xlsxwriter, LibreOffice; see tests/fixtures/workbooks/make.py), read
//! through the command line as a user would.
//!
//! - `people-1904.xlsx` (openpyxl, 1904 date system) and LibreOffice's
//!   `.xls` and `.ods` of it, with the CSV file LibreOffice saved from it;
//! - `people.xlsx` (openpyxl): an empty "Cover" sheet first, the table on
//!   "Data" with a formula saved without its value, a second table on
//!   "More";
//! - `people-changed.xlsx` (xlsxwriter): Bob's amount 20 -> 25, Cy (id 3)
//!   gone, Ed (id 5) added with 0.1 + 0.2 and an #N/A error; a "Summary"
//!   sheet with a merged title row;
//! - `locked.xlsx` (password "secret") and `cut-short.xlsx` (half a file).

mod common;

use common::{concord, text};
use serde_json::Value;
use std::path::PathBuf;

fn book(name: &str) -> String {
    let p: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "workbooks",
        name,
    ]
    .iter()
    .collect();
    p.to_str().unwrap().to_string()
}

fn json(args: &[&str]) -> Value {
    let out = concord(args);
    assert!(out.status.code() != Some(2), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_workbook_and_the_csv_saved_from_it_compare_as_identical() {
    let csv = book("people-1904.csv");
    // LibreOffice's .ods keeps booleans as the numbers 1 and 0 with the
    // formulas TRUE() and FALSE(), which it shows as TRUE and FALSE.
    for wb in ["people-1904.xlsx", "people-1904.xls", "people-1904.ods"] {
        let out = concord(&["compare", &csv, &book(wb), "--key", "id"]);
        assert_eq!(out.status.code(), Some(0), "{wb}: {}", text(&out.stdout));
    }
    let v = json(&["inspect", &book("people-1904.ods"), "--format", "json"]);
    let active = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "active")
        .unwrap();
    assert_eq!(active["samples"], serde_json::json!(["TRUE", "FALSE"]));
}

#[test]
fn cells_read_as_a_spreadsheet_shows_them() {
    let v = json(&["inspect", &book("people-1904.xlsx"), "--format", "json"]);
    assert_eq!(
        (v["format"].as_str(), v["sheet"].as_str()),
        (Some("workbook"), Some("Data"))
    );
    let samples = |name: &str| -> Vec<String> {
        let col = v["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        col["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(samples("joined")[0], "2024-03-01", "1904 dates");
    assert!(samples("ratio").contains(&"0.333333333333333".to_string()));
    assert_eq!(samples("active"), ["TRUE", "FALSE"]);
    let changed = json(&["inspect", &book("people-changed.xlsx"), "--format", "json"]);
    let col = |name: &str| {
        changed["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    assert!(
        col("amount")["samples"]
            .as_array()
            .unwrap()
            .contains(&Value::from("0.3")),
        "0.1 + 0.2 reads 0.3"
    );
    assert!(col("ratio")["samples"]
        .as_array()
        .unwrap()
        .contains(&Value::from("#N/A")));
}

#[test]
fn the_first_sheet_with_data_is_read_unless_one_is_named() {
    let v = json(&["inspect", &book("people.xlsx"), "--format", "json"]);
    assert_eq!(v["sheet"], "Data", "the empty cover sheet is passed over");
    let sizes: Vec<(String, u64, u64)> = v["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().into(),
                s["rows"].as_u64().unwrap(),
                s["columns"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        [
            ("Cover".into(), 0, 0),
            ("Data".into(), 5, 7),
            ("More".into(), 2, 2)
        ]
    );
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("1 formula was saved without a value"),
        "{warnings}"
    );
    for wanted in ["More", "more", "3"] {
        let v = json(&[
            "inspect",
            &book("people.xlsx"),
            "--sheet",
            wanted,
            "--format",
            "json",
        ]);
        assert_eq!(v["sheet"], "More", "--sheet {wanted}");
    }
    let out = concord(&["inspect", &book("people.xlsx"), "--sheet", "Nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("has no sheet 'Nope' (its sheets: Cover, Data, More)"));
    let out = concord(&["inspect", &book("people.xlsx"), "--sheet", "Cover"]);
    assert!(
        text(&out.stderr).contains("sheet 'Cover' is empty"),
        "{}",
        text(&out.stderr)
    );
    // A merged title row is named, and skipped on request.
    let v = json(&[
        "inspect",
        &book("people-changed.xlsx"),
        "--sheet",
        "Summary",
        "--format",
        "json",
    ]);
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("1 merged range") && warnings.contains("looks like a title"),
        "{warnings}"
    );
    let v = json(&[
        "inspect",
        &book("people-changed.xlsx"),
        "--sheet",
        "Summary",
        "--skip-lines",
        "1",
        "--format",
        "json",
    ]);
    let names: Vec<&str> = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["month", "total"]);
}

#[test]
fn two_workbooks_compare_by_key_and_a_csv_against_a_workbook_by_value() {
    let out = concord(&[
        "compare",
        &book("people.xlsx"),
        &book("people-changed.xlsx"),
        "--key",
        "id",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["summary"];
    assert_eq!(
        (
            s["changed"].as_u64(),
            s["only_left"].as_u64(),
            s["only_right"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    // `10.50` in a CSV file is the number 10.5 in the workbook.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    let text_of = std::fs::read_to_string(book("people-1904.csv"))
        .unwrap()
        .replace(",10.5,", ",10.50,");
    assert!(text_of.contains("10.50"));
    std::fs::write(&csv, text_of).unwrap();
    let out = concord(&[
        "compare",
        csv.to_str().unwrap(),
        &book("people-1904.xlsx"),
        "--key",
        "id",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // One side's sheet named for that side only.
    let out = concord(&[
        "compare",
        &book("people.xlsx"),
        &book("people.xlsx"),
        "--right-sheet",
        "More",
    ]);
    assert!(
        text(&out.stdout).contains("sheet 'More'"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn concords_own_xlsx_export_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("differences.xlsx");
    let out = concord(&[
        "compare",
        &book("people.xlsx"),
        &book("people-changed.xlsx"),
        "--key",
        "id",
        "--format",
        "xlsx",
        "--output",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v = json(&[
        "inspect",
        out_path.to_str().unwrap(),
        "--sheet",
        "Differences",
        "--format",
        "json",
    ]);
    assert_eq!(v["rows"], 3, "{v}");
    assert_eq!(v["columns"][0]["name"], "status");
}

#[test]
fn a_locked_or_damaged_workbook_is_a_clear_error() {
    for (name, says) in [
        ("locked.xlsx", "is protected by a password"),
        ("cut-short.xlsx", "is damaged or cut short"),
    ] {
        let out = concord(&["compare", &book(name), &book("people.xlsx")]);
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(err.contains(name) && err.contains(says), "{err}");
    }
}
