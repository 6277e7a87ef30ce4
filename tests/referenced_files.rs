//! Sessions that reference large files by path instead of copying them:
//! a real data directory (SQLite log, blob store) and real files that are
//! changed, touched, moved and exported between loads.

mod common;

use concord::backend::models::{PageQuery, SessionInfo};
use concord::backend::Workflow;
use concord::{Control, Error, LoadOptions, Side};
use std::path::{Path, PathBuf};
use std::time::Duration;

const LEFT: &str = "id,name,amount\n1,Ann,10\n2,Bob,20\n3,Cy,30\n";
const RIGHT: &str = "id,name,amount\n1,Ann,10\n2,Bob,25\n4,Di,40\n";

/// A data directory and a folder of user files, with a workflow that
/// references every file of `above` bytes or more.
struct Setup {
    data: tempfile::TempDir,
    files: tempfile::TempDir,
    above: u64,
}

impl Setup {
    fn new(above: u64) -> Setup {
        let files = tempfile::tempdir().unwrap();
        std::fs::write(files.path().join("left.csv"), LEFT).unwrap();
        std::fs::write(files.path().join("right.csv"), RIGHT).unwrap();
        Setup {
            data: tempfile::tempdir().unwrap(),
            files,
            above,
        }
    }

    /// A fresh workflow over the data directory, as after a restart.
    fn workflow(&self) -> Workflow {
        Workflow::open(self.data.path())
            .unwrap()
            .with_reference_above(self.above)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.files.path().join(name)
    }

    /// A fresh workflow with session `id` opened, after checking that
    /// every file it needs could be read.
    fn reopened(&self, id: &str) -> Workflow {
        let w = self.workflow();
        let opened = w.open_session(id, Control::default()).unwrap();
        assert!(opened.unavailable.is_empty(), "{:?}", opened.unavailable);
        w
    }

    /// A session with both files loaded and compared by `id`.
    fn compared(&self, w: &Workflow) -> SessionInfo {
        compared_by_id(w, &self.file("left.csv"), &self.file("right.csv"))
    }

    /// The right file with other contents of the same size and a new
    /// modification time: a file that changed since it was loaded.
    fn edit_right(&self) -> PathBuf {
        let right = self.file("right.csv");
        std::fs::write(&right, RIGHT.replace("Bob,25", "Bob,26")).unwrap();
        later(&right, 60);
        right
    }

    /// Every blob file in the store.
    fn stored(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        walk(&self.data.path().join("blobs"), &mut out);
        out
    }

    /// The `format` column of every event and snapshot in the log.
    fn formats(&self) -> Vec<u32> {
        let conn = rusqlite::Connection::open(self.data.path().join("events.db")).unwrap();
        let mut out = Vec::new();
        for table in ["events", "snapshots"] {
            let mut stmt = conn
                .prepare(&format!("SELECT format FROM {table}"))
                .unwrap();
            let rows = stmt.query_map([], |r| r.get::<_, u32>(0)).unwrap();
            out.extend(rows.map(|r| r.unwrap()));
        }
        out
    }
}

/// A session of `left` and `right` loaded and compared by `id`.
fn compared_by_id(w: &Workflow, left: &Path, right: &Path) -> SessionInfo {
    let s = w.create_session("big files").unwrap();
    for (side, path) in [(Side::Left, left), (Side::Right, right)] {
        w.load_file(
            &s.id,
            side,
            path,
            &LoadOptions::default(),
            Control::default(),
        )
        .unwrap();
    }
    let mut config = w.session(&s.id).unwrap().config.unwrap();
    config.keys = vec![concord::compare::ColumnPair::new("id", "id")];
    w.set_config(&s.id, config).unwrap();
    w.compare(&s.id, Control::default()).unwrap();
    w.session(&s.id).unwrap()
}

fn walk(dir: &Path, out: &mut Vec<Vec<u8>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(std::fs::read(&p).unwrap());
        }
    }
}

fn rows(w: &Workflow, id: &str) -> Result<String, Error> {
    let page = w.page(id, &PageQuery::default(), Control::default())?;
    Ok(serde_json::to_string(&page).unwrap())
}

