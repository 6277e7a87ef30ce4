"""Fixtures for the Spark tests: a Spark standalone cluster on this
machine (one master and two workers of two cores each, so that a job
submitted by the command line finds cores while a test's session holds
two; see spark_cluster.py), and a session on it."""

import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from spark_cluster import ClusterError, cluster as run_cluster  # noqa: E402


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """The master's URL (``spark://127.0.0.1:PORT``) of a running cluster."""
    pytest.importorskip("pyspark", reason="pyspark is installed by the test command")
    if shutil.which("java") is None:
        pytest.fail("Spark needs a JDK: the test command installs openjdk-17-jre-headless")
    try:
        with run_cluster(tmp_path_factory.mktemp("spark-cluster")) as master:
            yield master
    except ClusterError as e:
        pytest.fail(str(e))


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
