//! Reading a file that may not fit in memory as a sequence of tables of
//! about a given size, each holding whole records.
//!
//! The first piece is read exactly as [`super::load_path`] reads a file, so
//! the encoding, delimiter, header and column names are detected the same
//! way (detection only looks at the start of a file). Later pieces are
//! parsed with what the first one found, by the same parser, and each row
//! keeps its index and line in the whole file, so that results and errors
//! name the same rows and lines as when the file is read at once.
//!
//! A piece ends at a line break outside quotes. The cut is first placed
//! where the number of quotes since the piece's start is even, which is
//! right unless a quote stood inside an unquoted field; when parsing then
//! finds a quoted field open at the cut, the exact state machine of the
//! parser finds the last record end instead.
//!
//! A compressed file is read through its decoder, once: the text of a
//! piece that may have to be parsed again is kept instead of read again.

use super::compressed::{Compression, Counted};
use super::decode::{decode, Decoded, Encoding};
use super::load::{parse_text, ragged_warning};
use super::source::ReadPieces;
use super::{LoadOptions, SourceInfo, Subset, Table};
use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use memchr::{memchr, memchr_iter, memrchr};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Where a file's bytes come from.
enum Raw {
    /// The file itself, which can be read again at an offset.
    File(File),
    /// The decompressed bytes of a compressed file, read once.
    Stream {
        /// The decoder over the file.
        reader: Box<dyn Read + Send>,
        /// The file's compression, for messages.
        compression: Compression,
        /// Compressed bytes read so far, for progress.
        read: Arc<AtomicU64>,
    },
}

impl Raw {
    /// Opens `path`, through a decoder when it is compressed.
    fn open(path: &Path, name: &str) -> Result<(Raw, u64)> {
        let err = |source| Error::Read {
            path: name.to_string(),
            source,
        };
        let file = File::open(path).map_err(err)?;
        let size = file.metadata().map_err(err)?.len();
        let Some(compression) = Compression::of_path(path) else {
            return Ok((Raw::File(file), size));
        };
        let read = Arc::new(AtomicU64::new(0));
        let counted = Counted::new(std::io::BufReader::new(file), read.clone());
        let reader = compression
            .decoder(counted)
            .map_err(|e| compression.error(name, &e))?;
        let raw = Raw::Stream {
            reader,
            compression,
            read,
        };
        Ok((raw, size))
    }

    /// Reads up to `n` bytes; fewer only at the end.
    fn read_up_to(&mut self, n: usize, name: &str) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(n);
        let done = match self {
            Raw::File(f) => f.take(n as u64).read_to_end(&mut out),
            Raw::Stream { reader, .. } => reader.take(n as u64).read_to_end(&mut out),
        };
        done.map_err(|source| match self {
            Raw::File(_) => Error::Read {
                path: name.to_string(),
                source,
            },
            Raw::Stream { compression, .. } => compression.error(name, &source),
        })?;
        Ok(out)
    }

    /// The compression read through, if any.
    fn compression(&self) -> Option<Compression> {
        match self {
            Raw::File(_) => None,
            Raw::Stream { compression, .. } => Some(*compression),
        }
    }
}

/// How the raw bytes of a file become UTF-8, block by block.
enum Stage {
    /// Valid UTF-8 is used as it is; a block may end inside a character,
    /// whose first bytes wait for the next block.
    Utf8 { carry: Vec<u8> },
    /// Any other encoding (or UTF-8 with damaged bytes replaced).
    Decoder(encoding_rs::Decoder),
}

/// A file read piece by piece; see the module notes.
pub(super) struct CsvPieces<'c> {
    name: String,
    raw: Raw,
    file_size: u64,
    opts: LoadOptions,
    piece_bytes: usize,
    stage: Stage,
    /// Decoded text read from the file but not yet handed out.
    pending: Vec<u8>,
    /// Where `pending` starts in the file, for UTF-8 read as it is.
    pending_offset: u64,
    eof: bool,
    raw_read: u64,
    decoded_bytes: u64,
    columns: Vec<String>,
    info: SourceInfo,
    first: Option<Table>,
    rows: u64,
    lines: u64,
    ragged: u64,
    /// Set once a cut by counting quotes proved wrong.
    exact: bool,
    ctl: Control<'c>,
}

