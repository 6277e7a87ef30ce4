//! Times the durable session layer: committing an event, reopening a
//! session that holds two large files and a result, fetching result pages,
//! and how soon a cancelled load of a large file returns.
//!
//! Usage: cargo run --release --example sessions_speed -- LEFT RIGHT
//! With the standard workload (bench/data/left.csv and right.csv, ~123 MB
//! each, made by the gen_workload example):
//!   cargo run --release --example sessions_speed -- bench/data/left.csv bench/data/right.csv

use concord::backend::models::{PageQuery, SortBy};
use concord::backend::Workflow;
use concord::compare::{ColumnPair, CompareConfig, RowStatus};
use concord::{Control, LoadOptions, Side};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), concord::Error> {
    let args: Vec<String> = std::env::args().collect();
    let (left, right) = (
        std::path::Path::new(&args[1]),
        std::path::Path::new(&args[2]),
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let w = Workflow::open(dir.path())?;

    let s = w.create_session("bench")?;
    let mut commits = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        w.rename_session(&s.id, &format!("bench {i}"))?;
        commits.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "event commit (rename, fsync'd): median {:.2} ms, max {:.2} ms over 200",
        median(commits.clone()),
        commits.iter().cloned().fold(0.0, f64::max)
    );

    let t = Instant::now();
    w.load_file(
        &s.id,
        Side::Left,
        left,
        &LoadOptions::default(),
        Control::default(),
    )?;
    w.load_file(
        &s.id,
        Side::Right,
        right,
        &LoadOptions::default(),
        Control::default(),
    )?;
    println!(
        "store and load both files: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    w.set_config(
        &s.id,
        CompareConfig {
            keys: vec![ColumnPair::new("id", "id")],
            ..CompareConfig::default()
        },
    )?;
    let t = Instant::now();
    let summary = w.compare(&s.id, Control::default())?;
    println!(
        "compare and store the result: {:.2} s ({} changed)",
        t.elapsed().as_secs_f64(),
        summary.changed
    );

    let mut reopen = Vec::new();
    for _ in 0..3 {
        w.close_session(&s.id)?;
        let fresh = Workflow::open(dir.path())?;
        let t = Instant::now();
        let info = fresh.open_session(&s.id, concord::Control::default())?;
        reopen.push(t.elapsed().as_secs_f64());
        assert_eq!(
            info.summary.as_ref().map(|x| x.changed),
            Some(summary.changed)
        );
    }
    println!(
        "reopen the session (two files + result, after a restart): median {:.3} s",
        median(reopen)
    );

    // Pages of a result of about a million rows: compare without a key (by
    // position), as the right file is shuffled nearly every row differs.
    w.set_config(
        &s.id,
        CompareConfig {
            use_suggestions: false,
            by_position: true,
            ..CompareConfig::default()
        },
    )?;
    let positional = w.compare(&s.id, Control::default())?;
    println!(
        "positional result: {} changed, {} matched",
        positional.changed, positional.matched
    );
    let total = w
        .page(&s.id, &PageQuery::default(), concord::Control::default())?
        .total;
    let mut pages = Vec::new();
    for i in 0..50 {
        let q = PageQuery {
            offset: (i * 19_997) % total,
            limit: 100,
            ..PageQuery::default()
        };
        let t = Instant::now();
        w.page(&s.id, &q, concord::Control::default())?;
        pages.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "page of 100 rows out of {total}: median {:.2} ms, max {:.2} ms",
        median(pages.clone()),
        pages.iter().cloned().fold(0.0, f64::max)
    );
    for (label, q) in [
        (
            "filtered by status",
            PageQuery {
                statuses: vec![RowStatus::OnlyRight],
                ..PageQuery::default()
            },
        ),
        (
            "filtered by column",
            PageQuery {
                column: Some("amount".into()),
                ..PageQuery::default()
            },
        ),
        (
            "sorted by key",
            PageQuery {
                sort: SortBy::Key,
                ..PageQuery::default()
            },
        ),
        (
            "sorted by column",
            PageQuery {
                sort: SortBy::Column("amount".into()),
                ..PageQuery::default()
            },
        ),
        (
            "text search",
            PageQuery {
                search: Some("kowalski".into()),
                ..PageQuery::default()
            },
        ),
    ] {
        let t = Instant::now();
        let first = w.page(&s.id, &q, concord::Control::default())?;
        let first_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        w.page(
            &s.id,
            &PageQuery {
                offset: first.total / 2,
                ..q.clone()
            },
            concord::Control::default(),
        )?;
        println!("{label}: first page {first_ms:.1} ms (builds the view of {} rows), later pages {:.2} ms", first.total, t.elapsed().as_secs_f64() * 1000.0);
    }

    // Cancel the load of the left file at several moments, from another
    // thread, and time from the cancel to the return; a cancelled load must
    // leave the session as it was.
    let mut latencies = Vec::new();
    for delay_ms in [2u64, 10, 20, 40, 60, 80, 100, 120] {
        let before = w.session(&s.id)?;
        let cancel = AtomicBool::new(false);
        let cancelled_at = std::sync::Mutex::new(None);
        let ctl = Control {
            cancel: Some(&cancel),
            ..Control::default()
        };
        let (outcome, returned) = std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(delay_ms));
                *cancelled_at.lock().unwrap() = Some(Instant::now());
                cancel.store(true, Ordering::Relaxed);
            });
            let r = w.load_file(&s.id, Side::Left, left, &LoadOptions::default(), ctl);
            (r, Instant::now())
        });
        let at = *cancelled_at.lock().unwrap();
        if let (Err(concord::Error::Cancelled), Some(at)) = (outcome, at) {
            latencies.push(returned.duration_since(at).as_secs_f64() * 1000.0);
            let after = w.session(&s.id)?;
            assert_eq!(
                after.last_event, before.last_event,
                "a cancelled load changed the session"
            );
        }
    }
    println!(
        "cancel a load of {} MB: returned {:.1} ms median, {:.1} ms max after the cancel ({} of 8 loads cancelled mid-way)",
        std::fs::metadata(left).map_or(0, |m| m.len()) >> 20,
        median(latencies.clone()),
        latencies.iter().cloned().fold(0.0, f64::max),
        latencies.len()
    );
    Ok(())
}
