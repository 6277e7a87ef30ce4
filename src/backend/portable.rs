//! Moving sessions between data directories and machines.
//!
//! A session exports to one file: a first line `CONCORD-SESSION 1` (the
//! format version, see [`super::format`]), a line
//! of JSON naming the session's state and its blobs with their sizes, then
//! the blobs' bytes one after another. Importing checks every blob against
//! its hash and recreates the session under a new id.
//!
//! Sessions can also be imported from a folder of JSON Lines event logs, one
//! file per session, one event per line, in the form the event log stores
//! (`{"kind": "created", "name": ...}`, `{"kind": "config_set", ...}`), where
//! a `loaded` event may name a CSV file by `"path"` (relative to the folder)
//! instead of a stored `"input"`.

use super::format::{newer, PORTABLE_FORMAT};
use super::session::{Event, InputRef, ResultRef, SessionState};
use super::store::SessionStore;
use crate::compare::CompareConfig;
use crate::error::{Error, Result, Side};
use crate::progress::Control;
use crate::table::LoadOptions;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

/// The first word of a portable file; its version follows.
const MAGIC: &str = "CONCORD-SESSION";

#[derive(Serialize, Deserialize)]
struct Manifest {
    state: SessionState,
    blobs: Vec<BlobEntry>,
}

