#!/usr/bin/env python3
"""Times what suggestions add to `concord compare` on the 1M-row pair.

The standard workload (bench/data, made by gen_workload) is compared with
no flags (Concord suggests the key, pairs and rules) and with `--key id
--no-suggest` (nothing suggested), each twice to warm the page cache and
then RUNS times; the medians and their difference are printed. The
target: suggestions add at most 0.1 s.

Usage: python3 bench/suggest_overhead.py [RUNS] [OTHER_CONCORD]

OTHER_CONCORD, a `concord` binary built from another commit, is timed the
same way in the same run.
"""
import os
import subprocess
import sys

from measure import median

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
LEFT, RIGHT = os.path.join(DATA, "left.csv"), os.path.join(DATA, "right.csv")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
OTHER = sys.argv[2] if len(sys.argv) > 2 else None


def overhead(name, concord):
    out = ["--format", "csv", "--output", "/tmp/concord-bench-suggest.csv"]
    with_s = median([concord, "compare", LEFT, RIGHT, *out], RUNS, warm=2)
    without = median([concord, "compare", LEFT, RIGHT, "--key", "id", "--no-suggest", *out], RUNS, warm=2)
    mib = 1 << 20
    print(
        f"{name}: no flags {with_s[0]:.3f} s ({with_s[1] / mib:.0f} MiB), "
        f"--key id --no-suggest {without[0]:.3f} s ({without[1] / mib:.0f} MiB): "
        f"suggestions add {with_s[0] - without[0]:.3f} s"
    )


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "concord", "--example", "gen_workload"], cwd=ROOT, check=True)
    if not (os.path.exists(LEFT) and os.path.exists(RIGHT)):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "gen_workload"), DATA], check=True)
    overhead("this build", os.path.join(ROOT, "target", "release", "concord"))
    if OTHER:
        overhead(OTHER, OTHER)


if __name__ == "__main__":
    main()
