"""Concord's keyed comparison on Apache Spark, by Concord's own engine.

::

    from concord import spark as cs
    r = cs.compare("s3a://bucket/old/", "s3a://bucket/new/", key="id", output="s3a://bucket/diff/")
    r.summary       # the same counts concord.compare gives for the same files

How it runs:

1. **The driver decides** what the local engine decides from the rows: it
   reads a sample of each side and completes the configuration there
   (:func:`concord.complete_config`: the key, mappings and rules suggested
   or inferred), then fixes it, so that no partition decides anything from
   its own rows.
2. **Both sides are partitioned by a hash of the key** (its text, trimmed or
   lower-cased when the key's rules say so), and each pair of partitions is
   compared by Concord's engine on the executors, through
   ``cogroup(...).applyInArrow``. The package must be installed where the
   executors run Python.
3. **The driver adds up** the partitions' summaries and per-column counts.
   With ``output``, it writes the differing rows as Parquet (``rows/``) and
   a ``manifest.json`` naming the Concord version, the configuration, the
   inputs, the summary and the columns.

Inputs are DataFrames or paths Spark reads: Parquet as its types, CSV with
every column as text (the header names the columns). Rows are placed by
their key: the differing rows have no line numbers.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Union

import concord

#: The column the partition number goes in while both sides are grouped.
_PART = "__concord_partition"
#: The column a partition's summary goes in (one row per partition).
_SUMMARY = "__concord_summary"
#: The counts of a summary that add up over partitions; the others are the
#: same in every partition (columns on one side only).
_ADDED = (
    "left_rows", "right_rows", "matched", "identical", "changed", "only_left",
    "only_right", "duplicate_keys_left", "duplicate_keys_right",
)


class SparkResult:
    """What a comparison on Spark found."""

    def __init__(self, summary: Dict[str, Any], columns: List[Dict[str, Any]], config: Dict[str, Any],
                 rows: Any, output: Optional[str]) -> None:
        #: The same keys and numbers as :attr:`concord.Result.summary`.
        self.summary = summary
        #: Per compared column pair, its differences added up over partitions.
        self.columns = columns
        #: The configuration every partition compared with.
        self.config = config
        #: The differing rows, as a Spark DataFrame (read from ``output``
        #: when there is one).
        self.rows = rows
        #: Where the rows and the manifest were written, if anywhere.
        self.output = output

    @property
    def differs(self) -> bool:
        """Whether the tables differ."""
        s = self.summary
        return bool(s["changed"] or s["only_left"] or s["only_right"] or s["duplicate_keys_left"]
                    or s["duplicate_keys_right"] or (not s.get("extra_columns_ignored")
                                                     and (s["columns_only_left"] or s["columns_only_right"])))

    def __repr__(self) -> str:
        s = self.summary
        return (f"<concord.spark.SparkResult matched={s['matched']} changed={s['changed']} "
                f"only_left={s['only_left']} only_right={s['only_right']}>")


def _frame(spark: Any, side: Any) -> Any:
    """A DataFrame for ``side``: itself, or the Parquet or CSV files at a path."""
    if not isinstance(side, str):
        return side
    if side.rstrip("/").lower().endswith((".csv", ".tsv", ".txt", ".csv.gz")):
        sep = "\t" if ".tsv" in side.lower() else ","
        return spark.read.csv(side, header=True, inferSchema=False, sep=sep)
    return spark.read.parquet(side)


def _key_text(df: Any, column: str, rules: Dict[str, Any]) -> Any:
    from pyspark.sql import functions as F

    text = F.coalesce(F.col(f"`{column}`").cast("string"), F.lit(""))
    if rules.get("trim"):
        text = F.trim(text)
    if rules.get("ignore_case"):
        text = F.lower(text)
    return text


def _rules_of(config: Dict[str, Any], column: str) -> Dict[str, Any]:
    rules = dict(config.get("rules") or {})
    rules.update({k: v for k, v in (config.get("column_rules") or {}).get(column, {}).items() if v is not None})
    return rules


def compare(
    left: Any,
    right: Any,
    *,
    key: Union[str, Sequence[str], None] = None,
    output: Optional[str] = None,
    spark: Any = None,
    partitions: Optional[int] = None,
    sample_rows: int = 100_000,
    **settings: Any,
) -> SparkResult:
    """Compares ``left`` with ``right`` on Spark; see the module notes.

    ``left`` and ``right`` are DataFrames or paths; ``key`` and
    ``settings`` are :func:`concord.compare`'s. A key is needed (given, or
    suggested from the samples). ``partitions`` defaults to twice Spark's
    default parallelism; ``sample_rows`` rows of each side decide the
    configuration. Raises :class:`concord.ConcordError` as the local engine
    does, and ``ValueError`` when no key is given or found.
    """
    import pyarrow as pa
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    spark = spark or SparkSession.builder.getOrCreate()
    ldf, rdf = _frame(spark, left), _frame(spark, right)
    if key is not None:
        settings["key"] = key

    # 1. The driver decides, from samples, what the local engine would.
    lsample, rsample = ldf.limit(sample_rows).toArrow(), rdf.limit(sample_rows).toArrow()
    config = concord.complete_config(lsample, rsample, **settings)
    if not config.get("keys"):
        raise ValueError("concord.spark compares by key: give key=, or columns from which one can be suggested")
    config_text = json.dumps(config)
    # The rows' layout, all text, as the local engine writes it for these columns.
    layout = concord.compare(lsample.slice(0, 0), rsample.slice(0, 0), config=config_text).rows.schema
    kept = [name for name in layout.names if name not in ("left_line", "right_line")]
    schema = T.StructType([T.StructField(n, T.StringType(), False) for n in kept]
                          + [T.StructField(_SUMMARY, T.StringType(), False)])

    # 2. Both sides partitioned by a hash of the key's text.
    n = partitions or max(2, spark.sparkContext.defaultParallelism * 2)

    def part(df: Any, side: str) -> Any:
        texts = [_key_text(df, k[side], _rules_of(config, k["left"])) for k in config["keys"]]
        return df.withColumn(_PART, F.pmod(F.xxhash64(*texts), F.lit(n)))

    lpart, rpart = part(ldf, "left"), part(rdf, "right")

    def compare_partition(l: pa.Table, r: pa.Table) -> pa.Table:
        import concord as engine

        l = l.drop_columns([_PART]) if _PART in l.column_names else l
        r = r.drop_columns([_PART]) if _PART in r.column_names else r
        found = engine.compare(l, r, config=config_text)
        rows = found.rows.select(kept)
        rows = rows.append_column(_SUMMARY, pa.array([""] * rows.num_rows, pa.string()))
        note = {name: [""] for name in kept}
        note[_SUMMARY] = [json.dumps({"summary": found.summary, "columns": found.columns})]
        return pa.concat_tables([rows, pa.table(note, schema=rows.schema)])

    found = lpart.groupBy(_PART).cogroup(rpart.groupBy(_PART)).applyInArrow(compare_partition, schema)
    found = found.persist()

    # 3. The driver adds the partitions up.
    notes = [json.loads(row[_SUMMARY]) for row in found.where(F.col(_SUMMARY) != "").select(_SUMMARY).collect()]
    summary = _add_summaries([n["summary"] for n in notes])
    columns = _add_columns([n["columns"] for n in notes])
    rows = found.where(F.col(_SUMMARY) == "").drop(_SUMMARY)
    if output is not None:
        rows.write.mode("overwrite").parquet(output.rstrip("/") + "/rows")
        manifest = {
            "concord": concord.__version__,
            "configuration": config,
            "inputs": {"left": left if isinstance(left, str) else "DataFrame",
                       "right": right if isinstance(right, str) else "DataFrame"},
            "partitions": n,
            "summary": summary,
            "columns": columns,
            "rows": "rows/",
        }
        _write_text(spark, output.rstrip("/") + "/manifest.json", json.dumps(manifest, indent=2))
        found.unpersist()
        rows = spark.read.parquet(output.rstrip("/") + "/rows")
    return SparkResult(summary, columns, config, rows, output)


def _add_summaries(parts: List[Dict[str, Any]]) -> Dict[str, Any]:
    total: Dict[str, Any] = {}
    for s in parts:
        for name, value in s.items():
            if name in _ADDED:
                total[name] = total.get(name, 0) + value
            else:
                total.setdefault(name, value)
    return total


def _add_columns(parts: List[List[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    total: List[Dict[str, Any]] = []
    for columns in parts:
        if not total:
            total = [dict(c) for c in columns]
            continue
        for t, c in zip(total, columns):
            t["differences"] += c["differences"]
            if c.get("max_difference") is not None:
                t["max_difference"] = max(t.get("max_difference") or 0, c["max_difference"])
    return total


def _write_text(spark: Any, path: str, text: str) -> None:
    """Writes one small text file where Spark writes (a local path, HDFS, S3)."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    target = jvm.org.apache.hadoop.fs.Path(path)
    fs = target.getFileSystem(conf)
    out = fs.create(target, True)
    out.write(bytearray(text.encode()))
    out.close()


