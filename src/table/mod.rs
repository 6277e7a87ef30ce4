//! Loaded tables, stored compactly, and the readers that load them
//! (see [`source`] for how a file's format is told and read).
//!
//! A [`Table`] keeps a file's text as it was read (or as the kernel maps
//! it), with per row the offset where the row starts and per cell the offset
//! where it ends (16 bits, relative to the row, for rows under 32 KiB; rows
//! above that keep 32-bit offsets aside). A field starts one byte after the
//! one before it ends, and the top bit of its end says it is in quotes,
//! which are not part of its cell. Rows are read in the text itself, but
//! for the few whose fields do not read as they stand (`""` in quotes),
//! which are read from copies, unquoted, laid out the same way (see
//! `parse`). There is no allocation per cell.

mod arrow_table;
mod builder;
mod compressed;
mod decode;
mod formats;
mod load;
mod parse;
mod pieces;
mod sniff;
pub mod source;

// The readers: each input format is one module and one entry in `READERS`.
mod columnar;
mod csv;
mod jsonl;
mod workbook;

/// Every reader, in the order formats are offered: adding an input format
/// is adding its reader here. The first reads what no other recognises
/// (CSV, which also refuses what is not text).
pub static READERS: &[&dyn Reader] = &[
    &csv::Csv,
    &jsonl::JsonLines,
    &workbook::Workbook,
    &columnar::Parquet,
    &columnar::ArrowIpc,
];

pub use arrow_table::ArrowTable;
pub use builder::{encode_row, TableBuilder};
pub use columnar::table_from_arrow;
pub use compressed::Compression;
pub use csv::write_csv;
/// The name of CSV, the format of inputs stored before formats were named.
pub use csv::NAME as CSV;
pub(crate) use csv::{needs_quotes, write_field};
pub(crate) use decode::decode;
pub use decode::Encoding;
pub use formats::InputFormat;
pub(crate) use parse::{next_record, record_cells, Outcome, QUOTED};
pub(crate) use sniff::skip_lines;
pub use sniff::{sample_records, sniff_delimiter, sniff_header, DELIMITERS};
pub use source::{
    arrow_reader, load_both, load_bytes, load_path, load_to_disk, map_both, map_path,
    parse_delimiter, text_bytes, ArrowReader, LoadOptions, Pieces, Reader, SideOptions,
};
pub use workbook::{sheet_sizes, SheetSize};

use crate::array::Array;
use serde::Serialize;

/// Facts about where a table came from and how it was read.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// The path or name the table was loaded from, as the user gave it.
    pub path: String,
    /// Size of the input in bytes.
    pub bytes: u64,
    /// The input format's name ([`InputFormat::name`]).
    pub format: &'static str,
    /// The detected (or forced) text encoding, for text formats.
    pub encoding: Option<Encoding>,
    /// The field delimiter, for delimited text, as a string of one character.
    #[serde(serialize_with = "serialize_delimiter")]
    pub delimiter: Option<u8>,
    /// Whether the first record was read as the header.
    pub has_header: bool,
    /// Things the user should know that did not stop loading: renamed
    /// columns, padded rows.
    pub warnings: Vec<String>,
    /// The compression the file was found in, if any
    /// ([`Compression::name`]).
    pub compression: Option<&'static str>,
    /// The sheet read, for a workbook.
    pub sheet: Option<String>,
    /// Every worksheet of a workbook, in order (empty for other formats):
    /// what a sheet picker offers.
    pub sheets: Vec<String>,
}

impl SourceInfo {
    /// A file named `path` in `format` with a header, of which nothing
    /// else is known yet: what a reader starts from and fills in.
    pub fn new(path: &str, format: &'static str) -> SourceInfo {
        SourceInfo {
            path: path.to_string(),
            bytes: 0,
            format,
            encoding: None,
            delimiter: None,
            has_header: true,
            warnings: Vec::new(),
            compression: None,
            sheet: None,
            sheets: Vec::new(),
        }
    }

