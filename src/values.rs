//! Reading cell text as typed values: numbers, booleans, dates and times.
//!
//! Profiling uses these to infer a column's type; comparing uses them for
//! numeric equality (`1.50` = `1.5`) and for dates written in different
//! formats. Everything here is strict: a value is a number only if all of it
//! is a number, so `12 kg` or `1,000` stay text.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Spellings of "no value" that exports write in typed columns (R's `NA`,
/// databases' `NULL`, pandas' `nan`, Excel's `#N/A`, ...), compared without
/// regard to case. Header detection and key suggestions take them as empty.
pub const NULL_SPELLINGS: [&str; 9] = [
    "null", "na", "n/a", "nan", "none", "nil", "-", "#n/a", "(null)",
];

/// Whether `v` is one of [`NULL_SPELLINGS`].
pub fn is_null_spelling(v: &str) -> bool {
    v.len() <= 6 && NULL_SPELLINGS.iter().any(|n| n.eq_ignore_ascii_case(v))
}

/// The type of one value or, in a profile, of a whole column.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ValueType {
    /// Empty or a null token; in a profile, a column with no other value.
    Empty,
    /// Whole numbers: `-12`, `+3`. Codes with leading zeros (`007`) are text.
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
        if let Some(w) = scan(s) {
            if is_code(s) {
                return ValueType::Text;
            }
            return if w.frac.is_empty() && w.exp.is_empty() && !s.ends_with('.') {
                ValueType::Integer
            } else {
                ValueType::Decimal
            };
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

/// A number as written: its sign, integer digits, fraction digits and
/// exponent digits (with their sign), each a slice of the text.
struct Written<'a> {
    negative: bool,
    int: &'a [u8],
    frac: &'a [u8],
    exp: &'a [u8],
}

/// Splits `s` into the parts of a decimal number (`12`, `-1.50`, `.5`,
/// `1e3`, `2.5E-3`), or `None` when not all of `s` is one.
fn scan(s: &str) -> Option<Written<'_>> {
    let b = s.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits_from = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let int_end = digits_from(i);
    let int = &b[i..int_end];
    i = int_end;
    let mut frac: &[u8] = &[];
    if i < b.len() && b[i] == b'.' {
        let end = digits_from(i + 1);
        frac = &b[i + 1..end];
        i = end;
    }
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut exp: &[u8] = &[];
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let sign = usize::from(i + 1 < b.len() && (b[i + 1] == b'-' || b[i + 1] == b'+'));
        let end = digits_from(i + 1 + sign);
        if end == i + 1 + sign {
            return None;
        }
        exp = &b[i + 1..end];
        i = end;
    }
    (i == b.len()).then_some(Written {
        negative,
        int,
        frac,
        exp,
    })
}

/// Reads `s` as a decimal number (`12`, `-1.50`, `.5`, `1e3`, `2.5E-3`),
/// rounded to the nearest `f64`: for sorting and statistics. Comparisons use
/// [`parse_decimal`], which is exact.
///
/// Unlike `str::parse::<f64>` it refuses `inf`, `NaN`, surrounding spaces and
/// a lone sign or dot, which are not numbers in a CSV file.
pub fn parse_number(s: &str) -> Option<f64> {
    scan(s)?;
    s.parse().ok()
}

/// Whether `s` is written like a code rather than a quantity: a number with
/// a leading zero before another digit (`007`, `02134`, `-01.5`). `0`,
/// `0.5` and `-0.25` are numbers. Such columns compare as text, so that a
/// zip code or an account number keeps its zeros.
pub fn is_code(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s).as_bytes();
    digits.len() > 1 && digits[0] == b'0' && digits[1].is_ascii_digit()
}

/// Exponents beyond this are not read as numbers: it keeps every position
/// arithmetic below far from `i64`'s limits, and no real file needs more.
const MAX_EXPONENT: i64 = 1_000_000_000_000;

/// A decimal number held exactly: sign, significant digits and a power of
/// ten. `1.50`, `1.5` and `15e-1` are one value; integers keep every digit
/// at any length, and exponents far beyond `f64`'s range (`1e400`) stay
/// distinct. Comparing cells by value uses this rather than `f64`, which
/// rounds above 2^53 and cannot hold `0.01` exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    /// Never set for zero.
    negative: bool,
    /// Digit values 0-9, most significant first, without leading or
    /// trailing zeros; empty for zero.
    digits: Vec<u8>,
    /// The value is `digits` read as an integer times 10^`exp`.
    exp: i64,
}

