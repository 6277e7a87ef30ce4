//! Building a [`Table`] row by row from cells that were already parsed: the
//! rows of a file that went through a spill file, or the rows a comparison
//! result refers to. Such a table remembers each row's place in its file.

use super::{SourceInfo, Subset, Table};

/// Collects rows, each with its index and line in the source file, into a
/// [`Table`] with the same compact layout as a loaded one.
#[derive(Debug)]
pub struct TableBuilder {
    table: Table,
    subset: Subset,
}

impl TableBuilder {
    /// An empty table with the columns and description of `like`.
    pub fn like(like: &Table) -> TableBuilder {
        TableBuilder::new(like.info().clone(), like.columns().to_vec())
    }

    /// An empty table of `columns`, read from the file `info` describes.
    pub fn new(info: SourceInfo, columns: Vec<String>) -> TableBuilder {
        TableBuilder {
            table: Table {
                info,
                columns,
                buf: Vec::new(),
                row_start: Vec::new(),
                cell_end: Vec::new(),
                wide: Vec::new(),
                line_jumps: Vec::new(),
                first_data_line: 1,
                subset: None,
            },
            subset: Subset::default(),
        }
    }

    /// Rows added so far.
    pub fn num_rows(&self) -> usize {
        self.table.row_start.len()
    }

    /// Bytes of cell text added so far.
    pub fn text_bytes(&self) -> usize {
        self.table.buf.len()
    }

    /// Makes room for about `bytes` of cell text.
    pub fn reserve(&mut self, bytes: usize) {
        self.table.buf.reserve(bytes);
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
        let t = &mut self.table;
        let start = t.buf.len();
        let n = t.columns.len();
        let first_end = t.cell_end.len();
        let mut narrow = true;
        let mut ends = Vec::new();
        for cell in cells {
            t.buf.extend_from_slice(cell);
            let end = t.buf.len() - start;
            narrow &= end <= u16::MAX as usize;
            ends.push(end as u32);
        }
        debug_assert_eq!(ends.len(), n, "a row has one cell per column");
        if narrow {
            t.cell_end.extend(ends.iter().map(|&e| e as u16));
        } else {
            t.cell_end.resize(first_end + n, 0);
            t.wide
                .push((t.row_start.len() as u32, ends.into_boxed_slice()));
        }
        t.row_start.push(start as u64);
        self.subset.source_rows.push(source_row);
        self.subset.lines.push(line);
    }

    /// The table, which says its file has `file_rows` data rows in all.
    pub fn finish(mut self, file_rows: u64) -> Table {
        self.subset.file_rows = file_rows;
        self.table.subset = Some(Box::new(self.subset));
        self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::load_bytes;

    #[test]
    fn rebuilt_rows_keep_their_cells_lines_and_file_rows() {
        let text = "id,name\n1,a\n\n2,\"b\nc\"\n3,d\n";
        let t = load_bytes("t.csv", text.as_bytes().to_vec(), &Default::default()).unwrap();
        let mut b = TableBuilder::like(&t);
        b.push_from(&t, 2);
        b.push_from(&t, 1);
        let long = "x".repeat(70_000);
        b.push([b"9".as_slice(), long.as_bytes()].into_iter(), 7, 40);
        let s = b.finish(t.num_rows() as u64 + 5);
        assert_eq!(s.num_rows(), 3);
        assert_eq!((s.cell(0, 0), s.cell(0, 1)), ("3", "d"));
        assert_eq!((s.cell(1, 0), s.cell(1, 1)), ("2", "b\nc"));
        assert_eq!(s.cell(2, 1).len(), 70_000);
        assert_eq!((s.line_of(0), s.line_of(1), s.line_of(2)), (6, 4, 40));
        assert_eq!(
            (s.source_row(0), s.source_row(1), s.source_row(2)),
            (2, 1, 7)
        );
        assert_eq!(s.file_rows(), 8);
        assert_eq!(s.describe().rows, 8);
    }
}
