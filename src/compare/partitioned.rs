//! Comparing two files that do not fit in memory.
//!
//! Both files are read in pieces ([`Pieces`]). When rows are paired by key,
//! every row is written to the spill file of its partition, chosen by the
//! hash of its key so that equal keys meet in one partition; each pair of
//! partitions is then loaded and compared in memory by the same code as
//! whole tables ([`compare_pieces`]). When rows are paired by position, no
//! spill is needed: the two files are read side by side and compared a
//! block of rows at a time, row N with row N ([`compare_streams`]). Either
//! way the differing rows are gathered into two tables, which move to disk
//! when they outgrow their share of the memory limit ([`Keep`]).
//!
//! The result is the one comparing the whole files gives, row for row:
//! each partition's rows keep their index and line in the file, the column
//! types are judged on the rows the whole-file comparison samples, and the
//! rows of all partitions are put back into its order (left file order,
//! then rows only in the right file in right file order) by the place each
//! comparison gives its rows ([`super::KeyedOrder`]).

use super::index::KeyColumns;
use super::rows::Runs;
use super::{
    add_tallies, compare_keyed, compare_positional, empty_key_note, place, ColumnTally,
    CompareConfig, CompareResult, Mode, Plan, RowDiff, Summary, POSITIONAL_NOTE,
    POSITIONAL_OUT_OF_CORE_NOTE, TYPE_SAMPLE,
};
use crate::array::ArrayBuilder;
use crate::error::{Error, Result, Side};
use crate::progress::{Control, Phase};
use crate::table::source::rows_per_piece;
use crate::table::{LoadOptions, Pieces, Table, TableBuilder};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Sizes that bound the memory of a partitioned comparison.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Text read from a file at a time.
    pub piece_bytes: usize,
    /// Text of both sides that one partition should hold.
    pub partition_bytes: u64,
    /// Memory the rows a result refers to may take before they go to disk.
    pub result_bytes: usize,
}

/// Where one side's rows come from: a file, read in pieces, or a loaded
/// table (which may be on disk), read as pieces of its rows.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A file, and how to read it.
    File(&'a Path, &'a LoadOptions),
    /// A loaded table.
    Table(&'a Table),
}

/// The two sides of a comparison, opened as pieces as often as a plan
/// needs to read them.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The left side.
    pub left: Source<'a>,
    /// The right side.
    pub right: Source<'a>,
    /// Text read from a side at a time.
    pub piece_bytes: usize,
}

impl<'a> Inputs<'a> {
    /// Opens one side, reporting its reading progress to `ctl`.
    pub fn open<'c>(&self, side: Side, ctl: Control<'c>) -> Result<Pieces<'c>>
    where
        'a: 'c,
    {
        let source = match side {
            Side::Left => self.left,
            Side::Right => self.right,
        };
        match source {
            Source::File(path, options) => {
                Pieces::open(path, options, self.piece_bytes, ctl.with_side(side))
            }
            Source::Table(table) => Pieces::of_table(table, self.piece_bytes),
        }
    }
}

/// Two files compared partition by partition, and the tables of the rows
/// the result refers to (each row knows its index and line in its file).
pub struct Partitioned {
    /// The left rows the result refers to.
    pub left: Table,
    /// The right rows the result refers to.
    pub right: Table,
    /// What the comparison found; its row indices point into `left` and `right`.
    pub result: CompareResult,
    /// How many partitions each file was split into.
    pub partitions: usize,
}

