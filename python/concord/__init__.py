"""Concord for Python: compare two tables by key, cell by cell.

The engine is Concord's own (Rust), the same as the ``concord`` command
line's, so a comparison gives the same answer here as there::

    import concord
    r = concord.compare("left.csv", "right.csv", key="id")
    r.summary          # the same dict as `concord compare --format json`'s "summary"
    r.rows             # the differing rows, as a pyarrow.Table
    r.export("diff.html")

Either side may be a path (any format Concord reads: CSV and other
delimited text, workbooks, Parquet, Arrow, JSON Lines, compressed) or a
table in memory: a ``pyarrow.Table`` or ``RecordBatchReader``, a polars
``DataFrame``, a pandas ``DataFrame``, or anything with Arrow's
``__arrow_c_stream__``. Tables in memory are read through Arrow's C stream
interface, without a copy where Arrow allows.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _concord

__all__ = ["compare", "complete_config", "read", "Result", "ConcordError", "FORMATS", "__version__"]

__version__: str = _concord.__version__

#: The export formats, by the names the command line's ``--format`` takes
#: (the engine's own list).
FORMATS: tuple = tuple(_concord.FORMATS)


class ConcordError(Exception):
    """An error from the engine, with the ``code`` and ``message`` that the
    command line and the web server give for it (``"invalid_file"``,
    ``"read_failed"``, ``"unknown_column"``, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


Table = Any
"""A path (``str`` or ``os.PathLike``) or a table with Arrow data."""


def _arrow(side: Any) -> Any:
    """``side`` as something the engine reads: a path as it is, a table with
    Arrow's stream interface as it is, and a pandas frame through pyarrow
    (older pandas has no ``__arrow_c_stream__``)."""
    if isinstance(side, (str, os.PathLike)) or hasattr(side, "__arrow_c_stream__"):
        return side
    module = type(side).__module__
    if module.startswith("pandas"):
        import pyarrow as pa

        return pa.Table.from_pandas(side, preserve_index=False)
    raise TypeError(
        f"expected a path or a table with Arrow data (pyarrow, pandas, polars), not {type(side).__name__}"
    )


class Result:
    """What a comparison found.

    The attributes holding dicts and lists (``summary``, ``columns``,
    ``notes``, ``keys``, ...) are those of ``concord compare --format json``,
    with the same names and numbers.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._head: Dict[str, Any] = json.loads(inner.head_json())
        self._rows: Any = None

    @property
    def summary(self) -> Dict[str, Any]:
        """Rows on each side, matched, identical, changed, only on one side,
        repeated keys, columns on one side only."""
        return self._head["summary"]

    @property
    def columns(self) -> List[Dict[str, Any]]:
        """Per compared column pair: its names, its differences, its largest
        numeric difference and the type read on each side."""
        return self._head["columns"]

    @property
    def notes(self) -> List[str]:
        """Notes on the comparison (a key suggested, differences only in case...)."""
        return self._head["notes"]

    @property
    def keys(self) -> List[List[str]]:
        """The key columns, as ``[left, right]`` name pairs (empty without a key)."""
        return self._head["keys"]

    @property
    def mode(self) -> str:
        """How rows were paired: ``"keyed"``, ``"positional"`` or ``"content"``."""
        return self._head["mode"]

    @property
    def details(self) -> Dict[str, Any]:
        """Everything the JSON export says but its rows: both sides' files,
        columns on one side only, renamed columns, type differences,
        suggestions."""
        return dict(self._head)

    @property
    def differs(self) -> bool:
        """Whether the tables differ (the command line exits 1 then)."""
        return bool(self._inner.differs())

    @property
    def rows(self) -> Any:
        """The differing rows as a ``pyarrow.Table``, in the layout of the CSV
        export: ``status``, the key, ``left_line``, ``right_line``,
        ``changed_columns``, then ``left:COL`` and ``right:COL`` for each
        column. Values are text, as in the files."""
        if self._rows is None:
            import pyarrow as pa
            import pyarrow.csv as pacsv

            data = self._inner.export_bytes("csv")
            header = next(csv.reader(io.StringIO(data.split(b"\n", 1)[0].decode())))
            self._rows = pacsv.read_csv(
                pa.py_buffer(data),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in header},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        return self._rows

    def export(self, path: Union[str, "os.PathLike[str]"], format: Optional[str] = None) -> None:
        """Writes an export to ``path`` (atomically): ``format`` is one of
        :data:`FORMATS`, or taken from the path's extension."""
        self._inner.export(os.fspath(path), format)

    def to_bytes(self, format: str) -> bytes:
        """An export in ``format`` (one of :data:`FORMATS`) as bytes."""
        return self._inner.export_bytes(format)

    def to_json(self) -> str:
        """The whole result as the JSON export (``concord compare --format json``)."""
        return self._inner.export_bytes("json").decode()

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<concord.Result matched={s['matched']} changed={s['changed']} "
            f"only_left={s['only_left']} only_right={s['only_right']}>"
        )


