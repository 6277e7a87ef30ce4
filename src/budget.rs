//! How much memory a comparison may use: the memory budget, sizes as
//! people write them (`512M`, `1.5GiB`) and as they read them.

use crate::compare::partitioned::Limits;

/// How much memory a comparison may use, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBudget(pub u64);

/// The environment variable that sets the memory limit (for one run, over
/// the saved settings).
pub const MEMORY_LIMIT_ENV: &str = "CONCORD_MEMORY_LIMIT";

impl MemoryBudget {
    /// The smallest limit that can be set (1 MiB).
    pub const MIN: u64 = 1 << 20;

    /// Half of the machine's memory (4 GiB where that cannot be read): room
    /// for the comparison with the rest left to the system and other programs.
    pub fn default_for_machine() -> MemoryBudget {
        MemoryBudget(total_memory().map_or(4 << 30, |m| m / 2))
    }

    /// The limit in `CONCORD_MEMORY_LIMIT`, or [`MemoryBudget::default_for_machine`].
    pub fn from_environment() -> MemoryBudget {
        std::env::var(MEMORY_LIMIT_ENV)
            .ok()
            .and_then(|v| MemoryBudget::parse(&v).ok())
            .unwrap_or_else(MemoryBudget::default_for_machine)
    }

    /// Parses a size as people write it: `1G`, `512M`, `1.5GiB`, `800mb`,
    /// or a number of bytes. Units are powers of 1024.
    pub fn parse(text: &str) -> std::result::Result<MemoryBudget, String> {
        let bytes = parse_size(text)?;
        if bytes < MemoryBudget::MIN {
            return Err(format!(
                "'{text}' is too small a memory budget (at least 1M)"
            ));
        }
        Ok(MemoryBudget(bytes))
    }

    /// Whether two inputs of these sizes can be compared in memory: loaded
    /// tables take about 1.4 times their text, and the comparison a little more.
    pub fn fits(self, left_bytes: u64, right_bytes: u64) -> bool {
        (left_bytes + right_bytes).saturating_mul(3) / 2 <= self.0
    }

    /// The sizes a partitioned comparison works in under this budget.
    pub fn limits(self) -> Limits {
        Limits {
            piece_bytes: (self.0 / 10).clamp(1 << 12, 1 << 30) as usize,
            partition_bytes: (self.0 / 4).max(1 << 12),
            result_bytes: (self.0 / 8) as usize,
        }
    }
}

/// Parses a size as people write it: `1G`, `512M`, `1.5GiB`, `800mb`, or a
/// number of bytes. Units are powers of 1024.
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a size such as 1G or 512M"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(format!("'{text}': unknown unit (use K, M, G or T)")),
    };
    Ok((number * (1u64 << shift) as f64) as u64)
}

impl std::fmt::Display for MemoryBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&size_text(self.0))
    }
}

/// A size for people, in the units memory limits are given in: "512 MiB",
/// "1.3 MiB", "2.4 GiB". Small sizes keep a decimal, so that files of 1.3
/// MiB are not said to be 1 MiB beside a limit of 1 MiB.
pub fn size_text(bytes: u64) -> String {
    let mib = bytes as f64 / (1u64 << 20) as f64;
    if mib >= 1024.0 {
        format!("{:.1} GiB", mib / 1024.0)
    } else if mib >= 10.0 || bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{mib:.1} MiB")
    }
}

fn total_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_as_people_write_them() {
        assert_eq!(MemoryBudget::parse("1G"), Ok(MemoryBudget(1 << 30)));
        assert_eq!(MemoryBudget::parse("512m"), Ok(MemoryBudget(512 << 20)));
        assert_eq!(MemoryBudget::parse("1.5GiB"), Ok(MemoryBudget(3 << 29)));
        assert_eq!(MemoryBudget::parse("2097152"), Ok(MemoryBudget(2 << 20)));
        assert!(MemoryBudget::parse("lots")
            .unwrap_err()
            .contains("not a size"));
        assert!(MemoryBudget::parse("3X")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(MemoryBudget::parse("10K")
            .unwrap_err()
            .contains("too small"));
        assert_eq!(MemoryBudget(3 << 29).to_string(), "1.5 GiB");
        assert_eq!(MemoryBudget(512 << 20).to_string(), "512 MiB");
        assert_eq!(size_text(1 << 20), "1 MiB");
        assert_eq!(size_text(1_338_000), "1.3 MiB");
        assert_eq!(size_text(25 << 20 | 5), "25 MiB");
        assert!(MemoryBudget(1 << 30).fits(300 << 20, 300 << 20));
        assert!(!MemoryBudget(1 << 30).fits(400 << 20, 400 << 20));
    }
}
