//! The plan of a comparison of two files or two loaded tables: in memory
//! when they fit the memory budget ([`crate::budget`]), and otherwise a
//! partition at a time through spill files, or side by side when rows are
//! paired by position ([`crate::compare::partitioned`]). Both give the same
//! result as in memory. Before spilling, the free space of the spill
//! directory is checked; the spill files go when the comparison ends,
//! whether it succeeded, failed or was cancelled, and the directories of a
//! process that was killed are removed by the next one.

use crate::budget::{size_text, MemoryBudget};
use crate::compare::partitioned::{
    compare_pieces, compare_streams, in_whole_tables, Inputs, Keep, Partitioned, Source,
};
use crate::compare::{type_step, typed, CompareConfig, CompareResult, Comparison};
use crate::error::{Error, Result, Side};
use crate::progress::Control;
use crate::suggest::{
    annotate, complete_config, sampled_rows, suggests_pairing, with_suggestions, Completed,
};
use crate::table::{arrow_reader, map_both, ArrowTable, Pieces, SideOptions, Table, TableBuilder};
use std::path::{Path, PathBuf};

/// How a comparison of two files was carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Strategy {
    /// Both files were read whole.
    InMemory,
    /// The files were split into this many partitions on disk (rows
    /// paired by key).
    Partitioned(usize),
    /// The files were read side by side and compared in this many blocks of
    /// rows, with nothing written to disk (rows paired by position).
    Streamed(usize),
}

impl Strategy {
    /// What to tell people about a comparison of files of `bytes` in all
    /// that did not fit `resources.budget` (none for one in memory): that
    /// Concord switched plans by itself, and to which. The command line
    /// says it as it starts; a session shows it with the result.
    pub fn note(self, bytes: u64, resources: &Resources) -> Option<String> {
        let why = format!(
            "the files ({}) do not fit the memory limit ({})",
            size_text(bytes),
            resources.budget
        );
        match self {
            Strategy::InMemory => None,
            Strategy::Partitioned(n) => Some(format!(
                "{why}: comparing them in about {n} partitions on disk, in {}",
                resources.spill_dir.display()
            )),
            Strategy::Streamed(_) => Some(format!(
                "{why}: comparing them row by row as they are read, in two passes"
            )),
        }
    }
}

/// Where and within how much memory [`compare_files`] works.
#[derive(Debug, Clone)]
pub struct Resources {
    /// The memory budget.
    pub budget: MemoryBudget,
    /// The directory that holds spill files (in a directory of their own).
    pub spill_dir: PathBuf,
}

impl Default for Resources {
    fn default() -> Resources {
        Resources {
            budget: MemoryBudget::default_for_machine(),
            spill_dir: std::env::temp_dir(),
        }
    }
}

/// Compares the files at `left` and `right`, after the suggestion stage,
/// in memory when they fit `resources.budget` and in partitions on disk
/// otherwise. `decided` hears the strategy before the work starts, so that
/// a front end can say which one it is.
///
/// Files compared in memory are mapped rather than copied
/// ([`crate::table::map_path`]): they must stay as they are until the result
/// has been written.
pub fn compare_files(
    left: &Path,
    right: &Path,
    opts: &SideOptions,
    config: &CompareConfig,
    resources: &Resources,
    decided: &dyn Fn(Strategy, u64),
    ctl: Control<'_>,
) -> Result<(Comparison, Strategy)> {
    // The memory a file takes is its text's: a compressed file's is larger.
    let size = |p: &Path| {
        std::fs::metadata(p)
            .map(|_| crate::table::text_bytes(p))
            .map_err(|source| Error::Read {
                path: p.display().to_string(),
                source,
            })
    };
    let (left_bytes, right_bytes) = (size(left)?, size(right)?);
    if resources.budget.fits(left_bytes, right_bytes) {
        decided(Strategy::InMemory, left_bytes + right_bytes);
        // Two typed files that may take the typed plan are read as Arrow
        // columns; others, or when the plan cannot apply, as text.
        let readers = typed::may_apply(config)
            .then(|| arrow_reader(left, &opts.left).zip(arrow_reader(right, &opts.right)))
            .flatten();
        let comparison = match readers {
            Some((lr, rr)) => {
                let (l, r) = rayon::join(
                    || lr.read(left, ctl.with_side(Side::Left)),
                    || rr.read(right, ctl.with_side(Side::Right)),
                );
                compare_arrow(l?, r?, config, resources, ctl)?
            }
            None => {
                let (l, r) = map_both(left, right, opts, ctl)?;
                let result = crate::suggest::compare(&l, &r, config, ctl)?;
                Comparison::new(l, r, result)
            }
        };
        return Ok((comparison, Strategy::InMemory));
    }
    let limits = resources.budget.limits();
    let inputs = Inputs {
        left: Source::File(left, &opts.left),
        right: Source::File(right, &opts.right),
        piece_bytes: limits.piece_bytes,
    };
    let (lp, rp) = (
        inputs.open(Side::Left, ctl)?,
        inputs.open(Side::Right, ctl)?,
    );
    let completed = match (lp.first(), rp.first()) {
        (Some(l), Some(r)) if config.completes() && !config.keys.is_empty() => {
            // Renamed columns are told by their names and values: the
            // files' first rows show them.
            complete_config(l, r, config, ctl)?
        }
        _ if config.completes() => {
            // A key must overlap between the files: a pass over each file
            // keeps the rows that hold a value from a fixed share of all
            // values.
            let bytes = (limits.piece_bytes / 2).max(1 << 16);
            let l = value_sample(inputs.open(Side::Left, ctl)?, bytes)?;
            let r = value_sample(inputs.open(Side::Right, ctl)?, bytes)?;
            complete_config(&l, &r, config, ctl)?
        }
        _ => Completed::unchanged(config),
    };
    let total = left_bytes + right_bytes;
    let (done, strategy) = out_of_core(
        &inputs,
        (lp, rp),
        &completed.config,
        resources,
        &|s| decided(s, total),
        ctl,
    )?;
    let result = annotate(done.result, completed);
    Ok((Comparison::new(done.left, done.right, result), strategy))
}