/// Sets a file's modification time `secs` seconds later than it is.
fn later(path: &Path, secs: u64) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    let t = f.metadata().unwrap().modified().unwrap();
    f.set_modified(t + Duration::from_secs(secs)).unwrap();
}

#[test]
fn large_files_are_referenced_and_read_back_from_where_they_are() {
    let setup = Setup::new(1);
    let w = setup.workflow();
    let s = setup.compared(&w);
    assert_eq!(s.summary.as_ref().unwrap().changed, 1);
    let before = rows(&w, &s.id).unwrap();
    // Neither file was copied into the store.
    let stored = setup.stored();
    assert!(!stored
        .iter()
        .any(|b| b == LEFT.as_bytes() || b == RIGHT.as_bytes()));
    // The file card says so.
    assert!(!w.file(&s.id, Side::Left).unwrap().copied);
    // Only the events that reference a file are written in format 2, so
    // the release before still opens sessions without references.
    let formats = setup.formats();
    assert_eq!(
        formats.iter().filter(|f| **f == 2).count(),
        2,
        "{formats:?}"
    );
    assert!(formats.iter().all(|f| *f == 1 || *f == 2));
    drop(w);

    // After a restart, the session reads the files from their paths.
    let w = setup.reopened(&s.id);
    assert_eq!(rows(&w, &s.id).unwrap(), before);
    // A file that was only touched (same bytes, a new time) is the same file.
    later(&setup.file("left.csv"), 60);
    let w = setup.reopened(&s.id);
    assert_eq!(rows(&w, &s.id).unwrap(), before);
}

#[test]
fn small_files_are_still_copied() {
    let setup = Setup::new(1 << 20);
    let w = setup.workflow();
    let s = setup.compared(&w);
    let stored = setup.stored();
    assert!(stored.iter().any(|b| b == LEFT.as_bytes()));
    assert!(stored.iter().any(|b| b == RIGHT.as_bytes()));
    assert!(setup.formats().iter().all(|f| *f == 1));
    // The file card says so, with the copy's size.
    let file = w.file(&s.id, Side::Right).unwrap();
    assert!(file.copied);
    assert_eq!(file.bytes, RIGHT.len() as u64);
    // The originals can go: the session has its copies.
    std::fs::remove_file(setup.file("left.csv")).unwrap();
    let w = setup.reopened(&s.id);
    assert!(rows(&w, &s.id).is_ok());
}

#[test]
fn a_changed_or_missing_referenced_file_is_reported_and_the_result_still_shown() {
    let setup = Setup::new(1);
    let w = setup.workflow();
    let s = setup.compared(&w);
    let summary = s.summary.clone().unwrap();
    drop(w);

    // Same size, other contents, a new modification time.
    let right = setup.edit_right();
    let w = setup.workflow();
    let opened = w.open_session(&s.id, Control::default()).unwrap();
    assert_eq!(opened.summary.as_ref(), Some(&summary));
    assert_eq!(opened.unavailable.len(), 1);
    assert_eq!(opened.unavailable[0].side, Side::Right);
    assert!(opened.unavailable[0].detail.contains("changed"));
    // The stored result's overview is still there, with the reason.
    let overview = w.result_overview(&s.id).unwrap();
    assert_eq!(overview.summary, summary);
    assert_eq!(overview.left.columns, vec!["id", "name", "amount"]);
    assert!(overview.right.warnings[0].contains("right.csv"));
    assert!(overview.right.warnings[0].contains("changed since it was loaded"));
    // What needs the file's cells says why it cannot, naming the file.
    let e = rows(&w, &s.id).unwrap_err();
    assert_eq!(e.code(), "source_changed");
    assert!(e.to_string().contains(&right.display().to_string()), "{e}");
    assert!(e.to_string().contains("load it again"), "{e}");
    let e = w.compare(&s.id, Control::default()).unwrap_err();
    assert_eq!(e.code(), "source_changed");

    // Loading the file again compares what it holds now.
    w.load_file(
        &s.id,
        Side::Right,
        &right,
        &LoadOptions::default(),
        Control::default(),
    )
    .unwrap();
    w.compare(&s.id, Control::default()).unwrap();
    assert!(rows(&w, &s.id).unwrap().contains("26"));
    drop(w);

    // A size change, and a deleted file.
    std::fs::write(&right, format!("{RIGHT}5,Ed,50\n")).unwrap();
    std::fs::remove_file(setup.file("left.csv")).unwrap();
    let w = setup.workflow();
    let opened = w.open_session(&s.id, Control::default()).unwrap();
    let details: Vec<_> = opened.unavailable.iter().map(|u| &u.detail).collect();
    assert_eq!(opened.unavailable.len(), 2, "{details:?}");
    assert!(details[0].contains("deleted or moved"), "{details:?}");
    assert!(details[1].contains("bytes"), "{details:?}");
    // The load screen still names the file, and says what happened to it.
    let file = w.file(&s.id, Side::Left).unwrap();
    assert!(file.name.ends_with("left.csv"));
    assert!(file.table.is_none());
    let why = file.unavailable.unwrap();
    assert!(why.contains("left.csv' was deleted or moved"), "{why}");
}

