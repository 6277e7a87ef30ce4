//! The seam input formats hang on.
//!
//! A format is a [`Reader`]: it names its [`InputFormat`], may recognise
//! its files by their first bytes, reads a file (or bytes) into a
//! [`Table`], and may read a large file a piece at a time
//! ([`ReadPieces`]). Every caller reads tables through the functions here
//! ([`load_path`], [`map_path`], [`load_bytes`], [`Pieces::open`],
//! [`load_to_disk`]), which pick the reader; the readers are listed once,
//! in [`super::READERS`]. Adding a format is writing a reader and
//! listing it: loading, out-of-core comparison, sessions, the file card,
//! `inspect` and the open dialogs follow.
//!
//! A reader is picked by, in order: the format named in the options (a
//! session stores the one that read its file, so it reads the same way
//! again), the file's first bytes, its name's extension, and otherwise
//! CSV, which also refuses what is not text with a message saying what
//! the file looks like.

use super::compressed::Compression;
use super::formats::InputFormat;
use super::READERS;
use super::{Encoding, SourceInfo, Table, TableBuilder};
use crate::error::{Error, Result, Side};
use crate::progress::Control;
use std::io::Read;
use std::path::Path;

/// How to read a file: the one type every front end, the planner and a
/// session's stored input use to say it. Every field left as `None` is
/// detected; a reader uses the fields that apply to its format.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LoadOptions {
    /// The field delimiter; sniffed among `,` `;` tab `|` when `None`.
    pub delimiter: Option<u8>,
    /// Whether the first record is a header; sniffed when `None`. Without a
    /// header, columns are named `column_1`, `column_2`, ...
    pub has_header: Option<bool>,
    /// The text encoding; detected when `None`.
    pub encoding: Option<Encoding>,
    /// The input format's name ([`InputFormat::name`]); told from the
    /// file's first bytes and name when `None`. Sessions store it for every
    /// format but CSV, which older builds read without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Pad records with too few fields with empty cells and cut records with
    /// too many, instead of failing. Each such row is counted in a warning.
    pub allow_ragged: bool,
    /// Lines to skip at the start of a text file, before its header: a
    /// title or notes above the table. Line numbers still count them.
    /// Stored from event format 6 on.
    #[serde(skip_serializing_if = "is_zero")]
    pub skip_lines: usize,
    /// The compression the file was found in ([`Compression::name`]).
    /// Always told from the file's first bytes, whatever this says; a
    /// session stores it (from event format 7 on) so that a release that
    /// cannot decompress refuses the session instead of misreading it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// The sheet of a workbook to read: its name, or its 1-based number;
    /// the first sheet with data when `None`. Stored from event format 7.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
}

/// A delimiter as people name it: one ASCII character, or `tab`.
pub fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        d if d.len() == 1 && d.is_ascii() => Ok(d.as_bytes()[0]),
        d => Err(format!("expected one ASCII character or `tab`, not '{d}'")),
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl LoadOptions {
    /// Reads options from named text parameters, as a URL query string or
    /// an IPC call gives them: `format` (an input format's name), `sheet`
    /// (a workbook's sheet, by name or number), `skip`
    /// (lines above the header), `delimiter` (one ASCII character, or `tab`),
    /// `header` (`true` or `false`), `encoding` (a name
    /// [`Encoding::from_name`] knows), `allow_ragged` (`true`); an absent
    /// or empty one is detected. Every front end reads options through this
    /// one parser.
    pub fn from_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<LoadOptions> {
        let bad = |m: String| Error::Invalid(m);
        let delimiter = match get("delimiter") {
            None | Some("") => None,
            Some("tab") => Some(b'\t'),
            Some(d) if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
            Some(d) => return Err(bad(format!("delimiter '{d}' is not one ASCII character"))),
        };
        let has_header = match get("header") {
            None | Some("") => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(h) => return Err(bad(format!("header '{h}' is not true or false"))),
        };
        let encoding = match get("encoding") {
            None | Some("") => None,
            Some(e) => {
                Some(Encoding::from_name(e).ok_or_else(|| bad(format!("unknown encoding '{e}'")))?)
            }
        };
        let format = match get("format") {
            None | Some("") => None,
            Some(f) if InputFormat::all().iter().any(|i| i.name == f) => Some(f.to_string()),
            Some(f) => return Err(bad(format!("'{f}' is not an input format Concord reads"))),
        };
        let skip_lines = match get("skip") {
            None | Some("") => 0,
            Some(n) => n
                .parse()
                .map_err(|_| bad(format!("skip '{n}' is not a number of lines")))?,
        };
        Ok(LoadOptions {
            compression: None,
            sheet: get("sheet").filter(|s| !s.is_empty()).map(str::to_string),
            format,
            skip_lines,
            delimiter,
            has_header,
            encoding,
            allow_ragged: get("allow_ragged") == Some("true"),
        })
    }
}

