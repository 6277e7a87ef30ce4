#!/usr/bin/env python3
"""Times `concord compare` on two 100,000-row x 12-column workbooks against
polars reading the same workbooks (`read_excel` with the calamine engine,
through fastexcel) and joining them on the key to find the differing rows,
side by side in one run. The workbooks are the first 100,000 rows of
bench/data's left file and the right file's rows with the same keys
(1% changed, 0.5% deleted), written once by xlsxwriter as text cells. Target (issue 25): Concord
faster than polars. Medians of RUNS warm runs.

Needs polars, fastexcel and xlsxwriter (pip); usage:
    python3 bench/workbook_vs_polars.py [RUNS]
"""
import csv
import os
import subprocess
import sys

from measure import median

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
OUT = os.path.join(ROOT, "target", "bench-workbooks")
ROWS = 100_000
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3

POLARS = r'''
import sys
import polars as pl
left, right, out = sys.argv[1:4]
l = pl.read_excel(left, engine="calamine", infer_schema_length=0)
r = pl.read_excel(right, engine="calamine", infer_schema_length=0)
others = [c for c in l.columns if c != "id"]
j = l.join(r, on="id", how="full", suffix="_right", coalesce=False)
differs = pl.col("id").is_null() | pl.col("id_right").is_null()
for c in others:
    differs = differs | pl.col(c).ne_missing(pl.col(c + "_right"))
j.filter(differs).write_csv(out)
'''


def workbook(src, dst, ids=None):
    """The first ROWS rows of src (or, given `ids`, its rows with those
    keys, in its order) as a workbook; the keys written."""
    import xlsxwriter
    book = xlsxwriter.Workbook(dst, {"constant_memory": True})
    sheet = book.add_worksheet("Data")
    written = set()
    r = 0
    with open(src, newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            if i > 0 and (ids is None and i > ROWS or ids is not None and row[0] not in ids):
                continue
            for c, v in enumerate(row):
                sheet.write_string(r, c, v)
            written.add(row[0])
            r += 1
    book.close()
    return written


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "concord"], cwd=ROOT, check=True)
    os.makedirs(OUT, exist_ok=True)
    books = [os.path.join(OUT, "left.xlsx"), os.path.join(OUT, "right.xlsx")]
    # The left file's first rows, and the right file's rows with the same
    # keys (it is shuffled): the pair then differs as the big pair does.
    if not all(os.path.exists(b) for b in books):
        ids = workbook(os.path.join(DATA, "left.csv"), books[0])
        workbook(os.path.join(DATA, "right.csv"), books[1], ids)
    script = os.path.join(OUT, "polars_diff.py")
    with open(script, "w") as f:
        f.write(POLARS)
    concord = [os.path.join(ROOT, "target", "release", "concord"), "compare", *books,
               "--key", "id", "--format", "csv", "--output", "/tmp/concord-bench-xlsx.csv"]
    polars = [sys.executable, script, *books, "/tmp/polars-bench-xlsx.csv"]
    c_time, c_mem = median(concord, RUNS)
    p_time, p_mem = median(polars, RUNS, ok_codes=(0,))
    import polars as pl
    rows = lambda f: sum(1 for _ in open(f)) - 1
    mib = 1024 * 1024
    print(f"two {ROWS:,}-row x 12-column workbooks ({sum(os.path.getsize(b) for b in books) / mib:.0f} MiB); "
          f"{os.cpu_count()} cores; median of {RUNS} runs; polars {pl.__version__}")
    print(f"{'tool':<10}{'time (s)':>10}{'peak RSS (MiB)':>16}{'diff rows':>11}")
    print(f"{'concord':<10}{c_time:>10.2f}{c_mem / mib:>16.0f}{rows('/tmp/concord-bench-xlsx.csv'):>11}")
    print(f"{'polars':<10}{p_time:>10.2f}{p_mem / mib:>16.0f}{rows('/tmp/polars-bench-xlsx.csv'):>11}")
    print(f"concord time / polars time: {c_time / p_time:.2f} (target < 1)")


if __name__ == "__main__":
    main()
