//! Reading a file into a [`Table`]: decode, sniff, parse in parallel, compact.

use super::decode::{decode, Decoded, Encoding};
use super::parse::{chunk_cuts, next_record, parse_chunk, ChunkError, ChunkRows, Cursor, Outcome};
use super::sniff::{excel_sep_line, sample_records, sniff_delimiter, sniff_header, SAMPLE_BYTES};
use super::{SourceInfo, Table};
use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use rayon::prelude::*;
use std::path::Path;

/// How to read a file. Every field left as `None` is detected.
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
    /// Pad records with too few fields with empty cells and cut records with
    /// too many, instead of failing. Each such row is counted in a warning.
    pub allow_ragged: bool,
}

/// Inputs smaller than this are parsed on one thread.
const PARALLEL_MIN_BYTES: usize = 2 << 20;
/// Target size of one parallel chunk.
const CHUNK_BYTES: usize = 4 << 20;

/// Loads the CSV file at `path`.
///
/// Large files are parsed on all cores. The file is read once; it is read a
/// second time only in the rare case where a parallel cut proves to fall
/// inside a quoted field.
pub fn load_path(path: &Path, opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
    let name = path.display().to_string();
    let read = || -> Result<Decoded> {
        let raw = read_file(path, &name, ctl)?;
        ctl.check()?;
        decode(raw, &name, opts.encoding)
    };
    let decoded = read()?;
    build(&name, decoded, opts, Some(&read), ctl)
}

/// Loads the left and the right file at the same time, each reporting
/// progress for its side.
pub fn load_both(
    left: &Path,
    right: &Path,
    opts: &LoadOptions,
    ctl: Control<'_>,
) -> Result<(Table, Table)> {
    use crate::error::Side;
    let (l, r) = rayon::join(
        || load_path(left, opts, ctl.with_side(Side::Left)),
        || load_path(right, opts, ctl.with_side(Side::Right)),
    );
    Ok((l?, r?))
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

/// Loads CSV text held in memory (an upload, say), named `name` in messages.
///
/// The bytes are parsed in place on one thread.
pub fn load_bytes(name: &str, bytes: Vec<u8>, opts: &LoadOptions) -> Result<Table> {
    let decoded = decode(bytes, name, opts.encoding)?;
    build(name, decoded, opts, None, Control::default())
}

pub(super) type Refetch<'a> = Option<&'a dyn Fn() -> Result<Decoded>>;

fn build(
    name: &str,
    decoded: Decoded,
    opts: &LoadOptions,
    refetch: Refetch<'_>,
    ctl: Control<'_>,
) -> Result<Table> {
    let (mut table, ragged) = parse_text(name, decoded, opts, refetch, ctl, None)?;
    if ragged > 0 {
        table.info.warnings.push(ragged_warning(ragged));
    }
    Ok(table)
}

/// The warning for rows that were padded or cut to the header's width.
pub(super) fn ragged_warning(rows: u64) -> String {
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
    refetch: Refetch<'_>,
    ctl: Control<'_>,
    piece_columns: Option<&[String]>,
) -> Result<(Table, u64)> {
    let Decoded {
        mut bytes,
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

    // The header is parsed in place like any record; its names are copied out.
    let mut cur = Cursor {
        read: start,
        write: start,
    };
    let mut header_breaks = skipped_lines;
    let columns = if let Some(columns) = piece_columns {
        columns.to_vec()
    } else if has_header {
        let mut ends = Vec::new();
        let end = bytes.len();
        loop {
            let s = cur.write;
            match next_record(&mut bytes, end, &mut cur, delimiter, &mut ends) {
                Outcome::Blank => header_breaks += 1,
                Outcome::Record { line_breaks } => {
                    header_breaks += line_breaks;
                    let mut names = Vec::with_capacity(ends.len());
                    let mut from = s;
                    for &e in &ends {
                        names.push(String::from_utf8_lossy(&bytes[from..e]).into_owned());
                        from = e;
                    }
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
    let data_start = cur.read;
    let first_data_line = 1 + header_breaks;

    let data = &mut bytes[data_start..];
    let pieces = match refetch {
        Some(_) if data.len() >= PARALLEL_MIN_BYTES => data.len().div_ceil(CHUNK_BYTES),
        _ => 1,
    };
    let cuts = chunk_cuts(data, pieces);
    let mut slices = Vec::with_capacity(cuts.len() - 1);
    let mut rest = data;
    for w in cuts.windows(2) {
        let (head, tail) = rest.split_at_mut(w[1] - w[0]);
        slices.push(head);
        rest = tail;
    }
    let last = slices.len() - 1;
    let done = std::sync::atomic::AtomicU64::new(0);
    let chunks: Vec<ChunkRows> = slices
        .into_par_iter()
        .enumerate()
        .map(|(i, s)| {
            // Once cancelled, the remaining chunks are skipped.
            if ctl.is_cancelled() {
                return ChunkRows::default();
            }
            let len = s.len() as u64;
            let rows = parse_chunk(s, delimiter, ncols, opts.allow_ragged, i == last);
            let d = done.fetch_add(len, std::sync::atomic::Ordering::Relaxed) + len;
            ctl.report(Phase::Loading, d, total_bytes);
            rows
        })
        .collect();
    ctl.check()?;

    // Check the cuts and report the first error, in file order.
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
        if chunk.ended_in_quote {
            // A cut fell inside a quoted field: parse again, in one piece.
            let refetch = refetch.expect("only inputs that can be read again are cut");
            drop(chunks);
            drop(bytes);
            return parse_text(name, refetch()?, opts, None, ctl, piece_columns);
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

    // Gather the chunks' rows. Each chunk's cells stay where the chunk
    // compacted them; the gap after each chunk (its delimiters and quotes)
    // is not worth a copy of the whole buffer to close.
    let mut row_start = Vec::with_capacity(total_rows);
    let mut cell_end = Vec::with_capacity(total_rows * ncols);
    let mut wide = Vec::new();
    let mut line_jumps: Vec<(u32, u64)> = Vec::new();
    let mut rows_before = 0u32;
    let mut extra_before = 0u64;
    let mut used = 0usize;
    for (chunk, w) in chunks.into_iter().zip(cuts.windows(2)) {
        let rows = chunk.rows();
        let base = (data_start + w[0]) as u64;
        row_start.extend(chunk.row_start.iter().map(|&s| s + base));
        cell_end.extend_from_slice(&chunk.cell_end);
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
        used = data_start + w[0] + chunk.written;
    }
    bytes.truncate(used);

    let table = Table {
        info: SourceInfo {
            path: name.to_string(),
            bytes: total_bytes,
            encoding,
            delimiter,
            has_header,
            warnings,
        },
        columns,
        buf: bytes.into(),
        row_start: row_start.into(),
        cell_end: cell_end.into(),
        wide,
        line_jumps,
        first_data_line,
        subset: None,
    };
    Ok((table, ragged))
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
        let mut buf = piece.to_vec();
        let mut cur = Cursor::default();
        let mut ends = Vec::new();
        loop {
            match next_record(&mut buf, piece.len(), &mut cur, delim, &mut ends) {
                Outcome::Blank => continue,
                Outcome::Record { .. } if cur.read < piece.len() || piece.len() == text.len() => {
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
fn unique_names(names: Vec<String>, warnings: &mut Vec<String>) -> Vec<String> {
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
