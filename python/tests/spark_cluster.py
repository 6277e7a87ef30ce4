"""A Spark standalone cluster on this machine: one master and some
workers, started from the ``pyspark`` package's own ``spark-class`` and
stopped on leaving. Used by the tests (conftest.py) and the Spark benchmark
(bench/spark_vs_datacompy.py). Executors run Python from this
environment, where the package is installed."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

#: How long the cluster may take to come up.
START_SECONDS = 120


class ClusterError(RuntimeError):
    """The cluster did not start; the message holds the ends of its logs."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spark_class() -> str:
    import pyspark

    return str(Path(pyspark.__file__).parent / "bin" / "spark-class")


def _alive_workers(ui: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=2) as answer:
            return int(json.load(answer).get("aliveworkers", 0))
    except OSError:
        return 0


@contextlib.contextmanager
def cluster(work: Path, workers: int = 2, cores: int = 2, memory: str = "2G") -> Iterator[str]:
    """Runs a cluster with its logs in ``work``; gives the master's URL."""
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1",
               SPARK_LOG_DIR=str(work), SPARK_WORKER_DIR=str(work / "work"),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    port, ui = _free_port(), _free_port()
    master = f"spark://127.0.0.1:{port}"
    processes = []

    def start(name: str, *args: str) -> None:
        log = open(work / f"{name}.log", "w")
        processes.append(subprocess.Popen([_spark_class(), *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))

    start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
          "--webui-port", str(ui))
    for i in range(workers):
        start(f"worker-{i}", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", str(cores),
              "--memory", memory, "--webui-port", str(_free_port()), "--work-dir", str(work / f"work-{i}"), master)
    try:
        deadline = time.monotonic() + START_SECONDS
        while _alive_workers(ui) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                logs = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(work.glob("*.log")))
                raise ClusterError(f"the Spark cluster did not start: {workers} workers never registered\n{logs}")
            time.sleep(0.5)
        yield master
    finally:
        for p in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
