//! Files handed to the app from outside: command-line arguments (plain
//! paths or `file://` URLs, as file managers pass them) and a second
//! launch's arguments, which go to the running window.

use concord::backend::Workflow;
use concord::{Control, Error, LoadOptions, Side};
use std::path::{Path, PathBuf};

/// The files among `args` (the program name excluded): options are
/// skipped, `file://` URLs become paths, relative paths are taken from
/// `cwd`. At most two are used: left, then right.
pub fn files_from_args(args: &[String], cwd: &Path) -> Vec<PathBuf> {
    args.iter()
        .filter(|a| !a.starts_with('-') && !a.is_empty())
        .filter_map(|a| path_from_arg(a, cwd))
        .take(2)
        .collect()
}

/// One argument as a path: a `file://` URL decoded, or a path (relative
/// ones from `cwd`).
pub fn path_from_arg(arg: &str, cwd: &Path) -> Option<PathBuf> {
    if arg.starts_with("file:") {
        return url::Url::parse(arg).ok()?.to_file_path().ok();
    }
    let p = PathBuf::from(arg);
    Some(if p.is_absolute() { p } else { cwd.join(p) })
}

/// Creates a session and loads `files` into it (left, then right); once
/// both are in, the session takes their names. Returns the session, and
/// the first load's error if one failed (the session is kept, with what
/// did load).
pub fn open_files(workflow: &Workflow, files: &[PathBuf]) -> (Option<String>, Option<Error>) {
    let session = match workflow.create_session(concord::backend::naming::UNTITLED) {
        Ok(s) => s,
        Err(e) => return (None, Some(e)),
    };
    for (file, side) in files.iter().zip([Side::Left, Side::Right]) {
        let options = LoadOptions::default();
        let loaded = workflow.load_file(&session.id, side, file, &options, Control::default());
        if let Err(e) = loaded {
            return (Some(session.id), Some(e));
        }
    }
    (Some(session.id), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_paths() {
        let cwd = Path::new("/home/ann");
        let args: Vec<String> = [
            "--verbose",
            "march.csv",
            "file:///tmp/with%20space.csv",
            "third.csv",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            files_from_args(&args, cwd),
            [
                PathBuf::from("/home/ann/march.csv"),
                PathBuf::from("/tmp/with space.csv")
            ]
        );
        assert_eq!(
            path_from_arg("file:///home/ann/a%23b.csv", cwd),
            Some(PathBuf::from("/home/ann/a#b.csv"))
        );
    }

    #[test]
    fn open_files_loads_both_sides_and_reports_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let w = Workflow::open(&dir.path().join("data")).unwrap();
        let (l, r) = (dir.path().join("l.csv"), dir.path().join("r.csv"));
        std::fs::write(&l, "id,v\n1,a\n").unwrap();
        std::fs::write(&r, "id,v\n1,b\n").unwrap();
        let (id, err) = open_files(&w, &[l.clone(), r]);
        assert!(err.is_none(), "{err:?}");
        let info = w.session(&id.unwrap()).unwrap();
        assert_eq!(info.name, "l.csv vs r.csv");
        assert!(info.left.unwrap().ends_with("l.csv"));
        assert!(info.right.unwrap().ends_with("r.csv"));
        let (id, err) = open_files(&w, &[l, dir.path().join("gone.csv")]);
        let info = w.session(&id.unwrap()).unwrap();
        assert!(info.left.unwrap().ends_with("l.csv"));
        assert_eq!(info.right, None);
        assert!(err.unwrap().to_string().contains("gone.csv"));
    }
}