#[test]
fn a_portable_export_carries_referenced_files_and_the_import_keeps_copies() {
    let setup = Setup::new(1);
    let w = setup.workflow();
    let s = setup.compared(&w);
    let before = rows(&w, &s.id).unwrap();
    let export = setup.files.path().join("session.concord");
    w.export_session(&s.id, &export).unwrap();

    let elsewhere = tempfile::tempdir().unwrap();
    let other = Workflow::open(elsewhere.path()).unwrap();
    let imported = other.import_session(&export).unwrap();
    // The originals are gone, and the imported session does not need them.
    std::fs::remove_file(setup.file("left.csv")).unwrap();
    std::fs::remove_file(setup.file("right.csv")).unwrap();
    let other = Workflow::open(elsewhere.path()).unwrap();
    let opened = other
        .open_session(&imported.id, Control::default())
        .unwrap();
    assert!(opened.unavailable.is_empty());
    assert_eq!(
        rows(&other, &imported.id)
            .unwrap()
            .replace(&imported.id, ""),
        before.replace(&s.id, "")
    );
    // Exporting a session whose referenced file is gone says so.
    let e = w
        .export_session(&s.id, &setup.files.path().join("again.concord"))
        .unwrap_err();
    assert_eq!(e.code(), "source_changed");
}

/// Every export format of a session's result but the workbook (whose zip
/// holds the time it was written).
fn exports(w: &Workflow, id: &str) -> Result<Vec<Vec<u8>>, Error> {
    use concord::export::Format;
    [Format::Text, Format::Json, Format::Csv, Format::Html]
        .into_iter()
        .map(|f| {
            let mut out = Vec::new();
            w.export_to(id, f, None, &mut out, Control::default())?;
            Ok(out)
        })
        .collect()
}

#[test]
fn the_rows_of_a_result_are_kept_and_shown_when_a_referenced_file_changes() {
    // Files of 44 bytes are referenced; the rows the result names (32
    // bytes of text) are below that, so the session keeps a copy of them.
    let setup = Setup::new(40);
    let w = setup.workflow();
    let s = setup.compared(&w);
    let (before, exported) = (rows(&w, &s.id).unwrap(), exports(&w, &s.id).unwrap());
    // The comparison event, which names the kept rows, is format 3; the
    // loads stay 2.
    let formats = setup.formats();
    assert_eq!(
        formats.iter().filter(|f| **f == 3).count(),
        1,
        "{formats:?}"
    );
    // They survive a collection of unused files.
    assert_eq!(w.gc(Duration::ZERO).unwrap().removed, 0);
    drop(w);

    // With both files in place, nothing changes.
    let w = setup.reopened(&s.id);
    assert_eq!(rows(&w, &s.id).unwrap(), before);
    drop(w);

    // Both files change: one is edited, the other deleted.
    let right = setup.edit_right();
    std::fs::remove_file(setup.file("left.csv")).unwrap();
    let w = setup.workflow();
    let opened = w.open_session(&s.id, Control::default()).unwrap();
    assert_eq!(opened.unavailable.len(), 2);
    let overview = w.result_overview(&s.id).unwrap();
    assert!(overview.kept_rows);
    assert!(overview.right.warnings[0].contains("changed since it was loaded"));
    // The grid finds each kept cell under its column's name.
    assert!(common::columns_name_the_cells(&w, &s.id) > 0);
    // The rows and every export are those of the comparison, not of the
    // files as they are now.
    assert_eq!(rows(&w, &s.id).unwrap(), before);
    assert!(!before.contains("26"));
    assert_eq!(exports(&w, &s.id).unwrap(), exported);
    // Comparing again still needs the files.
    let e = w.compare(&s.id, Control::default()).unwrap_err();
    assert_eq!(e.code(), "source_changed");

    // Loading the file again drops the kept rows with the old result.
    w.load_file(
        &s.id,
        Side::Right,
        &right,
        &LoadOptions::default(),
        Control::default(),
    )
    .unwrap();
    assert_eq!(rows(&w, &s.id).unwrap_err().code(), "no_result");
}

