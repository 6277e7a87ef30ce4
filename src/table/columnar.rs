//! Typed columnar files: Parquet (read with the `parquet` crate) and the
//! Arrow IPC file format (Feather v2, read with `arrow-ipc`).
//!
//! Each value becomes the text a person would write for it, which the
//! comparison then reads by its type as it reads any cell:
//!
//! - integers as written, floats as their shortest text (`1.5`), decimals
//!   exactly at their scale (`1.50`, which compares equal to `1.5` and to
//!   a CSV file's `1.50`);
//! - dates as `2024-03-01`; timestamps as ISO 8601 with as many fraction
//!   digits as their unit holds (none when the fraction is zero), ending
//!   in `Z` when the column has a time zone (the instant in UTC, exact
//!   whatever the zone); times of day as `12:30:00`;
//! - booleans as `true` / `false`; binary values as hex;
//! - lists, structs and maps as their JSON text;
//! - nulls as empty cells.
//!
//! Parquet and Arrow files are read a batch at a time ([`Reader::pieces`]), so a
//! file larger than memory takes the out-of-core plan as CSV does.

use super::formats::InputFormat;
use super::load::unique_names;
use super::source::{rows_per_piece, ArrowReader, Input, Piecewise, ReadPieces, Reader, TakePiece};
use super::{ArrowTable, LoadOptions, SourceInfo, Table, TableBuilder};
use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// Reads Parquet files.
pub struct Parquet;

/// Reads Arrow IPC files (Feather v2).
pub struct ArrowIpc;

/// Parquet's description in the list of formats.
pub(super) static PARQUET: InputFormat = InputFormat {
    name: "parquet",
    label: "Parquet",
    extensions: &["parquet", "pq"],
    mime_types: &["application/vnd.apache.parquet"],
    place: "row",
    options: &[],
};

/// Arrow IPC's description in the list of formats.
pub(super) static ARROW: InputFormat = InputFormat {
    name: "arrow",
    label: "Arrow IPC (Feather)",
    extensions: &["arrow", "feather", "ipc", "arrows"],
    mime_types: &[
        "application/vnd.apache.arrow.file",
        "application/vnd.apache.arrow.stream",
    ],
    place: "row",
    options: &[],
};

impl Reader for Parquet {
    fn format(&self) -> &'static InputFormat {
        &PARQUET
    }

    fn recognises(&self, head: &[u8]) -> bool {
        head.starts_with(b"PAR1")
    }

    /// The uncompressed size of its row groups, which text takes about
    /// as much of.
    fn text_bytes(&self, path: &Path) -> Option<u64> {
        let file = std::fs::File::open(path).ok()?;
        let reader = ::parquet::file::serialized_reader::SerializedFileReader::new(file).ok()?;
        use ::parquet::file::reader::FileReader;
        let groups = reader.metadata().row_groups();
        Some(
            groups
                .iter()
                .map(|g| g.total_byte_size().max(0) as u64)
                .sum(),
        )
    }

    fn load(&self, input: Input<'_>, _opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
        let name = input.name();
        let (batches, rows) = match input {
            Input::Path(p) | Input::Mapped(p) => {
                parquet_batches(open(p, &name)?, &name, |_| BATCH_ROWS)?
            }
            Input::Bytes { bytes, .. } => {
                parquet_batches(bytes::Bytes::from(bytes), &name, |_| BATCH_ROWS)?
            }
        };
        read_all(batches, rows, &name, PARQUET.name, ctl)
    }

    fn arrow(&self) -> Option<&dyn ArrowReader> {
        Some(self)
    }

    fn pieces<'c>(
        &self,
        path: &Path,
        opts: &LoadOptions,
        piece_bytes: usize,
        ctl: Control<'c>,
    ) -> Result<Box<dyn ReadPieces + 'c>> {
        let _ = opts;
        let name = path.display().to_string();
        let file_size = std::fs::metadata(path).map_or(0, |m| m.len());
        // Rows per batch from the text a row takes, judged by the file's
        // size: pieces then hold about `piece_bytes` of text.
        let per_piece =
            |rows| rows_per_piece(piece_bytes, rows, file_size * 4).clamp(1, 1 << 20) as usize;
        let (batches, rows) = parquet_batches(open(path, &name)?, &name, per_piece)?;
        batch_pieces(batches, &name, PARQUET.name, file_size, rows, ctl)
    }
}

impl Reader for ArrowIpc {
    fn format(&self) -> &'static InputFormat {
        &ARROW
    }

    /// An Arrow IPC file (Feather v2), or an Arrow IPC stream; also a
    /// Feather v1 file, to say that it is one.
    fn recognises(&self, head: &[u8]) -> bool {
        head.starts_with(FILE_MAGIC) || head.starts_with(FEATHER_V1) || starts_as_stream(head)
    }

    fn load(&self, input: Input<'_>, _opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
        let name = input.name();
        let batches = match input {
            Input::Path(p) | Input::Mapped(p) => ipc_batches(open(p, &name)?, &name)?,
            Input::Bytes { bytes, .. } => ipc_batches(std::io::Cursor::new(bytes), &name)?,
        };
        read_all(batches, 0, &name, ARROW.name, ctl)
    }

    fn arrow(&self) -> Option<&dyn ArrowReader> {
        Some(self)
    }

    /// An Arrow file's record batches, one piece each.
    fn pieces<'c>(
        &self,
        path: &Path,
        opts: &LoadOptions,
        piece_bytes: usize,
        ctl: Control<'c>,
    ) -> Result<Box<dyn ReadPieces + 'c>> {
        let _ = (opts, piece_bytes);
        let name = path.display().to_string();
        let file_size = std::fs::metadata(path).map_or(0, |m| m.len());
        let batches = ipc_batches(open(path, &name)?, &name)?;
        batch_pieces(batches, &name, ARROW.name, file_size, 0, ctl)
    }
}

