//! A comparison's settings as people give them: a switch for every column
//! or for one (`--trim`, `--trim=COL`), `COL=VALUE` pairs, `LEFT=RIGHT`
//! keys. The command line and the Python package both take them in this
//! form and turn them into a [`CompareConfig`] here, so that one setting
//! means the same thing in both.

use super::{ColumnPair, CompareConfig, NumericMode, RuleOverrides, Rules, Sides};

/// A value for every column (`column: None`) or for one.
#[derive(Clone, Debug, PartialEq)]
pub struct PerColumn<T> {
    /// The column, or `None` for every column.
    pub column: Option<String>,
    /// The value.
    pub value: T,
}

/// The settings of one comparison, as the command line's flags and the
/// Python package's arguments give them.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareOptions {
    /// Key columns (`COL` or `LEFT=RIGHT`, see [`key`]).
    pub keys: Vec<ColumnPair>,
    /// Columns paired under different names.
    pub mappings: Vec<ColumnPair>,
    /// Columns left out.
    pub ignore: Vec<String>,
    /// Columns on one side only do not make the files differ.
    pub ignore_extra_columns: bool,
    /// Columns whose surrounding spaces do not count; an empty name means
    /// every column.
    pub trim: Vec<String>,
    /// Columns whose letter case does not count; an empty name means every
    /// column.
    pub ignore_case: Vec<String>,
    /// Columns whose numbers use a decimal comma; an empty name means every
    /// column.
    pub decimal_comma: Vec<String>,
    /// The file whose numbers have decimal commas (`None`: both).
    pub decimal_comma_side: Option<Sides>,
    /// Values that mean "no value".
    pub null_tokens: Vec<PerColumn<String>>,
    /// Absolute tolerances for numbers.
    pub tolerances: Vec<PerColumn<f64>>,
    /// Relative tolerances for numbers.
    pub rel_tolerances: Vec<PerColumn<f64>>,
    /// Date formats (chrono syntax) under which dates compare as dates.
    pub date_formats: Vec<PerColumn<String>>,
    /// When numbers compare by value.
    pub numeric: NumericMode,
    /// Fill in a missing key, mapping or rule from suggestions.
    pub suggest: bool,
    /// Read columns as their values show (null spellings, decimal commas).
    pub infer: bool,
    /// Without a key, pair row N with row N.
    pub by_position: bool,
}

impl Default for CompareOptions {
    fn default() -> CompareOptions {
        CompareOptions {
            keys: Vec::new(),
            mappings: Vec::new(),
            ignore: Vec::new(),
            ignore_extra_columns: false,
            trim: Vec::new(),
            ignore_case: Vec::new(),
            decimal_comma: Vec::new(),
            decimal_comma_side: None,
            null_tokens: Vec::new(),
            tolerances: Vec::new(),
            rel_tolerances: Vec::new(),
            date_formats: Vec::new(),
            numeric: NumericMode::Auto,
            suggest: true,
            infer: true,
            by_position: false,
        }
    }
}

impl CompareOptions {
    /// The configuration these settings make.
    pub fn config(&self) -> CompareConfig {
        let mut cfg = CompareConfig {
            keys: self.keys.clone(),
            mappings: self.mappings.clone(),
            ignore: self.ignore.clone(),
            use_suggestions: self.suggest,
            infer_rules: self.suggest && self.infer,
            ignore_extra_columns: self.ignore_extra_columns,
            by_position: self.by_position,
            ..CompareConfig::default()
        };
        cfg.rules.numeric = self.numeric;
        set_flag(&mut cfg, &self.trim, |r| &mut r.trim, |o| &mut o.trim);
        set_flag(
            &mut cfg,
            &self.ignore_case,
            |r| &mut r.ignore_case,
            |o| &mut o.ignore_case,
        );
        let sides = self.decimal_comma_side.unwrap_or(Sides::Both);
        if self.decimal_comma.is_empty() && self.decimal_comma_side.is_some() {
            cfg.rules.decimal_comma = sides;
        }
        for name in &self.decimal_comma {
            if name.is_empty() {
                cfg.rules.decimal_comma = sides;
            } else {
                column(&mut cfg, name).decimal_comma = Some(sides);
            }
        }
        for t in &self.null_tokens {
            match &t.column {
                Some(c) => column(&mut cfg, c)
                    .null_tokens
                    .get_or_insert_with(Vec::new)
                    .push(t.value.clone()),
                None => cfg.rules.null_tokens.push(t.value.clone()),
            }
        }
        for t in &self.tolerances {
            match &t.column {
                Some(c) => column(&mut cfg, c).abs_tolerance = Some(t.value),
                None => cfg.rules.abs_tolerance = t.value,
            }
        }
        for t in &self.rel_tolerances {
            match &t.column {
                Some(c) => column(&mut cfg, c).rel_tolerance = Some(t.value),
                None => cfg.rules.rel_tolerance = t.value,
            }
        }
        for f in &self.date_formats {
            match &f.column {
                Some(c) => column(&mut cfg, c)
                    .date_formats
                    .get_or_insert_with(Vec::new)
                    .push(f.value.clone()),
                None => cfg.rules.date_formats.push(f.value.clone()),
            }
        }
        cfg
    }
}

