//! Sessions on disk, tested with real processes: a real SQLite file, real
//! blobs, and a writer killed with SIGKILL at random moments.

mod common;

use common::Rng;
use concord::backend::SessionStore;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_concord")
}

/// Starts the writer, lets it run `ms` milliseconds, kills it with SIGKILL,
/// and returns its output: the session id and the last acknowledged event.
fn run_and_kill(dir: &Path, session: &str, ms: u64) -> (Option<String>, u64) {
    let mut child = Command::new(bin())
        .args(["--data-dir", dir.to_str().unwrap(), "debug-append", session])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the writer starts");
    std::thread::sleep(Duration::from_millis(ms));
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut id = None;
    let mut acked = 0;
    for line in out.lines() {
        if let Some(s) = line.strip_prefix("session ") {
            id = Some(s.to_string());
        } else if let Some(n) = line.strip_prefix("ack ") {
            acked = n.parse().unwrap();
        }
    }
    (id, acked)
}

/// Opens the store as a new process would and checks the session: it opens,
/// holds every acknowledged event, and every blob it names is intact.
fn check(dir: &Path, id: &str, acked: u64) -> u64 {
    let store = SessionStore::open(dir).expect("the store opens after a crash");
    let state = store
        .read_state(id)
        .expect("the session folds after a crash");
    assert!(
        state.last_event >= acked,
        "acknowledged event {acked} lost; log ends at {}",
        state.last_event
    );
    for blob in state.blobs() {
        store
            .blobs()
            .verify(blob)
            .unwrap_or_else(|e| panic!("blob of event {}: {e}", state.last_event));
    }
    state.last_event
}

#[test]
fn acknowledged_events_survive_sigkill() {
    let kills: u64 = std::env::var("CONCORD_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut id: Option<String> = None;
    let mut total_acked = 0;
    let mut last_seen = 0;
    for _ in 0..kills {
        let session = id.clone().unwrap_or_else(|| "new".to_string());
        let (new_id, acked) = run_and_kill(dir.path(), &session, 5 + rng.below(40));
        if id.is_none() {
            id = new_id;
        }
        let Some(id) = &id else { continue };
        total_acked += acked.saturating_sub(last_seen);
        last_seen = check(dir.path(), id, acked.max(last_seen)).max(last_seen);
    }
    assert!(
        total_acked > 50,
        "the writer acknowledged only {total_acked} events in {kills} runs"
    );
    // The surviving session still loads and compares like any other.
    let w = concord::backend::Workflow::open(dir.path()).unwrap();
    let id = id.unwrap();
    w.load_bytes(
        &id,
        concord::Side::Right,
        "r.csv",
        b"id,n\n1,0\n",
        &concord::LoadOptions::default(),
        concord::Control::default(),
    )
    .unwrap();
    w.compare(&id, concord::Control::default()).unwrap();
}

/// Copies a directory (flat, or one level of subfolders).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn torn_log_and_blob_files_open_to_a_consistent_prefix_or_a_clear_error() {
    let base = tempfile::tempdir().unwrap();
    // A killed writer leaves its recent events in the write-ahead log.
    let (id, acked) = run_and_kill(base.path(), "new", 400);
    let id = id.expect("the writer created a session");
    assert!(acked > 0);
    let wal = base.path().join("events.db-wal");
    let db = base.path().join("events.db");
    let mut rng = Rng(42);
    for (file, name) in [(&wal, "events.db-wal"), (&db, "events.db")] {
        let Ok(len) = std::fs::metadata(file).map(|m| m.len()) else {
            continue;
        };
        for _ in 0..40 {
            let work = tempfile::tempdir().unwrap();
            copy_dir(base.path(), work.path());
            let cut = rng.below(len.max(1));
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(work.path().join(name))
                .unwrap();
            f.set_len(cut).unwrap();
            drop(f);
            match SessionStore::open(work.path()).and_then(|s| s.read_state(&id)) {
                Ok(state) => {
                    assert!(
                        state.last_event <= acked + 1,
                        "{name} cut at {cut}: events appeared"
                    );
                }
                Err(e) => {
                    let msg = e.to_string();
                    assert!(
                        msg.contains("session storage failed")
                            || msg.contains("damaged")
                            || msg.contains("no session"),
                        "{name} cut at {cut}: unclear error {msg}"
                    );
                }
            }
        }
    }
    // A torn blob is reported as damaged, never read as data.
    let store = SessionStore::open(base.path()).unwrap();
    let state = store.read_state(&id).unwrap();
    let blob = state.left.as_ref().unwrap().blob.clone();
    let path = store.blobs().path(&blob);
    let len = std::fs::metadata(&path).unwrap().len();
    for cut in [0, 1, len / 2, len - 1] {
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(cut).unwrap();
        drop(f);
        let e = store.blobs().verify(&blob).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        let w = concord::backend::Workflow::new(std::sync::Arc::new(
            SessionStore::open(base.path()).unwrap(),
        ));
        let e = w
            .open_session(&id, concord::Control::default())
            .unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
    }
}

