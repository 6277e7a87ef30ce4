//! The workbook reader: Excel (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`) and
//! OpenDocument (`.ods`) files, read with `calamine`.
//!
//! One sheet is a table: the one the options name (by name, or by its
//! 1-based number), else the first sheet with data. Cells read as a
//! person sees them in the spreadsheet, so that a workbook and the CSV
//! file Excel or LibreOffice saves from it compare as identical:
//!
//! - numbers as their shortest decimal at Excel's 15 significant digits
//!   (`0.1 + 0.2` reads `0.3`, `42.0` reads `42`);
//! - dates and times as ISO 8601 (`2024-03-01`, `2024-03-01T12:30:00`,
//!   `12:30:00` for a time of day), in either date system (1900 or 1904);
//!   durations as `[h]:mm:ss`;
//! - booleans as `TRUE` / `FALSE` (also the numbers 1 and 0 that the
//!   formulas `TRUE()` and `FALSE()` hold, which is how LibreOffice keeps
//!   booleans), errors as their text (`#N/A`);
//! - formulas by the value saved with them; formulas saved without one
//!   (by a program that does not calculate) read empty and are counted in
//!   a note, as are merged ranges (whose value is in their first cell).
//!
//! Empty rows and columns around the data are not data. The header is
//! detected as for CSV (see [`super::sniff`]); a row's line is its row
//! number in the sheet, as the spreadsheet shows it.

use super::formats::InputFormat;
use super::load::unique_names;
use super::sniff::sniff_header;
use super::source::{Input, Reader};
use super::{LoadOptions, SourceInfo, Table, TableBuilder};
use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use calamine::{Data, Range, Reader as _, Sheets};
use std::io::Cursor;

/// Reads workbooks.
pub struct Workbook;

/// The name of the workbook format ([`InputFormat::name`]).
pub const NAME: &str = "workbook";

/// Workbooks' description in the list of formats.
static WORKBOOK: InputFormat = InputFormat {
    name: NAME,
    label: "Excel and OpenDocument workbooks",
    extensions: &["xlsx", "xlsm", "xlsb", "xls", "ods"],
    mime_types: &[
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel.sheet.macroEnabled.12",
        "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.spreadsheet",
    ],
    place: "row",
    options: &["sheet", "header", "skip"],
};

/// The first bytes of a Compound File (an `.xls` workbook, or an
/// encrypted `.xlsx`).
const CFB: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// A ZIP archive's first bytes.
const ZIP: &[u8] = b"PK\x03\x04";