impl<'c> CsvPieces<'c> {
    /// Opens `path` and reads its first piece, which fixes how the rest is
    /// read. Pieces hold about `piece_bytes` of text (more when one record
    /// is larger).
    pub fn open(
        path: &Path,
        opts: &LoadOptions,
        piece_bytes: usize,
        ctl: Control<'c>,
    ) -> Result<CsvPieces<'c>> {
        let name = path.display().to_string();
        let (mut raw, file_size) = Raw::open(path, &name)?;
        // The first piece holds all that detection looks at.
        let first_bytes = piece_bytes.max(super::sniff::SAMPLE_BYTES * 4);
        let piece_bytes = piece_bytes.max(1);
        let head = raw.read_up_to(first_bytes, &name)?;
        let eof = match raw {
            Raw::File(_) => (head.len() as u64) >= file_size,
            Raw::Stream { .. } => head.len() < first_bytes,
        };
        // Detection sees whole lines, so that a character cut at the end of
        // the block does not look like damage.
        let sample = match memrchr(b'\n', &head) {
            Some(i) if !eof => head[..=i].to_vec(),
            _ => head.clone(),
        };
        let detected = decode(sample.into(), &name, opts.encoding)?;
        let bom = match detected.encoding {
            Encoding::Utf8Bom if head.starts_with(b"\xEF\xBB\xBF") => 3,
            Encoding::Utf16Le if head.starts_with(b"\xFF\xFE") => 2,
            Encoding::Utf16Be if head.starts_with(b"\xFE\xFF") => 2,
            _ => 0,
        };
        let stage = match detected.encoding {
            Encoding::Utf8 | Encoding::Utf8Bom if detected.warnings.is_empty() => {
                Stage::Utf8 { carry: Vec::new() }
            }
            Encoding::Utf8 | Encoding::Utf8Bom => {
                Stage::Decoder(encoding_rs::UTF_8.new_decoder_without_bom_handling())
            }
            Encoding::Utf16Le => {
                Stage::Decoder(encoding_rs::UTF_16LE.new_decoder_without_bom_handling())
            }
            Encoding::Utf16Be => {
                Stage::Decoder(encoding_rs::UTF_16BE.new_decoder_without_bom_handling())
            }
            Encoding::Windows1252 => {
                Stage::Decoder(encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling())
            }
        };
        let mut pieces = CsvPieces {
            name,
            raw,
            file_size,
            opts: opts.clone(),
            piece_bytes,
            stage,
            pending: Vec::new(),
            pending_offset: bom as u64,
            eof: false,
            raw_read: 0,
            decoded_bytes: 0,
            columns: Vec::new(),
            info: SourceInfo {
                encoding: Some(detected.encoding),
                ..SourceInfo::new("", super::csv::NAME)
            },
            first: None,
            rows: 0,
            lines: 0,
            ragged: 0,
            exact: false,
            ctl,
        };
        if let Stage::Utf8 { .. } = pieces.stage {
            // A file read whole keeps its UTF-8 byte-order mark in its size.
            pieces.decoded_bytes = bom as u64;
        }
        pieces.take_raw(head[bom..].to_vec(), eof, head.len() as u64)?;
        pieces.piece_bytes = first_bytes;
        let first = pieces.parse_piece(Some(detected.warnings))?;
        pieces.piece_bytes = piece_bytes;
        pieces.first = Some(first);
        Ok(pieces)
    }
}