/// Reads `s` as an exact decimal number; the same texts as [`parse_number`]
/// are numbers, except exponents beyond ±10^12.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let w = scan(s)?;
    let mut exp: i64 = 0;
    let (exp_neg, exp_digits) = match w.exp.first() {
        Some(b'-') => (true, &w.exp[1..]),
        Some(b'+') => (false, &w.exp[1..]),
        _ => (false, w.exp),
    };
    for &d in exp_digits {
        exp = exp * 10 + i64::from(d - b'0');
        if exp > MAX_EXPONENT {
            return None;
        }
    }
    if exp_neg {
        exp = -exp;
    }
    let mut digits: Vec<u8> = w.int.iter().chain(w.frac).map(|d| d - b'0').collect();
    let lead = digits.iter().take_while(|&&d| d == 0).count();
    digits.drain(..lead);
    Some(Decimal::normalized(
        w.negative,
        digits,
        exp - w.frac.len() as i64,
    ))
}

impl Decimal {
    /// Zero.
    pub fn zero() -> Decimal {
        Decimal {
            negative: false,
            digits: Vec::new(),
            exp: 0,
        }
    }

    /// The exact decimal that `v` is shown as (its shortest round-trip
    /// form): `0.01` for the `f64` nearest to 0.01. Tolerances are kept as
    /// `f64` and read this way, so a tolerance of 0.01 is exactly 0.01.
    pub fn from_f64(v: f64) -> Option<Decimal> {
        if !v.is_finite() {
            return None;
        }
        parse_decimal(&format!("{v}"))
    }

