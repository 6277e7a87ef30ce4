//! Patches, on the differential test's generated pairs (hard cases
//! included: duplicate and empty keys, null tokens, equal-looking numbers,
//! quoted line breaks): applying the patch of LEFT against RIGHT to LEFT
//! gives RIGHT's content, byte for byte when the comparison reads every
//! text difference as one, RIGHT keeps LEFT's row order and LEFT shows
//! how it quotes; a patch applied a second time is refused.

mod common;

use common::generate::*;
use concord::compare::{compare_as_configured, ColumnPair, CompareConfig, NumericMode};
use concord::export::{self, Format, Report};
use concord::patch::{apply, OnConflict, Patch};
use concord::{load_bytes, load_path, Control, Error, LoadOptions, Table};
use std::collections::HashMap;
use std::path::Path;

fn opts() -> LoadOptions {
    LoadOptions {
        delimiter: Some(b','),
        has_header: Some(true),
        ..LoadOptions::default()
    }
}

/// The patch of `left` against `right` under `cfg`, written to `dir`.
fn patch_of(dir: &Path, left: &str, right: &str, cfg: &CompareConfig) -> Patch {
    let lt = load_bytes("left.csv", left.as_bytes().to_vec(), &opts()).unwrap();
    let rt = load_bytes("right.csv", right.as_bytes().to_vec(), &opts()).unwrap();
    patch_of_tables(dir, &lt, &rt, cfg)
}

/// The patch of two loaded tables, written to `dir` and read back.
fn patch_of_tables(dir: &Path, lt: &Table, rt: &Table, cfg: &CompareConfig) -> Patch {
    let res = compare_as_configured(lt, rt, cfg, Control::default()).unwrap();
    let report = Report {
        left: lt,
        right: rt,
        result: &res,
    };
    let path = dir.join("p.patch.csv");
    export::write_file(report, Format::Patch, &path, Control::default()).unwrap();
    Patch::read(&path).unwrap()
}

/// `patch` applied to the file at `left`: the patched bytes.
fn patched(left: &Path, opts: &LoadOptions, patch: &Patch) -> concord::Result<Vec<u8>> {
    let mut out = Vec::new();
    apply(
        left,
        opts,
        patch,
        OnConflict::Refuse,
        &mut out,
        Control::default(),
    )?;
    Ok(out)
}

