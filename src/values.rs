//! Reading cell text as typed values: numbers, booleans, dates and times.
//!
//! Profiling uses these to infer a column's type; comparing uses them for
//! numeric equality (`1.50` = `1.5`) and for dates written in different
//! formats. Everything here is strict: a value is a number only if all of it
//! is a number, so `12 kg` or `1,000` stay text.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The type of one value or, in a profile, of a whole column.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// Empty or a null token; in a profile, a column with no other value.
    Empty,
    /// Whole numbers: `-12`, `007`.
    Integer,
    /// Numbers with a fraction or exponent: `1.5`, `-2e3`.
    Decimal,
    /// `true`/`false`, `yes`/`no`, `t`/`f`, `y`/`n`, in any case.
    Boolean,
    /// Calendar dates: `2024-03-01`, `2024/03/01`, `01/03/2024`, `01.03.2024`.
    Date,
    /// A date with a time of day, optionally with a zone: `2024-03-01T12:30:00Z`.
    Datetime,
    /// Anything else.
    Text,
}

impl ValueType {
    /// The name shown to users.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Empty => "empty",
            ValueType::Integer => "integer",
            ValueType::Decimal => "decimal",
            ValueType::Boolean => "boolean",
            ValueType::Date => "date",
            ValueType::Datetime => "datetime",
            ValueType::Text => "text",
        }
    }

    /// Whether values of this type are numbers.
    pub fn is_numeric(self) -> bool {
        matches!(self, ValueType::Integer | ValueType::Decimal)
    }

    /// The type of a column holding values of types `self` and `other`.
    pub fn join(self, other: ValueType) -> ValueType {
        use ValueType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Empty, x) | (x, Empty) => x,
            (Integer, Decimal) | (Decimal, Integer) => Decimal,
            (Date, Datetime) | (Datetime, Date) => Datetime,
            _ => Text,
        }
    }
}

/// Classifies one cell.
pub fn classify(cell: &str) -> ValueType {
    let s = cell;
    if s.is_empty() {
        return ValueType::Empty;
    }
    let first = s.as_bytes()[0];
    if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
        if is_integer(s) {
            return ValueType::Integer;
        }
        if parse_number(s).is_some() {
            return ValueType::Decimal;
        }
        if first.is_ascii_digit() {
            if parse_date(s).is_some() {
                return ValueType::Date;
            }
            if parse_datetime(s).is_some() {
                return ValueType::Datetime;
            }
        }
        return ValueType::Text;
    }
    if parse_bool(s).is_some() {
        return ValueType::Boolean;
    }
    ValueType::Text
}

/// Whether `s` is an optional sign followed by one or more ASCII digits.
pub fn is_integer(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Reads `s` as a decimal number (`12`, `-1.50`, `.5`, `1e3`, `2.5E-3`).
///
/// Unlike `str::parse::<f64>` it refuses `inf`, `NaN`, surrounding spaces and
/// a lone sign or dot, which are not numbers in a CSV file.
pub fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse().ok()
}

/// Rewrites a number written with a decimal comma (`1.234,5`, `-0,25`,
/// `12,5`) in the usual form (`1234.5`); `None` when `s` is not one. Dots
/// are taken as thousands separators only in groups of three.
pub fn from_decimal_comma(s: &str) -> Option<String> {
    let (int, frac) = match s.split_once(',') {
        Some((i, f)) if !f.contains(',') && !f.contains('.') => (i, Some(f)),
        Some(_) => return None,
        None => (s, None),
    };
    let (sign, digits) = match int.strip_prefix(['-', '+']) {
        Some(rest) => (&int[..1], rest),
        None => ("", int),
    };
    let mut groups = digits.split('.');
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    let grouped_ok =
        !rest.is_empty() && (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3);
    if !rest.is_empty() && !grouped_ok {
        return None;
    }
    let whole: String = std::iter::once(first).chain(rest).collect();
    if whole.is_empty() && frac.is_none() {
        return None;
    }
    let out = match frac {
        Some(f) => format!("{sign}{whole}.{f}"),
        None => format!("{sign}{whole}"),
    };
    parse_number(&out).map(|_| out)
}

/// Whether two integers written as text are the same number, exactly, at any
/// size (`007` = `7`, `+5` = `5`, `-0` = `0`), where `f64` would round.
pub fn integers_equal(a: &str, b: &str) -> bool {
    fn split(s: &str) -> (bool, &str) {
        let (neg, digits) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let digits = digits.trim_start_matches('0');
        (neg && !digits.is_empty(), digits)
    }
    split(a) == split(b)
}

/// Reads `s` as a boolean.
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.len() > 5 {
        return None;
    }
    match s.to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" => Some(true),
        "false" | "f" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Reads `s` as a calendar date in one of the common layouts:
/// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, `MM/DD/YYYY` or `DD/MM/YYYY`
/// (month first when both are possible), `DD.MM.YYYY` and `DD-MM-YYYY`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() < 8 || b.len() > 10 {
        return None;
    }
    let sep = *b.iter().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let mut parts = s.split(sep as char);
    let (p1, p2, p3) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || [p1, p2, p3]
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let num = |p: &str| p.parse::<u32>().ok();
    if p1.len() == 4 && p2.len() <= 2 && p3.len() <= 2 {
        return NaiveDate::from_ymd_opt(num(p1)? as i32, num(p2)?, num(p3)?);
    }
    if p3.len() == 4 && p1.len() <= 2 && p2.len() <= 2 {
        let (a, c, y) = (num(p1)?, num(p2)?, num(p3)? as i32);
        if sep == b'/' {
            return NaiveDate::from_ymd_opt(y, a, c).or_else(|| NaiveDate::from_ymd_opt(y, c, a));
        }
        return NaiveDate::from_ymd_opt(y, c, a);
    }
    None
}

