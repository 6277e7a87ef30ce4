"""Differential: Spark's answer against the local engine's on generated
pairs full of the hard cases, on the standalone cluster (conftest.py).

Every pair is compared twice, by ``concord.compare`` on this machine and by
``concord.spark.compare`` on the cluster in several partitions, and the two
must agree on the summary, the key, every column's counts, and every
differing row: its status, key, line numbers, changed columns and values,
in the same order."""

import json
import os
import random
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import concord

pytest.importorskip("pyspark", reason="pyspark is installed by the test command")


def quoted(text: str, sep: str) -> str:
    if any(c in text for c in (sep, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def hard_pair(seed: int, rows: int, *, sep: str = ",", newline: str = "\n", bom: bool = False,
              fuzzy_keys: bool = False):
    """Left and right file contents. The key is ``id`` on the left and
    ``ID`` on the right. Cells: codes with leading zeros, 22-digit integers,
    numbers with exponents, amounts a tolerance apart (exactly and just
    past it), null spellings, text with quotes, separators and line breaks;
    rows changed, removed, added, repeated and with empty keys; with
    ``fuzzy_keys``, keys that match only trimmed (of Unicode spaces too)
    and lower-cased."""
    rnd = random.Random(seed)
    header = ["id", "code", "amount", "big", "sci", "note", "city"]
    left, right = [], []
    nulls = ["", "NULL", "N/A"]
    for i in range(rows):
        key = f"k{i}"
        code = f"{rnd.randint(0, 999):05d}"
        amount = f"{rnd.randint(0, 99999) / 100:.2f}"
        big = str(10**21 + rnd.randint(0, 10**12))
        sci = rnd.choice(["1e3", "1.5E-3", "2e5", "7"])
        note = rnd.choice(["plain", 'say "hi"', "a, b", "two\nlines", "crlf\r\ninside", "NULL", ""])
        city = rnd.choice(["Oslo", "Bergen", "Tromsø", "Ålesund"])
        row = [key, code, amount, big, sci, note, city]
        other = list(row)
        roll = rnd.random()
        if roll < 0.03:
            left.append(row)
            continue
        if roll < 0.05:
            right.append(other)
            continue
        if roll < 0.07:
            row[0] = ""  # an empty key matches nothing
        elif roll < 0.09:
            left.append(list(row))  # a key twice on the left
        elif roll < 0.10:
            right.append(list(other))  # a key twice on the right
        elif roll < 0.14:
            other[1] = other[1].lstrip("0") or "0"  # leading zeros gone
        elif roll < 0.18:
            other[2] = f"{float(row[2]) + 0.01:.2f}"  # exactly the tolerance apart
        elif roll < 0.20:
            other[2] = f"{float(row[2]) + 0.011:.3f}"  # just past it
        elif roll < 0.24:
            other[3] = str(int(row[3]) + 1)  # differs in the 22nd digit
        elif roll < 0.28:
            other[4] = {"1e3": "1000", "1.5E-3": "0.0015", "2e5": "2.00001e5", "7": "7.0"}[row[4]]
        elif roll < 0.32:
            other[5] = rnd.choice(nulls)
            row[5] = rnd.choice(nulls)
        elif roll < 0.35:
            other[5] = other[5] + "\nmore"
        elif roll < 0.38:
            other[6] = other[6].upper()
        if fuzzy_keys and row[0] and rnd.random() < 0.3:
            other[0] = rnd.choice(["\u00a0", " ", "\t"]) + row[0].upper() + rnd.choice(["", " ", "\u2003"])
        left.append(row)
        right.append(other)
    rnd.shuffle(right)

    def text(head, body):
        lines = [sep.join(quoted(c, sep) for c in r) for r in [head] + body]
        return ("\ufeff" if bom else "") + newline.join(lines) + newline

    return text(header, left), text(["ID"] + header[1:], right)


CASES = {
    "defaults": (dict(), dict(key="id=ID")),
    "rules": (dict(fuzzy_keys=True),
              dict(key="id=ID", trim=True, ignore_case=True, null_tokens=["NULL", "N/A"],
                   tolerance={"amount": 0.01})),
    "semicolons, CRLF, BOM": (dict(sep=";", newline="\r\n", bom=True), dict(key="id=ID", numeric="always")),
}


def rows_in_order(directory: Path) -> list:
    """The output's rows, part file by part file in name order."""
    parts = sorted(directory.glob("part-*.parquet"))
    assert parts, f"no rows written to {directory}"
    return pa.concat_tables([pq.read_table(p) for p in parts]).to_pylist()


@pytest.mark.parametrize("case", list(CASES))
def test_spark_and_the_local_engine_give_the_same_rows_in_the_same_order(spark, tmp_path, case):
    from concord import spark as cs

    shape, settings = CASES[case]
    left_text, right_text = hard_pair(sum(map(ord, case)), 2500, **shape)
    left, right = tmp_path / "left.csv", tmp_path / "right.csv"
    left.write_bytes(left_text.encode())
    right.write_bytes(right_text.encode())
    local = concord.compare(str(left), str(right), **settings)
    out = tmp_path / "out"
    found = cs.compare(str(left), str(right), spark=spark, partitions=5, output=str(out), **settings)

    assert found.summary == local.summary
    assert found.columns == local.columns
    assert [[k["left"], k["right"]] for k in found.config["keys"]] == local.keys == [["id", "ID"]]
    expected = local.rows.to_pylist()
    got = rows_in_order(out / "rows")
    assert len(got) == len(expected)
    assert got == expected

    # The result opens as a session (`concord sessions import-result`).
    root = Path(__file__).resolve().parents[2]
    cli = os.environ.get("CONCORD_BIN", str(root / "target" / "debug" / "concord"))
    env = dict(os.environ, CONCORD_DATA_DIR=str(tmp_path / "sessions"))
    run = subprocess.run([cli, "sessions", "import-result", str(out)], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    session = run.stdout.split()[2]
    shown = subprocess.run([cli, "sessions", "show", session, "--format", "json"], capture_output=True, text=True,
                           env=env, check=True)
    assert json.loads(shown.stdout)["summary"] == local.summary

    # The pairs hold the hard cases, so a pass means something.
    s = local.summary
    assert s["changed"] > 100 and s["only_left"] > 20 and s["only_right"] > 20
    assert s["duplicate_keys_left"] > 0 and s["duplicate_keys_right"] > 0
    assert any("\n" in (r["left:note"] or "") for r in expected)
    assert any(r["id=ID"] == "" for r in expected)
    if case == "rules":
        assert any(r["status"] == "changed" for r in expected)
        tolerated = [c for c in local.columns if c["left"] == "amount"][0]
        assert 0 < tolerated["differences"]


def test_a_side_of_several_files_reads_each_as_concord_does(spark, tmp_path, monkeypatch):
    """A folder of CSV files is one side (Spark's parts, for example): each
    file read by Concord, rows in the files' name order; rows have no line
    numbers then (a line number without its file would mislead)."""
    from concord import spark as cs

    left_text, right_text = hard_pair(11, 900)
    (tmp_path / "left.csv").write_text(left_text)
    (tmp_path / "right.csv").write_text(right_text)
    local = concord.compare(str(tmp_path / "left.csv"), str(tmp_path / "right.csv"), key="id=ID")
    folder = tmp_path / "right"
    folder.mkdir()
    # Split the right file into three files at record boundaries (by
    # Concord's own line numbers), each with the header.
    table = concord.read(str(tmp_path / "right.csv"), line_column="line")
    starts = [table["line"][i].as_py() for i in (0, table.num_rows // 3, 2 * table.num_rows // 3)]
    text_lines = right_text.split("\n")
    bounds = starts + [len(text_lines)]
    for n in range(3):
        body = "\n".join(text_lines[bounds[n] - 1: bounds[n + 1] - 1])
        (folder / f"part-{n}.csv").write_text(text_lines[0] + "\n" + body + ("\n" if not body.endswith("\n") else ""))
    # Samples read on the executors, as for files the driver cannot see.
    monkeypatch.setattr(cs, "_SAMPLE_ON_DRIVER", False)
    found = cs.compare(str(tmp_path / "left.csv"), str(folder), key="id=ID", spark=spark, partitions=3,
                       output=str(tmp_path / "out"))
    assert found.summary == local.summary
    got = rows_in_order(tmp_path / "out" / "rows")
    assert all(r["right_line"] == "" for r in got)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "right_line"} for r in rows]
    assert strip(got) == strip(local.rows.to_pylist())


def test_numbers_are_judged_on_the_whole_not_per_partition(spark, tmp_path):
    """A column of numbers with one text value is text to the local engine
    ("1.0" differs from "1"); partitions without that value must not judge
    it a column of numbers."""
    from concord import spark as cs

    left = "id,v\n" + "".join(f"{i},1.0\n" for i in range(300)) + "300,x\n"
    right = "id,v\n" + "".join(f"{i},1\n" for i in range(300)) + "300,y\n"
    (tmp_path / "l.csv").write_text(left)
    (tmp_path / "r.csv").write_text(right)
    local = concord.compare(str(tmp_path / "l.csv"), str(tmp_path / "r.csv"), key="id")
    found = cs.compare(str(tmp_path / "l.csv"), str(tmp_path / "r.csv"), key="id", spark=spark, partitions=6)
    assert local.summary["changed"] == 301
    assert found.summary == local.summary