/// Rows as the `csv` crate reads them.
fn records(text: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text)
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn seeds() -> u64 {
    std::env::var("CONCORD_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

#[test]
fn a_patch_turns_left_into_right_under_the_comparisons_rules() {
    let dir = tempfile::tempdir().unwrap();
    let left_path = dir.path().join("left.csv");
    let (mut patched_rows, mut conflicts_seen) = (0, 0);
    for seed in 1..=seeds() {
        let mut rng = Rng::for_case(seed);
        let (left_rows, right_rows) = generate(&mut rng, true);
        let tol = TOLERANCES[rng.below(TOLERANCES.len())];
        let (ltext, rtext) = (to_csv(&left_rows), to_csv(&right_rows));
        let cfg = keyed_config(tol);
        std::fs::write(&left_path, &ltext).unwrap();
        let patch = patch_of(dir.path(), &ltext, &rtext, &cfg);
        let applied = patched(&left_path, &opts(), &patch)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\nleft:\n{ltext}\nright:\n{rtext}"));
        patched_rows += patch.lines.len();

        // Compared again, nothing differs but the rows no key can pair
        // (their key is null or not unique), and those are RIGHT's rows.
        let out = load_bytes("out.csv", applied.clone(), &opts()).unwrap();
        let rt = load_bytes("right.csv", rtext.clone().into_bytes(), &opts()).unwrap();
        let again = compare_as_configured(&out, &rt, &cfg, Control::default()).unwrap();
        let s = &again.summary;
        let context = format!(
            "seed {seed}, tolerance {tol:e}\nleft:\n{ltext}\nright:\n{rtext}\nout:\n{}",
            String::from_utf8_lossy(&applied)
        );
        let (got, want) = (records(&applied), records(rtext.as_bytes()));
        let null_keys = |rows: &[Vec<String>]| {
            rows.iter()
                .filter(|r| r[0].is_empty() || r[0] == NULL_TOKEN)
                .count() as u64
        };
        assert_eq!(
            (s.changed, s.only_left, s.only_right),
            (0, null_keys(&got), null_keys(&want)),
            "{context}"
        );
        let unpaired = |rows: &[Vec<String>]| {
            let mut count: HashMap<&str, usize> = HashMap::new();
            for r in rows {
                *count.entry(r[0].as_str()).or_default() += 1;
            }
            let mut rest: Vec<Vec<String>> = rows
                .iter()
                .filter(|r| count[r[0].as_str()] > 1 || r[0].is_empty() || r[0] == NULL_TOKEN)
                .cloned()
                .collect();
            rest.sort();
            rest
        };
        assert_eq!(got.len(), want.len(), "{context}");
        assert_eq!(unpaired(&got), unpaired(&want), "{context}");

        // The same patch again no longer fits.
        if !patch.lines.is_empty() {
            let out_path = dir.path().join("out.csv");
            std::fs::write(&out_path, &applied).unwrap();
            match patched(&out_path, &opts(), &patch) {
                Err(Error::PatchConflict { conflicts, .. }) => {
                    assert!(!conflicts.is_empty());
                    conflicts_seen += 1;
                }
                other => {
                    // Only a patch of removals and additions of rows whose
                    // key is repeated can fit twice.
                    assert!(
                        patch
                            .lines
                            .iter()
                            .all(|l| l.action != concord::patch::Action::Change),
                        "{context}\nthe patch applied twice: {other:?}"
                    );
                }
            }
        }
    }
    let cases = seeds() as usize;
    assert!(
        patched_rows > cases && conflicts_seen > cases / 2,
        "the generator must reach patches: {patched_rows} rows, {conflicts_seen} refusals"
    );
}

#[test]
fn a_patch_gives_right_byte_for_byte_when_every_text_difference_counts() {
    let dir = tempfile::tempdir().unwrap();
    let left_path = dir.path().join("left.csv");
    let mut identical = 0;
    for seed in 1..=seeds() {
        let mut rng = Rng::for_case(seed);
        let (left_rows, right_rows) = generate(&mut rng, false);
        let (ltext, rtext) = (to_csv(&left_rows), to_csv(&right_rows));
        let mut cfg = CompareConfig {
            keys: vec![ColumnPair::new("id", "id")],
            use_suggestions: false,
            infer_rules: false,
            ..CompareConfig::default()
        };
        cfg.rules.numeric = NumericMode::Never;
        std::fs::write(&left_path, &ltext).unwrap();
        let patch = patch_of(dir.path(), &ltext, &rtext, &cfg);
        let applied = patched(&left_path, &opts(), &patch).unwrap();
        // How the file quotes an empty field shows only in a file that
        // has one; a file without rows shows neither that nor its line end.
        let shown = left_rows.iter().flatten().any(String::is_empty);
        // A keyed patch does not move rows: rows whose key the generator
        // changed into another row's can come in another order.
        let order = |rows: &[Vec<String>], other: &[Vec<String>]| -> Vec<String> {
            let once =
                |k: &String, rows: &[Vec<String>]| rows.iter().filter(|r| &r[0] == k).count() == 1;
            rows.iter()
                .map(|r| r[0].clone())
                .filter(|k| once(k, rows) && once(k, other))
                .collect()
        };
        let kept = order(&left_rows, &right_rows) == order(&right_rows, &left_rows);
        if shown && kept {
            assert_eq!(
                String::from_utf8_lossy(&applied),
                rtext,
                "seed {seed}\nleft:\n{ltext}\npatch: {patch:#?}"
            );
            identical += usize::from(!patch.lines.is_empty());
        } else {
            let sorted = |text: &[u8]| {
                let mut r = records(text);
                r.sort();
                r
            };
            assert_eq!(sorted(&applied), sorted(rtext.as_bytes()), "seed {seed}");
        }
    }
    assert!(
        identical as u64 > seeds() / 4,
        "only {identical} patches were checked byte for byte"
    );
}

#[test]
fn untouched_rows_keep_their_bytes_and_new_ones_follow_the_files_dialect() {
    let dir = tempfile::tempdir().unwrap();
    // Semicolons, every field quoted, CRLF, no line end at the end,
    // Windows-1252.
    let left: &[u8] = b"\"id\";\"name\";\"note\"\r\n\"1\";\"Ann\";\"caf\xe9\"\r\n\"2\";\"Bob\";\"\"\r\n\"3\";  \"Cy\" ;\"x\"";
    let right = "id;name;note\n1;Ann;café\n3;  \"Cy\" ;y\n4;Dé;\n";
    let left_path = dir.path().join("left.csv");
    std::fs::write(&left_path, left).unwrap();
    let lt = load_path(&left_path, &LoadOptions::default(), Control::default()).unwrap();
    let rt = load_bytes(
        "right.csv",
        right.as_bytes().to_vec(),
        &LoadOptions::default(),
    )
    .unwrap();
    let cfg = CompareConfig {
        keys: vec![ColumnPair::new("id", "id")],
        use_suggestions: false,
        ..CompareConfig::default()
    };
    let patch = patch_of_tables(dir.path(), &lt, &rt, &cfg);
    let applied = patched(&left_path, &LoadOptions::default(), &patch).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&applied),
        String::from_utf8_lossy(
            b"\"id\";\"name\";\"note\"\r\n\"1\";\"Ann\";\"caf\xe9\"\r\n\"3\";  \"Cy\" ;\"y\"\r\n\"4\";\"D\xe9\";\"\""
        ),
        "row 1 as it was, row 2 removed, row 3's note rewritten in quotes and its odd name kept, \
         row 4 added in quotes, in Windows-1252, with no line end at the end"
    );
}

