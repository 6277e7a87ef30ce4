//! The JSON Lines reader: one JSON object per line. Its columns are the
//! keys found, in the order they are first seen; a row without a key has
//! an empty cell there. Strings are read as they are, numbers as their
//! shortest text (`1.50` reads `1.5`), `true`/`false` as words, `null` as
//! an empty cell, and arrays and objects as their JSON text. Blank lines
//! are skipped; a line that is not an object is an error naming it.
//!
//! The text is read twice, the keys first and then the rows, so that no
//! parsed object outlives its line; a file larger than memory is read as
//! a stream (decompressed as it goes), a piece of lines at a time.

use super::compressed::Compression;
use super::formats::InputFormat;
use super::source::{Input, Piecewise, ReadPieces, Reader, TakePiece};
use super::{Encoding, LoadOptions, SourceInfo, Table, TableBuilder};
use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Reads JSON Lines (`.jsonl`, `.ndjson`).
pub struct JsonLines;

/// JSON Lines' description in the list of formats.
static JSONL: InputFormat = InputFormat {
    name: "jsonl",
    label: "JSON Lines",
    extensions: &["jsonl", "ndjson"],
    mime_types: &["application/x-ndjson", "application/jsonl"],
    place: "line",
    options: &[],
};

impl Reader for JsonLines {
    fn format(&self) -> &'static InputFormat {
        &JSONL
    }

    /// A text whose every line in `head` is a JSON object: a CSV header
    /// is not one, nor a line of JSON above a CSV table. A first line
    /// longer than `head` counts when it starts as an object's first key
    /// does (`{"`).
    fn recognises(&self, head: &[u8]) -> bool {
        let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let text = text.trim_ascii_start();
        let object =
            |line: &[u8]| serde_json::from_slice::<Value>(line).is_ok_and(|v| v.is_object());
        // A head as long as readers are given may end inside a line.
        let cut = head.len() >= super::source::HEAD_BYTES;
        let Some(end) = text.iter().rposition(|&b| b == b'\n') else {
            return match cut {
                true => text.starts_with(b"{\""),
                false => object(text),
            };
        };
        let whole = match cut {
            true => &text[..end],
            false => text,
        };
        whole
            .split(|&b| b == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .all(object)
    }

    fn load(&self, input: Input<'_>, _opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
        let name = input.name();
        let bytes = input.into_bytes()?;
        let size = bytes.len() as u64;
        // Two passes over the text: the keys first, then the rows, so that
        // no parsed object is held beyond its line.
        let (columns, rows) = keys(Lines::new(&bytes[..], &name, None), size, ctl)?;
        let mut table = TableBuilder::new(info(&name, size), column_names(&columns));
        let mut lines = Lines::new(&bytes[..], &name, None);
        let mut row = 0u64;
        while let Some((line, object)) = lines.next_object()? {
            push(&mut table, &columns, &object, row, line, &name, rows)?;
            row += 1;
        }
        table.finish(rows)
    }

    /// Reads the file twice, as a stream (decompressed as it goes): once
    /// for its keys, then a piece of lines at a time.
    fn pieces<'c>(
        &self,
        path: &Path,
        opts: &LoadOptions,
        piece_bytes: usize,
        ctl: Control<'c>,
    ) -> Result<Box<dyn ReadPieces + 'c>> {
        let _ = opts;
        let name = path.display().to_string();
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        let (columns, rows) = keys(open_lines(path, &name)?, size, ctl)?;
        let info = SourceInfo {
            compression: Compression::of_path(path).map(Compression::name),
            ..info(&name, size)
        };
        let names = column_names(&columns);
        let pieces = JsonlPieces {
            lines: open_lines(path, &name)?,
            keys: columns,
            columns: names.clone(),
            info: info.clone(),
            name,
            total_rows: rows,
            rows: 0,
            piece_bytes: piece_bytes.max(1),
            size,
            ctl,
        };
        Ok(Box::new(Piecewise::start(pieces, names, info, size)?))
    }
}