fn concord(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .env("CONCORD_DATA_DIR", dir)
        .output()
        .unwrap()
}

#[test]
fn the_sessions_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/daff");
    let (l, r) = (
        fixtures.join("bridges.csv"),
        fixtures.join("broken_bridges.csv"),
    );
    let out = concord(
        dir.path(),
        &[
            "compare",
            l.to_str().unwrap(),
            r.to_str().unwrap(),
            "--key",
            "bridge",
            "--save",
            "--name",
            "bridges",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("saved as session"));
    let list: serde_json::Value = serde_json::from_slice(
        &concord(dir.path(), &["sessions", "list", "--format", "json"]).stdout,
    )
    .unwrap();
    let s = &list[0];
    for field in [
        "id", "name", "created", "updated", "left", "right", "summary",
    ] {
        assert!(s.get(field).is_some(), "sessions list lacks {field}: {s}");
    }
    assert_eq!(s["name"], "bridges");
    assert_eq!(s["summary"]["changed"], 1);
    assert_eq!(s["summary"]["only_left"], 1);
    let id = s["id"].as_str().unwrap();
    let show: serde_json::Value = serde_json::from_slice(
        &concord(dir.path(), &["sessions", "show", id, "--format", "json"]).stdout,
    )
    .unwrap();
    assert_eq!(show["config"]["keys"][0]["left"], "bridge");
    assert_eq!(show["summary"], s["summary"]);
    // --data-dir wins over the environment.
    let other = tempfile::tempdir().unwrap();
    let empty = concord(
        dir.path(),
        &[
            "--data-dir",
            other.path().to_str().unwrap(),
            "sessions",
            "list",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&empty.stdout).unwrap(),
        serde_json::json!([])
    );
    let file = other.path().join("bridges.concord");
    assert!(concord(
        dir.path(),
        &["sessions", "export", id, file.to_str().unwrap()]
    )
    .status
    .success());
    let imported = concord(
        dir.path(),
        &[
            "--data-dir",
            other.path().to_str().unwrap(),
            "sessions",
            "import",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(concord(dir.path(), &["sessions", "delete", id])
        .status
        .success());
    let gone = concord(dir.path(), &["sessions", "show", id]);
    assert_eq!(gone.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&gone.stderr).contains(&format!("there is no session '{id}'")));
    let gc = concord(dir.path(), &["sessions", "gc", "--grace", "0"]);
    assert!(
        String::from_utf8_lossy(&gc.stdout).contains("removed 3 stored files"),
        "{}",
        String::from_utf8_lossy(&gc.stdout)
    );
}

#[test]
fn two_processes_write_to_one_data_directory_without_losing_events() {
    let dir = tempfile::tempdir().unwrap();
    let writers: Vec<_> = (0..2)
        .map(|_| {
            Command::new(bin())
                .args([
                    "--data-dir",
                    dir.path().to_str().unwrap(),
                    "debug-append",
                    "new",
                    "--count",
                    "120",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ids = Vec::new();
    for w in writers {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let id = text
            .lines()
            .next()
            .unwrap()
            .strip_prefix("session ")
            .unwrap()
            .to_string();
        assert!(text.ends_with("ack 121\n"), "{text}");
        ids.push(id);
    }
    let store = SessionStore::open(dir.path()).unwrap();
    let listed: Vec<String> = store.list().unwrap().into_iter().map(|r| r.id).collect();
    for id in &ids {
        assert!(listed.contains(id));
        let state = store.read_state(id).unwrap();
        assert_eq!(state.last_event, 121);
        assert_eq!(state.left.as_ref().unwrap().name, "step119.csv");
        for blob in state.blobs() {
            store.blobs().verify(blob).unwrap();
        }
    }
}