impl ReadPieces for CsvPieces<'_> {
    /// The first piece, until [`Pieces::next_piece`] hands it out: a
    /// sample of the file's start.
    fn first(&self) -> Option<&Table> {
        self.first.as_ref()
    }

    /// The column names, from the header (or `column_N`).
    fn columns(&self) -> &[String] {
        &self.columns
    }

    /// How the file is read: its name, encoding, delimiter and header, and
    /// the warnings so far (all of them once every piece was read).
    fn info(&self) -> SourceInfo {
        let mut info = self.info.clone();
        info.bytes = self.decoded_bytes;
        if self.ragged > 0 {
            info.warnings.push(ragged_warning(self.ragged));
        }
        info
    }

    /// Data rows handed out so far: all of the file's once `next` said `None`.
    fn rows(&self) -> u64 {
        self.rows
    }

    /// Size of the file on disk.
    fn file_size(&self) -> u64 {
        self.file_size
    }

    /// The next piece: a table whose rows know their index and line in the
    /// file; `None` after the last.
    fn next_piece(&mut self) -> Result<Option<Table>> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        self.ctl.check()?;
        if self.pending.is_empty() && !self.fill()? {
            return Ok(None);
        }
        self.parse_piece(None).map(Some)
    }
}

impl<'c> CsvPieces<'c> {
    /// Cuts the next piece off the text and parses it. `first` holds the
    /// decoding warnings when this is the file's first piece, which is read
    /// as a whole file is (header, delimiter and all).
    fn parse_piece(&mut self, first: Option<Vec<String>>) -> Result<Table> {
        let offset = self.pending_offset;
        let text = self.cut()?;
        let len = text.len();
        let line_breaks = count_line_breaks(&text);
        let more = !(self.eof && self.pending.is_empty());
        // Text that is not read from the file as it is cannot be read again.
        let rereadable = matches!((&self.stage, &self.raw), (Stage::Utf8 { .. }, Raw::File(_)));
        let copy = (more && !rereadable).then(|| text.clone());
        let quiet = Control {
            progress: None,
            ..self.ctl
        };
        let is_first = first.is_some();
        let decoded = Decoded {
            bytes: text.into(),
            start: 0,
            encoding: if is_first {
                self.info.encoding.unwrap_or(Encoding::Utf8)
            } else {
                Encoding::Utf8
            },
            warnings: first.clone().unwrap_or_default(),
        };
        let (opts, columns) = if is_first {
            (self.opts.clone(), None)
        } else {
            (self.opts.clone(), Some(self.columns.as_slice()))
        };
        let parsed = parse_text(&self.name, decoded, &opts, quiet, columns);
        let (table, ragged) = match parsed {
            Err(Error::UnterminatedQuote { .. }) if more && !self.exact => {
                // The cut fell inside a quoted field: put the text back and
                // cut exactly from now on.
                let text = match copy {
                    Some(t) => t,
                    None => self.reread(offset, len)?,
                };
                let rest = std::mem::replace(&mut self.pending, text);
                self.pending.extend_from_slice(&rest);
                self.pending_offset = offset;
                self.exact = true;
                return self.parse_piece(first);
            }
            Err(e) if is_first => return Err(e),
            Err(e) => return Err(shift_line(e, self.lines)),
            Ok(parsed) => parsed,
        };
        if is_first {
            self.columns = table.columns().to_vec();
            self.info = table.info().clone();
            self.info.compression = self.raw.compression().map(Compression::name);
            self.opts.delimiter = table.info().delimiter;
            self.opts.has_header = Some(false);
            self.opts.skip_lines = 0;
            self.opts.encoding = Some(Encoding::Utf8);
        }
        self.ragged += ragged;
        let lines_before = if is_first { 0 } else { self.lines };
        let table = self.place(table, lines_before)?;
        self.lines += line_breaks;
        Ok(table)
    }

