//! Detecting a file's text encoding and turning its bytes into UTF-8.
//!
//! The parser works on UTF-8 only, so everything else is decoded up front:
//! UTF-16 (with a byte-order mark, or recognised by its zero bytes, as Excel's
//! "Unicode Text" export is), and Windows-1252 for bytes that are not valid
//! UTF-8 (the usual legacy export on Windows).

use crate::array::Array;
use crate::error::{Error, Result};

/// The text encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Encoding {
    /// UTF-8 without a byte-order mark (plain ASCII is reported as this).
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-8 that starts with the byte-order mark EF BB BF.
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// UTF-16 little-endian.
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16 big-endian.
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// Windows-1252, the Western European code page.
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl Encoding {
    /// Every encoding Concord reads, in the order they are listed to users.
    pub const ALL: [Encoding; 5] = [
        Encoding::Utf8,
        Encoding::Utf8Bom,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
        Encoding::Windows1252,
    ];

    /// The name used in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// Parses a name given by the user (`utf-8`, `utf16le`, `cp1252`, `latin1`, ...).
    pub fn from_name(name: &str) -> Option<Encoding> {
        let n: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match n.as_str() {
            "utf8" => Encoding::Utf8,
            "utf8bom" | "utf8sig" => Encoding::Utf8Bom,
            "utf16" | "utf16le" => Encoding::Utf16Le,
            "utf16be" => Encoding::Utf16Be,
            "windows1252" | "cp1252" | "latin1" | "iso88591" => Encoding::Windows1252,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// UTF-8 text ready for parsing: the buffer and where the text starts in it
/// (after a byte-order mark, which is skipped rather than shifted out).
pub struct Decoded {
    /// Valid UTF-8 from `start` on: the raw bytes themselves (read or
    /// mapped) when they were UTF-8 already.
    pub bytes: Array<u8>,
    /// Offset of the first byte of text.
    pub start: usize,
    /// The encoding the bytes were in.
    pub encoding: Encoding,
    /// What the user should know about the decoding (replaced bytes).
    pub warnings: Vec<String>,
}

/// Detects the encoding of `raw` (unless `forced`) and returns UTF-8.
///
/// Valid UTF-8 is kept in place with no copy; other encodings are decoded
/// into a new buffer and the raw one is dropped.
pub fn decode(raw: Array<u8>, path: &str, forced: Option<Encoding>) -> Result<Decoded> {
    let encoding = match forced {
        Some(e) => e,
        None => detect(&raw, path)?,
    };
    // Detection says UTF-8 only of text it has found valid.
    let validated = forced.is_none() && encoding == Encoding::Utf8;
    if forced.is_none() && encoding == Encoding::Windows1252 {
        // A UTF-8 file with a few damaged bytes reads far better as UTF-8
        // with those bytes replaced than as Windows-1252 throughout.
        if let Some(invalid) = mostly_utf8(&raw) {
            return Ok(Decoded {
                bytes: String::from_utf8_lossy(&raw)
                    .into_owned()
                    .into_bytes()
                    .into(),
                start: 0,
                encoding: Encoding::Utf8,
                warnings: vec![format!(
                    "{invalid} byte sequences are not valid UTF-8 and were replaced with \u{FFFD}; \
                     if the file is in Windows-1252, read it with that encoding instead"
                )],
            });
        }
    }
    match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            let start = if raw.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            let encoding = if start == 3 {
                Encoding::Utf8Bom
            } else {
                Encoding::Utf8
            };
            let bad = if validated {
                None
            } else {
                first_invalid_utf8(&raw[start..])
            };
            if let Some(bad) = bad {
                // A byte-order mark says UTF-8 (Excel's "CSV UTF-8" writes
                // one): damaged bytes are replaced, as in a file without it.
                if forced.is_none() && start == 3 {
                    let invalid = utf8_damage(&raw[3..]).1;
                    return Ok(Decoded {
                        bytes: String::from_utf8_lossy(&raw[3..]).into_owned().into_bytes().into(),
                        start: 0,
                        encoding: Encoding::Utf8Bom,
                        warnings: vec![format!(
                            "{invalid} byte sequences are not valid UTF-8 and were replaced with \u{FFFD}"
                        )],
                    });
                }
                return Err(Error::NotText {
                    path: path.to_string(),
                    detail: format!("byte {} is not valid UTF-8", start + bad),
                });
            }
            Ok(Decoded {
                bytes: raw,
                start,
                encoding,
                warnings: Vec::new(),
            })
        }
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let (enc, bom): (&'static encoding_rs::Encoding, &[u8]) =
                if encoding == Encoding::Utf16Le {
                    (encoding_rs::UTF_16LE, b"\xFF\xFE")
                } else {
                    (encoding_rs::UTF_16BE, b"\xFE\xFF")
                };
            let body = raw.strip_prefix(bom).unwrap_or(&raw);
            let (text, _) = enc.decode_without_bom_handling(body);
            Ok(Decoded {
                bytes: text.into_owned().into_bytes().into(),
                start: 0,
                encoding,
                warnings: Vec::new(),
            })
        }
        Encoding::Windows1252 => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&raw);
            Ok(Decoded {
                bytes: text.into_owned().into_bytes().into(),
                start: 0,
                encoding,
                warnings: Vec::new(),
            })
        }
    }
}

