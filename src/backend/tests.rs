use super::session::Event;
use super::*;
use crate::compare::{ColumnPair, CompareConfig, RowStatus};
use crate::error::{Error, Side};
use crate::progress::Control;
use crate::table::LoadOptions;
use models::{PageQuery, SortBy};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

const LEFT: &str = "id,name,amount\n1,Ann,10\n2,Bob,20\n3,Cy,30\n4,Di,40\n";
const RIGHT: &str = "id,name,amount\n1,Ann,10\n2,Bob,25\n3,Cy,31\n5,Ed,50\n";

/// The stored format of session `id`'s last event in the data directory
/// `dir`.
fn last_event_format(dir: &std::path::Path, id: &str) -> u32 {
    let db = rusqlite::Connection::open(dir.join("events.db")).unwrap();
    db.query_row(
        "SELECT format FROM events WHERE session_id = ?1 ORDER BY event_id DESC LIMIT 1",
        [id],
        |r| r.get(0),
    )
    .unwrap()
}

fn keyed() -> CompareConfig {
    CompareConfig {
        keys: vec![ColumnPair::new("id", "id")],
        ..CompareConfig::default()
    }
}

/// A workflow over a store in `dir` with the given limits.
fn workflow_with(dir: &std::path::Path, limits: StoreLimits) -> Workflow {
    Workflow::new(Arc::new(SessionStore::open_with(dir, limits).unwrap()))
}

/// A session with both files loaded, configured and compared.
pub(crate) fn compared(w: &Workflow) -> String {
    let s = w.create_session("test").unwrap();
    w.load_bytes(
        &s.id,
        Side::Left,
        "left.csv",
        LEFT.as_bytes(),
        &LoadOptions::default(),
        Control::default(),
    )
    .unwrap();
    w.load_bytes(
        &s.id,
        Side::Right,
        "right.csv",
        RIGHT.as_bytes(),
        &LoadOptions::default(),
        Control::default(),
    )
    .unwrap();
    w.set_config(&s.id, keyed()).unwrap();
    w.compare(&s.id, Control::default()).unwrap();
    s.id
}

#[test]
fn a_session_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (id, before, page) = {
        let w = Workflow::open(dir.path()).unwrap();
        let id = compared(&w);
        let page = w
            .page(&id, &PageQuery::default(), Control::default())
            .unwrap();
        (id.clone(), w.session(&id).unwrap(), page)
    };
    let w = Workflow::open(dir.path()).unwrap();
    assert!(
        w.store().resident().is_empty(),
        "listing must not load sessions"
    );
    let listed = w.list_sessions().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].summary, before.summary);
    assert_eq!(listed[0].left.as_deref(), Some("left.csv"));
    assert_eq!(w.session(&id).unwrap(), before);
    assert_eq!(
        w.page(&id, &PageQuery::default(), Control::default())
            .unwrap(),
        page
    );
    let s = before.summary.unwrap();
    assert_eq!((s.changed, s.only_left, s.only_right), (2, 1, 1));
}

#[test]
fn a_stored_result_with_a_long_name_and_many_rows_reads_back_the_same() {
    // The result is decoded as it is read from disk: a column name of
    // 300,000 bytes and 5,000 changed rows must come back as they went in.
    let long = "n".repeat(300_000);
    let (mut left, mut right) = (format!("id,{long}\n"), format!("id,{long}\n"));
    for i in 0..5_000 {
        left.push_str(&format!("{i},a{i}\n"));
        right.push_str(&format!("{i},b{i}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let query = PageQuery {
        offset: 4_990,
        ..PageQuery::default()
    };
    let (id, before, page) = {
        let w = Workflow::open(dir.path()).unwrap();
        let s = w.create_session("long").unwrap();
        for (side, name, text) in [(Side::Left, "l.csv", &left), (Side::Right, "r.csv", &right)] {
            let opts = LoadOptions::default();
            w.load_bytes(
                &s.id,
                side,
                name,
                text.as_bytes(),
                &opts,
                Control::default(),
            )
            .unwrap();
        }
        w.set_config(&s.id, keyed()).unwrap();
        w.compare(&s.id, Control::default()).unwrap();
        let page = w.page(&s.id, &query, Control::default()).unwrap();
        (s.id.clone(), w.session(&s.id).unwrap(), page)
    };
    assert_eq!(before.summary.as_ref().unwrap().changed, 5_000);
    let w = Workflow::open(dir.path()).unwrap();
    assert_eq!(w.session(&id).unwrap(), before);
    assert_eq!(w.page(&id, &query, Control::default()).unwrap(), page);
}

#[test]
fn pages_filter_search_and_sort() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let all = w
        .page(&id, &PageQuery::default(), Control::default())
        .unwrap();
    assert_eq!(all.total, 4);
    let changed = w
        .page(
            &id,
            &PageQuery {
                statuses: vec![RowStatus::Changed],
                ..PageQuery::default()
            },
            Control::default(),
        )
        .unwrap();
    assert_eq!(changed.total, 2);
    assert!(changed.rows.iter().all(|r| r.status == RowStatus::Changed));
    let by_column = w
        .page(
            &id,
            &PageQuery {
                column: Some("amount".into()),
                ..PageQuery::default()
            },
            Control::default(),
        )
        .unwrap();
    assert_eq!(by_column.total, 2);
    let search = w
        .page(
            &id,
            &PageQuery {
                search: Some("ED".into()),
                ..PageQuery::default()
            },
            Control::default(),
        )
        .unwrap();
    assert_eq!(search.total, 1);
    assert_eq!(search.rows[0].key, vec!["5"]);
    let sorted = w
        .page(
            &id,
            &PageQuery {
                sort: SortBy::Key,
                descending: true,
                offset: 1,
                limit: 2,
                ..PageQuery::default()
            },
            Control::default(),
        )
        .unwrap();
    assert_eq!(sorted.total, 4);
    let keys: Vec<_> = sorted.rows.iter().map(|r| r.key[0].clone()).collect();
    assert_eq!(keys, vec!["4", "3"]);
    assert_eq!(sorted.rows[1].changes[0].left, "30");
}

#[test]
fn pages_sort_numbers_by_value() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let s = w.create_session("sort").unwrap();
    let left = "id,v\n10,a\n9,b\n100,c\nx7,d\n";
    let right = "id,v\n10,A\n9,B\n100,C\nx7,D\n";
    w.load_bytes(
        &s.id,
        Side::Left,
        "l.csv",
        left.as_bytes(),
        &LoadOptions::default(),
        Control::default(),
    )
    .unwrap();
    w.load_bytes(
        &s.id,
        Side::Right,
        "r.csv",
        right.as_bytes(),
        &LoadOptions::default(),
        Control::default(),
    )
    .unwrap();
    w.set_config(&s.id, keyed()).unwrap();
    w.compare(&s.id, Control::default()).unwrap();
    let q = PageQuery {
        sort: SortBy::Key,
        ..PageQuery::default()
    };
    let keys: Vec<String> = w
        .page(&s.id, &q, Control::default())
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.key[0].clone())
        .collect();
    assert_eq!(keys, vec!["9", "10", "100", "x7"]);
    let q = PageQuery {
        sort: SortBy::Column("v".into()),
        descending: true,
        ..PageQuery::default()
    };
    let values: Vec<String> = w
        .page(&s.id, &q, Control::default())
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.changes[0].left.clone())
        .collect();
    assert_eq!(values, vec!["d", "c", "b", "a"]);
}

