//! Opening a comparison made on Apache Spark (`concord.spark`, or
//! `concord compare --engine spark`) as a session, whose differing rows can
//! be paged, filtered, searched and exported like any other.
//!
//! Spark writes a folder: `manifest.json` (the Concord version, the
//! configuration every partition compared with, the inputs, the summary and
//! per-column counts) and `rows/`, Parquet files holding the differing rows
//! in the CSV export's layout, in the local engine's order.
//!
//! The rows become the session's *kept rows*, as for a session whose
//! referenced files are gone: a left table of the rows with a left side and
//! a right table of those with a right side, each with the key's and the
//! compared columns, in order. The local engine then compares these two
//! tables again with the same configuration, which gives the result's rows
//! and changed cells exactly (every row in them differs, and nothing else
//! is there to pair with); the summary and column counts are the
//! manifest's, which count the whole inputs.
//!
//! The inputs stay where they are. Each side is recorded as a referenced
//! file whose `blob` is `spark:` and a hash of the manifest, which no file
//! hashes to: every release's check of a referenced file fails on it, so
//! older releases, too, open the session as one whose files are gone and
//! show its kept rows. No stored format changes.

use super::session::{Event, FileRef, InputRef, ResultRef};
use super::store::SessionStore;
use crate::compare::{ColumnStats, CompareConfig, CompareResult, RowStatus, Summary};
use crate::error::{Error, Result, Side};
use crate::progress::Control;
use crate::table::{InputFormat, LoadOptions, SourceInfo, Table, TableBuilder};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// What `concord.spark` writes beside the rows.
#[derive(Debug, Deserialize)]
struct Manifest {
    /// The version of Concord that compared.
    concord: String,
    /// The configuration every partition compared with.
    configuration: CompareConfig,
    /// The inputs as they were given (a path or URL, or `DataFrame`).
    inputs: Sides<String>,
    /// Whether each side's rows carry line numbers.
    #[serde(default)]
    lines: Option<Sides<bool>>,
    /// How many partitions were compared.
    #[serde(default)]
    partitions: u64,
    /// Counts over the whole inputs.
    summary: Summary,
    /// Per compared column pair, its counts over the whole inputs.
    columns: Vec<ColumnStats>,
    /// The folder of the rows, relative to the manifest.
    rows: String,
}

/// A value per side, as the manifest writes it.
#[derive(Debug, Deserialize)]
struct Sides<T> {
    left: T,
    right: T,
}

/// The most a manifest may weigh: it is configuration and counts.
const MANIFEST_LIMIT: u64 = 16 << 20;

/// How an input compared on Spark is marked (see the module notes).
const SPARK_BLOB: &str = "spark:";

/// Whether `input` is a side of a comparison made on Spark.
pub(crate) fn is_spark_input(input: &InputRef) -> bool {
    input.blob.starts_with(SPARK_BLOB)
}

/// Why a side compared on Spark cannot be read again.
pub(crate) const SPARK_DETAIL: &str = crate::error::COMPARED_ON_SPARK;

fn invalid(path: &Path, detail: String) -> Error {
    Error::InvalidFile {
        path: path.display().to_string(),
        line: None,
        detail,
    }
}

