//! When two cells count as equal.

use crate::error::Side;
use crate::values::{from_decimal_comma, is_code, parse_decimal, parse_time_point, Decimal};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The files a way of reading cells applies to: neither, one, or both. A
/// European export compared with its original writes decimal commas in
/// one file only.
///
/// Stored as `false` and `true` for neither and both (as the setting was a
/// switch before it could name one file) and as `"left"` or `"right"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(type = "boolean | 'left' | 'right'"))]
pub enum Sides {
    /// No file.
    #[default]
    Neither,
    /// The left file only.
    Left,
    /// The right file only.
    Right,
    /// Both files.
    Both,
}

impl Sides {
    /// Whether the files include `side`.
    pub fn includes(self, side: Side) -> bool {
        matches!(
            (self, side),
            (Sides::Both, _) | (Sides::Left, Side::Left) | (Sides::Right, Side::Right)
        )
    }

    /// One file.
    pub fn only(side: Side) -> Sides {
        match side {
            Side::Left => Sides::Left,
            Side::Right => Sides::Right,
        }
    }
}

impl From<bool> for Sides {
    fn from(both: bool) -> Sides {
        if both {
            Sides::Both
        } else {
            Sides::Neither
        }
    }
}

impl Serialize for Sides {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Sides::Neither => s.serialize_bool(false),
            Sides::Both => s.serialize_bool(true),
            Sides::Left => s.serialize_str("left"),
            Sides::Right => s.serialize_str("right"),
        }
    }
}

impl<'de> Deserialize<'de> for Sides {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sides, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Switch(bool),
            Name(String),
        }
        match Stored::deserialize(d)? {
            Stored::Switch(b) => Ok(b.into()),
            Stored::Name(n) => match n.as_str() {
                "left" => Ok(Sides::Left),
                "right" => Ok(Sides::Right),
                "both" => Ok(Sides::Both),
                "neither" => Ok(Sides::Neither),
                _ => Err(serde::de::Error::custom(format!(
                    "'{n}' is not a side: use left, right, both or neither"
                ))),
            },
        }
    }
}

/// Whether numbers are compared by value (`1.50` = `1.5`, `1e3` = `1000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum NumericMode {
    /// By value when both columns hold only numbers (judged from a sample,
    /// null tokens counting as empty), and never for a cell written with a
    /// leading zero: codes such as zip code `02134` keep their zeros.
    #[default]
    Auto,
    /// By value whenever both cells are numbers, leading zeros or not.
    Always,
    /// Never: numbers are compared as text.
    Never,
}

impl NumericMode {
    /// Every mode, in the order they are listed to users.
    pub const ALL: [NumericMode; 3] = [NumericMode::Auto, NumericMode::Always, NumericMode::Never];

    /// The mode's name, as on the command line and in the API.
    pub fn name(self) -> &'static str {
        match self {
            NumericMode::Auto => "auto",
            NumericMode::Always => "always",
            NumericMode::Never => "never",
        }
    }

    /// Parses a name as written by [`NumericMode::name`].
    pub fn from_name(s: &str) -> Option<NumericMode> {
        NumericMode::ALL.into_iter().find(|m| m.name() == s)
    }
}

/// How cells are compared. One set applies to all columns; a column can
/// override any part of it with [`RuleOverrides`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rules {
    /// Ignore leading and trailing white space.
    pub trim: bool,
    /// Ignore the difference between upper and lower case.
    pub ignore_case: bool,
    /// Values that mean "no value", like the empty cell (`NULL`, `N/A`).
    /// Two nulls are equal; a null and a value differ.
    pub null_tokens: Vec<String>,
    /// Whether numbers are compared by value.
    pub numeric: NumericMode,
    /// Numbers differing by at most this much are equal.
    pub abs_tolerance: f64,
    /// Numbers differing by at most this fraction of the larger magnitude are equal.
    pub rel_tolerance: f64,
    /// Date formats (chrono `strftime`, e.g. `%d/%m/%Y`); when any is given,
    /// two cells that both read as the same point in time are equal.
    pub date_formats: Vec<String>,
    /// The files whose numbers are written with a decimal comma and dots
    /// between thousands (`1.234,5`), as in many European exports.
    pub decimal_comma: Sides,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            trim: false,
            ignore_case: false,
            null_tokens: Vec::new(),
            numeric: NumericMode::Auto,
            abs_tolerance: 0.0,
            rel_tolerance: 0.0,
            date_formats: Vec::new(),
            decimal_comma: Sides::Neither,
        }
    }
}

