//! Reading a CSV file into a [`Table`]: decode, sniff, parse in parallel, compact.

use super::decode::{decode, Decoded};
use super::parse::{
    chunk_cuts, next_record, parse_chunk, record_cells, ChunkEnds, ChunkError, ChunkRows, Outcome,
    ESCAPED,
};
use super::sniff::{
    excel_sep_line, sample_records, skip_lines, sniff_delimiter, sniff_header, title_lines,
    SAMPLE_BYTES,
};
use super::source::Input;
use super::{CopiedCell, EscapedRow, LoadOptions, RowStarts, SourceInfo, Table};
use crate::array::Array;
use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use rayon::prelude::*;
use std::path::Path;

/// Inputs smaller than this are parsed on one thread.
const PARALLEL_MIN_BYTES: usize = 2 << 20;
/// Target size of one parallel chunk.
const CHUNK_BYTES: usize = 4 << 20;

/// Reads CSV from `input`: a file read into memory or mapped (UTF-8 text
/// is then read where the kernel maps it), or bytes in memory. Large
/// inputs are parsed on all cores; a file is read once.
pub(super) fn read(input: Input<'_>, opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
    let name = input.name();
    let raw: Array<u8> = match input {
        Input::Path(path) => read_file(path, &name, ctl)?.into(),
        Input::Mapped(path) => map_file(path, &name)?,
        Input::Bytes { bytes, .. } => bytes.into(),
    };
    ctl.check()?;
    build(&name, decode(raw, &name, opts.encoding)?, opts, ctl)
}

/// How much of a file is read between two checks for cancellation.
const READ_PIECE: usize = 8 << 20;

