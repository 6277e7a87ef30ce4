//! The JSON Lines reader: one JSON object per line. Its columns are the
//! keys found, in the order they are first seen; a row without a key has
//! an empty cell there. Strings are read as they are, numbers as their
//! shortest text (`1.50` reads `1.5`), `true`/`false` as words, `null` as
//! an empty cell, and arrays and objects as their JSON text. Blank lines
//! are skipped; a line that is not an object is an error naming it.

use super::formats::InputFormat;
use super::source::{Input, Reader};
use super::{Encoding, LoadOptions, SourceInfo, Table, TableBuilder};
use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use serde_json::{Map, Value};

/// Reads JSON Lines (`.jsonl`, `.ndjson`).
pub struct JsonLines;

/// JSON Lines' description in the list of formats.
static JSONL: InputFormat = InputFormat {
    name: "jsonl",
    label: "JSON Lines",
    extensions: &["jsonl", "ndjson"],
    mime_types: &["application/x-ndjson", "application/jsonl"],
    options: &[],
};

impl Reader for JsonLines {
    fn format(&self) -> &'static InputFormat {
        &JSONL
    }

    fn load(&self, input: Input<'_>, _opts: &LoadOptions, ctl: Control<'_>) -> Result<Table> {
        let name = input.name();
        let bytes = input.into_bytes()?;
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let invalid = |line: u64, detail: String| Error::InvalidFile {
            path: name.clone(),
            line: Some(line),
            detail,
        };
        let mut objects: Vec<(u64, Map<String, Value>)> = Vec::new();
        let mut columns: Map<String, Value> = Map::new();
        let mut offset = 0u64;
        for (i, line) in text.split(|&b| b == b'\n').enumerate() {
            let number = i as u64 + 1;
            if i % 8192 == 0 {
                ctl.check()?;
                ctl.report(Phase::Loading, offset, text.len() as u64);
            }
            offset += line.len() as u64 + 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let value: Value = serde_json::from_slice(line)
                .map_err(|e| invalid(number, format!("not JSON: {e}")))?;
            let Value::Object(object) = value else {
                return Err(invalid(number, "is not a JSON object ({...})".into()));
            };
            for key in object.keys() {
                if !columns.contains_key(key) {
                    columns.insert(key.clone(), Value::Null);
                }
            }
            objects.push((number, object));
        }
        if objects.is_empty() {
            return Err(Error::EmptyFile { path: name });
        }
        let names: Vec<String> = columns
            .keys()
            .enumerate()
            .map(|(i, k)| match k.as_str() {
                "" => format!("column_{}", i + 1),
                k => k.to_string(),
            })
            .collect();
        let info = SourceInfo {
            path: name.clone(),
            bytes: bytes.len() as u64,
            format: JSONL.name,
            encoding: Some(Encoding::Utf8),
            delimiter: None,
            has_header: true,
            warnings: Vec::new(),
            compression: None,
            sheet: None,
            sheets: Vec::new(),
        };
        let mut rows = TableBuilder::new(info, names);
        for (row, (line, object)) in objects.iter().enumerate() {
            let cells: Vec<String> = columns.keys().map(|k| cell(object.get(k))).collect();
            let row = u32::try_from(row).map_err(|_| Error::TooManyRows {
                path: name.clone(),
                rows: objects.len() as u64,
            })?;
            rows.push(cells.iter().map(|c| c.as_bytes()), row, *line);
        }
        rows.finish(objects.len() as u64)
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
}