impl LoadOptions {
    /// The format these options name, or CSV's: inputs stored before
    /// formats were named are CSV.
    pub fn format_name(&self) -> &str {
        self.format.as_deref().unwrap_or(super::csv::NAME)
    }
}

/// What a reader reads: a file, or bytes already in memory.
pub enum Input<'a> {
    /// The file at this path, read into memory.
    Path(&'a Path),
    /// The file at this path, which the reader may map instead of copying
    /// (see [`map_path`]); readers that cannot map read it.
    Mapped(&'a Path),
    /// Bytes in memory (an upload, say), and the name messages give them.
    Bytes {
        /// The name in messages and descriptions.
        name: &'a str,
        /// The file's bytes.
        bytes: Vec<u8>,
    },
}

impl Input<'_> {
    /// The input's bytes: the file read whole, or the bytes held.
    pub fn into_bytes(self) -> Result<Vec<u8>> {
        match self {
            Input::Path(p) | Input::Mapped(p) => std::fs::read(p).map_err(|source| Error::Read {
                path: p.display().to_string(),
                source,
            }),
            Input::Bytes { bytes, .. } => Ok(bytes),
        }
    }

    /// The name messages give the input.
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) | Input::Mapped(p) => p.display().to_string(),
            Input::Bytes { name, .. } => name.to_string(),
        }
    }
}

/// One input format's reader; see the module notes.
pub trait Reader: Sync {
    /// The format it reads.
    fn format(&self) -> &'static InputFormat;

    /// Whether a file that starts with `head` (up to [`HEAD_BYTES`]) is in
    /// this format, told by its contents (a signature), whatever its name.
    fn recognises(&self, head: &[u8]) -> bool {
        let _ = head;
        false
    }

    /// Reads a whole input into a table, with the reading options that
    /// apply to the format (the others are ignored).
    fn load(&self, input: Input<'_>, opts: &LoadOptions, ctl: Control<'_>) -> Result<Table>;

    /// How many bytes of text the (uncompressed) file at `path` comes to
    /// as a table, when that differs from its size: what a memory budget
    /// weighs it by. `None` (the default) means its size.
    fn text_bytes(&self, path: &Path) -> Option<u64> {
        let _ = path;
        None
    }

    /// How the format is read as Arrow columns, for readers of typed
    /// columnar formats: what lets a keyed comparison find equal rows
    /// without making them text (see [`ArrowTable`](super::ArrowTable)).
    /// `None` (the default): the format is read as text only.
    fn arrow(&self) -> Option<&dyn ArrowReader> {
        None
    }

    /// Opens a file to be read a piece of about `piece_bytes` at a time,
    /// for files larger than memory; the file may be compressed
    /// ([`Compression`]). Readers that cannot read in pieces keep this
    /// default, which reads the whole file (decompressed) as one piece.
    fn pieces<'c>(
        &self,
        path: &Path,
        opts: &LoadOptions,
        piece_bytes: usize,
        ctl: Control<'c>,
    ) -> Result<Box<dyn ReadPieces + 'c>> {
        let _ = piece_bytes;
        let table = match Compression::of_path(path) {
            Some(c) => load_compressed(path, c, opts, ctl)?,
            None => self.load(Input::Path(path), opts, ctl)?,
        };
        Ok(Box::new(Whole::of(table, path)?))
    }
}