/// A file's JSON Lines, read line by line.
struct Lines<R> {
    reader: R,
    name: String,
    compression: Option<Compression>,
    /// The number of the last line read.
    number: u64,
    /// Bytes read so far.
    read: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    fn new(reader: R, name: &str, compression: Option<Compression>) -> Lines<R> {
        Lines {
            reader,
            name: name.to_string(),
            compression,
            number: 0,
            read: 0,
            buf: Vec::new(),
        }
    }

    /// The next non-blank line's number and object; `None` at the end.
    fn next_object(&mut self) -> Result<Option<(u64, Map<String, Value>)>> {
        loop {
            self.buf.clear();
            let n = self.reader.read_until(b'\n', &mut self.buf).map_err(|e| {
                match self.compression {
                    Some(c) => c.error(&self.name, &e),
                    None => Error::Read {
                        path: self.name.clone(),
                        source: e,
                    },
                }
            })?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            self.read += n as u64;
            let mut line = &self.buf[..];
            if self.number == 1 {
                line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let invalid = |detail: String| Error::InvalidFile {
                path: self.name.clone(),
                line: Some(self.number),
                detail,
            };
            let value: Value =
                serde_json::from_slice(line).map_err(|e| invalid(format!("not JSON: {e}")))?;
            let Value::Object(object) = value else {
                return Err(invalid("is not a JSON object ({...})".into()));
            };
            return Ok(Some((self.number, object)));
        }
    }
}

/// The lines of the file at `path`, decompressed when it is compressed.
fn open_lines(path: &Path, name: &str) -> Result<Lines<Box<dyn BufRead + Send>>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: name.to_string(),
        source,
    })?;
    let compression = Compression::of_path(path);
    let reader: Box<dyn BufRead + Send> = match compression {
        Some(c) => Box::new(BufReader::new(
            c.decoder(BufReader::new(file))
                .map_err(|e| c.error(name, &e))?,
        )),
        None => Box::new(BufReader::new(file)),
    };
    Ok(Lines::new(reader, name, compression))
}

/// The keys of every object, in the order they are first seen (a JSON
/// map keeps that order), and how many objects there are.
fn keys<R: BufRead>(
    mut lines: Lines<R>,
    size: u64,
    ctl: Control<'_>,
) -> Result<(Vec<String>, u64)> {
    let mut seen: Map<String, Value> = Map::new();
    let mut rows = 0u64;
    while let Some((_, object)) = lines.next_object()? {
        if rows % 8192 == 0 {
            ctl.check()?;
            ctl.report(Phase::Loading, lines.read.min(size), size.max(1));
        }
        rows += 1;
        for key in object.keys() {
            if !seen.contains_key(key) {
                seen.insert(key.clone(), Value::Null);
            }
        }
    }
    if rows == 0 {
        return Err(Error::EmptyFile { path: lines.name });
    }
    Ok((seen.keys().cloned().collect(), rows))
}

/// Column names for the keys: an empty key is `column_N`.
fn column_names(keys: &[String]) -> Vec<String> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| match k.as_str() {
            "" => format!("column_{}", i + 1),
            k => k.to_string(),
        })
        .collect()
}

/// How a JSON Lines file named `name`, of `size` bytes, is read.
fn info(name: &str, size: u64) -> SourceInfo {
    SourceInfo {
        bytes: size,
        encoding: Some(Encoding::Utf8),
        ..SourceInfo::new(name, JSONL.name)
    }
}

/// Adds `object`, row `row` of the file on line `line`, to `table`.
fn push(
    table: &mut TableBuilder,
    keys: &[String],
    object: &Map<String, Value>,
    row: u64,
    line: u64,
    name: &str,
    rows: u64,
) -> Result<()> {
    let row = u32::try_from(row).map_err(|_| Error::TooManyRows {
        path: name.to_string(),
        rows,
    })?;
    let cells: Vec<String> = keys.iter().map(|k| cell(object.get(k))).collect();
    table.push(cells.iter().map(|c| c.as_bytes()), row, line);
    Ok(())
}

/// A JSON Lines file read a piece of lines at a time.
struct JsonlPieces<'c> {
    lines: Lines<Box<dyn BufRead + Send>>,
    /// The JSON keys, one per column.
    keys: Vec<String>,
    /// The column names.
    columns: Vec<String>,
    info: SourceInfo,
    name: String,
    total_rows: u64,
    rows: u64,
    piece_bytes: usize,
    size: u64,
    ctl: Control<'c>,
}

