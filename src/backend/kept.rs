//! The rows a stored result refers to, kept beside it.
//!
//! A session that only references a large file by path loses that file's
//! cells when the file changes or goes, and a result without its cells is
//! a summary with nothing to page or export. So a session that references
//! a file keeps a copy of the rows its result names (the differing rows,
//! usually a small part of the files), as long as they are smaller than the
//! size from which files are referenced: otherwise keeping them would cost
//! the disk that referencing saves.
//!
//! The rows are stored in the result's order (the left rows it names, in
//! its order, then the right ones), so that the result is pointed at them
//! by counting ([`crate::compare::partitioned::in_copies`]) and nothing
//! else needs storing. The layout is plain rather than serde, so that it
//! does not change when the in-memory table does. Rows are laid out as in
//! spill files ([`encode_row`]), in chunks of about a MiB, each read into
//! a [`TableBuilder`], which moves the rows to disk past the room it is
//! given:
//!
//! ```text
//! KEPT_MAGIC, format (u32 LE), head length (u32 LE), head (JSON: [Head; 2], left then right)
//! per side: chunks of rows, each its length (u32 LE) and rows; an empty chunk ends the side
//! ```

use crate::compare::CompareResult;
use crate::error::{Error, Result, Side};
use crate::table::{encode_row, Encoding, InputFormat, SourceInfo, Table, TableBuilder, CSV};
use serde::{Deserialize, Serialize};
use std::io::{self, BufRead, Read, Write};
use std::path::Path;

use super::format::{newer, KEPT_FORMAT, KEPT_MAGIC};

/// Bytes of rows written in one chunk, give or take a row.
const CHUNK: usize = 1 << 20;

/// One side's file as the kept rows describe it.
#[derive(Debug, Serialize, Deserialize)]
struct Head {
    path: String,
    bytes: u64,
    /// The input format's name; rows kept before it was stored are CSV's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<String>,
    encoding: Option<Encoding>,
    delimiter: Option<u8>,
    has_header: bool,
    warnings: Vec<String>,
    columns: Vec<String>,
    /// Data rows in the whole file.
    file_rows: u64,
    /// Rows kept.
    rows: u64,
}

/// Bytes of text in the rows `result` names: what keeping them costs,
/// give or take a few bytes per row and cell.
pub fn kept_bytes(left: &Table, right: &Table, result: &CompareResult) -> u64 {
    let text = |t: &Table, side| -> u64 {
        named(result, side)
            .map(|r| t.row(r as usize).text_len() as u64)
            .sum()
    };
    text(left, Side::Left) + text(right, Side::Right)
}

/// The rows of one side that `result` names, in its order: the rows kept
/// of that side.
pub fn named(result: &CompareResult, side: Side) -> impl Iterator<Item = u32> + '_ {
    result.rows.iter().filter_map(move |r| match side {
        Side::Left => r.left,
        Side::Right => r.right,
    })
}

/// Writes the rows of `left` and `right` that `result` names, in its order.
pub fn write(
    out: &mut dyn Write,
    left: &Table,
    right: &Table,
    result: &CompareResult,
) -> io::Result<()> {
    let head = |t: &Table, rows: usize| {
        let info = t.info();
        Head {
            path: info.path.clone(),
            bytes: info.bytes,
            format: Some(info.format.to_string()),
            encoding: info.encoding,
            delimiter: info.delimiter,
            has_header: info.has_header,
            warnings: info.warnings.clone(),
            columns: t.columns().to_vec(),
            file_rows: t.file_rows(),
            rows: rows as u64,
        }
    };
    let (lefts, rights) = (named(result, Side::Left), named(result, Side::Right));
    let head = serde_json::to_vec(&[head(left, lefts.count()), head(right, rights.count())])?;
    out.write_all(KEPT_MAGIC)?;
    out.write_all(&KEPT_FORMAT.to_le_bytes())?;
    out.write_all(&(head.len() as u32).to_le_bytes())?;
    out.write_all(&head)?;
    let mut chunk = Vec::new();
    for (table, side) in [(left, Side::Left), (right, Side::Right)] {
        for row in named(result, side) {
            encode_row(&mut chunk, table, row as usize);
            if chunk.len() >= CHUNK {
                write_chunk(out, &mut chunk)?;
            }
        }
        write_chunk(out, &mut chunk)?;
        // An empty chunk ends the side.
        write_chunk(out, &mut chunk)?;
    }
    Ok(())
}