impl ArrowReader for Parquet {
    /// The file's row groups, read side by side, each in batches of at
    /// most a million rows (fewer when they would hold more than
    /// [`WHOLE_BATCH_TEXT`] of text). A string column whose every page is
    /// dictionary-encoded keeps its dictionary ([`kept_dictionaries`]):
    /// its values are then decoded once per row group, not once per row,
    /// and compared by their keys.
    fn read(&self, path: &Path, ctl: Control<'_>) -> Result<ArrowTable> {
        use ::parquet::arrow::arrow_reader::{
            ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
        };
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicU64, Ordering};
        let name = path.display().to_string();
        let damaged = |e: &dyn std::fmt::Display| damaged(&name, e);
        let meta = ArrowReaderMetadata::load(&open(path, &name)?, ArrowReaderOptions::new())
            .map_err(|e| damaged(&e))?;
        let meta = match kept_dictionaries(&meta) {
            Some(schema) => ArrowReaderMetadata::try_new(
                meta.metadata().clone(),
                ArrowReaderOptions::new().with_schema(schema),
            )
            .map_err(|e| damaged(&e))?,
            None => meta,
        };
        let groups = meta.metadata().row_groups();
        let rows = meta.metadata().file_metadata().num_rows().max(0) as u64;
        let read = AtomicU64::new(0);
        // Each row group through a file handle of its own (handles opened
        // from one share their position).
        let pieces = (0..groups.len())
            .into_par_iter()
            .map(|g| -> Result<Vec<RecordBatch>> {
                let group = &groups[g];
                let group_rows = group.num_rows().max(0) as u64;
                let text = group.total_byte_size().max(0) as u64;
                let per_batch =
                    rows_per_piece(WHOLE_BATCH_TEXT, group_rows, text).clamp(1, 1 << 20);
                let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
                    open(path, &name)?,
                    meta.clone(),
                )
                .with_row_groups(vec![g])
                .with_batch_size(per_batch.min(group_rows.max(1)) as usize)
                .build()
                .map_err(|e| damaged(&e))?;
                let mut batches = Vec::new();
                for batch in reader {
                    ctl.check()?;
                    let batch = batch.map_err(|e| damaged(&e))?;
                    let n = batch.num_rows() as u64;
                    ctl.report(
                        Phase::Loading,
                        read.fetch_add(n, Ordering::Relaxed) + n,
                        rows,
                    );
                    batches.push(batch);
                }
                Ok(batches)
            })
            .collect::<Result<Vec<_>>>()?;
        let batches = pieces.into_iter().flatten().map(Ok);
        ArrowTable::assemble(meta.schema().clone(), batches, &name, PARQUET.name)
    }
}

/// The schema to read a Parquet file by, keeping the dictionaries of its
/// top-level string columns whose every data page, in every row group, is
/// dictionary-encoded; `None` when there is none. A column whose pages
/// fall back to plain values is read as plain strings: the reader would
/// otherwise build a dictionary for it, value by value.
fn kept_dictionaries(
    meta: &::parquet::arrow::arrow_reader::ArrowReaderMetadata,
) -> Option<SchemaRef> {
    use ::parquet::basic::Encoding;
    use ::parquet::file::metadata::ColumnChunkMetaData;
    #[allow(deprecated)]
    let levels = |e: Encoding| matches!(e, Encoding::RLE | Encoding::BIT_PACKED);
    let all_dictionary = |chunk: &ColumnChunkMetaData| {
        let dictionary =
            |e: Encoding| matches!(e, Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY);
        chunk.dictionary_page_offset().is_some()
            && match chunk.page_encoding_stats_mask() {
                Some(pages) => {
                    pages.is_only(Encoding::PLAIN_DICTIONARY)
                        || pages.is_only(Encoding::RLE_DICTIONARY)
                }
                // Without page statistics, the chunk's encodings: the
                // values' and the levels' (a writer that lists `PLAIN` for
                // the dictionary page itself is read as plain; old writers
                // list `BIT_PACKED` for levels).
                None => chunk.encodings().all(|e| dictionary(e) || levels(e)),
            }
    };
    let parquet = meta.metadata();
    let leaves = parquet.file_metadata().schema_descr().columns();
    let schema = meta.schema();
    let mut kept = false;
    let fields: Vec<arrow_schema::FieldRef> = schema
        .fields()
        .iter()
        .map(|f| {
            let strings = matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8);
            let leaf = leaves
                .iter()
                .position(|c| c.path().parts() == [f.name().as_str()]);
            match leaf {
                Some(c)
                    if strings
                        && parquet
                            .row_groups()
                            .iter()
                            .all(|g| all_dictionary(g.column(c))) =>
                {
                    kept = true;
                    let t = DataType::Dictionary(
                        Box::new(DataType::Int32),
                        Box::new(f.data_type().clone()),
                    );
                    std::sync::Arc::new(f.as_ref().clone().with_data_type(t))
                }
                _ => f.clone(),
            }
        })
        .collect();
    kept.then(|| {
        std::sync::Arc::new(arrow_schema::Schema::new_with_metadata(
            fields,
            schema.metadata().clone(),
        ))
    })
}

impl ArrowReader for ArrowIpc {
    /// The file's record batches.
    fn read(&self, path: &Path, ctl: Control<'_>) -> Result<ArrowTable> {
        let name = path.display().to_string();
        let batches = ipc_batches(open(path, &name)?, &name)?;
        ArrowTable::collect(batches, 0, &name, ARROW.name, ctl)
    }
}

/// A table of Arrow record batches already in memory (a pyarrow table, a
/// pandas or polars frame through Arrow's C stream interface), read as an
/// Arrow file's batches are; `name` names it in messages.
pub fn table_from_arrow(
    name: &str,
    schema: SchemaRef,
    batches: impl Iterator<Item = std::result::Result<RecordBatch, arrow_schema::ArrowError>>
        + Send
        + 'static,
    ctl: Control<'_>,
) -> Result<Table> {
    read_all(streamed(schema, batches), 0, name, ARROW.name, ctl)
}

/// Batches that come from Arrow's stream interface (or any reader of
/// record batches), as [`Batches`].
pub(super) fn streamed(
    schema: SchemaRef,
    batches: impl Iterator<Item = std::result::Result<RecordBatch, arrow_schema::ArrowError>>
        + Send
        + 'static,
) -> Batches {
    (
        schema,
        Box::new(batches.map(|b| b.map_err(|e| e.to_string()))),
    )
}

