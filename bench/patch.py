#!/usr/bin/env python3
"""Times writing a patch and applying it on the standard workload: the
1M-row x 12-column pair in bench/data (about 20,000 differing rows).

`concord compare --format patch` writes the patch of left against right;
`concord apply` applies it to left. The result is checked: compared with
right, it must have no differences. Beside them, in the same run, the
plain keyed compare to CSV for scale. Then the merge driver on two
branches of left: "theirs" is right (about 20,000 rows changed, removed
or added), "ours" is left with the `notes` of every 50th row edited;
`concord git merge` merges theirs into a fresh copy of ours (the copy is
in the time), and the result must hold both sides' edits; rows both
sides edited, or one removed and the other edited, are in conflict. Medians of
RUNS warm runs.

Usage: python3 bench/patch.py [RUNS]
"""
import os
import subprocess
import sys

from measure import median

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
OUT = os.path.join(ROOT, "target", "bench-patch")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "concord", "--example", "gen_workload"], cwd=ROOT, check=True)
    left, right = os.path.join(DATA, "left.csv"), os.path.join(DATA, "right.csv")
    if not (os.path.exists(left) and os.path.exists(right)):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "gen_workload"), DATA, "1000000"], check=True)
    os.makedirs(OUT, exist_ok=True)
    concord = os.path.join(ROOT, "target", "release", "concord")
    patch, patched = os.path.join(OUT, "left.patch.csv"), os.path.join(OUT, "patched.csv")
    csv_time, csv_mem = median([concord, "compare", left, right, "--key", "id", "--format", "csv", "--output", os.path.join(OUT, "diff.csv")], RUNS)
    p_time, p_mem = median([concord, "compare", left, right, "--key", "id", "--format", "patch", "--output", patch], RUNS)
    a_time, a_mem = median([concord, "apply", left, patch, "--output", patched], RUNS, ok_codes=(0,))
    check = subprocess.run([concord, "compare", patched, right, "--key", "id", "--format", "text"], capture_output=True)
    if check.returncode != 0:
        sys.exit(f"the patched file differs from right:\n{check.stdout.decode()}")
    ours = os.path.join(OUT, "ours.csv")
    with open(left, newline="") as f, open(ours, "w", newline="") as o:
        for i, line in enumerate(f):
            if i > 0 and i % 50 == 0:
                line = line.rstrip("\n") + " (ours)\n"
            o.write(line)
    merged = os.path.join(OUT, "merged.csv")
    m_time, m_mem = median(["sh", "-c", f'cp "{ours}" "{merged}" && exec "{concord}" git merge "{left}" "{merged}" "{right}" data.csv 2>/dev/null'], RUNS)
    text = open(merged).read()
    if text.count(" (ours)") < 19000:
        sys.exit("the merge lost ours' edits")
    conflicts = text.count("<<<<<<< ours")
    mib = 1024 * 1024
    lines = sum(1 for _ in open(patch)) - 1
    print(f"1M rows x 12 columns a side ({os.path.getsize(left) / mib:.0f} MiB each); patch of {lines} rows, "
          f"{os.path.getsize(patch) / mib:.1f} MiB; {os.cpu_count()} cores; median of {RUNS} runs")
    print(f"{'step':<32}{'time (s)':>10}{'peak RSS (MiB)':>16}")
    print(f"{'compare, differences as CSV':<32}{csv_time:>10.2f}{csv_mem / mib:>16.0f}")
    print(f"{'compare, write the patch':<32}{p_time:>10.2f}{p_mem / mib:>16.0f}")
    print(f"{'apply the patch to left':<32}{a_time:>10.2f}{a_mem / mib:>16.0f}")
    print(f"{'git merge driver (with the copy)':<32}{m_time:>10.2f}{m_mem / mib:>16.0f}  ({conflicts} rows in conflict)")
    print("the patched file compared with right: identical; the merge holds ours' edits")


if __name__ == "__main__":
    main()