#[derive(Serialize, Deserialize)]
struct BlobEntry {
    hash: String,
    bytes: u64,
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Writes session `id` to the portable file `path` (atomically).
pub(crate) fn export_session(store: &SessionStore, id: &str, path: &Path) -> Result<()> {
    let mut state = store.read_state(id)?;
    let blobs = store.blobs();
    // A file the session references by path travels inside the portable
    // file like a stored one, and the imported session keeps a copy: the
    // path would mean nothing on another machine.
    let mut referenced = Vec::new();
    for input in [&mut state.left, &mut state.right].into_iter().flatten() {
        if let Some(r) = input.reference.take() {
            super::intake::check_reference(input, &r)?;
            referenced.push((input.blob.clone(), std::path::PathBuf::from(r.path)));
        }
    }
    // The imported session keeps copies of its files, so it needs no copy
    // of the result's rows (and the file stays readable by releases that
    // keep none).
    if let Some(r) = &mut state.result {
        r.kept_rows = None;
    }
    // Every blob, with the file its bytes are read from.
    let mut entries = Vec::new();
    let mut sources = Vec::new();
    for hash in state.blobs() {
        let source = match referenced.iter().find(|(h, _)| h == hash) {
            Some((_, path)) => path.clone(),
            None => {
                blobs.verify(hash)?;
                blobs.path(hash)
            }
        };
        let bytes = std::fs::metadata(&source)
            .map_err(|e| Error::storage_from("cannot read a stored file", e))?
            .len();
        entries.push(BlobEntry {
            hash: hash.to_string(),
            bytes,
        });
        sources.push(source);
    }
    let file = crate::export::OutputFile::create(path).map_err(write_err(path))?;
    {
        let mut out = std::io::BufWriter::new(file.file());
        let manifest = Manifest {
            state,
            blobs: entries,
        };
        let text = serde_json::to_string(&manifest)
            .map_err(|e| Error::storage_from("cannot encode the session", e))?;
        // A session with no file read by a reader other than CSV's is
        // written as 3, which releases before named formats import; one
        // with no compressed file as 4, one without choices as 5.
        let version = match manifest.state.format() {
            8.. => PORTABLE_FORMAT,
            7 => 5,
            5 | 6 => 4,
            _ => 3,
        };
        writeln!(out, "{MAGIC} {version}\n{text}").map_err(write_err(path))?;
        for source in &sources {
            let mut f = std::fs::File::open(source)
                .map_err(|e| Error::storage_from("cannot read a stored file", e))?;
            std::io::copy(&mut f, &mut out).map_err(write_err(path))?;
        }
        out.flush().map_err(write_err(path))?;
    }
    file.commit().map_err(write_err(path))?;
    Ok(())
}

/// Reads a portable session file into the store as a new session.
/// Returns the new session's id; the session is on disk, not in memory.
pub(crate) fn import_session(store: &SessionStore, path: &Path) -> Result<String> {
    let shown = path.display().to_string();
    let bad = |detail: String| Error::InvalidFile {
        path: shown.clone(),
        line: None,
        detail: format!("it is not a Concord session file: {detail}"),
    };
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: shown.clone(),
        source,
    })?;
    let mut input = BufReader::new(file);
    let mut line = String::new();
    input.read_line(&mut line).map_err(|source| Error::Read {
        path: shown.clone(),
        source,
    })?;
    let version = line
        .trim_end()
        .strip_prefix(MAGIC)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| bad("it does not start with the Concord header".into()))?;
    if version > u64::from(PORTABLE_FORMAT) {
        return Err(newer(format!("'{shown}'"), version, PORTABLE_FORMAT));
    }
    line.clear();
    input.read_line(&mut line).map_err(|source| Error::Read {
        path: shown.clone(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_str(&line)
        .map_err(|e| bad(format!("its description cannot be read: {e}")))?;
    let blobs = store.blobs();
    if let Some(missing) = manifest
        .state
        .blobs()
        .into_iter()
        .find(|h| !manifest.blobs.iter().any(|b| b.hash == *h) && !blobs.contains(h))
    {
        return Err(bad(format!(
            "its session needs the stored file {missing}, which the file does not hold"
        )));
    }
    for b in &manifest.blobs {
        let (hash, size) = blobs.put_reader(&mut input, b.bytes, b.bytes, Control::default())?;
        if size != b.bytes || hash != b.hash {
            return Err(bad(format!(
                "stored file {} is truncated or damaged",
                b.hash
            )));
        }
    }
    let mut extra = [0u8; 1];
    if input.read(&mut extra).map_err(|source| Error::Read {
        path: shown.clone(),
        source,
    })? != 0
    {
        return Err(bad("it has bytes after its last stored file".into()));
    }
    replay(store, &manifest.state)
}

/// Recreates a session from a folded state, as events under a new id;
/// returns the id. The session is left on disk, not in memory.
pub(crate) fn replay(store: &SessionStore, state: &SessionState) -> Result<String> {
    let created = store.create(&state.name)?;
    let id = created.id.clone();
    store.with_session_mut(&id, |store, d| {
        for (side, input) in [(Side::Left, &state.left), (Side::Right, &state.right)] {
            if let Some(input) = input {
                store.commit(
                    d,
                    Event::Loaded {
                        side,
                        input: input.clone(),
                    },
                )?;
            }
        }
        if state.config != CompareConfig::default() {
            store.commit(
                d,
                Event::ConfigSet {
                    config: state.config.clone(),
                },
            )?;
        }
        if let Some(r) = state.current_result() {
            let result = ResultRef {
                data_revision: d.state.data_revision,
                ..r.clone()
            };
            store.commit(d, Event::Compared { result })?;
            // Choices are about the current result: they go with it.
            for choice in &state.choices {
                store.commit(
                    d,
                    Event::Chose {
                        choice: choice.clone(),
                    },
                )?;
            }
        }
        Ok(())
    })?;
    // The next use loads the files and result from the store, as for any
    // reopened session.
    store.close(&id)?;
    Ok(id)
}

/// One line of a JSON Lines event log.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum LogLine {
    Created {
        name: String,
    },
    Renamed {
        name: String,
    },
    Loaded {
        side: Side,
        #[serde(default)]
        path: Option<String>,
        #[serde(default)]
        input: Option<InputRef>,
        #[serde(default)]
        options: Option<LoadOptions>,
    },
    ConfigSet {
        config: CompareConfig,
    },
    Compared {
        result: ResultRef,
    },
    Chose {
        choice: super::reconcile::Choice,
    },
}

/// Imports every `*.jsonl` event log in `dir` as a session; returns their
/// ids (the sessions are on disk, not in memory). A log whose `compared`
/// result is not stored here is imported without it (compare again to
/// recreate it).
pub(crate) fn import_jsonl_dir(store: &SessionStore, dir: &Path) -> Result<Vec<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|source| Error::Read {
            path: dir.display().to_string(),
            source,
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let mut id = None;
        match import_jsonl(store, &file, dir, &mut id) {
            Ok(()) => out.extend(id),
            Err(e) => {
                // Leave no half-imported session behind.
                if let Some(id) = id {
                    let _ = store.delete(&id);
                }
                return Err(e);
            }
        }
    }
    Ok(out)
}

