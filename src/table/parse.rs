//! The CSV record parser.
//!
//! It never writes to the text it reads, so a table can keep a file's text
//! as it was read, or as the kernel maps it, with no copy. A record is read
//! where it stands: its fields are separated by one delimiter byte, and each
//! is found from its end offset and the one before it. A field in quotes is
//! read in place too, its end marked [`QUOTED`]: its cell is the field
//! without its first and last byte. A table does not store the mark: a
//! field read in place begins with a quote only if it is in quotes (one that
//! does not is read as it stands, quotes and all, only when the quote comes
//! later), so its first byte says so. A field that does not read as it
//! stands (`""` inside quotes, text after a closing quote) is still found
//! where it stands, but its cell is copied, its quotes removed and `""`
//! turned into `"`, into a second buffer: its row is marked [`ESCAPED`] and
//! lists its copied cells ([`Escape`]), so that such a row costs the bytes
//! of those cells, not a copy of the whole row.
//!
//! Large inputs are cut into chunks at line ends and the chunks are parsed on
//! all cores. A cut could fall inside a quoted field that spans lines; the
//! cuts are placed where the number of quotes before them is even, and each
//! cut is verified afterwards: the chunk before it must end outside quotes.
//! When a cut proves wrong the caller parses the same text again in one
//! piece, so the result is always that of a single sequential pass.

use memchr::memchr;

/// What one call to [`next_record`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A record; `line_breaks` counts its terminator and the line breaks
    /// inside its quoted fields. `copied` says its cells are in the copy
    /// buffer rather than in the text (see the module note).
    Record { line_breaks: u64, copied: bool },
    /// An empty line, which holds no record.
    Blank,
    /// The end of the input.
    End,
    /// A quoted field was still open at the end of the input.
    Unterminated,
}

/// Marks the end of a field in quotes, read in place (see the module note).
pub(crate) const QUOTED: usize = 1 << (usize::BITS - 1);

/// Where cell `col` of a row starts and ends, given the row's field ends:
/// the field starts one byte after the one before it ends, and a field
/// marked [`QUOTED`] loses its quotes (see the module note).
#[inline]
pub(crate) fn cell_span(ends: &[usize], col: usize) -> (usize, usize) {
    let quoted = usize::from(ends[col] & QUOTED != 0);
    let start = if col == 0 {
        0
    } else {
        (ends[col - 1] & !QUOTED) + 1
    };
    (start + quoted, (ends[col] & !QUOTED) - quoted)
}

/// Parses the record at `*at` in `text` and moves `*at` past it.
///
/// On [`Outcome::Record`], `ends` holds where each field ends, relative to
/// the record's start: in `text` at the old `*at`, or, when the outcome says
/// `copied`, in `copy` (which the call cleared first). [`cell_span`] reads
/// them.
///
/// Quotes are those of RFC 4180, read leniently as spreadsheets write them: a
/// quote inside an unquoted field is an ordinary character, and text after a
/// closing quote is kept. LF, CRLF and lone CR all end a record.
pub(crate) fn next_record(
    text: &[u8],
    at: &mut usize,
    delim: u8,
    ends: &mut Vec<usize>,
    copy: &mut Vec<u8>,
) -> Outcome {
    record(text, at, delim, ends, copy, None)
}

