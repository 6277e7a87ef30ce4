//! The CSV reader: delimited text in any of the encodings Concord detects
//! (see [`super::load`] for reading a whole file and [`super::pieces`] for
//! reading one in pieces). It reads what no other reader recognises, and
//! refuses what is not text.

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
