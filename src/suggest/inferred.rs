//! Rules the files themselves show: how each file writes "no value" and
//! numbers, read from each compared column's values, file by file.
//!
//! A database export writes `NULL` where a spreadsheet leaves a cell empty;
//! a European export writes `39,1` and `3.750.000` where the original
//! wrote `39.1` and `3750000`. Compared as written, every such cell
//! "changes". Read as the files mean them, they are equal.
//!
//! Both rules fire only where the values leave no doubt, from up to
//! [`SAMPLE`] rows spread over each file:
//!
//! - **Null spellings** (`NA`, `N/A`, `NULL`, `None`, `-`, `#N/A`, `nan`,
//!   ...; [`crate::values::NULL_SPELLINGS`]) in a column whose other values
//!   all have one type (numbers, dates, yes/no). In a text column a `-` or
//!   `None` may be a real value, so it is left alone.
//! - **Decimal commas** in one file: every value of the column reads as a
//!   number written with a decimal comma and dots between thousands, at
//!   least one of them could not be read the usual way (`39,1`,
//!   `3.750.000`), and the other file's values are numbers too. A column
//!   of `3.750` alone could be either, and is left alone.
//! - **Date layouts** in one file: dates written `01/03/2024` (or with dots
//!   or dashes) where the other file writes `2024-03-01`. A first part
//!   above 12 shows day first, a second part above 12 month first; when no
//!   value decides, the column is left alone and a note says so.
//!
//! A rule the configuration already sets for the column (or for every
//! column) is the user's: nothing is inferred over it.

use crate::compare::{CompareConfig, InferredKind, InferredRule, PairedColumns, Pairing, Sides};
use crate::error::Side;
use crate::table::Table;
use crate::values::{classify, from_decimal_comma, is_null_spelling, parse_number, ValueType};

/// Rows of each file whose values are read, spread over the file.
pub const SAMPLE: usize = 4096;

/// What the values of two files show: rules to apply, and notes on what
/// they could not decide.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inferred {
    /// Rules to apply.
    pub rules: Vec<InferredRule>,
    /// What the values left undecided, for people.
    pub notes: Vec<String>,
}

/// The rules `left` and `right` show for the columns `pairing` compares,
/// where `config` sets none.
pub fn infer_rules(
    left: &Table,
    right: &Table,
    pairing: &Pairing,
    config: &CompareConfig,
) -> Inferred {
    let mut out = Inferred::default();
    let columns = |t: &Table, name: fn(&PairedColumns) -> &str| -> Vec<Option<usize>> {
        pairing
            .pairs
            .iter()
            .map(|p| t.column_index(name(p)))
            .collect()
    };
    let lcols = columns(left, |p| &p.left);
    let rcols = columns(right, |p| &p.right);
    let (mut lvals, mut rvals) = (sample(left, &lcols), sample(right, &rcols));
    for (i, p) in pairing.pairs.iter().enumerate() {
        if lcols[i].is_none() || rcols[i].is_none() {
            continue;
        }
        let own = config
            .column_rules
            .get(&p.left)
            .or_else(|| config.column_rules.get(&p.right));
        let values = [std::mem::take(&mut lvals[i]), std::mem::take(&mut rvals[i])];
        let nulls_set = own.is_some_and(|o| o.null_tokens.is_some());
        if !nulls_set {
            out.rules
                .extend(null_spellings(&p.left, &values, &config.rules.null_tokens));
        }
        let commas_set = config.rules.decimal_comma != Sides::Neither
            || own.is_some_and(|o| o.decimal_comma.is_some());
        if !commas_set {
            out.rules.extend(decimal_commas(&p.left, &values));
        }
        let dates_set =
            !config.rules.date_formats.is_empty() || own.is_some_and(|o| o.date_formats.is_some());
        if !dates_set {
            match date_layout(&p.left, &values) {
                Some(Ok(rule)) => out.rules.push(rule),
                Some(Err(note)) => out.notes.push(note),
                None => {}
            }
        }
    }
    out
}

