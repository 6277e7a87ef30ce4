"""concord.spark on a real Spark standalone cluster on this machine (a
master and two workers, see conftest.py; Python workers from this
environment): the same comparison as the local engine's, partition by
partition, with the same rows in the same order."""

import json
import os
import random
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import concord

pyspark = pytest.importorskip("pyspark", reason="pyspark is installed by the test command")


def pair(tmp_path, rows=3000):
    """A pair of CSV files: rows changed, removed and added, a repeated key,
    numbers written two ways and a quoted field with a comma."""
    rnd = random.Random(7)
    header = "id,name,amount,city\n"
    left, right = [header], [header]
    for i in range(rows):
        amount = rnd.randint(0, 10_000)
        line = f'{i},name {i},{amount}.50,"City, {i % 7}"\n'
        left.append(line)
        roll = rnd.random()
        if roll < 0.02:
            continue
        if roll < 0.06:
            right.append(f'{i},name {i},{amount + 1}.50,"City, {i % 7}"\n')
        elif roll < 0.08:
            right.append(f'{i},name {i},{amount}.5,"City, {i % 7}"\n')
        else:
            right.append(line)
    right.append(f"{rows},new,1,Oslo\n")
    right.append("5,name 5,1,Oslo\n")
    (tmp_path / "left.csv").write_text("".join(left))
    (tmp_path / "right.csv").write_text("".join(right))
    return str(tmp_path / "left.csv"), str(tmp_path / "right.csv")


def without_lines(table):
    names = [n for n in table.column_names if n not in ("left_line", "right_line")]
    return sorted(tuple(r.values()) for r in table.select(names).to_pylist())


def test_spark_gives_the_local_engines_answer(spark, tmp_path):
    from concord import spark as cs

    left, right = pair(tmp_path)
    local = concord.compare(left, right, key="id")
    out = str(tmp_path / "out")
    found = cs.compare(left, right, key="id", spark=spark, output=out, partitions=5)
    assert found.summary == local.summary
    assert found.summary["changed"] > 50 and found.summary["duplicate_keys_right"] == 1
    assert found.columns == local.columns
    assert found.differs
    spark_rows = pa.Table.from_pandas(found.rows.toPandas(), preserve_index=False)
    assert without_lines(spark_rows) == without_lines(local.rows)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["concord"] == concord.__version__
    assert manifest["summary"] == local.summary
    assert manifest["inputs"] == {"left": left, "right": right}
    assert manifest["configuration"]["keys"] == [{"left": "id", "right": "id"}]
    assert pq.read_table(tmp_path / "out" / "rows").num_rows == spark_rows.num_rows


def test_parquet_and_frames_compare_by_their_types(spark, tmp_path):
    from concord import spark as cs

    left = pa.table({"id": list(range(500)), "x": [i * 0.5 for i in range(500)]})
    right = pa.table({"id": list(range(1, 501)), "x": [i * 0.5 if i % 50 else i for i in range(1, 501)]})
    pq.write_table(left, tmp_path / "l.parquet")
    pq.write_table(right, tmp_path / "r.parquet")
    local = concord.compare(str(tmp_path / "l.parquet"), str(tmp_path / "r.parquet"), key="id")
    found = cs.compare(str(tmp_path / "l.parquet"), spark.read.parquet(str(tmp_path / "r.parquet")),
                       key="id", spark=spark, partitions=3)
    assert found.summary == local.summary
    assert (found.summary["only_left"], found.summary["only_right"]) == (1, 1)
    # One Parquet file: rows numbered by their row, as locally. A DataFrame:
    # no line numbers; its rows are known by their key.
    got = pa.Table.from_pandas(found.rows.toPandas(), preserve_index=False).to_pylist()
    expected = local.rows.to_pylist()
    assert [r["left_line"] for r in got] == [r["left_line"] for r in expected]
    assert all(r["right_line"] == "" for r in got)
    blank = lambda rows: [{**r, "right_line": ""} for r in rows]
    assert got == blank(expected)


def test_without_a_key_spark_refuses(spark, tmp_path):
    from concord import spark as cs

    left, right = pair(tmp_path, rows=50)
    with pytest.raises(ValueError, match="key"):
        cs.compare(left, right, spark=spark, suggest=False)