/// [`next_record`]; with `place`, a copied record also notes where each of
/// its fields ends in the text (relative to its start), so that a table
/// can find them there.
fn record(
    text: &[u8],
    at: &mut usize,
    delim: u8,
    ends: &mut Vec<usize>,
    copy: &mut Vec<u8>,
    place: Option<&mut Vec<usize>>,
) -> Outcome {
    ends.clear();
    let end = text.len();
    let start = *at;
    let mut r = start;
    if r >= end {
        return Outcome::End;
    }
    match text[r] {
        b'\n' => {
            *at = r + 1;
            return Outcome::Blank;
        }
        b'\r' => {
            *at = if r + 1 < end && text[r + 1] == b'\n' {
                r + 2
            } else {
                r + 1
            };
            return Outcome::Blank;
        }
        _ => {}
    }
    let mut line_breaks = 0u64;
    let mut field_ends = FieldEnds::new(delim);
    loop {
        if r < end && text[r] == b'"' {
            // A field in quotes reads in place when it holds no `""` and
            // its closing quote ends it.
            let Some(i) = memchr(b'"', &text[r + 1..]) else {
                return Outcome::Unterminated;
            };
            let q = r + 1 + i;
            let after = text.get(q + 1).copied();
            if !matches!(after, None | Some(b'\n' | b'\r')) && after != Some(delim) {
                return copied_record(text, at, delim, ends, copy, place);
            }
            line_breaks += memchr::memchr_iter(b'\n', &text[r + 1..q]).count() as u64;
            r = q + 1;
            ends.push((r - start) | QUOTED);
        } else {
            r = field_ends.next(text, r);
            ends.push(r - start);
        }
        match after_field(text, r, delim) {
            After::Field(next) => r = next,
            After::Record { next, line_break } => {
                *at = next;
                return Outcome::Record {
                    line_breaks: line_breaks + line_break,
                    copied: false,
                };
            }
        }
    }
}

/// What follows a field: another field of the record, or the record's end.
enum After {
    /// The next field starts here.
    Field(usize),
    /// The next record starts at `next`; `line_break` is 1 when a line
    /// break ended this one, 0 at the end of the text.
    Record { next: usize, line_break: u64 },
}

/// Reads what ends the field that ends at `r`: a delimiter, LF, CRLF, a
/// lone CR, or the end of the text.
#[inline]
fn after_field(text: &[u8], r: usize, delim: u8) -> After {
    let Some(&b) = text.get(r) else {
        return After::Record {
            next: text.len(),
            line_break: 0,
        };
    };
    if b == delim {
        return After::Field(r + 1);
    }
    let crlf = b == b'\r' && text.get(r + 1) == Some(&b'\n');
    After::Record {
        next: r + 1 + usize::from(crlf),
        line_break: 1,
    }
}

/// Parses the record at `*at`, which has a quoted field, into `copy`;
/// with `place`, also notes where each field ends in the text (relative to
/// the record's start).
fn copied_record(
    text: &[u8],
    at: &mut usize,
    delim: u8,
    ends: &mut Vec<usize>,
    copy: &mut Vec<u8>,
    mut place: Option<&mut Vec<usize>>,
) -> Outcome {
    ends.clear();
    copy.clear();
    let end = text.len();
    let start = *at;
    let mut r = *at;
    let mut line_breaks = 0u64;
    let mut field_ends = FieldEnds::new(delim);
    loop {
        if r < end && text[r] == b'"' {
            r += 1;
            loop {
                let Some(i) = memchr(b'"', &text[r..end]) else {
                    return Outcome::Unterminated;
                };
                let q = r + i;
                line_breaks += memchr::memchr_iter(b'\n', &text[r..q]).count() as u64;
                copy.extend_from_slice(&text[r..q]);
                if q + 1 < end && text[q + 1] == b'"' {
                    copy.push(b'"');
                    r = q + 2;
                } else {
                    r = q + 1;
                    break;
                }
            }
        }
        // The unquoted field, or what follows a closing quote.
        let s = r;
        r = field_ends.next(text, r);
        copy.extend_from_slice(&text[s..r]);
        ends.push(copy.len());
        if let Some(place) = place.as_deref_mut() {
            place.push(r - start);
        }
        match after_field(text, r, delim) {
            After::Field(next) => {
                copy.push(delim);
                r = next;
            }
            After::Record { next, line_break } => {
                *at = next;
                return Outcome::Record {
                    line_breaks: line_breaks + line_break,
                    copied: true,
                };
            }
        }
    }
}

/// The cells of the record [`next_record`] just found at `start`.
pub(crate) fn record_cells<'a>(
    text: &'a [u8],
    start: usize,
    copy: &'a [u8],
    copied: bool,
    ends: &'a [usize],
) -> impl Iterator<Item = &'a [u8]> + 'a {
    let row = if copied { copy } else { &text[start..] };
    (0..ends.len()).map(move |k| {
        let (s, e) = cell_span(ends, k);
        &row[s..e]
    })
}