/// Reads a whole file into one buffer, in pieces, so that a cancellation is
/// noticed while a large file is still being read.
fn read_file(path: &Path, name: &str, ctl: Control<'_>) -> Result<Vec<u8>> {
    use std::io::Read;
    let err = |source| Error::Read {
        path: name.to_string(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(err)?;
    let size = file.metadata().map_or(0, |m| m.len() as usize);
    let mut buf = Vec::with_capacity(size + 1);
    huge_pages(&mut buf);
    loop {
        ctl.check()?;
        let n = file
            .by_ref()
            .take(READ_PIECE as u64)
            .read_to_end(&mut buf)
            .map_err(err)?;
        if n == 0 {
            return Ok(buf);
        }
    }
}

/// Maps the file at `path`; see [`map_path`].
fn map_file(path: &Path, name: &str) -> Result<Array<u8>> {
    let err = |source| Error::Read {
        path: name.to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(err)?;
    Array::map_file(&file).map_err(err)
}

/// Asks the kernel to back a large buffer with huge pages where it can:
/// filling a fresh buffer otherwise faults (and zeroes) it in 4 KiB pages,
/// which costs as much as parsing it.
fn huge_pages(buf: &mut Vec<u8>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = buf.capacity();
        if bytes < 4 * HUGE {
            return;
        }
        let start = buf.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(HUGE);
        let len = (start + bytes - aligned) / HUGE * HUGE;
        // SAFETY: the range lies inside the vector's own allocation, and
        // the advice changes only how the kernel backs it, not its contents.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}

fn build(name: &str, decoded: Decoded, opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
    let (mut table, ragged) = parse_text(name, decoded, opts, ctl, None)?;
    if ragged > 0 {
        table.info.warnings.push(ragged_warning(ragged));
    }
    Ok(table)
}

/// The warning for rows that were padded or cut to the header's width.
pub(super) fn ragged_warning(rows: u64) -> String {
    if rows == 1 {
        return "1 row had a different number of fields than the header and was padded or cut"
            .to_string();
    }
    format!("{rows} rows had a different number of fields than the header and were padded or cut")
}

/// Parses decoded text into a table, and counts the rows that were padded
/// or cut. With `columns`, the text is a later piece of a file whose header
/// was read before: it holds data only, in `opts.delimiter`, and its lines
/// are counted from the piece's start.
pub(super) fn parse_text(
    name: &str,
    decoded: Decoded,
    opts: &LoadOptions,
    ctl: Control<'_>,
    piece_columns: Option<&[String]>,
) -> Result<(Table, u64)> {
    let Decoded {
        bytes,
        mut start,
        encoding,
        warnings: decode_warnings,
    } = decoded;
    let mut warnings = decode_warnings;
    let total_bytes = bytes.len() as u64;
    // Excel's `sep=;` line names the delimiter; it is not data.
    let mut skipped_lines = 0u64;
    let mut sep_line = None;
    let sep = piece_columns
        .is_none()
        .then(|| excel_sep_line(&bytes[start..]))
        .flatten();
    if let Some((d, len)) = sep {
        sep_line = Some(d);
        start += len;
        skipped_lines = 1;
        warnings.push(format!(
            "the first line 'sep={}' names the delimiter; it is not read as data",
            d as char
        ));
    }
    if piece_columns.is_none() && opts.skip_lines > 0 {
        let skipped = skip_lines(&bytes, &mut start, opts.skip_lines);
        skipped_lines += skipped;
        warnings.push(format!(
            "the first {skipped} line{} skipped, as asked",
            if skipped == 1 { " was" } else { "s were" }
        ));
    }
    let text = &bytes[start..];
    if piece_columns.is_none() && text.iter().all(|b| matches!(b, b'\r' | b'\n')) {
        return Err(Error::EmptyFile {
            path: name.to_string(),
        });
    }
    let delimiter = opts
        .delimiter
        .or(sep_line)
        .unwrap_or_else(|| sniff_delimiter(text));
    let sample = sample_records(text, delimiter, 200);
    let has_header = opts.has_header.unwrap_or_else(|| sniff_header(&sample));

    // The header is parsed like any record; its names are copied out.
    let mut at = start;
    let mut header_breaks = skipped_lines;
    let columns = if let Some(columns) = piece_columns {
        columns.to_vec()
    } else if has_header {
        let (mut ends, mut copy) = (Vec::new(), Vec::new());
        loop {
            let s = at;
            match next_record(&bytes, &mut at, delimiter, &mut ends, &mut copy) {
                Outcome::Blank => header_breaks += 1,
                Outcome::Record {
                    line_breaks,
                    copied,
                } => {
                    header_breaks += line_breaks;
                    let names = record_cells(&bytes, s, &copy, copied, &ends)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect();
                    break unique_names(names, &mut warnings);
                }
                Outcome::Unterminated => {
                    return Err(Error::UnterminatedQuote {
                        path: name.to_string(),
                        line: header_breaks + 1,
                    })
                }
                Outcome::End => {
                    return Err(Error::EmptyFile {
                        path: name.to_string(),
                    })
                }
            }
        }
    } else {
        let n = first_record_width(text, delimiter, &sample);
        (1..=n).map(|i| format!("column_{i}")).collect()
    };
    let ncols = columns.len();
    let data_start = at;
    let first_data_line = 1 + header_breaks;

    let data = &bytes[data_start..];
    let mut pieces = if data.len() >= PARALLEL_MIN_BYTES {
        data.len().div_ceil(CHUNK_BYTES)
    } else {
        1
    };
    let (chunks, cuts) = loop {
        let cuts = chunk_cuts(data, pieces);
        let chunks = parse_chunks(data, &cuts, delimiter, ncols, opts.allow_ragged, ctl)?;
        // A chunk that ends inside quotes before any error of its own shows
        // that the cut after it fell inside a quoted field: the text, which
        // parsing leaves as it was, is parsed again in one piece.
        let first_stop = chunks
            .iter()
            .find(|c| c.error.is_some() || c.ended_in_quote);
        if !first_stop.is_some_and(|c| c.ended_in_quote) {
            break (chunks, cuts);
        }
        pieces = 1;
    };

    // Report the first error, in file order.
    let mut line = first_data_line;
    for chunk in &chunks {
        if let Some(e) = chunk.error {
            let path = name.to_string();
            return Err(match e {
                ChunkError::FieldCount {
                    line: l,
                    expected,
                    found,
                } => Error::FieldCount {
                    path,
                    line: line + l,
                    expected,
                    found,
                    // Lines the user skipped were looked at already.
                    title_lines: (skipped_lines == 0)
                        .then(|| title_lines(text, delimiter))
                        .flatten(),
                },
                ChunkError::Unterminated { line: l } => Error::UnterminatedQuote {
                    path,
                    line: line + l,
                },
                ChunkError::TooLarge { line: l } => Error::RecordTooLarge {
                    path,
                    line: line + l,
                },
            });
        }
        line += chunk.line_breaks;
    }

    let total_rows: usize = chunks.iter().map(ChunkRows::rows).sum();
    if total_rows > u32::MAX as usize {
        return Err(Error::TooManyRows {
            path: name.to_string(),
            rows: total_rows as u64,
        });
    }
    let ragged: u64 = chunks.iter().map(|c| c.ragged_rows).sum();

    // Gather the chunks' rows. Rows point into the text, or, for escaped
    // rows, into the list of those; their copied cells are put one after
    // another.
    let shift = {
        let starts = chunks.iter().zip(cuts.windows(2)).flat_map(|(chunk, w)| {
            let base = (data_start + w[0]) as u64;
            chunk.row_start.iter().map(move |&s| match s & ESCAPED {
                0 => s + base,
                _ => chunk.escaped_rows[(s & !ESCAPED) as usize].start + base,
            })
        });
        RowStarts::shift_for(starts)
    };
    let mut row_start = Blocked::new(shift, total_rows);
    let narrow = chunks
        .iter()
        .all(|c| matches!(c.cell_end, ChunkEnds::Bytes(_)));
    let mut cell_end = ChunkEnds::with_capacity(narrow, total_rows * ncols);
    let mut copies = Vec::with_capacity(chunks.iter().map(|c| c.copies.len()).sum());
    let mut escaped_rows = Vec::with_capacity(chunks.iter().map(|c| c.escaped_rows.len()).sum());
    let mut escapes = Vec::with_capacity(chunks.iter().map(|c| c.escapes.len()).sum());
    let mut wide = Vec::new();
    let mut line_jumps: Vec<(u32, u64)> = Vec::new();
    let mut rows_before = 0u32;
    let mut extra_before = 0u64;
    for (chunk, w) in chunks.into_iter().zip(cuts.windows(2)) {
        let rows = chunk.rows();
        let base = (data_start + w[0]) as u64;
        let copies_base = copies.len() as u64;
        let escapes_base = escapes.len() as u32;
        for &s in &chunk.row_start {
            match s & ESCAPED {
                0 => {
                    row_start.push(s + base, None);
                }
                _ => {
                    let r = chunk.escaped_rows[(s & !ESCAPED) as usize];
                    let escaped = escaped_rows.len();
                    if escaped >= 1 << 31 {
                        return Err(Error::TooManyRows {
                            path: name.to_string(),
                            rows: total_rows as u64,
                        });
                    }
                    let offset = row_start.push(r.start + base, Some(escaped as u32));
                    escaped_rows.push(EscapedRow {
                        offset,
                        first: r.first + escapes_base,
                    });
                }
            }
        }
        for e in &chunk.escapes {
            let end = e.start + u64::from(e.len) + copies_base;
            let end = u32::try_from(end).map_err(|_| {
                Error::Invalid(format!(
                    "'{name}': its fields that cannot be read where they stand (quoted, with \"\" inside) \
                     take 4 GiB or more, more than one table holds; compare it with a lower memory \
                     limit (--memory-limit), so that it is read a part at a time"
                ))
            })?;
            escapes.push(CopiedCell { col: e.col, end });
        }
        copies.extend_from_slice(&chunk.copies);
        cell_end.append(&chunk.cell_end);
        wide.extend(chunk.wide.into_iter().map(|(r, e)| (r + rows_before, e)));
        let own_first_jump = chunk.line_jumps.first().is_some_and(|j| j.0 == 0);
        let current = line_jumps.last().map_or(0, |j| j.1);
        if rows > 0 && !own_first_jump && current != extra_before {
            line_jumps.push((rows_before, extra_before));
        }
        line_jumps.extend(
            chunk
                .line_jumps
                .iter()
                .map(|&(r, e)| (r + rows_before, e + extra_before)),
        );
        extra_before += chunk.line_breaks.saturating_sub(rows as u64);
        rows_before += rows as u32;
    }

    let table = Table {
        info: SourceInfo {
            path: name.to_string(),
            bytes: total_bytes,
            format: super::csv::NAME,
            encoding: Some(encoding),
            delimiter: Some(delimiter),
            has_header,
            warnings,
            compression: None,
            sheet: None,
            sheets: Vec::new(),
        },
        columns,
        buf: bytes,
        copies: copies.into(),
        escaped_rows,
        escapes,
        row_start: row_start.finish(),
        cell_end: cell_end.into(),
        wide,
        quotes_in_text: true,
        line_jumps,
        first_data_line,
        subset: None,
    };
    Ok((table, ragged))
}

/// The chunks' row starts gathered into blocks (see [`RowStarts`]).
struct Blocked {
    shift: u32,
    offsets: Vec<u32>,
    bases: Vec<u64>,
}

impl Blocked {
    fn new(shift: u32, rows: usize) -> Blocked {
        Blocked {
            shift,
            offsets: Vec::with_capacity(rows),
            bases: Vec::with_capacity((rows >> shift) + 1),
        }
    }

    /// Adds the row starting at `start` in the text, or, if it has
    /// escaped cells, the `escaped` row it is; returns where it starts
    /// after its block's base.
    fn push(&mut self, start: u64, escaped: Option<u32>) -> u32 {
        if self.offsets.len() & ((1 << self.shift) - 1) == 0 {
            self.bases.push(start);
        }
        let base = self.bases.last().copied().unwrap_or(0);
        let offset = start.wrapping_sub(base) as u32;
        self.offsets.push(match escaped {
            Some(i) => RowStarts::ESCAPED | i,
            None => offset,
        });
        offset
    }

    fn finish(self) -> RowStarts {
        RowStarts::Blocked {
            offsets: self.offsets.into(),
            shift: self.shift,
            bases: self.bases,
        }
    }
}

/// Parses `data` cut at `cuts` into chunks on all cores, reporting progress.
fn parse_chunks(
    data: &[u8],
    cuts: &[usize],
    delimiter: u8,
    ncols: usize,
    allow_ragged: bool,
    ctl: Control<'_>,
) -> Result<Vec<ChunkRows>> {
    let last = cuts.len() - 2;
    let done = std::sync::atomic::AtomicU64::new(0);
    let chunks = cuts
        .par_windows(2)
        .enumerate()
        .map(|(i, w)| {
            // Once cancelled, the remaining chunks are skipped.
            if ctl.is_cancelled() {
                return ChunkRows::default();
            }
            let text = &data[w[0]..w[1]];
            let rows = parse_chunk(text, delimiter, ncols, allow_ragged, i == last);
            let len = text.len() as u64;
            let d = done.fetch_add(len, std::sync::atomic::Ordering::Relaxed) + len;
            ctl.report(Phase::Loading, d, data.len() as u64);
            rows
        })
        .collect();
    ctl.check()?;
    Ok(chunks)
}

/// Number of fields of the first record, for files without a header. The
/// sample usually holds it; a first record longer than the sample is read
/// from a larger copy.
fn first_record_width(text: &[u8], delim: u8, sample: &[Vec<String>]) -> usize {
    if let Some(first) = sample.first() {
        return first.len();
    }
    let mut limit = SAMPLE_BYTES * 4;
    loop {
        let piece = &text[..text.len().min(limit)];
        let (mut at, mut ends, mut copy) = (0, Vec::new(), Vec::new());
        loop {
            match next_record(piece, &mut at, delim, &mut ends, &mut copy) {
                Outcome::Blank => continue,
                Outcome::Record { .. } if at < piece.len() || piece.len() == text.len() => {
                    return ends.len()
                }
                Outcome::End if piece.len() == text.len() => return 1,
                _ => break,
            }
        }
        limit *= 4;
    }
}

/// Makes header names usable as identifiers: a blank name becomes
/// `column_N` (its 1-based position) and a repeated name gets `_2`, `_3`,
/// ..., skipping any name the header already has, so that no new name
/// collides with a real column (`name,name,name_2` gives `name`, `name_3`,
/// `name_2`).
pub(super) fn unique_names(names: Vec<String>, warnings: &mut Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    let mut seen: std::collections::HashSet<String> = names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .cloned()
        .collect();
    let mut first_use = std::collections::HashSet::new();
    for (i, raw) in names.into_iter().enumerate() {
        let blank = raw.trim().is_empty();
        let base = if blank {
            format!("column_{}", i + 1)
        } else {
            raw
        };
        // A name's first use keeps it; later uses and blank names need one
        // that no column has.
        let keeps_own = !blank && first_use.insert(base.clone());
        let mut name = base.clone();
        let mut k = 2;
        while !keeps_own && seen.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        if blank {
            warnings.push(format!("column {} has no name; it is called {name}", i + 1));
        } else if name != base {
            warnings.push(format!(
                "column {} repeats the name '{base}'; it is called '{name}'",
                i + 1
            ));
        }
        seen.insert(name.clone());
        out.push(name);
    }
    out
}
