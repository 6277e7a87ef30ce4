//! The out-of-core plan against the in-memory one: files compared in
//! partitions on disk (forced by a tiny memory budget) must give the very
//! same export, byte for byte, in every format, as the files read whole.

mod common;

use common::exports::{every_export, same_exports, Exports};
use common::Rng;
use concord::budget::MemoryBudget;
use concord::compare::Comparison;
use concord::compare::{ColumnPair, CompareConfig, Mode};
use concord::export::{Format, Report};
use concord::plan::{compare_files, compare_loaded, Resources, Strategy};
use concord::table::load_to_disk;
use concord::{Control, Error, LoadOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

/// Compares `left` with `right` by path, as the command line does.
fn compared(
    left: &Path,
    right: &Path,
    config: &CompareConfig,
    resources: &Resources,
    ctl: Control<'_>,
) -> Result<(Comparison, Strategy), Error> {
    let opts = concord::SideOptions::default();
    compare_files(left, right, &opts, config, resources, &|_, _| {}, ctl)
}

/// Every export of comparing `left` with `right` under `budget`, and how
/// the comparison was made.
fn exports(
    left: &Path,
    right: &Path,
    config: &CompareConfig,
    budget: MemoryBudget,
    spill: &Path,
) -> Result<(Exports, Strategy), Error> {
    let resources = Resources {
        budget,
        spill_dir: spill.to_path_buf(),
    };
    let (c, strategy) = compared(left, right, config, &resources, Control::default())?;
    Ok((every_export(Report::of(&c))?, strategy))
}

/// Every export of comparing `left` with `right` read into tables on disk,
/// a partition at a time (as a session holding files larger than its
/// memory compares them).
fn exports_on_disk(
    left: &Path,
    right: &Path,
    config: &CompareConfig,
    spill: &Path,
) -> Result<(Exports, Strategy), Error> {
    let (opts, ctl) = (LoadOptions::default(), Control::default());
    let l = load_to_disk(left, &opts, 4096, spill, ctl)?;
    let r = load_to_disk(right, &opts, 4096, spill, ctl)?;
    assert!(l.on_disk() || l.num_rows() == 0);
    let resources = Resources {
        budget: MemoryBudget(1),
        spill_dir: spill.to_path_buf(),
    };
    let done = compare_loaded(&l, &r, config, &resources, ctl)?;
    let copies = done.copies.as_ref().expect("compared in partitions");
    let from_copies = every_export(Report {
        left: &copies.left,
        right: &copies.right,
        result: &copies.result,
    })?;
    // The result as a session stores it, pointing into the whole tables.
    let from_whole = every_export(Report {
        left: &l,
        right: &r,
        result: &done.result,
    })?;
    assert!(from_copies == from_whole, "{}", left.display());
    Ok((from_whole, done.strategy))
}

/// Compares both ways, checks the exports agree and spill files are gone,
/// and returns the number of partitions (or blocks, by position).
fn same_both_ways(left: &Path, right: &Path, config: &CompareConfig) -> usize {
    let spill = tempfile::tempdir().unwrap();
    let (whole, s) = exports(
        left,
        right,
        config,
        MemoryBudget(u64::MAX / 4),
        spill.path(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", left.display()));
    assert_eq!(s, Strategy::InMemory);
    let (parts, s) = exports(left, right, config, MemoryBudget(1), spill.path()).unwrap();
    let json = &parts.iter().find(|p| p.0 == Format::Json).unwrap().1;
    let positional = String::from_utf8_lossy(json).contains(r#""mode":"positional""#);
    let partitions = match s {
        Strategy::Partitioned(n) if !positional => n,
        Strategy::Streamed(n) if positional => n,
        s => panic!(
            "a tiny budget compares in partitions (by key) or streams (by position), not {s:?}"
        ),
    };
    same_exports(left, right, &whole, &parts, "partitioned");
    let (tables, s) = exports_on_disk(left, right, config, spill.path()).unwrap();
    assert!(
        matches!(
            (s, positional),
            (Strategy::Partitioned(_), false) | (Strategy::Streamed(_), true)
        ),
        "{s:?}"
    );
    same_exports(
        left,
        right,
        &whole,
        &tables,
        "tables on disk, in partitions",
    );
    assert_eq!(std::fs::read_dir(spill.path()).unwrap().count(), 0);
    partitions
}

/// Rows paired by position, nothing suggested.
fn positional() -> CompareConfig {
    CompareConfig {
        use_suggestions: false,
        by_position: true,
        ..CompareConfig::default()
    }
}

/// Compares with suggestions, in memory and in a tiny budget. Pairing rows
/// by content (for want of a key) needs the files in memory: outside it,
/// rows are compared by position, and the result says so.
fn same_both_ways_or_by_position(left: &Path, right: &Path) {
    let config = CompareConfig::default();
    let spill = tempfile::tempdir().unwrap();
    let resources = |budget| Resources {
        budget,
        spill_dir: spill.path().to_path_buf(),
    };
    let whole = compared(
        left,
        right,
        &config,
        &resources(MemoryBudget(u64::MAX / 4)),
        Control::default(),
    )
    .unwrap()
    .0;
    if whole.result.mode != Mode::Content {
        same_both_ways(left, right, &config);
        return;
    }
    let parts = compared(
        left,
        right,
        &config,
        &resources(MemoryBudget(1)),
        Control::default(),
    )
    .unwrap()
    .0;
    assert_eq!(parts.result.mode, Mode::Positional);
    let notes = parts.result.notes.join("\n");
    assert!(
        notes
            .contains("compared outside memory, where rows without a key are compared by position"),
        "{notes}"
    );
}

fn keyed(key: &str) -> CompareConfig {
    CompareConfig {
        keys: vec![ColumnPair::new(key, key)],
        ..CompareConfig::default()
    }
}

#[test]
fn every_fixture_compares_the_same_in_partitions() {
    let pairs = [
        ("csv-align/file_a.csv", "csv-align/file_b.csv"),
        ("daff/bridges.csv", "daff/broken_bridges.csv"),
        ("daff/quote_me.csv", "daff/quote_me2.csv"),
        ("daff/waffle.csv", "daff/waffle2.csv"),
        ("daff/wide1.csv", "daff/wide2.csv"),
        ("qsv/boston311-100.csv", "qsv/boston311-100-diff.csv"),
    ];
    for (l, r) in pairs {
        let (l, r) = (fixture(l), fixture(r));
        // Suggested key and pairs, then rows by position.
        same_both_ways_or_by_position(&l, &r);
        same_both_ways(&l, &r, &positional());
    }
}

/// A pair of files of `rows` rows with changed cells, rows on one side
/// only, repeated and empty keys, quoted line breaks and numbers.
fn generated(dir: &Path, seed: u64, rows: u64) -> (PathBuf, PathBuf) {
    let mut rng = Rng(seed);
    let mut left = String::from("id,name,amount,note\n");
    let mut right = String::from("id,name,amount,note\n");
    for i in 0..rows {
        let id = match rng.below(40) {
            0 => String::new(),
            1 => format!("{}", i / 2),
            _ => format!("{i}"),
        };
        let name = if rng.below(10) == 0 {
            format!("\"line\nbreak {i}, with comma\"")
        } else {
            format!("name {i}")
        };
        let amount = format!("{}.{:02}", rng.below(1000), rng.below(100));
        let note = if rng.below(5) == 0 {
            "\"a \"\"quote\"\"\""
        } else {
            ""
        };
        let row = format!("{id},{name},{amount},{note}\n");
        match rng.below(20) {
            0 => left.push_str(&row),
            1 => right.push_str(&row),
            2 => {
                left.push_str(&row);
                right.push_str(&format!("{id},{name},{}.5,{note}\n", rng.below(1000)));
            }
            3 => {
                left.push_str(&row);
                right.push_str(&format!("{id},{name},{amount}0,changed\r\n"));
            }
            _ => {
                left.push_str(&row);
                right.push_str(&row);
            }
        }
    }
    let (l, r) = (
        dir.join(format!("l{seed}.csv")),
        dir.join(format!("r{seed}.csv")),
    );
    std::fs::write(&l, left).unwrap();
    std::fs::write(&r, right).unwrap();
    (l, r)
}

#[test]
fn generated_pairs_compare_the_same_in_partitions() {
    let dir = tempfile::tempdir().unwrap();
    // Larger than a first piece (256 KiB), so that later pieces are read.
    for seed in 1..=4 {
        let (l, r) = generated(dir.path(), seed * 7919, 12_000);
        let mut loose = keyed("name");
        loose.rules.trim = true;
        loose.rules.ignore_case = true;
        loose.rules.abs_tolerance = 0.5;
        // Suggestions are made from the first piece of each file, so their
        // scores differ on files larger than one; fixtures cover them.
        for config in [keyed("id"), positional(), loose] {
            let partitions = same_both_ways(&l, &r, &config);
            assert!(partitions > 4, "{partitions} partitions");
        }
    }
}

#[test]
fn rows_paired_by_position_are_compared_without_spill_files() {
    let dir = tempfile::tempdir().unwrap();
    let (l, r) = generated(dir.path(), 5, 6000);
    let by_position = positional();
    let spill = tempfile::tempdir().unwrap();
    let (streamed, s) = exports(&l, &r, &by_position, MemoryBudget(1), spill.path()).unwrap();
    assert!(matches!(s, Strategy::Streamed(n) if n > 4), "{s:?}");
    let (whole, _) = exports(
        &l,
        &r,
        &by_position,
        MemoryBudget(u64::MAX / 4),
        spill.path(),
    )
    .unwrap();
    assert_eq!(streamed, whole);
}

#[test]
fn a_result_larger_than_its_memory_is_read_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (l, r) = generated(dir.path(), 5, 6000);
    let by_position = positional();
    let spill = tempfile::tempdir().unwrap();
    let resources = Resources {
        budget: MemoryBudget(1),
        spill_dir: spill.path().to_path_buf(),
    };
    for config in [&by_position, &keyed("id")] {
        let (c, _) = compared(&l, &r, config, &resources, Control::default()).unwrap();
        assert!(c.result.rows.len() > 500, "{} rows", c.result.rows.len());
        for t in [&c.left, &c.right] {
            // Column names and the description stay in memory; the rows'
            // text and offsets do not.
            assert!(t.num_rows() > 250, "{} rows", t.num_rows());
            assert!(t.heap_bytes() < 1024, "{} bytes in memory", t.heap_bytes());
        }
        // The result's files have no name: nothing to clean up, even
        // after a crash.
        let left_over: Vec<_> = std::fs::read_dir(spill.path()).unwrap().collect();
        assert!(left_over.is_empty(), "{left_over:?}");
    }
    // Where the result cannot go to disk, the error says where it tried.
    let nowhere = dir.path().join("l5.csv").join("spill");
    for config in [&by_position, &keyed("id")] {
        let resources = Resources {
            spill_dir: nowhere.clone(),
            ..resources.clone()
        };
        let err = compared(&l, &r, config, &resources, Control::default())
            .expect_err("the spill directory cannot exist");
        assert!(
            err.to_string().contains(&*nowhere.to_string_lossy()),
            "{err}"
        );
    }
}

/// Files under `dir`, at any depth.
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => files_under(&e.path()),
                _ => 1,
            })
            .sum()
    })
}