/// Reads a whole (uncompressed) file as Arrow columns ([`Reader::arrow`]).
pub trait ArrowReader: Sync {
    /// The file at `path`, whole.
    fn read(&self, path: &Path, ctl: Control<'_>) -> Result<super::ArrowTable>;
}

/// A file read a piece at a time: each piece a table of whole rows that
/// know their index and line in the file.
pub trait ReadPieces: Send {
    /// The first piece, until [`ReadPieces::next_piece`] hands it out: a
    /// sample of the file's start.
    fn first(&self) -> Option<&Table>;
    /// The column names.
    fn columns(&self) -> &[String];
    /// How the file is read, and the warnings so far (all of them once
    /// every piece was read).
    fn info(&self) -> SourceInfo;
    /// Data rows handed out so far: all of the file's once
    /// [`ReadPieces::next_piece`] said `None`.
    fn rows(&self) -> u64;
    /// Size of the file on disk.
    fn file_size(&self) -> u64;
    /// The next piece; `None` after the last.
    fn next_piece(&mut self) -> Result<Option<Table>>;
}

/// How a reader that reads in pieces takes its next one; [`Piecewise`]
/// does the rest of [`ReadPieces`].
pub(crate) trait TakePiece: Send {
    /// The next piece; `None` after the last.
    fn take(&mut self) -> Result<Option<Table>>;
    /// Rows taken so far.
    fn rows(&self) -> u64;
}

/// The pieces a [`TakePiece`] takes, with what every reader's pieces
/// share: the first piece, taken at once as a sample of the file's start,
/// and the columns, description and size, fixed by then.
pub(crate) struct Piecewise<T> {
    next: T,
    first: Option<Table>,
    columns: Vec<String>,
    info: SourceInfo,
    file_size: u64,
}

impl<T: TakePiece> Piecewise<T> {
    /// Takes the first piece of `next`, a file of `file_size` bytes with
    /// `columns`, read as `info` says.
    pub(crate) fn start(
        mut next: T,
        columns: Vec<String>,
        info: SourceInfo,
        file_size: u64,
    ) -> Result<Piecewise<T>> {
        let first = next.take()?;
        Ok(Piecewise {
            next,
            first,
            columns,
            info,
            file_size,
        })
    }
}

impl<T: TakePiece> ReadPieces for Piecewise<T> {
    fn first(&self) -> Option<&Table> {
        self.first.as_ref()
    }
    fn columns(&self) -> &[String] {
        &self.columns
    }
    fn info(&self) -> SourceInfo {
        self.info.clone()
    }
    fn rows(&self) -> u64 {
        self.next.rows()
    }
    fn file_size(&self) -> u64 {
        self.file_size
    }
    fn next_piece(&mut self) -> Result<Option<Table>> {
        match self.first.take() {
            Some(first) => Ok(Some(first)),
            None => self.next.take(),
        }
    }
}

/// A whole table as the one piece of a reader that reads only whole
/// files.
struct Whole {
    table: Option<Table>,
    rows: u64,
}

impl Whole {
    /// `table`, read from the file at `path`, as one piece.
    fn of(table: Table, path: &Path) -> Result<Piecewise<Whole>> {
        let file_size = std::fs::metadata(path).map_or(table.info().bytes, |m| m.len());
        let (info, columns) = (table.info().clone(), table.columns().to_vec());
        let whole = Whole {
            table: Some(table),
            rows: 0,
        };
        Piecewise::start(whole, columns, info, file_size)
    }
}

impl TakePiece for Whole {
    fn take(&mut self) -> Result<Option<Table>> {
        let table = self.table.take();
        if let Some(t) = &table {
            self.rows = t.num_rows() as u64;
        }
        Ok(table)
    }
    fn rows(&self) -> u64 {
        self.rows
    }
}

/// How much of a file's start readers may look at to recognise it.
pub const HEAD_BYTES: usize = 4096;

/// The reader for an input named `name` that starts with `head`, read
/// with `opts` (see the module notes for the order).
pub fn reader_for(name: &str, head: &[u8], opts: &LoadOptions) -> Result<&'static dyn Reader> {
    if let Some(format) = &opts.format {
        return READERS
            .iter()
            .copied()
            .find(|r| r.format().name == format)
            .ok_or_else(|| {
                Error::Invalid(format!("'{format}' is not an input format Concord reads"))
            });
    }
    if let Some(r) = READERS.iter().copied().find(|r| r.recognises(head)) {
        return Ok(r);
    }
    let name = Path::new(name);
    Ok(READERS
        .iter()
        .copied()
        .find(|r| r.format().is_of(name))
        .unwrap_or(READERS[0]))
}