    /// Gives a parsed piece its rows' places in the file.
    fn place(&mut self, mut table: Table, lines_before: u64) -> Result<Table> {
        let n = table.num_rows() as u64;
        if self.rows + n > u64::from(u32::MAX) {
            return Err(Error::TooManyRows {
                path: self.name.clone(),
                rows: self.rows + n,
            });
        }
        let first = self.rows as u32;
        let subset = Subset {
            source_rows: (first..first + n as u32).collect::<Vec<_>>().into(),
            lines: (0..n as usize)
                .map(|r| lines_before + table.line_of(r))
                .collect::<Vec<_>>()
                .into(),
            file_rows: 0,
        };
        table.subset = Some(Box::new(subset));
        self.rows += n;
        let read = match &self.raw {
            Raw::File(_) => self.raw_read,
            Raw::Stream { read, .. } => read.load(Ordering::Relaxed),
        };
        self.ctl
            .report(Phase::Loading, read.min(self.file_size), self.file_size);
        Ok(table)
    }

    fn delimiter(&self) -> u8 {
        self.opts
            .delimiter
            .unwrap_or_else(|| super::sniff_delimiter(&self.pending))
    }

    /// Reads the text of a piece again from the file (UTF-8 read as it is).
    fn reread(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let err = |source| Error::Read {
            path: self.name.clone(),
            source,
        };
        // A cloned handle would share the file's position, so the position
        // is put back for the reading that goes on from there.
        let Raw::File(file) = &self.raw else {
            return Err(Error::Internal(format!(
                "'{}' cannot be read again: it is compressed",
                self.name
            )));
        };
        let mut file = file;
        let position = file.stream_position().map_err(err)?;
        file.seek(SeekFrom::Start(offset)).map_err(err)?;
        let mut bytes = vec![0; len];
        file.read_exact(&mut bytes).map_err(err)?;
        file.seek(SeekFrom::Start(position)).map_err(err)?;
        Ok(bytes)
    }

    /// Reads another block of the file into `pending`; false at the end.
    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let raw = self.raw.read_up_to(self.piece_bytes, &self.name)?;
        let eof = raw.len() < self.piece_bytes;
        let n = raw.len() as u64;
        self.take_raw(raw, eof, n)?;
        Ok(true)
    }

    /// Decodes a block of raw bytes onto `pending`.
    fn take_raw(&mut self, raw: Vec<u8>, eof: bool, raw_len: u64) -> Result<()> {
        self.raw_read += raw_len;
        self.eof = eof;
        let before = self.pending.len();
        match &mut self.stage {
            Stage::Utf8 { carry } => {
                let mut block = std::mem::take(carry);
                block.extend_from_slice(&raw);
                let valid = match simdutf8::compat::from_utf8(&block) {
                    Ok(_) => block.len(),
                    Err(e) if e.error_len().is_none() && !eof => e.valid_up_to(),
                    Err(e) => {
                        let at = self.pending_offset + self.pending.len() as u64;
                        return Err(Error::NotText {
                            path: self.name.clone(),
                            detail: format!(
                                "byte {} is not valid UTF-8",
                                at + e.valid_up_to() as u64
                            ),
                        });
                    }
                };
                *carry = block.split_off(valid);
                self.pending.extend_from_slice(&block);
            }
            Stage::Decoder(d) => {
                let room = d
                    .max_utf8_buffer_length(raw.len())
                    .unwrap_or(raw.len() * 3 + 16);
                self.pending.reserve(room);
                let mut out = vec![0; room];
                let (_, _, written, _) = d.decode_to_utf8(&raw, &mut out, eof);
                self.pending.extend_from_slice(&out[..written]);
            }
        }
        self.decoded_bytes += (self.pending.len() - before) as u64;
        Ok(())
    }

    /// Takes the text of the next piece off `pending`: up to the last
    /// record end within about `piece_bytes`, reading on when no record
    /// ends there.
    fn cut(&mut self) -> Result<Vec<u8>> {
        let mut want = self.piece_bytes;
        loop {
            while self.pending.len() < want && !self.eof {
                self.fill()?;
            }
            let end = if self.eof && self.pending.len() <= want {
                Some(self.pending.len())
            } else if self.exact {
                exact_cut(
                    &self.pending[..want.min(self.pending.len())],
                    self.delimiter(),
                )
            } else {
                even_cut(&self.pending[..want.min(self.pending.len())])
            };
            if let Some(end) = end {
                let rest = self.pending.split_off(end);
                let text = std::mem::replace(&mut self.pending, rest);
                if let Stage::Utf8 { .. } = self.stage {
                    self.pending_offset += end as u64;
                }
                return Ok(text);
            }
            want *= 2;
        }
    }
}