/// Compares the files behind `left` and `right` by the key `config` names
/// (filled in already), spilling to files in `dir`.
pub fn compare_pieces(
    mut left: Pieces<'_>,
    mut right: Pieces<'_>,
    config: &CompareConfig,
    limits: Limits,
    dir: &Path,
    ctl: Control<'_>,
) -> Result<Partitioned> {
    let keep = Keep {
        dir,
        bytes: limits.result_bytes,
    };
    let first = "a file's first piece is read on opening";
    let first_left = left.next_piece()?.expect(first);
    let first_right = right.next_piece()?.expect(first);
    // The plan from the first pieces checks the configuration and resolves
    // the key; the one used to compare waits for the sampled types.
    let probe = Plan::new(&first_left, &first_right, config)?;
    if probe.keys.is_empty() {
        return Err(Error::Invalid(
            "comparing in partitions on disk needs a key; rows paired by position are compared as they are read".into(),
        ));
    }
    let total_bytes = left.file_size() + right.file_size();
    let n = (total_bytes.div_ceil(limits.partition_bytes.max(1)) as usize).clamp(2, 4096);
    let left_parts = spill_side(&mut left, first_left, &probe, Side::Left, n, dir, ctl)?;
    let right_parts = spill_side(&mut right, first_right, &probe, Side::Right, n, dir, ctl)?;
    let (shape_left, shape_right) = (shape(&left)?, shape(&right)?);
    let plan = Plan::with_samples(
        &shape_left,
        &shape_right,
        config,
        (&left_parts.sample.table, &right_parts.sample.table),
    )?;

    let mut out = Gathered::new(&shape_left, &shape_right, &plan, keep);
    let count = left_parts.files.len().max(right_parts.files.len());
    compare_partitions(
        (&left_parts.files, &shape_left),
        (&right_parts.files, &shape_right),
        count,
        &plan,
        &mut out,
        left.rows() + right.rows(),
        ctl,
    )?;
    out.finish(plan, true, count)
}

/// Compares `count` pairs of spilled partitions, one pair at a time, into
/// `out`, and removes each pair's files once compared. Each side is its
/// spill files and the table whose columns they hold; `total` is the rows
/// of both, for progress, which is counted in partitions' rows here, not
/// within each one.
fn compare_partitions(
    left: (&[PathBuf], &Table),
    right: (&[PathBuf], &Table),
    count: usize,
    plan: &Plan,
    out: &mut Gathered<'_>,
    total: u64,
    ctl: Control<'_>,
) -> Result<()> {
    let quiet = Control {
        progress: None,
        ..ctl
    };
    let mut done = 0u64;
    for p in 0..count {
        ctl.check()?;
        let lt = read_partition(left.0.get(p), left.1)?;
        let rt = read_partition(right.0.get(p), right.1)?;
        done += (lt.num_rows() + rt.num_rows()) as u64;
        let (result, order) = compare_keyed(&lt, &rt, plan.clone(), quiet)?;
        out.empty_keys.0 += order.empty_keys.0;
        out.empty_keys.1 += order.empty_keys.1;
        out.add(&lt, &rt, result, &order.order)?;
        ctl.report(Phase::Comparing, done, total);
        remove_partition(&[left.0.get(p), right.0.get(p)]);
    }
    Ok(())
}

/// Compares `left` and `right`, which hold some of the rows of two tables
/// shaped as `shapes` (each row knowing its index and line there), by the
/// key of `plan`, as one partition of them: the rows left out are
/// `identical` pairs of rows, each pair the only rows of its key on both
/// sides and the same in every compared column, which the whole tables'
/// comparison would count as matched and identical and say nothing else
/// of. The result is that comparison's.
pub(super) fn compare_subset(
    (left, right): (&Table, &Table),
    shapes: (&Table, &Table),
    plan: Plan,
    identical: u64,
    keep: Keep<'_>,
    ctl: Control<'_>,
) -> Result<Partitioned> {
    let mut out = Gathered::new(shapes.0, shapes.1, &plan, keep);
    let (result, order) = compare_keyed(left, right, plan.clone(), ctl)?;
    out.empty_keys = order.empty_keys;
    out.add(left, right, result, &order.order)?;
    out.summary.matched += identical;
    out.summary.identical += identical;
    out.finish(plan, true, 1)
}

