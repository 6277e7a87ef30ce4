//! The CSV record parser.
//!
//! It works in place: the bytes of each cell, with quotes removed and `""`
//! turned into `"`, are written back into the same buffer at or before the
//! position they were read from. A table therefore needs no second buffer,
//! and its cells end up contiguous, found by their end offsets alone.
//!
//! Large inputs are cut into chunks at line ends and the chunks are parsed on
//! all cores. A cut could fall inside a quoted field that spans lines; the
//! cuts are placed where the number of quotes before them is even, and each
//! cut is verified afterwards: the chunk before it must end outside quotes.
//! When a cut proves wrong the caller parses again from a fresh copy in one
//! piece, so the result is always that of a single sequential pass.

use memchr::memchr;

/// Where the parser reads and writes within a buffer. `write <= read` always.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    pub read: usize,
    pub write: usize,
}

/// What one call to [`next_record`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A record; `line_breaks` counts its terminator and the line breaks inside its quoted fields.
    Record { line_breaks: u64 },
    /// An empty line, which holds no record.
    Blank,
    /// The end of the input.
    End,
    /// A quoted field was still open at the end of the input.
    Unterminated,
}

/// Parses the record at `cur.read` in `buf[..end]`, moving its cell bytes to
/// `cur.write` and pushing the write offset where each cell ends to `ends`.
///
/// Quotes are those of RFC 4180, read leniently as spreadsheets write them: a
/// quote inside an unquoted field is an ordinary character, and text after a
/// closing quote is kept. LF, CRLF and lone CR all end a record.
pub(crate) fn next_record(
    buf: &mut [u8],
    end: usize,
    cur: &mut Cursor,
    delim: u8,
    ends: &mut Vec<usize>,
) -> Outcome {
    ends.clear();
    let mut r = cur.read;
    let mut w = cur.write;
    if r >= end {
        return Outcome::End;
    }
    match buf[r] {
        b'\n' => {
            cur.read = r + 1;
            return Outcome::Blank;
        }
        b'\r' => {
            cur.read = if r + 1 < end && buf[r + 1] == b'\n' {
                r + 2
            } else {
                r + 1
            };
            return Outcome::Blank;
        }
        _ => {}
    }
    let mut line_breaks = 0u64;
    loop {
        if r < end && buf[r] == b'"' {
            r += 1;
            loop {
                let Some(i) = memchr(b'"', &buf[r..end]) else {
                    return Outcome::Unterminated;
                };
                let q = r + i;
                line_breaks += memchr::memchr_iter(b'\n', &buf[r..q]).count() as u64;
                buf.copy_within(r..q, w);
                w += q - r;
                if q + 1 < end && buf[q + 1] == b'"' {
                    buf[w] = b'"';
                    w += 1;
                    r = q + 2;
                } else {
                    r = q + 1;
                    break;
                }
            }
        }
        // The unquoted field, or what follows a closing quote.
        let start = r;
        r = find_field_end(&buf[..end], r, delim);
        let len = r - start;
        if w != start {
            if len <= 16 {
                // Fields are mostly short: a plain loop beats a memmove call.
                for k in 0..len {
                    buf[w + k] = buf[start + k];
                }
            } else {
                buf.copy_within(start..r, w);
            }
        }
        w += len;
        ends.push(w);
        if r >= end {
            cur.read = end;
            cur.write = w;
            return Outcome::Record { line_breaks };
        }
        let b = buf[r];
        r += 1;
        if b == delim {
            continue;
        }
        if b == b'\r' && r < end && buf[r] == b'\n' {
            r += 1;
        }
        cur.read = r;
        cur.write = w;
        return Outcome::Record {
            line_breaks: line_breaks + 1,
        };
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Marks the zero bytes of `x`: the lowest marked byte is always the first
/// zero byte (higher marks may be false, and are never looked at).
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The position of the first delimiter, LF or CR at or after `r`, or the
/// end of `hay`. Eight bytes are tested at a time.
#[inline]
fn find_field_end(hay: &[u8], mut r: usize, delim: u8) -> usize {
    let (d, lf, cr) = (
        ONES * delim as u64,
        ONES * b'\n' as u64,
        ONES * b'\r' as u64,
    );
    while let Some(word) = hay.get(r..r + 8) {
        let v = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let hits = zero_bytes(v ^ d) | zero_bytes(v ^ lf) | zero_bytes(v ^ cr);
        if hits != 0 {
            return r + (hits.trailing_zeros() / 8) as usize;
        }
        r += 8;
    }
    while r < hay.len() && !matches!(hay[r], b'\n' | b'\r') && hay[r] != delim {
        r += 1;
    }
    r
}

/// Why a chunk stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkError {
    /// A record had `found` fields where the table has `expected`.
    FieldCount {
        line: u64,
        expected: usize,
        found: usize,
    },
    /// A quoted field was open at the end of the input.
    Unterminated { line: u64 },
    /// A record holds more than 4 GiB.
    TooLarge { line: u64 },
}

/// The rows one chunk of input produced. Offsets are relative to the chunk
/// start; lines are 0-based counts of line breaks from the chunk start.
#[derive(Debug, Default)]
pub(crate) struct ChunkRows {
    /// Write offset where each row's first cell starts.
    pub row_start: Vec<u64>,
    /// For each row, the end of each cell relative to the row start; zeros for wide rows.
    pub cell_end: Vec<u16>,
    /// Rows with a cell ending beyond 65,535 bytes from the row start: (row, cell ends).
    pub wide: Vec<(u32, Box<[u32]>)>,
    /// Rows that start on a later line than their index predicts: (row, extra line breaks before it).
    pub line_jumps: Vec<(u32, u64)>,
    /// Bytes of cell data written at the start of the chunk.
    pub written: usize,
    /// Line breaks consumed.
    pub line_breaks: u64,
    /// Rows padded or cut to the column count (only with `allow_ragged`).
    pub ragged_rows: u64,
    /// The chunk ended inside a quoted field (the cut before the next chunk was wrong).
    pub ended_in_quote: bool,
    /// The first error, if parsing stopped early.
    pub error: Option<ChunkError>,
}

impl ChunkRows {
    /// Number of rows parsed.
    pub fn rows(&self) -> usize {
        self.row_start.len()
    }
}

/// Parses all records in `buf` (one chunk) into rows of `ncols` cells.
///
/// `last` says whether the chunk ends the input: only then is an open quote
/// an error rather than a sign that the cut before the next chunk was wrong.
pub(crate) fn parse_chunk(
    buf: &mut [u8],
    delim: u8,
    ncols: usize,
    allow_ragged: bool,
    last: bool,
) -> ChunkRows {
    let end = buf.len();
    let mut out = ChunkRows {
        row_start: Vec::with_capacity(end / (ncols.max(1) * 8 + 8)),
        ..ChunkRows::default()
    };
    out.cell_end.reserve(out.row_start.capacity() * ncols);
    let mut cur = Cursor::default();
    let mut ends = Vec::with_capacity(ncols + 1);
    let mut last_extra = 0u64;
    loop {
        let line = out.line_breaks;
        let row_start = cur.write;
        match next_record(buf, end, &mut cur, delim, &mut ends) {
            Outcome::End => break,
            Outcome::Blank => out.line_breaks += 1,
            Outcome::Unterminated => {
                if last {
                    out.error = Some(ChunkError::Unterminated { line });
                } else {
                    out.ended_in_quote = true;
                }
                break;
            }
            Outcome::Record { line_breaks } => {
                out.line_breaks += line_breaks;
                if ends.len() != ncols {
                    if !allow_ragged {
                        out.error = Some(ChunkError::FieldCount {
                            line,
                            expected: ncols,
                            found: ends.len(),
                        });
                        break;
                    }
                    out.ragged_rows += 1;
                    if ends.len() > ncols {
                        ends.truncate(ncols);
                        cur.write = ends[ncols - 1];
                    } else {
                        let fill = ends.last().copied().unwrap_or(row_start);
                        ends.resize(ncols, fill);
                    }
                }
                let row = out.row_start.len() as u32;
                let extra = line - row as u64;
                if extra != last_extra {
                    out.line_jumps.push((row, extra));
                    last_extra = extra;
                }
                out.row_start.push(row_start as u64);
                let width = cur.write - row_start;
                if width <= u16::MAX as usize {
                    out.cell_end
                        .extend(ends.iter().map(|&e| (e - row_start) as u16));
                } else if width <= u32::MAX as usize {
                    out.cell_end.extend(std::iter::repeat_n(0, ncols));
                    let wide: Box<[u32]> = ends.iter().map(|&e| (e - row_start) as u32).collect();
                    out.wide.push((row, wide));
                } else {
                    out.error = Some(ChunkError::TooLarge { line });
                    break;
                }
            }
        }
    }
    out.written = cur.write;
    out
}

/// Chooses where to cut `data` into about `pieces` chunks: just after a line
/// break with an even number of quotes before it, so that, unless quotes are
/// used oddly, no cut falls inside a quoted field.
pub(crate) fn chunk_cuts(data: &[u8], pieces: usize) -> Vec<usize> {
    use rayon::prelude::*;
    let n = data.len();
    if pieces <= 1 || n == 0 {
        return vec![0, n];
    }
    let step = n.div_ceil(pieces);
    let targets: Vec<usize> = (0..pieces).map(|i| i * step).collect();
    // Quote parity of each stretch between targets, counted in parallel.
    let odd: Vec<bool> = targets
        .par_iter()
        .map(|&t| {
            let e = (t + step).min(n);
            memchr::memchr_iter(b'"', &data[t..e]).count() % 2 == 1
        })
        .collect();
    let mut cuts = vec![0];
    let mut parity_before = false; // parity of quotes in data[..targets[i]]
    for i in 1..pieces {
        parity_before ^= odd[i - 1];
        let t = targets[i];
        if t <= *cuts.last().unwrap() {
            continue;
        }
        let mut in_quotes = parity_before;
        let mut p = t;
        let mut found = None;
        while p < n {
            match data[p] {
                b'"' => in_quotes = !in_quotes,
                b'\n' if !in_quotes => {
                    found = Some(p + 1);
                    break;
                }
                _ => {}
            }
            p += 1;
        }
        match found {
            Some(c) if c < n => cuts.push(c),
            _ => break,
        }
    }
    cuts.push(n);
    cuts.dedup();
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` sequentially and returns its records as strings.
    fn records(text: &str, delim: u8) -> Vec<Vec<String>> {
        let mut buf = text.as_bytes().to_vec();
        let end = buf.len();
        let mut cur = Cursor::default();
        let mut ends = Vec::new();
        let mut out = Vec::new();
        loop {
            let start = cur.write;
            match next_record(&mut buf, end, &mut cur, delim, &mut ends) {
                Outcome::End => break,
                Outcome::Blank => continue,
                Outcome::Unterminated => panic!("unterminated"),
                Outcome::Record { .. } => {
                    let mut s = start;
                    let mut rec = Vec::new();
                    for &e in &ends {
                        rec.push(String::from_utf8(buf[s..e].to_vec()).unwrap());
                        s = e;
                    }
                    out.push(rec);
                }
            }
        }
        out
    }

    #[test]
    fn quotes_delimiters_and_newlines_inside_fields() {
        let r = records("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x,\n", b',');
        assert_eq!(
            r,
            vec![vec!["a", "b,c", "say \"hi\""], vec!["multi\nline", "x", ""]]
        );
    }

    #[test]
    fn blank_lines_are_skipped_and_lone_cr_ends_records() {
        let r = records("a;b\n\n\r\nc;d\re;f", b';');
        assert_eq!(r, vec![vec!["a", "b"], vec!["c", "d"], vec!["e", "f"]]);
    }

    #[test]
    fn stray_quotes_are_literal_and_text_after_closing_quote_is_kept() {
        let r = records("5\" pipe,\"ab\"cd\n", b',');
        assert_eq!(r, vec![vec!["5\" pipe", "abcd"]]);
    }

    #[test]
    fn empty_quoted_field_and_trailing_delimiter() {
        let r = records("\"\",x,\n", b',');
        assert_eq!(r, vec![vec!["", "x", ""]]);
    }

    #[test]
    fn chunk_reports_field_count_with_line() {
        let mut buf = b"1,2\n3\n".to_vec();
        let rows = parse_chunk(&mut buf, b',', 2, false, true);
        assert_eq!(
            rows.error,
            Some(ChunkError::FieldCount {
                line: 1,
                expected: 2,
                found: 1
            })
        );
    }

    #[test]
    fn chunk_pads_and_cuts_ragged_rows_when_allowed() {
        let mut buf = b"1,2\n3\n4,5,6\n7,8\n".to_vec();
        let rows = parse_chunk(&mut buf, b',', 2, true, true);
        assert_eq!(rows.error, None);
        assert_eq!(rows.rows(), 4);
        assert_eq!(rows.ragged_rows, 2);
        // Row 2 ("4,5,6") is cut to "4","5"; row 3 follows it directly.
        let s = rows.row_start[3] as usize;
        assert_eq!(&buf[s..s + rows.cell_end[7] as usize], b"78");
        // "12" "3" "" "45" "78" compacted.
        assert_eq!(rows.written, b"1234578".len());
    }

    #[test]
    fn chunk_tracks_lines_of_multiline_records() {
        let mut buf = b"a,\"x\ny\"\n\nb,c\n".to_vec();
        let rows = parse_chunk(&mut buf, b',', 2, false, true);
        assert_eq!(rows.rows(), 2);
        // Row 1 starts on line 3 (0-based): two extra line breaks before it.
        assert_eq!(rows.line_jumps, vec![(1, 2)]);
        assert_eq!(rows.line_breaks, 4);
    }

    #[test]
    fn unterminated_quote_is_an_error_only_in_the_last_chunk() {
        let mut buf = b"a,b\n\"open,c\n".to_vec();
        let rows = parse_chunk(&mut buf.clone(), b',', 2, false, true);
        assert_eq!(rows.error, Some(ChunkError::Unterminated { line: 1 }));
        let rows = parse_chunk(&mut buf, b',', 2, false, false);
        assert!(rows.ended_in_quote && rows.error.is_none());
    }

    #[test]
    fn wide_rows_keep_u32_ends() {
        let big = "x".repeat(70_000);
        let mut buf = format!("{big},y\n1,2\n").into_bytes();
        let rows = parse_chunk(&mut buf, b',', 2, false, true);
        assert_eq!(rows.wide.len(), 1);
        assert_eq!(&*rows.wide[0].1, &[70_000, 70_001]);
        assert_eq!(&rows.cell_end[2..], &[1, 2]);
    }

    #[test]
    fn field_end_search_matches_a_plain_scan() {
        let text = b"abcdefghij,klmnopqrstuvwxyz\r\n0123456789abcdef|x\xC3\xA9\xFF;";
        for delim in [b',', b';', b'|', b'\t'] {
            for start in 0..text.len() {
                let plain = (start..text.len())
                    .find(|&i| text[i] == delim || text[i] == b'\n' || text[i] == b'\r')
                    .unwrap_or(text.len());
                assert_eq!(
                    find_field_end(text, start, delim),
                    plain,
                    "delim {delim} from {start}"
                );
            }
        }
    }

    #[test]
    fn cuts_avoid_quoted_newlines() {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("{i},\"line\nbreak {i}\"\n"));
        }
        let cuts = chunk_cuts(text.as_bytes(), 7);
        assert!(cuts.len() > 2);
        for &c in &cuts[1..cuts.len() - 1] {
            // Every cut starts a record: the text before it has an even number of quotes.
            assert_eq!(
                text.as_bytes()[..c].iter().filter(|&&b| b == b'"').count() % 2,
                0
            );
            assert_eq!(text.as_bytes()[c - 1], b'\n');
        }
    }
}
