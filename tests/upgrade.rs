//! Sessions saved by earlier releases still open.
//!
//! `tests/fixtures/upgrade/vN/` holds what release N wrote: a data directory
//! (`data/`), a portable export (`*.concord`), and that release's own
//! listings and comparison output (`expected/`). Every later build must list
//! and show the same sessions with the same summaries, page the same result
//! rows and import the export. Add a folder for each format change.
//!
//! The second half checks the other direction: data written by a newer
//! Concord is refused with a message naming its version, and a stored
//! result this build cannot read is computed again from the stored files.

use concord::backend::Workflow;
use concord::Error;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no upgrade fixtures");
    dirs
}

/// A copy of a fixture's data directory: opening it may migrate it, and the
/// committed fixture must stay as the old release wrote it.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Asserts that `actual` has every field of `expected` (an older release's
/// output), with the same value; fields added since are allowed.
fn assert_has(actual: &Value, expected: &Value, what: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (k, v) in e {
                let got = a.get(k).unwrap_or_else(|| panic!("{what}: no field {k}"));
                assert_has(got, v, &format!("{what}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{what}: length");
            for (i, (x, y)) in a.iter().zip(e).enumerate() {
                assert_has(x, y, &format!("{what}[{i}]"));
            }
        }
        _ => assert_eq!(actual, expected, "{what}"),
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn opened(fixture: &Path) -> (tempfile::TempDir, Workflow) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture.join("data"), &dir.path().join("data"));
    let w = Workflow::open(&dir.path().join("data")).unwrap();
    (dir, w)
}

/// The rows of a session's current result as the old `compare --format
/// json` wrote them: status, key, lines and changes.
fn paged_rows(w: &Workflow, id: &str) -> Value {
    let page = w
        .page(
            id,
            &concord::backend::models::PageQuery {
                limit: 10_000,
                ..Default::default()
            },
            concord::Control::default(),
        )
        .unwrap();
    let mut rows = serde_json::to_value(&page.rows).unwrap();
    for r in rows.as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("index");
    }
    rows
}

#[test]
fn sessions_of_every_earlier_release_open() {
    for fixture in fixtures() {
        let (_dir, w) = opened(&fixture);
        let expected_list = read_json(&fixture.join("expected/list.json"));
        let list = serde_json::to_value(w.list_sessions().unwrap()).unwrap();
        assert_has(&list, &expected_list, &fixture.display().to_string());
        for s in expected_list.as_array().unwrap() {
            let id = s["id"].as_str().unwrap();
            let shown = serde_json::to_value(w.session(id).unwrap()).unwrap();
            let expected = read_json(&fixture.join(format!("expected/show-{id}.json")));
            assert_has(
                &shown,
                &expected,
                &format!("{} session {id}", fixture.display()),
            );
            let opened =
                serde_json::to_value(w.open_session(id, concord::Control::default()).unwrap())
                    .unwrap();
            let what = format!("{} session {id} summary", fixture.display());
            assert_has(&opened["summary"], &expected["summary"], &what);
            let rows_file = fixture.join(format!("expected/rows-{id}.json"));
            if rows_file.exists() {
                let old = read_json(&rows_file);
                let what = format!("{} session {id} rows", fixture.display());
                assert_has(&paged_rows(&w, id), &old["rows"], &what);
            }
        }
        // Nothing a session uses is collected.
        let gc = w.gc(std::time::Duration::ZERO).unwrap();
        for s in expected_list.as_array().unwrap() {
            let id = s["id"].as_str().unwrap();
            w.close_session(id).unwrap();
            let reopened =
                serde_json::to_value(w.open_session(id, concord::Control::default()).unwrap())
                    .unwrap();
            assert_has(
                &reopened["summary"],
                &s["summary"],
                &format!("after gc {gc:?}"),
            );
        }
    }
}