/// Writes `chunk` with its length before it, and empties it.
fn write_chunk(out: &mut dyn Write, chunk: &mut Vec<u8>) -> io::Result<()> {
    let len = u32::try_from(chunk.len()).map_err(io::Error::other)?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(chunk)?;
    chunk.clear();
    Ok(())
}

/// Reads kept rows back as two tables (left, right), holding up to
/// `memory_bytes` of them in memory and the rest in unnamed files in `dir`.
/// `len` is the stored size, which no length inside can exceed; `blob`
/// names the rows in errors.
pub fn read(
    src: &mut impl BufRead,
    len: u64,
    dir: &Path,
    memory_bytes: usize,
    blob: &str,
) -> Result<(Table, Table)> {
    let damaged =
        |detail: String| Error::storage(format!("the kept rows {blob} cannot be read: {detail}"));
    let io_error = |e: io::Error| damaged(e.to_string());
    let mut magic = [0u8; 4];
    src.read_exact(&mut magic).map_err(io_error)?;
    if &magic != KEPT_MAGIC {
        return Err(damaged("they do not start as kept rows do".into()));
    }
    let format = read_u32(src).map_err(io_error)?;
    if format > KEPT_FORMAT {
        return Err(newer(
            format!("the kept rows {blob}"),
            u64::from(format),
            KEPT_FORMAT,
        ));
    }
    let head_len = u64::from(read_u32(src).map_err(io_error)?);
    if head_len > len {
        return Err(damaged(format!("a head of {head_len} bytes in {len}")));
    }
    let mut head = vec![0u8; head_len as usize];
    src.read_exact(&mut head).map_err(io_error)?;
    let [left, right]: [Head; 2] =
        serde_json::from_slice(&head).map_err(|e| damaged(format!("its head: {e}")))?;
    let mut room = memory_bytes;
    let mut chunk = Vec::new();
    let mut side = |head: Head| -> Result<Table> {
        let info = SourceInfo {
            path: head.path,
            bytes: head.bytes,
            format: InputFormat::named(head.format.as_deref().unwrap_or(CSV))
                .map_or(CSV, |f| f.name),
            encoding: head.encoding,
            delimiter: head.delimiter,
            has_header: head.has_header,
            warnings: head.warnings,
            compression: None,
            sheet: None,
            sheets: Vec::new(),
        };
        let mut builder = TableBuilder::new(info, head.columns);
        loop {
            let n = u64::from(read_u32(src).map_err(io_error)?);
            if n == 0 {
                break;
            }
            if n > len {
                return Err(damaged(format!("a chunk of {n} bytes in {len}")));
            }
            chunk.resize(n as usize, 0);
            src.read_exact(&mut chunk).map_err(io_error)?;
            builder
                .push_encoded(&chunk)
                .ok_or_else(|| damaged("a row is cut short".into()))?;
            if !builder.on_disk() && builder.heap_bytes() > room {
                builder.move_to_disk(dir)?;
            }
        }
        if builder.num_rows() as u64 != head.rows {
            let found = builder.num_rows();
            return Err(damaged(format!(
                "{found} rows where {} were kept",
                head.rows
            )));
        }
        room = room.saturating_sub(builder.heap_bytes());
        builder.finish(head.file_rows)
    };
    let left = side(left)?;
    let right = side(right)?;
    Ok((left, right))
}

