//! Guessing the delimiter and whether the first record is a header, from a
//! sample of the file.

use super::parse::{next_record, Cursor, Outcome};
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
    let mut buf = text[..text.len().min(SAMPLE_BYTES)].to_vec();
    let end = buf.len();
    let mut cur = Cursor::default();
    let mut ends = Vec::new();
    let mut out = Vec::new();
    while out.len() < max {
        let start = cur.write;
        match next_record(&mut buf, end, &mut cur, delim, &mut ends) {
            Outcome::End | Outcome::Unterminated => break,
            Outcome::Blank => {}
            Outcome::Record { .. } => {
                if cur.read == end && !whole {
                    break;
                }
                let mut s = start;
                let mut rec = Vec::with_capacity(ends.len());
                for &e in &ends {
                    rec.push(String::from_utf8_lossy(&buf[s..e]).into_owned());
                    s = e;
                }
                out.push(rec);
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
/// Each column votes: where the other records hold numbers, dates or
/// booleans, a first value of the same type says "data" and a first value of
/// text says "header" (integers and decimals count as one type, as do dates
/// with and without a time). A header is assumed when the votes tie, as most CSV
/// files have one; a first record with an empty or repeated value leans
/// towards data.
pub fn sniff_header(records: &[Vec<String>]) -> bool {
    let Some((first, rest)) = records.split_first() else {
        return true;
    };
    if rest.is_empty() {
        return true;
    }
    let mut votes = 0i32;
    for (c, head) in first.iter().enumerate() {
        let mut column = ValueType::Empty;
        for r in rest {
            if let Some(v) = r.get(c) {
                column = column.join(classify(v));
            }
        }
        if matches!(column, ValueType::Empty | ValueType::Text) {
            continue;
        }
        let own = classify(head);
        if own == ValueType::Empty || column.join(own) != ValueType::Text {
            votes -= 1;
        } else {
            votes += 1;
        }
    }
    let mut seen = std::collections::HashSet::new();
    if first
        .iter()
        .any(|h| h.trim().is_empty() || !seen.insert(h.as_str()))
    {
        votes -= 1;
    }
    votes >= 0
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
    }
}