#[test]
fn rows_paired_by_position_or_content_are_patched_by_their_values_and_places() {
    let dir = tempfile::tempdir().unwrap();
    let left_path = dir.path().join("left.csv");
    for (seed, by_position) in (1..=seeds() / 3).flat_map(|s| [(s, true), (s, false)]) {
        let mut rng = Rng::for_case(seed);
        let (left_rows, right_rows) = generate(&mut rng, true);
        let (ltext, rtext) = (to_csv(&left_rows), to_csv(&right_rows));
        let cfg = CompareConfig {
            by_position,
            use_suggestions: false,
            infer_rules: false,
            rules: concord::Rules {
                numeric: NumericMode::Never,
                ..Default::default()
            },
            ..CompareConfig::default()
        };
        std::fs::write(&left_path, &ltext).unwrap();
        let patch = patch_of(dir.path(), &ltext, &rtext, &cfg);
        assert!(patch.keys.is_empty());
        let applied = patched(&left_path, &opts(), &patch)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\nleft:\n{ltext}\nright:\n{rtext}"));
        let rows = |text: &[u8]| {
            let mut r = records(text);
            if !by_position {
                // Rows paired by content may come in another order.
                r.sort();
            }
            r
        };
        assert_eq!(
            rows(&applied),
            rows(rtext.as_bytes()),
            "seed {seed}, by position {by_position}\nleft:\n{ltext}\nright:\n{rtext}"
        );
    }
}