fn read_manifest(dir: &Path) -> Result<(Manifest, String)> {
    let path = dir.join("manifest.json");
    let meta = std::fs::metadata(&path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    if meta.len() > MANIFEST_LIMIT {
        return Err(invalid(
            &path,
            format!("is {} bytes: a manifest is at most 16 MiB", meta.len()),
        ));
    }
    let text = std::fs::read(&path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| {
        invalid(
            &path,
            format!("is not the manifest of a Concord result on Spark: {e}"),
        )
    })?;
    let hash = blake3::hash(&text).to_hex().to_string();
    Ok((manifest, hash))
}

/// The Parquet files of the rows, in name order (which is row order), as
/// Spark names them; its marker and checksum files are skipped.
fn row_files(dir: &Path, manifest: &Manifest) -> Result<Vec<PathBuf>> {
    let rows = Path::new(&manifest.rows);
    if rows.is_absolute()
        || rows
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(invalid(
            &dir.join("manifest.json"),
            format!(
                "names its rows '{}', which is not a folder inside it",
                manifest.rows
            ),
        ));
    }
    let folder = dir.join(rows);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map_err(|source| Error::Read {
            path: folder.display().to_string(),
            source,
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with(['_', '.']) && name.ends_with(".parquet")
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The header the rows have: the CSV export's for these keys and columns.
fn expected_header(config: &CompareConfig, columns: &[ColumnStats]) -> Vec<String> {
    let mut header = vec!["status".to_string()];
    header.extend(
        config
            .keys
            .iter()
            .map(|k| crate::compare::pair_label(&k.left, &k.right)),
    );
    header.extend(["left_line", "right_line", "changed_columns"].map(String::from));
    for c in columns {
        header.push(format!("left:{}", c.left));
        header.push(format!("right:{}", c.right));
    }
    header
}

/// Reads the rows into the two kept tables.
fn kept_tables(
    store: &SessionStore,
    manifest: &Manifest,
    files: &[PathBuf],
    ctl: Control<'_>,
) -> Result<(Table, Table)> {
    let keys = &manifest.configuration.keys;
    let names = |side: Side| -> Vec<String> {
        let pick = |l: &String, r: &String| match side {
            Side::Left => l.clone(),
            Side::Right => r.clone(),
        };
        keys.iter()
            .map(|k| pick(&k.left, &k.right))
            .chain(manifest.columns.iter().map(|c| pick(&c.left, &c.right)))
            .collect()
    };
    let info = |given: &str| {
        let format = InputFormat::of_path(Path::new(given)).map_or(crate::table::CSV, |f| f.name);
        SourceInfo::new(given, format)
    };
    let mut builders = [
        TableBuilder::new(info(&manifest.inputs.left), names(Side::Left)),
        TableBuilder::new(info(&manifest.inputs.right), names(Side::Right)),
    ];
    let header = expected_header(&manifest.configuration, &manifest.columns);
    let nk = keys.len();
    let pairs = manifest.columns.len();
    let room = store.memory_limit().limits().result_bytes / 2;
    let options = LoadOptions {
        format: Some("parquet".into()),
        ..LoadOptions::default()
    };
    for file in files {
        ctl.check()?;
        let part = crate::table::load_path(file, &options, ctl)?;
        if part.columns() != header.as_slice() {
            return Err(invalid(
                file,
                format!(
                    "has the columns {}, not those of the manifest's comparison ({})",
                    part.columns().join(", "),
                    header.join(", ")
                ),
            ));
        }
        for r in 0..part.num_rows() {
            let status = RowStatus::from_name(part.cell(r, 0)).ok_or_else(|| {
                invalid(
                    file,
                    format!("row {}: '{}' is not a row status", r + 1, part.cell(r, 0)),
                )
            })?;
            let line = |c: usize| -> Result<u64> {
                match part.cell(r, c) {
                    "" => Ok(0),
                    n => n.parse().map_err(|_| {
                        invalid(file, format!("row {}: '{n}' is not a line number", r + 1))
                    }),
                }
            };
            let (left_line, right_line) = (line(1 + nk)?, line(2 + nk)?);
            let cell = |side: Side, p: usize| -> &str {
                part.cell(r, 4 + nk + 2 * p + usize::from(side == Side::Right))
            };
            let sides: &[Side] = match status {
                RowStatus::Changed => &[Side::Left, Side::Right],
                RowStatus::OnlyLeft => &[Side::Left],
                RowStatus::OnlyRight => &[Side::Right],
                // A repeated key's row is on one side: the one with a line,
                // else the one with cells (left when it has none at all).
                RowStatus::Duplicate => {
                    let has = |side: Side| (0..pairs).any(|p| !cell(side, p).is_empty());
                    if left_line > 0 || (right_line == 0 && (has(Side::Left) || !has(Side::Right)))
                    {
                        &[Side::Left]
                    } else {
                        &[Side::Right]
                    }
                }
            };
            for &side in sides {
                let b = &mut builders[usize::from(side == Side::Right)];
                let key = (0..nk).map(|k| part.cell(r, 1 + k).as_bytes());
                let values = (0..pairs).map(|p| cell(side, p).as_bytes());
                let row = b.num_rows() as u32;
                let at = if side == Side::Left {
                    left_line
                } else {
                    right_line
                };
                b.push(key.chain(values), row, at);
                if !b.on_disk() && b.heap_bytes() > room {
                    b.move_to_disk(store.dir())?;
                }
            }
        }
    }
    let [l, r] = builders;
    Ok((
        l.finish(manifest.summary.left_rows)?,
        r.finish(manifest.summary.right_rows)?,
    ))
}

/// Compares the kept tables again and checks the rows against the
/// manifest's counts; the result then counts what the manifest counts.
fn result_of(
    manifest: &Manifest,
    (left, right): (&Table, &Table),
    dir: &Path,
    from: &str,
    ctl: Control<'_>,
) -> Result<CompareResult> {
    // Only the key, the compared pairs and their rules apply to these rows.
    let mut config = manifest.configuration.clone();
    config.ignore.clear();
    config
        .column_rules
        .retain(|name, _| left.column_index(name).is_some() || right.column_index(name).is_some());
    let mut result = crate::compare::compare_as_configured(left, right, &config, ctl)?;
    let (s, want) = (&result.summary, &manifest.summary);
    let counts = [
        ("changed", s.changed, want.changed),
        ("only_left", s.only_left, want.only_left),
        ("only_right", s.only_right, want.only_right),
        (
            "duplicate_keys_left",
            s.duplicate_keys_left,
            want.duplicate_keys_left,
        ),
        (
            "duplicate_keys_right",
            s.duplicate_keys_right,
            want.duplicate_keys_right,
        ),
    ];
    if let Some((what, found, said)) = counts.into_iter().find(|(_, f, w)| f != w) {
        return Err(invalid(
            &dir.join(&manifest.rows),
            format!(
                "holds rows that count {found} {what} where the manifest counts {said}: \
                 the folder is incomplete or not the one the manifest describes"
            ),
        ));
    }
    let same_pairs = result.pairs.len() == manifest.columns.len()
        && result
            .pairs
            .iter()
            .zip(&manifest.columns)
            .all(|(p, c)| p.left == c.left && p.right == c.right);
    if !same_pairs {
        return Err(invalid(
            &dir.join("manifest.json"),
            "lists compared columns its rows do not pair the same way".into(),
        ));
    }
    result.summary = manifest.summary.clone();
    result.columns = manifest.columns.clone();
    result.notes = vec![note(manifest, from)];
    Ok(result)
}

fn note(manifest: &Manifest, from: &str) -> String {
    let lines = manifest
        .lines
        .as_ref()
        .map_or((false, false), |l| (l.left, l.right));
    let lines = match lines {
        (true, true) => "Rows carry their line numbers.",
        (false, false) => "Rows have no line numbers: their key identifies them.",
        (true, false) => "Left rows carry their line numbers; right rows have none.",
        (false, true) => "Right rows carry their line numbers; left rows have none.",
    };
    format!(
        "compared on Apache Spark by Concord {} in {} partitions, imported from {from}. {lines}",
        manifest.concord, manifest.partitions,
    )
}

/// Opens the result of a comparison made on Spark, in the folder `dir`,
/// as a new session; returns its id. `name` names it, given the inputs;
/// `from` says where the folder came from (its path, or an upload).
/// The session is left on disk, not in memory. A folder that is not such a
/// result, or whose rows disagree with its manifest, is refused with
/// nothing created.
pub(crate) fn import_result(
    store: &SessionStore,
    dir: &Path,
    from: &str,
    name: impl FnOnce(&str, &str) -> Result<String>,
    ctl: Control<'_>,
) -> Result<String> {
    let (manifest, hash) = read_manifest(dir)?;
    if manifest.configuration.keys.is_empty() {
        return Err(invalid(
            &dir.join("manifest.json"),
            "names no key: Spark compares by key".into(),
        ));
    }
    let files = row_files(dir, &manifest)?;
    let (left, right) = kept_tables(store, &manifest, &files, ctl)?;
    let result = result_of(&manifest, (&left, &right), dir, from, ctl)?;
    crate::plan::check_space(
        store.dir(),
        (left.heap_bytes() + right.heap_bytes()) as u64 * 2 + (16 << 20),
    )?;
    let result_blob = store.write_result(&result)?;
    let kept = store.write_kept(&left, &right, &result)?;
    let input = |given: &str| InputRef {
        blob: format!("{SPARK_BLOB}{hash}"),
        name: given.to_string(),
        bytes: 0,
        options: LoadOptions::default(),
        reference: Some(FileRef {
            path: given.to_string(),
            modified_ns: i64::MIN,
        }),
    };
    let name = name(&manifest.inputs.left, &manifest.inputs.right)?;
    let created = store.create(&name)?;
    let id = created.id.clone();
    let made = store.with_session_mut(&id, |store, d| {
        for (side, given) in [
            (Side::Left, &manifest.inputs.left),
            (Side::Right, &manifest.inputs.right),
        ] {
            let input = input(given);
            store.commit(d, Event::Loaded { side, input })?;
        }
        let config = manifest.configuration.clone();
        store.commit(d, Event::ConfigSet { config })?;
        let result = ResultRef {
            blob: result_blob.clone(),
            data_revision: d.state.data_revision,
            summary: manifest.summary.clone(),
            kept_rows: Some(kept.clone()),
        };
        store.commit(d, Event::Compared { result }).map(|_| ())
    });
    let closed = made.and_then(|()| store.close(&id));
    if let Err(e) = closed {
        // Leave no half-made session behind.
        let _ = store.delete(&id);
        return Err(e);
    }
    Ok(id)
}

/// The first line of a result folder sent as one stream (what the browser
/// uploads): then, per file, a line of JSON `{"name": N, "bytes": B}` and
/// its `B` bytes. `N` is `manifest.json` or `rows/` and a Parquet file's
/// name; nothing else is kept.
pub const UPLOAD_MAGIC: &str = "CONCORD-RESULT 1";

/// The head of one file in an upload.
#[derive(Deserialize)]
struct UploadedFile {
    name: String,
    bytes: u64,
}

/// Writes the files of an upload (see [`UPLOAD_MAGIC`]) into `dir`, up
/// to `limit` bytes of files in all.
pub(crate) fn receive_upload(
    mut input: impl std::io::Read,
    dir: &Path,
    limit: Option<u64>,
) -> Result<()> {
    use std::io::{BufRead, Read};
    let bad = |detail: String| Error::InvalidFile {
        path: "the uploaded result".into(),
        line: None,
        detail,
    };
    let read_error = |source| Error::Read {
        path: "the uploaded result".into(),
        source,
    };
    let mut input = std::io::BufReader::new(&mut input);
    let mut line = String::new();
    let head = |input: &mut std::io::BufReader<_>, line: &mut String| -> Result<bool> {
        line.clear();
        let n = input
            .by_ref()
            .take(64 << 10)
            .read_line(line)
            .map_err(read_error)?;
        Ok(n > 0)
    };
    if !head(&mut input, &mut line)? || line.trim_end() != UPLOAD_MAGIC {
        return Err(bad(format!(
            "does not start with '{UPLOAD_MAGIC}': send the folder as the app does"
        )));
    }
    std::fs::create_dir_all(dir.join("rows")).map_err(|source| Error::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let mut total = 0u64;
    while head(&mut input, &mut line)? {
        let file: UploadedFile = serde_json::from_str(line.trim_end())
            .map_err(|e| bad(format!("a file's head is not readable: {e}")))?;
        total += file.bytes;
        if let Some(limit) = limit.filter(|&l| total > l) {
            return Err(Error::TooLarge {
                path: "the uploaded result".into(),
                limit,
            });
        }
        let target = upload_target(&file.name)
            .ok_or_else(|| bad(format!("'{}' is not a file of a result", file.name)))?;
        let path = dir.join(target);
        let mut out = std::fs::File::create(&path).map_err(|source| Error::Write {
            path: path.display().to_string(),
            source,
        })?;
        let copied =
            std::io::copy(&mut input.by_ref().take(file.bytes), &mut out).map_err(read_error)?;
        if copied != file.bytes {
            return Err(bad(format!(
                "ends inside '{}' ({copied} of its {} bytes)",
                file.name, file.bytes
            )));
        }
    }
    Ok(())
}

/// Where an uploaded file goes in the result folder, if it is one of its
/// files: its name is never a path on this machine.
fn upload_target(name: &str) -> Option<PathBuf> {
    if name == "manifest.json" {
        return Some(PathBuf::from(name));
    }
    let file = name.strip_prefix("rows/")?;
    let plain = !file.is_empty()
        && !file.starts_with(['.', '_'])
        && file.ends_with(".parquet")
        && !file.contains(['/', '\\'])
        && !file.chars().any(char::is_control);
    plain.then(|| Path::new("rows").join(file))
}