/// The end of the last line in `text` (just after its line break) before
/// which the number of quotes is even, if any.
fn even_cut(text: &[u8]) -> Option<usize> {
    let mut end = memrchr(b'\n', text)? + 1;
    let mut odd = memchr_iter(b'"', &text[..end]).count() % 2 == 1;
    while odd {
        let before = memrchr(b'\n', &text[..end - 1])? + 1;
        odd ^= memchr_iter(b'"', &text[before..end]).count() % 2 == 1;
        end = before;
    }
    Some(end)
}

/// Line breaks in `text` as the parser counts them: LF, CRLF and a lone CR
/// each end a line.
fn count_line_breaks(text: &[u8]) -> u64 {
    let lf = memchr_iter(b'\n', text).count();
    let lone_cr = memchr_iter(b'\r', text)
        .filter(|&i| text.get(i + 1) != Some(&b'\n'))
        .count();
    (lf + lone_cr) as u64
}

/// An error found in a piece, with its line counted from the file's start.
fn shift_line(e: Error, lines_before: u64) -> Error {
    match e {
        Error::FieldCount {
            path,
            line,
            expected,
            found,
            title_lines,
        } => Error::FieldCount {
            path,
            line: line + lines_before,
            expected,
            found,
            title_lines,
        },
        Error::UnterminatedQuote { path, line } => Error::UnterminatedQuote {
            path,
            line: line + lines_before,
        },
        Error::RecordTooLarge { path, line } => Error::RecordTooLarge {
            path,
            line: line + lines_before,
        },
        e => e,
    }
}