    /// Builds a value from digits without leading zeros, dropping trailing zeros.
    fn normalized(negative: bool, mut digits: Vec<u8>, mut exp: i64) -> Decimal {
        while digits.last() == Some(&0) {
            digits.pop();
            exp += 1;
        }
        if digits.is_empty() {
            return Decimal::zero();
        }
        Decimal {
            negative,
            digits,
            exp,
        }
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// The power of ten of the most significant digit (not meaningful for zero).
    fn top(&self) -> i64 {
        self.exp + self.digits.len() as i64 - 1
    }

    /// Compares magnitudes, ignoring signs.
    fn cmp_abs(&self, other: &Decimal) -> std::cmp::Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            // Both start at their top digit, so digit order decides after the top.
            (false, false) => self
                .top()
                .cmp(&other.top())
                .then_with(|| self.digits.cmp(&other.digits)),
        }
    }

    /// `|a| + |b|` when `add`, else `||a| - |b||`, exactly. The work is
    /// proportional to the span of positions the two cover, so callers keep
    /// that span bounded (see [`Decimal::within`]).
    fn combine_abs(a: &Decimal, b: &Decimal, add: bool) -> Decimal {
        if a.is_zero() || b.is_zero() {
            let mut x = if a.is_zero() { b.clone() } else { a.clone() };
            x.negative = false;
            return x;
        }
        let (big, small) = if a.cmp_abs(b).is_ge() { (a, b) } else { (b, a) };
        let lo = big.exp.min(small.exp);
        let width = (big.top().max(small.top()) - lo + 2) as usize;
        // Little-endian digit columns from position `lo`.
        let mut acc = vec![0i16; width];
        let place = |x: &Decimal, acc: &mut Vec<i16>, sign: i16| {
            let offset = (x.exp - lo) as usize;
            for (i, &d) in x.digits.iter().rev().enumerate() {
                acc[offset + i] += sign * i16::from(d);
            }
        };
        place(big, &mut acc, 1);
        place(small, &mut acc, if add { 1 } else { -1 });
        let mut carry = 0i16;
        for d in acc.iter_mut() {
            let v = *d + carry;
            carry = v.div_euclid(10);
            *d = v.rem_euclid(10);
        }
        debug_assert_eq!(carry, 0, "the larger magnitude comes first");
        let mut digits: Vec<u8> = acc.iter().rev().map(|&d| d as u8).collect();
        let lead = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..lead);
        Decimal::normalized(false, digits, lo)
    }

    /// `|self| * |other|`, exactly. The work is the product of the two
    /// lengths (one of them is a tolerance's few digits), with one carry
    /// pass at the end.
    fn mul_abs(&self, other: &Decimal) -> Decimal {
        if self.is_zero() || other.is_zero() {
            return Decimal::zero();
        }
        // Each column adds at most 81 per digit of the shorter number, far
        // below u64's limit for any text that fits in memory.
        let mut acc = vec![0u64; self.digits.len() + other.digits.len()];
        for (i, &x) in self.digits.iter().rev().enumerate() {
            for (j, &y) in other.digits.iter().rev().enumerate() {
                acc[i + j] += u64::from(x) * u64::from(y);
            }
        }
        let mut carry = 0;
        for d in acc.iter_mut() {
            let v = *d + carry;
            *d = v % 10;
            carry = v / 10;
        }
        let mut digits: Vec<u8> = acc.iter().rev().map(|&d| d as u8).collect();
        let lead = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..lead);
        Decimal::normalized(false, digits, self.exp + other.exp)
    }

    /// Whether `|self - other| <= tolerance`, exactly, at any magnitude.
    ///
    /// Exact subtraction costs as many steps as the positions the operands
    /// span, and `1e1000000 - 1e-1000000` spans two million. Two shortcuts
    /// keep the work proportional to the digits written: when one value is
    /// far larger than the other and than the tolerance, the answer is no;
    /// and a value lying wholly below every digit of the other and of the
    /// tolerance only matters by its sign, so it is replaced by one digit
    /// just below them, which gives the same answer.
    pub fn within(&self, other: &Decimal, tolerance: &Decimal) -> bool {
        if self == other {
            return true;
        }
        if tolerance.is_zero() {
            return false;
        }
        let (big, small) = if self.cmp_abs(other).is_ge() {
            (self, other)
        } else {
            (other, self)
        };
        let opposite = !small.is_zero() && big.negative != small.negative;
        let far = small.is_zero() || opposite || small.top() < big.top() - 1;
        if far && big.top() > tolerance.top() + 1 {
            // The difference is at least 0.9 * 10^big.top(), above the tolerance.
            return false;
        }
        let floor = big.exp.min(tolerance.exp);
        let clamped;
        let small = if !small.is_zero() && small.top() < floor - 1 {
            clamped = Decimal {
                negative: small.negative,
                digits: vec![1],
                exp: floor - 1,
            };
            &clamped
        } else {
            small
        };
        Decimal::combine_abs(big, small, opposite)
            .cmp_abs(tolerance)
            .is_le()
    }

    /// Whether `|self - other| <= relative * max(|self|, |other|)`, exactly.
    pub fn within_relative(&self, other: &Decimal, relative: &Decimal) -> bool {
        let larger = if self.cmp_abs(other).is_ge() {
            self
        } else {
            other
        };
        self.within(other, &larger.mul_abs(relative))
    }

    /// `|self - other|` as the nearest `f64` (infinite past `f64::MAX`), for
    /// the "largest difference" statistic.
    pub fn difference(&self, other: &Decimal) -> f64 {
        let (big, small) = if self.cmp_abs(other).is_ge() {
            (self, other)
        } else {
            (other, self)
        };
        let opposite = !small.is_zero() && big.negative != small.negative;
        // Digits more than 40 places below the larger value cannot change
        // the nearest f64 (which keeps 17), so they are left out.
        if small.is_zero() || small.top() < big.top() - 40 {
            return big.magnitude_f64();
        }
        Decimal::combine_abs(big, small, opposite).magnitude_f64()
    }

    /// `|self|` as the nearest `f64`.
    fn magnitude_f64(&self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let digits: String = self.digits.iter().map(|&d| char::from(b'0' + d)).collect();
        format!("0.{digits}e{}", self.top() + 1)
            .parse()
            .unwrap_or(f64::INFINITY)
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    /// Numeric order.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self.negative, other.negative) {
            (false, true) => std::cmp::Ordering::Greater,
            (true, false) => std::cmp::Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }
}