/// Finds the bytes that can end a field (the delimiter, LF and CR) a block
/// of 64 at a time, keeping a mask of them for the block it read last: a
/// record's short fields then cost one bit each, not a search each.
struct FieldEnds {
    /// Where the block of `mask` starts.
    base: usize,
    /// The block's delimiters, LFs and CRs that have not been passed yet,
    /// one bit per byte from `base`.
    mask: u64,
    delim: u8,
}

impl FieldEnds {
    fn new(delim: u8) -> Self {
        FieldEnds {
            // No position lies in this block: `r.wrapping_sub(base)` is r + 64.
            base: usize::MAX - 63,
            mask: 0,
            delim,
        }
    }

    /// The position of the first delimiter, LF or CR at or after `r`, or
    /// the end of `text`. `r` never moves back between calls.
    #[inline]
    fn next(&mut self, text: &[u8], r: usize) -> usize {
        let mut base = r;
        let in_block = r.wrapping_sub(self.base);
        if in_block < 64 {
            self.mask &= u64::MAX << in_block;
            if self.mask != 0 {
                return self.base + self.mask.trailing_zeros() as usize;
            }
            base = self.base + 64;
        }
        loop {
            self.base = base;
            match text.get(base..base + 64) {
                Some(block) => {
                    self.mask = classify(block.try_into().expect("64 bytes"), self.delim);
                }
                None => {
                    // The last, short block: the rest of it reads as text.
                    let rest = text.get(base..).unwrap_or_default();
                    let mut block = [0u8; 64];
                    block[..rest.len()].copy_from_slice(rest);
                    let hits = classify(&block, self.delim) & !(u64::MAX << rest.len());
                    self.mask = hits;
                    return if hits == 0 {
                        text.len()
                    } else {
                        base + hits.trailing_zeros() as usize
                    };
                }
            }
            if self.mask != 0 {
                return base + self.mask.trailing_zeros() as usize;
            }
            base += 64;
        }
    }
}

/// How far ahead of the block being read the text is asked into the cache.
/// Without it parsing waits on memory: a large file's text comes from RAM,
/// and the processor's own prefetching stops at each 4 KiB page. Measured
/// on one side of the 10M-row workload (`examples/parse_speed`): 0.94 s
/// without, 0.74 s with; any distance from 1 to 8 KiB does as well.
#[cfg(target_arch = "x86_64")]
const PREFETCH: usize = 2048;

/// Marks the delimiters, LFs and CRs of a block, one bit per byte.
#[cfg(target_arch = "x86_64")]
#[inline]
fn classify(block: &[u8; 64], delim: u8) -> u64 {
    use std::arch::x86_64::*;
    let mut mask = 0u64;
    // SAFETY: SSE2 is part of every x86-64 processor, each `part` holds the
    // 16 bytes a load reads, and the load needs no alignment.
    unsafe {
        let (d, lf, cr) = (
            _mm_set1_epi8(delim as i8),
            _mm_set1_epi8(b'\n' as i8),
            _mm_set1_epi8(b'\r' as i8),
        );
        _mm_prefetch::<_MM_HINT_T0>(block.as_ptr().wrapping_add(PREFETCH).cast());
        for (i, part) in block.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(part.as_ptr().cast());
            let hits = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, lf)),
                _mm_cmpeq_epi8(v, cr),
            );
            mask |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * i);
        }
    }
    mask
}

/// Marks the delimiters, LFs and CRs of a block, one bit per byte: what
/// [`classify`] is on other processors, and what it is tested against.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn classify_plain(block: &[u8; 64], delim: u8) -> u64 {
    block.iter().enumerate().fold(0, |mask, (i, &b)| {
        mask | u64::from(b == delim || b == b'\n' || b == b'\r') << i
    })
}

#[cfg(not(target_arch = "x86_64"))]
use classify_plain as classify;

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
    /// A record holds 2 GiB or more.
    TooLarge { line: u64 },
}

/// Marks a row start that is an index into the escaped rows
/// ([`EscapedRow`]) rather than a place in the text (see the module note).
pub(crate) const ESCAPED: u64 = 1 << 63;