/// Reads `s` as a date and time: a date as [`parse_date`] reads it, `T` or a
/// space, `HH:MM`, optional `:SS` and fraction, optional `AM`/`PM`, and an
/// optional zone (`Z`, `+01:00`, `+0100`), which is applied so that the result
/// is in UTC when a zone is given.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let split = s.find(['T', ' '])?;
    let date = parse_date(&s[..split])?;
    let mut rest = s[split + 1..].trim_start();
    let mut offset_secs = 0i64;
    if let Some(z) = rest.strip_suffix('Z') {
        rest = z;
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let zone = &rest[pos + 1..];
        let digits: String = zone.chars().filter(|c| *c != ':').collect();
        if (digits.len() == 2 || digits.len() == 4) && digits.bytes().all(|c| c.is_ascii_digit()) {
            let h: i64 = digits[..2].parse().ok()?;
            let m: i64 = if digits.len() == 4 {
                digits[2..].parse().ok()?
            } else {
                0
            };
            let sign = if rest.as_bytes()[pos] == b'-' { -1 } else { 1 };
            offset_secs = sign * (h * 3600 + m * 60);
            rest = &rest[..pos];
        }
    }
    let rest = rest.trim_end();
    let (clock, pm) = match rest.len().checked_sub(2).map(|i| rest.split_at(i)) {
        Some((c, ampm)) if ampm.eq_ignore_ascii_case("am") => (c.trim_end(), Some(false)),
        Some((c, ampm)) if ampm.eq_ignore_ascii_case("pm") => (c.trim_end(), Some(true)),
        _ => (rest, None),
    };
    let mut time = NaiveTime::parse_from_str(clock, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(clock, "%H:%M"))
        .ok()?;
    if let Some(pm) = pm {
        use chrono::Timelike;
        let h = time.hour();
        if h == 0 || h > 12 {
            return None;
        }
        let h24 = match (pm, h) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
        time = time.with_hour(h24)?;
    }
    Some(date.and_time(time) - chrono::Duration::seconds(offset_secs))
}

/// Reads `s` as a point in time, trying `formats` (chrono `strftime` syntax)
/// first and then the layouts [`parse_datetime`] and [`parse_date`] know.
/// A date alone is taken as its midnight.
pub fn parse_time_point(s: &str, formats: &[String]) -> Option<NaiveDateTime> {
    for f in formats {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return Some(dt);
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return d.and_hms_opt(0, 0, 0);
        }
    }
    parse_date(s)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .or_else(|| parse_datetime(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_common_values() {
        let cases = [
            ("", ValueType::Empty),
            ("42", ValueType::Integer),
            ("-007", ValueType::Integer),
            ("1.50", ValueType::Decimal),
            ("1e3", ValueType::Decimal),
            (".5", ValueType::Decimal),
            ("TRUE", ValueType::Boolean),
            ("no", ValueType::Boolean),
            ("2024-02-29", ValueType::Date),
            ("2023-02-29", ValueType::Text),
            ("31/12/2024", ValueType::Date),
            ("12/31/2024", ValueType::Date),
            ("2022-01-21 13:47:00", ValueType::Datetime),
            ("2024-03-01T12:30:00.123+01:00", ValueType::Datetime),
            ("1/5/2024 3:04 PM", ValueType::Datetime),
            ("12 kg", ValueType::Text),
            ("1,000", ValueType::Text),
            ("inf", ValueType::Text),
            ("-", ValueType::Text),
        ];
        for (s, t) in cases {
            assert_eq!(classify(s), t, "{s:?}");
        }
    }

    #[test]
    fn joins_types() {
        use ValueType::*;
        assert_eq!(Integer.join(Decimal), Decimal);
        assert_eq!(Empty.join(Date), Date);
        assert_eq!(Date.join(Datetime), Datetime);
        assert_eq!(Integer.join(Text), Text);
        assert_eq!(Boolean.join(Integer), Text);
    }

    #[test]
    fn integers_compare_exactly_at_any_size() {
        assert!(integers_equal("007", "7"));
        assert!(integers_equal("-0", "0"));
        assert!(integers_equal("+5", "5"));
        assert!(!integers_equal("9007199254740993", "9007199254740992"));
        assert!(!integers_equal("-5", "5"));
    }

    #[test]
    fn decimal_commas_read_as_numbers() {
        let f = |s| from_decimal_comma(s);
        assert_eq!(f("1.234,5").as_deref(), Some("1234.5"));
        assert_eq!(f("-0,25").as_deref(), Some("-0.25"));
        assert_eq!(f("12,5").as_deref(), Some("12.5"));
        assert_eq!(f("1.234.567").as_deref(), Some("1234567"));
        assert_eq!(f("42").as_deref(), Some("42"));
        assert_eq!(f("1.23,4"), None);
        assert_eq!(f("1,2,3"), None);
        assert_eq!(f("12.5"), None);
        assert_eq!(f("abc"), None);
        assert_eq!(f(","), None);
    }

    #[test]
    fn time_points_with_formats_and_zones() {
        let iso = parse_time_point("2024-01-05", &[]).unwrap();
        let eu = parse_time_point("05/01/2024", &["%d/%m/%Y".to_string()]).unwrap();
        assert_eq!(iso, eu);
        let a = parse_datetime("2024-01-05T10:00:00+02:00").unwrap();
        let b = parse_datetime("2024-01-05 08:00:00Z").unwrap();
        assert_eq!(a, b);
        let pm = parse_datetime("2024-01-05 12:30 AM").unwrap();
        assert_eq!(pm, parse_datetime("2024-01-05 00:30").unwrap());
    }
}
