//! Whole tables held as Arrow columns: a Parquet or Arrow file, or a frame
//! in memory, as its reader decodes it, before any value is made text.
//!
//! A keyed comparison of two such tables finds the rows that are the same
//! on both sides on their typed values (`compare::typed`), and makes only
//! the others text ([`ArrowTable::rows`]); any other use makes the whole
//! table text first ([`ArrowTable::into_table`]), as its reader's
//! [`Reader::load`](super::Reader::load) would.

use super::columnar::{described, push_text, read_all, Batches, BATCH_ROWS};
use super::{SourceInfo, Table, TableBuilder};
use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use arrow_array::{ArrayRef, RecordBatch, UInt32Array};
use arrow_schema::{DataType, SchemaRef};

/// Rows of a batch at most (and text of a batch, below), so that a string
/// column's 32-bit offsets never overflow and few batches keep the pairs of
/// batches a comparison looks at few.
const MAX_BATCH_ROWS: usize = 1 << 20;
/// Bytes of Arrow memory a batch is made of at most when small batches
/// are put together.
const MAX_BATCH_BYTES: usize = 256 << 20;
/// Rows of a batch that is kept as it is, not put together with others:
/// enough that a table has few batches, and a Parquet row group's batch
/// keeps its dictionaries (putting batches together merges them).
const KEPT_ROWS: usize = 64 * 1024;

/// A whole table as Arrow record batches, with the columns and description
/// its text table would have.
pub struct ArrowTable {
    name: String,
    format: &'static str,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    /// The first row of each batch, then the number of rows.
    starts: Vec<usize>,
    columns: Vec<String>,
    info: SourceInfo,
}

impl ArrowTable {
    /// Reads every batch of `batches` (of a file of `rows` rows, 0 if
    /// unknown), putting small consecutive batches together.
    pub(super) fn collect(
        batches: Batches,
        rows: u64,
        name: &str,
        format: &'static str,
        ctl: Control<'_>,
    ) -> Result<ArrowTable> {
        let (schema, batches) = batches;
        let mut read = 0u64;
        let batches = batches.map(|batch| {
            ctl.check()?;
            let batch = batch.map_err(|e| super::columnar::damaged(name, &e))?;
            read += batch.num_rows() as u64;
            if rows > 0 {
                ctl.report(Phase::Loading, read, rows);
            }
            Ok(batch)
        });
        ArrowTable::assemble(schema, batches, name, format)
    }

    /// The table of `batches`, of `schema`: batches of at least
    /// [`KEPT_ROWS`] rows as they are (a row group's, whose dictionaries
    /// they keep), smaller consecutive ones put together.
    pub(super) fn assemble(
        schema: SchemaRef,
        batches: impl Iterator<Item = Result<RecordBatch>>,
        name: &str,
        format: &'static str,
    ) -> Result<ArrowTable> {
        let (columns, info) = described(&schema, name, format, 0);
        let damaged = |e: &dyn std::fmt::Display| super::columnar::damaged(name, e);
        let mut out: Vec<RecordBatch> = Vec::new();
        let mut pending: Vec<RecordBatch> = Vec::new();
        let (mut pending_rows, mut pending_bytes) = (0usize, 0usize);
        // Batches waiting to be put together into one, moved to `out`.
        let flush = |pending: &mut Vec<RecordBatch>, out: &mut Vec<RecordBatch>| -> Result<()> {
            match pending.len() {
                0 => {}
                1 => out.extend(pending.pop()),
                _ => {
                    let joined = arrow_select::concat::concat_batches(&schema, pending.iter())
                        .map_err(|e| damaged(&e))?;
                    pending.clear();
                    out.push(joined);
                }
            }
            Ok(())
        };
        for batch in batches {
            let batch = batch?;
            let (n, bytes) = (batch.num_rows(), batch.get_array_memory_size());
            if n == 0 {
                continue;
            }
            let kept = n >= KEPT_ROWS;
            if kept || pending_rows + n > MAX_BATCH_ROWS || pending_bytes + bytes > MAX_BATCH_BYTES
            {
                flush(&mut pending, &mut out)?;
                (pending_rows, pending_bytes) = (0, 0);
            }
            if kept {
                out.push(batch);
            } else {
                pending.push(batch);
                pending_rows += n;
                pending_bytes += bytes;
            }
        }
        flush(&mut pending, &mut out)?;
        let mut starts = Vec::with_capacity(out.len() + 1);
        let mut at = 0;
        for b in &out {
            starts.push(at);
            at += b.num_rows();
        }
        starts.push(at);
        if u32::try_from(at).is_err() {
            return Err(Error::TooManyRows {
                path: name.to_string(),
                rows: at as u64,
            });
        }
        Ok(ArrowTable {
            name: name.to_string(),
            format,
            schema,
            batches: out,
            starts,
            columns,
            info,
        })
    }