/// The reader for the file at `path`, from its first bytes and its name
/// (decompressed, and without the compression's extension, when it is
/// compressed), and the file's compression.
fn reader_for_path(
    path: &Path,
    opts: &LoadOptions,
) -> Result<(&'static dyn Reader, Option<Compression>)> {
    let (compression, head) = peek(path);
    let name = inner_name(&path.display().to_string(), compression);
    Ok((reader_for(&name, &head, opts)?, compression))
}

/// What the first bytes of the file at `path` say: its compression, and
/// its first [`HEAD_BYTES`], decompressed when it is compressed (the file
/// is then opened a second time, for the decoder). None when it cannot be
/// read: the reader then reports that, naming the file.
fn peek(path: &Path) -> (Option<Compression>, Vec<u8>) {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(HEAD_BYTES as u64).read_to_end(&mut head);
    }
    let compression = Compression::of_head(&head);
    if let Some(c) = compression {
        head.clear();
        let file = std::fs::File::open(path).map(std::io::BufReader::new);
        if let Ok(decoder) = file.and_then(|f| c.decoder(f)) {
            let _ = decoder.take(HEAD_BYTES as u64).read_to_end(&mut head);
        }
    }
    (compression, head)
}

/// The name that tells the format of a file called `name`: without the
/// extension of its compression, if it is compressed.
fn inner_name(name: &str, compression: Option<Compression>) -> String {
    compression.map_or_else(|| name.to_string(), |c| c.inner_name(name))
}

/// Reads decompressed `bytes` of a file named `name`, compressed with
/// `compression`, by the reader their first bytes and the name inside
/// call for.
fn load_decompressed(
    name: &str,
    bytes: Vec<u8>,
    compression: Compression,
    opts: &LoadOptions,
    ctl: Control<'_>,
) -> Result<Table> {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let reader = reader_for(&compression.inner_name(name), head, opts)?;
    let mut table = reader.load(Input::Bytes { name, bytes }, opts, ctl)?;
    table.info.compression = Some(compression.name());
    Ok(table)
}

/// Reads the compressed file at `path`, decompressed as it is read.
fn load_compressed(
    path: &Path,
    compression: Compression,
    opts: &LoadOptions,
    ctl: Control<'_>,
) -> Result<Table> {
    let name = path.display().to_string();
    let bytes = super::compressed::decompress_file(path, compression, ctl)?;
    load_decompressed(&name, bytes, compression, opts, ctl)
}

/// `opts` with the format of the file at `path` made explicit, told from
/// its first bytes and the name the user knows it by, `name`: for a copy
/// of a file stored under another name (an upload kept by its hash),
/// whose own name says nothing of its format.
pub fn with_format(path: &Path, name: &str, opts: &LoadOptions) -> Result<LoadOptions> {
    if opts.format.is_some() {
        return Ok(opts.clone());
    }
    let (compression, head) = peek(path);
    let reader = reader_for(&inner_name(name, compression), &head, opts)?;
    Ok(LoadOptions {
        format: Some(reader.format().name.to_string()),
        ..opts.clone()
    })
}

/// How many bytes of text the file at `path` holds as a table: its size,
/// or what its format records (a compressed file's decompressed size, a
/// Parquet file's uncompressed one; see [`Reader::text_bytes`]). What a
/// memory budget weighs a file by; 0 when it cannot be read (reading it
/// then says why).
pub fn text_bytes(path: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    let size = meta.len();
    match reader_for_path(path, &LoadOptions::default()) {
        Ok((_, Some(c))) => super::compressed::decompressed_bytes(path, size, c),
        Ok((reader, None)) => reader.text_bytes(path).unwrap_or(size),
        Err(_) => size,
    }
}