/// Compares two files row N with row N without spilling: a first pass
/// over each file takes the rows that judge column types (which need the
/// file's length), a second reads both files side by side and compares
/// them a block of rows at a time. Memory holds a block of each file and
/// the differing rows up to `keep.bytes`.
pub fn compare_streams(
    inputs: &Inputs<'_>,
    config: &CompareConfig,
    keep: Keep<'_>,
    ctl: Control<'_>,
) -> Result<Partitioned> {
    // Both files are open at once here, where the spilling plan reads one
    // at a time: half a piece each.
    let inputs = &Inputs {
        piece_bytes: (inputs.piece_bytes / 2).max(1),
        ..*inputs
    };
    let sampled = |side| -> Result<(Pieces<'_>, Sample)> {
        let mut pieces = inputs.open(side, ctl)?;
        let first = pieces
            .first()
            .expect("a file's first piece is read on opening");
        let mut sample = Sample::new(first)?;
        while let Some(piece) = pieces.next_piece()? {
            sample.add(&piece)?;
        }
        Ok((pieces, sample))
    };
    let (left, right) = rayon::join(|| sampled(Side::Left), || sampled(Side::Right));
    let ((left, left_sample), (right, right_sample)) = (left?, right?);
    let (shape_left, shape_right) = (shape(&left)?, shape(&right)?);
    let plan = Plan::with_samples(
        &shape_left,
        &shape_right,
        config,
        (&left_sample.table, &right_sample.table),
    )?;
    if !plan.keys.is_empty() {
        return Err(Error::Invalid(
            "rows paired by key are compared in partitions, not as they are read".into(),
        ));
    }
    // A side holds at most two pieces' worth of rows (the piece being read,
    // and the block copied from it) at a time.
    let per = rows_per_piece(
        inputs.piece_bytes,
        left.rows() + right.rows(),
        left.file_size() + right.file_size(),
    );

    let quiet = Control {
        progress: None,
        ..ctl
    };
    let mut left = Block::new(inputs.open(Side::Left, quiet)?, shape_left);
    let mut right = Block::new(inputs.open(Side::Right, quiet)?, shape_right);
    let mut out = Gathered::new(&left.shape, &right.shape, &plan, keep);
    let total = left.shape.file_rows() + right.shape.file_rows();
    let (mut done, mut blocks) = (0u64, 0usize);
    loop {
        ctl.check()?;
        let (lt, rt) = (left.next(per)?, right.next(per)?);
        if lt.num_rows() == 0 && rt.num_rows() == 0 {
            break;
        }
        done += (lt.num_rows() + rt.num_rows()) as u64;
        let result = compare_positional(&lt, &rt, plan.clone(), quiet)?;
        let order: Vec<u64> = result.rows.iter().map(|r| place(&r)).collect();
        out.add(&lt, &rt, result, &order)?;
        blocks += 1;
        ctl.report(Phase::Comparing, done, total);
    }
    out.finish(plan, false, blocks.max(1))
}

/// Removes a partition's spill files once it is compared, so that disk
/// space goes back as the comparison goes.
fn remove_partition(files: &[Option<&PathBuf>]) {
    for f in files.iter().flatten() {
        let _ = std::fs::remove_file(f);
    }
}

/// A table with a file's columns, information and length but no rows: the
/// shape of every partition of it.
fn shape(pieces: &Pieces<'_>) -> Result<Table> {
    TableBuilder::new(pieces.info(), pieces.columns().to_vec()).finish(pieces.rows())
}

/// One file read a block of rows at a time, whatever the size of its pieces.
struct Block<'c> {
    pieces: Pieces<'c>,
    shape: Table,
    /// The piece being taken from, and its next row.
    current: Option<(Table, usize)>,
}

impl<'c> Block<'c> {
    fn new(pieces: Pieces<'c>, shape: Table) -> Block<'c> {
        Block {
            pieces,
            shape,
            current: None,
        }
    }

    /// The next `n` rows of the file (fewer at its end).
    fn next(&mut self, n: u64) -> Result<Table> {
        let mut b = TableBuilder::like(&self.shape);
        while (b.num_rows() as u64) < n {
            let (piece, at) = match self.current.take() {
                Some(c) => c,
                None => match self.pieces.next_piece()? {
                    Some(p) => (p, 0),
                    None => break,
                },
            };
            let want = (n - b.num_rows() as u64).min((piece.num_rows() - at) as u64) as usize;
            for r in at..at + want {
                b.push_from(&piece, r);
            }
            if at + want < piece.num_rows() {
                self.current = Some((piece, at + want));
            }
        }
        b.finish(self.shape.file_rows())
    }
}

/// One side's spill files, and the rows of it that judge column types.
struct Spilled {
    files: Vec<PathBuf>,
    sample: Sample,
}

/// Writes every row of a file to the spill file of its partition.
fn spill_side(
    pieces: &mut Pieces<'_>,
    first: Table,
    probe: &Plan,
    side: Side,
    n: usize,
    dir: &Path,
    ctl: Control<'_>,
) -> Result<Spilled> {
    let mut spill = Spill::new(probe, side, n, dir);
    let mut sample = Sample::new(&first)?;
    let mut piece = Some(first);
    while let Some(table) = piece {
        ctl.check()?;
        sample.add(&table)?;
        spill.add(&table, 0..table.num_rows())?;
        piece = pieces.next_piece()?;
    }
    let files = spill.finish()?;
    Ok(Spilled { files, sample })
}

/// One side's spill files, one per partition, opened as rows come.
struct Spill<'a> {
    plan: &'a Plan,
    columns: Vec<usize>,
    tag: &'static str,
    n: usize,
    dir: &'a Path,
    writers: Vec<Option<SpillWriter>>,
    files: Vec<PathBuf>,
}