#[test]
fn rows_larger_than_the_reference_size_are_not_kept() {
    // Files of 44 bytes are referenced, and so are the 32 bytes of rows
    // their result names: keeping those would cost what referencing saves.
    let setup = Setup::new(30);
    let w = setup.workflow();
    let s = setup.compared(&w);
    assert!(setup.formats().iter().all(|f| *f <= 2));
    assert!(!w.result_overview(&s.id).unwrap().kept_rows);
    drop(w);
    std::fs::remove_file(setup.file("left.csv")).unwrap();
    let w = setup.workflow();
    w.open_session(&s.id, Control::default()).unwrap();
    assert!(!w.result_overview(&s.id).unwrap().kept_rows);
    assert_eq!(rows(&w, &s.id).unwrap_err().code(), "source_changed");
}

#[test]
fn a_result_compared_a_partition_at_a_time_keeps_its_rows_and_reads_them_after_a_restart() {
    // 20,000 rows a side (about 400 KB) under a 1 MiB limit: the tables
    // go to disk and are compared a partition at a time. Files from 100 KB
    // on are referenced; the 1% of rows that differ are kept.
    let files = tempfile::tempdir().unwrap();
    let (left, right) = (
        files.path().join("left.csv"),
        files.path().join("right.csv"),
    );
    let row = |i: u32, v: u32| format!("{i},name {i},{v},\"note, {i}\"\n");
    let mut l = String::from("id,name,value,note\n");
    let mut r = l.clone();
    for i in 0..20_000 {
        l += &row(i, i);
        r += &row(i, if i % 100 == 7 { i + 1 } else { i });
    }
    std::fs::write(&left, &l).unwrap();
    std::fs::write(&right, &r).unwrap();
    let data = tempfile::tempdir().unwrap();
    let workflow = || {
        Workflow::open(data.path())
            .unwrap()
            .with_memory_limit(concord::budget::MemoryBudget(1 << 20))
            .with_reference_above(100_000)
    };
    let w = workflow();
    let s = compared_by_id(&w, &left, &right);
    for side in [Side::Left, Side::Right] {
        assert!(w.file(&s.id, side).unwrap().on_disk);
    }
    assert_eq!(s.summary.unwrap().changed, 200);
    // Only a partitioned comparison reads pages from copies of the rows.
    assert_eq!(w.comparison(&s.id).unwrap().left.num_rows(), 200);
    let (before, exported) = (rows(&w, &s.id).unwrap(), exports(&w, &s.id).unwrap());
    drop(w);

    // Reopened, pages read the 200 kept rows a side, not the tables on disk.
    let w = workflow();
    assert!(w
        .open_session(&s.id, Control::default())
        .unwrap()
        .unavailable
        .is_empty());
    assert!(w.file(&s.id, Side::Left).unwrap().on_disk);
    let c = w.comparison(&s.id).unwrap();
    assert_eq!((c.left.num_rows(), c.right.num_rows()), (200, 200));
    assert_eq!(rows(&w, &s.id).unwrap(), before);
    assert_eq!(exports(&w, &s.id).unwrap(), exported);
    drop(w);

    // And they are all there is once the files are gone.
    std::fs::remove_file(&left).unwrap();
    std::fs::remove_file(&right).unwrap();
    let w = workflow();
    assert_eq!(
        w.open_session(&s.id, Control::default())
            .unwrap()
            .unavailable
            .len(),
        2
    );
    assert!(w.result_overview(&s.id).unwrap().kept_rows);
    assert_eq!(rows(&w, &s.id).unwrap(), before);
    assert_eq!(exports(&w, &s.id).unwrap(), exported);
}
