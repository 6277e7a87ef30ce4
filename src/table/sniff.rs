//! Guessing the delimiter, whether the first record is a header, and
//! whether title lines stand above it, from a sample of the file.

use super::parse::{next_record, record_cells, Outcome};
use crate::values::{classify, ValueType};

/// Delimiters Concord recognises, in order of preference when the sample is
/// equally consistent with several.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How much of the file the sniffer reads.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// How many records of the sample are looked at.
const SAMPLE_RECORDS: usize = 200;

/// Reads up to `max` whole records from the start of `text`, split on `delim`.
///
/// A record cut off by the end of the sample is left out unless the sample is
/// the whole text.
pub fn sample_records(text: &[u8], delim: u8, max: usize) -> Vec<Vec<String>> {
    let whole = text.len() <= SAMPLE_BYTES;
    let sample = &text[..text.len().min(SAMPLE_BYTES)];
    let (mut at, mut ends, mut copy) = (0, Vec::new(), Vec::new());
    let mut out = Vec::new();
    while out.len() < max {
        let start = at;
        match next_record(sample, &mut at, delim, &mut ends, &mut copy) {
            Outcome::End | Outcome::Unterminated => break,
            Outcome::Blank => {}
            Outcome::Record { copied, .. } => {
                if at == sample.len() && !whole {
                    break;
                }
                out.push(
                    record_cells(sample, start, &copy, copied, &ends)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect(),
                );
            }
        }
    }
    out
}

/// Picks the delimiter that splits the sample's records into the same number
/// of fields most consistently, preferring more fields, then the order of
/// [`DELIMITERS`]. A text with one column gets `,`.
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut best = (b',', 0.0f64, 1usize);
    for &d in &DELIMITERS {
        let recs = sample_records(text, d, SAMPLE_RECORDS);
        if recs.is_empty() {
            continue;
        }
        let mut counts = std::collections::HashMap::new();
        for r in &recs {
            *counts.entry(r.len()).or_insert(0usize) += 1;
        }
        let (&fields, &n) = counts
            .iter()
            .max_by_key(|(&f, &n)| (n, f))
            .expect("non-empty sample");
        if fields < 2 {
            continue;
        }
        let consistency = n as f64 / recs.len() as f64;
        let better = consistency > best.1 + 1e-9
            || ((consistency - best.1).abs() <= 1e-9 && fields > best.2);
        if better {
            best = (d, consistency, fields);
        }
    }
    best.0
}

/// Decides whether the first sampled record is a header.
///
/// One rule decides first: a column whose other records hold numbers or
/// dates, under a first value that is text, says "header"
/// (integers and decimals count as one type, as do dates with and without a
/// time). So headers made of years (`id,name,2022,2023`) and a pandas index
/// with a blank first name (`,name,amount`) are headers: one text name over
/// typed data is enough. Failing that, a typed column (booleans included)
/// whose first value has the column's type says "data". A file whose columns are all text is
/// taken to have a header, as most CSV files do, unless its first record
/// has an empty or repeated value.
pub fn sniff_header(records: &[Vec<String>]) -> bool {
    let Some((first, rest)) = records.split_first() else {
        return true;
    };
    if rest.is_empty() {
        return true;
    }
    let mut typed_first_value = false;
    for (c, head) in first.iter().enumerate() {
        let mut column = ValueType::Empty;
        for r in rest {
            if let Some(v) = r.get(c) {
                column = column.join(sniff_type(v));
            }
        }
        if matches!(column, ValueType::Empty | ValueType::Text) {
            continue;
        }
        let own = sniff_type(head);
        if own == ValueType::Empty {
            continue;
        }
        let fits = column.join(own) != ValueType::Text;
        // Booleans do not decide: `y`, `n`, `t` and `f` are too easily a name.
        if !fits && column != ValueType::Boolean {
            return true;
        }
        typed_first_value |= fits;
    }
    if typed_first_value {
        return false;
    }
    let mut seen = std::collections::HashSet::new();
    !first
        .iter()
        .any(|h| h.trim().is_empty() || !seen.insert(h.as_str()))
}

/// A value's type for header detection: like [`classify`], except that a
/// code with leading zeros (`0042`) counts as an integer (it is data, not a
/// name) and the common spellings of "no value" count as empty.
fn sniff_type(v: &str) -> ValueType {
    let t = v.trim();
    // The sniffer cannot know a file's own null tokens: it takes the common
    // spellings as empty.
    if crate::values::is_null_spelling(t) {
        return ValueType::Empty;
    }
    match classify(v) {
        ValueType::Text
            if crate::values::is_code(v) && crate::values::parse_number(v).is_some() =>
        {
            ValueType::Integer
        }
        other => other,
    }
}

