#!/usr/bin/env python3
"""Times `concord compare` against DuckDB on the standard workload as
Parquet: bench/data's 1M-row x 12-column pair written to Parquet by DuckDB
(types as DuckDB reads the CSV files; snappy), both tools doing the same
keyed diff from the Parquet files and writing the differing rows to CSV.

Targets (issue 25): Concord at most 0.5x DuckDB's time, and its peak
memory at most 1.5x the decoded data. The decoded data is given two ways:
the two CSV files' size (what the values take as text, which is how
Concord holds them) and, when pyarrow is installed, the two tables' size
in Arrow's memory. Medians of RUNS warm runs.

Usage: python3 bench/parquet_vs_duckdb.py [RUNS]
"""
import os
import subprocess
import sys

from measure import median

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
OUT = os.path.join(ROOT, "target", "bench-parquet")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "concord", "--example", "gen_workload"], cwd=ROOT, check=True)
    csvs = [os.path.join(DATA, "left.csv"), os.path.join(DATA, "right.csv")]
    if not all(os.path.exists(c) for c in csvs):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "gen_workload"), DATA, "1000000"], check=True)
    try:
        import duckdb
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "duckdb"], check=True)
        import duckdb
    os.makedirs(OUT, exist_ok=True)
    pqs = [os.path.join(OUT, "left.parquet"), os.path.join(OUT, "right.parquet")]
    for c, p in zip(csvs, pqs):
        if not os.path.exists(p):
            duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{c}')) TO '{p}' (FORMAT parquet)")
    concord = [os.path.join(ROOT, "target", "release", "concord"), "compare", *pqs,
               "--key", "id", "--format", "csv", "--output", "/tmp/concord-bench-parquet.csv"]
    duck = [sys.executable, os.path.join(ROOT, "bench", "duckdb_diff.py"), *pqs, "id",
            "/tmp/duckdb-bench-parquet.csv", str(os.cpu_count() or 2)]
    c_time, c_mem = median(concord, RUNS)
    d_time, d_mem = median(duck, RUNS, ok_codes=(0,))
    rows = lambda f: sum(1 for _ in open(f)) - 1
    mib = 1024 * 1024
    decoded = sum(os.path.getsize(c) for c in csvs)
    print(f"1M rows x 12 columns a side as Parquet ({sum(os.path.getsize(p) for p in pqs) / mib:.0f} MiB; "
          f"{decoded / mib:.0f} MiB as CSV text); {os.cpu_count()} cores; median of {RUNS} runs; duckdb {duckdb.__version__}")
    print(f"{'tool':<10}{'time (s)':>10}{'peak RSS (MiB)':>16}{'diff rows':>11}")
    print(f"{'concord':<10}{c_time:>10.2f}{c_mem / mib:>16.0f}{rows('/tmp/concord-bench-parquet.csv'):>11}")
    print(f"{'duckdb':<10}{d_time:>10.2f}{d_mem / mib:>16.0f}{rows('/tmp/duckdb-bench-parquet.csv'):>11}")
    print(f"concord time / duckdb time: {c_time / d_time:.2f} (target <= 0.50)")
    print(f"concord peak memory / decoded data as text: {c_mem / decoded:.2f} (target <= 1.50)")
    try:
        import pyarrow.parquet as pq
        arrow = sum(pq.read_table(p).nbytes for p in pqs)
        print(f"concord peak memory / decoded data in Arrow ({arrow / mib:.0f} MiB): {c_mem / arrow:.2f} (target <= 1.50)")
    except ImportError:
        pass


if __name__ == "__main__":
    main()
