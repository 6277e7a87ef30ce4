//! The differing rows of a result, packed into plain numbers so that they
//! can live on disk when there are more of them than memory should hold
//! (see [`crate::array`]).
//!
//! A comparison in partitions finds its rows a partition at a time: each
//! partition's rows come in the result's order, but partitions interleave.
//! [`Runs`] keeps each partition's rows as one run with its place in the
//! whole result, and merges the runs into that order at the end, reading
//! each run from front to back, so that runs on disk are read in sequence.

use super::result::{RowDiff, RowStatus};
use crate::array::{Array, ArrayBuilder, Decoding};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;
use std::path::Path;

/// A row as stored: left, right (`NONE` when absent), the start and length
/// of its changed pairs, and its status.
type Packed = [u32; 5];

/// The row index that stands for "not on this side".
const NONE: u32 = u32::MAX;

const STATUSES: [RowStatus; 4] = [
    RowStatus::Changed,
    RowStatus::OnlyLeft,
    RowStatus::OnlyRight,
    RowStatus::Duplicate,
];

fn pack(r: &RowDiff) -> Packed {
    let status = STATUSES.iter().position(|&s| s == r.status).unwrap_or(0) as u32;
    [
        r.left.unwrap_or(NONE),
        r.right.unwrap_or(NONE),
        r.changes_start,
        r.changes_len,
        status,
    ]
}

fn unpack(p: Packed) -> RowDiff {
    let side = |i: u32| (i != NONE).then_some(i);
    RowDiff {
        status: STATUSES[(p[4] as usize).min(STATUSES.len() - 1)],
        left: side(p[0]),
        right: side(p[1]),
        changes_start: p[2],
        changes_len: p[3],
    }
}

/// The differing rows of a result, in its order: left file order, then rows
/// only in the right file in right file order. Held in memory, or read from
/// a file when the result is larger than its share of the memory budget.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows(Array<Packed>);

impl Rows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no rows (the files agree on everything compared).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Row `i`. Panics if `i` is out of range, as indexing does.
    #[inline]
    pub fn get(&self, i: usize) -> RowDiff {
        unpack(self.0[i])
    }

    /// The rows in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = RowDiff> + DoubleEndedIterator + '_ {
        self.0.iter().map(|&p| unpack(p))
    }

    /// The rows changed by `f`, called on each in order, in memory, or in
    /// an unnamed file in `dir` when these rows are on disk.
    pub(crate) fn map_rows(
        &self,
        dir: &Path,
        mut f: impl FnMut(RowDiff) -> RowDiff,
    ) -> io::Result<Rows> {
        let mut out = ArrayBuilder::default();
        if self.0.is_mapped() {
            out.move_to_disk(dir)?;
        } else {
            out.reserve(self.len());
        }
        for r in self.iter() {
            out.push(pack(&f(r)))?;
        }
        out.finish().map(Rows)
    }

    /// Bytes of the process's memory the rows take (none when on disk).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

impl From<Vec<RowDiff>> for Rows {
    fn from(rows: Vec<RowDiff>) -> Rows {
        Rows(rows.iter().map(pack).collect::<Vec<_>>().into())
    }
}

// Stored results hold a sequence of `RowDiff`, as they did when rows were
// a `Vec<RowDiff>`: the packing is how memory holds them, not a format.
impl Serialize for Rows {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Rows, D::Error> {
        // Packed as they are decoded, so that the unpacked rows are never
        // all in memory.
        d.deserialize_seq(Decoding::new(|row: RowDiff| pack(&row)))
            .map(Rows)
    }
}

/// A row with its place in the whole result (the high word first).
type Placed = [u32; 7];

/// Rows gathered in runs, each in the result's order; see the module note.
#[derive(Debug, Default)]
pub(crate) struct Runs {
    rows: ArrayBuilder<Placed>,
    /// Where each run starts among `rows`.
    starts: Vec<usize>,
}

impl Runs {
    /// Starts a run: the rows pushed until the next one are in order.
    pub(crate) fn start_run(&mut self) {
        self.starts.push(self.rows.len());
    }