/// Moves `start` past `n` lines (LF, CRLF or a lone CR each end one), or
/// to the end; the lines passed.
pub fn skip_lines(bytes: &[u8], start: &mut usize, n: usize) -> u64 {
    let mut passed = 0;
    while passed < n && *start < bytes.len() {
        match memchr::memchr2(b'\n', b'\r', &bytes[*start..]) {
            Some(i) => {
                let at = *start + i;
                *start =
                    at + 1 + usize::from(bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n'));
            }
            None => *start = bytes.len(),
        }
        passed += 1;
    }
    passed as u64
}

/// How many title lines look to stand above the header: none, when more
/// than this many.
const MAX_TITLE_LINES: usize = 10;

/// How many lines at the top of `text` look like a title above the header
/// (a report's name, an export date, a blank line), as spreadsheets and
/// reporting tools write them: the smallest `k` such that the records
/// after the first `k` lines all have the same number of fields, two or
/// more (and there are at least two of them), while each of the first `k`
/// lines has fewer. Offered to the user (to skip), never applied unasked:
/// a file may mean its short first rows.
pub fn title_lines(text: &[u8], delim: u8) -> Option<u64> {
    let sample = &text[..text.len().min(SAMPLE_BYTES)];
    for k in 1..=MAX_TITLE_LINES {
        let mut start = 0;
        if skip_lines(sample, &mut start, k) < k as u64 || start >= sample.len() {
            return None;
        }
        let below = sample_records(&text[start..], delim, 20);
        let width = below.first()?.len();
        if width < 2 || below.len() < 2 || below.iter().any(|r| r.len() != width) {
            continue;
        }
        if sample_records(&sample[..start], delim, k)
            .iter()
            .all(|r| r.len() < width)
        {
            return Some(k as u64);
        }
    }
    None
}

/// Excel writes `sep=;` (any delimiter) as the first line of some CSV
/// files to say which delimiter follows. Returns that delimiter and the
/// length of the line with its line break, when `text` starts with one.
pub fn excel_sep_line(text: &[u8]) -> Option<(u8, usize)> {
    let head = text.get(..4)?;
    if !head.eq_ignore_ascii_case(b"sep=") {
        return None;
    }
    let delim = *text.get(4)?;
    if delim == b'\r' || delim == b'\n' || delim == b'"' {
        return None;
    }
    let len = match &text[5..] {
        [b'\r', b'\n', ..] => 7,
        [b'\r' | b'\n', ..] => 6,
        [] => 5,
        _ => return None,
    };
    Some((delim, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_delimiter() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n"), b'|');
        assert_eq!(sniff_delimiter(b"just one column\nx\n"), b',');
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        let text = b"name;note\n\"Smith, J\";\"a, b, c\"\n\"Doe, K\";\"d, e\"\n";
        assert_eq!(sniff_delimiter(text), b';');
    }

    #[test]
    fn header_detection_votes_by_column_type() {
        let recs = |rows: &[&[&str]]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect()
        };
        assert!(sniff_header(&recs(&[
            &["id", "amount"],
            &["1", "2.5"],
            &["2", "3"]
        ])));
        assert!(!sniff_header(&recs(&[
            &["1", "2.5"],
            &["2", "3"],
            &["3", "4"]
        ])));
        // All-text tables are taken to have a header.
        assert!(sniff_header(&recs(&[&["a", "b"], &["c", "d"]])));
        assert!(!sniff_header(&recs(&[
            &["x", "", "2024-01-01"],
            &["y", "z", "2024-01-02"]
        ])));
        // One text name over typed data wins over columns that look alike.
        assert!(sniff_header(&recs(&[
            &["id", "name", "2022", "2023", "2024"],
            &["1", "alice", "10", "20", "30"],
            &["2", "bob", "11", "21", "31"]
        ])));
        assert!(sniff_header(&recs(&[
            &["", "name", "amount"],
            &["0", "a", "1.5"],
            &["1", "b", "2"]
        ])));
        assert!(!sniff_header(&recs(&[
            &["1", "alice", "10"],
            &["2", "bob", "11"]
        ])));
        // A name over booleans is a header; codes and nulls in the first
        // row of a headerless file are data.
        assert!(sniff_header(&recs(&[
            &["name", "active"],
            &["alice", "true"],
            &["bob", "false"]
        ])));
        assert!(!sniff_header(&recs(&[
            &["0042", "alice", "10", "20"],
            &["1234", "bob", "11", "21"]
        ])));
        assert!(!sniff_header(&recs(&[
            &["1", "alice", "NULL", "10", "20"],
            &["2", "bob", "3.5", "11", "21"]
        ])));
    }

    #[test]
    fn excel_sep_lines() {
        assert_eq!(excel_sep_line(b"sep=;\na;b\n"), Some((b';', 6)));
        assert_eq!(excel_sep_line(b"SEP=|\r\na|b\n"), Some((b'|', 7)));
        assert_eq!(excel_sep_line(b"sep=\t\n"), Some((b'\t', 6)));
        assert_eq!(excel_sep_line(b"sep,x\n1,2\n"), None);
        assert_eq!(excel_sep_line(b"sep=;;\n"), None);
    }

    #[test]
    fn title_lines_above_a_header() {
        let report =
            b"Sales report Q3\nExported 2026-10-01 by finance\n\nid,name,amount\n1,a,10\n2,b,20\n";
        // The blank line below the title is skipped as any blank line is.
        assert_eq!(title_lines(report, b','), Some(2));
        assert_eq!(
            title_lines(b"Report, Q3\nid,name,amount\n1,a,10\n2,b,20\n", b','),
            Some(1)
        );
        assert_eq!(title_lines(b"\r\nid;name\r\n1;a\r\n2;b\r\n", b';'), Some(1));
        // A plain file, a file whose rows are ragged throughout, and a
        // short row that is data, not a title, get none.
        assert_eq!(title_lines(b"id,name\n1,a\n2,b\n", b','), None);
        assert_eq!(title_lines(b"a\nb,c\nd\ne,f,g\n", b','), None);
        assert_eq!(title_lines(b"id,name,amount\n1,a\n2,b,3\n", b','), None);
    }
}