/// Shows a number for people: plain notation for everyday magnitudes
/// (`0.01`, `1234.5`), scientific for very large or small ones (`1e300`,
/// `2.5e-9`) rather than hundreds of digits.
pub fn readable_number(v: f64) -> String {
    if v.is_infinite() {
        return format!("{}more than 1.8e308", if v < 0.0 { "-" } else { "" });
    }
    let a = v.abs();
    if a == 0.0 || (1e-6..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
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
            ("-7", ValueType::Integer),
            ("-007", ValueType::Text),
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

    fn dec(s: &str) -> Decimal {
        parse_decimal(s).unwrap_or_else(|| panic!("{s} is a number"))
    }

    #[test]
    fn decimals_are_exact_at_any_size() {
        assert_eq!(dec("1.50"), dec("1.5"));
        assert_eq!(dec("15e-1"), dec("1.5"));
        assert_eq!(dec("-0"), dec("0"));
        assert_eq!(dec("+5"), dec("5"));
        assert_eq!(dec("1000"), dec("1e3"));
        assert_ne!(dec("9007199254740993"), dec("9007199254740992"));
        assert_ne!(dec("12345678901234567890"), dec("12345678901234567891"));
        assert_ne!(dec("1e400"), dec("2e400"));
        assert_ne!(dec("1e-400"), dec("0"));
        assert_ne!(dec("-5"), dec("5"));
        assert!(dec("-5") < dec("3"));
        assert!(dec("-5") < dec("-3"));
        assert!(dec("1e400") > dec("9e399"));
        assert!(dec("12345678901234567891") > dec("12345678901234567890"));
        assert_eq!(parse_decimal("1e99999999999999"), None);
        assert_eq!(parse_decimal("1."), Some(dec("1")));
        for s in [
            "", ".", "-", "1e", "1e+", "inf", "NaN", " 1", "1 ", "0x10", "1,5",
        ] {
            assert_eq!(parse_decimal(s), None, "{s:?}");
        }
    }

    #[test]
    fn tolerance_holds_exactly_at_the_boundary() {
        let t = |a: &str, b: &str, tol: &str| dec(a).within(&dec(b), &dec(tol));
        assert!(t("0.30", "0.31", "0.01"));
        assert!(t("10.00", "10.01", "0.01"));
        assert!(t("1000000.00", "1000000.01", "0.01"));
        assert!(!t("0.30", "0.3100001", "0.01"));
        assert!(!t("10.00", "10.011", "0.01"));
        assert!(t("-0.005", "0.005", "0.01"));
        assert!(!t("-0.005", "0.0051", "0.01"));
        assert!(!t("12345678901234567890", "12345678901234567891", "0"));
        assert!(t("12345678901234567890", "12345678901234567891", "1"));
        assert!(!t("12345678901234567890", "12345678901234567892", "1.5"));
        assert!(!t("1e400", "2e400", "1e300"));
        assert!(t("1e400", "2e400", "1e400"));
        assert!(!t("1e-400", "0", "0"));
        assert!(t("1e-400", "0", "1e-400"));
        // Far-apart magnitudes give the same answers as exact arithmetic would.
        assert!(t("0.01", "1e-1000000", "0.01"));
        assert!(!t("0.01", "-1e-1000000", "0.01"));
        assert!(t("0.005", "1e-1000000", "0.01"));
        assert!(!t("1e1000000", "1", "0.01"));
        assert!(!t("1e1000000", "-1e-1000000", "1e999999"));
        let rel = |a: &str, b: &str, r: &str| dec(a).within_relative(&dec(b), &dec(r));
        assert!(rel("1000", "1001", "0.001"));
        assert!(!rel("1000", "1001.1", "0.001"));
        assert!(rel("1e400", "1.001e400", "0.001"));
        // A long cell against a short tolerance stays linear (this took
        // minutes when every digit did a carry pass).
        let long = "7".repeat(200_000);
        let longer = format!("{long}8");
        assert!(!rel(&long, &longer, "0.01"));
        assert_eq!(dec("123").mul_abs(&dec("0.5")), dec("61.5"));
        assert_eq!(dec("999").mul_abs(&dec("999")), dec("998001"));
    }

    #[test]
    fn differences_read_as_f64() {
        assert_eq!(dec("10").difference(&dec("12.5")), 2.5);
        assert_eq!(dec("0.30").difference(&dec("0.31")), 0.01);
        assert_eq!(dec("-1").difference(&dec("1")), 2.0);
        assert_eq!(dec("1e400").difference(&dec("2e400")), f64::INFINITY);
        assert_eq!(dec("1e300").difference(&dec("1e-300")), 1e300);
        assert_eq!(readable_number(0.01), "0.01");
        assert_eq!(readable_number(1e300), "1e300");
        assert_eq!(readable_number(2.5e-9), "2.5e-9");
        assert_eq!(readable_number(f64::INFINITY), "more than 1.8e308");
    }

    #[test]
    fn leading_zeros_make_codes() {
        for code in ["007", "02134", "-01.5", "00"] {
            assert!(is_code(code), "{code}");
            assert_eq!(classify(code), ValueType::Text, "{code}");
        }
        for number in ["0", "0.5", "-0.25", "10", ".5", "0e3"] {
            assert!(!is_code(number), "{number}");
            assert!(classify(number).is_numeric(), "{number}");
        }
    }

    #[test]
    fn from_f64_reads_the_shortest_form() {
        assert_eq!(Decimal::from_f64(0.01), Some(dec("0.01")));
        assert_eq!(Decimal::from_f64(1e300), Some(dec("1e300")));
        assert_eq!(Decimal::from_f64(f64::NAN), None);
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
