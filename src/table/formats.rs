//! The input formats Concord reads: one list that the desktop's open
//! dialog, the UI's file input and the desktop's file associations follow
//! (tests fail when one drifts). It is the first part of the seam input
//! formats hang on: a format is named here once.

use serde::Serialize;
use std::path::Path;

/// An input format: its name, what people call its files, and how its
/// files are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InputFormat {
    /// Its name, as the command line and the UI show it (`csv`).
    pub name: &'static str,
    /// What people call its files, as an open dialog's filter says.
    pub label: &'static str,
    /// File name extensions, without the dot, in lower case.
    pub extensions: &'static [&'static str],
    /// MIME types browsers and file managers give its files.
    pub mime_types: &'static [&'static str],
}

impl InputFormat {
    /// Every input format, in the order they are offered.
    pub const ALL: &'static [InputFormat] = &[InputFormat {
        name: "csv",
        label: "CSV and text files",
        extensions: &["csv", "tsv", "txt", "psv", "tab"],
        mime_types: &["text/csv", "text/tab-separated-values", "text/plain"],
    }];

    /// The format whose extension `path` has, if any (case ignored).
    pub fn of_path(path: &Path) -> Option<&'static InputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        InputFormat::ALL
            .iter()
            .find(|f| f.extensions.contains(&ext.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_extension_in_any_case() {
        assert_eq!(
            InputFormat::of_path(Path::new("a/b.TSV")).map(|f| f.name),
            Some("csv")
        );
        assert_eq!(InputFormat::of_path(Path::new("b.xlsx")), None);
        assert_eq!(InputFormat::of_path(Path::new("noext")), None);
        for f in InputFormat::ALL {
            assert!(
                f.extensions.iter().all(|e| *e == e.to_ascii_lowercase()),
                "{}",
                f.name
            );
        }
    }
}
