"""A Spark standalone cluster on this machine for the Spark tests: one
master and two workers (two cores each, so that a job submitted by the
command line finds cores while a test's session holds two), started from the ``pyspark``
package's own ``spark-class`` and stopped when the tests end. Executors
run Python from this environment, where the package is installed."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

#: How long the cluster may take to come up.
START_SECONDS = 120


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


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """The master's URL (``spark://127.0.0.1:PORT``) of a running cluster."""
    pytest.importorskip("pyspark", reason="pyspark is installed by the test command")
    if shutil.which("java") is None:
        pytest.fail("Spark needs a JDK: the test command installs openjdk-17-jre-headless")
    work = tmp_path_factory.mktemp("spark-cluster")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1",
               SPARK_LOG_DIR=str(work), SPARK_WORKER_DIR=str(work / "work"),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    port, ui = _free_port(), _free_port()
    master = f"spark://127.0.0.1:{port}"
    processes = []

    def start(name, *args):
        log = open(work / f"{name}.log", "w")
        processes.append(subprocess.Popen([_spark_class(), *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))

    start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
          "--webui-port", str(ui))
    for i in range(2):
        start(f"worker-{i}", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "2",
              "--memory", "2G", "--webui-port", str(_free_port()), "--work-dir", str(work / f"work-{i}"), master)
    try:
        deadline = time.monotonic() + START_SECONDS
        while _alive_workers(ui) < 2:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                logs = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(work.glob("*.log")))
                pytest.fail(f"the Spark cluster did not start: two workers never registered\n{logs}")
            time.sleep(0.5)
        yield master
    finally:
        for p in processes:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def spark(cluster):
    """A session on the cluster: two executors of one core each."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(cluster)
        .appName("concord-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.executor.cores", "1")
        .config("spark.executor.memory", "1g")
        .config("spark.cores.max", "2")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