impl<'a> Spill<'a> {
    fn new(plan: &'a Plan, side: Side, n: usize, dir: &'a Path) -> Spill<'a> {
        let (columns, tag) = match side {
            Side::Left => (plan.keys.iter().map(|k| k.left_index).collect(), "left"),
            Side::Right => (plan.keys.iter().map(|k| k.right_index).collect(), "right"),
        };
        Spill {
            plan,
            columns,
            tag,
            n,
            dir,
            writers: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Writes `rows` of `table` to their partitions' files.
    fn add(&mut self, table: &Table, rows: std::ops::Range<usize>) -> Result<()> {
        let keys = KeyColumns {
            table,
            columns: self.columns.clone(),
            rules: self.plan.key_rules.iter().collect(),
            whole_rows: false,
        };
        let n = self.n as u64;
        let parts: Vec<usize> = rows
            .clone()
            .into_par_iter()
            .with_min_len(4096)
            .map(|r| super::spread::partition_of(&keys, r, n) as usize)
            .collect();
        for (r, &p) in rows.zip(&parts) {
            if p >= self.writers.len() {
                self.writers.resize_with(p + 1, || None);
                self.files.resize(p + 1, PathBuf::new());
            }
            let w = match &mut self.writers[p] {
                Some(w) => w,
                slot => {
                    let path = self.dir.join(format!("{}-{p}", self.tag));
                    self.files[p] = path.clone();
                    slot.insert(SpillWriter::create(&path)?)
                }
            };
            w.write_row(table, r)?;
        }
        Ok(())
    }

    /// The spill files by partition (an empty path for an empty partition).
    fn finish(self) -> Result<Vec<PathBuf>> {
        for w in self.writers.into_iter().flatten() {
            w.finish()?;
        }
        Ok(self.files)
    }
}

/// The rows of one file at every [`super::type_step`]-th position, kept while the
/// file's length is not yet known.
struct Sample {
    table: Table,
    step: u64,
}

impl Sample {
    fn new(like: &Table) -> Result<Sample> {
        Ok(Sample {
            table: TableBuilder::like(like).finish(0)?,
            step: 1,
        })
    }

    fn add(&mut self, piece: &Table) -> Result<()> {
        self.table = every(self.step, &[&self.table, piece])?;
        // Sampling every `step`-th row of a file of n rows keeps at most
        // TYPE_SAMPLE rows exactly when `step` is `type_step(n)`.
        while self.table.num_rows() > TYPE_SAMPLE {
            self.step *= 2;
            self.table = every(self.step, &[&self.table])?;
        }
        Ok(())
    }
}

/// The rows of `tables` (with the same columns) that are at every `step`-th
/// row of their file.
fn every(step: u64, tables: &[&Table]) -> Result<Table> {
    let mut b = TableBuilder::like(tables[0]);
    for t in tables {
        for r in (0..t.num_rows()).filter(|&r| t.source_row(r) % step == 0) {
            b.push_from(t, r);
        }
    }
    b.finish(0)
}

/// Rows written to a spill file, as [`crate::table::encode_row`] lays them out.
struct SpillWriter {
    path: PathBuf,
    out: BufWriter<File>,
    scratch: Vec<u8>,
}

impl SpillWriter {
    fn create(path: &Path) -> Result<SpillWriter> {
        let file = File::create(path).map_err(|e| spill_error(path, e))?;
        Ok(SpillWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(256 << 10, file),
            scratch: Vec::new(),
        })
    }