#[test]
fn cancel_and_errors_leave_no_spill_files() {
    let dir = tempfile::tempdir().unwrap();
    // Larger than a first piece (256 KiB): later pieces are read, and
    // their rows spilled, after the spill directory exists.
    let (l, r) = generated(dir.path(), 42, 30_000);
    let spill = tempfile::tempdir().unwrap();
    let resources = Resources {
        budget: MemoryBudget(1),
        spill_dir: spill.path().to_path_buf(),
    };
    let run = |ctl| compared(&l, &r, &keyed("id"), &resources, ctl);
    // The most spill files seen by a progress report, and the reports
    // seen while comparing; the test is only worth something if the
    // files existed when the run stopped.
    let most = std::sync::atomic::AtomicUsize::new(0);
    let comparing = std::sync::atomic::AtomicUsize::new(0);
    let cancel = AtomicBool::new(false);
    let watch = |p: concord::Progress, cancel_after: Option<usize>| {
        most.fetch_max(files_under(spill.path()), Ordering::Relaxed);
        if p.phase == concord::Phase::Comparing {
            let n = comparing.fetch_add(1, Ordering::Relaxed) + 1;
            if cancel_after.is_some_and(|after| n >= after) {
                cancel.store(true, Ordering::Relaxed);
            }
        }
    };

    // Cancelled mid-way through the partitions.
    let progress = |p| watch(p, Some(3));
    assert!(matches!(
        run(Control::new(&progress, &cancel)),
        Err(Error::Cancelled)
    ));
    assert!(
        most.load(Ordering::Relaxed) > 2,
        "nothing was spilled before the cancel"
    );
    assert_eq!(files_under(spill.path()), 0);
    assert_eq!(std::fs::read_dir(spill.path()).unwrap().count(), 0);

    // A broken record at the end of the right file, read after both files
    // were partly spilled.
    let mut text = std::fs::read_to_string(&r).unwrap();
    text.push_str("1,too,many,fields,here\n");
    std::fs::write(&r, text).unwrap();
    most.store(0, Ordering::Relaxed);
    let never = AtomicBool::new(false);
    let progress = |p| watch(p, None);
    let err = run(Control::new(&progress, &never)).expect_err("a broken file fails");
    assert_eq!(err.code(), "field_count", "{err}");
    assert!(
        most.load(Ordering::Relaxed) > 0,
        "nothing was spilled before the error"
    );
    let whole = concord::load_path(&r, &LoadOptions::default(), Control::default()).unwrap_err();
    assert_eq!(err.to_string(), whole.to_string());
    assert_eq!(std::fs::read_dir(spill.path()).unwrap().count(), 0);

    // An unknown key column fails before anything is spilled.
    let err = compared(&l, &l, &keyed("nope"), &resources, Control::default())
        .expect_err("no such column");
    assert_eq!(err.code(), "unknown_column");
    assert_eq!(std::fs::read_dir(spill.path()).unwrap().count(), 0);
}