/// Batches of record, with the schema they follow.
pub(super) type Batches = (
    SchemaRef,
    Box<dyn Iterator<Item = std::result::Result<RecordBatch, String>> + Send>,
);

pub(super) fn open(path: &Path, name: &str) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|source| Error::Read {
        path: name.to_string(),
        source,
    })
}

/// The error for a file the columnar readers cannot read.
pub(super) fn damaged(name: &str, why: &dyn std::fmt::Display) -> Error {
    refused(name, &format!("cannot be read: {why}"))
}

/// The error for a file the columnar readers refuse, saying why.
fn refused(name: &str, detail: &str) -> Error {
    Error::InvalidFile {
        path: name.to_string(),
        line: None,
        detail: detail.to_string(),
    }
}

/// The rows of a batch of a file read whole: few enough that a dozen or
/// so columns stay in the cache while their rows are put together (8K
/// measured fastest on bench/parquet_vs_duckdb.py, against 2K to 64K).
pub(super) const BATCH_ROWS: usize = 8 * 1024;

/// Text a batch of a file read whole as Arrow columns holds at most.
const WHOLE_BATCH_TEXT: usize = 256 << 20;

/// `batch` in slices of at most [`BATCH_ROWS`] rows (views, not copies).
fn slices(batch: &RecordBatch) -> impl Iterator<Item = RecordBatch> + '_ {
    let n = batch.num_rows();
    (0..n)
        .step_by(BATCH_ROWS)
        .map(move |start| batch.slice(start, BATCH_ROWS.min(n - start)))
}

/// A Parquet file's batches, of the rows `batch_rows` gives for the
/// file's number of rows, and that number.
pub(super) fn parquet_batches<T: ::parquet::file::reader::ChunkReader + 'static>(
    source: T,
    name: &str,
    batch_rows: impl FnOnce(u64) -> usize,
) -> Result<(Batches, u64)> {
    let builder = ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(source)
        .map_err(|e| damaged(name, &e))?;
    let rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
    let schema = builder.schema().clone();
    let reader = builder
        .with_batch_size(batch_rows(rows))
        .build()
        .map_err(|e| damaged(name, &e))?;
    let batches: Batches = (
        schema,
        Box::new(reader.map(|b| b.map_err(|e| e.to_string()))),
    );
    Ok((batches, rows))
}

/// `batches` as pieces ([`ReadPieces`]), a batch each.
fn batch_pieces<'c>(
    batches: Batches,
    name: &str,
    format: &'static str,
    file_size: u64,
    total_rows: u64,
    ctl: Control<'c>,
) -> Result<Box<dyn ReadPieces + 'c>> {
    let (schema, batches) = batches;
    let pieces = BatchPieces::new(batches, &schema, name, format, file_size, total_rows, ctl);
    let (columns, info) = (pieces.columns.clone(), pieces.info.clone());
    Ok(Box::new(Piecewise::start(
        pieces, columns, info, file_size,
    )?))
}

pub(super) fn ipc_batches<R: std::io::Read + std::io::Seek + Send + 'static>(
    mut source: R,
    name: &str,
) -> Result<Batches> {
    use std::io::{Read, SeekFrom};
    let mut head = Vec::with_capacity(8);
    let io = |source| Error::Read {
        path: name.to_string(),
        source,
    };
    (&mut source).take(8).read_to_end(&mut head).map_err(io)?;
    source.seek(SeekFrom::Start(0)).map_err(io)?;
    if head.starts_with(FEATHER_V1) {
        return Err(refused(
            name,
            "is a Feather version 1 file, which Concord does not read; write it again as Feather version 2 (Arrow IPC, pyarrow's default)",
        ));
    }
    if starts_as_stream(&head) {
        let reader =
            arrow_ipc::reader::StreamReader::try_new(std::io::BufReader::new(source), None)
                .map_err(|e| damaged(name, &e))?;
        return Ok((
            reader.schema(),
            Box::new(reader.map(|b| b.map_err(|e| e.to_string()))),
        ));
    }
    if !head.starts_with(FILE_MAGIC) {
        return Err(refused(
            name,
            "is not an Arrow IPC file or stream: it does not start as one does",
        ));
    }
    let reader =
        arrow_ipc::reader::FileReader::try_new(source, None).map_err(|e| damaged(name, &e))?;
    let schema = reader.schema();
    Ok((
        schema,
        Box::new(reader.map(|b| b.map_err(|e| e.to_string()))),
    ))
}

/// The first bytes of an Arrow IPC file (a stream has none of its own).
const FILE_MAGIC: &[u8] = b"ARROW1";

/// The first bytes of a Feather version 1 file, Arrow's first file format.
const FEATHER_V1: &[u8] = b"FEA1";

/// Whether `head` starts as an Arrow IPC stream does: a message, marked
/// by the continuation bytes and followed by its length (the schema's,
/// which is more than the marker and less than a few MB).
fn starts_as_stream(head: &[u8]) -> bool {
    match head {
        [0xFF, 0xFF, 0xFF, 0xFF, a, b, c, d, ..] => {
            (8..1 << 24).contains(&i32::from_le_bytes([*a, *b, *c, *d]))
        }
        _ => false,
    }
}

/// Every batch into one table; `rows`, the rows to expect (0 if unknown).
pub(super) fn read_all(
    batches: Batches,
    rows: u64,
    name: &str,
    format: &'static str,
    ctl: Control<'_>,
) -> Result<Table> {
    let (schema, batches) = batches;
    let mut pieces = BatchPieces::new(batches, &schema, name, format, 0, rows, ctl);
    let mut table = TableBuilder::whole(pieces.info.clone(), pieces.columns.clone(), 1);
    table.reserve_rows(rows as usize, 0);
    while let Some(batch) = pieces.next_batch()? {
        // Rows to expect: the file's count, or at least this batch's (a
        // frame in memory comes as batches of unknown number).
        let expected = rows.max(pieces.rows + batch.num_rows() as u64);
        for slice in slices(&batch) {
            let first = pieces.rows == 0;
            pieces.push_rows(&mut table, &slice)?;
            if first && pieces.rows > 0 && expected > pieces.rows {
                // The text the other rows take, judged by the first rows'
                // (a file's own sizes undercount text by a third or more),
                // so that the table does not grow by copying itself over.
                let per_row = table.text_bytes() as u64 / pieces.rows + 1;
                table.reserve(((expected - pieces.rows) * per_row * 21 / 20) as usize);
                table.reserve_rows((expected - pieces.rows) as usize, 0);
            }
        }
    }
    let mut t = table.finish(pieces.rows)?;
    t.info = pieces.info;
    Ok(t)
}