/// How one file writes a date: `2024-03-01`, or three numbers with a
/// four-digit year last, between one separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateWriting {
    Iso,
    /// The separator, and whether some value's first part is above 12 (so
    /// it is the day) or its second part is (so the first is the month).
    YearLast {
        sep: char,
        first_over_12: bool,
        second_over_12: bool,
    },
}

/// How every value of one file's column writes a date, if they all do it
/// one way.
fn date_writing(vals: &[&str]) -> Option<DateWriting> {
    let mut seen: Option<DateWriting> = None;
    for &v in vals {
        if v.is_empty() || is_null_spelling(v) {
            continue;
        }
        let this = if v.len() == 10 && classify(v) == ValueType::Date && v.as_bytes()[4] == b'-' {
            DateWriting::Iso
        } else {
            let sep = v.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
            let parts: Vec<&str> = v.split(sep).collect();
            let [a, b, y] = parts.as_slice() else {
                return None;
            };
            let ok = |p: &str, n: usize| {
                (1..=n).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())
            };
            if !ok(a, 2) || !ok(b, 2) || y.len() != 4 || !ok(y, 4) {
                return None;
            }
            let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
            if a == 0 || b == 0 || a > 31 || b > 31 || (a > 12 && b > 12) {
                return None;
            }
            DateWriting::YearLast {
                sep,
                first_over_12: a > 12,
                second_over_12: b > 12,
            }
        };
        seen = match (seen, this) {
            (None, t) => Some(t),
            (Some(DateWriting::Iso), DateWriting::Iso) => Some(DateWriting::Iso),
            (
                Some(DateWriting::YearLast {
                    sep,
                    first_over_12,
                    second_over_12,
                }),
                DateWriting::YearLast {
                    sep: s2,
                    first_over_12: f2,
                    second_over_12: s2b,
                },
            ) if sep == s2 => Some(DateWriting::YearLast {
                sep,
                first_over_12: first_over_12 || f2,
                second_over_12: second_over_12 || s2b,
            }),
            _ => return None,
        };
    }
    seen
}

/// The date layout of one column pair: a rule when one file writes ISO
/// dates and the other writes day and month in an order its values show,
/// a note when they do not show it.
fn date_layout(column: &str, values: &[Vec<&str>; 2]) -> Option<Result<InferredRule, String>> {
    let (l, r) = (date_writing(&values[0])?, date_writing(&values[1])?);
    let (side, writing) = match (l, r) {
        (DateWriting::Iso, w @ DateWriting::YearLast { .. }) => (Side::Right, w),
        (w @ DateWriting::YearLast { .. }, DateWriting::Iso) => (Side::Left, w),
        _ => return None,
    };
    let DateWriting::YearLast {
        sep,
        first_over_12,
        second_over_12,
    } = writing
    else {
        return None;
    };
    let layout = match (first_over_12, second_over_12) {
        (true, false) => format!("%d{sep}%m{sep}%Y"),
        (false, true) => format!("%m{sep}%d{sep}%Y"),
        (false, false) => {
            return Some(Err(format!(
                "the dates in '{column}' in the {side} file could be day/month or month/day (no day \
                 is above 12), so they are compared as written; name the layout ({}) to compare them \
                 as dates",
                format_args!("%d{sep}%m{sep}%Y or %m{sep}%d{sep}%Y")
            )))
        }
        (true, true) => return None,
    };
    let shown = values[side as usize]
        .iter()
        .find(|v| {
            v.split(sep)
                .take(2)
                .any(|p| p.parse::<u32>().is_ok_and(|n| n > 12))
        })
        .copied()
        .unwrap_or_default();
    Some(Ok(InferredRule {
        column: column.to_string(),
        kind: InferredKind::DateLayout,
        side: Some(side),
        spellings: Vec::new(),
        layout: Some(layout),
        evidence: format!(
            "'{shown}' where the {} file writes dates as 2024-03-01",
            side.other()
        ),
    }))
}

