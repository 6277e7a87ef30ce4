#!/usr/bin/env python3
"""Times the Python package against datacompy 1.1 in one run, on the
standard 1M-row x 12-column workload (bench/data), keyed on `id`:

- from the files (read + compare): `concord.compare(L, R, key="id")`
  against datacompy's `PolarsCompare` and `PandasCompare` on frames read
  with every column as text;
- from frames already in memory (polars frames read as text): only the
  comparison is timed, and memory is the whole process's peak.

Each case runs in a fresh process; peak memory is its peak RSS. Target
(issue 28): Concord at least 5x faster than `PolarsCompare` in both cases,
and less memory. The package is built in release mode into
target/bench-venv (with datacompy, polars and pandas from PyPI) first.

Usage: python3 bench/python_vs_datacompy.py [RUNS]
"""
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
VENV = os.path.join(ROOT, "target", "bench-venv")
PY = os.path.join(VENV, "bin", "python")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3

# Each case: what it does before the clock starts, and what it times.
SETUP = {
    "files": "",
    "frames": "import polars as pl\na = pl.read_csv(L, infer_schema=False)\nb = pl.read_csv(R, infer_schema=False)\n",
}
TIMED = {
    "concord": "import concord\nr = concord.compare({a}, {b}, key='id')\ns = r.summary\n"
               "out = dict(matched=s['matched'], changed=s['changed'], only_left=s['only_left'], only_right=s['only_right'])\n",
    "datacompy-polars": "import polars as pl\nfrom datacompy import PolarsCompare\n{load}"
                        "c = PolarsCompare({a}, {b}, join_columns='id')\n"
                        "out = dict(matched=c.intersect_rows.shape[0], changed=c.intersect_rows.shape[0] - c.count_matching_rows(),"
                        " only_left=c.df1_unq_rows.shape[0], only_right=c.df2_unq_rows.shape[0])\n",
    "datacompy-pandas": "import pandas as pd\nfrom datacompy import PandasCompare\n"
                        "a = pd.read_csv(L, dtype=str, keep_default_na=False)\nb = pd.read_csv(R, dtype=str, keep_default_na=False)\n"
                        "c = PandasCompare(a, b, join_columns='id')\n"
                        "out = dict(matched=c.intersect_rows.shape[0], changed=c.intersect_rows.shape[0] - c.count_matching_rows(),"
                        " only_left=c.df1_unq_rows.shape[0], only_right=c.df2_unq_rows.shape[0])\n",
}

PROGRAM = """
import json, resource, time
L, R = {left!r}, {right!r}
{setup}
t = time.perf_counter()
{timed}
took = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(dict(seconds=took, peak=peak, counts={{k: int(v) for k, v in out.items()}})))
"""


def program(case, tool):
    left, right = os.path.join(DATA, "left.csv"), os.path.join(DATA, "right.csv")
    if case == "files":
        sides = ("L", "R")
        load = "a = pl.read_csv(L, infer_schema=False)\nb = pl.read_csv(R, infer_schema=False)\n"
        timed = TIMED[tool].format(a="a" if tool != "concord" else "L", b="b" if tool != "concord" else "R", load=load)
    else:
        timed = TIMED[tool].format(a="a", b="b", load="")
    return PROGRAM.format(left=left, right=right, setup=SETUP[case], timed=timed)


def run(case, tool):
    times, peaks, counts = [], [], None
    for _ in range(RUNS):
        out = subprocess.run([PY, "-c", program(case, tool)], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{tool} on {case} failed:\n{out.stderr}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(r["seconds"])
        peaks.append(r["peak"])
        counts = r["counts"]
    return statistics.median(times), statistics.median(peaks), counts


def main():
    if not os.path.exists(os.path.join(DATA, "left.csv")):
        subprocess.run(["cargo", "run", "--release", "--quiet", "--example", "gen_workload", "--", DATA, "1000000"],
                       cwd=ROOT, check=True)
    if not os.path.exists(PY):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([PY, "-m", "pip", "install", "--quiet", "maturin>=1.9,<2", "datacompy==1.1.*", "pyarrow",
                        "pandas<3", "polars"], check=True)
    env = dict(os.environ, VIRTUAL_ENV=VENV)
    subprocess.run([os.path.join(VENV, "bin", "maturin"), "develop", "--release", "--quiet"],
                   cwd=os.path.join(ROOT, "python"), env=env, check=True)
    version = subprocess.run([PY, "-c", "import datacompy, polars, pandas; print(datacompy.__version__, polars.__version__, pandas.__version__)"],
                             capture_output=True, text=True).stdout.split()
    mib = 1024 * 1024
    print(f"1M rows x 12 columns a side (bench/data), keyed on id; {os.cpu_count()} cores; median of {RUNS} runs; "
          f"datacompy {version[0]}, polars {version[1]}, pandas {version[2]}")
    print(f"{'case':<8}{'tool':<18}{'time (s)':>10}{'peak RSS (MiB)':>16}  counts")
    results = {}
    for case in ["files", "frames"]:
        tools = ["concord", "datacompy-polars"] + (["datacompy-pandas"] if case == "files" else [])
        for tool in tools:
            t, m, counts = run(case, tool)
            results[(case, tool)] = (t, m)
            print(f"{case:<8}{tool:<18}{t:>10.2f}{m / mib:>16.0f}  {counts}")
    for case in ["files", "frames"]:
        (ct, cm), (pt, pm) = results[(case, "concord")], results[(case, "datacompy-polars")]
        print(f"{case}: PolarsCompare time / concord time: {pt / ct:.1f}x (target >= 5); "
              f"concord memory / PolarsCompare memory: {cm / pm:.2f} (target < 1)")


if __name__ == "__main__":
    main()