#[test]
fn changed_inputs_make_a_running_comparison_stale_and_keep_the_old_result() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let before = w.session(&id).unwrap().summary;
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let go_rx = std::sync::Mutex::new(go_rx);
    let started_tx = std::sync::Mutex::new(Some(started_tx));
    let comparer = {
        let w = w.clone();
        let id = id.clone();
        std::thread::spawn(move || {
            // The first progress report pauses the comparison until the main
            // thread has changed the inputs.
            let hold = |_| {
                if let Some(tx) = started_tx.lock().unwrap().take() {
                    tx.send(()).unwrap();
                    go_rx.lock().unwrap().recv().unwrap();
                }
            };
            w.compare(
                &id,
                Control {
                    progress: Some(&hold),
                    cancel: None,
                    ..Control::default()
                },
            )
        })
    };
    started_rx.recv().unwrap();
    w.load_bytes(
        &id,
        Side::Right,
        "right2.csv",
        LEFT.as_bytes(),
        &LoadOptions::default(),
        Control::default(),
    )
    .unwrap();
    go_tx.send(()).unwrap();
    let outcome = comparer.join().unwrap();
    assert!(matches!(outcome, Err(Error::Stale { .. })), "{outcome:?}");
    // The stored result is the old one, now out of date for the new inputs.
    let state = w.store().read_state(&id).unwrap();
    assert_eq!(state.result.as_ref().map(|r| &r.summary), before.as_ref());
    assert!(state.current_result().is_none());
    assert_eq!(w.compare(&id, Control::default()).unwrap().changed, 0);
}

#[test]
fn a_cancelled_comparison_keeps_the_previous_result() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let before = w.session(&id).unwrap();
    let cancel = AtomicBool::new(true);
    let e = w
        .compare(
            &id,
            Control {
                progress: None,
                cancel: Some(&cancel),
                ..Control::default()
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::Cancelled));
    assert_eq!(w.session(&id).unwrap(), before);
}

#[test]
fn eviction_by_count_and_bytes_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let limits = StoreLimits {
        max_sessions: 2,
        ..StoreLimits::default()
    };
    let w = workflow_with(dir.path(), limits);
    let ids: Vec<String> = (0..4).map(|_| compared(&w)).collect();
    assert!(
        w.store().resident().len() <= 2,
        "{:?}",
        w.store().resident()
    );
    for id in &ids {
        assert_eq!(
            w.page(id, &PageQuery::default(), Control::default())
                .unwrap()
                .total,
            4
        );
        assert_eq!(
            w.profiles(id, Side::Left, Control::default())
                .unwrap()
                .len(),
            3
        );
    }
    let tiny = StoreLimits {
        max_bytes: 1,
        ..StoreLimits::default()
    };
    let w2 = Workflow::new(Arc::new(SessionStore::open_with(dir.path(), tiny).unwrap()));
    for id in &ids {
        w2.open_session(id, Control::default()).unwrap();
        assert!(w2.store().resident().len() <= 1);
    }
    let total: usize = w2.store().resident_bytes();
    assert!(total > 0 && total < 1 << 20, "{total}");
}

#[test]
fn idle_sessions_leave_memory() {
    let dir = tempfile::tempdir().unwrap();
    let limits = StoreLimits {
        idle: Duration::from_millis(50),
        ..StoreLimits::default()
    };
    let w = workflow_with(dir.path(), limits);
    let a = compared(&w);
    std::thread::sleep(Duration::from_millis(120));
    w.store().sweep();
    assert!(w.store().resident().is_empty());
    assert_eq!(w.store().resident_bytes(), 0);
    let b = w.create_session("b").unwrap();
    assert_eq!(w.store().resident(), vec![b.id.clone()]);
    assert_eq!(
        w.page(&a, &PageQuery::default(), Control::default())
            .unwrap()
            .total,
        4
    );
}

#[test]
fn two_stores_on_one_directory_see_each_other_and_refuse_stale_writes() {
    let dir = tempfile::tempdir().unwrap();
    let a = Workflow::open(dir.path()).unwrap();
    let b = Workflow::open(dir.path()).unwrap();
    let id = compared(&a);
    assert_eq!(b.list_sessions().unwrap().len(), 1);
    b.rename_session(&id, "renamed by b").unwrap();
    let e = a.rename_session(&id, "renamed by a").unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }), "{e}");
    assert!(e.to_string().contains("changed elsewhere"));
    // The stale copy was dropped; a retry reads the session afresh.
    assert_eq!(a.session(&id).unwrap().name, "renamed by b");
    a.rename_session(&id, "renamed by a").unwrap();
    assert_eq!(b.session(&id).unwrap().name, "renamed by a");
    let c = b.create_session("made by b").unwrap();
    assert!(a.list_sessions().unwrap().iter().any(|s| s.id == c.id));
}

#[test]
fn snapshots_compact_the_log_and_reopen_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let limits = StoreLimits {
        snapshot_every: 3,
        ..StoreLimits::default()
    };
    let store = Arc::new(SessionStore::open_with(dir.path(), limits).unwrap());
    let w = Workflow::new(store.clone());
    let id = compared(&w);
    for i in 0..7 {
        w.rename_session(&id, &format!("name {i}")).unwrap();
    }
    let state = w.store().read_state(&id).unwrap();
    assert_eq!(state.last_event, 12);
    let conn = rusqlite::Connection::open(dir.path().join("events.db")).unwrap();
    let events: i64 = conn
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert!(
        events < 3,
        "events before the last snapshot were compacted, {events} left"
    );
    w.close_session(&id).unwrap();
    let fresh = Workflow::open(dir.path()).unwrap();
    assert_eq!(fresh.store().read_state(&id).unwrap(), state);
    assert_eq!(
        fresh
            .page(&id, &PageQuery::default(), Control::default())
            .unwrap()
            .total,
        4
    );
}

#[test]
fn a_damaged_event_is_reported_and_other_sessions_stay_usable() {
    let dir = tempfile::tempdir().unwrap();
    let (bad, good) = {
        let w = Workflow::open(dir.path()).unwrap();
        (compared(&w), compared(&w))
    };
    let conn = rusqlite::Connection::open(dir.path().join("events.db")).unwrap();
    conn.execute(
        "UPDATE events SET payload = replace(payload, 'left.csv', 'LEFT.csv') WHERE session_id = ?1 AND event_id = 2",
        [&bad],
    )
    .unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let e = w.open_session(&bad, Control::default()).unwrap_err();
    assert!(matches!(e, Error::Corrupt { event: 2, .. }), "{e}");
    assert!(
        e.to_string().contains(&bad) && e.to_string().contains("event 2"),
        "{e}"
    );
    assert_eq!(
        w.page(&good, &PageQuery::default(), Control::default())
            .unwrap()
            .total,
        4
    );
}

