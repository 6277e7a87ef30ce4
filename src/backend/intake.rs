//! Taking files into the store: copying a file in (hashing it as it is
//! written, parsing it at the same time), referencing a large one by path
//! (with what tells later that it changed), and reading a session's input
//! back as a table.

use super::session::{FileRef, InputRef};
use super::store::SessionStore;
use crate::error::{Error, Result};
use crate::plan::check_space;
use crate::progress::Control;
use crate::table::Table;
use std::path::Path;
use std::time::SystemTime;

/// A file's size and modification time: what tells that it changed.
fn fingerprint(path: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// The input to record for a file stored as `blob` (`bytes` long) under
/// the user's `name` and read as `table`: the reading options the parse
/// detected are made explicit, so the file reads the same way next time.
fn recorded(
    name: String,
    blob: String,
    bytes: u64,
    table: &Table,
    options: &crate::table::LoadOptions,
) -> InputRef {
    InputRef {
        blob,
        name,
        bytes,
        options: table.effective_options(options),
        reference: None,
    }
}

/// Nanoseconds since the Unix epoch (negative before it).
fn nanos(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i64,
        Err(e) => -(e.duration().as_nanos() as i64),
    }
}

/// The BLAKE3 hash of the file at `path`, as the blob store names blobs.
fn hash_file(path: &Path, name: &str) -> Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_mmap(path).map_err(|source| Error::Read {
        path: name.to_string(),
        source,
    })?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// Checks that a referenced file is still the one `input` recorded: same
