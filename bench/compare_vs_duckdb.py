#!/usr/bin/env python3
"""Times `concord compare` against DuckDB on the standard workload.

Both tools do the same keyed diff of bench/data/left.csv and right.csv
(1,000,000 rows x 12 columns, ~120 MB each) and write the differing rows to a
CSV file. Each command runs once to warm the page cache, then RUNS times; the
median wall time and the peak resident memory (from wait4) are reported,
with Concord's time as a fraction of DuckDB's and its memory as a multiple of
the two input files' combined size.

Usage: python3 bench/compare_vs_duckdb.py [RUNS] [BASELINE_CONCORD]

BASELINE_CONCORD, a `concord` binary built from an earlier commit, is timed
the same way in the same run, to compare a change with what came before.

CONCORD_BENCH_ROWS=10000000 runs the same on 10 million rows (~1.2 GB a
side), generated into bench/data-10000000 on first use.

A second workload watches memory: the same pair with a fifth of the rows'
notes a quoted field with doubled quotes (`""\"fragile""\"`), which a CSV
reader cannot read where it stands (bench/data-quotes, made by
`gen_workload --doubled-quotes`). Concord (and the baseline) run on it too,
with the same targets.
"""
import os
import subprocess
import sys

from measure import median

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_ROWS = int(os.environ.get("CONCORD_BENCH_ROWS", "1000000"))
DATA = os.path.join(ROOT, "bench", "data" if BENCH_ROWS == 1000000 else f"data-{BENCH_ROWS}")
LEFT, RIGHT = os.path.join(DATA, "left.csv"), os.path.join(DATA, "right.csv")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
BASELINE = sys.argv[2] if len(sys.argv) > 2 else None


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "concord", "--example", "gen_workload"], cwd=ROOT, check=True)
    if not (os.path.exists(LEFT) and os.path.exists(RIGHT)):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "gen_workload"), DATA, str(BENCH_ROWS)], check=True)
    try:
        import duckdb  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "duckdb"], check=True)
    inputs = os.path.getsize(LEFT) + os.path.getsize(RIGHT)
    concord = [os.path.join(ROOT, "target", "release", "concord"), "compare", LEFT, RIGHT,
               "--key", "id", "--format", "csv", "--output", "/tmp/concord-bench-diff.csv"]
    duck = [sys.executable, os.path.join(ROOT, "bench", "duckdb_diff.py"), LEFT, RIGHT, "id",
            "/tmp/duckdb-bench-diff.csv", str(os.cpu_count() or 2)]
    c_time, c_mem = median(concord, RUNS)
    d_time, d_mem = median(duck, RUNS, ok_codes=(0,))
    if BASELINE:
        b_time, b_mem = median([BASELINE] + concord[1:], RUNS)
    with open("/tmp/concord-bench-diff.csv") as f:
        c_rows = sum(1 for _ in f) - 1
    with open("/tmp/duckdb-bench-diff.csv") as f:
        d_rows = sum(1 for _ in f) - 1
    mib = 1024 * 1024
    import duckdb
    print(f"inputs: {inputs / mib:.0f} MiB in two files; {os.cpu_count()} cores; median of {RUNS} runs; duckdb {duckdb.__version__}")
    print(f"{'tool':<10}{'time (s)':>10}{'peak RSS (MiB)':>16}{'diff rows':>11}")
    print(f"{'concord':<10}{c_time:>10.2f}{c_mem / mib:>16.0f}{c_rows:>11}")
    print(f"{'duckdb':<10}{d_time:>10.2f}{d_mem / mib:>16.0f}{d_rows:>11}")
    if BASELINE:
        print(f"{'baseline':<10}{b_time:>10.2f}{b_mem / mib:>16.0f}{'':>11}  ({BASELINE})")
        print(f"concord time / baseline time: {c_time / b_time:.2f}")
    print(f"concord time / duckdb time: {c_time / d_time:.2f} (target <= 0.50)")
    print(f"concord peak memory / input size: {c_mem / inputs:.2f} (target <= 1.30)")
    quotes()


def quotes():
    """The doubled-quotes workload: Concord's time and memory (and the baseline's)."""
    data = os.path.join(ROOT, "bench", "data-quotes" if BENCH_ROWS == 1000000 else f"data-quotes-{BENCH_ROWS}")
    left, right = os.path.join(data, "left.csv"), os.path.join(data, "right.csv")
    if not (os.path.exists(left) and os.path.exists(right)):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "gen_workload"), data, str(BENCH_ROWS),
                        "12", "--doubled-quotes"], check=True)
    inputs = os.path.getsize(left) + os.path.getsize(right)
    cmd = ["compare", left, right, "--key", "id", "--format", "csv", "--output", "/tmp/concord-bench-quotes.csv"]
    mib = 1024 * 1024
    print(f"doubled quotes (a fifth of the rows): inputs {inputs / mib:.0f} MiB")
    for name, binary in [("concord", os.path.join(ROOT, "target", "release", "concord")), ("baseline", BASELINE)]:
        if binary:
            t, mem = median([binary] + cmd, RUNS)
            print(f"{name:<10}{t:>10.2f}{mem / mib:>16.0f}   peak memory / input size: {mem / inputs:.2f} (target <= 1.30)")


if __name__ == "__main__":
    main()
