//! Generated pairs of CSV files full of the cases real exports hold (see
//! `tests/differential.rs`), shared by the tests that need such pairs.

pub const NULL_TOKEN: &str = "NULL";

/// A small, seedable generator, so that a failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    /// The generator of case `seed` (1, 2, ...): every test that walks
    /// the cases sees the same files for the same seed.
    pub fn for_case(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, pool: &[&'a str]) -> &'a str {
        pool[self.below(pool.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Values that are numbers, written in the ways exports write them, and
/// values near each other at the edges of `f64`.
pub const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "0.30",
    "0.31",
    "0.3",
    "10.00",
    "10.01",
    "10.011",
    "1.5",
    "1.50",
    "15e-1",
    "-0.25",
    "1000",
    "1e3",
    "1E3",
    "12345678901234567890",
    "12345678901234567891",
    "9007199254740993",
    "9007199254740994",
    "1e400",
    "2e400",
    "1e-400",
    "-1e-400",
    "123456789.10",
    "123456789.11",
    "+5",
    "5",
    ".5",
    "0.5",
];
/// Codes: numbers with leading zeros, and their look-alikes without.
pub const CODES: &[&str] = &["007", "7", "02134", "2134", "0042", "42", "-01", "-1"];
pub const NULLS: &[&str] = &["", NULL_TOKEN];
pub const TEXTS: &[&str] = &[
    "a",
    "A",
    "b",
    "say \"hi\"",
    "line\nbreak",
    "line\r\nbreak",
    "x, y",
    " a",
    "a ",
    "é",
];
pub const KEYS: &[&str] = &["1", "2", "3", "4", "5", "6", "7", "8", "9", "", NULL_TOKEN];
pub const TOLERANCES: &[f64] = &[0.0, 0.01, 1.0, 1.5, 1e300];

/// Writes one CSV field, quoted when it must be.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.is_empty() {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn to_csv(rows: &[Vec<String>]) -> String {
    let mut out = String::from("id,amount,code,note\n");
    for r in rows {
        let line: Vec<String> = r.iter().map(|v| field(v)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One generated pair of files: the right side is the left side with rows
/// dropped, added, changed (often into an equal-looking value) and, when
/// `shuffle`, moved.
pub fn generate(rng: &mut Rng, shuffle: bool) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    // Some files hold codes only (a text column), some mix numbers in.
    let code_pool: Vec<&str> = if rng.chance(50) {
        CODES.to_vec()
    } else {
        CODES.iter().chain(NUMBERS).copied().collect()
    };
    let value = |rng: &mut Rng, pool: &[&str]| -> String {
        if rng.chance(12) {
            rng.pick(NULLS).to_string()
        } else {
            rng.pick(pool).to_string()
        }
    };
    let n = rng.below(14);
    let left: Vec<Vec<String>> = (0..n)
        .map(|_| {
            vec![
                rng.pick(KEYS).to_string(),
                value(rng, NUMBERS),
                value(rng, &code_pool),
                value(rng, TEXTS),
            ]
        })
        .collect();
    let mut right = Vec::new();
    for row in &left {
        if rng.chance(15) {
            continue;
        }
        let mut r = row.clone();
        for (c, pool) in [(1, NUMBERS), (2, &code_pool[..]), (3, TEXTS)] {
            if rng.chance(35) {
                r[c] = value(rng, pool);
            }
        }
        if rng.chance(10) {
            r[0] = rng.pick(KEYS).to_string();
        }
        right.push(r);
    }
    for _ in 0..rng.below(3) {
        right.push(vec![
            rng.pick(KEYS).to_string(),
            value(rng, NUMBERS),
            value(rng, &code_pool),
            value(rng, TEXTS),
        ]);
    }
    // Shuffle the right side.
    for i in (1..right.len()).rev().filter(|_| shuffle) {
        let j = rng.below(i + 1);
        right.swap(i, j);
    }
    (left, right)
}

/// The configuration the generated pairs are compared with: keyed on `id`,
/// `NULL` a null, numbers equal within `tolerance`.
pub fn keyed_config(tolerance: f64) -> concord::CompareConfig {
    let mut cfg = concord::CompareConfig {
        keys: vec![concord::ColumnPair::new("id", "id")],
        use_suggestions: false,
        ..concord::CompareConfig::default()
    };
    cfg.rules.null_tokens = vec![NULL_TOKEN.to_string()];
    cfg.rules.abs_tolerance = tolerance;
    cfg
}