/// size, and the same modification time or, failing that, the same hash
/// (a file that was only touched, or copied back, is still the same file).
pub(crate) fn check_reference(input: &InputRef, r: &FileRef) -> Result<()> {
    let changed = |detail: String| Error::SourceChanged {
        path: r.path.clone(),
        detail,
    };
    if super::spark::is_spark_input(input) {
        return Err(changed(super::spark::SPARK_DETAIL.into()));
    }
    let meta = match std::fs::metadata(&r.path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Err(changed("is no longer a file".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(changed("was deleted or moved".into()))
        }
        Err(source) => {
            return Err(Error::Read {
                path: r.path.clone(),
                source,
            })
        }
    };
    if meta.len() != input.bytes {
        return Err(changed(format!(
            "changed since it was loaded (it was {} bytes, it is now {})",
            input.bytes,
            meta.len()
        )));
    }
    if meta.modified().ok().map(nanos) == Some(r.modified_ns) {
        return Ok(());
    }
    if hash_file(Path::new(&r.path), &r.path)? != input.blob {
        return Err(changed(
            "changed since it was loaded (same size, different contents)".into(),
        ));
    }
    Ok(())
}

impl SessionStore {
    /// Reads the file at `path` into a table: in memory, or, when the file
    /// is larger than a third of the memory limit, into unnamed files in
    /// the data directory (after checking it has room).
    fn parse(
        &self,
        path: &Path,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<Table> {
        let budget = self.memory_limit();
        let bytes = crate::table::text_bytes(path);
        if budget.fits(bytes, bytes) {
            return crate::table::load_path(path, options, ctl);
        }
        // The text, its offsets and each row's place: about 1.4x the file.
        check_space(&self.dir, bytes / 10 * 14 + (64 << 20))?;
        let piece = budget.limits().piece_bytes;
        crate::table::load_to_disk(path, options, piece, &self.dir, ctl)
    }

    /// Loads a session's input as a table: from its stored copy (checking
    /// its hash first), or from the user's file when it was referenced by
    /// path ([`Error::SourceChanged`] when that file is not the one loaded).
    pub fn load_input(&self, input: &InputRef, ctl: Control<'_>) -> Result<Table> {
        // An input stored without a format was read as CSV, whatever its
        // name says: it reads the same way again.
        let options = crate::table::LoadOptions {
            format: Some(input.options.format_name().to_string()),
            ..input.options.clone()
        };
        let Some(r) = &input.reference else {
            self.blobs.verify(&input.blob)?;
            return self.load_stored(&input.blob, &input.name, &options, ctl);
        };
        check_reference(input, r)?;
        let before = fingerprint(Path::new(&r.path));
        let mut table = self
            .parse(Path::new(&r.path), &options, ctl)
            .map_err(|e| e.with_path(&input.name))?;
        if fingerprint(Path::new(&r.path)) != before {
            return Err(Error::SourceChanged {
                path: r.path.clone(),
                detail: "changed while it was being read".into(),
            });
        }
        table.set_source_name(&input.name);
        Ok(table)
    }

    /// Reads the file at `path` without copying it into the store: the
    /// input to record (its hash, size, absolute path and modification
    /// time), and its table. The hash is computed while the file is parsed.
    pub(crate) fn reference_file(
        &self,
        path: &Path,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<(InputRef, Table)> {
        let name = path.display().to_string();
        let absolute = std::fs::canonicalize(path).map_err(|source| Error::Read {
            path: name.clone(),
            source,
        })?;
        let before = fingerprint(&absolute);
        let (hash, parsed) = std::thread::scope(|scope| {
            let hash = scope.spawn(|| hash_file(&absolute, &name));
            let parsed = self.parse(path, options, ctl);
            let hash = hash
                .join()
                .unwrap_or_else(|_| Err(Error::storage(format!("hashing '{name}' failed"))));
            (hash, parsed)
        });
        let table = parsed?;
        let hash = hash?;
        let Some((bytes, modified)) = before.filter(|_| fingerprint(&absolute) == before) else {
            return Err(Error::SourceChanged {
                path: name,
                detail: "changed while it was being read".into(),
            });
        };
        let mut input = recorded(name, hash, bytes, &table, options);
        input.reference = Some(FileRef {
            path: absolute.display().to_string(),
            modified_ns: nanos(modified),
        });
        Ok((input, table))
    }

    /// Copies the file at `path` into the store and parses it: the input to
    /// record for it, and its table.
    ///
    /// The copy (read, hash, write, sync: mostly waiting on the disk) and
    /// the parse (CPU) run at the same time, both reading `path`. If the
    /// file changed meanwhile (its size or modification time differ after
    /// both), the table is parsed again from the stored copy, so the table
    /// always matches what the session keeps. Progress comes from the
    /// parse alone.
    pub(crate) fn store_file(
        &self,
        path: &Path,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<(InputRef, Table)> {
        let name = path.display().to_string();
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            // A pipe (`<(sort a.csv)`) can be read once only: copy, then
            // parse the copy.
            let (blob, bytes) = self.blobs.put_file(path, ctl)?;
            return self.stored_input(name, blob, bytes, options, ctl);
        }
        let before = fingerprint(path);
        let quiet = Control {
            progress: None,
            ..ctl
        };
        let (stored, parsed) = std::thread::scope(|scope| {
            let copy = scope.spawn(|| self.blobs.put_file(path, quiet));
            let parsed = self.parse(path, options, ctl);
            let stored = copy.join().unwrap_or_else(|_| {
                Err(Error::storage(format!(
                    "copying '{name}' into the store failed"
                )))
            });
            (stored, parsed)
        });
        let (blob, bytes) = stored?;
        let unchanged = before.is_some()
            && fingerprint(path) == before
            && before.map(|(len, _)| len) == Some(bytes);
        match parsed {
            // `load_path` already named the table after `path`.
            Ok(table) if unchanged => Ok((recorded(name, blob, bytes, &table, options), table)),
            Err(e) if unchanged => Err(e),
            _ => self.stored_input(name, blob, bytes, options, ctl),
        }
    }

    /// Parses a file this process has just stored (as `blob`, `bytes` long)
    /// under the user's `name`: the input to record for it (with the
    /// detected reading options made explicit), and its table.
    pub(crate) fn stored_input(
        &self,
        name: String,
        blob: String,
        bytes: u64,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<(InputRef, Table)> {
        let table = self.load_stored(&blob, &name, options, ctl)?;
        Ok((recorded(name, blob, bytes, &table, options), table))
    }

    /// Loads a file this process has just stored (so its hash was computed
    /// as it was written) as a table named `name`.
    pub(crate) fn load_stored(
        &self,
        blob: &str,
        name: &str,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<Table> {
        // The copy is named by its hash: the user's name tells its format.
        let path = self.blobs.path(blob);
        let options = crate::table::source::with_format(&path, name, options)?;
        // Errors would name the stored copy; name the user's file instead.
        let mut table = self
            .parse(&path, &options, ctl)
            .map_err(|e| e.with_path(name))?;
        table.set_source_name(name);
        Ok(table)
    }
}