/// Applies a switch given for every column (an empty name, through
/// `global`) or for one (through `own`).
fn set_flag(
    cfg: &mut CompareConfig,
    names: &[String],
    global: fn(&mut Rules) -> &mut bool,
    own: fn(&mut RuleOverrides) -> &mut Option<bool>,
) {
    for name in names {
        if name.is_empty() {
            *global(&mut cfg.rules) = true;
        } else {
            *own(column(cfg, name)) = Some(true);
        }
    }
}

/// The rule overrides of one column, created on first use.
fn column<'c>(cfg: &'c mut CompareConfig, name: &str) -> &'c mut RuleOverrides {
    cfg.column_rules.entry(name.to_string()).or_default()
}

/// A key column: `COL`, or `LEFT=RIGHT` when the names differ.
pub fn key(s: &str) -> Result<ColumnPair, String> {
    match s.split_once('=') {
        Some((l, r)) if !l.is_empty() && !r.is_empty() => Ok(ColumnPair::new(l, r)),
        None if !s.is_empty() => Ok(ColumnPair::new(s, s)),
        _ => Err(format!("expected COLUMN or LEFT=RIGHT, not '{s}'")),
    }
}

/// A mapping: `LEFT=RIGHT`.
pub fn mapping(s: &str) -> Result<ColumnPair, String> {
    match s.split_once('=') {
        Some((l, r)) if !l.is_empty() && !r.is_empty() => Ok(ColumnPair::new(l, r)),
        _ => Err(format!("expected LEFT=RIGHT, not '{s}'")),
    }
}

/// `[COL=]TEXT`: a null token or a date format, for one column or all.
pub fn per_column_text(s: &str) -> Result<PerColumn<String>, String> {
    Ok(match s.split_once('=') {
        Some((c, v)) if !c.is_empty() => PerColumn {
            column: Some(c.to_string()),
            value: v.to_string(),
        },
        _ => PerColumn {
            column: None,
            value: s.to_string(),
        },
    })
}

/// `[COL=]NUMBER`: a tolerance (zero or more), for one column or all.
pub fn per_column_number(s: &str) -> Result<PerColumn<f64>, String> {
    let text = per_column_text(s)?;
    let value = tolerance(text.value.trim().parse::<f64>().ok(), &text.value)?;
    Ok(PerColumn {
        column: text.column,
        value,
    })
}

/// A tolerance: a finite number of zero or more (`shown` is how it was
/// given, for the error).
pub fn tolerance(value: Option<f64>, shown: &str) -> Result<f64, String> {
    value
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("expected a number of zero or more, not '{shown}'"))
}

/// The file a decimal-comma setting is for: `left`, `right` or `both`.
pub fn sides(s: &str) -> Result<Sides, String> {
    match s {
        "left" => Ok(Sides::Left),
        "right" => Ok(Sides::Right),
        "both" => Ok(Sides::Both),
        _ => Err(format!("expected left, right or both, not '{s}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switch_for_every_column_or_one() {
        let o = CompareOptions {
            trim: vec![String::new()],
            ignore_case: vec!["name".into()],
            tolerances: vec![per_column_number("amount=0.01").unwrap()],
            rel_tolerances: vec![per_column_number("0.1").unwrap()],
            ..CompareOptions::default()
        };
        let cfg = o.config();
        assert!(cfg.rules.trim);
        assert!(!cfg.rules.ignore_case);
        assert_eq!(cfg.column_rules["name"].ignore_case, Some(true));
        assert_eq!(cfg.column_rules["amount"].abs_tolerance, Some(0.01));
        assert_eq!(cfg.rules.rel_tolerance, 0.1);
    }

    #[test]
    fn no_suggestions_means_no_inferred_rules_either() {
        let cfg = CompareOptions {
            suggest: false,
            ..CompareOptions::default()
        }
        .config();
        assert!(!cfg.use_suggestions && !cfg.infer_rules);
    }

    #[test]
    fn keys_and_numbers_refuse_what_they_cannot_read() {
        assert_eq!(key("a=b").unwrap(), ColumnPair::new("a", "b"));
        assert_eq!(key("id").unwrap(), ColumnPair::new("id", "id"));
        assert!(key("=b").is_err());
        assert!(mapping("a").is_err());
        assert!(per_column_number("x=-1").is_err());
        assert!(per_column_number("x=inf").is_err());
        assert_eq!(sides("left"), Ok(Sides::Left));
        assert!(sides("up").is_err());
    }
}