/// Compares two tables held as Arrow columns (Parquet or Arrow files,
/// frames) after the suggestion stage, as [`crate::suggest::compare`]
/// compares them as text, with the same result. When the key is named, the
/// rows that are the same on both sides are found on their typed values
/// and only the others are made text ([`typed`]); the comparison's tables
/// then hold the rows its result refers to, as after a comparison on disk.
/// Otherwise both tables are made text and compared whole.
pub fn compare_arrow(
    left: ArrowTable,
    right: ArrowTable,
    config: &CompareConfig,
    resources: &Resources,
    ctl: Control<'_>,
) -> Result<Comparison> {
    if let Some(done) = compare_typed(&left, &right, config, resources, ctl)? {
        // Their memory goes back while the result is used.
        rayon::spawn(move || drop((left, right)));
        return Ok(done);
    }
    let (l, r) = rayon::join(
        || left.into_table(ctl.with_side(Side::Left)),
        || right.into_table(ctl.with_side(Side::Right)),
    );
    let (l, r) = (l?, r?);
    let result = crate::suggest::compare(&l, &r, config, ctl)?;
    Ok(Comparison::new(l, r, result))
}

/// [`compare_arrow`] by [`typed::compare`], or `None` where it does not
/// apply. The configuration is completed from the rows the whole tables'
/// completion reads, so it is completed alike: it is not when a key or
/// column pairs are to be suggested, which read more of the tables.
fn compare_typed(
    left: &ArrowTable,
    right: &ArrowTable,
    config: &CompareConfig,
    resources: &Resources,
    ctl: Control<'_>,
) -> Result<Option<Comparison>> {
    let shapes = (left.shape()?, right.shape()?);
    if !typed::may_apply(config) || suggests_pairing(&shapes.0, &shapes.1, config) {
        return Ok(None);
    }
    let rows = |t: &ArrowTable, rows: &mut dyn Iterator<Item = usize>| {
        t.rows(&rows.map(|r| r as u32).collect::<Vec<_>>())
    };
    let completed = if config.completes() {
        let sampled = |t: &ArrowTable| rows(t, &mut sampled_rows(t.num_rows()));
        let (l, r) = rayon::join(|| sampled(left), || sampled(right));
        complete_config(&l?, &r?, config, ctl)?
    } else {
        Completed::unchanged(config)
    };
    let typed_rows = |t: &ArrowTable| {
        let n = t.num_rows();
        rows(t, &mut (0..n).step_by(type_step(n)))
    };
    let (l, r) = rayon::join(|| typed_rows(left), || typed_rows(right));
    let samples = (l?, r?);
    let keep = Keep {
        dir: &resources.spill_dir,
        bytes: resources.budget.limits().result_bytes,
    };
    let samples = (&samples.0, &samples.1);
    let Some(done) = typed::compare(left, right, &completed.config, samples, keep, ctl)? else {
        return Ok(None);
    };
    let result = annotate(done.result, completed);
    Ok(Some(Comparison::new(done.left, done.right, result)))
}