/// A row with cells that cannot be read where they stand: where it starts
/// in the text, and its first [`Escape`] (its last is before the next
/// escaped row's first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EscapedRow {
    pub start: u64,
    pub first: u32,
}

/// A cell read from the copies instead of the text: its column, and where
/// its bytes are in the copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Escape {
    pub col: u32,
    pub len: u32,
    pub start: u64,
}

/// The rows one chunk of input produced. Offsets are relative to the chunk
/// start (copies and escapes to the chunk's own); lines are 0-based counts
/// of line breaks from the chunk start.
#[derive(Debug, Default)]
pub(crate) struct ChunkRows {
    /// Where each row's first cell starts.
    pub row_start: Vec<u64>,
    /// For each row, the end of each field relative to the row start
    /// (without the [`QUOTED`] mark: see the module note); zeros for wide rows.
    pub cell_end: ChunkEnds,
    /// Rows with a field ending 64 KiB or more from the row start: (row,
    /// field ends).
    pub wide: Vec<(u32, Box<[u32]>)>,
    /// Rows that start on a later line than their index predicts: (row, extra line breaks before it).
    pub line_jumps: Vec<(u32, u64)>,
    /// The rows marked [`ESCAPED`], in order.
    pub escaped_rows: Vec<EscapedRow>,
    /// Their cells that cannot be read in place, by row and column.
    pub escapes: Vec<Escape>,
    /// Those cells' bytes, unquoted, one after another.
    pub copies: Vec<u8>,
    /// Line breaks consumed.
    pub line_breaks: u64,
    /// Rows padded or cut to the column count (only with `allow_ragged`).
    pub ragged_rows: u64,
    /// The chunk ended inside a quoted field (the cut before the next chunk was wrong).
    pub ended_in_quote: bool,
    /// The first error, if parsing stopped early.
    pub error: Option<ChunkError>,
}

/// A chunk's field ends, and then the table's they are gathered into: a
/// byte each until a row of 256 bytes or more comes, then two (so that a
/// chunk takes no more memory than the table).
#[derive(Debug)]
pub(crate) enum ChunkEnds {
    /// One byte a field: every row so far is shorter than 256 bytes.
    Bytes(Vec<u8>),
    /// Two bytes a field.
    Shorts(Vec<u16>),
}

impl Default for ChunkEnds {
    fn default() -> ChunkEnds {
        ChunkEnds::Bytes(Vec::new())
    }
}

impl ChunkEnds {
    /// No ends yet, with room for `n`: a byte each if `bytes`.
    pub fn with_capacity(bytes: bool, n: usize) -> ChunkEnds {
        match bytes {
            true => ChunkEnds::Bytes(Vec::with_capacity(n)),
            false => ChunkEnds::Shorts(Vec::with_capacity(n)),
        }
    }

    /// Adds the ends of `other` (the next chunk's), widened to two bytes
    /// when either holds two.
    pub fn append(&mut self, other: &ChunkEnds) {
        if let (ChunkEnds::Bytes(v), ChunkEnds::Shorts(_)) = (&*self, other) {
            *self = ChunkEnds::Shorts(v.iter().map(|&e| u16::from(e)).collect());
        }
        match (self, other) {
            (ChunkEnds::Bytes(v), ChunkEnds::Bytes(e)) => v.extend_from_slice(e),
            (ChunkEnds::Shorts(v), ChunkEnds::Shorts(e)) => v.extend_from_slice(e),
            (ChunkEnds::Shorts(v), ChunkEnds::Bytes(e)) => {
                v.extend(e.iter().map(|&x| u16::from(x)))
            }
            (ChunkEnds::Bytes(_), ChunkEnds::Shorts(_)) => unreachable!("widened above"),
        }
    }

    fn reserve(&mut self, n: usize) {
        match self {
            ChunkEnds::Bytes(v) => v.reserve(n),
            ChunkEnds::Shorts(v) => v.reserve(n),
        }
    }