/// Binary files Concord does not read, told by their first bytes (when
/// they are not text), and what the refusal says of them.
const NOT_READ: &[(&[u8], &str)] = &[
    (
        b"ORC",
        "it is an ORC file, which Concord does not read; write it as Parquet or CSV",
    ),
    (
        b"Obj\x01",
        "it is an Avro file, which Concord does not read; write it as Parquet or CSV",
    ),
    (
        b"SQLite format 3\0",
        "it is an SQLite database, not a table; export the table as CSV",
    ),
];

/// Guesses the encoding of `raw` from its byte-order mark, its zero bytes and
/// whether it is valid UTF-8.
fn detect(raw: &[u8], path: &str) -> Result<Encoding> {
    if raw.starts_with(b"\xEF\xBB\xBF") {
        return Ok(Encoding::Utf8Bom);
    }
    if raw.starts_with(b"\xFF\xFE\x00\x00") || raw.starts_with(b"\x00\x00\xFE\xFF") {
        return Err(not_text(
            path,
            "it is UTF-32, which Concord does not read; save it as UTF-8",
        ));
    }
    if raw.starts_with(b"\xFF\xFE") {
        return Ok(Encoding::Utf16Le);
    }
    if raw.starts_with(b"\xFE\xFF") {
        return Ok(Encoding::Utf16Be);
    }
    if raw.starts_with(b"PK\x03\x04") {
        return Err(not_text(
            path,
            "it is a ZIP archive, not a workbook Concord recognises; unpack it first",
        ));
    }
    let sample = &raw[..raw.len().min(64 * 1024)];
    if let Some(utf16) = utf16_without_bom(sample) {
        return Ok(utf16);
    }
    let scan = scan(raw);
    if let Some(pos) = scan.nul {
        let why = match NOT_READ.iter().find(|(magic, _)| raw.starts_with(magic)) {
            Some((_, why)) => why.to_string(),
            None => format!("byte {pos} is a NUL byte, so this looks like a binary file"),
        };
        return Err(not_text(path, &why));
    }
    if scan.invalid.is_none() {
        Ok(Encoding::Utf8)
    } else {
        Ok(Encoding::Windows1252)
    }
}

/// The offset of the first byte that is not valid UTF-8, if any.
fn first_invalid_utf8(bytes: &[u8]) -> Option<usize> {
    use rayon::prelude::*;
    utf8_pieces(bytes)
        .par_windows(2)
        .find_map_first(|w| invalid_in(bytes, w[0], w[1]))
}

/// The offset of the first byte of `bytes[from..to]` that is not valid
/// UTF-8, if any, counted from the start of `bytes`.
fn invalid_in(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    simdutf8::compat::from_utf8(&bytes[from..to])
        .err()
        .map(|e| from + e.valid_up_to())
}

/// What one pass over a file's bytes found.
struct Scan {
    /// The offset of the first NUL byte.
    nul: Option<usize>,
    /// The offset of the first byte that is not valid UTF-8.
    invalid: Option<usize>,
}

