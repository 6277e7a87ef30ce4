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
2. **Both sides are read as the local engine reads them.** A path of
   Parquet files is read by Spark (its types; each row numbered by its row
   in its file). Any other file is read by Concord itself on an executor, a
   file per task (Spark's ``binaryFile`` source, so at most 2 GiB a file):
   the same sniffing, encodings, quoting and line numbers as the local
   engine's. A folder is one side, its files in name order.
3. **Both sides are partitioned by the key, by the engine's own key rules**
   (trimming and case folding are Unicode's, not Spark's), and each pair of
   partitions is compared by Concord's engine on the executors, through
   ``cogroup(...).applyInArrow``. The package must be installed where the
   executors run Python.
4. **The driver adds up** the partitions' summaries and per-column counts,
   and puts the rows in the local engine's order (left file order, then
   rows only on the right in right file order; a repeated key's rows
   together). With ``output``, it writes the differing rows as Parquet
   (``rows/``: part files in name order hold the rows in order) and a
   ``manifest.json`` naming the Concord version, the configuration, the
   inputs and their files, the summary and the columns.

Rows carry the line numbers of the local engine when their side is one
file read by Concord (or one Parquet file, numbered by row). A side of
several files, or a DataFrame, has no line numbers: its rows are
identified by their key, and a DataFrame's come in partition order.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

import concord

#: The column the partition number goes in while both sides are grouped.
_PART = "__concord_partition"
#: The columns each row's file and line (or row number) go in.
_FILE, _LINE = "__concord_file", "__concord_line"
#: The column a piece of a partition's rows travels in, as an Arrow IPC
#: stream, between reading and comparing.
_ROWS = "__concord_rows"
#: The most rows in one such piece: Spark holds each piece whole.
_PIECE_ROWS = 256 * 1024
#: The shape of the pieces as Spark holds them.
_PIECES = f"`__concord_partition` int, `{_ROWS}` binary"
#: The columns that put the rows of all partitions in the local engine's
#: order: the side of the row that places it (left 0, right 1), that row's
#: file and line, and (after the partition) the row's place in its partition.
_ORDER = ("__concord_side", "__concord_order_file", "__concord_order_line", "__concord_seq")
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


#: The settings that say how files are read (the rest say how to compare).
_READ = ("delimiter", "has_header", "encoding", "sheet", "left_sheet", "right_sheet", "skip_lines",
         "allow_ragged")
#: About how many bytes of input (both sides) go to one partition by
#: default: Spark holds a partition's rows of both sides in memory at once.
_PARTITION_BYTES = 64 << 20
#: Whether the driver reads the sample itself when it sees the file (the
#: tests turn it off to run the executors' way, which other file systems take).
_SAMPLE_ON_DRIVER = True
#: How many bytes of a side's first file its sample is read from.
_SAMPLE_BYTES = 16 << 20


class _Side:
    """One side as Spark holds it: its first rows, its files, and how to
    make its DataFrame: the side's columns, plus the file (``_FILE``) and
    the line or row (``_LINE``) each row comes from, and its partition
    (``_PART``) once the configuration is known."""

    def __init__(self, sample: Any, files: List[str], lines: bool, frame: Any, size: int = 0) -> None:
        #: The first rows, as a pyarrow table of the side's columns.
        self.sample = sample
        #: The side's files, in the order their rows come in.
        self.files = files
        #: Whether ``_LINE`` holds the rows' own line numbers (one file read
        #: by Concord, or one Parquet file): otherwise rows have none.
        self.lines = lines
        #: ``frame(config_text, other_columns, n)``: the DataFrame.
        self.frame = frame
        #: The bytes of its files (0 for a DataFrame).
        self.size = size
        #: Its rows' Arrow schema, ``_LINE`` and ``_FILE`` included.
        import pyarrow as pa

        self.schema = pa.schema(list(sample.schema) + [pa.field(_LINE, pa.int64()), pa.field(_FILE, pa.int32())])