    /// Adds a row's field ends; the row is `width` bytes, less than 64 KiB.
    fn push(&mut self, ends: &[usize], width: usize) {
        if width >= 1 << 8 {
            if let ChunkEnds::Bytes(v) = self {
                *self = ChunkEnds::Shorts(v.iter().map(|&e| u16::from(e)).collect());
            }
        }
        match self {
            ChunkEnds::Bytes(v) => v.extend(ends.iter().map(|&e| e as u8)),
            ChunkEnds::Shorts(v) => v.extend(ends.iter().map(|&e| e as u16)),
        }
    }

    /// Adds `n` zeros (the entries of a wide row).
    fn push_zeros(&mut self, n: usize) {
        match self {
            ChunkEnds::Bytes(v) => v.extend(std::iter::repeat_n(0, n)),
            ChunkEnds::Shorts(v) => v.extend(std::iter::repeat_n(0, n)),
        }
    }

    /// Entry `i`.
    #[cfg(test)]
    pub fn get(&self, i: usize) -> usize {
        match self {
            ChunkEnds::Bytes(v) => v[i] as usize,
            ChunkEnds::Shorts(v) => v[i] as usize,
        }
    }
}

impl ChunkRows {
    /// Number of rows parsed.
    pub fn rows(&self) -> usize {
        self.row_start.len()
    }
}