/// The columns of a file of `schema` (names made unique, which the
/// description's warnings say) and its description.
pub(super) fn described(
    schema: &SchemaRef,
    name: &str,
    format: &'static str,
    file_size: u64,
) -> (Vec<String>, SourceInfo) {
    let mut warnings = Vec::new();
    let names = schema.fields().iter().map(|f| f.name().clone()).collect();
    let columns = unique_names(names, &mut warnings);
    let info = SourceInfo {
        bytes: file_size,
        warnings,
        ..SourceInfo::new(name, format)
    };
    (columns, info)
}

/// Batches read into tables of about a piece's rows; see [`ReadPieces`].
struct BatchPieces<'c> {
    batches: Box<dyn Iterator<Item = std::result::Result<RecordBatch, String>> + Send>,
    name: String,
    columns: Vec<String>,
    info: SourceInfo,
    /// Rows handed out so far (and the index of the next).
    rows: u64,
    total_rows: u64,
    ctl: Control<'c>,
}

impl<'c> BatchPieces<'c> {
    fn new(
        batches: Box<dyn Iterator<Item = std::result::Result<RecordBatch, String>> + Send>,
        schema: &SchemaRef,
        name: &str,
        format: &'static str,
        file_size: u64,
        total_rows: u64,
        ctl: Control<'c>,
    ) -> BatchPieces<'c> {
        let (columns, info) = described(schema, name, format, file_size);
        BatchPieces {
            batches,
            name: name.to_string(),
            columns,
            info,
            rows: 0,
            total_rows,
            ctl,
        }
    }

    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        self.ctl.check()?;
        match self.batches.next() {
            None => Ok(None),
            Some(Ok(b)) => Ok(Some(b)),
            Some(Err(e)) => Err(damaged(&self.name, &e)),
        }
    }

    /// Adds the rows of `batch` to `table`, as text, a slice of at most
    /// [`BATCH_ROWS`] at a time (a frame in memory may come as one batch of
    /// a million rows, whose columns would not stay in the cache).
    fn push_batch(&mut self, table: &mut TableBuilder, batch: &RecordBatch) -> Result<()> {
        slices(batch).try_for_each(|slice| self.push_rows(table, &slice))
    }

    fn push_rows(&mut self, table: &mut TableBuilder, batch: &RecordBatch) -> Result<()> {
        let first = self.rows;
        let total = self.total_rows.max(first + batch.num_rows() as u64);
        push_text(table, batch, &self.name, &self.columns, total, |k| {
            first + k as u64
        })?;
        self.rows += batch.num_rows() as u64;
        if self.total_rows > 0 {
            self.ctl.report(Phase::Loading, self.rows, self.total_rows);
        }
        Ok(())
    }
}