    /// A table of Arrow record batches already in memory (a pyarrow table,
    /// a pandas or polars frame through Arrow's C stream interface), named
    /// `name` in messages, read as an Arrow file's batches are.
    pub fn from_batches(
        name: &str,
        schema: SchemaRef,
        batches: impl Iterator<Item = std::result::Result<RecordBatch, arrow_schema::ArrowError>>
            + Send
            + 'static,
        ctl: Control<'_>,
    ) -> Result<ArrowTable> {
        let batches = super::columnar::streamed(schema, batches);
        ArrowTable::collect(batches, 0, name, super::columnar::ARROW.name, ctl)
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.starts[self.starts.len() - 1]
    }

    /// The column names, as the text table names them (made unique).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The type of column `c`.
    pub fn data_type(&self, c: usize) -> &DataType {
        self.schema.field(c).data_type()
    }

    /// Column `c`, a piece per batch.
    pub fn column(&self, c: usize) -> Vec<ArrayRef> {
        self.batches.iter().map(|b| b.column(c).clone()).collect()
    }

    /// The rows of each batch.
    pub fn batch_rows(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        self.starts.windows(2).map(|w| w[0]..w[1])
    }

    /// The batch that holds `row`, and the row's index in it.
    #[inline]
    pub fn batch_of(&self, row: usize) -> (usize, usize) {
        if self.starts.len() == 2 {
            return (0, row);
        }
        let b = self.starts.partition_point(|&s| s <= row) - 1;
        (b, row - self.starts[b])
    }

    /// A table with the columns and description of this one but no rows:
    /// the shape of every part of it.
    pub fn shape(&self) -> Result<Table> {
        TableBuilder::new(self.info.clone(), self.columns.clone()).finish(self.num_rows() as u64)
    }

    /// The rows `rows` (ascending) as a text table, each knowing its index
    /// and line in the whole.
    pub fn rows(&self, rows: &[u32]) -> Result<Table> {
        let mut table = TableBuilder::new(self.info.clone(), self.columns.clone());
        let total = self.num_rows() as u64;
        let mut i = 0;
        while i < rows.len() {
            let (b, _) = self.batch_of(rows[i] as usize);
            let (start, end) = (self.starts[b], self.starts[b + 1]);
            let j = i + rows[i..].partition_point(|&r| (r as usize) < end);
            for from in (i..j).step_by(BATCH_ROWS) {
                let these = &rows[from..j.min(from + BATCH_ROWS)];
                let local: UInt32Array = these.iter().map(|&r| r - start as u32).collect();
                let taken = arrow_select::take::take_record_batch(&self.batches[b], &local)
                    .map_err(|e| super::columnar::damaged(&self.name, &e))?;
                push_text(&mut table, &taken, &self.name, &self.columns, total, |k| {
                    u64::from(these[k])
                })?;
            }
            i = j;
        }
        table.finish(total)
    }

    /// The whole table as text: the table its reader loads.
    pub fn into_table(self, ctl: Control<'_>) -> Result<Table> {
        let rows = self.num_rows() as u64;
        let batches: Batches = (self.schema, Box::new(self.batches.into_iter().map(Ok)));
        read_all(batches, rows, &self.name, self.format, ctl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Int64Array;
    use std::sync::Arc;

    #[test]
    fn large_batches_are_kept_and_small_ones_put_together() {
        let batch = |n: usize| {
            let ids = Int64Array::from_iter_values(0..n as i64);
            RecordBatch::try_from_iter([("id", Arc::new(ids) as ArrayRef)]).unwrap()
        };
        let sizes = [KEPT_ROWS, 10, 20, KEPT_ROWS + 1, 0, 5];
        let batches: Vec<RecordBatch> = sizes.iter().map(|&n| batch(n)).collect();
        let schema = batches[0].schema();
        let t = ArrowTable::assemble(schema, batches.into_iter().map(Ok), "t", "arrow").unwrap();
        let rows: Vec<usize> = t.batch_rows().map(|r| r.len()).collect();
        assert_eq!(rows, [KEPT_ROWS, 30, KEPT_ROWS + 1, 5]);
        assert_eq!(t.num_rows(), 2 * KEPT_ROWS + 36);
        assert_eq!(t.batch_of(KEPT_ROWS + 31), (2, 1));
    }
}