/// Reads the file at `path` into memory as a table, by its format's reader.
///
/// Large CSV files are parsed on all cores. The file is read once.
pub fn load_path(path: &Path, opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
    match reader_for_path(path, opts)? {
        (_, Some(c)) => load_compressed(path, c, opts, ctl),
        (reader, None) => reader.load(Input::Path(path), opts, ctl),
    }
}

/// The reader that reads the file at `path` as Arrow columns
/// ([`Reader::arrow`]), told from its first bytes and name without reading
/// it; `None` for other formats, compressed files and files that cannot be
/// read (reading them as text says why).
pub fn arrow_reader(path: &Path, opts: &LoadOptions) -> Option<&'static dyn ArrowReader> {
    match reader_for_path(path, opts) {
        Ok((reader, None)) => reader.arrow(),
        _ => None,
    }
}

/// Reads the file at `path` as [`load_path`] does, but a reader that can
/// reads its text where the kernel maps the file instead of copying it
/// into memory: a large file then costs page cache, which the kernel
/// already holds for a file just written or read, instead of as much new
/// memory again.
///
/// The file must stay as it is while the table lives: a program that
/// rewrites it in place changes the table's cells, and one that truncates
/// it makes reading the lost part fault (`SIGBUS`). Use it for files no
/// one else writes, or in a process that exits when the work is done and
/// turns that signal into an error message, as the command line does.
pub fn map_path(path: &Path, opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
    match reader_for_path(path, opts)? {
        (_, Some(c)) => load_compressed(path, c, opts, ctl),
        (reader, None) => reader.load(Input::Mapped(path), opts, ctl),
    }
}

/// Reads a file held in memory (an upload, say), named `name` in messages.
pub fn load_bytes(name: &str, bytes: Vec<u8>, opts: &LoadOptions) -> Result<Table> {
    if let Some(c) = Compression::of_head(&bytes) {
        let total = bytes.len() as u64;
        let plain = super::compressed::decompress(&bytes[..], total, c, name, Control::default())?;
        return load_decompressed(name, plain, c, opts, Control::default());
    }
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let reader = reader_for(name, head, opts)?;
    reader.load(Input::Bytes { name, bytes }, opts, Control::default())
}

/// How each side of a comparison is read: most choices apply to both
/// files, some (the lines above a header, say) to one of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SideOptions {
    /// How the left file is read.
    pub left: LoadOptions,
    /// How the right file is read.
    pub right: LoadOptions,
}

impl SideOptions {
    /// The same options for both sides.
    pub fn same(opts: LoadOptions) -> SideOptions {
        SideOptions {
            left: opts.clone(),
            right: opts,
        }
    }

    /// The options of `side`.
    pub fn side(&self, side: Side) -> &LoadOptions {
        match side {
            Side::Left => &self.left,
            Side::Right => &self.right,
        }
    }
}

/// Maps the left and the right file ([`map_path`]) at the same time, each
/// reporting progress for its side.
pub fn map_both(
    left: &Path,
    right: &Path,
    opts: &SideOptions,
    ctl: Control<'_>,
) -> Result<(Table, Table)> {
    both(map_path, left, right, opts, ctl)
}

/// Loads the left and the right file ([`load_path`]) at the same time, each
/// reporting progress for its side.
pub fn load_both(
    left: &Path,
    right: &Path,
    opts: &SideOptions,
    ctl: Control<'_>,
) -> Result<(Table, Table)> {
    both(load_path, left, right, opts, ctl)
}

/// Runs `load` on both files at the same time, each side reporting its own
/// progress.
fn both(
    load: fn(&Path, &LoadOptions, Control<'_>) -> Result<Table>,
    left: &Path,
    right: &Path,
    opts: &SideOptions,
    ctl: Control<'_>,
) -> Result<(Table, Table)> {
    let (l, r) = rayon::join(
        || load(left, &opts.left, ctl.with_side(Side::Left)),
        || load(right, &opts.right, ctl.with_side(Side::Right)),
    );
    Ok((l?, r?))
}

/// A file read piece by piece by its format's reader; see [`ReadPieces`].
pub struct Pieces<'c>(Box<dyn ReadPieces + 'c>);