#[test]
fn unknown_sessions_and_missing_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    assert!(matches!(
        w.open_session("nope", Control::default()),
        Err(Error::UnknownSession { .. })
    ));
    assert!(matches!(
        w.delete_session("nope"),
        Err(Error::UnknownSession { .. })
    ));
    let s = w.create_session("empty").unwrap();
    let e = w.compare(&s.id, Control::default()).unwrap_err();
    assert!(e.to_string().contains("no left file"), "{e}");
    w.load_bytes(
        &s.id,
        Side::Left,
        "l.csv",
        LEFT.as_bytes(),
        &LoadOptions::default(),
        Control::default(),
    )
    .unwrap();
    let bad = CompareConfig {
        keys: vec![ColumnPair::new("nope", "id")],
        ..CompareConfig::default()
    };
    assert!(matches!(
        w.set_config(&s.id, bad),
        Err(Error::UnknownColumn { .. })
    ));
    let e = w
        .load_bytes(
            &s.id,
            Side::Right,
            "bad.csv",
            b"a,b\n1\n",
            &LoadOptions::default(),
            Control::default(),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("bad.csv") && e.to_string().contains("line 2"),
        "{e}"
    );
    // The failed load changed nothing.
    assert!(w.session(&s.id).unwrap().right.is_none());
}

#[test]
fn gc_removes_only_unreferenced_old_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let orphan = w.store().blobs().put_bytes(b"nobody refers to me").unwrap();
    let report = w.gc(Duration::from_secs(3600)).unwrap();
    assert_eq!(report.removed, 0, "young blobs are kept");
    let report = w.gc(Duration::ZERO).unwrap();
    assert_eq!(report.removed, 1);
    assert!(!w.store().blobs().contains(&orphan));
    let fresh = Workflow::open(dir.path()).unwrap();
    assert_eq!(
        fresh
            .page(&id, &PageQuery::default(), Control::default())
            .unwrap()
            .total,
        4
    );
    fresh.delete_session(&id).unwrap();
    assert!(fresh.gc(Duration::ZERO).unwrap().removed >= 3);
    assert!(fresh.list_sessions().unwrap().is_empty());
}

