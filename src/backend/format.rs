//! The format version of every structure Concord stores, in one place.
//!
//! Sessions are users' data, so a build must open what every earlier build
//! wrote. Each persisted structure carries its version: the database schema
//! (SQLite's `PRAGMA user_version`, with a migration per step), each event
//! and each snapshot (a `format` column beside it), each stored result (a
//! header in its blob) and the portable export file (its first line). A
//! version newer than this build knows is refused with a message naming it;
//! an older one is read as it was written, or, for results, recomputed from
//! the stored inputs when it can no longer be read.
//!
//! Changing a stored structure means: bump its number here, keep reading
//! the old one (or, for a result, let it be recomputed), and commit a
//! fixture written by the release before the change under
//! `tests/fixtures/upgrade/` with a test that opens it.

use crate::error::Error;

/// The schema of `events.db`. 0: the first release (no version set);
/// 1: a `format` column on events and snapshots.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON form of [`super::session::Event`]. 0 (rows from before the
/// column existed) and 1 are the same; 2 adds an input referenced by path
/// ([`super::session::FileRef`]). Only an event that holds such an input
/// is written as 2 (see [`super::session::InputRef::format`]): the release
/// before it then refuses that session by its version, instead of looking
/// for a stored copy that was never made, and still opens the others.
/// 3 adds the rows kept beside a result ([`super::session::ResultRef::kept_rows`]),
/// written only by a comparison event that has them. 4 adds
/// [`crate::compare::CompareConfig::ignore_extra_columns`] and
/// [`crate::compare::CompareConfig::by_position`] and decimal commas in one
/// file only ([`crate::compare::Sides`]), written only by a configuration
/// that sets one. 5 adds the input format of a file not read as CSV
/// ([`crate::table::LoadOptions::format`]), written only by an event that
/// loads such a file. 6 adds lines skipped above a file's header
/// ([`crate::table::LoadOptions::skip_lines`]), written only by an event
/// that loads a file with some. 7 adds the compression a file was found in
/// ([`crate::table::LoadOptions::compression`]) and a workbook's sheet
/// ([`crate::table::LoadOptions::sheet`]), written only by an event that
/// loads a compressed file or a workbook: a release that cannot read
/// them refuses that session instead of reading the bytes as text. 8 adds
/// choices about a result's differences ([`super::session::Event::Chose`]),
/// written only by such an event (and a snapshot that holds choices).
///
/// No version: a side compared on Apache Spark (a result opened with
/// `sessions import-result`) is a referenced input (2) whose `blob` is
/// `spark:` and a hash of the result's manifest, which no file hashes to.
/// Every release checks a referenced file against its hash, so each one,
/// older ones too, finds the file "changed" and shows the kept rows (3):
/// nothing reads the value as a stored copy (see `src/backend/spark.rs`).
pub const EVENT_FORMAT: u32 = 8;

/// The JSON form of a snapshot's [`super::session::SessionState`], with the
/// same numbers and rule as [`EVENT_FORMAT`].
pub const SNAPSHOT_FORMAT: u32 = 8;

/// The encoding of a stored [`crate::compare::CompareResult`]: 0 is bare
/// postcard (the first release), 1 is [`RESULT_MAGIC`] and the version
/// before the same postcard, 2 adds column types, the count of columns on
/// one side only and inferred rules (read from 0 and 1 by
/// [`crate::compare::result_v1`]).
pub const RESULT_FORMAT: u32 = 2;

/// The result formats this build decodes with today's `CompareResult`.
/// When the structure changes, bump [`RESULT_FORMAT`], list only the new
/// one here, and either read the older layouts into today's structure (as
/// [`RESULT_V1_LAYOUT`]) or let them be recomputed: postcard does not
/// describe its layout, so a mismatch could decode silently.
pub const RESULT_SAME_LAYOUT: &[u32] = &[2];

/// The result formats stored in the layout of
/// [`crate::compare::result_v1::CompareResultV1`].
pub const RESULT_V1_LAYOUT: &[u32] = &[0, 1];

/// Starts every stored result from format 1 on. Its first byte is never that
/// of a format 0 blob (postcard starts those with the mode, 0 or 1).
pub const RESULT_MAGIC: &[u8; 4] = b"\xC0RES";

/// The layout of the rows kept beside a result whose files the session
/// only references (see [`super::kept`]). 1: the first.
pub const KEPT_FORMAT: u32 = 1;

/// Starts every blob of kept rows.
pub const KEPT_MAGIC: &[u8; 4] = b"\xC0KPT";

/// The portable export file's version, on its first line. 1: the first
/// release; 2: its stored results carry the header of result format 1 (a
/// release that reads only 1 refuses the file instead of failing to decode
/// a result inside it); 3: its results are in result format 2, which a
/// release that reads 2 would refuse only after importing the session;
/// 4: a file in it was read by a reader other than CSV's (its input names
/// the format) or with lines skipped above its header, written only then;
/// 5: a file in it is compressed, written only then; 6: it holds choices
/// about the result's differences, written only then.
pub const PORTABLE_FORMAT: u32 = 6;

/// The settings file (`settings.json`, see [`super::settings`]). A file
/// with a higher one came from a newer Concord: its settings this build
/// knows are read, and it is not written over.
pub const SETTINGS_FORMAT: u32 = 1;

/// The error for a structure written by a newer Concord.
pub fn newer(what: impl Into<String>, found: u64, known: u32) -> Error {
    Error::NewerFormat {
        what: what.into(),
        found,
        known: u64::from(known),
    }
}