/// Adds the rows of `batch`, of the file `name` with `columns` and
/// `file_rows` rows, to `table` as text, its row `k` as the file's row
/// `index(k)` (0-based; its "line" is its 1-based number among the rows).
pub(super) fn push_text(
    table: &mut TableBuilder,
    batch: &RecordBatch,
    name: &str,
    columns: &[String],
    file_rows: u64,
    index: impl Fn(usize) -> u64,
) -> Result<()> {
    // Each column is made text once for the batch, so that rows are
    // then put together by copying slices, with no call per cell.
    let texts = batch
        .columns()
        .iter()
        .zip(columns)
        .map(|(a, column)| {
            column_text(a.as_ref()).map_err(|detail| Error::InvalidFile {
                path: name.to_string(),
                line: None,
                detail: format!("column '{column}': {detail}"),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    for row in 0..batch.num_rows() {
        let at = index(row);
        let source_row = u32::try_from(at).map_err(|_| Error::TooManyRows {
            path: name.to_string(),
            rows: file_rows,
        })?;
        table.push_written(source_row, at + 1, |c, text| {
            text.extend_from_slice(texts[c].value(row))
        });
    }
    Ok(())
}

impl TakePiece for BatchPieces<'_> {
    /// The next batch's rows; `None` after the last.
    fn take(&mut self) -> Result<Option<Table>> {
        let Some(batch) = self.next_batch()? else {
            return Ok(None);
        };
        let mut table = TableBuilder::new(self.info.clone(), self.columns.clone());
        self.push_batch(&mut table, &batch)?;
        table.finish(self.total_rows).map(Some)
    }
    fn rows(&self) -> u64 {
        self.rows
    }
}

/// One column of a batch as text.
enum ColumnText<'a> {
    /// Strings, read where the array holds them.
    Utf8(&'a arrow_array::StringArray),
    /// Large strings, read where the array holds them.
    LargeUtf8(&'a arrow_array::LargeStringArray),
    /// String views (polars' strings), read where the array holds them.
    Utf8View(&'a arrow_array::StringViewArray),
    /// Values written into one buffer: row `i`'s text is
    /// `bytes[ends[i]..ends[i + 1]]`.
    Written { bytes: Vec<u8>, ends: Vec<usize> },
}

impl ColumnText<'_> {
    /// Row `row`'s text (empty for a null).
    #[inline]
    fn value(&self, row: usize) -> &[u8] {
        match self {
            ColumnText::Utf8(a) if a.is_valid(row) => a.value(row).as_bytes(),
            ColumnText::LargeUtf8(a) if a.is_valid(row) => a.value(row).as_bytes(),
            ColumnText::Utf8View(a) if a.is_valid(row) => a.value(row).as_bytes(),
            ColumnText::Utf8(_) | ColumnText::LargeUtf8(_) | ColumnText::Utf8View(_) => b"",
            ColumnText::Written { bytes, ends } => &bytes[ends[row]..ends[row + 1]],
        }
    }
}

/// Every value of `array` written by `write` (nulls left empty).
fn written(array: &dyn Array, mut write: impl FnMut(usize, &mut Vec<u8>)) -> ColumnText<'static> {
    let n = array.len();
    let nulls = array.logical_nulls();
    let mut bytes = Vec::with_capacity(n * 8);
    let mut ends = Vec::with_capacity(n + 1);
    ends.push(0);
    for i in 0..n {
        if nulls.as_ref().is_none_or(|m| m.is_valid(i)) {
            write(i, &mut bytes);
        }
        ends.push(bytes.len());
    }
    ColumnText::Written { bytes, ends }
}

/// `array`'s values as text: fast paths for the common flat types, else
/// [`write_cell`] (nested values, dictionaries, times).
fn column_text(array: &dyn Array) -> std::result::Result<ColumnText<'_>, String> {
    macro_rules! ints {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            let mut f = itoa::Buffer::new();
            written(array, move |i, out| {
                out.extend_from_slice(f.format(a.value(i)).as_bytes())
            })
        }};
    }
    macro_rules! decimals {
        ($t:ty, $s:expr) => {{
            let a = array.as_primitive::<$t>();
            let scale = $s;
            let mut f = itoa::Buffer::new();
            written(array, move |i, out| {
                let v = i128::from(a.value(i));
                decimal_bytes(f.format(v), scale, out)
            })
        }};
    }
    Ok(match array.data_type() {
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => ints!(UInt64Type),
        DataType::Decimal32(_, s) => decimals!(Decimal32Type, *s),
        DataType::Decimal64(_, s) => decimals!(Decimal64Type, *s),
        DataType::Decimal128(_, s) => decimals!(Decimal128Type, *s),
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            written(array, move |i, out| float_bytes(a.value(i), out))
        }
        DataType::Utf8 => ColumnText::Utf8(array.as_string::<i32>()),
        DataType::LargeUtf8 => ColumnText::LargeUtf8(array.as_string::<i64>()),
        DataType::Utf8View => ColumnText::Utf8View(array.as_string_view()),
        DataType::Dictionary(_, _) => {
            // Each distinct value is made text once, then copied per row.
            let dict = array.as_any_dictionary();
            if dict.values().is_empty() {
                // No value to refer to: every key is null.
                return Ok(written(array, |_, _| {}));
            }
            let values = column_text(dict.values().as_ref())?;
            let keys = dict.normalized_keys();
            written(array, move |i, out| {
                out.extend_from_slice(values.value(keys[i]))
            })
        }
        DataType::Boolean => {
            let a = array.as_boolean();
            written(array, move |i, out| {
                out.extend_from_slice(if a.value(i) { b"true" } else { b"false" })
            })
        }
        DataType::Date32 => {
            let a = array.as_primitive::<Date32Type>();
            written(array, move |i, out| {
                let (y, m, d) = civil(i64::from(a.value(i)));
                date_bytes(y, m, d, out)
            })
        }
        DataType::Timestamp(unit, tz) => {
            let utc = tz.is_some();
            let (values, digits): (&[i64], u32) = match unit {
                TimeUnit::Second => (array.as_primitive::<TimestampSecondType>().values(), 0),
                TimeUnit::Millisecond => {
                    (array.as_primitive::<TimestampMillisecondType>().values(), 3)
                }
                TimeUnit::Microsecond => {
                    (array.as_primitive::<TimestampMicrosecondType>().values(), 6)
                }
                TimeUnit::Nanosecond => {
                    (array.as_primitive::<TimestampNanosecondType>().values(), 9)
                }
            };
            written(array, move |i, out| {
                timestamp_bytes(values[i], digits, utc, out)
            })
        }
        t => {
            // Check once that the type is one Concord reads.
            if !array.is_empty() && !array.is_null(0) {
                write_cell(array, 0, &mut String::new())?;
            } else if matches!(
                t,
                DataType::Interval(_) | DataType::Union(_, _) | DataType::RunEndEncoded(_, _)
            ) {
                return Err(format!("its type {t} is not one Concord reads"));
            }
            let mut s = String::new();
            written(array, move |i, out| {
                s.clear();
                let _ = write_cell(array, i, &mut s);
                out.extend_from_slice(s.as_bytes());
            })
        }
    })
}

/// [`float`] into bytes, through `zmij` (a faster `ryu`) where its text
/// is the same.
fn float_bytes(v: f64, out: &mut Vec<u8>) {
    if v.is_finite() {
        let mut b = zmij::Buffer::new();
        let s = b.format_finite(v);
        // zmij writes 1.0 and 1e16 where the shortest text is 1 and
        // 10000000000000000.
        if !s.contains('e') {
            out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
            return;
        }
    }
    let mut s = String::new();
    float(v, &mut s);
    out.extend_from_slice(s.as_bytes());
}

/// [`decimal_text`] into bytes.
fn decimal_bytes(digits: &str, scale: i8, out: &mut Vec<u8>) {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(d) => (&b"-"[..], d),
        None => (&b""[..], digits),
    };
    out.extend_from_slice(sign);
    let d = digits.as_bytes();
    if scale <= 0 {
        out.extend_from_slice(d);
        out.resize(out.len() + (-i32::from(scale)) as usize, b'0');
        return;
    }
    let scale = scale as usize;
    if d.len() > scale {
        out.extend_from_slice(&d[..d.len() - scale]);
        out.push(b'.');
        out.extend_from_slice(&d[d.len() - scale..]);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + scale - d.len(), b'0');
        out.extend_from_slice(d);
    }
}