fn read_u32(src: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    src.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{
        compare_as_configured, partitioned::in_copies, ColumnPair, CompareConfig,
    };
    use crate::progress::Control;
    use crate::table::{load_bytes, LoadOptions};

    fn table(text: &str, name: &str) -> Table {
        load_bytes(name, text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
    }

    /// Every cell of the rows a result names, as (source row, line, cells).
    fn named_rows(
        left: &Table,
        right: &Table,
        result: &CompareResult,
    ) -> Vec<(u64, u64, Vec<String>)> {
        let row = |t: &Table, r: u32| {
            let r = r as usize;
            let cells = (0..t.num_columns())
                .map(|c| t.cell(r, c).to_string())
                .collect();
            (t.source_row(r), t.line_of(r), cells)
        };
        result
            .rows
            .iter()
            .flat_map(|d| [d.left.map(|l| row(left, l)), d.right.map(|r| row(right, r))])
            .flatten()
            .collect()
    }

    fn kept_and_read(
        left: &Table,
        right: &Table,
        result: &CompareResult,
        room: usize,
    ) -> (Table, Table) {
        let mut bytes = Vec::new();
        write(&mut bytes, left, right, result).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let len = bytes.len() as u64;
        read(&mut bytes.as_slice(), len, dir.path(), room, "b").unwrap()
    }

    #[test]
    fn kept_rows_read_back_as_the_rows_the_result_names() {
        let wide = "w".repeat(70_000);
        let left = table(
            &format!(
                "id,name,note\n1,Ann,\"a, b\"\n2,Bob,same\n3,Cy,\"two\nlines\"\n4,Di,{wide}\n"
            ),
            "left.csv",
        );
        let right = table(
            &format!("id,name,note\n2,Bob,same\n1,Ann,\"a; b\"\n5,Ed,new\n4,Di,{wide}x\n"),
            "right.csv",
        );
        let config = CompareConfig {
            keys: vec![ColumnPair::new("id", "id")],
            ..CompareConfig::default()
        };
        let result = compare_as_configured(&left, &right, &config, Control::default()).unwrap();
        let expected = named_rows(&left, &right, &result);
        assert!(expected.len() >= 5, "{expected:?}");
        let dir = tempfile::tempdir().unwrap();
        let copied = in_copies(&result, dir.path()).unwrap();
        // In memory, on disk from the first row, and with room for part.
        for room in [usize::MAX, 0, 200] {
            let (kl, kr) = kept_and_read(&left, &right, &result, room);
            assert_eq!(named_rows(&kl, &kr, &copied), expected, "room {room}");
            assert_eq!(kl.describe(), left.describe());
            assert_eq!(kr.describe(), right.describe());
            assert_eq!(kl.on_disk(), room != usize::MAX);
        }
        assert!(kept_bytes(&left, &right, &result) > 140_000);
    }

    #[test]
    fn damaged_kept_rows_are_refused_with_a_message() {
        let left = table("id,v\n1,a\n", "l.csv");
        let right = table("id,v\n1,b\n", "r.csv");
        let result =
            compare_as_configured(&left, &right, &CompareConfig::default(), Control::default())
                .unwrap();
        let mut bytes = Vec::new();
        write(&mut bytes, &left, &right, &result).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let read_back = |b: &[u8]| {
            let mut src = b;
            read(&mut src, b.len() as u64, dir.path(), 1 << 20, "h1").unwrap_err()
        };
        let e = read_back(&bytes[..bytes.len() - 1]);
        assert!(e.to_string().contains("kept rows h1"), "{e}");
        let e = read_back(b"PK\x03\x04 a zip file");
        assert!(
            e.to_string().contains("do not start as kept rows do"),
            "{e}"
        );
        let mut newer = bytes.clone();
        newer[4..8].copy_from_slice(&(KEPT_FORMAT + 1).to_le_bytes());
        assert_eq!(read_back(&newer).code(), "newer_format");
    }
}