/// Looks for NUL bytes and invalid UTF-8 in one pass, piece by piece, so
/// each piece is read from memory once for both checks.
fn scan(bytes: &[u8]) -> Scan {
    use rayon::prelude::*;
    let (nul, invalid) = utf8_pieces(bytes)
        .par_windows(2)
        .map(|w| {
            let nul = memchr::memchr(0, &bytes[w[0]..w[1]]).map(|i| w[0] + i);
            (nul, invalid_in(bytes, w[0], w[1]))
        })
        // Pieces combine in order, so the earlier piece's find wins.
        .reduce(|| (None, None), |a, b| (a.0.or(b.0), a.1.or(b.1)));
    Scan { nul, invalid }
}

/// Cuts `bytes` into pieces of about a megabyte for checking on all cores,
/// each starting at a character boundary (a byte that is not a UTF-8
/// continuation byte). A piece this size stays in a core's cache between
/// the checks that read it.
fn utf8_pieces(bytes: &[u8]) -> Vec<usize> {
    const PIECE: usize = 1 << 20;
    let mut cuts = vec![0];
    let mut at = PIECE;
    while at < bytes.len() {
        let mut c = at;
        // At most three continuation bytes follow a leading byte.
        while c < bytes.len() && c < at + 4 && bytes[c] & 0xC0 == 0x80 {
            c += 1;
        }
        cuts.push(c);
        at = c + PIECE;
    }
    cuts.push(bytes.len());
    cuts
}

/// For bytes that are not valid UTF-8: the number of invalid sequences, if
/// the rest holds at least as many well-formed multi-byte UTF-8 characters
/// (so the file is UTF-8 with some damage, not another encoding).
///
/// Windows-1252 text almost never holds a well-formed multi-byte sequence
/// (it would take an accented capital followed by a symbol such as `©`),
/// while UTF-8 text with accents holds one per accent. So one good sequence
/// per bad one already says UTF-8, even in a small file with a single
/// damaged byte; a file of plain ASCII with a stray `é` byte stays
/// Windows-1252.
fn mostly_utf8(raw: &[u8]) -> Option<usize> {
    let (multibyte, invalid) = utf8_damage(raw);
    (multibyte > 0 && multibyte >= invalid).then_some(invalid)
}

/// Counts the well-formed multi-byte characters and the invalid sequences
/// of bytes that are meant as UTF-8 (stopping after 10,000 invalid ones).
fn utf8_damage(raw: &[u8]) -> (usize, usize) {
    let mut rest = raw;
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    let lead_bytes = |b: &[u8]| b.iter().filter(|&&c| c >= 0xC0).count();
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                multibyte += lead_bytes(s.as_bytes());
                break;
            }
            Err(e) => {
                multibyte += lead_bytes(&rest[..e.valid_up_to()]);
                invalid += 1;
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[e.valid_up_to() + skip..];
                if invalid > 10_000 {
                    break;
                }
            }
        }
    }
    (multibyte, invalid)
}

