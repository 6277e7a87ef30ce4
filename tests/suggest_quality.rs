//! Precision and recall of column mapping suggestions, and top-1 key
//! accuracy, on the labeled pairs in tests/suggest/cases (made by
//! tests/suggest/make_cases.py). Run with `-- --nocapture` to see the figures.

use concord::suggest::suggest;
use concord::{load_path, Control, LoadOptions};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(serde::Deserialize)]
struct Expected {
    mappings: Vec<(String, String)>,
    key: ExpectedKey,
}

#[derive(serde::Deserialize)]
struct ExpectedKey {
    left: Vec<String>,
    right: Vec<String>,
}

#[test]
fn suggestions_meet_the_quality_targets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suggest/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "the labeled set needs at least 20 pairs");
    let (mut tp, mut fp, mut missed, mut keys_right) = (0usize, 0usize, 0usize, 0usize);
    for case in &cases {
        let load = |f: &str| {
            load_path(&case.join(f), &LoadOptions::default(), Control::default()).unwrap()
        };
        let (left, right) = (load("left.csv"), load("right.csv"));
        let expected: Expected =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
        let s = suggest(&left, &right, concord::Control::default()).unwrap();
        let got: BTreeSet<(String, String)> = s
            .mappings
            .iter()
            .map(|m| (m.left.clone(), m.right.clone()))
            .collect();
        let want: BTreeSet<(String, String)> = expected.mappings.into_iter().collect();
        let name = case.file_name().unwrap().to_string_lossy();
        for wrong in got.difference(&want) {
            println!("{name}: wrong mapping {wrong:?}");
        }
        for lost in want.difference(&got) {
            println!("{name}: missed mapping {lost:?}");
        }
        tp += got.intersection(&want).count();
        fp += got.difference(&want).count();
        missed += want.difference(&got).count();
        let key_ok = s.keys.first().is_some_and(|k| {
            let mut pairs: Vec<_> = k.left.iter().zip(&k.right).collect();
            let mut want: Vec<_> = expected.key.left.iter().zip(&expected.key.right).collect();
            pairs.sort();
            want.sort();
            pairs == want
        });
        if key_ok {
            keys_right += 1;
        } else {
            println!(
                "{name}: top key {:?}, expected {:?} = {:?}",
                s.keys.first(),
                expected.key.left,
                expected.key.right
            );
        }
    }
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + missed) as f64;
    let key_accuracy = keys_right as f64 / cases.len() as f64;
    println!(
        "{} pairs: mapping precision {precision:.3}, recall {recall:.3} ({tp} right, {fp} wrong, {missed} missed); top-1 key {keys_right}/{} = {key_accuracy:.3}",
        cases.len(),
        cases.len()
    );
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.9, "recall {recall:.3}");
    assert!(key_accuracy >= 0.9, "top-1 key accuracy {key_accuracy:.3}");
}