/// [`timestamp`] into bytes, without formatting machinery for the usual
/// years.
fn timestamp_bytes(v: i64, digits: u32, utc: bool, out: &mut Vec<u8>) {
    let per_second = 10i64.pow(digits);
    let per_day = 86_400 * per_second;
    let days = v.div_euclid(per_day);
    let in_day = v.rem_euclid(per_day);
    let (y, m, d) = civil(days);
    date_bytes(y, m, d, out);
    if in_day == 0 && !utc {
        return;
    }
    let seconds = in_day / per_second;
    let fraction = in_day % per_second;
    let two = |n: i64| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
    out.push(b'T');
    out.extend_from_slice(&two(seconds / 3600));
    out.push(b':');
    out.extend_from_slice(&two(seconds / 60 % 60));
    out.push(b':');
    out.extend_from_slice(&two(seconds % 60));
    if fraction != 0 {
        out.push(b'.');
        let mut f = itoa::Buffer::new();
        let text = f.format(fraction);
        out.resize(out.len() + digits as usize - text.len(), b'0');
        out.extend_from_slice(text.as_bytes());
        while out.last() == Some(&b'0') {
            out.pop();
        }
    }
    if utc {
        out.push(b'Z');
    }
}

/// A date as `YYYY-MM-DD` into bytes.
fn date_bytes(y: i64, m: u32, d: u32, out: &mut Vec<u8>) {
    if (0..=9999).contains(&y) {
        let y = y as u32;
        out.extend_from_slice(&[
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b'-',
            b'0' + (d / 10) as u8,
            b'0' + (d % 10) as u8,
        ]);
    } else {
        let mut s = String::new();
        let _ = write!(s, "{y:04}-{m:02}-{d:02}");
        out.extend_from_slice(s.as_bytes());
    }
}

/// Writes the text of row `i` of `array` (see the module notes).
fn write_cell(array: &dyn Array, i: usize, out: &mut String) -> std::result::Result<(), String> {
    if array.is_null(i) {
        return Ok(());
    }
    macro_rules! int {
        ($t:ty) => {{
            let _ = write!(out, "{}", array.as_primitive::<$t>().value(i));
        }};
    }
    match array.data_type() {
        DataType::Null => {}
        DataType::Boolean => out.push_str(if array.as_boolean().value(i) {
            "true"
        } else {
            "false"
        }),
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Float16 => float(
            f64::from(array.as_primitive::<Float16Type>().value(i).to_f32()),
            out,
        ),
        DataType::Float32 => {
            // An f32's own shortest text (0.1, not 0.100000001490116).
            let v = array.as_primitive::<Float32Type>().value(i);
            if v.is_finite() {
                let _ = write!(out, "{v}");
            } else {
                float(f64::from(v), out);
            }
        }
        DataType::Float64 => float(array.as_primitive::<Float64Type>().value(i), out),
        DataType::Decimal32(_, s) => decimal(
            i128::from(array.as_primitive::<Decimal32Type>().value(i)),
            *s,
            out,
        ),
        DataType::Decimal64(_, s) => decimal(
            i128::from(array.as_primitive::<Decimal64Type>().value(i)),
            *s,
            out,
        ),
        DataType::Decimal128(_, s) => {
            decimal(array.as_primitive::<Decimal128Type>().value(i), *s, out)
        }
        DataType::Decimal256(_, s) => {
            let digits = array.as_primitive::<Decimal256Type>().value(i).to_string();
            decimal_text(&digits, *s, out);
        }
        DataType::Utf8 => out.push_str(array.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => out.push_str(array.as_string::<i64>().value(i)),
        DataType::Utf8View => out.push_str(array.as_string_view().value(i)),
        DataType::Binary => hex(array.as_binary::<i32>().value(i), out),
        DataType::LargeBinary => hex(array.as_binary::<i64>().value(i), out),
        DataType::BinaryView => hex(array.as_binary_view().value(i), out),
        DataType::FixedSizeBinary(_) => hex(array.as_fixed_size_binary().value(i), out),
        DataType::Date32 => {
            let days = i64::from(array.as_primitive::<Date32Type>().value(i));
            date(days, out);
        }
        DataType::Date64 => {
            let ms = array.as_primitive::<Date64Type>().value(i);
            timestamp(i128::from(ms), 3, false, out);
        }
        DataType::Timestamp(unit, tz) => {
            let (v, digits) = match unit {
                TimeUnit::Second => (array.as_primitive::<TimestampSecondType>().value(i), 0),
                TimeUnit::Millisecond => {
                    (array.as_primitive::<TimestampMillisecondType>().value(i), 3)
                }
                TimeUnit::Microsecond => {
                    (array.as_primitive::<TimestampMicrosecondType>().value(i), 6)
                }
                TimeUnit::Nanosecond => {
                    (array.as_primitive::<TimestampNanosecondType>().value(i), 9)
                }
            };
            timestamp(i128::from(v), digits, tz.is_some(), out);
        }
        DataType::Time32(unit) => {
            let (v, digits) = match unit {
                TimeUnit::Second => (
                    i64::from(array.as_primitive::<Time32SecondType>().value(i)),
                    0,
                ),
                _ => (
                    i64::from(array.as_primitive::<Time32MillisecondType>().value(i)),
                    3,
                ),
            };
            time_of_day(i128::from(v), digits, out);
        }
        DataType::Time64(unit) => {
            let (v, digits) = match unit {
                TimeUnit::Nanosecond => (array.as_primitive::<Time64NanosecondType>().value(i), 9),
                _ => (array.as_primitive::<Time64MicrosecondType>().value(i), 6),
            };
            time_of_day(i128::from(v), digits, out);
        }
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let key = dict.normalized_keys()[i];
            write_cell(dict.values().as_ref(), key, out)?;
        }
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(_, _)
        | DataType::Struct(_)
        | DataType::Map(_, _) => out.push_str(&json(array, i)?.to_string()),
        other => return Err(format!("its type {other} is not one Concord reads")),
    }
    Ok(())
}

