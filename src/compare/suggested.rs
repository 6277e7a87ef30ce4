//! What suggestions a comparison used: plain data, kept in the result so
//! that exports can say which key and column pairs were filled in. The
//! suggestion stage itself lives in [`crate::suggest`], above the comparison.

use serde::{Deserialize, Serialize};

/// A suggested pair of columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Whether the figures were measured on the sampled rows only (a
    /// runner-up of a key chosen on files larger than the sample), not on
    /// every row.
    #[serde(default)]
    pub sampled: bool,
}

impl KeySuggestion {
    /// The share of rows that may repeat their key in a key `compare` uses
    /// by itself: a licence number repeated a few times in fifty thousand
    /// rows is still the key a person would pick (its repeats are reported
    /// as duplicates).
    pub const NEAR_KEY_REPEATS: f64 = 0.001;

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
    /// sides but for at most [`Self::NEAR_KEY_REPEATS`] of the rows, with at
    /// least half of its values found on both sides.
    pub fn is_confident(&self) -> bool {
        self.is_near_unique() && self.overlap >= 0.5
    }

    /// Whether the key is unique on both sides but for at most
    /// [`Self::NEAR_KEY_REPEATS`] of the rows.
    pub fn is_near_unique(&self) -> bool {
        let floor = 1.0 - Self::NEAR_KEY_REPEATS;
        self.unique_left >= floor && self.unique_right >= floor
    }

    /// How the key's figures read to people: `unique on both sides, 100%
    /// of keys on both sides`, or the share of rows it leaves repeated.
    pub fn figures(&self) -> String {
        let uniqueness = if self.unique_left >= 1.0 && self.unique_right >= 1.0 {
            "unique on both sides".to_string()
        } else {
            let repeated = |u: f64| {
                let r = (1.0 - u) * 100.0;
                if r == 0.0 {
                    "none".to_string()
                } else if r < 0.01 {
                    "under 0.01%".to_string()
                } else {
                    format!("{r:.2}%")
                }
            };
            format!(
                "repeated or empty in {} of left rows and {} of right rows",
                repeated(self.unique_left),
                repeated(self.unique_right)
            )
        };
        format!(
            "{}{uniqueness}, {} of keys on both sides",
            if self.sampled {
                "in sampled rows: "
            } else {
                ""
            },
            percent(self.overlap)
        )
    }
}

/// The suggestions a comparison used because the user named no key or no
/// mapping, so that the caller can say so.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AppliedSuggestions {
    /// The key used, if one was suggested confidently.
    pub key: Option<KeySuggestion>,
    /// Renamed column pairs used.
    pub mappings: Vec<MappingSuggestion>,
    /// Ways of reading cells that the files' values showed, applied.
    #[serde(default)]
    pub rules: Vec<InferredRule>,
}

/// What an [`InferredRule`] says about a column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum InferredKind {
    /// Its [`InferredRule::spellings`] mean "no value", as an empty cell does.
    NullSpellings,
    /// Its numbers are written with a decimal comma and dots between
    /// thousands (`1.234,5`).
    DecimalComma,
    /// Its dates are written in [`InferredRule::layout`] in one file and
    /// as `2024-03-01` in the other.
    DateLayout,
}

/// A way of reading one compared column's cells that its values show,
/// applied because the configuration said nothing of it: the column then
/// compares as the files mean it. The user turns one off by setting the
/// column's rule (see [`crate::compare::RuleOverrides`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InferredRule {
    /// The column pair, by its left name (as column rules are named).
    pub column: String,
    /// What was inferred.
    pub kind: InferredKind,
    /// The file whose values showed it, or `None` for both.
    pub side: Option<crate::error::Side>,
    /// For null spellings: the spellings, as written.
    pub spellings: Vec<String>,
    /// For a date layout: the layout, in strftime codes (`%d/%m/%Y`).
    pub layout: Option<String>,
    /// What in the values showed it, for people.
    pub evidence: String,
}

impl InferredRule {
    /// The rule for people: `reading NA as no value in 'pop' (...)`.
    pub fn describe(&self) -> String {
        let files = match self.side {
            None => "both files".to_string(),
            Some(side) => format!("the {side} file"),
        };
        match self.kind {
            InferredKind::NullSpellings => {
                let quoted: Vec<String> = self.spellings.iter().map(|s| format!("'{s}'")).collect();
                format!(
                    "reading {} as no value in '{}' in {files} ({})",
                    quoted.join(" and "),
                    self.column,
                    self.evidence
                )
            }
            InferredKind::DecimalComma => format!(
                "reading decimal commas in '{}' in {files} ({})",
                self.column, self.evidence
            ),
            InferredKind::DateLayout => format!(
                "reading dates in '{}' in {files} as {} ({})",
                self.column,
                self.layout.as_deref().unwrap_or("?"),
                self.evidence
            ),
        }
    }
}

impl AppliedSuggestions {
    /// One line per suggestion used, for people.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(k) = &self.key {
            out.push(format!(
                "using the suggested key {} ({})",
                k.label(),
                k.figures()
            ));
        }
        for m in &self.mappings {
            out.push(format!(
                "pairing left column '{}' with right column '{}' ({}, score {:.2})",
                m.left, m.right, m.reason, m.score
            ));
        }
        out.extend(self.rules.iter().map(InferredRule::describe));
        out
    }
}

/// A share as a whole percentage, never rounded up to 100% or down to 0%.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 99.0 && p < 100.0 {
        format!("{p:.1}%")
    } else if p > 0.0 && p < 1.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.0}%")
    }
}