/// Per-column changes to the global [`Rules`]; `None` keeps the global value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields = nullable))]
pub struct RuleOverrides {
    /// See [`Rules::trim`].
    pub trim: Option<bool>,
    /// See [`Rules::ignore_case`].
    pub ignore_case: Option<bool>,
    /// More null tokens for this column, added to [`Rules::null_tokens`].
    pub null_tokens: Option<Vec<String>>,
    /// See [`Rules::numeric`].
    pub numeric: Option<NumericMode>,
    /// See [`Rules::abs_tolerance`].
    pub abs_tolerance: Option<f64>,
    /// See [`Rules::rel_tolerance`].
    pub rel_tolerance: Option<f64>,
    /// See [`Rules::date_formats`].
    pub date_formats: Option<Vec<String>>,
    /// See [`Rules::decimal_comma`].
    pub decimal_comma: Option<Sides>,
}

impl Rules {
    /// These rules with a column's overrides applied.
    pub fn with(&self, o: &RuleOverrides) -> Rules {
        Rules {
            trim: o.trim.unwrap_or(self.trim),
            ignore_case: o.ignore_case.unwrap_or(self.ignore_case),
            // A column's own null tokens add to the global ones.
            null_tokens: match &o.null_tokens {
                Some(own) => {
                    let mut all = self.null_tokens.clone();
                    all.extend(
                        own.iter()
                            .filter(|t| !self.null_tokens.contains(t))
                            .cloned(),
                    );
                    all
                }
                None => self.null_tokens.clone(),
            },
            numeric: o.numeric.unwrap_or(self.numeric),
            abs_tolerance: o.abs_tolerance.unwrap_or(self.abs_tolerance),
            rel_tolerance: o.rel_tolerance.unwrap_or(self.rel_tolerance),
            date_formats: o
                .date_formats
                .clone()
                .unwrap_or_else(|| self.date_formats.clone()),
            decimal_comma: o.decimal_comma.unwrap_or(self.decimal_comma),
        }
    }

    /// Whether a cell counts as "no value": empty, or a null token (after
    /// trimming, and in any case with `ignore_case`), as the comparison
    /// reads it. Profiles and column types use the same test.
    pub fn is_null(&self, s: &str) -> bool {
        let s = if self.trim { s.trim() } else { s };
        s.is_empty()
            || self.null_tokens.iter().any(|t| {
                if self.ignore_case {
                    t.eq_ignore_ascii_case(s) || t.to_lowercase() == s.to_lowercase()
                } else {
                    t == s
                }
            })
    }

    /// Checks values a user could get wrong.
    pub fn validate(&self) -> Result<(), String> {
        for f in &self.date_formats {
            use chrono::format::{Item, StrftimeItems};
            if f.is_empty() || StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
                return Err(format!(
                    "'{f}' is not a valid date format (use strftime codes such as %Y-%m-%d or %d/%m/%Y)"
                ));
            }
        }
        for (name, v) in [
            ("tolerance", self.abs_tolerance),
            ("relative tolerance", self.rel_tolerance),
        ] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(format!(
                    "the {name} must be a number of zero or more, not {v}"
                ));
            }
        }
        Ok(())
    }
}

/// Rules ready to apply to one column pair: [`NumericMode::Auto`] resolved
/// and tolerances read as exact decimals.
#[derive(Debug, Clone)]
pub(crate) struct CellRules {
    pub rules: Rules,
    pub numeric: bool,
    abs_tolerance: Decimal,
    rel_tolerance: Decimal,
}