#[test]
fn many_threads_read_load_compare_and_evict_without_losing_updates() {
    let dir = tempfile::tempdir().unwrap();
    let limits = StoreLimits {
        max_sessions: 2,
        ..StoreLimits::default()
    };
    let w = workflow_with(dir.path(), limits);
    let ids: Vec<String> = (0..3).map(|_| compared(&w)).collect();
    let renames = Arc::new(std::sync::atomic::AtomicU64::new(0));
    std::thread::scope(|scope| {
        for t in 0..8 {
            let w = w.clone();
            let ids = ids.clone();
            let renames = renames.clone();
            scope.spawn(move || {
                for i in 0..30 {
                    let id = &ids[(t + i) % ids.len()];
                    match (t + i) % 4 {
                        // A page, or the word that the result is out of date.
                        0 => match w.page(id, &PageQuery::default(), Control::default()) {
                            Ok(page) => assert_eq!(page.rows.len() % 4, 0),
                            Err(Error::NoResult { .. }) => {}
                            Err(e) => panic!("{e}"),
                        },
                        1 => {
                            let text = if i % 2 == 0 { RIGHT } else { LEFT };
                            w.load_bytes(
                                id,
                                Side::Right,
                                "r.csv",
                                text.as_bytes(),
                                &LoadOptions::default(),
                                Control::default(),
                            )
                            .unwrap();
                        }
                        2 => match w.compare(id, Control::default()) {
                            Ok(_) | Err(Error::Stale { .. }) => {}
                            Err(e) => panic!("{e}"),
                        },
                        _ => {
                            w.rename_session(id, &format!("t{t} i{i}")).unwrap();
                            renames.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    // Every event is in the log with no gap, and the folded state is what memory had.
    let conn = rusqlite::Connection::open(dir.path().join("events.db")).unwrap();
    for id in &ids {
        let state = w.store().read_state(id).unwrap();
        let fresh = SessionStore::open(dir.path())
            .unwrap()
            .read_state(id)
            .unwrap();
        assert_eq!(state, fresh);
        let (n, max): (i64, i64) = conn
            .query_row(
                "SELECT COUNT(*), COALESCE(MAX(event_id), 0) FROM events WHERE session_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let snapshot: i64 = conn
            .query_row(
                "SELECT COALESCE(MAX(event_id), 0) FROM snapshots WHERE session_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        let last = max.max(snapshot);
        assert_eq!(n, last - snapshot, "events of {id} have gaps");
        assert_eq!(last as u64, state.last_event);
    }
    assert_eq!(renames.load(std::sync::atomic::Ordering::Relaxed), 60);
    let _ = Event::Renamed {
        name: String::new(),
    };
}

#[test]
fn a_configuration_by_position_compares_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let config = CompareConfig {
        by_position: true,
        ..CompareConfig::default()
    };
    w.set_config(&id, config).unwrap();
    assert!(w.session(&id).unwrap().config.unwrap().by_position);
    let s = w.compare(&id, Control::default()).unwrap();
    assert_eq!(s.matched, 4, "{s:?}");
    let mode = |w: &Workflow| w.result_overview(&id).unwrap().mode;
    assert_eq!(mode(&w), crate::compare::Mode::Positional);
    // Without suggestions (and no key), rows are paired by content.
    let config = CompareConfig {
        use_suggestions: false,
        ..CompareConfig::default()
    };
    w.set_config(&id, config).unwrap();
    w.compare(&id, Control::default()).unwrap();
    assert_eq!(mode(&w), crate::compare::Mode::Content);
    let config = CompareConfig::default();
    w.set_config(&id, config).unwrap();
    assert_eq!(w.compare(&id, Control::default()).unwrap().matched, 3);
}

#[test]
fn a_failed_write_leaves_memory_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let before = w.store().with_session(&id, |d| d.state.clone()).unwrap();
    // Break the log under the store's feet: the next append cannot be written.
    let conn = rusqlite::Connection::open(dir.path().join("events.db")).unwrap();
    conn.execute("DROP TABLE events", []).unwrap();
    let e = w.rename_session(&id, "never").unwrap_err();
    assert!(matches!(e, Error::Storage { .. }), "{e}");
    let after = w.store().with_session(&id, |d| d.state.clone()).unwrap();
    assert_eq!(after, before);
}

#[test]
fn renaming_a_session_not_in_memory_loads_none_of_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let id = compared(&Workflow::open(dir.path()).unwrap());
    let w = Workflow::open(dir.path()).unwrap();
    let renamed = w.rename_session(&id, "renamed").unwrap();
    assert_eq!(renamed.name, "renamed");
    assert!(w.store().resident().is_empty());
    assert_eq!(w.list_sessions().unwrap()[0].name, "renamed");
    assert_eq!(
        w.open_session(&id, Control::default()).unwrap().name,
        "renamed"
    );
    assert_eq!(w.rename_session(&id, "again").unwrap().name, "again");
    assert_eq!(w.store().resident(), vec![id.clone()]);
    assert!(matches!(
        w.rename_session("nope", "x"),
        Err(Error::UnknownSession { .. })
    ));
}

#[test]
fn a_session_deleted_elsewhere_leaves_no_snapshot_behind() {
    let dir = tempfile::tempdir().unwrap();
    let a = Workflow::open(dir.path()).unwrap();
    let id = compared(&a);
    Workflow::open(dir.path())
        .unwrap()
        .delete_session(&id)
        .unwrap();
    // Closing writes a snapshot of the copy in memory; it must not revive the session.
    a.close_session(&id).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("events.db")).unwrap();
    let snapshots: i64 = conn
        .query_row("SELECT COUNT(*) FROM snapshots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(snapshots, 0);
    assert!(matches!(a.session(&id), Err(Error::UnknownSession { .. })));
    assert!(a.gc(Duration::ZERO).unwrap().removed >= 3);
}

#[test]
fn forks_share_stored_files_and_diverge_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let blobs_before = w.store().blobs().list().unwrap().len();
    let fork = w.fork_session(&id, "try tolerance").unwrap();
    assert_ne!(fork.id, id);
    assert_eq!(fork.name, "try tolerance");
    assert_eq!(fork.summary, w.session(&id).unwrap().summary);
    // No file was copied: both sessions name the same blobs.
    assert_eq!(w.store().blobs().list().unwrap().len(), blobs_before + 1); // + the snapshot
    let (a, b) = (
        w.store().read_state(&id).unwrap(),
        w.store().read_state(&fork.id).unwrap(),
    );
    assert_eq!((a.left, a.right), (b.left, b.right));
    // Changing the fork leaves the original alone.
    let mut cfg = keyed();
    cfg.rules.abs_tolerance = 5.0;
    w.set_config(&fork.id, cfg).unwrap();
    w.compare(&fork.id, Control::default()).unwrap();
    assert_eq!(w.session(&fork.id).unwrap().summary.unwrap().changed, 0);
    assert_eq!(w.session(&id).unwrap().summary.unwrap().changed, 2);
}

#[test]
fn the_overview_has_what_a_results_screen_needs() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let o = w.result_overview(&id).unwrap();
    assert_eq!(o.summary.changed, 2);
    assert_eq!(o.keys, vec![ColumnPair::new("id", "id")]);
    assert_eq!(o.left.path, "left.csv");
    assert_eq!((o.left.rows, o.right.rows), (4, 4));
    let amount = o.columns.iter().find(|c| c.left == "amount").unwrap();
    assert_eq!((amount.differences, amount.max_difference), (2, Some(5.0)));
    let v = serde_json::to_value(&o).unwrap();
    assert_eq!(v["left"]["delimiter"], ",");
    assert_eq!(v["mode"], "keyed");
}

#[test]
fn no_result_is_one_error_for_pages_exports_and_overviews() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    // Changing the settings makes the stored result out of date.
    let mut cfg = keyed();
    cfg.rules.trim = true;
    w.set_config(&id, cfg).unwrap();
    let errors = [
        w.page(&id, &PageQuery::default(), Control::default())
            .unwrap_err(),
        w.export_to(
            &id,
            crate::export::Format::Csv,
            None,
            &mut Vec::new(),
            Control::default(),
        )
        .unwrap_err(),
        w.result_overview(&id).unwrap_err(),
    ];
    for e in errors {
        assert!(matches!(e, Error::NoResult { .. }), "{e}");
        assert_eq!(e.http_status(), 409);
    }
}

#[test]
fn uploads_stream_to_the_store_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let s = w.create_session("upload").unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let report = |p: crate::progress::Progress| seen.lock().unwrap().push(p);
    let cancel = AtomicBool::new(false);
    let ctl = Control::new(&report, &cancel).with_job(3);
    let info = w
        .load_reader(
            &s.id,
            Side::Right,
            models::Upload {
                name: "up.csv".into(),
                reader: std::io::Cursor::new(RIGHT.as_bytes()),
                size: Some(RIGHT.len() as u64),
                limit: None,
            },
            &LoadOptions::default(),
            ctl,
        )
        .unwrap();
    assert_eq!((info.name.as_str(), info.rows), ("up.csv", Some(4)));
    let seen = seen.lock().unwrap().clone();
    assert!(seen
        .iter()
        .all(|p| p.job == 3 && p.side == Some(Side::Right)));
    assert!(seen
        .iter()
        .any(|p| p.phase == crate::progress::Phase::Storing && p.done == RIGHT.len() as u64));
    // A size limit refuses larger uploads, and nothing is loaded.
    let e = w
        .load_reader(
            &s.id,
            Side::Left,
            models::Upload {
                name: "big.csv".into(),
                reader: std::io::Cursor::new(LEFT.as_bytes()),
                size: None,
                limit: Some(10),
            },
            &LoadOptions::default(),
            Control::default(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("big.csv"), "{e}");
    assert!(matches!(e, Error::TooLarge { limit: 10, .. }), "{e}");
    assert_eq!(w.session(&s.id).unwrap().left, None);
    // Nothing of it was stored.
    assert!(!w
        .store()
        .blobs()
        .contains(&blake3::hash(&LEFT.as_bytes()[..10]).to_hex()));
    assert!(!w
        .store()
        .blobs()
        .contains(&blake3::hash(LEFT.as_bytes()).to_hex()));
}

#[test]
fn a_cancelled_load_or_view_leaves_the_session_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let before = w.session(&id).unwrap();
    // A file large enough to be parsed in several chunks.
    let mut big = String::from("id,v\n");
    for i in 0..400_000 {
        big.push_str(&format!("{i},{}\n", i * 7));
    }
    let path = dir.path().join("big.csv");
    std::fs::write(&path, &big).unwrap();
    // Cancel from the first progress report: the load must notice mid-way.
    let cancel = AtomicBool::new(false);
    let reports = std::sync::atomic::AtomicUsize::new(0);
    let report = |_p: crate::progress::Progress| {
        reports.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let ctl = Control::new(&report, &cancel);
    let e = w
        .load_file(&id, Side::Left, &path, &LoadOptions::default(), ctl)
        .unwrap_err();
    assert!(matches!(e, Error::Cancelled), "{e}");
    let after = w.session(&id).unwrap();
    assert_eq!(
        (after.left, after.summary, after.last_event),
        (before.left, before.summary, before.last_event)
    );
    // A view build stops too, and the next uncancelled query still works.
    let stop = AtomicBool::new(true);
    let ctl = Control {
        cancel: Some(&stop),
        ..Control::default()
    };
    let q = PageQuery {
        sort: SortBy::Column("amount".into()),
        ..PageQuery::default()
    };
    assert!(matches!(w.page(&id, &q, ctl), Err(Error::Cancelled)));
    assert_eq!(w.page(&id, &q, Control::default()).unwrap().total, 4);
    // Reopening reports per side and can be cancelled.
    w.close_session(&id).unwrap();
    assert!(matches!(w.open_session(&id, ctl), Err(Error::Cancelled)));
    let sides = std::sync::Mutex::new(std::collections::HashSet::new());
    let report = |p: crate::progress::Progress| {
        sides.lock().unwrap().insert(p.side);
    };
    let never = AtomicBool::new(false);
    w.open_session(&id, Control::new(&report, &never)).unwrap();
    assert!(sides
        .lock()
        .unwrap()
        .is_superset(&[Some(Side::Left), Some(Side::Right)].into_iter().collect()));
}

#[test]
fn pages_name_unknown_columns_instead_of_showing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    for q in [
        PageQuery {
            column: Some("nosuch".into()),
            ..PageQuery::default()
        },
        PageQuery {
            sort: SortBy::Column("nosuch".into()),
            ..PageQuery::default()
        },
    ] {
        let e = w.page(&id, &q, Control::default()).unwrap_err();
        assert!(matches!(e, Error::UnknownColumn { .. }), "{e}");
        assert!(e.to_string().contains("name, amount"), "{e}");
    }
}

#[test]
fn a_file_loads_whole_by_path_and_a_pipe_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(&dir.path().join("data")).unwrap();
    let s = w.create_session("paths").unwrap();
    let file = dir.path().join("left.csv");
    std::fs::write(&file, LEFT).unwrap();
    let info = w
        .load_file(
            &s.id,
            Side::Left,
            &file,
            &LoadOptions::default(),
            Control::default(),
        )
        .unwrap();
    assert_eq!(info.rows, Some(LEFT.lines().count() - 1));
    // The stored copy is the file, byte for byte.
    let input = w.store().read_state(&s.id).unwrap().left.unwrap();
    assert_eq!(
        std::fs::read(w.store().blobs().path(&input.blob)).unwrap(),
        LEFT.as_bytes()
    );

    #[cfg(unix)]
    {
        let fifo = dir.path().join("right.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let writer = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::write(fifo, RIGHT).unwrap())
            };
            let info = w
                .load_file(
                    &s.id,
                    Side::Right,
                    &fifo,
                    &LoadOptions::default(),
                    Control::default(),
                )
                .unwrap();
            writer.join().unwrap();
            assert_eq!(info.rows, Some(RIGHT.lines().count() - 1));
        }
    }
}

/// Two files of about 1.3 MB whose rows differ in every way: changed,
/// only on one side, a duplicated key, an empty key, a quoted line break.
fn large_pair(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (mut left, mut right) = (
        String::from("id,name,amount\n"),
        String::from("id,name,amount\n"),
    );
    for i in 0..40_000 {
        left.push_str(&format!("{i},name {i},{}\n", i * 3));
        match i % 10 {
            0 => {}
            1 => right.push_str(&format!("{i},name {i},{}\n", i * 3 + 1)),
            2 => right.push_str(&format!("{i},\"name\n{i}\",{}\n", i * 3)),
            3 => right.push_str(&format!("{},name {i},{}\n", i + 1_000_000, i * 3)),
            _ => right.push_str(&format!("{i},name {i},{}\n", i * 3)),
        }
    }
    left.push_str("7,again,1\n,empty,2\n");
    let (l, r) = (dir.join("left.csv"), dir.join("right.csv"));
    std::fs::write(&l, left).unwrap();
    std::fs::write(&r, right).unwrap();
    (l, r)
}

/// What a session shows of its comparison: the summary, pages (all rows,
/// filtered, sorted by a column) and the CSV and JSON exports.
fn shown(w: &Workflow, id: &str) -> (serde_json::Value, Vec<u8>) {
    let mut seen = Vec::new();
    let queries = [
        PageQuery {
            limit: 10_000,
            ..PageQuery::default()
        },
        PageQuery {
            offset: 5_000,
            limit: 500,
            statuses: vec![RowStatus::Changed, RowStatus::OnlyRight],
            sort: SortBy::Column("amount".into()),
            descending: true,
            ..PageQuery::default()
        },
        PageQuery {
            search: Some("name 39".into()),
            ..PageQuery::default()
        },
    ];
    for q in &queries {
        let page = w.page(id, q, Control::default()).unwrap();
        seen.push(serde_json::to_value(&page).unwrap());
    }
    let mut overview = serde_json::to_value(w.result_overview(id).unwrap()).unwrap();
    // How the files were compared is all that may differ between plans.
    overview.as_object_mut().unwrap().remove("plan");
    seen.push(overview);
    let mut exports = Vec::new();
    for format in [crate::export::Format::Csv, crate::export::Format::Json] {
        w.export_to(id, format, None, &mut exports, Control::default())
            .unwrap();
    }
    (serde_json::Value::Array(seen), exports)
}

#[test]
fn files_larger_than_memory_are_kept_on_disk_and_compare_as_in_memory() {
    let data = tempfile::tempdir().unwrap();
    let (left, right) = large_pair(data.path());
    let opts = LoadOptions::default();
    let session = |w: &Workflow| {
        let s = w.create_session("large").unwrap();
        let l = w
            .load_file(&s.id, Side::Left, &left, &opts, Control::default())
            .unwrap();
        let r = w
            .load_file(&s.id, Side::Right, &right, &opts, Control::default())
            .unwrap();
        (s.id, l, r)
    };
    let roomy = tempfile::tempdir().unwrap();
    let whole = Workflow::open(roomy.path())
        .unwrap()
        .with_memory_limit(crate::budget::MemoryBudget(1 << 40));
    let (whole_id, l, _) = session(&whole);
    assert!(!l.on_disk);

    let dir = tempfile::tempdir().unwrap();
    let small = Workflow::open(dir.path())
        .unwrap()
        .with_memory_limit(crate::budget::MemoryBudget(1 << 20));
    let (id, l, r) = session(&small);
    assert!(
        l.on_disk && r.on_disk,
        "files over a third of the limit go to disk"
    );
    assert_eq!(l.rows, Some(40_002));
    assert_eq!(l.table, whole.file(&whole_id, Side::Left).unwrap().table);
    // The tables' text is on disk, not in the session's memory.
    assert!(
        small.store().resident_bytes() < 100_000,
        "{}",
        small.store().resident_bytes()
    );

    // Suggestions, profiles and the key, then a keyed and a positional
    // comparison, each shown and exported as in memory.
    for (w, sid) in [(&whole, &whole_id), (&small, &id)] {
        let suggestions = w.suggestions(sid, Control::default()).unwrap();
        assert!(suggestions.keys.iter().any(|k| k.left == ["id"]));
        assert_eq!(
            w.profiles(sid, Side::Right, Control::default())
                .unwrap()
                .len(),
            3
        );
    }
    assert_eq!(
        small.suggestions(&id, Control::default()).unwrap(),
        whole.suggestions(&whole_id, Control::default()).unwrap()
    );
    for config in [
        CompareConfig::default(),
        keyed(),
        CompareConfig {
            use_suggestions: false,
            by_position: true,
            ..CompareConfig::default()
        },
    ] {
        for (w, sid) in [(&whole, &whole_id), (&small, &id)] {
            w.set_config(sid, config.clone()).unwrap();
            w.compare(sid, Control::default()).unwrap();
        }
        let expected = shown(&whole, &whole_id);
        assert_eq!(shown(&small, &id), expected);
        // The session says that it switched plans, and to which.
        assert_eq!(whole.result_overview(&whole_id).unwrap().plan, None);
        let overview = small.result_overview(&id).unwrap();
        let plan = overview.plan.unwrap();
        assert!(
            plan.contains("do not fit the memory limit (1 MiB)"),
            "{plan}"
        );
        let how = match overview.mode {
            crate::compare::Mode::Positional => "row by row",
            crate::compare::Mode::Keyed => "partitions on disk",
            crate::compare::Mode::Content => unreachable!("content pairing is in memory"),
        };
        assert!(plan.contains(how), "{plan}");
        // Pages and exports read the differing rows, copied out of the
        // tables on disk as the partitions were compared.
        let c = small.comparison(&id).unwrap();
        let with_left = c.result.rows.iter().filter(|r| r.left.is_some()).count();
        assert_eq!(c.left.num_rows(), with_left);
        assert!(config != keyed() || with_left < 40_002);
        assert!(expected.1.len() > 1 << 20, "a result larger than the limit");
    }
    // Reopened after a restart, the tables go to disk again and the stored
    // result is shown as it was.
    let before = shown(&small, &id);
    small.close_session(&id).unwrap();
    drop(small);
    let small = Workflow::open(dir.path())
        .unwrap()
        .with_memory_limit(crate::budget::MemoryBudget(1 << 20));
    small.open_session(&id, Control::default()).unwrap();
    assert!(small.file(&id, Side::Left).unwrap().on_disk);
    // The stored result's rows, larger than its share of the limit, are
    // read back into a file too.
    let rows = &small.comparison(&id).unwrap().result.rows;
    assert!(rows.len() * 20 > (1 << 20) / 8, "{} rows", rows.len());
    assert_eq!(rows.heap_bytes(), 0);
    assert_eq!(shown(&small, &id), before);
    // The plan was this process's to tell; the reopened result has none.
    assert_eq!(small.result_overview(&id).unwrap().plan, None);
}

#[test]
fn settings_changed_apply_at_once_and_are_found_again_after_a_restart() {
    use models::SettingsChange;
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("small.csv");
    std::fs::write(&file, "id,v\n1,a\n2,b\n").unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    // The data folder's size moves with every write: the settings are
    // compared without it.
    let settled = |s: models::Settings| models::Settings { data_bytes: 0, ..s };
    let before = w.settings();
    assert_eq!(before.reference_above, workflow::DEFAULT_REFERENCE_ABOVE);
    assert_eq!(before.problem, None);

    let change = SettingsChange {
        memory_limit: Some("3 GiB".into()),
        reference_above: Some("10".into()),
    };
    let after = w.set_settings(&change).unwrap();
    assert_eq!((after.memory_limit, after.reference_above), (3 << 30, 10));
    // In force at once, in every clone: a 14-byte file is now referenced.
    let clone = w.clone();
    assert_eq!(clone.memory_limit().0, 3 << 30);
    let s = clone.create_session("s").unwrap();
    clone
        .load_file(
            &s.id,
            Side::Left,
            &file,
            &LoadOptions::default(),
            Control::default(),
        )
        .unwrap();
    let state = w.store().read_state(&s.id).unwrap();
    assert!(
        state.left.as_ref().unwrap().reference.is_some(),
        "referenced, not copied"
    );

    // A size that does not read names the setting and changes nothing.
    for (bad, names) in [
        (
            SettingsChange {
                memory_limit: Some("lots".into()),
                ..Default::default()
            },
            "memory limit",
        ),
        (
            SettingsChange {
                memory_limit: Some("1K".into()),
                ..Default::default()
            },
            "memory limit",
        ),
        (
            SettingsChange {
                reference_above: Some("9 parsecs".into()),
                ..Default::default()
            },
            "reference files above",
        ),
    ] {
        let err = w.set_settings(&bad).unwrap_err();
        assert_eq!(err.code(), "invalid");
        assert!(err.to_string().starts_with(names), "{err}");
    }
    assert_eq!(settled(w.settings()), settled(after.clone()));

    // A restart finds them; an empty size goes back to the default, and
    // leaves the other setting as it was.
    drop((w, clone));
    let w = Workflow::open(dir.path()).unwrap();
    assert_eq!(
        (w.settings().memory_limit, w.settings().reference_above),
        (3 << 30, 10)
    );
    let reset = SettingsChange {
        reference_above: Some(" ".into()),
        ..Default::default()
    };
    let after = w.set_settings(&reset).unwrap();
    assert_eq!(after.reference_above, workflow::DEFAULT_REFERENCE_ABOVE);
    assert_eq!(after.memory_limit, 3 << 30);
    let w = Workflow::open(dir.path()).unwrap();
    assert_eq!(settled(w.settings()), settled(after));
}

#[test]
fn a_folder_is_refused_by_name_and_the_side_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(&dir.path().join("data")).unwrap();
    let id = w.create_session("s").unwrap().id;
    let e = w
        .load_file(
            &id,
            Side::Left,
            dir.path(),
            &LoadOptions::default(),
            Control::default(),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.path()),
        ("not_a_file", Some(&*dir.path().display().to_string()))
    );
    assert!(e.to_string().contains("is a folder"), "{e}");
    assert!(w.session(&id).unwrap().left.is_none());
}