#[test]
fn the_command_line_writes_a_patch_applies_it_and_refuses_it_twice() {
    use common::{concord, text};
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n).display().to_string();
    std::fs::write(
        path("l.csv"),
        "id,name,amount\r\n1,Ann,10\r\n2,Bob,20\r\n3,\"Cy, Jr\",30\r\n",
    )
    .unwrap();
    std::fs::write(
        path("r.csv"),
        "id,name,amount\r\n1,Ann,11\r\n3,\"Cy, Jr\",30\r\n4,Di,40\r\n",
    )
    .unwrap();
    // The extension alone asks for a patch.
    let out = concord(&[
        "compare",
        &path("l.csv"),
        &path("r.csv"),
        "--key",
        "id",
        "--output",
        &path("p.patch.csv"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let patch = std::fs::read_to_string(path("p.patch.csv")).unwrap();
    assert!(
        patch.starts_with("action,right_row,key:id,changed_columns,before:name,after:name"),
        "{patch}"
    );

    let out = concord(&[
        "apply",
        &path("l.csv"),
        &path("p.patch.csv"),
        "-o",
        &path("out.csv"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("1 rows changed, 1 removed, 1 added"));
    assert_eq!(
        std::fs::read(path("out.csv")).unwrap(),
        std::fs::read(path("r.csv")).unwrap()
    );

    // Applied again, every row is in conflict: refused, nothing written.
    let out = concord(&[
        "apply",
        &path("out.csv"),
        &path("p.patch.csv"),
        "-o",
        &path("again.csv"),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("3 of its rows are in conflict")
            && err.contains("patch line 2: change of key 1"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert!(!dir.path().join("again.csv").exists());

    let out = concord(&[
        "apply",
        &path("out.csv"),
        &path("p.patch.csv"),
        "-o",
        "-",
        "--force",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("skipped patch line 3: remove of key 2"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(out.stdout, std::fs::read(path("r.csv")).unwrap());

    // A file that is not a patch says so.
    let out = concord(&[
        "apply",
        &path("l.csv"),
        &path("r.csv"),
        "-o",
        &path("x.csv"),
    ]);
    assert!(
        text(&out.stderr).contains("is not a Concord patch"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_workbook_is_patched_into_a_csv_file_and_says_so() {
    use common::{concord, text};
    let dir = tempfile::tempdir().unwrap();
    let book = |n: &str| {
        format!(
            "{}/tests/fixtures/workbooks/{n}",
            env!("CARGO_MANIFEST_DIR")
        )
    };
    let patch = dir.path().join("p.patch.csv").display().to_string();
    let out_csv = dir.path().join("out.csv").display().to_string();
    let out = concord(&[
        "compare",
        &book("people.xlsx"),
        &book("people-changed.xlsx"),
        "--key",
        "id",
        "--format",
        "patch",
        "--output",
        &patch,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = concord(&["apply", &book("people.xlsx"), &patch, "-o", &out_csv]);
    assert!(
        text(&out.stderr).contains("sheet 'Data' was patched); the patched file is written as CSV"),
        "{}",
        text(&out.stderr)
    );
    let out = concord(&[
        "compare",
        &out_csv,
        &book("people-changed.xlsx"),
        "--key",
        "id",
        "--ignore",
        "total",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["summary"];
    assert_eq!(
        (
            s["changed"].as_u64(),
            s["only_left"].as_u64(),
            s["only_right"].as_u64()
        ),
        (Some(0), Some(0), Some(0)),
        "{v}"
    );
}

#[test]
fn a_utf16_file_larger_than_a_chunk_stays_utf16_with_one_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let rows = |changed: &str| {
        let mut t = String::from("id,name\r\n");
        for i in 0..200_000 {
            let name = if i == 150_000 { changed } else { "Zoë" };
            t.push_str(&format!("{i},{name}\r\n"));
        }
        t
    };
    let utf16 = |t: &str| {
        let mut b = vec![0xFF, 0xFE];
        b.extend(t.encode_utf16().flat_map(u16::to_le_bytes));
        b
    };
    let (left, right) = (rows("Zoë"), rows("Øyvind"));
    let left_path = dir.path().join("left.csv");
    std::fs::write(&left_path, utf16(&left)).unwrap();
    let cfg = CompareConfig {
        keys: vec![ColumnPair::new("id", "id")],
        use_suggestions: false,
        ..CompareConfig::default()
    };
    let lt = load_path(&left_path, &LoadOptions::default(), Control::default()).unwrap();
    assert!(lt.info().encoding.is_some_and(|e| e.name() == "utf-16le"));
    let rt = load_bytes(
        "right.csv",
        right.clone().into_bytes(),
        &LoadOptions::default(),
    )
    .unwrap();
    let patch = patch_of_tables(dir.path(), &lt, &rt, &cfg);
    let out = patched(&left_path, &LoadOptions::default(), &patch).unwrap();
    assert!(
        out.len() > 4 << 20,
        "the output spans more than one chunk of 1 MiB"
    );
    assert_eq!(out, utf16(&right));
}
