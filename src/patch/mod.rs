//! Patches: a comparison's differences as a CSV file a person can review
//! in a spreadsheet, and applying one to the left file.
//!
//! A patch has one line per row added, removed or changed, under this
//! header (version 1 of the format; a file whose header starts with
//! `action,right_row` is a patch):
//!
//! | column | holds |
//! |---|---|
//! | `action` | `change`, `remove` or `add` |
//! | `right_row` | for `add`, the row's number among the right file's rows (1 is the first row under the header), which places it in the output |
//! | `key:NAME`, one per key column | the row's key, as the left file writes it (the right file for `add`); none when rows were paired by their content |
//! | `changed_columns` | for `change`, the columns that changed, separated by `;`, for people to filter on |
//! | `before:NAME`, `after:NAME`, one pair per compared column | `change`: the old and new value of each changed cell, both empty for the others; `remove`: every value of the row as it was; `add`: every value of the new row |
//!
//! Columns are named as in the left file. A changed cell is one whose
//! `before` and `after` differ, so a cell emptied (`x` to nothing) is
//! told from one left alone.
//!
//! [`apply`] reads the left file record by record, as its bytes stand:
//! rows the patch does not touch are copied byte for byte, and rewritten
//! or added rows follow the file's delimiter, quoting, line ends and
//! encoding. A `change` or `remove` whose `before` values are no longer
//! in the file is a conflict, and so is an `add` whose key is already
//! there: the patch is refused with the rows in conflict, or, when forced,
//! applied without them.

mod apply;
mod read;

pub use apply::{apply, apply_to_file, Applied, Conflict, OnConflict};
pub use read::{Line, Patch};

/// The header's first column.
pub const ACTION: &str = "action";
/// The column placing added rows.
pub const RIGHT_ROW: &str = "right_row";
/// The prefix of the key columns.
pub const KEY: &str = "key:";
/// The column listing a change's columns.
pub const CHANGED: &str = "changed_columns";
/// The prefix of the old values.
pub const BEFORE: &str = "before:";
/// The prefix of the new values.
pub const AFTER: &str = "after:";

/// What a line of a patch does to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Changes some cells of a row found by its key.
    Change,
    /// Removes a row found by its key and all its values.
    Remove,
    /// Adds a row.
    Add,
}

impl Action {
    /// The name written in the `action` column.
    pub fn name(self) -> &'static str {
        match self {
            Action::Change => "change",
            Action::Remove => "remove",
            Action::Add => "add",
        }
    }

    /// Parses a name written by [`Action::name`].
    pub fn from_name(s: &str) -> Option<Action> {
        [Action::Change, Action::Remove, Action::Add]
            .into_iter()
            .find(|a| a.name() == s)
    }
}

#[cfg(test)]
mod tests;
