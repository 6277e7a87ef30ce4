#!/usr/bin/env python3
"""Times Concord on Spark against datacompy's SparkSQLCompare on the same
Spark standalone cluster, and against Concord alone on this machine, in one
run, on a pair of the benchmark workload keyed on `id` (12 columns, every
column as text; default the 10M-row pair in bench/data-10000000, which
`CONCORD_BENCH_ROWS=10000000 python3 bench/compare_vs_duckdb.py 3` makes).

- concord-spark: `concord.spark.compare(L, R, key="id", output=DIR)`, the
  files read by Concord on the executors, the differing rows written as
  Parquet;
- datacompy-spark: `SparkSQLCompare` on `spark.read.csv(..., header=True)`
  frames, then the counts its report starts with (matched rows, rows
  with a difference, rows on one side), which make Spark do the work;
- concord-local: `concord.compare(L, R, key="id")` in one process.

The cluster (python/tests/spark_cluster.py) has one master and two
workers; each tool gets both of this machine's cores (two executors of one
core, 6 GiB each). Every case runs in a fresh process (the Spark ones start
their session inside the timing: both tools pay it). The package is built
in release mode into target/bench-venv, with pyspark and datacompy from
PyPI. Target (issue 28): Concord on Spark faster than SparkSQLCompare.

Usage: python3 bench/spark_vs_datacompy.py [ROWS_DIR]
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "bench-venv"
PY = VENV / "bin" / "python"
ARGS = [a for a in sys.argv[1:] if a != "--in-venv"]
DATA = Path(ARGS[0]).resolve() if ARGS else ROOT / "bench" / "data-10000000"

SESSION = """
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master(MASTER).appName("bench")
         .config("spark.ui.enabled", "false").config("spark.executor.cores", "1")
         .config("spark.executor.memory", "6g").config("spark.driver.memory", "4g")
         .config("spark.cores.max", "2").config("spark.pyspark.python", sys.executable)
         .config("spark.driver.host", "127.0.0.1").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
"""
TIMED = {
    "concord-spark": "import concord.spark as cs\n" + SESSION
    + "r = cs.compare(L, R, key='id', spark=spark, output=OUT)\ns = r.summary\n"
      "out = dict(matched=s['matched'], changed=s['changed'], only_left=s['only_left'], only_right=s['only_right'])\n",
    "datacompy-spark": "from datacompy.spark import SparkSQLCompare\n" + SESSION
    + "a = spark.read.csv(L, header=True, inferSchema=False)\nb = spark.read.csv(R, header=True, inferSchema=False)\n"
      "c = SparkSQLCompare(spark, a, b, join_columns='id')\n"
      "matched = c.intersect_rows.count()\n"
      "out = dict(matched=matched, changed=matched - c.count_matching_rows(),"
      " only_left=c.df1_unq_rows.count(), only_right=c.df2_unq_rows.count())\n",
    "concord-local": "import concord\nr = concord.compare(L, R, key='id')\ns = r.summary\n"
                     "out = dict(matched=s['matched'], changed=s['changed'], only_left=s['only_left'], only_right=s['only_right'])\n",
}
PROGRAM = """
import json, os, resource, sys, time
L, R, MASTER, OUT = {left!r}, {right!r}, {master!r}, {out!r}
os.environ["PYSPARK_PYTHON"] = sys.executable
t = time.perf_counter()
{timed}
took = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(dict(seconds=took, peak=peak, counts={{k: int(v) for k, v in out.items()}})))
"""


def setup() -> None:
    """The package in release mode, pyspark and datacompy, in the bench venv."""
    if not PY.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "maturin>=1.9,<2", "pyarrow", "pandas<3",
                    "polars", "datacompy==1.1.*", "pyspark==4.*"], check=True)
    env = dict(os.environ, VIRTUAL_ENV=str(VENV), PATH=f"{VENV}/bin:{os.environ['PATH']}")
    subprocess.run([str(VENV / "bin" / "maturin"), "develop", "--release", "--quiet"], cwd=ROOT / "python",
                   env=env, check=True)


def run(name: str, master: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="concord-bench-") as out:
        program = PROGRAM.format(left=str(DATA / "left.csv"), right=str(DATA / "right.csv"), master=master,
                                 out=out + "/result", timed=TIMED[name])
        env = dict(os.environ, PATH=f"{VENV}/bin:{os.environ['PATH']}")
        done = subprocess.run([str(PY), "-c", program], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise SystemExit(f"{name} failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if "--in-venv" not in sys.argv:
        setup()
        # The cluster's Python is the bench venv's: the rest runs there.
        os.execv(str(PY), [str(PY), __file__, *ARGS, "--in-venv"])
    sys.path.insert(0, str(ROOT / "python" / "tests"))
    from spark_cluster import cluster

    results = {}
    with tempfile.TemporaryDirectory(prefix="concord-cluster-") as work:
        with cluster(Path(work), workers=2, cores=1, memory="7G") as master:
            for name in ("concord-spark", "datacompy-spark"):
                results[name] = run(name, master)
                print(f"{name:16} {results[name]['seconds']:8.1f} s  driver peak "
                      f"{results[name]['peak'] / 2**20:7.0f} MiB  {results[name]['counts']}", flush=True)
    results["concord-local"] = run("concord-local", "")
    r = results["concord-local"]
    print(f"{'concord-local':16} {r['seconds']:8.1f} s  peak {r['peak'] / 2**20:7.0f} MiB  {r['counts']}")
    counts = {json.dumps(r["counts"], sort_keys=True) for r in results.values()}
    print("same counts:", len(counts) == 1)
    ratio = results["datacompy-spark"]["seconds"] / results["concord-spark"]["seconds"]
    print(f"concord-spark is {ratio:.1f}x faster than SparkSQLCompare on the same cluster")


if __name__ == "__main__":
    main()
