//! What an input format is called and how its files are told apart. The
//! formats are those of the readers listed in [`super::READERS`], which
//! loading picks from (see [`super::source`]) and which the desktop's open
//! dialog, the UI's file input and the desktop's file associations follow
//! (tests fail when one drifts).

use super::READERS;
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
    /// What a row's place in such a file is called beside its number:
    /// `line` in text formats (the line a row starts on), `row` where a
    /// file has rows but no lines (workbooks, Parquet, Arrow).
    pub place: &'static str,
    /// The read options it takes, by their parameter names
    /// ([`super::LoadOptions::from_params`]): what a front end offers
    /// when such a file cannot be read.
    pub options: &'static [&'static str],
}

impl InputFormat {
    /// Every input format, in the order they are offered.
    pub fn all() -> Vec<&'static InputFormat> {
        READERS.iter().map(|r| r.format()).collect()
    }

    /// What a row's place is called in a file of the format called
    /// `name` ([`InputFormat::place`]; `line` for a name Concord does not
    /// know).
    pub fn place_of(name: &str) -> &'static str {
        InputFormat::named(name).map_or("line", |f| f.place)
    }

    /// The format called `name`, if Concord reads it.
    pub fn named(name: &str) -> Option<&'static InputFormat> {
        InputFormat::all().into_iter().find(|f| f.name == name)
    }

    /// The format whose extension `path` has, if any (case ignored).
    pub fn of_path(path: &Path) -> Option<&'static InputFormat> {
        InputFormat::all().into_iter().find(|f| f.is_of(path))
    }

    /// The extensions Concord claims from the system for this format (the
    /// desktop's file associations, `git` attributes): all but `txt`,
    /// which is seldom a table.
    pub fn claimed_extensions(&self) -> impl Iterator<Item = &'static str> {
        self.extensions.iter().copied().filter(|e| *e != "txt")
    }

    /// Whether `path`'s extension is one of this format's (case ignored).
    pub fn is_of(&self, path: &Path) -> bool {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| self.extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
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
        assert_eq!(
            InputFormat::of_path(Path::new("b.XLSX")).map(|f| f.name),
            Some("workbook")
        );
        assert_eq!(InputFormat::of_path(Path::new("b.numbers")), None);
        assert_eq!(InputFormat::of_path(Path::new("noext")), None);
        let names: Vec<_> = InputFormat::all().iter().map(|f| f.name).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "each format is listed once");
        for f in InputFormat::all() {
            assert!(
                f.extensions.iter().all(|e| *e == e.to_ascii_lowercase()),
                "{}",
                f.name
            );
        }
    }

    #[test]
    fn every_read_option_a_format_offers_is_one_the_engine_reads() {
        use crate::table::LoadOptions;
        // A value each parameter takes.
        let value = |k: &str| match k {
            "delimiter" => ";",
            "encoding" => "utf-16le",
            "header" => "false",
            "skip" => "2",
            "allow_ragged" => "true",
            "sheet" => "2",
            _ => "x",
        };
        for format in InputFormat::all() {
            for &option in format.options {
                let read = LoadOptions::from_params(|k| (k == option).then(|| value(k)));
                let read = read.unwrap_or_else(|e| panic!("{}: {option}: {e}", format.name));
                assert_ne!(
                    read,
                    LoadOptions::default(),
                    "{}: {option} is not read",
                    format.name
                );
            }
        }
    }
}