#[test]
fn a_file_of_another_format_is_stored_with_its_format_and_reads_the_same_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = "{\"id\":1,\"name\":\"Ann\"}\n{\"id\":2,\"name\":\"Bob\"}\n";
    let id = {
        let w = Workflow::open(dir.path()).unwrap();
        let s = w.create_session("formats").unwrap();
        let load = |side, name: &str, text: &str, opts: &LoadOptions| {
            w.load_bytes(&s.id, side, name, text.as_bytes(), opts, Control::default())
                .unwrap()
        };
        let left = load(Side::Left, "people.jsonl", jsonl, &LoadOptions::default());
        assert_eq!(left.table.unwrap().format, "jsonl");
        // A CSV file whose name says JSON Lines, read as CSV on request:
        // stored without a format, as every CSV input is.
        let csv = LoadOptions {
            format: Some("csv".into()),
            ..LoadOptions::default()
        };
        let right = load(Side::Right, "people.jsonl", "id,name\n1,Ann\n2,Bo\n", &csv);
        assert_eq!(right.table.unwrap().format, "csv");
        s.id
    };
    let db = rusqlite::Connection::open(dir.path().join("events.db")).unwrap();
    let formats: Vec<u32> = db
        .prepare("SELECT format FROM events WHERE session_id = ?1 ORDER BY event_id")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // Created, the JSON Lines file (5: a release reading 4 would read it
    // as CSV), the CSV file (1: any release reads it).
    assert_eq!(formats, [1, 5, 1]);
    let w = Workflow::open(dir.path()).unwrap();
    let left = w.file(&id, Side::Left).unwrap().table.unwrap();
    let right = w.file(&id, Side::Right).unwrap().table.unwrap();
    assert_eq!((left.format.as_str(), left.columns.len()), ("jsonl", 2));
    assert_eq!((right.format.as_str(), right.columns.len()), ("csv", 2));
    w.set_config(&id, keyed()).unwrap();
    let summary = w.compare(&id, Control::default()).unwrap();
    assert_eq!((summary.identical, summary.changed), (1, 1));
    // Its portable file is version 4, which releases reading 3 refuse
    // instead of reading the JSON Lines file as CSV; one with CSV files
    // only is still 3. Both import with their formats.
    let file = dir.path().join("formats.concord");
    w.export_session(&id, &file).unwrap();
    let first_line = |p: &std::path::Path| {
        let text = std::fs::read(p).unwrap();
        let end = text.iter().position(|&b| b == b'\n').unwrap();
        String::from_utf8(text[..end].to_vec()).unwrap()
    };
    assert_eq!(first_line(&file), "CONCORD-SESSION 4");
    let imported = w.import_session(&file).unwrap();
    let left = w.file(&imported.id, Side::Left).unwrap().table.unwrap();
    assert_eq!(left.format, "jsonl");
    let plain = compared(&w);
    let file = dir.path().join("plain.concord");
    w.export_session(&plain, &file).unwrap();
    assert_eq!(first_line(&file), "CONCORD-SESSION 3");
}