/// Compares `inputs`, which do not fit the memory budget, by what the
/// completed `config` asks: side by side a block of rows at a time when
/// rows are paired by position (nothing spilled), and a partition at a time
/// through spill files in a directory of their own otherwise. `opened` is
/// both sides opened already (their first pieces read), which the keyed
/// plan goes on reading. Paths and loaded tables take this one plan.
fn out_of_core(
    inputs: &Inputs<'_>,
    opened: (Pieces<'_>, Pieces<'_>),
    config: &CompareConfig,
    resources: &Resources,
    decided: &dyn Fn(Strategy),
    ctl: Control<'_>,
) -> Result<(Partitioned, Strategy)> {
    let limits = resources.budget.limits();
    if config.keys.is_empty() {
        // Rows paired by position need no spill files.
        drop(opened);
        decided(Strategy::Streamed(0));
        let keep = Keep {
            dir: &resources.spill_dir,
            bytes: limits.result_bytes,
        };
        let done = compare_streams(inputs, config, keep, ctl)?;
        let strategy = Strategy::Streamed(done.partitions);
        return Ok((done, strategy));
    }
    let (lp, rp) = opened;
    let total = lp.file_size() + rp.file_size();
    let dir = spill_directory(&resources.spill_dir, total)?;
    let estimate = total.div_ceil(limits.partition_bytes) as usize;
    decided(Strategy::Partitioned(estimate.max(2)));
    let done = compare_pieces(lp, rp, config, limits, dir.path(), ctl)?;
    // The directory goes here on success and, through its drop, on every
    // early return above. The result's files are unnamed, and outlive it.
    let _ = dir.close();
    let strategy = Strategy::Partitioned(done.partitions);
    Ok((done, strategy))
}

/// Two loaded tables compared by [`compare_loaded`].
pub struct LoadedComparison {
    /// What the comparison found, its rows pointing into the two tables:
    /// the result comparing them in memory gives, and what a session stores.
    pub result: CompareResult,
    /// When the tables were compared a partition at a time: their differing
    /// rows copied out as each partition was compared, with the same result
    /// pointing into the copies. Pages and exports read these few rows
    /// instead of jumping about tables on disk.
    pub copies: Option<Comparison>,
    /// How it was carried out.
    pub strategy: Strategy,
}

/// Compares two loaded tables, after the suggestion stage, within
/// `resources.budget`: in memory when their files fit it, and otherwise by
/// the plan files larger than memory take (read as pieces of their rows:
/// side by side, or a partition at a time through spill files in a
/// directory of their own in `resources.spill_dir`), with the result going
/// to disk beyond its share of the budget. The tables may be on disk
/// ([`crate::table::load_to_disk`]).
pub fn compare_loaded(
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    resources: &Resources,
    ctl: Control<'_>,
) -> Result<LoadedComparison> {
    let budget = resources.budget;
    if budget.fits(left.info().bytes, right.info().bytes) {
        let result = crate::suggest::compare(left, right, config, ctl)?;
        return Ok(LoadedComparison {
            result,
            copies: None,
            strategy: Strategy::InMemory,
        });
    }
    let inputs = Inputs {
        left: Source::Table(left),
        right: Source::Table(right),
        piece_bytes: budget.limits().piece_bytes,
    };
    let mut copied = None;
    let result = with_suggestions(left, right, config, ctl, |config| {
        let opened = (
            inputs.open(Side::Left, ctl)?,
            inputs.open(Side::Right, ctl)?,
        );
        let (done, strategy) = out_of_core(&inputs, opened, config, resources, &|_| {}, ctl)?;
        copied = Some((done.left, done.right, strategy));
        Ok(done.result)
    })?;
    let (copy_left, copy_right, strategy) =
        copied.ok_or_else(|| Error::Internal("a partitioned comparison gave no tables".into()))?;
    let whole = in_whole_tables(&result, &copy_left, &copy_right, &resources.spill_dir)?;
    Ok(LoadedComparison {
        result: whole,
        copies: Some(Comparison::new(copy_left, copy_right, result)),
        strategy,
    })
}

/// A directory of its own in `root` for the spill files of one comparison
/// of `bytes` of text, which is removed when dropped (on every early
/// return); first the directories of killed processes go, and `root` must
/// have room for about 1.2x the text.
fn spill_directory(root: &Path, bytes: u64) -> Result<tempfile::TempDir> {
    remove_abandoned(root);
    check_space(root, bytes / 10 * 12 + (64 << 20))?;
    tempfile::Builder::new()
        .prefix(&format!("{SPILL_PREFIX}{}-", std::process::id()))
        .tempdir_in(root)
        .map_err(|source| Error::Write {
            path: root.display().to_string(),
            source,
        })
}