/// Replays one JSON Lines log into a new session, whose id is put in `id`
/// as soon as it exists (so that a failure can remove it).
fn import_jsonl(
    store: &SessionStore,
    file: &Path,
    dir: &Path,
    id: &mut Option<String>,
) -> Result<()> {
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|source| Error::Read {
        path: shown.clone(),
        source,
    })?;
    // The tables loaded so far, to check configurations against.
    let mut tables: [Option<crate::table::Table>; 2] = [None, None];
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = |detail: String| Error::InvalidFile {
            path: shown.clone(),
            line: Some(n as u64 + 1),
            detail,
        };
        let parsed: LogLine =
            serde_json::from_str(line).map_err(|e| at(format!("not an event: {e}")))?;
        let session = match (&*id, &parsed) {
            (None, LogLine::Created { name }) => {
                *id = Some(store.create(name)?.id);
                continue;
            }
            (None, _) => return Err(at("the first event must be \"created\"".into())),
            (Some(id), _) => id.clone(),
        };
        let commit = |event: Event| {
            store.with_session_mut(&session, |store, d| store.commit(d, event).map(|_| ()))
        };
        let slot = |side: Side| match side {
            Side::Left => 0,
            Side::Right => 1,
        };
        match parsed {
            LogLine::Created { .. } => return Err(at("a second \"created\" event".into())),
            LogLine::Renamed { name } => {
                store.commit_state_only(&session, Event::Renamed { name })?;
            }
            LogLine::Loaded {
                side,
                path: Some(p),
                options,
                ..
            } => {
                let options = options.unwrap_or_default();
                let (input, table) = store
                    .store_file(&dir.join(p), &options, Control::default())
                    .map_err(|e| at(e.to_string()))?;
                commit(Event::Loaded { side, input })?;
                tables[slot(side)] = Some(table);
            }
            LogLine::Loaded {
                side,
                input: Some(input),
                ..
            } => {
                if input.reference.is_none() && !store.blobs().contains(&input.blob) {
                    return Err(at(format!(
                        "the file '{}' is not stored here; give its \"path\" instead",
                        input.name
                    )));
                }
                let table = store.load_input(&input, Control::default())?;
                commit(Event::Loaded { side, input })?;
                tables[slot(side)] = Some(table);
            }
            LogLine::Loaded { .. } => {
                return Err(at(
                    "a \"loaded\" event needs a \"path\" or an \"input\"".into()
                ))
            }
            LogLine::ConfigSet { config } => {
                config
                    .check(tables[0].as_ref(), tables[1].as_ref())
                    .map_err(|e| at(e.to_string()))?;
                commit(Event::ConfigSet { config })?;
            }
            LogLine::Compared { result } => {
                if store.blobs().contains(&result.blob) {
                    store.with_session_mut(&session, |store, d| {
                        let result = ResultRef {
                            data_revision: d.state.data_revision,
                            kept_rows: result.kept_rows.filter(|k| store.blobs().contains(k)),
                            ..result
                        };
                        store.commit(d, Event::Compared { result }).map(|_| ())
                    })?;
                }
            }
            LogLine::Chose { choice } => {
                // As recorded: one that does not fit the result counts for
                // nothing (see `Decisions::of`).
                commit(Event::Chose { choice })?;
            }
        }
    }
    let Some(id) = id.clone() else {
        return Err(Error::InvalidFile {
            path: shown,
            line: None,
            detail: "it holds no events".into(),
        });
    };
    store.close(&id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::models::PageQuery;
    use crate::backend::tests::compared;
    use crate::backend::Workflow;

    /// Folders for two data directories and the files between them.
    struct Dirs {
        a: tempfile::TempDir,
        b: tempfile::TempDir,
        files: tempfile::TempDir,
    }

    /// A compared session in a first data directory, exported to a file.
    fn exported() -> (Dirs, Workflow, String, std::path::PathBuf) {
        let dirs = Dirs {
            a: tempfile::tempdir().unwrap(),
            b: tempfile::tempdir().unwrap(),
            files: tempfile::tempdir().unwrap(),
        };
        let wa = Workflow::open(dirs.a.path()).unwrap();
        let id = compared(&wa);
        let file = dirs.files.path().join("s.concord");
        wa.export_session(&id, &file).unwrap();
        (dirs, wa, id, file)
    }

    #[test]
    fn a_session_moves_to_another_data_directory() {
        let (dirs, wa, id, file) = exported();
        let wb = Workflow::open(dirs.b.path()).unwrap();
        let imported = wb.import_session(&file).unwrap();
        let original = wa.session(&id).unwrap();
        assert_ne!(imported.id, id);
        assert_eq!(imported.name, original.name);
        assert_eq!(imported.summary, original.summary);
        assert_eq!(imported.config, original.config);
        let q = PageQuery::default();
        let (pa, pb) = (
            wa.page(&id, &q, Control::default()).unwrap(),
            wb.page(&imported.id, &q, Control::default()).unwrap(),
        );
        assert_eq!(pa, pb);
        assert_eq!(pb.total, 4);
    }

    #[test]
    fn damaged_session_files_are_refused_and_add_nothing() {
        let (dirs, _, _, file) = exported();
        let files = &dirs.files;
        let bytes = std::fs::read(&file).unwrap();
        let wb = Workflow::open(dirs.b.path()).unwrap();
        for cut in [5, bytes.len() / 2, bytes.len() - 1] {
            let broken = files.path().join(format!("cut{cut}.concord"));
            std::fs::write(&broken, &bytes[..cut]).unwrap();
            let e = wb.import_session(&broken).unwrap_err();
            assert!(e.to_string().contains("not a Concord session file"), "{e}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 2;
        flipped[last] ^= 1;
        std::fs::write(files.path().join("flip.concord"), &flipped).unwrap();
        let e = wb
            .import_session(&files.path().join("flip.concord"))
            .unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        assert!(wb.list_sessions().unwrap().is_empty());
    }

    #[test]
    fn sessions_import_from_a_folder_of_jsonl_logs() {
        let (store, logs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(logs.path().join("a.csv"), "id,v\n1,x\n2,y\n").unwrap();
        std::fs::write(logs.path().join("b.csv"), "id,v\n1,x\n2,z\n").unwrap();
        std::fs::write(
            logs.path().join("one.jsonl"),
            concat!(
                r#"{"kind":"created","name":"from jsonl"}"#,
                "\n",
                r#"{"kind":"loaded","side":"left","path":"a.csv"}"#,
                "\n",
                r#"{"kind":"loaded","side":"right","path":"b.csv"}"#,
                "\n",
                r#"{"kind":"config_set","config":{"keys":[{"left":"id","right":"id"}]}}"#,
                "\n",
                r#"{"kind":"renamed","name":"imported"}"#,
                "\n",
            ),
        )
        .unwrap();
        std::fs::write(
            logs.path().join("two.jsonl"),
            "{\"kind\":\"created\",\"name\":\"empty\"}\n",
        )
        .unwrap();
        let w = Workflow::open(store.path()).unwrap();
        let imported = w.import_event_logs(logs.path()).unwrap();
        assert_eq!(imported.len(), 2);
        assert_eq!(imported[0].name, "imported");
        assert_eq!(
            imported[0].left.as_deref().map(|l| l.ends_with("a.csv")),
            Some(true)
        );
        assert_eq!(
            w.compare(&imported[0].id, Control::default())
                .unwrap()
                .changed,
            1
        );
        std::fs::write(logs.path().join("three.jsonl"), "{\"kind\":\"created\",\"name\":\"x\"}\n{\"kind\":\"loaded\",\"side\":\"left\",\"path\":\"missing.csv\"}\n").unwrap();
        let e = w.import_event_logs(logs.path()).unwrap_err();
        assert!(
            e.to_string().contains("three.jsonl' line 2") && e.to_string().contains("missing.csv"),
            "{e}"
        );
    }
}
