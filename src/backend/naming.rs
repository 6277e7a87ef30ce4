//! The names a session gets by itself: `left.csv vs right.csv` once both
//! files are loaded into a session still called [`UNTITLED`], told apart
//! from the other sessions' names by the left file's folder, then the
//! date, then a number. Every front end gets the same names (the web UI,
//! the desktop app's drops and opened files), and the desktop's menu of
//! recent sessions lists distinct ones.

use std::path::Path;

/// The name of a session that was not named: it takes its files' names
/// once both are loaded.
pub const UNTITLED: &str = "Untitled";

/// The default name of a session comparing the files the user named
/// `left` and `right` (paths or bare names), distinct from `taken`.
/// `today` is the date to add when the files' names and folder are not
/// enough (`5 Dec 2026`).
pub fn default_name(left: &str, right: &str, taken: &[String], today: &str) -> String {
    let file = |p: &str| {
        Path::new(p)
            .file_name()
            .map_or_else(|| p.to_string(), |n| n.to_string_lossy().into_owned())
    };
    let base = format!("{} vs {}", file(left), file(right));
    let free = |n: &String| !taken.contains(n);
    let folder = Path::new(left)
        .parent()
        .and_then(|p| p.file_name())
        .map(|f| f.to_string_lossy().into_owned());
    let mut candidates = vec![base.clone()];
    if let Some(f) = folder {
        candidates.push(format!("{base} ({f})"));
    }
    candidates.push(format!("{base} ({today})"));
    if let Some(name) = candidates.into_iter().find(free) {
        return name;
    }
    (2..)
        .map(|n| format!("{base} ({today}, {n})"))
        .find(free)
        .unwrap_or(base)
}

/// Today's date (UTC) as [`default_name`] writes it: `5 Dec 2026`.
pub fn today() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    chrono::DateTime::from_timestamp(now, 0)
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_the_files_then_what_tells_the_session_apart() {
        let taken = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let day = "5 Dec 2026";
        assert_eq!(
            default_name("/data/q3/left.csv", "/data/q3/right.csv", &[], day),
            "left.csv vs right.csv"
        );
        assert_eq!(
            default_name(
                "/data/q3/left.csv",
                "/x/right.csv",
                &taken(&["left.csv vs right.csv"]),
                day
            ),
            "left.csv vs right.csv (q3)"
        );
        // An upload has no folder: the date, then a number.
        let both = taken(&[
            "left.csv vs right.csv",
            "left.csv vs right.csv (5 Dec 2026)",
        ]);
        assert_eq!(
            default_name(
                "left.csv",
                "right.csv",
                &taken(&["left.csv vs right.csv"]),
                day
            ),
            "left.csv vs right.csv (5 Dec 2026)"
        );
        assert_eq!(
            default_name("left.csv", "right.csv", &both, day),
            "left.csv vs right.csv (5 Dec 2026, 2)"
        );
        assert!(today().ends_with(char::is_numeric), "{}", today());
    }
}