/// The rows of a file that hold, in any column, a value whose hash falls
/// in a fixed share of all hashes: about `bytes` of text. Both files keep
/// the rows of the same values, so a key column keeps its overlap between
/// the files, its uniqueness and its fill rate, which a sample of each
/// file's first rows would lose when the files are in different orders.
fn value_sample(mut pieces: Pieces<'_>, bytes: usize) -> Result<Table> {
    use xxhash_rust::xxh3::xxh3_64;
    let first = pieces.first().expect("the first piece is read on opening");
    let columns = first.num_columns().max(1) as u64;
    let text = first.heap_bytes().max(1) as u64;
    // One row in `share` is kept per column, so about `columns / share` of
    // all rows are.
    let share = (pieces.file_size() * columns / bytes.max(1) as u64)
        .max(columns)
        .max(1);
    let whole = pieces.file_size() <= text;
    let mut sample = TableBuilder::like(first);
    while let Some(t) = pieces.next_piece()? {
        let n = t.num_columns();
        for r in 0..t.num_rows() {
            let cells = t.row(r);
            if whole || (0..n).any(|c| xxh3_64(cells.bytes(c)) % share == 0) {
                sample.push_from(&t, r);
            }
        }
    }
    sample.finish(pieces.rows())
}

/// Spill directories are named `concord-spill-PID-...`.
const SPILL_PREFIX: &str = "concord-spill-";

/// Removes the spill directories of processes that no longer run (killed
/// before they could clean up).
fn remove_abandoned(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(SPILL_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if running(pid) == Some(false) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Whether process `pid` runs; `None` where the system cannot say, so
/// that a directory that may be in use is left alone.
fn running(pid: u32) -> Option<bool> {
    #[cfg(unix)]
    {
        // No process has id 0 or one past i32's range (which `kill` would
        // read as a process group).
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return Some(false);
        };
        if pid <= 0 {
            return Some(false);
        }
        // SAFETY: signal 0 sends nothing; it only asks whether `pid` exists.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return Some(true);
        }
        // EPERM: it runs, as another user.
        Some(std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        None
    }
}

/// Fails unless `dir` has `needed` bytes free.
pub(crate) fn check_space(dir: &Path, needed: u64) -> Result<()> {
    let Some(free) = free_space(dir) else {
        return Ok(());
    };
    if free >= needed {
        return Ok(());
    }
    Err(Error::NoSpace {
        dir: dir.display().to_string(),
        needed,
        free,
    })
}

/// Bytes free for this user on the file system holding `dir`.
#[cfg(unix)]
fn free_space(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is a NUL-terminated string and `stat` a valid struct
    // for statvfs to fill; nothing else is read or kept.
    let rc = unsafe { libc::statvfs(path.as_ptr(), &mut stat) };
    (rc == 0).then(|| stat.f_bavail as u64 * stat.f_frsize as u64)
}

#[cfg(not(unix))]
fn free_space(_dir: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_refused_before_spilling() {
        let dir = tempfile::tempdir().unwrap();
        let err = check_space(dir.path(), u64::MAX / 2).unwrap_err();
        assert_eq!(err.code(), "no_space");
        assert!(err.to_string().contains(&dir.path().display().to_string()));
        check_space(dir.path(), 1).unwrap();
    }

    #[test]
    fn abandoned_spill_directories_are_removed() {
        let root = tempfile::tempdir().unwrap();
        let dead = root
            .path()
            .join(format!("{SPILL_PREFIX}{}-x", u32::MAX - 1));
        let alive = root
            .path()
            .join(format!("{SPILL_PREFIX}{}-y", std::process::id()));
        let other = root.path().join("unrelated");
        for d in [&dead, &alive, &other] {
            std::fs::create_dir(d).unwrap();
        }
        remove_abandoned(root.path());
        assert!(!dead.exists());
        assert!(alive.exists() && other.exists());
        // Process 1 runs (as root, which `kill` may not be allowed to signal).
        assert_eq!(running(1), Some(true));
        assert_eq!(running(std::process::id()), Some(true));
        assert_eq!(running(0), Some(false));
        // A child that has ended (and been reaped) no longer runs.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        assert_eq!(running(child.id()), Some(false));
    }
}
