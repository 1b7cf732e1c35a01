"""What was planned against what was spent: the DuckDB view ``budget_vs_final`` (and its CSV).

A row compares one figure of a budget with the same figure of the final accounts of the same
department and year: same table key, same subject code (or row label where no code is printed),
same column — the 三公 table's ``X_budget`` against ``X_actual``. Two sources of the planned figure:

- ``budget_document``: the department's budget (部门预算) of that year, when the dataset holds exactly
  one (documents paired by ``pipeline.disclosures.identity``; an ambiguous pairing gives no rows);
- ``final_accounts``: the budget as the final accounts restate it (the 三公 table's 预算数 columns).

A planned figure the final accounts print nothing for (an empty cell) has an empty final value.
The execution rate is final / budget × 100, rounded half up to 0.01 percentage point from the exact
decimals (never through a float); empty when the budget figure is 0.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

import duckdb

from pipeline.disclosures import identity_of
from schemas.records import cell_text

PAIRS_TABLE = "budget_final_pairs"
VIEW = "budget_vs_final"
CSV_FILE = "budget_vs_final.csv"
PARQUET_FILE = "budget_vs_final.parquet"
ORDER = 'region, department, fiscal_year, budget_source, "table", side, code, "row", budget_col'
SCALE = 10**8  # amounts are scaled to integers before dividing: exact for up to 8 decimals


def create_pairs(con: duckdb.DuckDBPyConnection) -> None:
    """``budget_final_pairs(budget_doc_id, final_doc_id)``: each final account with its one budget."""
    rows = con.execute(
        "SELECT doc_id, region, department, fiscal_year, doc_type FROM documents "
        "WHERE doc_id IN (SELECT DISTINCT doc_id FROM table_cells)"
    ).fetchall()
    by_identity: dict[tuple, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for doc_id, region, department, year, doc_type in rows:
        ident = identity_of(region, department, year)
        if ident is not None and doc_type in ("budget", "final_accounts"):
            by_identity[ident][doc_type].append(doc_id)
    pairs = [(kinds["budget"][0], kinds["final_accounts"][0]) for kinds in by_identity.values()
             if len(kinds["budget"]) == 1 and len(kinds["final_accounts"]) == 1]
    con.execute(f"CREATE OR REPLACE TABLE {PAIRS_TABLE} (budget_doc_id VARCHAR, final_doc_id VARCHAR)")
    if pairs:
        con.executemany(f"INSERT INTO {PAIRS_TABLE} VALUES (?, ?)", pairs)


def _rate(final: str, budget: str) -> str:
    """final / budget × 100 as DECIMAL(38,2), rounded half up, from integers (exact)."""
    f = f"CAST(CAST({final} AS DECIMAL(38, 8)) * {SCALE} AS HUGEINT)"
    b = f"CAST(CAST({budget} AS DECIMAL(38, 8)) * {SCALE} AS HUGEINT)"
    return (f"CASE WHEN {budget} = 0 THEN NULL ELSE "
            f"CAST((2 * {f} * 10000 + {b}) // (2 * {b}) AS DECIMAL(38, 0)) * CAST(0.01 AS DECIMAL(3, 2)) END")


VIEW_SQL = f"""
CREATE OR REPLACE VIEW {VIEW} AS
WITH pairs AS (SELECT * FROM {PAIRS_TABLE}),
planned AS (
  SELECT p.final_doc_id, 'budget_document' AS budget_source, c.*,
    CASE WHEN c."table" = 'three_public_expenses' THEN replace(c.col, '_budget', '_actual') ELSE c.col END AS final_col
  FROM pairs p JOIN table_cells c ON c.doc_id = p.budget_doc_id
  UNION ALL
  SELECT c.doc_id AS final_doc_id, 'final_accounts' AS budget_source, c.*, replace(c.col, '_budget', '_actual')
  FROM table_cells c JOIN documents d USING (doc_id)
  WHERE d.doc_type = 'final_accounts' AND c."table" = 'three_public_expenses' AND c.col LIKE '%\\_budget' ESCAPE '\\'
)
SELECT d.region, d.department, d.fiscal_year, b."table", b.side, b.code, b."row",
  b.col AS budget_col, b.final_col, b.value AS budget_value, f.value AS final_value,
  f.value - b.value AS difference, {_rate("f.value", "b.value")} AS execution_rate_pct,
  b.budget_source, b.doc_id AS budget_doc_id, b.page AS budget_page, b.final_doc_id, f.page AS final_page
FROM planned b
LEFT JOIN table_cells f ON f.doc_id = b.final_doc_id AND f."table" = b."table" AND f.col = b.final_col
  AND coalesce(f.side, '') = coalesce(b.side, '')
  AND (f.code = b.code OR (b.code IS NULL AND f.code IS NULL AND f."row" = b."row")
       OR b."table" = 'three_public_expenses')
JOIN documents d ON d.doc_id = b.final_doc_id
"""


def create_view(con: duckdb.DuckDBPyConnection) -> None:
    create_pairs(con)
    con.execute(VIEW_SQL)


def parquet_bytes(con: duckdb.DuckDBPyConnection, path: Path) -> bytes:
    """The view as Parquet, its amounts as exact decimals (DuckDB writes DECIMAL as decimal128)."""
    con.execute(f"COPY (SELECT * FROM {VIEW} ORDER BY {ORDER}) TO '{path}' (FORMAT PARQUET)")
    return path.read_bytes()


def csv_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The view as CSV (UTF-8, header), in a stable order; decimals exactly as held (never via floats)."""
    cur = con.execute(f"SELECT * FROM {VIEW} ORDER BY {ORDER}")
    columns = [d[0] for d in cur.description]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for row in cur.fetchall():
        w.writerow([cell_text(v) for v in row])
    return buf.getvalue().encode("utf-8")