/// Parses all records in `text` (one chunk) into rows of `ncols` cells.
///
/// `last` says whether the chunk ends the input: only then is an open quote
/// an error rather than a sign that the cut before the next chunk was wrong.
pub(crate) fn parse_chunk(
    text: &[u8],
    delim: u8,
    ncols: usize,
    allow_ragged: bool,
    last: bool,
) -> ChunkRows {
    let mut out = ChunkRows {
        row_start: Vec::with_capacity(text.len() / (ncols.max(1) * 8 + 8)),
        ..ChunkRows::default()
    };
    out.cell_end.reserve(out.row_start.capacity() * ncols);
    let mut at = 0;
    let mut ends = Vec::with_capacity(ncols + 1);
    let mut place = Vec::with_capacity(ncols + 1);
    let mut copy = Vec::new();
    let mut last_extra = 0u64;
    loop {
        let line = out.line_breaks;
        let start = at;
        place.clear();
        match record(text, &mut at, delim, &mut ends, &mut copy, Some(&mut place)) {
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
            Outcome::Record {
                line_breaks,
                copied,
            } => {
                out.line_breaks += line_breaks;
                // Where the fields end in the text (a copied record's
                // cells, unquoted, are in `copy` at `ends`).
                if !copied {
                    place.extend(ends.iter().map(|&e| e & !QUOTED));
                }
                let found = place.len();
                if found != ncols {
                    if !allow_ragged {
                        out.error = Some(ChunkError::FieldCount {
                            line,
                            expected: ncols,
                            found,
                        });
                        break;
                    }
                    out.ragged_rows += 1;
                }
                let fields = found.min(ncols);
                let width = place[fields - 1];
                // The cells that cannot be read where they stand: those
                // of a copied record that differ from their field read in
                // place, and the padding of a short one.
                let first = out.escapes.len();
                for c in 0..ncols {
                    let cell = if c >= fields {
                        &[][..]
                    } else if copied {
                        let (s, e) = cell_span(&ends, c);
                        let field = &text[start + cell_span(&place, c).0..start + place[c]];
                        let here = match field {
                            [b'"', inner @ .., _] => inner,
                            _ => field,
                        };
                        if here == &copy[s..e] {
                            continue;
                        }
                        &copy[s..e]
                    } else {
                        continue;
                    };
                    out.escapes.push(Escape {
                        col: c as u32,
                        len: cell.len() as u32,
                        start: out.copies.len() as u64,
                    });
                    out.copies.extend_from_slice(cell);
                }
                let row = out.row_start.len() as u32;
                let extra = line - row as u64;
                if extra != last_extra {
                    out.line_jumps.push((row, extra));
                    last_extra = extra;
                }
                if out.escapes.len() > first {
                    out.row_start.push(ESCAPED | out.escaped_rows.len() as u64);
                    out.escaped_rows.push(EscapedRow {
                        start: start as u64,
                        first: first as u32,
                    });
                } else {
                    out.row_start.push(start as u64);
                }
                // Padding cells end where the record does (they are read
                // from their escapes, never from the text).
                place.truncate(fields);
                place.resize(ncols, width);
                if width < 1 << 16 {
                    out.cell_end.push(&place, width);
                } else if width < 1 << 31 {
                    out.cell_end.push_zeros(ncols);
                    let wide: Box<[u32]> = place.iter().map(|&e| e as u32).collect();
                    out.wide.push((row, wide));
                } else {
                    out.error = Some(ChunkError::TooLarge { line });
                    break;
                }
            }
        }
    }
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
        let text = text.as_bytes();
        let mut at = 0;
        let mut ends = Vec::new();
        let mut copy = Vec::new();
        let mut out = Vec::new();
        loop {
            let start = at;
            match next_record(text, &mut at, delim, &mut ends, &mut copy) {
                Outcome::End => break,
                Outcome::Blank => continue,
                Outcome::Unterminated => panic!("unterminated"),
                Outcome::Record { copied, .. } => out.push(
                    record_cells(text, start, &copy, copied, &ends)
                        .map(|c| String::from_utf8(c.to_vec()).unwrap())
                        .collect(),
                ),
            }
        }
        out
    }

    /// The cells of row `row` of a chunk parsed from `text`.
    fn row_cells(text: &[u8], rows: &ChunkRows, ncols: usize, row: usize) -> Vec<String> {
        let s = rows.row_start[row];
        let (start, escapes) = match s & ESCAPED {
            0 => (s as usize, &[][..]),
            _ => {
                let i = (s & !ESCAPED) as usize;
                let last = rows
                    .escaped_rows
                    .get(i + 1)
                    .map_or(rows.escapes.len(), |r| r.first as usize);
                let r = rows.escaped_rows[i];
                (r.start as usize, &rows.escapes[r.first as usize..last])
            }
        };
        let ends: Vec<usize> = (row * ncols..(row + 1) * ncols)
            .map(|i| rows.cell_end.get(i))
            .collect();
        (0..ncols)
            .map(|k| {
                let cell = match escapes.iter().find(|e| e.col as usize == k) {
                    Some(e) => &rows.copies[e.start as usize..][..e.len as usize],
                    None => {
                        let (s, e) = cell_span(&ends, k);
                        match &text[start + s..start + e] {
                            [b'"', inner @ .., _] => inner,
                            field => field,
                        }
                    }
                };
                String::from_utf8(cell.to_vec()).unwrap()
            })
            .collect()
    }

    #[test]
    fn fields_in_quotes_are_read_in_place_and_only_escaped_ones_copied() {
        let text = b"a,\"b,\nc\"\n\"x\"\"y\",z\n\"\",\"d\"e\nf,\"g\"";
        let rows = parse_chunk(text, b',', 2, false, true);
        assert_eq!(rows.error, None);
        let all: Vec<Vec<String>> = (0..4).map(|r| row_cells(text, &rows, 2, r)).collect();
        assert_eq!(all, [["a", "b,\nc"], ["x\"y", "z"], ["", "de"], ["f", "g"]]);
        // Quoted fields without `""` or trailing text are read in place.
        assert_eq!(rows.row_start[0], 0);
        assert_eq!(rows.row_start[3], 26);
        assert_eq!(rows.cell_end.get(1), 8);
        // Only the cells with `""` or text after a closing quote are
        // copied, unquoted; their rows are still found in the text.
        assert_eq!(rows.row_start[1], ESCAPED);
        assert_eq!(rows.row_start[2], ESCAPED | 1);
        assert_eq!(
            rows.escaped_rows[1],
            EscapedRow {
                start: 18,
                first: 1
            }
        );
        assert_eq!(rows.copies, b"x\"yde");
        assert_eq!(
            rows.escapes[1],
            Escape {
                col: 1,
                len: 2,
                start: 3
            }
        );
        assert_eq!(rows.line_breaks, 4);
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
        let rows = parse_chunk(b"1,2\n3\n", b',', 2, false, true);
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
        let text = b"1,2\n3\n4,5,6\n7,8\n\"9\"";
        let rows = parse_chunk(text, b',', 2, true, true);
        assert_eq!(rows.error, None);
        assert_eq!(rows.rows(), 5);
        assert_eq!(rows.ragged_rows, 3);
        let all: Vec<Vec<String>> = (0..5).map(|r| row_cells(text, &rows, 2, r)).collect();
        assert_eq!(
            all,
            [["1", "2"], ["3", ""], ["4", "5"], ["7", "8"], ["9", ""]]
        );
        // The padded rows have their padding copied (empty); the cut one
        // is read in place.
        assert_eq!(rows.row_start[2], 6);
        assert!(rows.row_start[1] & ESCAPED != 0 && rows.row_start[4] & ESCAPED != 0);
        assert!(rows.copies.is_empty());
    }

    #[test]
    fn chunk_tracks_lines_of_multiline_records() {
        let rows = parse_chunk(b"a,\"x\ny\"\n\nb,c\n", b',', 2, false, true);
        assert_eq!(rows.rows(), 2);
        // Row 1 starts on line 3 (0-based): two extra line breaks before it.
        assert_eq!(rows.line_jumps, vec![(1, 2)]);
        assert_eq!(rows.line_breaks, 4);
    }

    #[test]
    fn unterminated_quote_is_an_error_only_in_the_last_chunk() {
        let text = b"a,b\n\"open,c\n";
        let rows = parse_chunk(text, b',', 2, false, true);
        assert_eq!(rows.error, Some(ChunkError::Unterminated { line: 1 }));
        let rows = parse_chunk(text, b',', 2, false, false);
        assert!(rows.ended_in_quote && rows.error.is_none());
    }

    #[test]
    fn wide_rows_keep_u32_ends() {
        let big = "x".repeat(70_000);
        let text = format!("{big},\"y\"\n1,2\n").into_bytes();
        let rows = parse_chunk(&text, b',', 2, false, true);
        assert_eq!(rows.wide.len(), 1);
        assert_eq!(&*rows.wide[0].1, &[70_000, 70_004]);
        assert!(matches!(&rows.cell_end, ChunkEnds::Bytes(e) if e[2..] == [1, 3]));
    }

    #[test]
    fn blocks_are_classified_as_a_plain_loop_does() {
        // Every byte value at every position, around delimiters and line ends.
        for delim in [b',', b';', b'\t', 0xE9] {
            for b in 0..=255u8 {
                let mut block = [b; 64];
                for (i, x) in block.iter_mut().enumerate().step_by(7) {
                    *x = [delim, b'\n', b'\r', b'"', b'a'][i % 5];
                }
                assert_eq!(
                    classify(&block, delim),
                    classify_plain(&block, delim),
                    "byte {b}"
                );
            }
        }
    }

    #[test]
    fn field_end_search_matches_a_plain_scan() {
        // Three blocks and a short one, with fields across block edges.
        let mut text = b"abcdefghij,klmnopqrstuvwxyz\r\n0123456789abcdef|x\xC3\xA9\xFF;".to_vec();
        text.extend_from_slice(&[b'q'; 90]);
        text.extend_from_slice(b",a,,b\n\r;|\tlast");
        let plain = |delim: u8, from: usize| {
            (from..text.len())
                .find(|&i| text[i] == delim || text[i] == b'\n' || text[i] == b'\r')
                .unwrap_or(text.len())
        };
        for delim in [b',', b';', b'|', b'\t'] {
            for start in 0..=text.len() {
                assert_eq!(
                    FieldEnds::new(delim).next(&text, start),
                    plain(delim, start)
                );
            }
            // One scanner moving on field by field, or jumping further ahead
            // (as past a quoted field).
            for jump in 1..70 {
                let mut ends = FieldEnds::new(delim);
                let mut r = 0;
                while r <= text.len() {
                    let found = ends.next(&text, r);
                    assert_eq!(found, plain(delim, r), "delim {delim} jump {jump} from {r}");
                    r = found + jump;
                }
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