#[test]
fn portable_exports_of_every_earlier_release_import() {
    for fixture in fixtures() {
        let exports: Vec<PathBuf> = std::fs::read_dir(&fixture)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "concord"))
            .collect();
        assert!(!exports.is_empty(), "{}", fixture.display());
        let dir = tempfile::tempdir().unwrap();
        let w = Workflow::open(dir.path()).unwrap();
        let (_old_dir, old) = opened(&fixture);
        for file in exports {
            let imported = w.import_session(&file).unwrap();
            let original = old
                .list_sessions()
                .unwrap()
                .into_iter()
                .find(|s| s.name == imported.name)
                .expect("the exported session is in the data directory");
            // The summary as the old release wrote it; fields added since
            // come from the result as read.
            let listed = read_json(&fixture.join("expected/list.json"));
            let listed = listed
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == imported.name.as_str())
                .unwrap();
            let summary = serde_json::to_value(&imported.summary).unwrap();
            assert_has(&summary, &listed["summary"], &file.display().to_string());
            assert!(imported.summary.is_some());
            assert_eq!(paged_rows(&w, &imported.id), paged_rows(&old, &original.id));
        }
    }
}

fn sql(db: &Path, statement: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(statement).unwrap();
}

#[test]
fn data_from_a_newer_release_is_refused_with_its_version() {
    let fixture = &fixtures()[0];
    // A newer database schema.
    let (dir, w) = opened(fixture);
    drop(w);
    let db = dir.path().join("data/events.db");
    sql(&db, "PRAGMA user_version = 99;");
    let e = Workflow::open(&dir.path().join("data")).err().unwrap();
    assert!(matches!(e, Error::NewerFormat { found: 99, .. }), "{e}");
    assert!(e.to_string().contains("format 99"), "{e}");

    // A newer event, and a newer snapshot, in one session each: one past
    // what this build writes.
    use concord::backend::format::{EVENT_FORMAT, PORTABLE_FORMAT, SNAPSHOT_FORMAT};
    let (event, snapshot, portable) = (EVENT_FORMAT + 1, SNAPSHOT_FORMAT + 2, PORTABLE_FORMAT + 1);
    let (dir, w) = opened(fixture);
    let id_of = |w: &Workflow, name: &str| {
        w.list_sessions()
            .unwrap()
            .into_iter()
            .find(|s| s.name == name)
            .unwrap()
            .id
    };
    let ids = [id_of(&w, "Bridges"), id_of(&w, "Boston 311")];
    drop(w);
    let db = dir.path().join("data/events.db");
    sql(
        &db,
        &format!(
            "UPDATE events SET format = {event} WHERE session_id = '{}' AND event_id = 2;",
            ids[0]
        ),
    );
    sql(&db, &format!("UPDATE snapshots SET format = {snapshot};"));
    let w = Workflow::open(&dir.path().join("data")).unwrap();
    let e = w
        .open_session(&ids[0], concord::Control::default())
        .unwrap_err();
    assert!(
        e.to_string().contains("event 2") && e.to_string().contains(&format!("format {event}")),
        "{e}"
    );
    let e = w.session(&id_of(&w, "crash test")).unwrap_err();
    assert!(e.to_string().contains(&format!("format {snapshot}")), "{e}");
    // The others still open.
    assert!(w.open_session(&ids[1], concord::Control::default()).is_ok());

    // A newer portable file.
    let file = dir.path().join("newer.concord");
    let mut bytes = std::fs::read(fixture.join("bridges.concord")).unwrap();
    bytes.splice(
        0.."CONCORD-SESSION 1".len(),
        format!("CONCORD-SESSION {portable}").bytes(),
    );
    std::fs::write(&file, bytes).unwrap();
    let e = w.import_session(&file).unwrap_err();
    assert!(
        matches!(e, Error::NewerFormat { found, .. } if found == u64::from(portable)),
        "{e}"
    );
}

