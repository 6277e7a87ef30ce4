//! Right on real exports, given only the two files.
//!
//! Each case in `tests/realdata/cases` is a pair cut from a public data set
//! with its truth made by construction (`tests/realdata/make_cases.py`):
//! the rows changed, removed and added on the right, and the columns the
//! right file lacks. Concord is run as a newcomer runs it, with no flag:
//! `concord compare LEFT RIGHT --format json`. A right answer has the
//! truth's counts and exit status 1.
//!
//! A case marked `pending` needs a part of the work not built yet (named in
//! the mark). It must still come out wrong: when it comes out right, the
//! mark goes, so that the figures printed here stay true.

mod common;

use common::{concord, text};
use serde_json::Value;
use std::path::Path;

/// Whether Concord's answer for one case matches its truth; the reason if not.
fn check(case: &Path, truth: &Value) -> Result<(), String> {
    let (l, r) = (case.join("left.csv"), case.join("right.csv"));
    let out = concord(&[
        "compare",
        l.to_str().unwrap(),
        r.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("no JSON ({e}); stderr: {}", text(&out.stderr)))?;
    let summary = &json["summary"];
    let mut wrong = Vec::new();
    for field in ["changed", "only_left", "only_right"] {
        if summary[field] != truth[field] {
            wrong.push(format!(
                "{field} {} (truth {})",
                summary[field], truth[field]
            ));
        }
    }
    for field in ["duplicate_keys_left", "duplicate_keys_right"] {
        if summary[field] != 0 {
            wrong.push(format!("{field} {} (truth 0)", summary[field]));
        }
    }
    let dropped = truth["columns_only_left"].as_u64().unwrap_or(0);
    let listed = json["left_only_columns"].as_array().map_or(0, Vec::len) as u64;
    if listed != dropped {
        wrong.push(format!("{listed} left-only columns (truth {dropped})"));
    }
    if out.status.code() != Some(1) {
        wrong.push(format!("exit status {:?} (truth 1)", out.status.code()));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("{}; key used {}", wrong.join(", "), json["keys"]))
    }
}

#[test]
fn real_exports_are_compared_right_given_only_the_two_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realdata/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 8,
        "the real-data set has {} cases",
        cases.len()
    );
    let (mut right, mut surprises) = (0, Vec::new());
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let truth: Value =
            serde_json::from_slice(&std::fs::read(case.join("truth.json")).unwrap()).unwrap();
        let pending = truth["pending"].as_str();
        match (check(case, &truth), pending) {
            (Ok(()), None) => {
                right += 1;
                println!("{name}: right");
            }
            (Err(why), Some(part)) => println!("{name}: wrong, pending {part}: {why}"),
            (Err(why), None) => surprises.push(format!("{name}: wrong: {why}")),
            (Ok(()), Some(part)) => surprises.push(format!(
                "{name}: right now: drop its mark 'pending {part}' from truth.json"
            )),
        }
    }
    println!(
        "{right} of {} real-data cases right with no flags",
        cases.len()
    );
    assert!(surprises.is_empty(), "{}", surprises.join("\n"));
}