impl Reader for Workbook {
    fn format(&self) -> &'static InputFormat {
        &WORKBOOK
    }

    /// A Compound File, or a ZIP archive whose first entries are those of
    /// an Excel or OpenDocument spreadsheet.
    fn recognises(&self, head: &[u8]) -> bool {
        let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
        head.starts_with(CFB)
            || (head.starts_with(ZIP)
                && (has(b"[Content_Types].xml") || has(b"xl/") || has(b"opendocument.spreadsheet")))
    }

    fn load(&self, input: Input<'_>, opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
        let name = input.name();
        let bytes = input.into_bytes()?;
        let size = bytes.len() as u64;
        ctl.report(Phase::Loading, 0, size);
        let kind = Kind::of(&bytes);
        // Looking for formulas and merged cells costs a second parse of the
        // sheet: a ZIP workbook whose sheets hold none is not parsed again.
        let marks = Marks::of(&bytes);
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| open_error(&name, kind, &e.to_string()))?;
        let sheets = sheet_names(&book);
        let (sheet, mut range) = choose_sheet(&mut book, &name, &sheets, opts.sheet.as_deref())?;
        ctl.check()?;
        let mut warnings = Vec::new();
        let unsaved = match marks.formulas {
            false => 0,
            true => read_formulas(&mut book, &sheet, &mut range),
        };
        if unsaved > 0 {
            warnings.push(format!(
                "{unsaved} formula{} saved without a value (by a program that does not calculate) and read as empty",
                if unsaved == 1 { " was" } else { "s were" }
            ));
        }
        let merged = match marks.merged {
            false => 0,
            true => merged_ranges(&mut book, &sheet),
        };
        if merged > 0 {
            warnings.push(format!(
                "{merged} merged range{}: the value is in the first cell of each, the others read empty",
                if merged == 1 { "" } else { "s" }
            ));
        }
        let (mut records, mut lines) = records(&range);
        if opts.skip_lines > 0 {
            let skip = opts.skip_lines.min(records.len());
            records.drain(..skip);
            lines.drain(..skip);
            warnings.push(match skip {
                1 => "the first row was skipped, as asked".to_string(),
                n => format!("the first {n} rows were skipped, as asked"),
            });
        } else if let Some(k) = title_rows(&records) {
            warnings.push(format!(
                "the first {} like a title above the header: skip {} to read the table below",
                if k == 1 {
                    "row looks".to_string()
                } else {
                    format!("{k} rows look")
                },
                if k == 1 { "it" } else { "them" }
            ));
        }
        if records.is_empty() {
            return Err(Error::InvalidFile {
                path: name,
                line: None,
                detail: format!("sheet '{sheet}' is empty"),
            });
        }
        let has_header = opts
            .has_header
            .unwrap_or_else(|| sniff_header(&records[..records.len().min(200)]));
        let width = records.iter().map(Vec::len).max().unwrap_or(0);
        let (columns, data, data_lines) = if has_header {
            let mut names = records[0].clone();
            names.resize(width, String::new());
            (
                unique_names(names, &mut warnings),
                &records[1..],
                &lines[1..],
            )
        } else {
            let names = (1..=width).map(|i| format!("column_{i}")).collect();
            (names, &records[..], &lines[..])
        };
        let info = SourceInfo {
            path: name.clone(),
            bytes: size,
            format: NAME,
            encoding: None,
            delimiter: None,
            has_header,
            warnings,
            compression: None,
            sheet: Some(sheet),
            sheets,
        };
        let mut table = TableBuilder::new(info, columns);
        let empty = String::new();
        for (row, (cells, &line)) in data.iter().zip(data_lines).enumerate() {
            let row = u32::try_from(row).map_err(|_| Error::TooManyRows {
                path: name.clone(),
                rows: data.len() as u64,
            })?;
            let padded = (0..width).map(|c| cells.get(c).unwrap_or(&empty).as_bytes());
            table.push(padded, row, line);
        }
        ctl.report(Phase::Loading, size, size);
        table.finish(data.len() as u64)
    }
}

/// A worksheet of a workbook and the size of its data (rows and columns
/// with anything in them, the header row included), as `concord inspect`
/// lists them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SheetSize {
    /// The sheet's name.
    pub name: String,
    /// Rows from the first to the last with data.
    pub rows: usize,
    /// Columns from the first to the last with data.
    pub columns: usize,
}

/// The worksheets of the workbook at `path`, with their sizes.
pub fn sheet_sizes(path: &std::path::Path) -> Result<Vec<SheetSize>> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: name.clone(),
        source,
    })?;
    let kind = Kind::of(&bytes);
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| open_error(&name, kind, &e.to_string()))?;
    let mut out = Vec::new();
    for sheet in sheet_names(&book) {
        let (rows, columns) = match book.worksheet_range(&sheet) {
            Ok(range) => {
                let (records, _) = records(&range);
                let columns = records.iter().map(Vec::len).max().unwrap_or(0);
                (records.len(), columns)
            }
            Err(_) => (0, 0),
        };
        out.push(SheetSize {
            name: sheet,
            rows,
            columns,
        });
    }
    Ok(out)
}

/// Whether any sheet of a workbook may hold formulas and merged cells:
/// for a ZIP workbook (`.xlsx`, `.xlsm`, `.ods`), whether its sheets' XML
/// has their tags; for others, maybe.
struct Marks {
    formulas: bool,
    merged: bool,
}

