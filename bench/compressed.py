#!/usr/bin/env python3
"""Times `concord compare` on a gzipped pair against the same pair plain.

The target (issue 25): comparing bench/data's 1M-row pair gzipped takes at
most 1.3x the time of comparing it uncompressed plus the time `gzip -dc`
alone takes to decompress both files. zstd is timed beside it. Each command
runs once to warm the page cache, then RUNS times; medians are reported.

Usage: python3 bench/compressed.py [RUNS]
"""
import os
import subprocess
import sys

from measure import median

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
PACKED = os.path.join(ROOT, "target", "bench-compressed")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def packed(name, tool, ext):
    """bench/data/NAME compressed with TOOL (default level), made once."""
    out = os.path.join(PACKED, f"{name}.{ext}")
    if not os.path.exists(out):
        with open(out, "wb") as f:
            subprocess.run([tool, "-c", os.path.join(DATA, name)], stdout=f, check=True)
    return out


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "concord", "--example", "gen_workload"], cwd=ROOT, check=True)
    left, right = os.path.join(DATA, "left.csv"), os.path.join(DATA, "right.csv")
    if not (os.path.exists(left) and os.path.exists(right)):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "gen_workload"), DATA, "1000000"], check=True)
    os.makedirs(PACKED, exist_ok=True)
    gz = [packed("left.csv", "gzip", "gz"), packed("right.csv", "gzip", "gz")]
    zst = [packed("left.csv", "zstd", "zst"), packed("right.csv", "zstd", "zst")]
    concord = os.path.join(ROOT, "target", "release", "concord")
    compare = lambda l, r: [concord, "compare", l, r, "--key", "id", "--format", "csv", "--output", "/tmp/concord-bench-compressed.csv"]
    plain_t, plain_m = median(compare(left, right), RUNS)
    gz_t, gz_m = median(compare(*gz), RUNS)
    zst_t, zst_m = median(compare(*zst), RUNS)
    # gzip -dc of both files, one after the other, to /dev/null.
    gunzip_t, _ = median(["sh", "-c", f"gzip -dc {gz[0]} > /dev/null && gzip -dc {gz[1]} > /dev/null"], RUNS, ok_codes=(0,))
    mib = 1024 * 1024
    sizes = lambda fs: sum(os.path.getsize(f) for f in fs) / mib
    print(f"1M rows a side; {os.cpu_count()} cores; median of {RUNS} runs")
    print(f"{'input':<28}{'MiB':>8}{'time (s)':>10}{'peak RSS (MiB)':>16}")
    print(f"{'plain CSV':<28}{sizes([left, right]):>8.0f}{plain_t:>10.2f}{plain_m / mib:>16.0f}")
    print(f"{'gzip':<28}{sizes(gz):>8.0f}{gz_t:>10.2f}{gz_m / mib:>16.0f}")
    print(f"{'zstd':<28}{sizes(zst):>8.0f}{zst_t:>10.2f}{zst_m / mib:>16.0f}")
    print(f"{'gzip -dc of both, alone':<28}{'':>8}{gunzip_t:>10.2f}")
    print(f"gzip time / (plain time + gzip -dc time): {gz_t / (plain_t + gunzip_t):.2f} (target <= 1.30)")


if __name__ == "__main__":
    main()
