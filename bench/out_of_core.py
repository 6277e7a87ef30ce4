#!/usr/bin/env python3
"""Compares two files larger than the memory limit and reports the wall
time and peak resident memory against the limit.

The generated workload (bench/examples/gen_workload: 12 columns, keyed by
id, ~120 bytes a row) of ROWS rows is written to bench/data-ROWS on first
use. `concord compare --key id --format csv` runs once with LIMIT as
--memory-limit (the out-of-core plan), and once without one (in memory,
when the machine has room), and the two outputs must be identical.

With `positional` as third argument, rows are paired by position instead
(`--by-position`, no key): the right file is then the left one with the
last cell of every 1000th row changed (written once next to the data), so
the files are in the same order, and the plan reads them side by side
without spilling.

With `shuffled`, rows are paired by position between the left and right
files of the workload, which hold their rows in different orders: almost
every row differs, so the result is about as large as both files and
must live on disk. Peak RSS then counts the pages of the result's mapped
files, which the kernel drops under memory pressure; the peak of the
process's own (anonymous) memory is what the limit bounds.

With CAP=SIZE in the environment (root only), the out-of-core run is
made inside a memory control group capped at SIZE, page cache included,
so the machine really has no more memory than that for it.

With SESSION=1, the out-of-core run saves a session (`--save`, in a
fresh data directory): the files are referenced, read into tables on
disk, and compared a partition at a time, as `concord serve` and the
desktop app do with files larger than a third of the limit.

Usage: [CAP=1G] [SESSION=1] python3 bench/out_of_core.py [ROWS] [LIMIT] [positional|shuffled]
       (defaults: 10000000 rows, about 1.2 GB a side, and 512M)
"""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

import measure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
LIMIT = sys.argv[2] if len(sys.argv) > 2 else "512M"
DATA = os.path.join(ROOT, "bench", f"data-{ROWS}")
MODE = sys.argv[3] if len(sys.argv) > 3 else "keyed"
POSITIONAL = MODE in ("positional", "shuffled")
LEFT, RIGHT = os.path.join(DATA, "left.csv"), os.path.join(DATA, "right.csv")
EDITED = os.path.join(DATA, "left-edited.csv")
# CONCORD=PATH in the environment times another build (an earlier release).
CONCORD = os.environ.get("CONCORD") or os.path.join(ROOT, "target", "release", "concord")


def capped(cmd):
    """cmd run inside a memory control group of CAP bytes (v1 or v2)."""
    cap = size(os.environ["CAP"])
    v1, v2 = "/sys/fs/cgroup/memory", "/sys/fs/cgroup"
    if os.path.exists(os.path.join(v1, "memory.limit_in_bytes")):
        root, limit = v1, "memory.limit_in_bytes"
    elif os.path.exists(os.path.join(v2, "cgroup.controllers")):
        root, limit = v2, "memory.max"
    else:
        sys.exit("CAP needs a memory control group (cgroup v1 or v2) and root")
    group = os.path.join(root, "concord-bench")
    os.makedirs(group, exist_ok=True)
    with open(os.path.join(group, limit), "w") as f:
        f.write(str(cap))
    procs = os.path.join(group, "cgroup.procs")
    return ["sh", "-c", f'echo $$ > {procs} && exec "$@"', "sh", *cmd]


def run(cmd):
    """Runs cmd, which must succeed; returns (seconds, peak RSS, peak
    anonymous memory (both in bytes), stderr)."""
    anon = []
    elapsed, rss, code, err = measure.run(cmd, anon)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return elapsed, rss, anon[0], err


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
        pairing = ["--by-position"]
    if MODE == "positional":
        right = EDITED
        if not os.path.exists(EDITED):
            with open(LEFT, "rb") as src, open(EDITED, "wb") as out:
                for n, line in enumerate(src):
                    out.write(line[:-1] + b"0\n" if n and n % 1000 == 0 else line)
    inputs = os.path.getsize(LEFT) + os.path.getsize(right)
    base = [CONCORD, "compare", LEFT, right, *pairing, "--format", "csv", "--output"]
    limit = size(LIMIT)
    mib = 1 << 20
    ooc = base + ["/tmp/concord-ooc.csv", "--memory-limit", LIMIT]
    session_dir = None
    if os.environ.get("SESSION"):
        session_dir = tempfile.mkdtemp(prefix="concord-bench-data-", dir=os.path.join(ROOT, "target"))
        ooc += ["--save", "--data-dir", session_dir]
        print(f"out of core run saves a session in {session_dir} (tables on disk)")
    if os.environ.get("CAP"):
        ooc = capped(ooc)
        print(f"out of core run inside a memory control group capped at {os.environ['CAP']} (page cache included)")
    t, rss, anon, err = run(ooc)
    if session_dir:
        shutil.rmtree(session_dir)
    said = [l for l in err.splitlines() if "memory limit" in l]
    how = {"keyed": "by key", "positional": "by position", "shuffled": "by position, in different orders"}[MODE]
    print(f"inputs: {inputs / mib:.0f} MiB in two files ({ROWS:,} rows a side, paired {how}); limit {LIMIT}; {os.cpu_count()} cores")
    print(f"out of core: {t:.2f} s, peak RSS {rss / mib:.0f} MiB ({rss / limit:.2f}x the limit), "
          f"peak anonymous {anon / mib:.0f} MiB ({anon / limit:.2f}x)")
    print(f"  {said[0] if said else 'concord did not say it went out of core'}")
    t2, rss2, anon2, _ = run(base + ["/tmp/concord-inmem.csv", "--memory-limit", str(inputs * 2)])
    print(f"in memory:   {t2:.2f} s, peak RSS {rss2 / mib:.0f} MiB, peak anonymous {anon2 / mib:.0f} MiB")
    same = filecmp.cmp("/tmp/concord-ooc.csv", "/tmp/concord-inmem.csv", shallow=False)
    print(f"outputs identical: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
