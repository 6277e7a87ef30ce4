//! The CSV reader: delimited text in any of the encodings Concord detects
//! (see [`super::load`] for reading a whole file and [`super::pieces`] for
//! reading one in pieces). It reads what no other reader recognises, and
//! refuses what is not text. And writing a table as CSV, whatever it was
//! read from.

use super::formats::InputFormat;
use super::pieces::CsvPieces;
use super::source::{Input, ReadPieces, Reader};
use super::{LoadOptions, Table};
use crate::error::Result;
use crate::progress::Control;
use std::path::Path;

/// CSV's format name, which tables it reads record.
pub const NAME: &str = "csv";

/// Reads CSV, TSV and other delimited text.
pub struct Csv;

/// CSV's description in the list of formats.
static CSV: InputFormat = InputFormat {
    name: NAME,
    label: "CSV and text files",
    extensions: &["csv", "tsv", "txt", "psv", "tab"],
    mime_types: &["text/csv", "text/tab-separated-values", "text/plain"],
    place: "line",
    options: &["delimiter", "encoding", "header", "skip", "allow_ragged"],
};

impl Reader for Csv {
    fn format(&self) -> &'static InputFormat {
        &CSV
    }

    fn load(&self, input: Input<'_>, opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
        super::load::read(input, opts, ctl)
    }

    fn pieces<'c>(
        &self,
        path: &Path,
        opts: &LoadOptions,
        piece_bytes: usize,
        ctl: Control<'c>,
    ) -> Result<Box<dyn ReadPieces + 'c>> {
        Ok(Box::new(CsvPieces::open(path, opts, piece_bytes, ctl)?))
    }
}

/// Writes `table` as CSV: the header, then every row, comma-separated,
/// with LF line ends and a field in quotes only when it must be. How a
/// table read from any format (a workbook, Parquet) is written as text.
pub fn write_csv(table: &Table, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut record = |cells: &mut dyn Iterator<Item = &str>| {
        line.clear();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                line.push(b',');
            }
            write_field(&mut line, c.as_bytes(), b',', false);
        }
        line.push(b'\n');
        out.write_all(&line)
    };
    record(&mut table.columns().iter().map(String::as_str))?;
    for r in 0..table.num_rows() {
        record(&mut (0..table.num_columns()).map(|c| table.cell(r, c)))?;
    }
    Ok(())
}

/// Writes a field with delimiter `delim`, in quotes when it must be (it
/// holds the delimiter, a quote or a line break) or when `quote`.
pub(crate) fn write_field(out: &mut Vec<u8>, v: &[u8], delim: u8, quote: bool) {
    if !quote && !needs_quotes(v, delim) {
        out.extend_from_slice(v);
        return;
    }
    out.push(b'"');
    for &b in v {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Whether a value must be quoted to be read back as it is.
pub(crate) fn needs_quotes(v: &[u8], delim: u8) -> bool {
    v.iter()
        .any(|&b| b == delim || matches!(b, b'"' | b'\n' | b'\r'))
}