    fn write_row(&mut self, table: &Table, row: usize) -> Result<()> {
        self.scratch.clear();
        crate::table::encode_row(&mut self.scratch, table, row);
        let path = &self.path;
        self.out
            .write_all(&self.scratch)
            .map_err(|e| spill_error(path, e))
    }

    fn finish(mut self) -> Result<()> {
        let path = &self.path;
        self.out.flush().map_err(|e| spill_error(path, e))
    }
}

fn spill_error(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Loads one partition's spill file (none: the partition is empty).
fn read_partition(path: Option<&PathBuf>, shape: &Table) -> Result<Table> {
    let mut b = TableBuilder::like(shape);
    let Some(path) = path.filter(|p| !p.as_os_str().is_empty()) else {
        return b.finish(shape.file_rows());
    };
    let data = std::fs::read(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    let corrupt = || Error::Read {
        path: path.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the spill file is cut short",
        ),
    };
    b.reserve(data.len());
    b.push_encoded(&data).ok_or_else(corrupt)?;
    b.finish(shape.file_rows())
}

/// Where the rows a result refers to go once they outgrow their memory.
#[derive(Debug, Clone, Copy)]
pub struct Keep<'a> {
    /// The directory for their files (which are unnamed: nothing to clean up).
    pub dir: &'a Path,
    /// Memory they may take first.
    pub bytes: usize,
}

/// The differing rows of all partitions so far.
struct Gathered<'k> {
    keep: Keep<'k>,
    left: TableBuilder,
    right: TableBuilder,
    rows: Runs,
    changed: ArrayBuilder<u32>,
    summary: Summary,
    tallies: Vec<ColumnTally>,
    empty_keys: (u64, u64),
    /// Data rows in each whole file.
    file_rows: (u64, u64),
}