    /// How the file was read, in words for people: its format when it is
    /// not CSV, then its encoding and delimiter when it is text (`utf-8,
    /// delimiter ;`). Reports, `inspect` and the results screen say this.
    pub fn read_as(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(c) = self.compression {
            parts.push(c.to_string());
        }
        if self.format != csv::NAME {
            parts.push(self.format.to_string());
        }
        if let Some(s) = &self.sheet {
            parts.push(format!("sheet '{s}'"));
        }
        if let Some(e) = self.encoding {
            parts.push(e.to_string());
        }
        if let Some(d) = self.delimiter {
            parts.push(format!("delimiter {}", delimiter_name(d)));
        }
        parts
    }
}

fn serialize_delimiter<S: serde::Serializer>(d: &Option<u8>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&(*d as char).to_string()),
        None => s.serialize_none(),
    }
}

/// What a results screen and the JSON export say about a loaded file.
/// Serialized as `{"path", "format", "rows", "encoding", "delimiter",
/// "has_header", "columns", "warnings"}`; `encoding` and `delimiter` are
/// `null` for formats that are not delimited text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableInfo {
    /// The path or name the table was loaded from.
    pub path: String,
    /// The input format's name ([`InputFormat::name`]).
    pub format: String,
    /// Data rows.
    pub rows: usize,
    /// The text encoding it was read in, for text formats.
    pub encoding: Option<Encoding>,
    /// The field delimiter, for delimited text, as a string of one character.
    #[serde(serialize_with = "serialize_delimiter")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub delimiter: Option<u8>,
    /// Whether the first record was read as the header.
    pub has_header: bool,
    /// The column names.
    pub columns: Vec<String>,
    /// Things the user should know that did not stop loading.
    pub warnings: Vec<String>,
    /// The compression the file was found in (`gzip`, `zstd`, `bzip2`, `xz`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub compression: Option<String>,
    /// The sheet read, for a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sheet: Option<String>,
    /// Every worksheet of a workbook, in order; empty for other formats.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub sheets: Vec<String>,
}

/// Describes a delimiter for people: `,` or `tab`.
pub fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        b' ' => "space".to_string(),
        d => (d as char).to_string(),
    }
}

/// A CSV file in memory: column names and rows of text cells.
#[derive(Debug, Clone)]
pub struct Table {
    info: SourceInfo,
    columns: Vec<String>,
    buf: Array<u8>,
    /// The cells that cannot be read in `buf` (quoted fields with `""`,
    /// say), unquoted; their rows' starts in `row_start` are marked
    /// [`parse::ESCAPED`] and index `escaped_rows`.
    copies: Array<u8>,
    /// The rows with such cells, in order: where each starts in `buf`
    /// (after its block's base, see [`RowStarts`]) and its first entry in
    /// `escapes`.
    escaped_rows: Vec<EscapedRow>,
    /// Those cells, by row and column, and where their bytes end in
    /// `copies` (they start where the entry before ends).
    escapes: Vec<CopiedCell>,
    row_start: RowStarts,
    cell_end: CellEnds,
    wide: Vec<(u32, Box<[u32]>)>,
    /// Whether a field read in place that begins with a quote is a field in
    /// quotes (rows parsed from a CSV file's text; see `parse`): its cell
    /// is then the field without its first and last byte. Rows a builder
    /// wrote, and copied rows, hold their cells as they are.
    quotes_in_text: bool,
    line_jumps: Vec<(u32, u64)>,
    first_data_line: u64,
    subset: Option<Box<Subset>>,
}

/// A row of a table with cells read from its copies (8 bytes, as a
/// table holds one for each such row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EscapedRow {
    /// Where the row starts in the text, after its block's base.
    pub offset: u32,
    /// Its first entry in the table's escapes.
    pub first: u32,
}

/// A cell read from a table's copies: its column, and where its bytes end
/// in the copies (8 bytes, as a table holds one for each such cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CopiedCell {
    pub col: u32,
    pub end: u32,
}

/// Where each row starts in the table's text, or, for a row with cells
/// read from the copies, which escaped row it is ([`parse::ESCAPED`]).
#[derive(Debug, Clone)]
pub(crate) enum RowStarts {
    /// Eight bytes a row (tables a builder wrote).
    Full(Array<u64>),
    /// Four bytes a row (tables read from a file's text): each start
    /// relative to the first of its block of `1 << shift` rows, whose
    /// start is in `bases`; blocks are as large as they can be (up to 64K
    /// rows) with no row starting 2 GiB or more after its block's first.
    /// A start marked [`RowStarts::ESCAPED`] is an escaped row's index.
    Blocked {
        offsets: Array<u32>,
        shift: u32,
        bases: Vec<u64>,
    },
}