#: The line a job run by ``concord compare --engine spark`` prints its
#: result on (Spark's own logs go to standard error, but a job may print).
RESULT_MARK = "concord-spark-result "


def main(argv: Optional[List[str]] = None) -> int:
    """The job ``concord compare --engine spark`` submits (and the one to
    submit by hand on a cluster: ``spark-submit job.py --left L --right R
    --config JSON --output DIR``): compares, writes ``DIR``, and prints the
    result's summary and columns as one JSON line after
    :data:`RESULT_MARK`. Exits 1 when the tables differ, as the CLI does."""
    import argparse

    parser = argparse.ArgumentParser(prog="concord-spark-job")
    parser.add_argument("--left", required=True)
    parser.add_argument("--right", required=True)
    parser.add_argument("--config", required=True, help="a configuration as JSON, the settings to complete")
    parser.add_argument("--output", required=True)
    parser.add_argument("--partitions", type=int)
    args = parser.parse_args(argv)
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("concord compare").getOrCreate()
    try:
        found = compare(args.left, args.right, output=args.output, spark=spark, partitions=args.partitions,
                        config=args.config)
    except concord.ConcordError as e:
        print(RESULT_MARK + json.dumps({"error": {"code": e.code, "message": e.message}}), flush=True)
        return 2
    keys = [[k["left"], k["right"]] for k in found.config["keys"]]
    print(RESULT_MARK + json.dumps({"mode": "keyed", "keys": keys, "summary": found.summary,
                                    "columns": found.columns, "differs": found.differs,
                                    "output": args.output}), flush=True)
    spark.stop()
    return 1 if found.differs else 0


if __name__ == "__main__":
    raise SystemExit(main())