/// Up to [`SAMPLE`] values of each of `cols` (none for a column that is
/// not there), from rows spread over the table. Each row is read once, for
/// all columns: rows spread over a large table, read column after column,
/// would miss the cache at every cell.
fn sample<'t>(table: &'t Table, cols: &[Option<usize>]) -> Vec<Vec<&'t str>> {
    let n = table.num_rows();
    let mut out = vec![Vec::with_capacity(n.min(SAMPLE)); cols.len()];
    for r in sampled_rows(n) {
        let cells = table.row(r);
        for (vals, c) in out.iter_mut().zip(cols) {
            if let Some(c) = *c {
                vals.push(std::str::from_utf8(cells.bytes(c)).unwrap_or_default());
            }
        }
    }
    out
}

/// The rows of a table of `n` rows whose values rules are inferred from:
/// at most [`SAMPLE`], spread evenly. A table of just these rows has them
/// all sampled, so inferring from it infers what the whole table does.
pub fn sampled_rows(n: usize) -> std::iter::StepBy<std::ops::Range<usize>> {
    (0..n).step_by(n.div_ceil(SAMPLE).max(1))
}

/// The type of a value, read with a decimal comma when it is not a usual
/// number: `39,1` is a decimal, as `39.1` is.
fn value_type(v: &str) -> ValueType {
    match classify(v) {
        ValueType::Text => from_decimal_comma(v).map_or(ValueType::Text, |n| classify(&n)),
        t => t,
    }
}

/// The null spellings of one column pair, if its values show them.
fn null_spellings(column: &str, values: &[Vec<&str>; 2], known: &[String]) -> Option<InferredRule> {
    let mut spellings: Vec<String> = Vec::new();
    let mut seen = [false; 2];
    let mut typed = ValueType::Empty;
    for (side, vals) in values.iter().enumerate() {
        let mut others = ValueType::Empty;
        let mut spelled = Vec::new();
        for &v in vals {
            if v.is_empty() || known.iter().any(|k| k == v) {
                continue;
            }
            if is_null_spelling(v) {
                spelled.push(v);
            } else {
                others = others.join(value_type(v));
            }
        }
        // A spelling among text values may be a real value (`NA` for North
        // America), and a token applies to both files' cells.
        if others == ValueType::Text || (!spelled.is_empty() && others == ValueType::Empty) {
            return None;
        }
        if spelled.is_empty() {
            continue;
        }
        typed = typed.join(others);
        seen[side] = true;
        for v in spelled {
            if !spellings.iter().any(|s| s == v) {
                spellings.push(v.to_string());
            }
        }
    }
    if spellings.is_empty() || typed == ValueType::Text {
        return None;
    }
    let side = match seen {
        [true, false] => Some(Side::Left),
        [false, true] => Some(Side::Right),
        _ => None,
    };
    Some(InferredRule {
        column: column.to_string(),
        kind: InferredKind::NullSpellings,
        side,
        spellings,
        layout: None,
        evidence: format!("its other values are {}", plural_type(typed)),
    })
}

/// Whether the values of one file's column are numbers written with a
/// decimal comma, the first value that shows it (it cannot be read the
/// usual way) if so. One such value among usual numbers is not enough: it
/// is more often a list (`1380,383`, the spans of one bridge) than a
/// number.
fn comma_evidence<'v>(vals: &[&'v str]) -> Option<&'v str> {
    let mut shown = Vec::new();
    for &v in vals {
        if v.is_empty() || is_null_spelling(v) {
            continue;
        }
        from_decimal_comma(v)?;
        if shown.len() < 2 && parse_number(v).is_none() {
            shown.push(v);
        }
    }
    (shown.len() == 2).then(|| shown[0])
}