impl RowStarts {
    /// Marks a blocked start that is an escaped row's index.
    pub(crate) const ESCAPED: u32 = 1 << 31;

    /// Row `row`'s start, as [`parse::ESCAPED`] marks it.
    #[inline]
    fn get(&self, row: usize) -> u64 {
        match self {
            RowStarts::Full(s) => s[row],
            RowStarts::Blocked {
                offsets,
                shift,
                bases,
            } => {
                let o = offsets[row];
                match o & RowStarts::ESCAPED {
                    0 => bases[row >> shift] + o as u64,
                    _ => parse::ESCAPED | (o & !RowStarts::ESCAPED) as u64,
                }
            }
        }
    }

    /// The base that row `row`'s offset is after (0 for full starts).
    #[inline]
    fn base(&self, row: usize) -> u64 {
        match self {
            RowStarts::Full(_) => 0,
            RowStarts::Blocked { shift, bases, .. } => bases[row >> shift],
        }
    }

    fn len(&self) -> usize {
        match self {
            RowStarts::Full(s) => s.len(),
            RowStarts::Blocked { offsets, .. } => offsets.len(),
        }
    }

    /// Asks the CPU to start loading row `row`'s start.
    #[inline]
    fn prefetch(&self, row: usize) {
        match self {
            RowStarts::Full(s) => prefetch(s.get(row)),
            RowStarts::Blocked { offsets, .. } => prefetch(offsets.get(row)),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            RowStarts::Full(s) => s.heap_bytes(),
            RowStarts::Blocked { offsets, bases, .. } => {
                offsets.heap_bytes() + bases.capacity() * 8
            }
        }
    }

    fn is_mapped(&self) -> bool {
        match self {
            RowStarts::Full(s) => s.is_mapped(),
            RowStarts::Blocked { offsets, .. } => offsets.is_mapped(),
        }
    }

    /// The largest block (as a power of two of rows, up to 64K) for rows
    /// starting at `starts`, in order, in which no row starts 2 GiB or
    /// more after its block's first. A block of one row always does.
    pub(crate) fn shift_for(starts: impl Iterator<Item = u64> + Clone) -> u32 {
        (1..=16)
            .rev()
            .find(|&shift| {
                let mut base = 0;
                starts.clone().enumerate().all(|(i, s)| {
                    if i & ((1 << shift) - 1) == 0 {
                        base = s;
                    }
                    s.wrapping_sub(base) < 1 << 31
                })
            })
            .unwrap_or(0)
    }
}

/// Where each row's fields end, relative to the row's start: a byte a
/// field when every row is shorter than 256 bytes (the usual case: half
/// the memory of the offsets, which are most of what a table holds besides
/// its text), two bytes otherwise. Rows of 64 KiB or more keep theirs in
/// the table's `wide` list instead (their entries here are zeros).
#[derive(Debug, Clone)]
pub(crate) enum CellEnds {
    /// One byte a field.
    Bytes(Array<u8>),
    /// Two bytes a field.
    Shorts(Array<u16>),
}

impl From<parse::ChunkEnds> for CellEnds {
    fn from(ends: parse::ChunkEnds) -> CellEnds {
        match ends {
            parse::ChunkEnds::Bytes(v) => CellEnds::Bytes(v.into()),
            parse::ChunkEnds::Shorts(v) => CellEnds::Shorts(v.into()),
        }
    }
}

impl CellEnds {
    fn heap_bytes(&self) -> usize {
        match self {
            CellEnds::Bytes(e) => e.heap_bytes(),
            CellEnds::Shorts(e) => e.heap_bytes(),
        }
    }

    fn is_mapped(&self) -> bool {
        match self {
            CellEnds::Bytes(e) => e.is_mapped(),
            CellEnds::Shorts(e) => e.is_mapped(),
        }
    }
}

/// Where the rows of a table that holds only some rows of its file came
/// from: a piece of a file read in parts, a partition spilled to disk, or the
/// rows a comparison result refers to. Results and exports then still name
/// the file's own row numbers and lines.
#[derive(Debug, Clone, Default)]
pub(crate) struct Subset {
    /// Per row, its 0-based index among the file's data rows.
    pub source_rows: Array<u32>,
    /// Per row, the 1-based file line where it starts.
    pub lines: Array<u64>,
    /// Data rows in the whole file.
    pub file_rows: u64,
}