impl<'c> Pieces<'c> {
    /// Opens `path` and reads its first piece, which fixes how the rest is
    /// read. Pieces hold about `piece_bytes` of text (more when one record
    /// is larger).
    pub fn open(
        path: &Path,
        opts: &LoadOptions,
        piece_bytes: usize,
        ctl: Control<'c>,
    ) -> Result<Pieces<'c>> {
        let (reader, _) = reader_for_path(path, opts)?;
        Ok(Pieces(reader.pieces(path, opts, piece_bytes, ctl)?))
    }

    /// The rows of a loaded table (which may be on disk) as pieces of
    /// about `piece_bytes` of text, read from start to end once: so that a
    /// plan for files larger than memory compares loaded tables the same
    /// way. Each row keeps its index in `table` and its line.
    pub fn of_table(table: &'c Table, piece_bytes: usize) -> Result<Pieces<'c>> {
        let rows = table.num_rows() as u64;
        let per = rows_per_piece(piece_bytes, rows, table.info().bytes) as usize;
        let mut pieces = TablePieces {
            table,
            per,
            next: 0,
            started: false,
            first: None,
        };
        pieces.first = pieces.take()?;
        Ok(Pieces(Box::new(pieces)))
    }
}

impl<'c> std::ops::Deref for Pieces<'c> {
    type Target = dyn ReadPieces + 'c;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl std::ops::DerefMut for Pieces<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut *self.0
    }
}

/// Rows in a piece of about `piece_bytes` of text, from the average row of
/// `rows` rows in `text` bytes (at least one).
pub(crate) fn rows_per_piece(piece_bytes: usize, rows: u64, text: u64) -> u64 {
    let (rows, text) = (rows.max(1), text.max(1));
    ((piece_bytes as u128 * rows as u128 / text as u128) as u64).max(1)
}

/// A loaded table read as pieces; see [`Pieces::of_table`].
struct TablePieces<'t> {
    table: &'t Table,
    /// Rows per piece.
    per: usize,
    /// The next row to hand out.
    next: usize,
    /// Whether the first piece was taken (it is taken even from a table
    /// with no rows).
    started: bool,
    first: Option<Table>,
}

impl TablePieces<'_> {
    /// The next `per` rows (fewer at the end), copied; `None` after the last.
    fn take(&mut self) -> Result<Option<Table>> {
        let end = (self.next + self.per).min(self.table.num_rows());
        if self.next == end && self.started {
            return Ok(None);
        }
        self.started = true;
        let mut b = TableBuilder::like(self.table);
        for r in self.next..end {
            b.push_from(self.table, r);
        }
        self.next = end;
        b.finish(self.table.file_rows()).map(Some)
    }
}

impl ReadPieces for TablePieces<'_> {
    fn first(&self) -> Option<&Table> {
        self.first.as_ref()
    }
    fn columns(&self) -> &[String] {
        self.table.columns()
    }
    fn info(&self) -> SourceInfo {
        self.table.info().clone()
    }
    fn rows(&self) -> u64 {
        let waiting = self.first.as_ref().map_or(0, Table::num_rows);
        (self.next - waiting) as u64
    }
    fn file_size(&self) -> u64 {
        self.table.info().bytes
    }
    fn next_piece(&mut self) -> Result<Option<Table>> {
        match self.first.take() {
            Some(first) => Ok(Some(first)),
            None => self.take(),
        }
    }
}

