//! Building a [`Table`] row by row from cells that were already parsed: the
//! rows of a file that went through a spill file, or the rows a comparison
//! result refers to. Such a table remembers each row's place in its file.

use super::{SourceInfo, Subset, Table};
use crate::array::ArrayBuilder;
use crate::error::{Error, Result};
use std::io;
use std::path::{Path, PathBuf};

/// Collects rows, each with its index and line in the source file, into a
/// [`Table`] with the same compact layout as a loaded one. A builder can
/// move its rows to disk ([`TableBuilder::move_to_disk`]) when they would not fit
/// in memory; the table it finishes then reads them from there.
#[derive(Debug)]
pub struct TableBuilder {
    info: SourceInfo,
    columns: Vec<String>,
    buf: ArrayBuilder<u8>,
    row_start: ArrayBuilder<u64>,
    cell_end: ArrayBuilder<u16>,
    wide: Vec<(u32, Box<[u32]>)>,
    source_rows: ArrayBuilder<u32>,
    lines: ArrayBuilder<u64>,
    /// The directory the rows went to, once they did.
    dir: Option<PathBuf>,
    /// The first failed write to disk, reported by [`TableBuilder::finish`].
    failed: Option<io::Error>,
    /// The cell ends of the row being pushed, kept to spare an allocation
    /// per row.
    ends: Vec<u32>,
    /// Set for a whole file whose row `i` is its `i`-th row, on line
    /// `first_line + i`: then no row's place is stored (see
    /// [`TableBuilder::whole`]).
    whole: Option<u64>,
}

impl TableBuilder {
    /// An empty table with the columns and description of `like`.
    pub fn like(like: &Table) -> TableBuilder {
        TableBuilder::new(like.info().clone(), like.columns().to_vec())
    }

    /// An empty table of `columns`, read from the file `info` describes.
    pub fn new(info: SourceInfo, columns: Vec<String>) -> TableBuilder {
        TableBuilder {
            info,
            columns,
            buf: ArrayBuilder::default(),
            row_start: ArrayBuilder::default(),
            cell_end: ArrayBuilder::default(),
            wide: Vec::new(),
            source_rows: ArrayBuilder::default(),
            lines: ArrayBuilder::default(),
            dir: None,
            failed: None,
            ends: Vec::new(),
            whole: None,
        }
    }

    /// An empty table of a whole file's rows, pushed in the file's order,
    /// row `i` on line `first_line + i`: each row's index and line are
    /// then known without storing them (12 bytes a row).
    pub fn whole(info: SourceInfo, columns: Vec<String>, first_line: u64) -> TableBuilder {
        TableBuilder {
            whole: Some(first_line),
            ..TableBuilder::new(info, columns)
        }
    }

    /// Rows added so far.
    pub fn num_rows(&self) -> usize {
        self.row_start.len()
    }

    /// Bytes of cell text added so far.
    pub fn text_bytes(&self) -> usize {
        self.buf.len()
    }

    /// Bytes of memory the rows added so far hold.
    pub fn heap_bytes(&self) -> usize {
        self.buf.heap_bytes()
            + self.row_start.heap_bytes()
            + self.cell_end.heap_bytes()
            + self.wide.iter().map(|w| w.1.len() * 4 + 16).sum::<usize>()
            + self.source_rows.heap_bytes()
            + self.lines.heap_bytes()
    }

    /// Makes room for about `bytes` of cell text.
    pub fn reserve(&mut self, bytes: usize) {
        self.buf.reserve(bytes);
    }

    /// Makes room for `rows` rows holding about `bytes` of cell text, so
    /// that the table does not grow by copying itself over as it fills.
    pub fn reserve_rows(&mut self, rows: usize, bytes: usize) {
        self.buf.reserve(bytes);
        self.row_start.reserve(rows);
        self.cell_end.reserve(rows * self.columns.len());
        if self.whole.is_none() {
            self.source_rows.reserve(rows);
            self.lines.reserve(rows);
        }
    }

    /// Moves the rows added so far to unnamed files in `dir`, and the rows
    /// added later as they come; the finished table reads them from there.
    /// Failing to write is reported here or by [`TableBuilder::finish`].
    pub fn move_to_disk(&mut self, dir: &Path) -> Result<()> {
        if self.dir.is_some() {
            return Ok(());
        }
        self.dir = Some(dir.to_path_buf());
        let moved = self
            .buf
            .move_to_disk(dir)
            .and_then(|()| self.row_start.move_to_disk(dir))
            .and_then(|()| self.cell_end.move_to_disk(dir))
            .and_then(|()| self.source_rows.move_to_disk(dir))
            .and_then(|()| self.lines.move_to_disk(dir));
        moved.map_err(|e| disk_error(self.dir.as_deref(), e))
    }

    /// Whether the rows go to disk.
    pub fn on_disk(&self) -> bool {
        self.dir.is_some()
    }