def test_the_command_line_submits_to_spark(cluster, tmp_path):
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    cli = os.environ.get("CONCORD_BIN", str(root / "target" / "debug" / "concord"))
    left, right = pair(tmp_path, rows=400)
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    out = tmp_path / "out"
    run = subprocess.run(
        [cli, "compare", left, right, "--key", "id", "--engine", "spark", "--master", cluster,
         "--output", str(out), "--format", "json"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert run.returncode == 1, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    local = concord.compare(left, right, key="id")
    assert found["summary"] == local.summary
    assert found["columns"] == local.columns
    assert found["keys"] == local.keys
    assert (out / "manifest.json").exists()
    # Rows go to the output directory as Parquet: no CSV on standard output.
    refused = subprocess.run([cli, "compare", left, right, "--key", "id", "--engine", "spark",
                              "--output", str(out), "--format", "csv"], capture_output=True, text=True, env=env)
    assert refused.returncode == 2
    assert "--format takes text or json" in refused.stderr


def test_two_empty_files_compare_as_empty(spark, tmp_path):
    from concord import spark as cs

    (tmp_path / "l.csv").write_text("id,v\n")
    (tmp_path / "r.csv").write_text("id,v\n")
    local = concord.compare(str(tmp_path / "l.csv"), str(tmp_path / "r.csv"), key="id")
    found = cs.compare(str(tmp_path / "l.csv"), str(tmp_path / "r.csv"), key="id", spark=spark, partitions=2)
    assert found.summary == local.summary
    assert not found.differs


@pytest.mark.parametrize("on_driver", [True, False])
def test_a_malformed_file_is_the_engines_error_naming_it(spark, tmp_path, monkeypatch, on_driver):
    from concord import spark as cs

    # Read where the driver sees the file, or on an executor (as for HDFS).
    monkeypatch.setattr(cs, "_SAMPLE_ON_DRIVER", on_driver)

    left, right = pair(tmp_path, rows=300)
    with open(right, "a") as f:
        f.write('1,"an unclosed quote\n')
    with pytest.raises(concord.ConcordError) as local:
        concord.compare(left, right, key="id")
    with pytest.raises(concord.ConcordError) as found:
        cs.compare(left, right, key="id", spark=spark, partitions=2)
    assert found.value.code == local.value.code
    assert found.value.message == local.value.message
    assert "right.csv" in found.value.message


def test_a_partitions_rows_are_put_in_file_order_when_they_are_not():
    from concord import spark as cs

    ordered = pa.table({"v": ["a", "b", "c"], cs._FILE: pa.array([0, 0, 1], pa.int32()),
                        cs._LINE: pa.array([2, 5, 2], pa.int64())})
    assert cs._in_file_order(ordered) is ordered
    shuffled = pa.table({"v": ["c", "a", "b"], cs._FILE: pa.array([1, 0, 0], pa.int32()),
                         cs._LINE: pa.array([2, 2, 5], pa.int64())})
    assert cs._in_file_order(shuffled).column("v").to_pylist() == ["a", "b", "c"]
    lines = pa.table({"v": ["b", "a"], cs._FILE: pa.array([0, 0], pa.int32()), cs._LINE: pa.array([9, 3], pa.int64())})
    assert cs._in_file_order(lines).column("v").to_pylist() == ["a", "b"]


@pytest.mark.parametrize("on_driver", [True, False])
def test_the_sample_is_read_from_the_first_bytes_not_the_whole_file(spark, tmp_path, monkeypatch, on_driver):
    from concord import spark as cs

    left, _ = pair(tmp_path, rows=400)
    monkeypatch.setattr(cs, "_SAMPLE_BYTES", 1000)
    monkeypatch.setattr(cs, "_SAMPLE_ON_DRIVER", on_driver)
    side = cs._side(spark, left, "left", {}, 100_000)
    # About 1000 bytes of 30-byte rows, less the last one: not all 400.
    assert 10 < side.sample.num_rows < 40
    assert side.sample.column_names == ["id", "name", "amount", "city"]