/// The verdict on two cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Verdict {
    pub equal: bool,
    /// |left - right| when both cells are numbers and numbers are compared by value.
    pub numeric_difference: Option<f64>,
}

impl CellRules {
    /// Rules with `numeric` decided from the columns' types. The rules must
    /// have passed [`Rules::validate`].
    pub fn new(rules: Rules, columns_numeric: bool) -> CellRules {
        let numeric = match rules.numeric {
            NumericMode::Always => true,
            NumericMode::Never => false,
            NumericMode::Auto => {
                columns_numeric || rules.abs_tolerance > 0.0 || rules.rel_tolerance > 0.0
            }
        };
        let exact = |v: f64| Decimal::from_f64(v).unwrap_or_else(Decimal::zero);
        CellRules {
            abs_tolerance: exact(rules.abs_tolerance),
            rel_tolerance: exact(rules.rel_tolerance),
            rules,
            numeric,
        }
    }

    /// Whether a cell is null under these rules.
    pub fn is_null(&self, s: &str) -> bool {
        self.rules.is_null(s)
    }

    /// Whether a cell that is not empty can still be null (through a null
    /// token, or trimming to nothing): when not, an empty test suffices.
    pub fn nulls_beyond_empty(&self) -> bool {
        self.rules.trim || !self.rules.null_tokens.is_empty()
    }

    /// Compares two cells whose bytes differ.
    pub fn compare(&self, a: &str, b: &str) -> Verdict {
        let differ = Verdict {
            equal: false,
            numeric_difference: None,
        };
        let same = Verdict {
            equal: true,
            numeric_difference: None,
        };
        let (a, b) = if self.rules.trim {
            (a.trim(), b.trim())
        } else {
            (a, b)
        };
        let (an, bn) = (self.is_null(a), self.is_null(b));
        if an || bn {
            return if an && bn { same } else { differ };
        }
        if a == b {
            return same;
        }
        if self.rules.ignore_case
            && (a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase())
        {
            return same;
        }
        if self.numeric {
            if let Some(v) = self.compare_numbers(a, b) {
                return v;
            }
        }
        if !self.rules.date_formats.is_empty() {
            if let (Some(x), Some(y)) = (
                parse_time_point(a, &self.rules.date_formats),
                parse_time_point(b, &self.rules.date_formats),
            ) {
                return if x == y { same } else { differ };
            }
        }
        differ
    }

    /// Compares two cells as exact decimal numbers, or `None` when either
    /// is not a number (or, unless numbers are always compared by value, is
    /// written as a code with a leading zero).
    fn compare_numbers(&self, a: &str, b: &str) -> Option<Verdict> {
        // With decimal commas, compare the numbers in their usual form.
        let read = |v: &str, side| {
            self.rules
                .decimal_comma
                .includes(side)
                .then(|| from_decimal_comma(v))
                .flatten()
        };
        let (ca, cb) = (read(a, Side::Left), read(b, Side::Right));
        let (a, b) = (ca.as_deref().unwrap_or(a), cb.as_deref().unwrap_or(b));
        if self.rules.numeric != NumericMode::Always && (is_code(a) || is_code(b)) {
            return None;
        }
        let (x, y) = (parse_decimal(a)?, parse_decimal(b)?);
        let equal = x == y
            || x.within(&y, &self.abs_tolerance)
            || (!self.rel_tolerance.is_zero() && x.within_relative(&y, &self.rel_tolerance));
        Some(Verdict {
            equal,
            numeric_difference: Some(x.difference(&y)),
        })
    }

    /// Whether [`CellRules::normalize_key`] changes anything.
    pub fn normalizes_keys(&self) -> bool {
        self.rules.trim || self.rules.ignore_case
    }

