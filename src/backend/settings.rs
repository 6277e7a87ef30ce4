//! Settings a user changes from the UI and expects to find again after a
//! restart: the memory limit, and the size from which files are referenced
//! by path instead of copied into the store.
//!
//! They are kept in `settings.json` in the data directory, so every front
//! end over that directory (the desktop app, `concord serve`,
//! `concord compare --save`) starts with them. A command-line flag or an
//! environment variable still wins for the run it is given to. The file is
//! written whole, to a temporary file renamed over the old one, so a crash
//! leaves the old settings or the new ones, never half of each.
//!
//! A damaged file is not a reason to refuse to start: its settings are
//! ignored (the defaults apply), the UI is told why, and the next change
//! writes a good file. A file written by a newer Concord (a higher
//! `format`) is read for the settings this build knows, and not written
//! over, so that the newer build's own settings are not lost.

use super::format::{newer, SETTINGS_FORMAT};
use crate::error::{Error, Result};
use crate::export::OutputFile;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The settings file of a data directory.
pub fn settings_path(dir: &Path) -> PathBuf {
    dir.join("settings.json")
}

/// Settings as stored: absent ones take their default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// The format the file was written in.
    #[serde(default)]
    pub format: u32,
    /// The memory limit, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<u64>,
    /// Files of this many bytes or more are referenced by path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_above: Option<u64>,
}

/// What reading the settings file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Read {
    /// The settings (all absent when there is no file or it is damaged).
    pub saved: Saved,
    /// Why the file's settings were ignored, for the UI to say.
    pub problem: Option<String>,
}

/// Reads the settings of the data directory `dir`; see the module note.
pub fn read(dir: &Path) -> Read {
    let path = settings_path(dir);
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::default(),
        Err(e) => return ignored(&path, &e.to_string()),
    };
    match serde_json::from_slice::<Saved>(&text) {
        Ok(saved) => Read {
            saved,
            problem: None,
        },
        Err(e) => ignored(&path, &e.to_string()),
    }
}

fn ignored(path: &Path, why: &str) -> Read {
    Read {
        saved: Saved::default(),
        problem: Some(format!(
            "the saved settings in {} were ignored ({why}); the defaults apply until you change a setting",
            path.display()
        )),
    }
}

/// Stores `saved` as the settings of `dir` (see the module note); refuses
/// to write over a file from a newer Concord.
pub fn write(dir: &Path, saved: &Saved) -> Result<()> {
    let path = settings_path(dir);
    let on_disk = read(dir).saved.format;
    if on_disk > SETTINGS_FORMAT {
        let what = format!("the settings in {}", path.display());
        return Err(newer(what, u64::from(on_disk), SETTINGS_FORMAT));
    }
    let saved = Saved {
        format: SETTINGS_FORMAT,
        ..saved.clone()
    };
    let failed = |e: std::io::Error| {
        Error::storage_from(format!("cannot save the settings to {}", path.display()), e)
    };
    // Written as exports are: beside the file, then renamed over it, durably.
    let out = OutputFile::create(&path).map_err(failed)?;
    serde_json::to_writer_pretty(out.file(), &saved).map_err(|e| failed(e.into()))?;
    out.commit().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_back_as_written_and_absent_ones_stay_absent() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()), Read::default(), "no file: no settings");
        let saved = Saved {
            format: 0,
            memory_limit: Some(3 << 30),
            reference_above: None,
        };
        write(dir.path(), &saved).unwrap();
        let back = read(dir.path());
        assert_eq!(back.problem, None);
        assert_eq!(back.saved.memory_limit, Some(3 << 30));
        assert_eq!(back.saved.reference_above, None);
        assert_eq!(back.saved.format, SETTINGS_FORMAT);
        let text = std::fs::read_to_string(settings_path(dir.path())).unwrap();
        assert!(!text.contains("reference_above"), "{text}");
        // Only the settings file is left: the temporary one was renamed.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_damaged_file_is_ignored_with_a_reason_and_mended_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(settings_path(dir.path()), b"{\"memory_limit\": 12").unwrap();
        let r = read(dir.path());
        assert_eq!(r.saved, Saved::default());
        let why = r.problem.unwrap();
        assert!(
            why.contains("settings.json") && why.contains("ignored"),
            "{why}"
        );
        let saved = Saved {
            reference_above: Some(1 << 20),
            ..Saved::default()
        };
        write(dir.path(), &saved).unwrap();
        assert_eq!(read(dir.path()).saved.reference_above, Some(1 << 20));
    }

    #[test]
    fn a_file_from_a_newer_concord_is_read_but_not_written_over() {
        let dir = tempfile::tempdir().unwrap();
        let newer = "{\"format\": 2, \"memory_limit\": 2147483648, \"theme\": \"dark\"}";
        std::fs::write(settings_path(dir.path()), newer).unwrap();
        let r = read(dir.path());
        assert_eq!(r.problem, None);
        assert_eq!(r.saved.memory_limit, Some(2 << 30));
        let err = write(dir.path(), &Saved::default()).unwrap_err();
        assert!(err.to_string().contains("newer version"), "{err}");
        assert_eq!(err.code(), "newer_format");
        let text = std::fs::read_to_string(settings_path(dir.path())).unwrap();
        assert_eq!(text, newer);
    }
}