def _pieces(table: Any) -> Any:
    """``table``'s rows (with ``_PART``) as Spark rows of a partition and
    an Arrow IPC stream of some of its rows there. Spark then moves a few
    large values, where converting every cell to its own row format and
    back took most of a comparison's time on Spark."""
    import numpy as np
    import pyarrow as pa

    parts = table.column(_PART).to_numpy()
    order = np.argsort(parts, kind="stable")
    table, parts = table.take(order).drop_columns([_PART]), parts[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(parts)) + 1))
    ends = np.concatenate((starts[1:], [len(parts)]))
    for start, end in zip(starts.tolist(), ends.tolist()):
        for at in range(start, end, _PIECE_ROWS):
            sink = pa.BufferOutputStream()
            piece = table.slice(at, min(end, at + _PIECE_ROWS) - at)
            with pa.ipc.new_stream(sink, piece.schema) as out:
                out.write_table(piece)
            data = sink.getvalue()
            # One binary value over the stream's buffer, not a copy of it.
            offsets = pa.array([0, data.size], pa.int32()).buffers()[1]
            value = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, data])
            yield pa.record_batch([pa.array([int(parts[start])], pa.int32()), value], names=[_PART, _ROWS])


def _unpieced(pieces: Any, schema: Any) -> Any:
    """The rows of a partition's pieces (see :func:`_pieces`), as one table."""
    import pyarrow as pa

    tables = [pa.ipc.open_stream(v.as_buffer()).read_all() for v in pieces.column(_ROWS)]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def _in_file_order(table: Any) -> Any:
    """``table``'s rows in the order of their files and lines: as they
    are, when its pieces came in that order (one file's, usually)."""
    import numpy as np

    files, lines = table.column(_FILE).to_numpy(), table.column(_LINE).to_numpy()
    if len(files) < 2 or (np.all(files[1:] >= files[:-1]) and np.all(
            (files[1:] > files[:-1]) | (lines[1:] >= lines[:-1]))):
        return table
    return table.sort_by([(_FILE, "ascending"), (_LINE, "ascending")])


def _partitioned(frame: Any, which: str) -> Any:
    """``frame(config_text, other_columns, n)`` for a DataFrame with
    ``_FILE`` and ``_LINE``: ``_PART`` added by the engine's key rules."""
    import pyarrow as pa

    def build(config_text: str, other: List[str], n: int) -> Any:
        @_on_executor
        def add(batches: Any) -> Any:
            from concord import _concord

            for batch in batches:
                table = pa.Table.from_batches([batch])
                parts = _concord.key_partitions(table.drop_columns([_FILE, _LINE]), other, which, config_text, n)
                yield from _pieces(table.append_column(_PART, parts.cast(pa.int32())))

        return frame.mapInArrow(add, _PIECES)

    return build


def _local_path(uri: str) -> str:
    """The path on this machine of a ``file:`` URI as Spark lists it."""
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path)


def _is_parquet(path: str) -> bool:
    return path.lower().rstrip("/").endswith((".parquet", ".parq", ".pq"))