/// A nested value as JSON: lists as arrays, structs and maps as objects,
/// numbers as numbers, other leaves as their text.
fn json(array: &dyn Array, i: usize) -> std::result::Result<Value, String> {
    if array.is_null(i) {
        return Ok(Value::Null);
    }
    let list = |values: &dyn Array, range: std::ops::Range<usize>| {
        range
            .map(|j| json(values, j))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map(Value::Array)
    };
    match array.data_type() {
        DataType::List(_) => {
            let l = array.as_list::<i32>();
            let o = l.value_offsets();
            list(l.values().as_ref(), o[i] as usize..o[i + 1] as usize)
        }
        DataType::LargeList(_) => {
            let l = array.as_list::<i64>();
            let o = l.value_offsets();
            list(l.values().as_ref(), o[i] as usize..o[i + 1] as usize)
        }
        DataType::FixedSizeList(_, n) => {
            let l = array.as_fixed_size_list();
            let n = *n as usize;
            list(l.values().as_ref(), i * n..(i + 1) * n)
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let mut object = serde_json::Map::new();
            for (f, column) in fields.iter().zip(s.columns()) {
                object.insert(f.name().clone(), json(column.as_ref(), i)?);
            }
            Ok(Value::Object(object))
        }
        DataType::Map(_, _) => {
            let m = array.as_map();
            let o = m.value_offsets();
            let mut object = serde_json::Map::new();
            for j in o[i] as usize..o[i + 1] as usize {
                let mut key = String::new();
                write_cell(m.keys().as_ref(), j, &mut key)?;
                object.insert(key, json(m.values().as_ref(), j)?);
            }
            Ok(Value::Object(object))
        }
        t => {
            let mut text = String::new();
            write_cell(array, i, &mut text)?;
            let number = t.is_numeric()
                && !matches!(t, DataType::Float16 | DataType::Float32 | DataType::Float64)
                || matches!(t, DataType::Float16 | DataType::Float32 | DataType::Float64)
                    && text.parse::<f64>().is_ok_and(f64::is_finite);
            Ok(
                match (number, serde_json::from_str::<serde_json::Number>(&text)) {
                    (true, Ok(n)) => Value::Number(n),
                    _ if matches!(t, DataType::Boolean) => Value::Bool(text == "true"),
                    _ => Value::String(text),
                },
            )
        }
    }
}

/// A float's shortest text; `NaN`, `inf` and `-inf` as such.
fn float(v: f64, out: &mut String) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "inf" } else { "-inf" });
    } else {
        let _ = write!(out, "{v}");
    }
}

/// An unscaled decimal `v` at scale `scale`, exactly: `150` at 2 is `1.50`.
fn decimal(v: i128, scale: i8, out: &mut String) {
    decimal_text(&v.to_string(), scale, out);
}

/// The decimal whose unscaled digits (with a sign) are `digits`.
fn decimal_text(digits: &str, scale: i8, out: &mut String) {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", digits),
    };
    out.push_str(sign);
    if scale <= 0 {
        out.push_str(digits);
        for _ in 0..(-i32::from(scale)) {
            out.push('0');
        }
        return;
    }
    let scale = scale as usize;
    if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        let _ = write!(out, "{whole}.{fraction}");
    } else {
        let _ = write!(out, "0.{}{digits}", "0".repeat(scale - digits.len()));
    }
}

/// Lowercase hex of bytes.
fn hex(bytes: &[u8], out: &mut String) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
}

/// The civil date `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn date(days: i64, out: &mut String) {
    let (y, m, d) = civil(days);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
}

/// `v` units of 10^-digits seconds since the epoch, as ISO 8601.
fn timestamp(v: i128, digits: u32, utc: bool, out: &mut String) {
    let per_second = 10i128.pow(digits);
    let per_day = 86_400 * per_second;
    let days = v.div_euclid(per_day);
    let in_day = v.rem_euclid(per_day);
    date(days as i64, out);
    if in_day != 0 || utc {
        out.push('T');
        time_of_day(in_day, digits, out);
    }
    if utc {
        out.push('Z');
    }
}

