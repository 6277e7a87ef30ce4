//! Exports compared byte for byte: what tests of plans that must give the
//! same result as comparing whole tables in memory check.

use concord::export::{self, Format, Report};
use concord::{Control, Error};
use std::path::Path;

/// Each format with the bytes of its export.
pub type Exports = Vec<(Format, Vec<u8>)>;

/// The bytes of every export of `report`.
pub fn every_export(report: Report<'_>) -> Result<Exports, Error> {
    let mut out = Vec::new();
    for format in Format::ALL {
        let mut bytes = Vec::new();
        export::write(report, format, &mut bytes, Control::default())?;
        if format == Format::Xlsx {
            bytes = workbook_parts(&bytes);
        }
        out.push((format, bytes));
    }
    Ok(out)
}

/// Every part of a workbook but the one that holds its creation time, each
/// named and unzipped, so that two workbooks of the same cells compare
/// equal.
fn workbook_parts(book: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut names: Vec<String> = zip.file_names().map(String::from).collect();
    names.sort();
    let mut out = Vec::new();
    for name in names.iter().filter(|n| *n != "docProps/core.xml") {
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
        std::io::copy(&mut zip.by_name(name).unwrap(), &mut out).unwrap();
    }
    assert!(
        names.iter().any(|n| n.starts_with("xl/worksheets/")),
        "{names:?}"
    );
    out
}

/// Panics, showing where, unless `other` exports what `whole` does.
pub fn same_exports(left: &Path, right: &Path, whole: &Exports, other: &Exports, how: &str) {
    for ((format, a), (_, b)) in whole.iter().zip(other) {
        if a != b {
            let at = a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count();
            let around = |s: &[u8]| {
                String::from_utf8_lossy(&s[at.saturating_sub(200)..(at + 200).min(s.len())])
                    .into_owned()
            };
            panic!(
                "{} vs {} differ as {} at byte {at}:\n--- in memory\n{}\n--- {how}\n{}",
                left.display(),
                right.display(),
                format.name(),
                around(a),
                around(b)
            );
        }
    }
}