/// Whether every value of one file's column is a usual number (or empty).
fn usual_numbers(vals: &[&str]) -> bool {
    let mut any = false;
    for &v in vals {
        if v.is_empty() || is_null_spelling(v) {
            continue;
        }
        if parse_number(v).is_none() {
            return false;
        }
        any = true;
    }
    any
}

/// The decimal commas of one column pair, if its values show them.
fn decimal_commas(column: &str, values: &[Vec<&str>; 2]) -> Option<InferredRule> {
    let [l, r] = [comma_evidence(&values[0]), comma_evidence(&values[1])];
    let (side, shown) = match (l, r) {
        (Some(a), Some(_)) => (None, a),
        (Some(a), None) if usual_numbers(&values[1]) => (Some(Side::Left), a),
        (None, Some(b)) if usual_numbers(&values[0]) => (Some(Side::Right), b),
        _ => return None,
    };
    let evidence = match side {
        None => format!("'{shown}' and the like"),
        Some(s) => {
            let other = &values[if s == Side::Left { 1 } else { 0 }];
            let usual = other.iter().find(|v| !v.is_empty() && !is_null_spelling(v));
            match usual {
                Some(u) => format!("'{shown}' where the {} file writes '{u}'", s.other()),
                None => format!("'{shown}'"),
            }
        }
    };
    Some(InferredRule {
        column: column.to_string(),
        kind: InferredKind::DecimalComma,
        side,
        spellings: Vec::new(),
        layout: None,
        evidence,
    })
}

/// A type's name for a column of such values.
fn plural_type(t: ValueType) -> &'static str {
    match t {
        ValueType::Integer => "whole numbers",
        ValueType::Decimal => "numbers",
        ValueType::Boolean => "yes/no values",
        ValueType::Date => "dates",
        ValueType::Datetime => "dates and times",
        ValueType::Empty | ValueType::Text => "text",
    }
}