impl Table {
    /// The file's description, as results screens and exports show it.
    pub fn describe(&self) -> TableInfo {
        let info = self.info();
        TableInfo {
            path: info.path.clone(),
            format: info.format.to_string(),
            rows: self.file_rows() as usize,
            encoding: info.encoding,
            delimiter: info.delimiter,
            has_header: info.has_header,
            columns: self.columns().to_vec(),
            warnings: info.warnings.clone(),
            compression: info.compression.map(str::to_string),
            sheet: info.sheet.clone(),
            sheets: info.sheets.clone(),
        }
    }

    /// Where the table came from and how it was read.
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// Renames the source, as shown in reports: a table read from a stored
    /// copy of a file keeps the name the user knows it by.
    pub fn set_source_name(&mut self, name: &str) {
        self.info.path = name.to_string();
    }

    /// Options that read the same file the same way again, with everything
    /// that was detected made explicit; what cannot be detected (ragged
    /// rows allowed, lines skipped) is as `asked`.
    pub fn effective_options(&self, asked: &LoadOptions) -> LoadOptions {
        LoadOptions {
            // CSV, the format older builds read without a name, goes unnamed.
            format: (self.info.format != csv::NAME).then(|| self.info.format.to_string()),
            delimiter: self.info.delimiter,
            has_header: Some(self.info.has_header),
            encoding: self.info.encoding,
            allow_ragged: asked.allow_ragged,
            skip_lines: asked.skip_lines,
            compression: self.info.compression.map(str::to_string),
            sheet: self.info.sheet.clone(),
        }
    }

    /// The column names, unique and non-empty (see [`LoadOptions`] for the rules).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Index of the column called `name`, if any.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Number of data rows (the header is not a row).
    pub fn num_rows(&self) -> usize {
        self.row_start.len()
    }

    /// Number of data rows in the file the table was read from: more than
    /// [`Table::num_rows`] when the table holds only some of them.
    pub fn file_rows(&self) -> u64 {
        self.subset
            .as_ref()
            .map_or(self.num_rows() as u64, |s| s.file_rows)
    }

    /// The 0-based index of `row` among the data rows of its file.
    pub fn source_row(&self, row: usize) -> u64 {
        self.subset
            .as_ref()
            .map_or(row as u64, |s| u64::from(s.source_rows[row]))
    }

    /// Number of columns.
    pub fn num_columns(&self) -> usize {
        self.columns.len()
    }