impl Marks {
    fn of(bytes: &[u8]) -> Marks {
        let maybe = Marks {
            formulas: true,
            merged: true,
        };
        if !bytes.starts_with(ZIP) {
            return maybe;
        }
        let Ok(mut zip) = zip7::ZipArchive::new(Cursor::new(bytes)) else {
            return maybe;
        };
        let mut marks = Marks {
            formulas: false,
            merged: false,
        };
        let (formula, merge): (&[&[u8]], &[&[u8]]) = (
            &[b"<f>", b"<f ", b"table:formula="],
            &[
                b"<mergeCell ",
                b"table:number-columns-spanned=",
                b"table:number-rows-spanned=",
            ],
        );
        for i in 0..zip.len() {
            let Ok(mut entry) = zip.by_index(i) else {
                return maybe;
            };
            let name = entry.name().to_string();
            let sheet = (name.starts_with("xl/worksheets/") && name.ends_with(".xml"))
                || name == "content.xml";
            if !sheet {
                continue;
            }
            let mut xml = Vec::new();
            if std::io::Read::read_to_end(&mut entry, &mut xml).is_err() {
                return maybe;
            }
            let has = |needles: &[&[u8]]| {
                needles
                    .iter()
                    .any(|n| memchr::memmem::find(&xml, n).is_some())
            };
            marks.formulas |= has(formula);
            marks.merged |= has(merge);
        }
        marks
    }
}

/// What a workbook's bytes are, for the message when it cannot be opened.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// An encrypted (password-protected) Office file: a Compound File
    /// holding an `EncryptedPackage` stream.
    Encrypted,
    /// A ZIP archive (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`).
    Zip,
    /// Anything else.
    Other,
}

impl Kind {
    fn of(bytes: &[u8]) -> Kind {
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if bytes.starts_with(CFB) && bytes.windows(marker.len()).any(|w| w == marker) {
            Kind::Encrypted
        } else if bytes.starts_with(ZIP) {
            Kind::Zip
        } else {
            Kind::Other
        }
    }
}

/// The error for a workbook `calamine` could not open.
fn open_error(name: &str, kind: Kind, why: &str) -> Error {
    let detail = if kind == Kind::Encrypted || why.to_lowercase().contains("password") {
        "is protected by a password: open it in Excel or LibreOffice and save it without one"
            .to_string()
    } else if kind == Kind::Zip && why.contains("detect") {
        "is damaged or cut short: its ZIP archive cannot be read".to_string()
    } else {
        format!("cannot be read as a workbook: {why}")
    };
    Error::InvalidFile {
        path: name.to_string(),
        line: None,
        detail,
    }
}

/// The names of the workbook's worksheets, in order (chart sheets and
/// macro sheets hold no table).
fn sheet_names<R: std::io::Read + std::io::Seek>(book: &Sheets<R>) -> Vec<String> {
    book.sheets_metadata()
        .iter()
        .filter(|s| matches!(s.typ, calamine::SheetType::WorkSheet))
        .map(|s| s.name.clone())
        .collect()
}

/// The sheet `wanted` names (its name, or its 1-based number), else the
/// first sheet with data; its name and cells.
fn choose_sheet<R: std::io::Read + std::io::Seek>(
    book: &mut Sheets<R>,
    name: &str,
    sheets: &[String],
    wanted: Option<&str>,
) -> Result<(String, Range<Data>)> {
    let invalid = |detail: String| Error::InvalidFile {
        path: name.to_string(),
        line: None,
        detail,
    };
    let mut read = |sheet: &str| {
        book.worksheet_range(sheet)
            .map_err(|e| invalid(format!("sheet '{sheet}' cannot be read: {e}")))
    };
    if let Some(wanted) = wanted {
        let by_number = wanted
            .parse::<usize>()
            .ok()
            .filter(|_| !sheets.iter().any(|s| s == wanted))
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| sheets.get(i));
        let sheet = sheets
            .iter()
            .find(|s| *s == wanted)
            .or_else(|| sheets.iter().find(|s| s.eq_ignore_ascii_case(wanted)))
            .or(by_number)
            .ok_or_else(|| {
                invalid(format!(
                    "has no sheet '{wanted}' (its sheets: {})",
                    sheets.join(", ")
                ))
            })?
            .clone();
        let range = read(&sheet)?;
        return Ok((sheet, range));
    }
    for sheet in sheets {
        let range = read(sheet)?;
        if range.used_cells().any(|(_, _, c)| !is_blank(c)) {
            return Ok((sheet.clone(), range));
        }
    }
    Err(invalid(match sheets.len() {
        0 => "has no worksheet".to_string(),
        _ => format!("has no sheet with data (its sheets: {})", sheets.join(", ")),
    }))
}

