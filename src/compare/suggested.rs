//! What suggestions a comparison used: plain data, kept in the result so
//! that exports can say which key and column pairs were filled in. The
//! suggestion stage itself lives in [`crate::suggest`], above the comparison.

use serde::{Deserialize, Serialize};

/// A suggested pair of columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingSuggestion {
    /// Left column name.
    pub left: String,
    /// Right column name.
    pub right: String,
    /// Confidence from 0 to 1.
    pub score: f64,
    /// Why, in a few words: `same name`, `synonymous name`, `same values`, ...
    pub reason: String,
}

/// A suggested key: columns whose values identify a row on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeySuggestion {
    /// Left key columns.
    pub left: Vec<String>,
    /// Right key columns, in the same order.
    pub right: Vec<String>,
    /// Confidence from 0 to 1.
    pub score: f64,
    /// Share of left rows whose key is present and occurs once.
    pub unique_left: f64,
    /// Share of right rows whose key is present and occurs once.
    pub unique_right: f64,
    /// Share of the distinct keys of the smaller side also found on the other.
    pub overlap: f64,
}

impl KeySuggestion {
    /// The key as written for people and for `--key`: `id`, or `a + b=B`.
    pub fn label(&self) -> String {
        let cols: Vec<String> = self
            .left
            .iter()
            .zip(&self.right)
            .map(|(l, r)| super::pair_label(l, r))
            .collect();
        cols.join(" + ")
    }

    /// Whether `compare` may use this key without asking: unique on both
    /// sides, with at least half of its values found on both sides.
    pub fn is_confident(&self) -> bool {
        self.unique_left >= 1.0 && self.unique_right >= 1.0 && self.overlap >= 0.5
    }
}

/// The suggestions a comparison used because the user named no key or no
/// mapping, so that the caller can say so.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppliedSuggestions {
    /// The key used, if one was suggested confidently.
    pub key: Option<KeySuggestion>,
    /// Renamed column pairs used.
    pub mappings: Vec<MappingSuggestion>,
}

impl AppliedSuggestions {
    /// One line per suggestion used, for people.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(k) = &self.key {
            out.push(format!(
                "using the suggested key {} (unique on both sides, {:.0}% of keys on both sides)",
                k.label(),
                k.overlap * 100.0
            ));
        }
        for m in &self.mappings {
            out.push(format!(
                "pairing left column '{}' with right column '{}' ({}, score {:.2})",
                m.left, m.right, m.reason, m.score
            ));
        }
        out
    }
}