    /// The text of a cell. Panics if `row` or `col` is out of range.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        // Cells are cut from valid UTF-8 at ASCII delimiters and quotes, so
        // this cannot fail; an empty cell is the harmless answer if it did.
        std::str::from_utf8(self.cell_bytes(row, col)).unwrap_or_default()
    }

    /// Whether a row of this table and a row of `other` whose text
    /// ([`RowCells::text`]) is the same have the same cells: both were
    /// read from a CSV file's text with the same delimiter, so the same
    /// bytes parse the same way.
    pub fn reads_text_as(&self, other: &Table) -> bool {
        self.quotes_in_text
            && other.quotes_in_text
            && self.info.delimiter.is_some()
            && self.info.delimiter == other.info.delimiter
    }

    /// The bytes of a cell (valid UTF-8), for comparisons that need no `str`.
    #[inline]
    pub fn cell_bytes(&self, row: usize, col: usize) -> &[u8] {
        self.row(row).bytes(col)
    }

    /// Where row `row` starts in the text, its cells read from the copies
    /// (none unless its start is marked [`parse::ESCAPED`]), and where the
    /// first of those starts in the copies.
    #[inline]
    fn text_of(&self, row: usize) -> (usize, &[CopiedCell], usize) {
        let s = self.row_start.get(row);
        if s & parse::ESCAPED == 0 {
            return (s as usize, &[], 0);
        }
        let i = (s & !parse::ESCAPED) as usize;
        let at = self.escaped_rows[i];
        let (first, last) = (
            at.first as usize,
            self.escaped_rows
                .get(i + 1)
                .map_or(self.escapes.len(), |next| next.first as usize),
        );
        let copied_from = match first {
            0 => 0,
            _ => self.escapes[first - 1].end as usize,
        };
        let start = self.row_start.base(row) + u64::from(at.offset);
        (start as usize, &self.escapes[first..last], copied_from)
    }

    /// All cells of a row, for loops that read several cells of one row.
    #[inline]
    pub fn row(&self, row: usize) -> RowCells<'_> {
        let n = self.columns.len();
        let wide = match self.wide.is_empty() {
            true => None,
            false => self.wide.binary_search_by_key(&(row as u32), |w| w.0).ok(),
        };
        let ends = match (wide, &self.cell_end) {
            (Some(i), _) => RowEnds::Wide(&self.wide[i].1),
            (None, CellEnds::Bytes(e)) => RowEnds::Byte(&e[row * n..row * n + n]),
            (None, CellEnds::Shorts(e)) => RowEnds::Short(&e[row * n..row * n + n]),
        };
        let (at, escapes, copied_from) = self.text_of(row);
        RowCells {
            bytes: &self.buf[at..at + ends.row_len()],
            ends,
            quotes: self.quotes_in_text,
            escaped: escapes
                .iter()
                .fold(0, |mask, e| mask | escaped_bit(e.col as usize)),
            escapes,
            copies: &self.copies,
            copied_from,
        }
    }

    /// Asks the CPU to start loading a row's offsets (`stage` 0) or, once
    /// those are cached, its cell bytes (`stage` 1). Loops that visit rows in
    /// random order call this a few rows ahead, so that the memory loads of
    /// several rows overlap instead of waiting one after another.
    #[inline]
    pub fn prefetch_row(&self, row: usize, stage: u8) {
        let n = self.columns.len();
        if stage == 0 {
            self.row_start.prefetch(row);
            match &self.cell_end {
                CellEnds::Bytes(e) => prefetch(e.get(row * n)),
                CellEnds::Shorts(e) => prefetch(e.get(row * n)),
            }
        } else if row < self.row_start.len() {
            let (s, ..) = self.text_of(row);
            prefetch(self.buf.get(s));
            // Rows often span two cache lines.
            prefetch(self.buf.get(s + 64));
        }
    }

    /// The 1-based line of the file where `row` starts, counting the header,
    /// blank lines and line breaks inside quoted fields.
    pub fn line_of(&self, row: usize) -> u64 {
        if let Some(s) = &self.subset {
            return s.lines[row];
        }
        let i = self.line_jumps.partition_point(|j| j.0 as usize <= row);
        let extra = if i == 0 { 0 } else { self.line_jumps[i - 1].1 };
        self.first_data_line + row as u64 + extra
    }

    /// Whether the table's rows are read from files on disk (see
    /// [`load_to_disk`]) rather than held in memory.
    pub fn on_disk(&self) -> bool {
        self.row_start.is_mapped() || self.cell_end.is_mapped()
    }

    /// Bytes of memory the table holds, for memory budgets.
    pub fn heap_bytes(&self) -> usize {
        self.buf.heap_bytes()
            + self.copies.heap_bytes()
            + self.escaped_rows.capacity() * std::mem::size_of::<EscapedRow>()
            + self.escapes.capacity() * std::mem::size_of::<CopiedCell>()
            + self.row_start.heap_bytes()
            + self.cell_end.heap_bytes()
            + self.wide.iter().map(|w| w.1.len() * 4 + 16).sum::<usize>()
            + self.line_jumps.capacity() * 16
            + self
                .subset
                .as_ref()
                .map_or(0, |s| s.source_rows.heap_bytes() + s.lines.heap_bytes())
            + self
                .columns
                .iter()
                .map(|c| c.capacity() + 24)
                .sum::<usize>()
    }
}

/// Hints the CPU to load the cache line holding `value`; does nothing for `None`.
#[inline]
fn prefetch<T>(value: Option<&T>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(v) = value {
        // SAFETY: a prefetch only hints the cache; it never faults or changes
        // memory, and SSE is part of the x86_64 baseline.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                (v as *const T).cast(),
            );
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// The cells of one row; see [`Table::row`].
#[derive(Clone, Copy)]
pub struct RowCells<'a> {
    bytes: &'a [u8],
    ends: RowEnds<'a>,
    /// Whether a field that begins with a quote is in quotes (see
    /// `Table::quotes_in_text`).
    quotes: bool,
    /// The row's cells read from `copies` (see `Table::escapes`); the
    /// first starts at `copied_from`.
    escapes: &'a [CopiedCell],
    copied_from: usize,
    /// Their columns' [`escaped_bit`]s: most rows have none, and the rest
    /// few, so a cell is looked for among them only when its bit is set.
    escaped: u64,
    copies: &'a [u8],
}

