//! Times suggestions on two loaded files (loading is not timed).
//!
//! Usage: cargo run --release --example suggest_speed -- LEFT RIGHT [RUNS]
//! The standard case is two 1,000,000-row x 50-column files:
//!   cargo run --release --example gen_workload -- bench/data50 1000000 50

use concord::suggest::suggest;
use concord::{load_path, Control, LoadOptions};
use std::time::Instant;

fn main() -> Result<(), concord::Error> {
    let args: Vec<String> = std::env::args().collect();
    let (left, right) = (args.get(1).expect("LEFT"), args.get(2).expect("RIGHT"));
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let opts = LoadOptions::default();
    let left = load_path(left.as_ref(), &opts, Control::default())?;
    let right = load_path(right.as_ref(), &opts, Control::default())?;
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(suggest(&left, &right, concord::Control::default()).unwrap());
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let s = last.expect("at least one run");
    println!(
        "{} x {} and {} x {} cells: suggest median {:.3} s (min {:.3}, max {:.3}) over {runs} runs; {} column pairs, top key {:?}",
        left.num_rows(),
        left.num_columns(),
        right.num_rows(),
        right.num_columns(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        s.mappings.len(),
        s.keys.first().map(|k| (&k.left, &k.right, k.unique_left, k.unique_right, k.overlap)),
    );
    Ok(())
}
