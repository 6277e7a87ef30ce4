"""The Python package against the command line: the same engine must give
the same answer from both, for files, for frames in memory and for every
setting the two share."""

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import concord

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CLI = os.environ.get("CONCORD_BIN", str(ROOT / "target" / "debug" / "concord"))

# Real pairs from other projects, and typed sources.
PAIRS = [
    ("daff/bridges.csv", "daff/broken_bridges.csv", []),
    ("qsv/boston311-100.csv", "qsv/boston311-100-diff.csv", ["--key", "case_enquiry_id"]),
    ("csv-align/file_a.csv", "csv-align/file_b.csv", []),
    ("daff/waffle.csv", "daff/waffle2.csv", []),
    ("columnar/people.parquet", "columnar/people-changed.parquet", ["--key", "id"]),
    ("workbooks/people.xlsx", "workbooks/people-changed.xlsx", ["--key", "id"]),
]


def cli_json(left, right, *flags):
    out = subprocess.run(
        [CLI, "compare", str(left), str(right), "--format", "json", *flags],
        capture_output=True,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr.decode()
    found = json.loads(out.stdout)
    found["differs"] = out.returncode == 1
    return found


def settings_of(flags):
    """The CLI flags of PAIRS as the package's arguments."""
    return {"key": flags[1]} if flags else {}


@pytest.mark.parametrize("left,right,flags", PAIRS)
def test_the_summary_is_the_command_lines(left, right, flags):
    l, r = FIXTURES / left, FIXTURES / right
    expected = cli_json(l, r, *flags)
    got = concord.compare(str(l), r, **settings_of(flags))
    assert got.summary == expected["summary"]
    assert got.columns == expected["columns"]
    assert got.notes == expected["notes"]
    assert got.keys == expected["keys"]
    assert got.mode == expected["mode"]
    assert got.differs == expected["differs"]
    assert json.loads(got.to_json())["rows"] == expected["rows"]


def test_the_readme_example():
    l, r = FIXTURES / "columnar" / "people.csv", FIXTURES / "columnar" / "people-changed.parquet"
    res = concord.compare(str(l), str(r), key="id")
    expected = cli_json(l, r, "--key", "id")["summary"]
    assert res.summary == expected
    assert set(res.summary) >= {"matched", "changed", "only_left", "only_right"}


def test_frames_in_memory_compare_as_their_files_do():
    l, r = FIXTURES / "daff" / "bridges.csv", FIXTURES / "daff" / "broken_bridges.csv"
    expected = concord.compare(str(l), str(r), key="bridge").summary
    assert expected["changed"] > 0
    read = {"convert_options": pacsv.ConvertOptions(strings_can_be_null=False)}
    for left, right in [
        (pacsv.read_csv(l, **read), pacsv.read_csv(r, **read)),
        (pd.read_csv(l, dtype=str, keep_default_na=False), pd.read_csv(r, dtype=str, keep_default_na=False)),
        (pl.read_csv(l, infer_schema=False), pl.read_csv(r, infer_schema=False)),
        (pacsv.read_csv(l, **read).to_reader(), str(r)),
    ]:
        got = concord.compare(left, right, key="bridge")
        assert got.summary == expected, type(left)


def test_typed_frames_compare_by_value():
    left = pa.table({"id": [1, 2, 3], "amount": pa.array([1.5, 2.0, 3.25])})
    right = pd.DataFrame({"id": [1, 2, 3], "amount": ["1.50", "2", "3.3"]})
    res = concord.compare(left, right, key="id")
    assert (res.summary["identical"], res.summary["changed"]) == (2, 1)
    rows = res.rows
    assert rows.num_rows == 1
    assert rows.column("id").to_pylist() == ["3"]
    assert rows.column("left:amount").to_pylist() == ["3.25"]
    assert rows.column("right:amount").to_pylist() == ["3.3"]
    # A tolerance makes them equal, as --tolerance does.
    assert not concord.compare(left, right, key="id", tolerance={"amount": 0.1}).differs


def test_settings_mean_what_the_flags_mean(tmp_path):
    (tmp_path / "l.csv").write_text("ID,Name,Price,Note\n1, Ann ,1.00,x\n2,bob,2,y\n3,Cy,3,z\n")
    (tmp_path / "r.csv").write_text("id,name,cost,Note\n1,Ann,1.004,q\n2,BOB,2,r\n4,Di,4,s\n")
    l, r = tmp_path / "l.csv", tmp_path / "r.csv"
    cases = [
        (dict(key="ID=id", map={"Name": "name", "Price": "cost"}),
         ["--key", "ID=id", "--map", "Name=name", "--map", "Price=cost"]),
        (dict(key="ID=id", map=["Name=name", "Price=cost"], ignore="Note", trim=True, ignore_case="Name", tolerance=0.01),
         ["--key", "ID=id", "--map", "Name=name", "--map", "Price=cost", "--ignore", "Note", "--trim",
          "--ignore-case=Name", "--tolerance", "0.01"]),
        (dict(by_position=True, suggest=False), ["--by-position", "--no-suggest"]),
        (dict(key="ID=id", rel_tolerance={"Price": 0.01}, numeric="always"),
         ["--key", "ID=id", "--rel-tolerance", "Price=0.01", "--numeric", "always"]),
    ]
    for settings, flags in cases:
        expected = cli_json(l, r, *flags)
        got = concord.compare(l, r, **settings)
        assert got.summary == expected["summary"], settings
        assert got.columns == expected["columns"], settings


def test_every_export_format_writes(tmp_path):
    l, r = FIXTURES / "daff" / "bridges.csv", FIXTURES / "daff" / "broken_bridges.csv"
    res = concord.compare(l, r)
    assert set(concord.FORMATS) >= {"csv", "json", "html", "xlsx", "patch", "text"}
    for fmt in concord.FORMATS:
        data = res.to_bytes(fmt)
        assert len(data) > 0, fmt
        out = tmp_path / f"diff.{fmt}"
        res.export(out, fmt)
        assert out.read_bytes() == data, fmt
    res.export(tmp_path / "by-name.html")
    assert (tmp_path / "by-name.html").read_bytes().startswith(b"<!")
    assert json.loads(res.to_json())["summary"] == res.summary


def test_the_rows_table_counts_what_the_summary_counts():
    l, r = FIXTURES / "qsv" / "boston311-100.csv", FIXTURES / "qsv" / "boston311-100-diff.csv"
    res = concord.compare(l, r, key="case_enquiry_id")
    statuses = res.rows.column("status").to_pylist()
    s = res.summary
    assert statuses.count("changed") == s["changed"]
    assert statuses.count("only_left") == s["only_left"]
    assert statuses.count("only_right") == s["only_right"]


def test_errors_carry_the_engines_code_and_message(tmp_path):
    with pytest.raises(concord.ConcordError) as e:
        concord.compare(tmp_path / "missing.csv", FIXTURES / "daff" / "bridges.csv")
    assert e.value.code == "read_failed"
    assert "missing.csv" in e.value.message
    with pytest.raises(concord.ConcordError) as e:
        concord.compare(FIXTURES / "daff" / "bridges.csv", FIXTURES / "daff" / "bridges.csv", key="nope")
    assert e.value.code == "unknown_column"
    assert "nope" in str(e.value)
    with pytest.raises(ValueError, match="tolerance"):
        concord.compare(FIXTURES / "daff" / "bridges.csv", FIXTURES / "daff" / "bridges.csv", tolerance=-1)
    with pytest.raises(ValueError, match="numeric"):
        concord.compare(FIXTURES / "daff" / "bridges.csv", FIXTURES / "daff" / "bridges.csv", numeric="sometimes")
    with pytest.raises(TypeError, match="expected a path"):
        concord.compare(42, FIXTURES / "daff" / "bridges.csv")
    with pytest.raises(concord.ConcordError) as e:
        concord.compare(FIXTURES / "workbooks" / "locked.xlsx", FIXTURES / "daff" / "bridges.csv")
    assert "locked.xlsx" in e.value.message


def test_parquet_written_by_pyarrow_reads_like_its_frame(tmp_path):
    table = pa.table({"id": [1, 2], "when": pa.array([0, 86_400_000_000], pa.timestamp("us", tz="UTC"))})
    pq.write_table(table, tmp_path / "t.parquet")
    res = concord.compare(tmp_path / "t.parquet", table, key="id")
    assert not res.differs
    assert res.summary["identical"] == 2


def test_an_unknown_setting_is_refused_by_name():
    bridges = str(FIXTURES / "daff" / "bridges.csv")
    with pytest.raises(TypeError, match="keys"):
        concord.compare(bridges, bridges, keys="bridge")
    # The engine's module checks the names too, for callers that skip the
    # typed wrapper.
    with pytest.raises(TypeError, match="unexpected setting 'keys'"):
        concord._concord.compare(bridges, bridges, keys="bridge")
    with pytest.raises(TypeError, match="skip_lines"):
        concord.compare(bridges, bridges, skip_lines="two")


def test_the_settings_are_one_list_with_the_command_lines_flags():
    import inspect

    typed = [p for p in inspect.signature(concord.compare).parameters if p not in ("left", "right")]
    assert sorted(typed) == sorted(concord._concord.SETTINGS)
    help_text = subprocess.run([CLI, "compare", "--help"], capture_output=True, text=True).stdout
    # Where a flag is spelled otherwise (a switch that turns a default off,
    # a repeatable flag named in the singular).
    spelled = {"suggest": "--no-suggest", "infer": "--no-infer", "has_header": "--no-header",
               "null_tokens": "--null-token", "memory_limit": "--memory-limit"}
    # `config` (a whole configuration, as complete_config returns it) is
    # the package's own: Spark's partitions are compared with it.
    for name in (n for n in typed if n != "config"):
        flag = spelled.get(name, "--" + name.replace("_", "-"))
        assert flag in help_text, f"{name}: no {flag} in `concord compare --help`"


def test_read_gives_the_cells_and_lines_the_engine_compares(tmp_path):
    text = 'id;note\r\n1;"two\r\nlines"\r\n2;"say ""hi"""\r\n'
    path = tmp_path / "semi.csv"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))  # UTF-16 with its byte-order mark
    table = concord.read(path, line_column="line")
    assert table.column_names == ["id", "note", "line"]
    assert table.to_pylist() == [
        {"id": "1", "note": "two\r\nlines", "line": 2},
        {"id": "2", "note": 'say "hi"', "line": 4},
    ]
    assert concord.read(path.read_bytes(), name="semi.csv").equals(concord.read(path))
    # Compared with itself after a change, the rows carry the same lines.
    other = tmp_path / "other.csv"
    other.write_bytes(b'id;note\n1;"two\r\nlines"\n2;changed\n')
    rows = concord.compare(path, other, key="id").rows.to_pylist()
    assert [(r["id"], r["left_line"]) for r in rows] == [("2", "4")]
    with pytest.raises(concord.ConcordError) as e:
        concord.read(tmp_path / "missing.csv")
    assert e.value.code == "read_failed" and "missing.csv" in e.value.message