/// How many rows at the top look like a title above the header: rows of
/// one cell at most, above a row as wide as the widest of the rows below
/// it (at least two cells).
fn title_rows(records: &[Vec<String>]) -> Option<usize> {
    let k = records.iter().take(10).position(|r| r.len() >= 2)?;
    let below = records[k..].iter().take(20).map(Vec::len).max()?;
    (k > 0 && records[k].len() == below).then_some(k)
}

/// Whether a cell holds nothing a person would see.
fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.is_empty(),
        _ => false,
    }
}

/// Reads what the formulas of `range` say beyond their values, and
/// returns how many cells show nothing but hold a formula (formulas saved
/// without their value). A number 1 or 0 held by the formula `TRUE()` or
/// `FALSE()` becomes that boolean: LibreOffice saves booleans so, in
/// `.ods` files, and shows them as TRUE and FALSE.
fn read_formulas<R: std::io::Read + std::io::Seek>(
    book: &mut Sheets<R>,
    sheet: &str,
    range: &mut Range<Data>,
) -> usize {
    let Ok(formulas) = book.worksheet_formula(sheet) else {
        return 0;
    };
    let start = formulas.start().unwrap_or((0, 0));
    let mut unsaved = 0;
    for (r, c, f) in formulas.used_cells().filter(|(_, _, f)| !f.is_empty()) {
        let at = (start.0 + r as u32, start.1 + c as u32);
        let value = range.get_value(at);
        let number = match value {
            Some(Data::Float(v)) => Some(*v),
            Some(Data::Int(i)) => Some(*i as f64),
            _ => None,
        };
        match (number, literal_boolean(f)) {
            (Some(v), Some(b)) if v == f64::from(u8::from(b)) => {
                range.set_value(at, Data::Bool(b));
            }
            _ if value.is_none_or(is_blank) => unsaved += 1,
            _ => {}
        }
    }
    unsaved
}

/// The boolean a formula is, when it is only `TRUE()` or `FALSE()` (as
/// OpenDocument writes it, after its namespace: `of:=TRUE()`, or older
/// `oooc:=TRUE()`; or Excel, `TRUE()`).
fn literal_boolean(formula: &str) -> Option<bool> {
    let f = match formula.split_once(":=") {
        Some((namespace, f)) if namespace.bytes().all(|b| b.is_ascii_alphabetic()) => f,
        _ => formula.strip_prefix('=').unwrap_or(formula),
    };
    let f = f.trim();
    match f.to_ascii_uppercase().as_str() {
        "TRUE()" | "TRUE" => Some(true),
        "FALSE()" | "FALSE" => Some(false),
        _ => None,
    }
}

/// How many merged ranges the sheet has (Excel files record them).
fn merged_ranges<R: std::io::Read + std::io::Seek>(book: &mut Sheets<R>, sheet: &str) -> usize {
    match book {
        Sheets::Xlsx(x) => x
            .worksheet_merge_cells(sheet)
            .and_then(|m| m.ok())
            .map_or(0, |m| m.len()),
        Sheets::Xls(x) => x.worksheet_merge_cells(sheet).map_or(0, |m| m.len()),
        _ => 0,
    }
}

/// The sheet's rows as text, without the empty rows and columns around
/// the data, each with its row number in the sheet.
fn records(range: &Range<Data>) -> (Vec<Vec<String>>, Vec<u64>) {
    let first_row = range.start().map_or(0, |s| s.0);
    let mut rows: Vec<(u64, Vec<String>)> = range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells: Vec<String> = row.iter().map(text).collect();
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
            (u64::from(first_row) + i as u64 + 1, cells)
        })
        .collect();
    while rows.last().is_some_and(|(_, r)| r.is_empty()) {
        rows.pop();
    }
    // Leading empty rows: the range starts at the first cell with
    // anything, which may be an empty string.
    let start = rows.iter().position(|(_, r)| !r.is_empty()).unwrap_or(0);
    let rows = rows.split_off(start);
    let lines = rows.iter().map(|(l, _)| *l).collect();
    (rows.into_iter().map(|(_, r)| r).collect(), lines)
}

