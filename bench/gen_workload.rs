//! Generates the standard benchmark workload: two CSV files of ROWS rows
//! (default 1,000,000) and 12 columns, about 120 MB each. The right file is
//! the left one shuffled, with 1% of rows having one changed cell, 0.5% of
//! rows deleted and 0.5% new rows inserted.
//!
//! Usage: cargo run --release --example gen_workload -- OUT_DIR [ROWS] [COLUMNS] [--doubled-quotes]
//! COLUMNS (default 12) adds filler columns beyond the first 12 when larger.
//! `--doubled-quotes` writes a fifth of the rows' notes as `"""fragile"""`: a
//! quoted field with doubled quotes, which a CSV reader cannot read where it
//! stands (the workload that watches the memory such rows take).

use std::fs::File;
use std::io::{BufWriter, Write};

/// SplitMix64: small, fast and deterministic, so every run makes the same files.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const FIRST: [&str; 8] = [
    "Ann", "Bob", "Chloé", "Dmitri", "Eve", "Farah", "Gus", "Hiro",
];
const LAST: [&str; 8] = [
    "Smith", "Jones", "García", "Müller", "Nguyen", "O'Brien", "Rossi", "Kowalski",
];
const CITY: [&str; 8] = [
    "Boston",
    "Paris",
    "Berlin",
    "São Paulo",
    "Tokyo",
    "Lagos",
    "Oslo",
    "Austin",
];
const STATUS: [&str; 4] = ["open", "closed", "pending", "on hold"];

fn row(id: u64, rng: &mut Rng, extra: usize, doubled_quotes: bool) -> Vec<String> {
    let f = FIRST[rng.below(8) as usize];
    let l = LAST[rng.below(8) as usize];
    let mut r = vec![
        id.to_string(),
        format!("{f} {l}"),
        format!(
            "{}.{}{}@example.com",
            f.to_lowercase(),
            l.to_lowercase(),
            rng.below(1000)
        ),
        CITY[rng.below(8) as usize].to_string(),
        ["US", "FR", "DE", "BR", "JP", "NG", "NO"][rng.below(7) as usize].to_string(),
        format!("{}.{:02}", rng.below(100_000), rng.below(100)),
        rng.below(500).to_string(),
        format!(
            "20{:02}-{:02}-{:02}",
            10 + rng.below(15),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
        format!(
            "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60)
        ),
        STATUS[rng.below(4) as usize].to_string(),
        format!("{:.4}", rng.below(1_000_000) as f64 / 10_000.0),
        if rng.below(10) == 0 {
            "\"needs review, see ticket\"".to_string()
        } else {
            format!("note {}", rng.below(100_000))
        },
    ];
    if doubled_quotes && id > 0 && id % 5 == 0 {
        r[11] = "\"\"\"fragile\"\"\"".to_string();
    }
    for i in 0..extra {
        r.push(format!("x{}_{}", i, rng.below(10_000)));
    }
    r
}

const HEADER: [&str; 12] = [
    "id", "name", "email", "city", "country", "amount", "quantity", "created", "updated", "status",
    "score", "notes",
];

fn main() -> std::io::Result<()> {
    let mut args: Vec<String> = std::env::args().collect();
    let doubled_quotes = args.iter().any(|a| a == "--doubled-quotes");
    args.retain(|a| a != "--doubled-quotes");
    let out = std::path::PathBuf::from(args.get(1).map(String::as_str).unwrap_or("bench/data"));
    let rows: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let cols: usize = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(12)
        .max(12);
    let extra = cols - 12;
    std::fs::create_dir_all(&out)?;
    let mut header: Vec<String> = HEADER.iter().map(|s| s.to_string()).collect();
    header.extend((0..extra).map(|i| format!("extra_{i}")));
    let header = header.join(",");

    let mut rng = Rng(42);
    let table: Vec<Vec<String>> = (0..rows)
        .map(|i| row(i + 1, &mut rng, extra, doubled_quotes))
        .collect();
    let mut left = BufWriter::with_capacity(1 << 20, File::create(out.join("left.csv"))?);
    writeln!(left, "{header}")?;
    for r in &table {
        writeln!(left, "{}", r.join(","))?;
    }
    left.flush()?;

    let mut right_rows: Vec<Vec<String>> = Vec::with_capacity(rows as usize);
    let (mut changed, mut deleted) = (0, 0);
    for r in table {
        match rng.below(1000) {
            0..=4 => deleted += 1,
            5..=14 => {
                let mut r = r;
                let c = 1 + rng.below(cols as u64 - 1) as usize;
                // A fresh value of the same kind, so typed readers still parse it.
                let old = r[c].clone();
                while r[c] == old {
                    r[c] = row(0, &mut rng, extra, doubled_quotes).swap_remove(c);
                }
                changed += 1;
                right_rows.push(r);
            }
            _ => right_rows.push(r),
        }
    }
    let inserted = rows / 200;
    for i in 0..inserted {
        right_rows.push(row(rows + 1 + i, &mut rng, extra, doubled_quotes));
    }
    for i in (1..right_rows.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        right_rows.swap(i, j);
    }
    let mut right = BufWriter::with_capacity(1 << 20, File::create(out.join("right.csv"))?);
    writeln!(right, "{header}")?;
    for r in &right_rows {
        writeln!(right, "{}", r.join(","))?;
    }
    right.flush()?;
    eprintln!(
        "wrote {} rows left, {} right: {changed} changed, {deleted} deleted, {inserted} inserted",
        rows,
        right_rows.len()
    );
    Ok(())
}