#[test]
fn results_in_formats_this_build_cannot_read_are_recomputed_or_refused() {
    let fixture = &fixtures()[0];
    let (dir, w) = opened(fixture);
    let bridges = w
        .list_sessions()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Bridges")
        .unwrap();
    let rows_before = paged_rows(&w, &bridges.id);
    drop(w);
    let db = dir.path().join("data/events.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let payload: String = conn
        .query_row(
            "SELECT payload FROM events WHERE session_id = ?1 AND payload LIKE '%\"compared\"%'",
            [&bridges.id],
            |r| r.get(0),
        )
        .unwrap();
    let old_blob = serde_json::from_str::<Value>(&payload).unwrap()["result"]["blob"]
        .as_str()
        .unwrap()
        .to_string();
    // Point the event at a blob of the old, headerless format that no
    // longer decodes, and at one of a newer format, in turn.
    let blobs = dir.path().join("data/blobs");
    for (bytes, recomputed) in [
        (b"\x01garbage from an old encoding".to_vec(), true),
        (b"\xC0RES\x09\x00\x00\x00anything".to_vec(), false),
    ] {
        let hash = blake3::hash(&bytes).to_hex().to_string();
        std::fs::create_dir_all(blobs.join(&hash[..2])).unwrap();
        std::fs::write(blobs.join(&hash[..2]).join(&hash), &bytes).unwrap();
        let new_payload = payload.replace(&old_blob, &hash);
        let sum = blake3::hash(new_payload.as_bytes()).to_hex()[..16].to_string();
        conn.execute(
            "UPDATE events SET payload = ?1, checksum = ?2 WHERE session_id = ?3 AND payload LIKE '%\"compared\"%'",
            rusqlite::params![new_payload, sum, bridges.id],
        )
        .unwrap();
        let w = Workflow::open(&dir.path().join("data")).unwrap();
        if recomputed {
            let opened = w
                .open_session(&bridges.id, concord::Control::default())
                .unwrap();
            assert_eq!(opened.summary, bridges.summary);
            assert_eq!(paged_rows(&w, &bridges.id), rows_before);
            let result = w.result(&bridges.id).unwrap().unwrap();
            assert!(result.notes.iter().any(|n| n.contains("computed again")));
        } else {
            let e = w
                .open_session(&bridges.id, concord::Control::default())
                .unwrap_err();
            assert!(matches!(e, Error::NewerFormat { found: 9, .. }), "{e}");
        }
    }
}

fn session_named(w: &Workflow, name: &str) -> String {
    w.list_sessions()
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no session {name}"))
        .id
}

#[test]
fn a_result_stored_before_columns_were_counted_counts_its_one_sided_column() {
    // Release 2 stored this result with an `extra` column only in the left
    // file and called the files equal but for their rows; it is read as
    // stored (not computed again), and the column now makes them differ.
    let fixture = fixtures().into_iter().find(|f| f.ends_with("v2")).unwrap();
    let (_dir, w) = opened(&fixture);
    let id = session_named(&w, "Extra column");
    let summary = w
        .open_session(&id, concord::Control::default())
        .unwrap()
        .summary
        .unwrap();
    assert_eq!(
        (summary.columns_only_left, summary.columns_only_right),
        (1, 0)
    );
    assert!(!summary.extra_columns_ignored);
    let result = w.result(&id).unwrap().unwrap();
    assert_eq!(result.left_only_columns, ["extra"]);
    assert!(!result.notes.iter().any(|n| n.contains("computed again")));
}

#[test]
fn a_setting_older_releases_would_drop_is_stored_in_a_format_they_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let formats = |id: &str| -> Vec<i64> {
        let conn = rusqlite::Connection::open(dir.path().join("events.db")).unwrap();
        let mut st = conn
            .prepare("SELECT format FROM events WHERE session_id = ?1 ORDER BY event_id")
            .unwrap();
        st.query_map([id], |r| r.get(0))
            .unwrap()
            .map(|f| f.unwrap())
            .collect()
    };
    let plain = w.create_session("plain").unwrap().id;
    let config = concord::compare::CompareConfig::default();
    w.set_config(&plain, config.clone()).unwrap();
    assert_eq!(formats(&plain), [1, 1]);
    let extra = w.create_session("extra").unwrap().id;
    let ignoring = concord::compare::CompareConfig {
        ignore_extra_columns: true,
        ..config
    };
    w.set_config(&extra, ignoring.clone()).unwrap();
    assert_eq!(formats(&extra), [1, 4]);
    drop(w);
    // It reads back as it was set.
    let w = Workflow::open(dir.path()).unwrap();
    assert_eq!(w.session(&extra).unwrap().config, Some(ignoring));
}
