//! Times loading one CSV file the way `concord compare` does (mapped, parsed
//! on all cores), to measure the parser apart from comparing.
//!
//! Usage: cargo run --release --example parse_speed -- FILE [RUNS]
//! The standard case is one side of the 10,000,000-row workload:
//!   cargo run --release --example gen_workload -- bench/data-10000000 10000000

use concord::table::map_path;
use concord::{Control, LoadOptions};
use std::time::Instant;

fn main() -> Result<(), concord::Error> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("FILE");
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let opts = LoadOptions::default();
    let mut times = Vec::new();
    let mut shape = (0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let table = map_path(path.as_ref(), &opts, Control::default())?;
        times.push(t.elapsed().as_secs_f64());
        shape = (table.num_rows(), table.num_columns());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{} rows x {} columns: load median {:.3} s (min {:.3}, max {:.3}) over {runs} runs",
        shape.0,
        shape.1,
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
    );
    Ok(())
}