/// `config` with `rules` applied as the columns' own rules.
pub fn apply(config: &mut CompareConfig, rules: &[InferredRule]) {
    for rule in rules {
        let own = config.column_rules.entry(rule.column.clone()).or_default();
        match rule.kind {
            InferredKind::NullSpellings => {
                own.null_tokens
                    .get_or_insert_with(Vec::new)
                    .extend(rule.spellings.iter().cloned());
            }
            InferredKind::DecimalComma => {
                own.decimal_comma = Some(rule.side.map_or(Sides::Both, Sides::only));
            }
            InferredKind::DateLayout => {
                own.date_formats = Some(rule.layout.iter().cloned().collect());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(s: &str) -> Vec<&str> {
        s.split('|').collect()
    }

    #[test]
    fn null_spellings_in_a_typed_column_are_no_value() {
        let r = null_spellings("pop", &[vals("1|2|NA|3"), vals("1|2||3")], &[]).unwrap();
        assert_eq!(
            (r.kind, r.side),
            (InferredKind::NullSpellings, Some(Side::Left))
        );
        assert_eq!(r.spellings, ["NA"]);
        assert!(r
            .describe()
            .contains("reading 'NA' as no value in 'pop' in the left file"));
        // Both files, two spellings, decimal commas counted as numbers.
        let r = null_spellings("x", &[vals("1.5|NULL"), vals("1,5|N/A|2,25")], &[]).unwrap();
        assert_eq!(
            (r.side, r.spellings.clone()),
            (None, vec!["NULL".into(), "N/A".into()])
        );
        // Dates.
        let r = null_spellings("d", &[vals("2024-01-02|-"), vals("2024-01-03|")], &[]);
        assert!(r.unwrap().evidence.contains("dates"));
    }

    #[test]
    fn null_spellings_are_left_alone_where_they_may_be_values() {
        // A `-` among text is a value (a sign, a missing part of a code).
        assert_eq!(
            null_spellings("c", &[vals("A-1|-|B"), vals("A-1|B|C")], &[]),
            None
        );
        // A column of nothing but `NA` says nothing of its type.
        assert_eq!(null_spellings("c", &[vals("NA|NA"), vals("|")], &[]), None);
        // A token the user named is theirs.
        assert_eq!(
            null_spellings("c", &[vals("1|NULL"), vals("1|")], &["NULL".into()]),
            None
        );
        // One side typed, the other text: not one type.
        assert_eq!(null_spellings("c", &[vals("1|NA"), vals("x|y")], &[]), None);
    }

    #[test]
    fn decimal_commas_in_one_file_are_read_in_that_file_only() {
        let r = decimal_commas("lifeExp", &[vals("28.801|30.332"), vals("28,801|30,332")]).unwrap();
        assert_eq!(
            (r.kind, r.side),
            (InferredKind::DecimalComma, Some(Side::Right))
        );
        assert!(
            r.evidence
                .contains("'28,801' where the left file writes '28.801'"),
            "{}",
            r.evidence
        );
        // Dots between thousands alone show it.
        let r = decimal_commas(
            "pop",
            &[
                vals("3750000|1060011|60011|NA"),
                vals("3.750.000|1.060.011|60.011|NA"),
            ],
        )
        .unwrap();
        assert_eq!(r.side, Some(Side::Right));
        // Both files.
        let r = decimal_commas("x", &[vals("1,5|0,25"), vals("2,5|1.000|3,5")]).unwrap();
        assert_eq!(r.side, None);
    }

    #[test]
    fn date_layouts_in_one_file_are_decided_by_the_values() {
        let rule = |l: &str, r: &str| date_layout("d", &[vals(l), vals(r)]);
        let r = rule("2013-01-01|2013-01-13", "01/01/2013|13/01/2013")
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.side, r.layout.as_deref()),
            (Some(Side::Right), Some("%d/%m/%Y"))
        );
        assert!(r.evidence.contains("'13/01/2013'"), "{}", r.evidence);
        let r = rule("01.13.2013|NA", "2013-01-13|").unwrap().unwrap();
        assert_eq!(
            (r.side, r.layout.as_deref()),
            (Some(Side::Left), Some("%m.%d.%Y"))
        );
        // No value decides: a note, no rule.
        let note = rule("2013-01-02", "01/02/2013").unwrap().unwrap_err();
        assert!(note.contains("could be day/month or month/day"), "{note}");
    }

    #[test]
    fn date_layouts_are_left_alone_where_they_are_not_dates_or_agree() {
        let rule = |l: &str, r: &str| date_layout("d", &[vals(l), vals(r)]);
        // A column of years is not a date.
        assert_eq!(rule("1952|1957", "1952|1957"), None);
        // Both files write dates the same way.
        assert_eq!(rule("01/02/2013", "13/02/2013"), None);
        // Values that contradict each other (13 first, then 13 second).
        assert_eq!(rule("2013-01-13|2013-12-01", "13/01/2013|12/13/2013"), None);
        // Mixed layouts in one file.
        assert_eq!(rule("2013-01-13", "13/01/2013|2013-01-14"), None);
    }

    #[test]
    fn decimal_commas_are_left_alone_when_values_cannot_decide() {
        // `3.750` reads either way; usual numbers on both sides.
        assert_eq!(
            decimal_commas("x", &[vals("3.750|1.5"), vals("3.750|1.5")]),
            None
        );
        // A list, not a number.
        assert_eq!(decimal_commas("x", &[vals("1,2,3"), vals("1.5")]), None);
        // One value with a comma among whole numbers: a list of two lengths
        // (daff's bridges), on both sides.
        let bridges = vals("1595|1470|1380,383|2300");
        assert_eq!(decimal_commas("length", &[bridges.clone(), bridges]), None);
        // Text on the other side.
        assert_eq!(
            decimal_commas("x", &[vals("39,1"), vals("n/a yet|x")]),
            None
        );
        // Years are usual numbers on both sides.
        assert_eq!(
            decimal_commas("year", &[vals("1952|1957"), vals("1952|1957")]),
            None
        );
    }
}
