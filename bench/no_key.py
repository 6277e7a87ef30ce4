#!/usr/bin/env python3
"""Times pairing rows by content (no key) against the keyed comparison.

The standard workload (bench/data, 1,000,000 rows x 12 columns a side) is
compared twice in one run: by its key `id`, and with the right file's rows
shuffled and no key at all (`--no-suggest`), so that Concord pairs rows by
their content. Each runs once to warm the page cache, then RUNS times; the
median wall time and peak resident memory are printed, with the content
pairing's time as a multiple of the keyed one's (the target: at most 1.5x),
and both summaries, which should count the same changed and one-sided rows.

Usage: python3 bench/no_key.py [RUNS]
"""
import json
import os
import random
import subprocess
import sys

from measure import median

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
LEFT, RIGHT = os.path.join(DATA, "left.csv"), os.path.join(DATA, "right.csv")
SHUFFLED = os.path.join(DATA, "right-shuffled.csv")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
CONCORD = os.path.join(ROOT, "target", "release", "concord")


def summary(args):
    out = subprocess.run([CONCORD, "compare", *args, "--format", "json"], capture_output=True)
    s = json.loads(out.stdout)["summary"]
    return {k: s[k] for k in ("matched", "changed", "only_left", "only_right")}


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "concord", "--example", "gen_workload"], cwd=ROOT, check=True)
    if not (os.path.exists(LEFT) and os.path.exists(RIGHT)):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "gen_workload"), DATA], check=True)
    if not os.path.exists(SHUFFLED):
        with open(RIGHT, encoding="utf-8", newline="") as f:
            head, *rows = f.readlines()
        random.Random(22).shuffle(rows)
        with open(SHUFFLED, "w", encoding="utf-8", newline="") as f:
            f.write(head)
            f.writelines(rows)
    out = ["--format", "csv", "--output", "/tmp/concord-bench-no-key.csv"]
    keyed = [LEFT, RIGHT, "--key", "id"]
    content = [LEFT, SHUFFLED, "--no-suggest"]
    k_time, k_mem = median([CONCORD, "compare", *keyed, *out], RUNS)
    c_time, c_mem = median([CONCORD, "compare", *content, *out], RUNS)
    mib = 1 << 20
    print(f"keyed (--key id):                  {k_time:6.2f} s  {k_mem / mib:6.0f} MiB  {summary(keyed)}")
    print(f"by content (shuffled, no key):     {c_time:6.2f} s  {c_mem / mib:6.0f} MiB  {summary(content)}")
    print(f"content / keyed: {c_time / k_time:.2f}x time (target at most 1.5x)")


if __name__ == "__main__":
    main()