def compare(
    left: Table,
    right: Table,
    *,
    key: Union[str, Sequence[str], None] = None,
    map: Union[Mapping[str, str], Sequence[str], None] = None,
    ignore: Union[str, Sequence[str], None] = None,
    ignore_extra_columns: bool = False,
    trim: Union[bool, str, Sequence[str]] = False,
    ignore_case: Union[bool, str, Sequence[str]] = False,
    decimal_comma: Union[bool, str, Sequence[str]] = False,
    decimal_comma_side: Optional[str] = None,
    null_tokens: Union[str, Sequence[str], Mapping[str, Union[str, Sequence[str]]], None] = None,
    tolerance: Union[float, Mapping[str, float], None] = None,
    rel_tolerance: Union[float, Mapping[str, float], None] = None,
    date_format: Union[str, Sequence[str], Mapping[str, str], None] = None,
    numeric: str = "auto",
    suggest: bool = True,
    infer: bool = True,
    by_position: bool = False,
    delimiter: Optional[str] = None,
    has_header: Optional[bool] = None,
    encoding: Optional[str] = None,
    sheet: Optional[str] = None,
    left_sheet: Optional[str] = None,
    right_sheet: Optional[str] = None,
    skip_lines: int = 0,
    allow_ragged: bool = False,
    memory_limit: Optional[str] = None,
    config: Union[str, Mapping[str, Any], None] = None,
) -> Result:
    """Compares ``left`` (the "before") with ``right`` (the "after").

    The settings are the command line's (``concord compare --help``), under
    the same names:

    - ``key``: a key column (``"id"``, or ``"left=right"`` when the names
      differ) or a list of them; without one, a key is suggested, else rows
      are paired by content (or by position, with ``by_position``).
    - ``map``: ``{left: right}`` column names that differ.
    - ``ignore``: columns left out.
    - ``trim``, ``ignore_case``, ``decimal_comma``: ``True`` for every
      column, or a column name or a list of them.
    - ``null_tokens``, ``tolerance``, ``rel_tolerance``, ``date_format``: a
      value for every column, or a dict of values by column.
    - ``numeric``: ``"auto"``, ``"always"`` or ``"never"``.
    - ``suggest=False``: no key, mapping or rule filled in from suggestions;
      ``infer=False``: columns not read as their values show.
    - Reading files: ``delimiter``, ``has_header``, ``encoding``, ``sheet``
      (or ``left_sheet`` / ``right_sheet``), ``skip_lines``, ``allow_ragged``.
    - ``memory_limit`` (``"2G"``): two files larger than it are compared a
      partition at a time on disk, with the same result.
    - ``config``: a whole configuration (as :func:`complete_config` returns
      it) instead of the settings that make one; nothing is then suggested
      or inferred from the rows.

    Raises :class:`ConcordError` for what the engine refuses (a file that
    cannot be read, an unknown column), ``ValueError`` or ``TypeError`` for
    a setting that does not read.
    """
    given = dict(locals())
    # Only the settings given: the engine knows the defaults, and refuses a
    # whole `config` beside settings that would make another.
    chosen = {
        name: given[name]
        for name, default in _DEFAULTS.items()
        if given[name] is not default and given[name] != default
    }
    if "config" in chosen:
        chosen["config"] = _config_text(chosen["config"])
    inner = _concord.compare(_arrow(left), _arrow(right), **chosen)
    return Result(inner)


#: The settings of :func:`compare` and their defaults.
_DEFAULTS: Dict[str, Any] = {}


def _config_text(config: Union[str, Mapping[str, Any], None]) -> Optional[str]:
    if config is None or isinstance(config, str):
        return config
    return json.dumps(config)


def complete_config(left: Table, right: Table, **settings: Any) -> Dict[str, Any]:
    """The configuration :func:`compare` would use for ``left`` and
    ``right`` with ``settings``: the key, mappings and rules completed from
    suggestions and from what the values show, with nothing left to
    suggest. Given back as ``config=``, it makes a comparison decide nothing
    from its own rows: how Spark compares partitions alike (see
    :mod:`concord.spark`)."""
    return json.loads(_concord.complete_config(_arrow(left), _arrow(right), **settings))


def read(
    source: Union[str, "os.PathLike[str]", bytes],
    *,
    name: Optional[str] = None,
    side: str = "left",
    line_column: Optional[str] = None,
    delimiter: Optional[str] = None,
    has_header: Optional[bool] = None,
    encoding: Optional[str] = None,
    sheet: Optional[str] = None,
    skip_lines: int = 0,
    allow_ragged: bool = False,
) -> Any:
    """The table Concord reads from a file, as a ``pyarrow.Table`` whose
    columns hold the text Concord compares: the same columns, cells and
    rows as :func:`compare` reads from the path. ``source`` is a path, or
    the file's bytes (``name`` then gives its file name, which can tell
    its format). With ``line_column``, a last column of that name holds
    the line each row starts on. The reading settings are
    :func:`compare`'s; ``side`` says which side's they are (the sheet)."""
    given = {"delimiter": delimiter, "has_header": has_header, "encoding": encoding, "sheet": sheet,
             "skip_lines": skip_lines or None, "allow_ragged": allow_ragged or None}
    chosen = {k: v for k, v in given.items() if v is not None}
    if not isinstance(source, bytes):
        source = os.fspath(source)
    return _concord.read(source, name=name, side=side, line_column=line_column, **chosen)


_DEFAULTS.update(
    (p.name, p.default)
    for p in inspect.signature(compare).parameters.values()
    if p.kind is p.KEYWORD_ONLY
)