/// The end of the last record in `text` (which starts at a record's
/// start), found by the parser's own reading of quotes: a quote opens a
/// quoted field only at a field's start, `""` inside it is a quote, and
/// line breaks end a record only outside quotes.
fn exact_cut(text: &[u8], delim: u8) -> Option<usize> {
    let mut last = None;
    let mut at_field_start = true;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if at_field_start && b == b'"' {
            // Skip the quoted part of the field.
            let mut j = i + 1;
            loop {
                let q = j + memchr(b'"', &text[j..])?;
                if text.get(q + 1) == Some(&b'"') {
                    j = q + 2;
                } else {
                    i = q + 1;
                    break;
                }
            }
            at_field_start = false;
            continue;
        }
        match b {
            b'\n' => {
                last = Some(i + 1);
                at_field_start = true;
            }
            b'\r' if text.get(i + 1) != Some(&b'\n') => {
                last = Some(i + 1);
                at_field_start = true;
            }
            b if b == delim => at_field_start = true,
            _ => at_field_start = false,
        }
        i += 1;
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{load_path, load_to_disk, Pieces};
    use std::io::Write;

    /// Reads `text` whole, in pieces of `piece` bytes and into a table on
    /// disk, and checks that every row, line and description agree.
    fn same_as_whole(text: &[u8], opts: &LoadOptions, piece: usize) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text).unwrap();
        let whole = load_path(f.path(), opts, Control::default());
        same_on_disk(f.path(), opts, piece, &whole);
        let mut pieces = match Pieces::open(f.path(), opts, piece, Control::default()) {
            Ok(p) => p,
            Err(e) => {
                assert_eq!(e.to_string(), whole.unwrap_err().to_string());
                return;
            }
        };
        let mut got = Vec::new();
        let err = loop {
            match pieces.next_piece() {
                Ok(Some(t)) => {
                    for r in 0..t.num_rows() {
                        let cells: Vec<String> = (0..t.num_columns())
                            .map(|c| t.cell(r, c).to_string())
                            .collect();
                        got.push((t.source_row(r), t.line_of(r), cells));
                    }
                }
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
        };
        let whole = match (whole, err) {
            (Err(a), Some(b)) => return assert_eq!(a.to_string(), b.to_string()),
            (Ok(w), None) => w,
            (w, e) => panic!("whole: {:?}, pieces: {e:?}", w.map(|t| t.num_rows())),
        };
        assert_eq!(pieces.columns(), whole.columns());
        let info = pieces.info();
        let wi = whole.info();
        assert_eq!(
            (
                info.bytes,
                info.encoding,
                info.delimiter,
                info.has_header,
                &info.warnings,
                info.compression,
            ),
            (
                wi.bytes,
                wi.encoding,
                wi.delimiter,
                wi.has_header,
                &wi.warnings,
                wi.compression,
            )
        );
        assert_eq!(pieces.rows(), whole.num_rows() as u64);
        for (r, (source, line, cells)) in got.iter().enumerate() {
            assert_eq!(*source, r as u64);
            assert_eq!(*line, whole.line_of(r), "line of row {r}");
            let expected: Vec<&str> = (0..whole.num_columns()).map(|c| whole.cell(r, c)).collect();
            assert_eq!(cells, &expected, "row {r}");
        }
    }

    /// Checks that [`load_to_disk`] reads what `whole` holds (or fails as
    /// it failed), with the rows on disk.
    fn same_on_disk(path: &Path, opts: &LoadOptions, piece: usize, whole: &Result<Table>) {
        let dir = tempfile::tempdir().unwrap();
        let disk = load_to_disk(path, opts, piece, dir.path(), Control::default());
        let (disk, whole) = match (disk, whole) {
            (Ok(d), Ok(w)) => (d, w),
            (Err(a), Err(b)) => return assert_eq!(a.to_string(), b.to_string()),
            (d, w) => panic!("on disk: {:?}, whole: {:?}", d.err(), w.as_ref().err()),
        };
        assert!(disk.on_disk() || whole.num_rows() == 0);
        assert!(!whole.on_disk());
        assert_eq!(disk.describe(), whole.describe());
        assert_eq!(disk.info().bytes, whole.info().bytes);
        assert_eq!(disk.num_rows(), whole.num_rows());
        for r in 0..whole.num_rows() {
            assert_eq!(disk.source_row(r), r as u64);
            assert_eq!(disk.line_of(r), whole.line_of(r), "line of row {r}");
            for c in 0..whole.num_columns() {
                assert_eq!(disk.cell(r, c), whole.cell(r, c), "row {r}, column {c}");
            }
        }
        // Unnamed files: nothing is left in the directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    fn sample() -> String {
        let mut s = String::from("id,name,note\n");
        for i in 0..300 {
            match i % 7 {
                0 => s.push_str(&format!("{i},\"multi\nline {i}\",x\n")),
                1 => s.push_str(&format!("{i},a\"b,lenient\r\n")),
                2 => s.push('\n'),
                3 => s.push_str(&format!("{i},\"q\"\"uote\",y\r")),
                _ => s.push_str(&format!("{i},n{i},z\n")),
            }
        }
        s
    }

    #[test]
    fn pieces_read_as_the_whole_file_does() {
        let text = sample();
        for piece in [1, 7, 50, 400, 1 << 20] {
            same_as_whole(text.as_bytes(), &LoadOptions::default(), piece);
        }
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        same_as_whole(&bom, &LoadOptions::default(), 64);
        let semi = format!("sep=;\n{}", text.replace(',', ";"));
        same_as_whole(semi.as_bytes(), &LoadOptions::default(), 64);
        let no_header = LoadOptions {
            has_header: Some(false),
            ..LoadOptions::default()
        };
        same_as_whole(text.as_bytes(), &no_header, 33);
        // Title lines above the header, skipped as asked, in every piece size.
        let titled = format!("Orders, March\r\nexported 2026-03-31\n{text}");
        let skip = LoadOptions {
            skip_lines: 2,
            ..LoadOptions::default()
        };
        for piece in [1, 50, 1 << 20] {
            same_as_whole(titled.as_bytes(), &skip, piece);
        }
    }

    #[test]
    fn compressed_files_are_read_in_pieces_as_their_text_is() {
        use crate::table::compressed::tests::compress;
        let text = sample();
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        for c in Compression::ALL {
            let packed = compress(text.as_bytes(), c);
            for piece in [1, 50, 400, 1 << 20] {
                same_as_whole(&packed, &LoadOptions::default(), piece);
            }
            same_as_whole(&compress(&utf16, c), &LoadOptions::default(), 64);
            // The same rows, lines and cells as the plain file.
            let mut plain = tempfile::NamedTempFile::new().unwrap();
            plain.write_all(text.as_bytes()).unwrap();
            let mut gz = tempfile::NamedTempFile::new().unwrap();
            gz.write_all(&packed).unwrap();
            let a = load_path(plain.path(), &LoadOptions::default(), Control::default()).unwrap();
            let b = load_path(gz.path(), &LoadOptions::default(), Control::default()).unwrap();
            assert_eq!(b.info().compression, Some(c.name()));
            assert_eq!((a.num_rows(), a.columns()), (b.num_rows(), b.columns()));
            for r in 0..a.num_rows() {
                assert_eq!(a.line_of(r), b.line_of(r));
                for col in 0..a.num_columns() {
                    assert_eq!(a.cell(r, col), b.cell(r, col));
                }
            }
        }
        // Cut short: the same error, whole or in pieces.
        let packed = compress(text.as_bytes(), Compression::Gzip);
        same_as_whole(&packed[..packed.len() / 2], &LoadOptions::default(), 50);
    }

    #[test]
    fn pieces_decode_utf16_and_windows_1252() {
        let text = sample().replace("name", "nämé");
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        same_as_whole(&utf16, &LoadOptions::default(), 101);
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        same_as_whole(&latin, &LoadOptions::default(), 101);
    }

    #[test]
    fn errors_name_the_line_in_the_whole_file() {
        let mut text = sample();
        text.push_str("999,too,many,fields\n1000,ok,ok\n");
        same_as_whole(text.as_bytes(), &LoadOptions::default(), 64);
        let ragged = LoadOptions {
            allow_ragged: true,
            ..LoadOptions::default()
        };
        same_as_whole(text.as_bytes(), &ragged, 64);
        // A ragged row past the first piece, which detection reads.
        let mut long = sample().repeat(4 * super::super::sniff::SAMPLE_BYTES / 2000);
        long.push_str("999,too,many,fields\n");
        same_as_whole(long.as_bytes(), &ragged, 4096);
        let mut open = sample();
        open.push_str("1001,\"never closed\n1002,a,b\n");
        same_as_whole(open.as_bytes(), &LoadOptions::default(), 64);

        // The line named is the faulty record's own, far past the first
        // piece: 200 rows take lines 2 to 201.
        let mut rows = String::from("id,name,note\n");
        for i in 0..200 {
            rows.push_str(&format!("{i},n{i},z\n"));
        }
        let too_many = format!("{rows}999,too,many,fields\n1000,ok,ok\n");
        let unclosed = format!("{rows}1001,\"never closed\n1002,a,b\n");
        for (text, code) in [(too_many, "field_count"), (unclosed, "unterminated_quote")] {
            let e = first_error(text.as_bytes(), 64);
            assert_eq!((e.code(), e.line()), (code, Some(202)), "{e}");
            assert!(e.to_string().contains("line 202"), "{e}");
        }
    }

    /// The first error reading `text` in pieces of `piece` bytes.
    fn first_error(text: &[u8], piece: usize) -> crate::error::Error {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text).unwrap();
        let opts = LoadOptions::default();
        let mut pieces = match Pieces::open(f.path(), &opts, piece, Control::default()) {
            Ok(p) => p,
            Err(e) => return e,
        };
        loop {
            match pieces.next_piece() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("no error"),
                Err(e) => return e,
            }
        }
    }
}