/// A cell's text, as the spreadsheet shows it (see the module notes).
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(true) => "TRUE".to_string(),
        Data::Bool(false) => "FALSE".to_string(),
        Data::Error(e) => e.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) if d.is_duration() => duration(d.as_f64()),
        Data::DateTime(d) => {
            let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
            let time = match ms {
                0 => format!("{h:02}:{mi:02}:{s:02}"),
                ms => format!("{h:02}:{mi:02}:{s:02}.{ms:03}"),
            };
            let value = d.as_f64();
            if (0.0..1.0).contains(&value) {
                time
            } else if (h, mi, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02}T{time}")
            }
        }
    }
}

/// A number as Excel shows it in a general format: rounded to 15
/// significant digits, then written as the shortest decimal that reads
/// back as that value.
pub fn number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    if rounded == 0.0 {
        return "0".to_string();
    }
    format!("{rounded}")
}

/// A duration in days as `[h]:mm:ss`, as a spreadsheet shows one.
fn duration(days: f64) -> String {
    let seconds = (days * 86_400.0).round() as i64;
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.abs();
    format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn numbers_read_as_a_spreadsheet_shows_them() {
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(42.0), "42");
        assert_eq!(number(-1.5), "-1.5");
        assert_eq!(number(1.0 / 3.0), "0.333333333333333");
        assert_eq!(number(1234567.891), "1234567.891");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1e-7), "0.0000001");
    }

    #[test]
    fn dates_times_and_durations_read_as_iso_8601() {
        let date = |v: f64, is_1904: bool| {
            text(&Data::DateTime(ExcelDateTime::new(
                v,
                ExcelDateTimeType::DateTime,
                is_1904,
            )))
        };
        assert_eq!(date(45352.0, false), "2024-03-01");
        assert_eq!(
            date(45352.0 - 1462.0, true),
            "2024-03-01",
            "the 1904 system"
        );
        assert_eq!(date(45352.5, false), "2024-03-01T12:00:00");
        assert_eq!(date(0.75, false), "18:00:00");
        let d = Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(text(&d), "36:00:00");
        assert_eq!(text(&Data::Bool(true)), "TRUE");
        assert_eq!(text(&Data::Error(calamine::CellErrorType::NA)), "#N/A");
    }

    #[test]
    fn title_rows_above_a_header_are_found() {
        let rows = |widths: &[usize]| -> Vec<Vec<String>> {
            widths.iter().map(|&w| vec!["x".to_string(); w]).collect()
        };
        assert_eq!(title_rows(&rows(&[1, 3, 3, 2])), Some(1));
        assert_eq!(title_rows(&rows(&[1, 0, 1, 3, 3])), Some(3));
        assert_eq!(title_rows(&rows(&[3, 3])), None);
        assert_eq!(
            title_rows(&rows(&[1, 2, 3])),
            None,
            "a header narrower than its rows"
        );
    }

    #[test]
    fn only_literal_boolean_formulas_are_booleans() {
        assert_eq!(literal_boolean("of:=TRUE()"), Some(true));
        assert_eq!(literal_boolean("oooc:=TRUE()"), Some(true));
        assert_eq!(literal_boolean("=false()"), Some(false));
        assert_eq!(literal_boolean("FALSE"), Some(false));
        for other in ["of:=TRUE()+0", "of:=[.A1]>1", "=NOT(TRUE())", ""] {
            assert_eq!(literal_boolean(other), None, "{other}");
        }
    }

    #[test]
    fn zip_archives_that_are_not_spreadsheets_are_not_taken_for_workbooks() {
        assert!(Workbook.recognises(b"PK\x03\x04....[Content_Types].xml"));
        assert!(Workbook
            .recognises(b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.spreadsheet"));
        assert!(Workbook.recognises(CFB));
        assert!(!Workbook.recognises(b"PK\x03\x04....data.csv"));
    }
}