#[test]
fn an_untitled_session_takes_its_files_names_apart_from_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let loaded = || {
        let s = w.create_session(naming::UNTITLED).unwrap();
        for (side, text) in [(Side::Left, LEFT), (Side::Right, RIGHT)] {
            let file = if side == Side::Left {
                "left.csv"
            } else {
                "right.csv"
            };
            w.load_bytes(
                &s.id,
                side,
                file,
                text.as_bytes(),
                &LoadOptions::default(),
                Control::default(),
            )
            .unwrap();
            if side == Side::Left {
                assert_eq!(
                    w.session(&s.id).unwrap().name,
                    naming::UNTITLED,
                    "named once both are in"
                );
            }
        }
        w.session(&s.id).unwrap().name
    };
    let first = loaded();
    let second = loaded();
    assert_eq!(first, "left.csv vs right.csv");
    assert_eq!(
        second,
        format!("left.csv vs right.csv ({})", naming::today())
    );
    // A session the user named keeps its name.
    let s = w.create_session("March").unwrap();
    for side in [Side::Left, Side::Right] {
        w.load_bytes(
            &s.id,
            side,
            "a.csv",
            LEFT.as_bytes(),
            &LoadOptions::default(),
            Control::default(),
        )
        .unwrap();
    }
    assert_eq!(w.session(&s.id).unwrap().name, "March");
}