    /// Adds a row that stands at `place` in the whole result.
    pub(crate) fn push(&mut self, place: u64, row: &RowDiff) -> io::Result<()> {
        let p = pack(row);
        self.rows.push([
            (place >> 32) as u32,
            place as u32,
            p[0],
            p[1],
            p[2],
            p[3],
            p[4],
        ])
    }

    /// Bytes of memory held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.rows.heap_bytes() + self.starts.capacity() * 8
    }

    /// Moves the rows to an unnamed file in `dir`, and later rows as they
    /// come; the merged rows then go to disk too.
    pub(crate) fn move_to_disk(&mut self, dir: &Path) -> io::Result<()> {
        self.rows.move_to_disk(dir)
    }

    /// All rows in the order of their places. Rows with the same place (the
    /// rows of one duplicated key) are in one run, and keep their order.
    pub(crate) fn finish(self, dir: &Path) -> io::Result<Rows> {
        let mut out = ArrayBuilder::<Packed>::default();
        if self.rows.on_disk() {
            out.move_to_disk(dir)?;
        }
        let rows = self.rows.finish()?;
        let place = |r: &Placed| u64::from(r[0]) << 32 | u64::from(r[1]);
        let unplaced = |r: &Placed| -> Packed { [r[2], r[3], r[4], r[5], r[6]] };
        if rows.is_sorted_by_key(place) {
            // One run, or runs that follow each other (blocks of rows
            // paired by position): nothing to merge.
            for r in rows.iter() {
                out.push(unplaced(r))?;
            }
            return Ok(Rows(out.finish()?));
        }
        let mut ends: Vec<usize> = self.starts.iter().skip(1).copied().collect();
        ends.push(rows.len());
        let mut next = self.starts.clone();
        let mut heap: BinaryHeap<Reverse<(u64, usize)>> = (0..next.len())
            .filter(|&run| next[run] < ends[run])
            .map(|run| Reverse((place(&rows[next[run]]), run)))
            .collect();
        while let Some(Reverse((_, run))) = heap.pop() {
            out.push(unplaced(&rows[next[run]]))?;
            next[run] += 1;
            if next[run] < ends[run] {
                heap.push(Reverse((place(&rows[next[run]]), run)));
            }
        }
        Ok(Rows(out.finish()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: RowStatus, left: Option<u32>, right: Option<u32>, start: u32) -> RowDiff {
        RowDiff {
            status,
            left,
            right,
            changes_start: start,
            changes_len: 2,
        }
    }

    #[test]
    fn rows_pack_and_unpack_unchanged() {
        let rows = vec![
            row(RowStatus::Changed, Some(0), Some(7), 0),
            row(RowStatus::OnlyLeft, Some(u32::MAX - 1), None, 2),
            row(RowStatus::OnlyRight, None, Some(3), 4),
            row(RowStatus::Duplicate, Some(9), None, 6),
        ];
        let packed = Rows::from(rows.clone());
        assert_eq!(packed.iter().collect::<Vec<_>>(), rows);
        assert_eq!(packed.get(2), rows[2]);
        // Stored as the sequence of rows it always was.
        let bytes = postcard::to_stdvec(&packed).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&rows).unwrap());
        let back: Rows = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, packed);
    }

    #[test]
    fn runs_merge_into_place_order_in_memory_and_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        // Three runs, each in order, interleaving; place 5 twice in one
        // run (a duplicated key) keeps its order.
        let runs: [&[u64]; 3] = [&[1, 5, 5, 9], &[0, 4, 1 << 32], &[2, 3, 10, 1 << 33]];
        for disk in [false, true] {
            let mut r = Runs::default();
            let mut n = 0;
            for run in runs {
                r.start_run();
                for &p in run {
                    r.push(p, &row(RowStatus::OnlyLeft, Some(n), None, 0))
                        .unwrap();
                    n += 1;
                }
                if disk {
                    r.move_to_disk(dir.path()).unwrap();
                }
            }
            let merged = r.finish(dir.path()).unwrap();
            let order: Vec<u32> = merged.iter().map(|r| r.left.unwrap()).collect();
            // Place order: 0 1 2 3 4 5 5 9 10 2^32 2^33, by the rows' numbers.
            assert_eq!(order, [4, 0, 7, 8, 5, 1, 2, 3, 9, 6, 10]);
            assert_eq!(merged.heap_bytes() == 0, disk);
        }
    }
}
