//! Arguments shared by several subcommands, and the clap value parsers that
//! turn argument text straight into the library's types (`Format`,
//! `NumericMode`, `Encoding`, `ColumnPair`), listing the library's own
//! names (`Format::ALL`, ...) in help and errors.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Args;
use concord::compare::NumericMode;
use concord::export::Format;
use concord::table::Encoding;
use concord::{LoadOptions, SideOptions};

/// How input files are read; every option is detected when not given.
#[derive(Args, Clone)]
pub(crate) struct ReadArgs {
    /// Field delimiter: a single character, or `tab`.
    #[arg(long, value_name = "CHAR", value_parser = concord::table::parse_delimiter)]
    delimiter: Option<u8>,
    /// The first line is data, not a header (columns are named column_1, column_2, ...).
    #[arg(long, conflicts_with = "header")]
    no_header: bool,
    /// The first line is a header, even if it looks like data.
    #[arg(long)]
    header: bool,
    /// Text encoding.
    #[arg(long, value_name = "NAME", value_parser = encoding())]
    encoding: Option<Encoding>,
    /// Pad rows with too few fields with empty cells and cut rows with too many.
    #[arg(long)]
    allow_ragged: bool,
    /// Skip this many lines at the start of each file, before the header (a title above the table).
    #[arg(long, value_name = "N", default_value_t = 0)]
    skip_lines: usize,
    /// The sheet of a workbook to read, by name or 1-based number (default: the first sheet with data).
    #[arg(long, value_name = "NAME|N")]
    sheet: Option<String>,
}

impl ReadArgs {
    /// The library's reading options.
    pub(crate) fn options(&self) -> LoadOptions {
        let has_header = match (self.header, self.no_header) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        LoadOptions {
            format: None,
            delimiter: self.delimiter,
            has_header,
            encoding: self.encoding,
            allow_ragged: self.allow_ragged,
            skip_lines: self.skip_lines,
            compression: None,
            sheet: self.sheet.clone(),
        }
    }
}

/// How the two files of a comparison are read: [`ReadArgs`] for both,
/// and what may differ between them.
#[derive(Args, Clone)]
pub(crate) struct PairReadArgs {
    #[command(flatten)]
    both: ReadArgs,
    /// Skip this many lines at the start of the left file only (instead of --skip-lines).
    #[arg(long, value_name = "N")]
    left_skip_lines: Option<usize>,
    /// Skip this many lines at the start of the right file only (instead of --skip-lines).
    #[arg(long, value_name = "N")]
    right_skip_lines: Option<usize>,
    /// The sheet of the left workbook (instead of --sheet).
    #[arg(long, value_name = "NAME|N")]
    left_sheet: Option<String>,
    /// The sheet of the right workbook (instead of --sheet).
    #[arg(long, value_name = "NAME|N")]
    right_sheet: Option<String>,
}

impl PairReadArgs {
    /// The library's reading options for each side.
    pub(crate) fn options(&self) -> SideOptions {
        let both = self.both.options();
        let mut sides = SideOptions::same(both.clone());
        sides.left.skip_lines = self.left_skip_lines.unwrap_or(both.skip_lines);
        sides.right.skip_lines = self.right_skip_lines.unwrap_or(both.skip_lines);
        if self.left_sheet.is_some() {
            sides.left.sheet = self.left_sheet.clone();
        }
        if self.right_sheet.is_some() {
            sides.right.sheet = self.right_sheet.clone();
        }
        sides
    }
}

/// `--encoding`: the names of `Encoding::ALL` (aliases such as `latin1` too).
fn encoding() -> impl TypedValueParser<Value = Encoding> {
    let names: Vec<&str> = Encoding::ALL.iter().map(|e| e.name()).collect();
    clap::builder::StringValueParser::new().try_map(move |s| {
        Encoding::from_name(&s)
            .ok_or_else(|| format!("unknown encoding '{s}'; use one of {}", names.join(", ")))
    })
}

/// `--format` of `compare`: the names of `Format::ALL`.
pub(crate) fn format() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.map(Format::name))
        .map(|s| Format::from_name(&s).expect("one of Format::ALL"))
}

/// `--numeric`: the names of `NumericMode::ALL`.
pub(crate) fn numeric() -> impl TypedValueParser<Value = NumericMode> {
    PossibleValuesParser::new(NumericMode::ALL.map(NumericMode::name))
        .map(|s| NumericMode::from_name(&s).expect("one of NumericMode::ALL"))
}

// `--key`, `--map` and the `[COL=]VALUE` flags read as the library reads
// them for every front end.
pub(crate) use concord::compare::options::{
    key, mapping, per_column_number, per_column_text, PerColumn,
};