    /// Adds row `row` of `from` (a table with the same columns), keeping
    /// where it came from in the file.
    pub fn push_from(&mut self, from: &Table, row: usize) {
        let cells = from.row(row);
        let n = from.num_columns();
        self.push(
            (0..n).map(|c| cells.bytes(c)),
            from.source_row(row) as u32,
            from.line_of(row),
        );
    }

    /// Adds a row of cells (one per column, valid UTF-8), which is row
    /// `source_row` of its file and starts on line `line`.
    pub fn push<'c>(&mut self, cells: impl Iterator<Item = &'c [u8]>, source_row: u32, line: u64) {
        if let Err(e) = self.try_push(cells, source_row, line) {
            // Later rows are pointless once one is lost; `finish` says why.
            self.failed.get_or_insert(e);
        }
    }

    /// Adds a row whose cells `write` writes straight into the table's text,
    /// one call per column (`write(column, text)` appends the cell), so
    /// that no cell is copied on its way. The row is row `source_row` of
    /// its file and starts on line `line`.
    pub fn push_written(
        &mut self,
        source_row: u32,
        line: u64,
        mut write: impl FnMut(usize, &mut Vec<u8>),
    ) {
        if self.failed.is_some() {
            return;
        }
        let n = self.columns.len();
        let delimiter = self.info.delimiter.unwrap_or(b',');
        let start = self.buf.len();
        let mut ends = std::mem::take(&mut self.ends);
        ends.clear();
        let written = self.buf.append_with(|text| {
            let base = text.len();
            for c in 0..n {
                if c > 0 {
                    // Cells are one byte apart, as in a loaded table.
                    text.push(delimiter);
                }
                write(c, text);
                ends.push((text.len() - base) as u32);
            }
        });
        let stored = written.and_then(|()| self.store_ends(&ends, start, source_row, line));
        self.ends = ends;
        if let Err(e) = stored {
            self.failed.get_or_insert(e);
        }
    }

    /// Records a row's cell ends (from its start in the text, `start`)
    /// and its place in its file.
    fn store_ends(
        &mut self,
        ends: &[u32],
        start: usize,
        source_row: u32,
        line: u64,
    ) -> io::Result<()> {
        let n = self.columns.len();
        // Rows of 64 KiB or more keep their ends apart.
        if ends.iter().all(|&e| e < 1 << 16) {
            for &e in ends {
                self.cell_end.push(e as u16)?;
            }
        } else {
            self.cell_end.extend_repeat(0, n)?;
            self.wide.push((self.row_start.len() as u32, ends.into()));
        }
        self.row_start.push(start as u64)?;
        if let Some(first) = self.whole {
            let row = self.row_start.len() as u64 - 1;
            debug_assert_eq!(
                (u64::from(source_row), line),
                (row, first + row),
                "a whole file's rows come in its order"
            );
            return Ok(());
        }
        self.source_rows.push(source_row)?;
        self.lines.push(line)
    }

    fn try_push<'c>(
        &mut self,
        cells: impl Iterator<Item = &'c [u8]>,
        source_row: u32,
        line: u64,
    ) -> io::Result<()> {
        if self.failed.is_some() {
            return Ok(());
        }
        let start = self.buf.len();
        let mut ends = std::mem::take(&mut self.ends);
        ends.clear();
        for cell in cells {
            if !ends.is_empty() {
                // Cells are one byte apart, as in a loaded table.
                self.buf
                    .extend_from_slice(&[self.info.delimiter.unwrap_or(b',')])?;
            }
            self.buf.extend_from_slice(cell)?;
            ends.push((self.buf.len() - start) as u32);
        }
        debug_assert_eq!(
            ends.len(),
            self.columns.len(),
            "a row has one cell per column"
        );
        let stored = self.store_ends(&ends, start, source_row, line);
        self.ends = ends;
        stored
    }

    /// The table, which says its file has `file_rows` data rows in all.
    /// Fails only when the rows went to disk and writing or mapping them
    /// failed (a full disk, say), naming the directory.
    pub fn finish(mut self, file_rows: u64) -> Result<Table> {
        if let Some(e) = self.failed.take() {
            return Err(disk_error(self.dir.as_deref(), e));
        }
        let arrays = (|| -> io::Result<_> {
            Ok((
                self.buf.finish()?,
                self.row_start.finish()?,
                self.cell_end.finish()?,
                self.source_rows.finish()?,
                self.lines.finish()?,
            ))
        })();
        let (buf, row_start, cell_end, source_rows, lines) =
            arrays.map_err(|e| disk_error(self.dir.as_deref(), e))?;
        let (subset, first_data_line) = match self.whole {
            Some(first) => (None, first),
            None => (
                Some(Box::new(Subset {
                    source_rows,
                    lines,
                    file_rows,
                })),
                1,
            ),
        };
        Ok(Table {
            info: self.info,
            columns: self.columns,
            buf,
            copies: Default::default(),
            escaped_rows: Vec::new(),
            escapes: Vec::new(),
            row_start: super::RowStarts::Full(row_start),
            cell_end: super::CellEnds::Shorts(cell_end),
            wide: self.wide,
            quotes_in_text: false,
            line_jumps: Vec::new(),
            first_data_line,
            subset,
        })
    }
}

