//! Where an export's bytes go. A regular file is replaced atomically: the
//! bytes go to a temporary file beside it, renamed into place when complete.
//! A special file that already exists (`/dev/null`, `/dev/stdout`, a named
//! pipe) is written through instead: renaming over it would replace the
//! device with a regular file, which breaks every other program on the
//! machine that writes to `/dev/null` or reads from it.
//!
//! A replaced file is made durable before it is put in place, and its
//! folder after: a power cut then leaves the old file or the whole new one,
//! never a new name over bytes the disk never got (issue 27's usual
//! suspects: a rename before the data's fsync, a rename without the
//! folder's).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// An export destination opened for writing; see the module note.
pub(crate) enum OutputFile {
    /// A temporary file that becomes `target` on [`OutputFile::commit`].
    Replace {
        tmp: tempfile::NamedTempFile,
        target: PathBuf,
    },
    /// An existing device, pipe or socket, written in place.
    Special(File),
}

impl OutputFile {
    /// Opens `path` for an export. A symbolic link is followed, so the
    /// link stays and the file it points to is replaced.
    pub(crate) fn create(path: &Path) -> io::Result<OutputFile> {
        let target = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
            _ => path.to_path_buf(),
        };
        if let Ok(m) = std::fs::metadata(&target) {
            if !m.is_file() && !m.is_dir() {
                let f = std::fs::OpenOptions::new().write(true).open(&target)?;
                return Ok(OutputFile::Special(f));
            }
        }
        let dir = folder_of(&target);
        let tmp = new_file_beside(&target, dir)?;
        Ok(OutputFile::Replace { tmp, target })
    }

    /// The open file to write to.
    pub(crate) fn file(&self) -> &File {
        match self {
            OutputFile::Replace { tmp, .. } => tmp.as_file(),
            OutputFile::Special(f) => f,
        }
    }

    /// The path of the temporary file, for writers that need a path (the
    /// XLSX writer); `None` for a special file.
    pub(crate) fn temp_path(&self) -> Option<&Path> {
        match self {
            OutputFile::Replace { tmp, .. } => Some(tmp.path()),
            OutputFile::Special(_) => None,
        }
    }

    /// Puts a completed export in place, durably (see the module note).
    /// Dropping an `OutputFile` without committing it removes the
    /// temporary file.
    pub(crate) fn commit(self) -> io::Result<()> {
        match self {
            OutputFile::Replace { tmp, target } => {
                tmp.as_file().sync_all()?;
                tmp.persist(&target).map_err(|e| e.error)?;
                sync_dir(folder_of(&target))
            }
            OutputFile::Special(_) => Ok(()),
        }
    }
}

/// The folder that holds `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Creates the folder `dir` and any missing parents, each made durable in
/// its own parent: a folder made with `create_dir_all` alone can vanish
/// at a power cut with everything later written in it, however carefully.
pub(crate) fn create_dir_durably(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir_durably(parent)?;
    }
    match std::fs::create_dir(dir) {
        // Another process may have made it and not synced it yet.
        Err(e) if !(e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir()) => return Err(e),
        _ => {}
    }
    sync_dir(folder_of(dir))
}

/// Makes the entries of the folder `dir` durable (a file created, renamed
/// or removed in it): fsyncs the folder itself.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes the file `path` atomically (see [`OutputFile`]) with `write`,
/// which gets a buffered writer: the file appears complete or not at all.
/// A failed write is reported naming `path`.
pub(crate) fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> crate::Result<T>,
) -> crate::Result<T> {
    let shown = path.display().to_string();
    let io = |source| crate::Error::Write {
        path: shown.clone(),
        source,
    };
    let file = OutputFile::create(path).map_err(io)?;
    let mut w = io::BufWriter::with_capacity(1 << 20, file.file());
    let value = write(&mut w).map_err(|e| match e {
        crate::Error::Write { source, .. } => io(source),
        e => e,
    })?;
    io::Write::flush(&mut w).map_err(io)?;
    drop(w);
    file.commit().map_err(io)?;
    Ok(value)
}

/// A temporary file in `dir` that will become `path`, created with the
/// permissions any new file of the user gets (0666 less the umask) or, when
/// `path` exists, with its permissions: a temporary file is otherwise only
/// readable by its owner, and a shared report must stay readable once
/// renamed into place.
fn new_file_beside(path: &Path, dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".concord-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o666, |m| m.permissions().mode() & 0o777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    builder.tempfile_in(dir)
}