#[test]
fn lines_skipped_above_a_header_are_stored_and_skipped_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Orders in March\nid,name,amount\n1,Ann,10\n";
    let opts = LoadOptions {
        skip_lines: 1,
        ..LoadOptions::default()
    };
    let id = {
        let w = Workflow::open(dir.path()).unwrap();
        let s = w.create_session("titled").unwrap();
        let f = w
            .load_bytes(
                &s.id,
                Side::Left,
                "orders.csv",
                text.as_bytes(),
                &opts,
                Control::default(),
            )
            .unwrap();
        assert_eq!(f.table.unwrap().columns, ["id", "name", "amount"]);
        s.id
    };
    let last = last_event_format(dir.path(), &id);
    assert_eq!(
        last, 6,
        "a release reading 5 would read the title as the header"
    );
    let w = Workflow::open(dir.path()).unwrap();
    let again = w.file(&id, Side::Left).unwrap().table.unwrap();
    assert_eq!(again.columns, ["id", "name", "amount"]);
}

#[test]
fn a_compressed_file_is_stored_as_it_came_and_read_again_after_a_restart() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(LEFT.as_bytes()).unwrap();
    let packed = gz.finish().unwrap();
    let id = {
        let w = Workflow::open(dir.path()).unwrap();
        let s = w.create_session("packed").unwrap();
        let f = w
            .load_bytes(
                &s.id,
                Side::Left,
                "nightly.csv.gz",
                &packed,
                &LoadOptions::default(),
                Control::default(),
            )
            .unwrap();
        let table = f.table.unwrap();
        assert_eq!(table.columns, ["id", "name", "amount"]);
        assert_eq!(table.compression.as_deref(), Some("gzip"));
        // The copy kept is the file as it came: compressed.
        assert_eq!(f.bytes, packed.len() as u64);
        s.id
    };
    let last = last_event_format(dir.path(), &id);
    assert_eq!(
        last, 7,
        "a release before compression would read gzip as text"
    );
    let w = Workflow::open(dir.path()).unwrap();
    let again = w.file(&id, Side::Left).unwrap().table.unwrap();
    assert_eq!(
        (again.rows, again.compression.as_deref()),
        (4, Some("gzip"))
    );
}

#[test]
fn a_workbooks_sheet_is_stored_and_read_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let book = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/workbooks/people.xlsx"),
    )
    .unwrap();
    let more = LoadOptions {
        sheet: Some("3".into()),
        ..LoadOptions::default()
    };
    let id = {
        let w = Workflow::open(dir.path()).unwrap();
        let s = w.create_session("book").unwrap();
        for (side, opts) in [(Side::Left, LoadOptions::default()), (Side::Right, more)] {
            w.load_bytes(&s.id, side, "people.xlsx", &book, &opts, Control::default())
                .unwrap();
        }
        s.id
    };
    let last = last_event_format(dir.path(), &id);
    assert_eq!(
        last, 7,
        "a release before workbooks would read the ZIP as text"
    );
    let w = Workflow::open(dir.path()).unwrap();
    let left = w.file(&id, Side::Left).unwrap().table.unwrap();
    let right = w.file(&id, Side::Right).unwrap().table.unwrap();
    assert_eq!(
        (left.format.as_str(), left.sheet.as_deref()),
        ("workbook", Some("Data"))
    );
    assert_eq!(left.sheets, ["Cover", "Data", "More"]);
    assert_eq!(
        (right.sheet.as_deref(), right.columns.len()),
        (Some("More"), 2)
    );
}