def _side(spark: Any, side: Any, which: str, read: Dict[str, Any], sample_rows: int) -> _Side:
    """``side`` (a DataFrame or a path) with its rows' files and lines."""
    import pyarrow as pa
    from pyspark.sql import functions as F

    if not isinstance(side, str):
        sample = side.limit(sample_rows).toArrow()
        frame = side.withColumn(_FILE, F.lit(0)).withColumn(_LINE, F.lit(0).cast("long"))
        return _Side(sample, [], False, _partitioned(frame, which))
    listing = spark.read.format("binaryFile").load(side).select("path", "length").collect()
    files = sorted(r.path for r in listing)
    size = sum(r.length for r in listing)
    if not files:
        raise concord.ConcordError("read_failed", f"{which}: no files at {side}")
    if all(_is_parquet(f) for f in files):
        data = spark.read.parquet(*files)
        sample = data.limit(sample_rows).toArrow()
        order = F.array_position(F.array(*[F.lit(f) for f in files]), F.col("_metadata.file_path"))
        frame = (data.withColumn(_FILE, (order - 1).cast("int"))
                 .withColumn(_LINE, F.col("_metadata.row_index") + 1))
        return _Side(sample, files, len(files) == 1, _partitioned(frame, which), size)

    # Anything else is read by Concord itself, a file per task, as the
    # local engine reads it: the same columns, cells and line numbers.
    first = files[0]
    options = {k: read[k] for k in ("delimiter", "has_header", "encoding", "skip_lines", "allow_ragged", "sheet")
               if read.get(k) is not None}
    if read.get(f"{which}_sheet") is not None:
        options["sheet"] = read[f"{which}_sheet"]

    # Files on this machine's file system (or one mounted on every node)
    # are read by the executors from where they are; others come through
    # the JVM as bytes.
    local = all(f.startswith("file:") for f in files)
    raw = spark.read.format("binaryFile").load(side)
    raw = raw.select("path") if local else raw.select("path", "content")

    def sources(batch: Any) -> Any:
        """Each file of a batch as ``(uri, path or bytes)``."""
        paths = batch.column("path").to_pylist()
        if local:
            return [(p, _local_path(p)) for p in paths]
        return zip(paths, (c.as_py() for c in batch.column("content")))

    def first_rows(path: str, source: Any) -> Any:
        """The sample: the first rows of ``path`` (a local path or bytes)."""
        import concord as engine

        if isinstance(source, str):
            with open(source, "rb") as f:
                prefix = f.read(_SAMPLE_BYTES + 1)
        else:
            prefix = source[:_SAMPLE_BYTES + 1]
        if len(prefix) > _SAMPLE_BYTES:
            # The first rows from the first bytes, up to a line's end, less
            # the last row (a quoted field may go on past it); the whole
            # file only when even that does not read.
            cut = prefix.rfind(b"\n", 0, _SAMPLE_BYTES) + 1
            try:
                table = engine.read(prefix[:cut or _SAMPLE_BYTES], name=path, side=which, **options)
                return table.slice(0, max(0, min(sample_rows, table.num_rows - 1)))
            except engine.ConcordError:
                pass
        return engine.read(source, name=path, side=which, **options).slice(0, sample_rows)

    @_on_executor
    def head(batches: Any) -> Any:
        for batch in batches:
            for path, source in sources(batch):
                if path != first:
                    continue
                table = first_rows(path, source)
                sink = pa.BufferOutputStream()
                with pa.ipc.new_stream(sink, table.schema) as out:
                    out.write_table(table)
                yield pa.record_batch([pa.array([sink.getvalue().to_pybytes()], pa.binary())], names=["ipc"])

    here = _local_path(first) if local else None
    if _SAMPLE_ON_DRIVER and here is not None and os.path.isfile(here):
        # The driver sees the file too (local mode, or a shared file
        # system): it reads the sample itself, sparing a job.
        sample = first_rows(first, here)
    else:
        with _engine_errors():
            ipc = raw.where(F.col("path") == first).mapInArrow(head, "ipc binary").collect()
        sample = pa.ipc.open_stream(ipc[0]["ipc"]).read_all()
    columns = sample.column_names
    index = {f: i for i, f in enumerate(files)}

    def build(config_text: str, other: List[str], n: int) -> Any:
        @_on_executor
        def parse(batches: Any) -> Any:
            from concord import _concord

            for batch in batches:
                for path, source in sources(batch):
                    # Read, and partitioned by key, in one pass over the rows.
                    table = _concord.read(source, name=path, side=which, line_column=_LINE,
                                          partitions=(_PART, config_text, other, n), **options)
                    own = table.column_names[:-2]
                    if own != columns:
                        raise concord.ConcordError(
                            "invalid_file",
                            f"{path}: its columns ({', '.join(own)}) are not those of {first} "
                            f"({', '.join(columns)}): every file of a side has the same columns")
                    table = table.set_column(len(own), _LINE, table.column(_LINE).cast(pa.int64()))
                    table = table.set_column(len(own) + 1, _PART, table.column(_PART).cast(pa.int32()))
                    table = table.append_column(_FILE, pa.array([index[path]] * table.num_rows, pa.int32()))
                    yield from _pieces(table)

        return raw.mapInArrow(parse, _PIECES)

    return _Side(sample, files, len(files) == 1, build, size)


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
    default parallelism, or one per 64 MiB of input files when that is more;
    ``sample_rows`` rows of each side decide the
    configuration. Raises :class:`concord.ConcordError` as the local engine
    does, and ``ValueError`` when no key is given or found.
    """
    import numpy as np
    import pyarrow as pa
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T

    spark = spark or SparkSession.builder.getOrCreate()
    if key is not None:
        settings["key"] = key
    read = {name: settings.pop(name) for name in _READ if name in settings}
    lside = _side(spark, left, "left", read, sample_rows)
    rside = _side(spark, right, "right", read, sample_rows)

    # 1. The driver decides, from samples, what the local engine would.
    lsample, rsample = lside.sample, rside.sample
    config = concord.complete_config(lsample, rsample, **settings)
    if not config.get("keys"):
        raise ValueError("concord.spark compares by key: give key=, or columns from which one can be suggested")
    config_text = json.dumps(config)
    # The rows' layout, all text, as the local engine writes it for these columns.
    layout = concord.compare(lsample.slice(0, 0), rsample.slice(0, 0), config=config_text).rows.schema
    order = [T.StructField(_ORDER[0], T.IntegerType(), False), T.StructField(_ORDER[1], T.IntegerType(), False),
             T.StructField(_ORDER[2], T.LongType(), False), T.StructField(_PART, T.IntegerType(), False),
             T.StructField(_ORDER[3], T.LongType(), False)]
    schema = T.StructType([T.StructField(n, T.StringType(), False) for n in layout.names] + order
                          + [T.StructField(_SUMMARY, T.StringType(), False)])

    # 2. Both sides partitioned by the key, as the engine's key rules see it.
    n = partitions or max(2, spark.sparkContext.defaultParallelism * 2,
                          -(-(lside.size + rside.size) // _PARTITION_BYTES))
    lnames, rnames = lsample.column_names, rsample.column_names

    lpart, rpart = lside.frame(config_text, rnames, n), rside.frame(config_text, lnames, n)
    lines = (lside.lines, rside.lines)

    schemas = (lside.schema, rside.schema)

    def compare_partition(lp: pa.Table, rp: pa.Table) -> pa.Table:
        # Spark counts this function's arguments: it is not wrapped.
        try:
            return compare_pieces(lp, rp)
        except concord.ConcordError as e:
            raise _said(e) from None

    def compare_pieces(lp: pa.Table, rp: pa.Table) -> pa.Table:
        import concord as engine

        part = (lp.column(_PART) if lp.num_rows else rp.column(_PART))[0].as_py() if lp.num_rows + rp.num_rows else 0
        # Each side's rows in file order, so the engine's order is the whole's.
        l, r = (_in_file_order(_unpieced(t, schema)) for t, schema in zip((lp, rp), schemas))
        where = [(t.column(_FILE).to_numpy(), t.column(_LINE).to_numpy()) for t in (l, r)]
        found = engine.compare(l.drop_columns([_FILE, _LINE]), r.drop_columns([_FILE, _LINE]), config=config_text)
        rows = found.rows
        places = found._inner.places(config_text).to_numpy()
        flag, at = (places >> 32).astype(np.int32), (places & 0xFFFFFFFF).astype(np.int64)
        ofile, oline = np.zeros(len(places), np.int32), np.zeros(len(places), np.int64)
        for side, (files, line) in enumerate(where):
            mask = flag == side
            ofile[mask], oline[mask] = files[at[mask]], line[at[mask]]
        # The rows' lines in their files, where a side has them.
        for side, name in enumerate(("left_line", "right_line")):
            local = rows.column(name).to_pylist()
            files, line = where[side]
            whole = [str(line[int(x) - 1]) if x and lines[side] else "" for x in local]
            rows = rows.set_column(rows.column_names.index(name), name, pa.array(whole, pa.string()))
        count = rows.num_rows
        rows = (rows.append_column(_ORDER[0], pa.array(flag, pa.int32()))
                .append_column(_ORDER[1], pa.array(ofile, pa.int32()))
                .append_column(_ORDER[2], pa.array(oline, pa.int64()))
                .append_column(_PART, pa.array([part] * count, pa.int32()))
                .append_column(_ORDER[3], pa.array(np.arange(count), pa.int64()))
                .append_column(_SUMMARY, pa.array([""] * count, pa.string())))
        note = {name: [""] for name in layout.names}
        note.update({_ORDER[0]: [0], _ORDER[1]: [0], _ORDER[2]: [0], _PART: [part], _ORDER[3]: [0]})
        note[_SUMMARY] = [json.dumps({"summary": found.summary, "columns": found.columns})]
        return pa.concat_tables([rows, pa.table(note, schema=rows.schema)])

    with _shuffle_partitions(spark, n), _engine_errors():
        return _finish(spark, lpart, rpart, compare_partition, schema, config, (left, right), (lside, rside), n,
                       output)


def _finish(spark: Any, lpart: Any, rpart: Any, compare_partition: Any, schema: Any, config: Dict[str, Any],
            inputs: Any, sides: Any, n: int, output: Optional[str]) -> SparkResult:
    """Runs the comparison of the partitions, adds them up and writes the
    output (steps 3 and 4 of the module notes)."""
    from pyspark.sql import functions as F

    (left, right), (lside, rside) = inputs, sides
    found = lpart.groupBy(_PART).cogroup(rpart.groupBy(_PART)).applyInArrow(compare_partition, schema)
    found = found.persist()

    # 3. The driver adds the partitions up, and puts the rows in order.
    notes = [json.loads(row[_SUMMARY]) for row in found.where(F.col(_SUMMARY) != "").select(_SUMMARY).collect()]
    if not notes:
        # No rows on either side: no partition was compared.
        empty = concord.compare(lside.schema.empty_table().drop_columns([_FILE, _LINE]),
                                rside.schema.empty_table().drop_columns([_FILE, _LINE]), config=json.dumps(config))
        notes = [{"summary": empty.summary, "columns": empty.columns}]
    summary = _add_summaries([n["summary"] for n in notes])
    columns = _add_columns([n["columns"] for n in notes])
    rows = (found.where(F.col(_SUMMARY) == "")
            .orderBy(_ORDER[0], _ORDER[1], _ORDER[2], _PART, _ORDER[3])
            .drop(_SUMMARY, _PART, *_ORDER))
    if output is not None:
        rows.write.mode("overwrite").parquet(output.rstrip("/") + "/rows")
        manifest = {
            "concord": concord.__version__,
            "configuration": config,
            "inputs": {"left": left if isinstance(left, str) else "DataFrame",
                       "right": right if isinstance(right, str) else "DataFrame"},
            "files": {"left": lside.files, "right": rside.files},
            "lines": {"left": lside.lines, "right": rside.lines},
            "partitions": n,
            "summary": summary,
            "columns": columns,
            "rows": "rows/",
        }
        _write_text(spark, output.rstrip("/") + "/manifest.json", json.dumps(manifest, indent=2))
        found.unpersist()
        rows = spark.read.parquet(output.rstrip("/") + "/rows")
    return SparkResult(summary, columns, config, rows, output)


@contextlib.contextmanager
def _shuffle_partitions(spark: Any, n: int) -> Iterator[None]:
    """Spark's shuffles in ``n`` partitions meanwhile: as many as there
    are key partitions, where Spark's default (200) is mostly empty tasks,
    each a few milliseconds on every stage."""
    key = "spark.sql.shuffle.partitions"
    before = spark.conf.get(key)
    spark.conf.set(key, str(n))
    try:
        yield
    finally:
        spark.conf.set(key, before)


#: How an engine error crosses from an executor to the driver: Spark hands
#: on only an exception's text.
_ERROR_MARK = "concord-error "


def _said(error: "concord.ConcordError") -> RuntimeError:
    """An engine error on an executor, as text the driver reads back."""
    return RuntimeError(_ERROR_MARK + json.dumps({"code": error.code, "message": error.message}))


def _on_executor(f: Any) -> Any:
    """``f`` (a ``mapInArrow`` function: batches in, batches out), with the
    engine's errors said (:func:`_said`)."""

    def generate(batches: Any) -> Any:
        try:
            yield from f(batches)
        except concord.ConcordError as e:
            raise _said(e) from None

    return generate


@contextlib.contextmanager
def _engine_errors() -> Iterator[None]:
    """Spark's jobs meanwhile, with an engine error on an executor raised
    again here as the :class:`concord.ConcordError` it was."""
    import re

    try:
        yield
    except concord.ConcordError:
        raise
    except Exception as e:
        found = re.search(re.escape(_ERROR_MARK) + r"(\{[^\n]*\})", str(e))
        if not found:
            raise
        said = json.loads(found.group(1))
        raise concord.ConcordError(said["code"], said["message"]) from None


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