/// A row's field ends, as the table holds them.
#[derive(Clone, Copy)]
enum RowEnds<'a> {
    Byte(&'a [u8]),
    Short(&'a [u16]),
    Wide(&'a [u32]),
}

impl RowEnds<'_> {
    /// Where the row's last field ends.
    #[inline]
    fn row_len(&self) -> usize {
        match self {
            RowEnds::Byte(e) => e.last().map_or(0, |&x| x as usize),
            RowEnds::Short(e) => e.last().map_or(0, |&x| x as usize),
            RowEnds::Wide(e) => e.last().map_or(0, |&x| x as usize),
        }
    }
}

impl RowEnds<'_> {
    /// Whether two rows' fields end at the same places.
    #[inline]
    fn same(&self, other: &RowEnds<'_>) -> bool {
        match (self, other) {
            (RowEnds::Byte(a), RowEnds::Byte(b)) => a == b,
            (RowEnds::Short(a), RowEnds::Short(b)) => a == b,
            (RowEnds::Wide(a), RowEnds::Wide(b)) => a == b,
            _ => false,
        }
    }
}

impl<'a> RowCells<'a> {
    /// Whether this row, whose text is `other`'s, holds the same cells:
    /// its fields end where `other`'s do, none is read from the copies,
    /// and both read quotes alike. This is what makes equal text equal
    /// cells in tables a builder wrote (a Parquet file's, a frame's), whose
    /// fields are not quoted, so that a delimiter inside one reads as
    /// text.
    #[inline]
    pub fn same_ends(&self, other: &RowCells<'_>) -> bool {
        self.escaped == 0
            && other.escaped == 0
            && self.quotes == other.quotes
            && self.ends.same(&other.ends)
    }

    /// Bytes of the row's text: its cells and the delimiters between them.
    pub fn text_len(&self) -> usize {
        self.bytes.len()
    }

    /// The row's text as its table holds it: its fields (quotes and all,
    /// for a table read from a CSV file) and the delimiters between them.
    #[inline]
    pub fn text(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes of cell `col`. Panics if `col` is out of range.
    /// Always inlined: it runs for every cell a comparison reads, and
    /// once it held the escapes' check the compiler stopped inlining it on
    /// its own (8% of a 1M-row compare with escaped cells spent in the call).
    #[inline(always)]
    pub fn bytes(&self, col: usize) -> &'a [u8] {
        if self.escaped & escaped_bit(col) != 0 {
            if let Some(cell) = self.escaped(col) {
                return cell;
            }
        }
        let (start, end) = match self.ends {
            RowEnds::Byte(e) => span(e, col),
            RowEnds::Short(e) => span(e, col),
            RowEnds::Wide(e) => span(e, col),
        };
        let field = &self.bytes[start..end];
        match field {
            [b'"', inner @ .., _] if self.quotes => inner,
            _ => field,
        }
    }
}

/// A column's bit in [`RowCells::escaped`]; columns past the 63rd share the last.
#[inline(always)]
fn escaped_bit(col: usize) -> u64 {
    1 << col.min(63)
}

impl<'a> RowCells<'a> {
    /// Cell `col` when it is read from the copies.
    #[inline(never)]
    fn escaped(&self, col: usize) -> Option<&'a [u8]> {
        let mut start = self.copied_from;
        for e in self.escapes {
            if e.col as usize == col {
                return Some(&self.copies[start..e.end as usize]);
            }
            start = e.end as usize;
        }
        None
    }
}

/// Where field `col` starts and ends within its row, from the row's field
/// ends: it starts one byte (the delimiter) after the one before it ends.
#[inline]
fn span<E: Copy + Into<u32>>(ends: &[E], col: usize) -> (usize, usize) {
    let start = match col {
        0 => 0,
        _ => ends[col - 1].into() as usize + 1,
    };
    (start, ends[col].into() as usize)
}

#[cfg(test)]
mod tests;