    /// The form of a key cell that is hashed and matched: trimmed and
    /// lower-cased as the rules say.
    pub fn normalize_key<'a>(&self, s: &'a str) -> std::borrow::Cow<'a, str> {
        let s = if self.rules.trim { s.trim() } else { s };
        if self.rules.ignore_case {
            std::borrow::Cow::Owned(s.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(rules: Rules, numeric_columns: bool, a: &str, b: &str) -> bool {
        CellRules::new(rules, numeric_columns).compare(a, b).equal
    }

    #[test]
    fn numbers_by_value_only_in_numeric_columns() {
        let r = Rules::default();
        assert!(cmp(r.clone(), true, "1.50", "1.5"));
        assert!(cmp(r.clone(), true, "1e3", "1000"));
        assert!(!cmp(r.clone(), false, "02134", "2134"));
        assert!(cmp(
            Rules {
                numeric: NumericMode::Always,
                ..r.clone()
            },
            false,
            "02134",
            "2134"
        ));
        assert!(!cmp(r.clone(), true, "02134", "2134"));
        assert!(!cmp(
            Rules {
                numeric: NumericMode::Never,
                ..r
            },
            true,
            "1.50",
            "1.5"
        ));
    }

    #[test]
    fn large_integers_are_exact() {
        assert!(!cmp(
            Rules::default(),
            true,
            "9007199254740993",
            "9007199254740992"
        ));
        let tol = Rules {
            abs_tolerance: 1.5,
            ..Rules::default()
        };
        assert!(!cmp(
            tol.clone(),
            true,
            "12345678901234567890",
            "12345678901234567892"
        ));
        assert!(cmp(
            tol,
            true,
            "12345678901234567890",
            "12345678901234567891"
        ));
        assert!(!cmp(Rules::default(), true, "1e400", "2e400"));
        assert!(!cmp(Rules::default(), true, "1e-400", "0"));
        let v = CellRules::new(Rules::default(), true).compare("1e400", "2e400");
        assert_eq!(v.numeric_difference, Some(f64::INFINITY));
    }

    #[test]
    fn tolerance_boundary_is_exact_in_every_magnitude() {
        let abs = Rules {
            abs_tolerance: 0.01,
            ..Rules::default()
        };
        for (a, b) in [
            ("0.30", "0.31"),
            ("10.00", "10.01"),
            ("123456789.10", "123456789.11"),
        ] {
            assert!(cmp(abs.clone(), true, a, b), "{a} {b}");
        }
        assert!(!cmp(abs, true, "0.30", "0.3101"));
    }

    #[test]
    fn codes_with_leading_zeros_compare_as_text() {
        let r = Rules::default();
        assert!(!cmp(r.clone(), true, "02134", "2134"));
        assert!(!cmp(r.clone(), true, "007", "7"));
        assert!(cmp(r.clone(), true, "0.50", "0.5"));
        assert!(cmp(r.clone(), true, "-0.25", "-0.250"));
        let tol = Rules {
            abs_tolerance: 5.0,
            ..r.clone()
        };
        assert!(!cmp(tol, true, "02134", "2134"));
    }

    #[test]
    fn null_tokens_count_as_empty() {
        let r = Rules {
            null_tokens: vec!["NULL".into()],
            trim: true,
            ..Rules::default()
        };
        assert!(r.is_null(" NULL "));
        assert!(r.is_null(""));
        assert!(!r.is_null("null"));
        assert!(Rules {
            ignore_case: true,
            ..r
        }
        .is_null("null"));
    }

    #[test]
    fn invalid_date_formats_are_refused() {
        let bad = Rules {
            date_formats: vec!["%Q".into()],
            ..Rules::default()
        };
        assert!(bad.validate().unwrap_err().contains("%Q"));
        let good = Rules {
            date_formats: vec!["%d/%m/%Y".into()],
            ..Rules::default()
        };
        assert!(good.validate().is_ok());
    }

    #[test]
    fn tolerances() {
        let abs = Rules {
            abs_tolerance: 0.01,
            ..Rules::default()
        };
        assert!(cmp(abs.clone(), false, "10.00", "10.009"));
        assert!(!cmp(abs, false, "10.00", "10.02"));
        let rel = Rules {
            rel_tolerance: 0.001,
            ..Rules::default()
        };
        assert!(cmp(rel.clone(), true, "1000", "1000.9"));
        assert!(!cmp(rel, true, "1000", "1002"));
        let v = CellRules::new(Rules::default(), true).compare("10", "12.5");
        assert_eq!(v.numeric_difference, Some(2.5));
    }

    #[test]
    fn trim_case_and_nulls() {
        let r = Rules {
            trim: true,
            ignore_case: true,
            null_tokens: vec!["NULL".into(), "N/A".into()],
            ..Rules::default()
        };
        assert!(cmp(r.clone(), false, " Abc ", "aBC"));
        assert!(cmp(r.clone(), false, "null", ""));
        assert!(cmp(r.clone(), false, "N/A", " NULL "));
        assert!(!cmp(r.clone(), false, "NULL", "0"));
        assert!(cmp(
            r,
            false,
            "Straße",
            "STRASSE".to_lowercase().replace("ss", "ß").as_str()
        ));
        assert!(!cmp(Rules::default(), false, "a ", "a"));
        assert!(!cmp(Rules::default(), false, "NULL", ""));
    }

    #[test]
    fn decimal_commas() {
        let r = Rules {
            decimal_comma: Sides::Both,
            ..Rules::default()
        };
        assert!(cmp(r.clone(), true, "1.234,50", "1234,5"));
        assert!(cmp(r.clone(), true, "-0,25", "-0,250"));
        assert!(!cmp(r.clone(), true, "1,5", "1,6"));
        let v = CellRules::new(r, true).compare("10,5", "12");
        assert_eq!(v.numeric_difference, Some(1.5));
        assert!(!cmp(Rules::default(), true, "1,50", "1,5"));
        // In the right file only: the left file's `1.234` is one and a bit.
        let right = Rules {
            decimal_comma: Sides::Right,
            ..Rules::default()
        };
        assert!(cmp(right.clone(), true, "1.234", "1,234"));
        assert!(!cmp(right.clone(), true, "1.234", "1.234,0"));
        assert!(cmp(right.clone(), true, "1234.5", "1.234,5"));
        assert!(!cmp(
            Rules {
                decimal_comma: Sides::Both,
                ..right
            },
            true,
            "1.234",
            "1,234"
        ));
    }

    #[test]
    fn sides_are_stored_as_a_switch_or_a_file() {
        for (sides, json) in [
            (Sides::Neither, "false"),
            (Sides::Both, "true"),
            (Sides::Left, "\"left\""),
            (Sides::Right, "\"right\""),
        ] {
            assert_eq!(serde_json::to_string(&sides).unwrap(), json);
            assert_eq!(serde_json::from_str::<Sides>(json).unwrap(), sides);
        }
        assert!(serde_json::from_str::<Sides>("\"up\"").is_err());
    }

    #[test]
    fn dates_across_formats() {
        let r = Rules {
            date_formats: vec!["%d/%m/%Y".into()],
            ..Rules::default()
        };
        assert!(cmp(r.clone(), false, "2024-01-05", "05/01/2024"));
        assert!(!cmp(r.clone(), false, "2024-01-05", "06/01/2024"));
        assert!(!cmp(Rules::default(), false, "2024-01-05", "05/01/2024"));
    }

    #[test]
    fn overrides_apply_per_column() {
        let global = Rules {
            trim: true,
            ..Rules::default()
        };
        let o = RuleOverrides {
            trim: Some(false),
            abs_tolerance: Some(0.5),
            ..Default::default()
        };
        let r = global.with(&o);
        let tokens = Rules {
            null_tokens: vec!["NULL".into()],
            ..Rules::default()
        }
        .with(&RuleOverrides {
            null_tokens: Some(vec!["-".into(), "NULL".into()]),
            ..Default::default()
        });
        assert_eq!(
            tokens.null_tokens,
            vec!["NULL".to_string(), "-".to_string()]
        );
        assert!(!r.trim);
        assert_eq!(r.abs_tolerance, 0.5);
        assert!(Rules {
            abs_tolerance: -1.0,
            ..Rules::default()
        }
        .validate()
        .is_err());
    }
}