impl TakePiece for JsonlPieces<'_> {
    /// The next piece: lines up to about `piece_bytes`; `None` at the end.
    fn take(&mut self) -> Result<Option<Table>> {
        self.ctl.check()?;
        let mut table = TableBuilder::new(self.info.clone(), self.columns.clone());
        let start = self.lines.read;
        let mut any = false;
        while self.lines.read - start < self.piece_bytes as u64 {
            let Some((line, object)) = self.lines.next_object()? else {
                break;
            };
            push(
                &mut table,
                &self.keys,
                &object,
                self.rows,
                line,
                &self.name,
                self.total_rows,
            )?;
            self.rows += 1;
            any = true;
        }
        self.ctl.report(
            Phase::Loading,
            self.lines.read.min(self.size),
            self.size.max(1),
        );
        // The file has rows (an empty one is refused by its first pass).
        if !any {
            return Ok(None);
        }
        table.finish(self.total_rows).map(Some)
    }
    fn rows(&self) -> u64 {
        self.rows
    }
}

/// The text of one value, as a cell shows it.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(v) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::table::{load_bytes, load_path, LoadOptions, Table};

    fn load(text: &str) -> crate::error::Result<Table> {
        load_bytes("t.jsonl", text.as_bytes().to_vec(), &LoadOptions::default())
    }

    fn cells(t: &Table) -> Vec<Vec<&str>> {
        (0..t.num_rows())
            .map(|r| (0..t.num_columns()).map(|c| t.cell(r, c)).collect())
            .collect()
    }

    #[test]
    fn columns_are_the_keys_in_first_seen_order_and_values_read_as_people_see_them() {
        let t = load(
            "{\"id\": 1, \"name\": \"Ann\", \"price\": 1.50}\n\
             \n\
             {\"name\": \"Bob\", \"id\": 2, \"ok\": true, \"tags\": [\"a\", 1], \"more\": {\"x\": null}}\n\
             {\"id\": 3, \"name\": null}\n",
        )
        .unwrap();
        assert_eq!(t.info().format, "jsonl");
        assert_eq!(t.info().delimiter, None);
        assert_eq!(t.columns(), ["id", "name", "price", "ok", "tags", "more"]);
        assert_eq!(
            cells(&t),
            vec![
                vec!["1", "Ann", "1.5", "", "", ""],
                vec!["2", "Bob", "", "true", "[\"a\",1]", "{\"x\":null}"],
                vec!["3", "", "", "", "", ""],
            ]
        );
        // Lines count the blank one.
        assert_eq!((t.line_of(0), t.line_of(1), t.line_of(2)), (1, 3, 4));
        assert_eq!(t.describe().format, "jsonl");
        assert_eq!(
            t.effective_options(&LoadOptions::default())
                .format
                .as_deref(),
            Some("jsonl"),
            "a session stores the format, to read its copy the same way"
        );
    }

    #[test]
    fn json_objects_are_recognised_whatever_the_name() {
        let r = super::JsonLines;
        assert!(r.recognises(b"{\"a\": 1}\n{\"a\": 2}\n"));
        assert!(r.recognises(b"\xEF\xBB\xBF\n  {\"a\": [1, {}]}\r\n"));
        assert!(r.recognises(b"{\"only\": \"line\"}"));
        use crate::table::source::{Reader, HEAD_BYTES};
        let long = [&b"{\"a\": \""[..], &[b'x'; HEAD_BYTES]].concat();
        assert!(r.recognises(&long[..HEAD_BYTES]));
        for csv in [
            &b"{a},b\n1,2\n"[..],
            b"{\"exported\": \"2024-03-01\"}\nid,name\n1,Ann\n",
            b"{\"a\": 1}\n{\"a\": 2}\n{\"a\"",
            b"id,name\n1,{\"x\":1}\n",
            b"[1, 2]\n",
            b"{\"a\": 1",
            b"",
        ] {
            assert!(!r.recognises(csv), "{}", String::from_utf8_lossy(csv));
        }
    }

    #[test]
    fn a_line_that_is_not_an_object_is_an_error_naming_it() {
        let e = load("{\"a\": 1}\n[1, 2]\n").unwrap_err();
        assert_eq!(e.code(), "invalid_file");
        assert_eq!(
            e.to_string(),
            "'t.jsonl' line 2: is not a JSON object ({...})"
        );
        let e = load("{\"a\": 1}\n{\"a\": 2}\n{\"a\": \n").unwrap_err();
        assert!(
            e.to_string().starts_with("'t.jsonl' line 3: not JSON"),
            "{e}"
        );
        assert_eq!(load("\n \n").unwrap_err().code(), "empty_file");
    }

    #[test]
    fn a_json_lines_file_and_its_csv_compare_as_identical() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("prices.ndjson");
        let csv = dir.path().join("prices.csv");
        std::fs::write(
            &jsonl,
            "{\"id\":1,\"price\":1.50,\"note\":\"a, b\"}\n{\"id\":2,\"price\":20}\n",
        )
        .unwrap();
        std::fs::write(&csv, "id,price,note\n1,1.50,\"a, b\"\n2,20.00,\n").unwrap();
        let opts = LoadOptions::default();
        let ctl = crate::progress::Control::default();
        let (l, r) = (
            load_path(&jsonl, &opts, ctl).unwrap(),
            load_path(&csv, &opts, ctl).unwrap(),
        );
        assert_eq!((l.info().format, r.info().format), ("jsonl", "csv"));
        let config = crate::compare::CompareConfig {
            keys: vec![crate::compare::ColumnPair::new("id", "id")],
            ..Default::default()
        };
        let result = crate::compare(&l, &r, &config, ctl).unwrap();
        assert_eq!(result.summary.identical, 2, "{:?}", result.rows);
        assert_eq!(result.summary.changed, 0);
    }

    #[test]
    fn a_json_lines_file_is_read_in_pieces_as_whole_compressed_or_not() {
        use crate::table::compressed::tests::compress;
        use crate::table::{Compression, Pieces};
        let dir = tempfile::tempdir().unwrap();
        // A blank line, and a key that is empty (its column is named).
        let mut text = String::from("\n{\"id\": -1, \"\": \"x\"}\n");
        for i in 0..500 {
            match i % 4 {
                0 => text.push_str(&format!("{{\"id\": {i}, \"name\": \"n{i}\"}}\n")),
                1 => text.push_str(&format!(
                    "{{\"name\": \"m{i}\", \"id\": {i}, \"late\": true}}\n"
                )),
                2 => text.push('\n'),
                _ => text.push_str(&format!("{{\"id\": {i}}}\n")),
            }
        }
        for (file, bytes) in [
            ("t.jsonl", text.clone().into_bytes()),
            ("t.jsonl.gz", compress(text.as_bytes(), Compression::Gzip)),
        ] {
            let path = dir.path().join(file);
            std::fs::write(&path, &bytes).unwrap();
            let opts = LoadOptions::default();
            let ctl = crate::progress::Control::default();
            let whole = load_path(&path, &opts, ctl).unwrap();
            assert_eq!(
                whole.columns(),
                ["id", "column_2", "name", "late"],
                "{file}"
            );
            let mut pieces = Pieces::open(&path, &opts, 300, ctl).unwrap();
            assert_eq!(pieces.columns(), whole.columns());
            let (mut rows, mut count) = (0, 0);
            while let Some(t) = pieces.next_piece().unwrap() {
                count += 1;
                for r in 0..t.num_rows() {
                    assert_eq!(t.source_row(r), rows as u64);
                    assert_eq!(t.line_of(r), whole.line_of(rows), "{file} row {rows}");
                    for c in 0..t.num_columns() {
                        assert_eq!(t.cell(r, c), whole.cell(rows, c));
                    }
                    rows += 1;
                }
            }
            assert_eq!(rows, whole.num_rows(), "{file}");
            assert_eq!(pieces.info().compression, whole.info().compression);
            assert!(count > 3, "{file}: {count} pieces");
        }
    }
}