/// Reads the file at `path` into a table whose rows are written, a piece
/// of about `piece_bytes` at a time, to unnamed files in `dir`: a file
/// larger than memory becomes a table whose pages the kernel reads in and
/// drops again as they are used. The table holds what [`load_path`]
/// reads, row for row, line for line, with the same warnings.
pub fn load_to_disk(
    path: &Path,
    opts: &LoadOptions,
    piece_bytes: usize,
    dir: &Path,
    ctl: Control<'_>,
) -> Result<Table> {
    let mut pieces = Pieces::open(path, opts, piece_bytes, ctl)?;
    let mut rows = TableBuilder::new(pieces.info(), pieces.columns().to_vec());
    rows.move_to_disk(dir)?;
    while let Some(piece) = pieces.next_piece()? {
        for r in 0..piece.num_rows() {
            rows.push_from(&piece, r);
        }
    }
    let mut table = rows.finish(pieces.rows())?;
    // Warnings about ragged rows are known only once every piece is read.
    table.info = pieces.info();
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(format: &str) -> LoadOptions {
        LoadOptions {
            format: Some(format.into()),
            ..LoadOptions::default()
        }
    }

    #[test]
    fn the_reader_is_told_by_the_options_then_the_name_then_falls_back_to_csv() {
        let none = LoadOptions::default();
        // The start of a JSON line longer than the head, which its bytes
        // alone do not make JSON Lines.
        let pick = |name: &str, opts: &LoadOptions| {
            reader_for(name, b"{ \"a\": 1, \"b\": ", opts).map(|r| r.format().name)
        };
        assert_eq!(pick("a.jsonl", &none).unwrap(), "jsonl");
        assert_eq!(pick("a.NDJSON", &none).unwrap(), "jsonl");
        assert_eq!(pick("a.csv", &none).unwrap(), "csv");
        assert_eq!(pick("no-extension", &none).unwrap(), "csv");
        // A first line that is a JSON object is JSON Lines, whatever the name.
        let json = reader_for("a.csv", b"{\"a\":1}\n", &none).unwrap();
        assert_eq!(json.format().name, "jsonl");
        // A named format wins over the name: a stored copy reads as it was read.
        assert_eq!(pick("a.csv", &named("jsonl")).unwrap(), "jsonl");
        assert_eq!(pick("a.jsonl", &named("csv")).unwrap(), "csv");
        let e = pick("a.csv", &named("dbase")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'dbase' is not an input format Concord reads"
        );
    }

    #[test]
    fn a_copy_named_by_its_hash_takes_its_format_from_the_users_name() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("0a1b2c");
        // A first line longer than the head that starts as no JSON Lines
        // writer starts one, which the bytes alone do not tell.
        let line = format!("{{ \"id\": 1, \"pad\": \"{}\" }}\n", "x".repeat(HEAD_BYTES));
        std::fs::write(&copy, line).unwrap();
        let opts = with_format(&copy, "upload.jsonl", &LoadOptions::default()).unwrap();
        assert_eq!(opts.format.as_deref(), Some("jsonl"));
        let t = load_path(&copy, &opts, Control::default()).unwrap();
        assert_eq!(t.columns(), ["id", "pad"]);
        // Without it, the copy's own name says nothing: it is read as CSV.
        let t = load_path(&copy, &LoadOptions::default(), Control::default()).unwrap();
        assert_eq!(t.info().format, "csv");
    }

    #[test]
    fn a_reader_without_pieces_hands_out_the_whole_file_as_one() {
        // Workbooks are read whole.
        let dir = tempfile::tempdir().unwrap();
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workbooks/people-1904.xlsx");
        let mut pieces =
            Pieces::open(&path, &LoadOptions::default(), 1, Control::default()).unwrap();
        assert_eq!(pieces.columns()[0], "id");
        assert_eq!(pieces.first().map(|t| t.num_rows()), Some(4));
        let piece = pieces.next_piece().unwrap().unwrap();
        assert_eq!(
            (piece.num_rows(), piece.line_of(1)),
            (4, 3),
            "sheet row numbers"
        );
        assert!(pieces.next_piece().unwrap().is_none());
        assert_eq!(pieces.rows(), 4);
        let on_disk = load_to_disk(
            &path,
            &LoadOptions::default(),
            1,
            dir.path(),
            Control::default(),
        )
        .unwrap();
        assert_eq!(
            (on_disk.cell(1, 0), on_disk.info().format),
            ("2", "workbook")
        );
    }
}
