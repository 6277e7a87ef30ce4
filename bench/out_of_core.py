#!/usr/bin/env python3
"""Compares two files larger than the memory limit and reports the wall
time and peak resident memory against the limit.

The generated workload (bench/examples/gen_workload: 12 columns, keyed by
id, ~120 bytes a row) of ROWS rows is written to bench/data-ROWS on first
use. `concord compare --key id --format csv` runs once with LIMIT as
--memory-limit (the out-of-core plan), and once without one (in memory,
when the machine has room), and the two outputs must be identical.

With `positional` as third argument, rows are paired by position instead
(`--no-suggest`, no key): the right file is then the left one with the
last cell of every 1000th row changed (written once next to the data), so
the files are in the same order, and the plan reads them side by side
without spilling.

Usage: python3 bench/out_of_core.py [ROWS] [LIMIT] [positional]
       (defaults: 10000000 rows, about 1.2 GB a side, and 512M)
"""
import filecmp
import os
import subprocess
import sys

import measure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
LIMIT = sys.argv[2] if len(sys.argv) > 2 else "512M"
DATA = os.path.join(ROOT, "bench", f"data-{ROWS}")
POSITIONAL = len(sys.argv) > 3 and sys.argv[3] == "positional"
LEFT, RIGHT = os.path.join(DATA, "left.csv"), os.path.join(DATA, "right.csv")
EDITED = os.path.join(DATA, "left-edited.csv")
CONCORD = os.path.join(ROOT, "target", "release", "concord")


def run(cmd):
    """Runs cmd, which must succeed; returns (seconds, peak RSS in bytes, stderr)."""
    elapsed, rss, code, err = measure.run(cmd)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return elapsed, rss, err


def size(text):
    units = {"K": 10, "M": 20, "G": 30, "T": 40}
    t = text.strip().upper().rstrip("IB").rstrip("B")
    return int(float(t[:-1]) * (1 << units[t[-1]])) if t[-1] in units else int(t)


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "concord", "--example", "gen_workload"], cwd=ROOT, check=True)
    if not (os.path.exists(LEFT) and os.path.exists(RIGHT)):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "gen_workload"), DATA, str(ROWS)], check=True)
    right, pairing = RIGHT, ["--key", "id"]
    if POSITIONAL:
        right, pairing = EDITED, ["--no-suggest"]
        if not os.path.exists(EDITED):
            with open(LEFT, "rb") as src, open(EDITED, "wb") as out:
                for n, line in enumerate(src):
                    out.write(line[:-1] + b"0\n" if n and n % 1000 == 0 else line)
    inputs = os.path.getsize(LEFT) + os.path.getsize(right)
    base = [CONCORD, "compare", LEFT, right, *pairing, "--format", "csv", "--output"]
    limit = size(LIMIT)
    mib = 1 << 20
    t, rss, err = run(base + ["/tmp/concord-ooc.csv", "--memory-limit", LIMIT])
    said = [l for l in err.splitlines() if "memory limit" in l]
    how = "by position" if POSITIONAL else "by key"
    print(f"inputs: {inputs / mib:.0f} MiB in two files ({ROWS:,} rows a side, paired {how}); limit {LIMIT}; {os.cpu_count()} cores")
    print(f"out of core: {t:.2f} s, peak RSS {rss / mib:.0f} MiB ({rss / limit:.2f}x the limit)")
    print(f"  {said[0] if said else 'concord did not say it went out of core'}")
    t2, rss2, _ = run(base + ["/tmp/concord-inmem.csv", "--memory-limit", str(inputs * 2)])
    print(f"in memory:   {t2:.2f} s, peak RSS {rss2 / mib:.0f} MiB")
    same = filecmp.cmp("/tmp/concord-ooc.csv", "/tmp/concord-inmem.csv", shallow=False)
    print(f"outputs identical: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