/// Appends row `row` of `table` to `out` in the layout rows take on their
/// way through a file (spill files, the rows a session keeps beside a
/// result): its index and line in its file (u32 and u64, little-endian),
/// its cells' lengths (LEB128), then its cells' bytes.
/// [`TableBuilder::push_encoded`] reads it back.
pub fn encode_row(out: &mut Vec<u8>, table: &Table, row: usize) {
    out.extend_from_slice(&(table.source_row(row) as u32).to_le_bytes());
    out.extend_from_slice(&table.line_of(row).to_le_bytes());
    let cells = table.row(row);
    for c in 0..table.num_columns() {
        put_len(out, cells.bytes(c).len());
    }
    for c in 0..table.num_columns() {
        out.extend_from_slice(cells.bytes(c));
    }
}

impl TableBuilder {
    /// Adds the rows `data` holds, each written by [`encode_row`] from a
    /// table with these columns. `None` when `data` is cut short inside a
    /// row (the rows before it are added).
    pub fn push_encoded(&mut self, data: &[u8]) -> Option<()> {
        let mut lens = vec![0usize; self.columns.len()];
        let mut at = 0;
        while at < data.len() {
            let head = data.get(at..at + 12)?;
            let row = u32::from_le_bytes(head[..4].try_into().expect("4 bytes"));
            let line = u64::from_le_bytes(head[4..].try_into().expect("8 bytes"));
            at += 12;
            for l in lens.iter_mut() {
                *l = get_len(data, &mut at)?;
            }
            let total: usize = lens.iter().sum();
            let bytes = data.get(at..at + total)?;
            at += total;
            let mut from = 0;
            let cells = lens.iter().map(|&l| {
                let c = &bytes[from..from + l];
                from += l;
                c
            });
            self.push(cells, row, line);
        }
        Some(())
    }
}

fn put_len(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn get_len(data: &[u8], at: &mut usize) -> Option<usize> {
    let mut n = 0usize;
    let mut shift = 0;
    loop {
        let b = *data.get(*at)?;
        *at += 1;
        n |= ((b & 0x7F) as usize).checked_shl(shift)?;
        if b < 0x80 {
            return Some(n);
        }
        shift += 7;
    }
}

/// A failure to write a table's rows to `dir` (only rows on disk can fail).
fn disk_error(dir: Option<&Path>, source: io::Error) -> Error {
    Error::Write {
        path: dir.map_or_else(String::new, |d| d.display().to_string()),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::load_bytes;

    #[test]
    fn rebuilt_rows_keep_their_cells_lines_and_file_rows_in_memory_and_on_disk() {
        let text = "id,name\n1,a\n\n2,\"b\nc\"\n3,d\n";
        let t = load_bytes("t.csv", text.as_bytes().to_vec(), &Default::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for disk_after in [None, Some(0), Some(1), Some(3)] {
            let mut b = TableBuilder::like(&t);
            let long = "x".repeat(70_000);
            for i in 0..3 {
                if disk_after == Some(i) {
                    b.move_to_disk(dir.path()).unwrap();
                }
                match i {
                    0 => b.push_from(&t, 2),
                    1 => b.push_from(&t, 1),
                    _ => b.push([b"9".as_slice(), long.as_bytes()].into_iter(), 7, 40),
                }
            }
            if disk_after == Some(3) {
                b.move_to_disk(dir.path()).unwrap();
            }
            assert_eq!(b.on_disk(), disk_after.is_some());
            let s = b.finish(t.num_rows() as u64 + 5).unwrap();
            if disk_after.is_some() {
                assert!(s.heap_bytes() < 1000, "rows are on disk, not in memory");
            }
            assert_eq!(s.num_rows(), 3);
            assert_eq!((s.cell(0, 0), s.cell(0, 1)), ("3", "d"));
            assert_eq!((s.cell(1, 0), s.cell(1, 1)), ("2", "b\nc"));
            assert_eq!(s.cell(2, 1).len(), 70_000);
            assert_eq!(s.row(1).bytes(1), b"b\nc");
            assert_eq!((s.line_of(0), s.line_of(1), s.line_of(2)), (6, 4, 40));
            assert_eq!(
                (s.source_row(0), s.source_row(1), s.source_row(2)),
                (2, 1, 7)
            );
            assert_eq!(s.file_rows(), 8);
            assert_eq!(s.describe().rows, 8);
        }
    }

    #[test]
    fn rows_that_cannot_go_to_disk_are_an_error_naming_the_directory() {
        let t = load_bytes("t.csv", b"a\n1\n".to_vec(), &Default::default()).unwrap();
        let mut b = TableBuilder::like(&t);
        b.push_from(&t, 0);
        let err = b.move_to_disk(Path::new("/nonexistent/spill")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/spill"), "{err}");
    }
}
