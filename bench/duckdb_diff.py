"""The DuckDB side of the benchmark: the same keyed diff Concord does.

Reads both files (CSV, or Parquet when they end in .parquet),
full-outer-joins them on the key, keeps rows where the
key is missing on one side or any column IS DISTINCT FROM its partner, and
writes those rows to a CSV file.

Usage: python3 bench/duckdb_diff.py LEFT RIGHT KEY OUT [THREADS]
"""
import sys

import duckdb

left, right, key, out = sys.argv[1:5]
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
con = duckdb.connect()
con.execute(f"SET threads TO {threads}")
read = "read_parquet" if left.endswith(".parquet") else "read_csv"
cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {read}('{left}')").fetchall()]
others = [c for c in cols if c != key]
distinct = " OR ".join(f'l."{c}" IS DISTINCT FROM r."{c}"' for c in others)
select = ", ".join([f'COALESCE(l."{key}", r."{key}") AS "{key}"'] +
                   [f'l."{c}" AS "left_{c}", r."{c}" AS "right_{c}"' for c in others])
con.execute(f"""
COPY (
  SELECT CASE WHEN l."{key}" IS NULL THEN 'only_right'
              WHEN r."{key}" IS NULL THEN 'only_left'
              ELSE 'changed' END AS status, {select}
  FROM {read}('{left}') l FULL OUTER JOIN {read}('{right}') r ON l."{key}" = r."{key}"
  WHERE l."{key}" IS NULL OR r."{key}" IS NULL OR {distinct}
) TO '{out}' (HEADER, DELIMITER ',')
""")