impl<'k> Gathered<'k> {
    fn new(left: &Table, right: &Table, plan: &Plan, keep: Keep<'k>) -> Gathered<'k> {
        Gathered {
            keep,
            left: TableBuilder::like(left),
            right: TableBuilder::like(right),
            rows: Runs::default(),
            changed: ArrayBuilder::default(),
            summary: Summary::default(),
            tallies: vec![ColumnTally::default(); plan.pairs.len()],
            empty_keys: (0, 0),
            file_rows: (left.file_rows(), right.file_rows()),
        }
    }

    /// Adds the result of one partition, whose rows stand at `order`
    /// (counted in the partition's rows).
    fn add(&mut self, lt: &Table, rt: &Table, result: CompareResult, order: &[u64]) -> Result<()> {
        let global = |o: u64| {
            let row = o as u32 as usize;
            if o >> 32 == 0 {
                lt.source_row(row)
            } else {
                1 << 32 | rt.source_row(row)
            }
        };
        let keep = self.keep;
        let disk = |e| spill_error(keep.dir, e);
        self.rows.start_run();
        for (r, &o) in result.rows.iter().zip(order) {
            // A row finds its changed cells by a 32-bit index.
            let start = u32::try_from(self.changed.len()).map_err(|_| {
                Error::Invalid(
                    "the result has more than 4,294,967,295 differing cells; compare fewer columns or rows at a time"
                        .into(),
                )
            })?;
            self.changed
                .extend_from_slice(result.changed_pairs(&r))
                .map_err(disk)?;
            let left = r.left.map(|l| {
                self.left.push_from(lt, l as usize);
                (self.left.num_rows() - 1) as u32
            });
            let right = r.right.map(|j| {
                self.right.push_from(rt, j as usize);
                (self.right.num_rows() - 1) as u32
            });
            let row = RowDiff {
                status: r.status,
                left,
                right,
                changes_start: start,
                changes_len: r.changes_len,
            };
            self.rows.push(global(o), &row).map_err(disk)?;
        }
        let s = &mut self.summary;
        let p = &result.summary;
        s.matched += p.matched;
        s.identical += p.identical;
        s.changed += p.changed;
        s.only_left += p.only_left;
        s.only_right += p.only_right;
        s.duplicate_keys_left += p.duplicate_keys_left;
        s.duplicate_keys_right += p.duplicate_keys_right;
        let tallies: Vec<ColumnTally> = result
            .columns
            .iter()
            .map(|c| ColumnTally {
                differences: c.differences,
                max_difference: c.max_difference,
            })
            .collect();
        add_tallies(&mut self.tallies, &tallies);
        if !self.left.on_disk() && self.heap_bytes() > keep.bytes {
            // From here on the result is read from disk.
            self.left.move_to_disk(keep.dir)?;
            self.right.move_to_disk(keep.dir)?;
            self.rows.move_to_disk(keep.dir).map_err(disk)?;
            self.changed.move_to_disk(keep.dir).map_err(disk)?;
        }
        Ok(())
    }

    /// Bytes of memory the gathered rows hold.
    fn heap_bytes(&self) -> usize {
        self.left.heap_bytes()
            + self.right.heap_bytes()
            + self.rows.heap_bytes()
            + self.changed.heap_bytes()
    }

    fn finish(self, plan: Plan, keyed: bool, partitions: usize) -> Result<Partitioned> {
        let (left_rows, right_rows) = self.file_rows;
        let dir = self.keep.dir;
        let disk = |e| spill_error(dir, e);
        let rows = self.rows.finish(dir).map_err(disk)?;
        let changed = self.changed.finish().map_err(disk)?;
        let mut summary = self.summary;
        summary.left_rows = left_rows;
        summary.right_rows = right_rows;
        let mut notes = Vec::new();
        let mode = if keyed {
            if self.empty_keys != (0, 0) {
                notes.push(empty_key_note(self.empty_keys.0, self.empty_keys.1));
            }
            Mode::Keyed
        } else {
            notes.push(if plan.by_position {
                POSITIONAL_NOTE.to_string()
            } else {
                POSITIONAL_OUT_OF_CORE_NOTE.to_string()
            });
            Mode::Positional
        };
        let mut result = plan.finish(mode, summary, self.tallies, rows, changed, notes);
        let (left, right) = (self.left.finish(left_rows)?, self.right.finish(right_rows)?);
        let hints = super::hints::rule_hints(&result, &left, &right);
        result.notes.extend(hints);
        Ok(Partitioned {
            left,
            right,
            result,
            partitions,
        })
    }
}

/// `result`, whose rows point into the copies `left` and `right` (from
/// comparing loaded tables in partitions), with its rows pointing into the tables the copies
/// were taken from: the result comparing those tables in memory gives,
/// which a session stores. Rows on disk are mapped to `dir`.
pub fn in_whole_tables(
    result: &CompareResult,
    left: &Table,
    right: &Table,
    dir: &Path,
) -> Result<CompareResult> {
    let rows = result
        .rows
        .map_rows(dir, |r| RowDiff {
            left: r.left.map(|l| left.source_row(l as usize) as u32),
            right: r.right.map(|j| right.source_row(j as usize) as u32),
            ..r
        })
        .map_err(|e| spill_error(dir, e))?;
    let mut whole = result.clone();
    whole.rows = rows;
    Ok(whole)
}

/// `result` with its rows pointing into copies of the rows it refers to,
/// taken in its order: row `i` of the left copy is the `i`-th left row the
/// result names, and so on the right. A session keeps such copies beside a
/// result whose files it only references, so that the result can still be
/// paged and exported when a file changes. Rows on disk are mapped to `dir`.
pub fn in_copies(result: &CompareResult, dir: &Path) -> Result<CompareResult> {
    let (mut left, mut right) = (0u32, 0u32);
    let take = |next: &mut u32| {
        *next += 1;
        *next - 1
    };
    let rows = result
        .rows
        .map_rows(dir, |r| RowDiff {
            left: r.left.map(|_| take(&mut left)),
            right: r.right.map(|_| take(&mut right)),
            ..r
        })
        .map_err(|e| spill_error(dir, e))?;
    let mut copied = result.clone();
    copied.rows = rows;
    Ok(copied)
}