/// `v` units of 10^-digits seconds since midnight, as `HH:MM:SS[.f]`.
fn time_of_day(v: i128, digits: u32, out: &mut String) {
    let per_second = 10i128.pow(digits);
    let seconds = v.div_euclid(per_second);
    let fraction = v.rem_euclid(per_second);
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if fraction != 0 {
        let text = format!("{fraction:0width$}", width = digits as usize);
        let _ = write!(out, ".{}", text.trim_end_matches('0'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_is_an_empty_cell_in_every_kind_of_column() {
        use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, StringArray};
        use std::sync::Arc;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![Some(7), None])),
            Arc::new(Float64Array::from(vec![None, Some(1.5)])),
            Arc::new(StringArray::from(vec![Some("a"), None])),
            Arc::new(Date32Array::from(vec![None, Some(19783)])),
        ];
        let cells: Vec<Vec<String>> = columns
            .iter()
            .map(|a| {
                let t = column_text(a.as_ref()).unwrap();
                (0..2)
                    .map(|r| String::from_utf8(t.value(r).to_vec()).unwrap())
                    .collect()
            })
            .collect();
        assert_eq!(
            cells,
            [["7", ""], ["", "1.5"], ["a", ""], ["", "2024-03-01"]]
        );
    }

    #[test]
    fn string_columns_keep_their_dictionaries_when_every_page_uses_one() {
        use ::parquet::file::properties::WriterProperties;
        use arrow_array::{Int64Array, StringArray};
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let rows = 1000;
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(Int64Array::from_iter_values(0..rows)) as _),
            (
                "city",
                Arc::new(StringArray::from_iter_values(
                    (0..rows).map(|i| ["Oslo", "Lima", "Pune"][i as usize % 3]),
                )) as _,
            ),
            (
                "note",
                Arc::new(StringArray::from_iter_values(
                    (0..rows).map(|i| format!("note {i}")),
                )) as _,
            ),
        ])
        .unwrap();
        let read = |props: WriterProperties| {
            let path = dir.path().join("t.parquet");
            let file = std::fs::File::create(&path).unwrap();
            let mut w =
                ::parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
            w.write(&batch).unwrap();
            w.close().unwrap();
            let t = Parquet.read(&path, Control::default()).unwrap();
            assert_eq!(t.num_rows(), rows as usize);
            (t.data_type(1).clone(), t.data_type(2).clone())
        };
        let props = || {
            WriterProperties::builder()
                .set_max_row_group_row_count(Some(250))
                .set_data_page_row_count_limit(50)
                .set_write_batch_size(50)
        };
        let kept = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        // Unique notes overflow a small dictionary into plain pages.
        let small = props().set_dictionary_page_size_limit(100).build();
        assert_eq!(read(small), (kept.clone(), DataType::Utf8));
        let large = props().build();
        assert_eq!(read(large), (kept.clone(), kept));
        let none = props().set_dictionary_enabled(false).build();
        assert_eq!(read(none), (DataType::Utf8, DataType::Utf8));
    }

    #[test]
    fn a_dictionary_column_reads_as_its_values() {
        use arrow_array::{DictionaryArray, Float64Array, Int8Array, StringArray};
        use std::sync::Arc;
        let cells = |a: &dyn Array| -> Vec<String> {
            let t = column_text(a).unwrap();
            (0..a.len())
                .map(|r| String::from_utf8(t.value(r).to_vec()).unwrap())
                .collect()
        };
        // Repeated keys, a null key, a key to a null value; a slice of it.
        let values = Arc::new(StringArray::from(vec![Some("x"), None, Some("yz")]));
        let keys = Int8Array::from(vec![Some(2), Some(0), None, Some(1), Some(2)]);
        let d = DictionaryArray::new(keys, values);
        assert_eq!(cells(&d), ["yz", "x", "", "", "yz"]);
        assert_eq!(cells(&d.slice(1, 3)), ["x", "", ""]);
        // Values made text by their own type.
        let floats = Arc::new(Float64Array::from(vec![0.1 + 0.2, 2.0]));
        let d = DictionaryArray::new(Int8Array::from(vec![1, 0]), floats);
        assert_eq!(cells(&d), ["2", "0.30000000000000004"]);
        // No values at all: every key is null.
        let none = Arc::new(StringArray::from(Vec::<&str>::new()));
        let d = DictionaryArray::new(Int8Array::from(vec![None, None]), none);
        assert_eq!(cells(&d), ["", ""]);
    }

    fn text(f: impl Fn(&mut String)) -> String {
        let mut s = String::new();
        f(&mut s);
        s
    }

    #[test]
    fn decimals_are_exact_at_their_scale() {
        assert_eq!(text(|o| decimal(150, 2, o)), "1.50");
        assert_eq!(text(|o| decimal(-5, 3, o)), "-0.005");
        assert_eq!(text(|o| decimal(12, -2, o)), "1200");
        assert_eq!(text(|o| decimal(0, 2, o)), "0.00");
    }

    #[test]
    fn the_fast_writers_write_what_the_general_one_does() {
        let mut a = Vec::new();
        for v in [0.1, 1.0, -2.5, 1e16, 1e-7, 123456.789, f64::NAN] {
            a.clear();
            float_bytes(v, &mut a);
            assert_eq!(
                String::from_utf8(a.clone()).unwrap(),
                text(|o| float(v, o)),
                "{v}"
            );
        }
        for (v, s) in [(150i128, 2i8), (-5, 3), (12, -2), (0, 2)] {
            a.clear();
            decimal_bytes(&v.to_string(), s, &mut a);
            assert_eq!(
                String::from_utf8(a.clone()).unwrap(),
                text(|o| decimal(v, s, o))
            );
        }
        for (v, digits, utc) in [
            (19783 * 86_400_000_000 + 43_200_250_000, 6, true),
            (19783 * 86_400_000_000, 6, false),
            (-1, 3, false),
            (1_700_000_000_123_456_789, 9, true),
        ] {
            a.clear();
            timestamp_bytes(v, digits, utc, &mut a);
            let expected = text(|o| timestamp(i128::from(v), digits, utc, o));
            assert_eq!(String::from_utf8(a.clone()).unwrap(), expected);
        }
        for days in [-1, 0, 19783, 2_932_896] {
            a.clear();
            let (y, m, d) = civil(days);
            date_bytes(y, m, d, &mut a);
            assert_eq!(
                String::from_utf8(a.clone()).unwrap(),
                text(|o| date(days, o))
            );
        }
    }

    #[test]
    fn dates_and_timestamps_read_as_iso_8601() {
        assert_eq!(text(|o| date(19783, o)), "2024-03-01");
        assert_eq!(text(|o| date(-1, o)), "1969-12-31");
        let noon = (19783i128 * 86_400 + 12 * 3600) * 1_000_000 + 250_000;
        assert_eq!(
            text(|o| timestamp(noon, 6, false, o)),
            "2024-03-01T12:00:00.25"
        );
        assert_eq!(
            text(|o| timestamp(noon, 6, true, o)),
            "2024-03-01T12:00:00.25Z"
        );
        assert_eq!(
            text(|o| timestamp(19783 * 86_400, 0, false, o)),
            "2024-03-01"
        );
        assert_eq!(text(|o| time_of_day(45_296_500, 3, o)), "12:34:56.5");
    }

    #[test]
    fn arrow_and_parquet_files_read_in_pieces_as_whole() {
        use crate::table::{load_path, Pieces};
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/columnar");
        for name in ["people.feather", "people.parquet"] {
            let path = dir.join(name);
            let whole = load_path(&path, &LoadOptions::default(), Control::default()).unwrap();
            let mut pieces =
                Pieces::open(&path, &LoadOptions::default(), 1, Control::default()).unwrap();
            assert_eq!(pieces.columns(), whole.columns());
            let mut rows = Vec::new();
            while let Some(t) = pieces.next_piece().unwrap() {
                for r in 0..t.num_rows() {
                    let cells: Vec<String> = (0..t.num_columns())
                        .map(|c| t.cell(r, c).to_string())
                        .collect();
                    rows.push((t.source_row(r), cells));
                }
            }
            assert_eq!(rows.len(), whole.num_rows(), "{name}");
            for (r, (source, cells)) in rows.iter().enumerate() {
                assert_eq!(*source, r as u64);
                let expected: Vec<&str> =
                    (0..whole.num_columns()).map(|c| whole.cell(r, c)).collect();
                assert_eq!(cells, &expected, "{name} row {r}");
            }
            assert_eq!(pieces.rows(), whole.num_rows() as u64);
        }
    }
}