/// Recognises UTF-16 text without a byte-order mark: mostly-ASCII text in
/// UTF-16 has a zero in every other byte.
fn utf16_without_bom(sample: &[u8]) -> Option<Encoding> {
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let zeros_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    let mostly = |n: usize| n * 10 >= pairs * 7;
    let rarely = |n: usize| n * 10 <= pairs;
    if mostly(zeros_odd) && rarely(zeros_even) {
        Some(Encoding::Utf16Le)
    } else if mostly(zeros_even) && rarely(zeros_odd) {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

fn not_text(path: &str, detail: &str) -> Error {
    Error::NotText {
        path: path.to_string(),
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn plain_utf8_is_kept_in_place() {
        let d = decode(b"a,b\n1,2\n".to_vec().into(), "x.csv", None).unwrap();
        assert_eq!(d.encoding, Encoding::Utf8);
        assert_eq!(d.start, 0);
        assert_eq!(&d.bytes[..], b"a,b\n1,2\n");
    }

    #[test]
    fn utf8_bom_is_skipped() {
        let d = decode(b"\xEF\xBB\xBFa,b\n".to_vec().into(), "x.csv", None).unwrap();
        assert_eq!(d.encoding, Encoding::Utf8Bom);
        assert_eq!(&d.bytes[d.start..], b"a,b\n");
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "name\tcity\nZoë\tMünchen\n";
        for bom in [true, false] {
            let d = decode(utf16le(text, bom).into(), "x.txt", None).unwrap();
            assert_eq!(d.encoding, Encoding::Utf16Le, "bom={bom}");
            assert_eq!(std::str::from_utf8(&d.bytes[d.start..]).unwrap(), text);
        }
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        let d = decode(be.into(), "x.txt", None).unwrap();
        assert_eq!(d.encoding, Encoding::Utf16Be);
        assert_eq!(std::str::from_utf8(&d.bytes).unwrap(), text);
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        let d = decode(b"name\nCaf\xE9 \x80\n".to_vec().into(), "x.csv", None).unwrap();
        assert_eq!(d.encoding, Encoding::Windows1252);
        assert_eq!(std::str::from_utf8(&d.bytes).unwrap(), "name\nCafé €\n");
    }

    #[test]
    fn utf8_with_a_few_damaged_bytes_stays_utf8() {
        let mut text = "name\n".to_string();
        for _ in 0..20 {
            text.push_str("Zoë Müller, São Paulo\n");
        }
        let mut raw = text.into_bytes();
        raw.extend_from_slice(b"bad \xFF byte\n");
        let d = decode(raw.into(), "x.csv", None).unwrap();
        assert_eq!(d.encoding, Encoding::Utf8);
        let s = String::from_utf8(d.bytes.to_vec()).unwrap();
        assert!(s.contains("São Paulo") && s.contains("bad \u{FFFD} byte"));
        assert!(
            d.warnings[0].contains("1 byte sequences"),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn small_utf8_with_one_damaged_byte_stays_utf8() {
        let d = decode(
            b"name\nJos\xC3\xA9\nRen\xC3\xA9e \xFF\n".to_vec().into(),
            "x.csv",
            None,
        )
        .unwrap();
        assert_eq!(d.encoding, Encoding::Utf8);
        assert_eq!(
            std::str::from_utf8(&d.bytes).unwrap(),
            "name\nJosé\nRenée \u{FFFD}\n"
        );
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn a_bom_says_utf8_even_with_a_damaged_byte() {
        let d = decode(
            b"\xEF\xBB\xBFname\nJos\xC3\xA9 \xFF\n".to_vec().into(),
            "x.csv",
            None,
        )
        .unwrap();
        assert_eq!(d.encoding, Encoding::Utf8Bom);
        assert_eq!(
            std::str::from_utf8(&d.bytes[d.start..]).unwrap(),
            "name\nJosé \u{FFFD}\n"
        );
        assert!(d.warnings[0].starts_with("1 byte"), "{:?}", d.warnings);
    }

    #[test]
    fn binary_and_zip_files_are_refused_with_a_reason() {
        let e = decode(b"PK\x03\x04rest".to_vec().into(), "data.zip", None)
            .err()
            .unwrap();
        assert!(
            e.to_string().contains("data.zip")
                && e.to_string().contains("ZIP archive, not a workbook"),
            "{e}"
        );
        let e = decode(b"abc\x00def,ghi,jkl,mno".to_vec().into(), "x.bin", None)
            .err()
            .unwrap();
        assert!(e.to_string().contains("NUL byte"), "{e}");
    }

    #[test]
    fn one_pass_finds_the_first_nul_and_invalid_byte_across_pieces() {
        // Three pieces of a megabyte: damage in the first and last, NULs in
        // the second and third.
        let mut raw = vec![b'a'; 3 << 20];
        raw[100] = 0xFF;
        raw[(1 << 20) + 7] = 0;
        raw[(2 << 20) + 9] = 0;
        raw[(2 << 20) + 20] = 0xFF;
        let found = scan(&raw);
        assert_eq!(found.nul, Some((1 << 20) + 7));
        assert_eq!(found.invalid, Some(100));
        let e = decode(raw.into(), "x.bin", None).err().unwrap();
        assert!(
            e.to_string()
                .contains(&format!("byte {} is a NUL", (1 << 20) + 7)),
            "{e}"
        );
    }

    #[test]
    fn forced_utf8_reports_the_bad_byte() {
        let e = decode(b"ab\xE9".to_vec().into(), "x.csv", Some(Encoding::Utf8))
            .err()
            .unwrap();
        assert!(e.to_string().contains("byte 2"), "{e}");
    }

    #[test]
    fn encoding_names_parse() {
        assert_eq!(Encoding::from_name("UTF-16LE"), Some(Encoding::Utf16Le));
        assert_eq!(Encoding::from_name("cp1252"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::from_name("ebcdic"), None);
    }
}