#[test]
fn the_overview_counts_the_rows_the_result_lists_duplicates_included() {
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let s = w.create_session("dups").unwrap();
    let left = "id,v\n1,a\n1,b\n1,c\n2,x\n";
    let right = "id,v\n1,a\n2,y\n";
    for (side, text) in [(Side::Left, left), (Side::Right, right)] {
        w.load_bytes(
            &s.id,
            side,
            "f.csv",
            text.as_bytes(),
            &LoadOptions::default(),
            Control::default(),
        )
        .unwrap();
    }
    w.set_config(&s.id, keyed()).unwrap();
    w.compare(&s.id, Control::default()).unwrap();
    let overview = w.result_overview(&s.id).unwrap();
    let all = w
        .page(&s.id, &PageQuery::default(), Control::default())
        .unwrap()
        .total;
    assert_eq!(overview.rows, all);
    // The summary counts repeated keys, not their rows.
    let s = &overview.summary;
    assert_ne!(
        (s.changed + s.only_left + s.only_right + s.duplicate_keys_left + s.duplicate_keys_right)
            as usize,
        all
    );
}

/// The page rows of session `id`, by their key.
fn rows_by_key(w: &Workflow, id: &str) -> std::collections::HashMap<String, models::PageRow> {
    let page = w
        .page(id, &PageQuery::default(), Control::default())
        .unwrap();
    page.rows
        .into_iter()
        .map(|r| (r.key.join(","), r))
        .collect()
}

#[test]
fn choices_reconcile_the_left_file_and_survive_a_restart() {
    use reconcile::{Choice, Reconciled, Scope, Take};
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let w = Workflow::open(dir.path()).unwrap();
        let id = compared(&w);
        let rows = rows_by_key(&w, &id);
        let (three, four) = (rows["3"].index, rows["4"].index);
        let choose = |take, scope| {
            w.choose(&id, Choice { take, scope }, Control::default())
                .unwrap()
        };
        let cell = |row: usize| Scope::Cell {
            row: row as u32,
            column: "amount".into(),
        };
        // Every difference taken, then some declined again: later wins.
        choose(
            Take::Right,
            Scope::Filter {
                statuses: vec![],
                column: None,
                search: None,
            },
        );
        choose(Take::Left, cell(three));
        choose(Take::Left, Scope::Row { row: four as u32 });
        let counts = w.reconciliation(&id, Control::default()).unwrap();
        assert_eq!(
            (counts.taken, counts.kept, counts.open, counts.choices),
            (2, 2, 0, 3)
        );
        assert_eq!(last_event_format(dir.path(), &id), 8);
        id
    };
    // Reopened: the choices are still there, on the page and in the file.
    let w = Workflow::open(dir.path()).unwrap();
    let rows = rows_by_key(&w, &id);
    assert_eq!(rows["2"].changes[0].choice, Some(reconcile::Take::Right));
    assert_eq!(rows["3"].changes[0].choice, Some(reconcile::Take::Left));
    assert_eq!(rows["4"].choice, Some(reconcile::Take::Left));
    assert_eq!(rows["5"].choice, Some(reconcile::Take::Right));
    let mut file = Vec::new();
    w.save_reconciled_to(&id, Reconciled::File, &mut file, Control::default())
        .unwrap();
    // Ed goes where the right file has him (its row 4), before the row
    // whose removal was declined.
    assert_eq!(
        String::from_utf8(file).unwrap(),
        "id,name,amount\n1,Ann,10\n2,Bob,25\n3,Cy,30\n5,Ed,50\n4,Di,40\n"
    );
    let mut patch = Vec::new();
    w.save_reconciled_to(&id, Reconciled::Patch, &mut patch, Control::default())
        .unwrap();
    let patch = String::from_utf8(patch).unwrap();
    assert!(
        patch.contains("change,,2,amount,,,20,25") && patch.contains("add,4,5,,,Ed,,50"),
        "{patch}"
    );
    assert!(
        !patch.contains(",3,") && !patch.contains("remove"),
        "{patch}"
    );
    assert_eq!(
        w.reconciled_name(&id, Reconciled::File).unwrap(),
        "left-reconciled.csv"
    );
    // A new configuration is a new comparison: its choices start afresh.
    w.set_config(&id, keyed()).unwrap();
    w.compare(&id, Control::default()).unwrap();
    assert_eq!(
        w.reconciliation(&id, Control::default()).unwrap().choices,
        0
    );
}

#[test]
fn a_choice_about_what_the_result_does_not_have_is_refused() {
    use reconcile::{Choice, Scope, Take};
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(dir.path()).unwrap();
    let id = compared(&w);
    let rows = rows_by_key(&w, &id);
    let refused = |scope| {
        w.choose(
            &id,
            Choice {
                take: Take::Right,
                scope,
            },
            Control::default(),
        )
        .unwrap_err()
        .to_string()
    };
    assert!(refused(Scope::Column {
        column: "price".into()
    })
    .contains("price"));
    assert!(refused(Scope::Row { row: 99 }).contains("no row 99"));
    let only_left = rows["4"].index as u32;
    assert!(refused(Scope::Cell {
        row: only_left,
        column: "amount".into()
    })
    .contains("no changed cell"));
    assert_eq!(
        w.reconciliation(&id, Control::default()).unwrap().choices,
        0
    );
}

#[test]
fn a_portable_copy_keeps_the_choices_and_says_its_version() {
    use reconcile::{Choice, Scope, Take};
    let dir = tempfile::tempdir().unwrap();
    let w = Workflow::open(&dir.path().join("a")).unwrap();
    let id = compared(&w);
    let plain = dir.path().join("plain.concord");
    w.export_session(&id, &plain).unwrap();
    let first_line = |p: &std::path::Path| {
        let text = std::fs::read(p).unwrap();
        String::from_utf8_lossy(&text[..text.iter().position(|&b| b == b'\n').unwrap()])
            .into_owned()
    };
    // Without choices, a version releases before choices import (3 for
    // a CSV session).
    assert!(first_line(&plain).ends_with(" 3"), "{}", first_line(&plain));
    let choice = Choice {
        take: Take::Right,
        scope: Scope::Column {
            column: "amount".into(),
        },
    };
    w.choose(&id, choice, Control::default()).unwrap();
    let path = dir.path().join("s.concord");
    w.export_session(&id, &path).unwrap();
    assert!(first_line(&path).ends_with(" 6"), "{}", first_line(&path));
    let other = Workflow::open(&dir.path().join("b")).unwrap();
    let imported = other.import_session(&path).unwrap();
    let r = other
        .reconciliation(&imported.id, Control::default())
        .unwrap();
    assert_eq!((r.taken, r.choices), (2, 1));
}
