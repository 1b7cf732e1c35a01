"""The dataset as a DuckDB database: typed tables (exact DECIMALs, never floats) and views.

One code path builds both the shipped ``juesuan.duckdb`` (from the in-memory dataset) and the
in-memory database behind ``juesuan query`` (from the CSVs of any dataset folder), so a query
gives the same answer against either.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import budget_vs_final
from pipeline.dataset import Dataset, frame_of
from pipeline.dictionary import logical_type
from schemas.keys import NINE_TABLES, TableKey
from schemas.records import RECORD_TYPES, Record

log = logging.getLogger("juesuan.duck")

MAX_PRECISION = 38


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _decimal_type(con: duckdb.DuckDBPyConnection, raw: str, column: str) -> str:
    """The narrowest DECIMAL holding every value of the column exactly; VARCHAR if none can."""
    c = _q(column)
    int_digits, scale = con.execute(
        f"SELECT coalesce(max(length(split_part(ltrim({c}, '-'), '.', 1))), 1), "
        f"coalesce(max(length(split_part({c}, '.', 2))), 0) FROM {raw}"
    ).fetchall()[0]  # an aggregate without GROUP BY: exactly one row
    if int_digits + scale > MAX_PRECISION:
        log.warning("%s.%s: values too long for DECIMAL(38); kept as text", raw, column)
        return "VARCHAR"
    precision = 18 if int_digits + scale <= 18 else MAX_PRECISION
    return f"DECIMAL({precision}, {scale})"


def _sql_type(con: duckdb.DuckDBPyConnection, raw: str, kind: type[Record], column: str) -> str:
    t = logical_type(kind, column)
    if t == "decimal":
        return _decimal_type(con, raw, column)
    return {"integer": "INTEGER", "boolean": "BOOLEAN", "date": "DATE"}.get(t, "VARCHAR")


def _create_typed(con: duckdb.DuckDBPyConnection, raw: str, kind: type[Record]) -> None:
    """``kind.FILE`` as a typed table from the all-text relation ``raw`` (extra columns stay text)."""
    columns = [r[0] for r in con.execute(f"DESCRIBE {raw}").fetchall()]
    select = []
    for c in columns:
        sql_type = _sql_type(con, raw, kind, c)
        select.append(f"CAST({_q(c)} AS {sql_type}) AS {_q(c)}" if sql_type != "VARCHAR" else _q(c))
    con.execute(f"CREATE OR REPLACE TABLE {_q(kind.FILE)} AS SELECT {', '.join(select)} FROM {raw}")


def load_dataset(con: duckdb.DuckDBPyConnection, ds: Dataset) -> None:
    for kind in RECORD_TYPES:
        frame: pd.DataFrame = frame_of(kind, ds.rows_of(kind))
        con.register("raw_frame", frame)
        con.execute("CREATE OR REPLACE TEMP TABLE raw_text AS SELECT * FROM raw_frame")
        con.unregister("raw_frame")
        # an empty frame has no values to infer from: make every column text
        cols = ", ".join(f"CAST({_q(c)} AS VARCHAR) AS {_q(c)}" for c in kind.COLUMNS)
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_text AS SELECT {cols} FROM raw_text")
        _create_typed(con, "raw_text", kind)
    con.execute("DROP TABLE IF EXISTS raw_text")
    create_views(con)


def load_folder(con: duckdb.DuckDBPyConnection, data: Path) -> None:
    """Typed tables from the canonical CSVs of a dataset folder (a missing file is an empty table)."""
    for kind in RECORD_TYPES:
        path = Path(data) / f"{kind.FILE}.csv"
        if path.exists():
            con.execute(
                "CREATE OR REPLACE TEMP TABLE raw_text AS SELECT * FROM read_csv("
                f"{_lit(str(path))}, all_varchar = true, header = true, delim = ',', quote = '\"', "
                "escape = '\"', auto_detect = false, columns = "
                + _columns_literal(_csv_header(path)) + ")"
            )
        else:
            cols = ", ".join(f"{_q(c)} VARCHAR" for c in kind.COLUMNS)
            con.execute(f"CREATE OR REPLACE TEMP TABLE raw_text ({cols})")
        _create_typed(con, "raw_text", kind)
    con.execute("DROP TABLE IF EXISTS raw_text")
    create_views(con)


def _csv_header(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), [])


def _columns_literal(header: list[str]) -> str:
    return "{" + ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in header) + "}"


def connect(data: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database over a dataset folder, with every table and view."""
    con = duckdb.connect(":memory:")
    load_folder(con, data)
    return con


# --- views -------------------------------------------------------------------------------

def _pick(table: str, col: str, row_like: str, side: str | None = None, code_null: bool = True) -> str:
    """The value of the first (lowest page) cell matching a table, column and row pattern."""
    cond = [f'"table" = {_lit(table)}', f"col = {_lit(col)}", f'"row" LIKE {_lit(row_like)}']
    if side:
        cond.append(f"side = {_lit(side)}")
    if code_null:
        cond.append("code IS NULL")
    return f"arg_min(value, page) FILTER (WHERE {' AND '.join(cond)})"


# (output column, expression over table_cells grouped by doc_id)
HEADLINES: tuple[tuple[str, str], ...] = (
    ("total_income_expenditure", _pick(TableKey.income_expenditure_summary, "amount", "%总计%", "income")),
    ("income_total", _pick(TableKey.income_expenditure_summary, "amount", "%收入合计%", "income")),
    ("expenditure_total", _pick(TableKey.income_expenditure_summary, "amount", "%支出合计%", "expenditure")),
    ("basic_expenditure", _pick(TableKey.expenditure, "basic", "%合计%")),
    ("project_expenditure", _pick(TableKey.expenditure, "project", "%合计%")),
    ("fiscal_appropriation_total", _pick(TableKey.fiscal_appropriation_summary, "amount", "%总计%", "income")),
    ("general_public_budget_expenditure", _pick(TableKey.general_public_budget_expenditure, "total", "%合计%")),
    ("general_public_budget_basic", _pick(TableKey.general_public_budget_expenditure, "basic", "%合计%")),
    ("general_public_budget_project", _pick(TableKey.general_public_budget_expenditure, "project", "%合计%")),
    ("personnel_expenditure", _pick(TableKey.general_public_budget_basic_expenditure, "amount", "人员经费%")),
    ("public_expenditure", _pick(TableKey.general_public_budget_basic_expenditure, "amount", "公用经费%")),
    *(
        (f"three_public_{c}", _pick(TableKey.three_public_expenses, c, "%", code_null=False))
        for c in (
            "total_budget", "total_actual", "overseas_budget", "overseas_actual", "vehicle_budget", "vehicle_actual",
            "vehicle_purchase_budget", "vehicle_purchase_actual", "vehicle_operation_budget",
            "vehicle_operation_actual", "reception_budget", "reception_actual",
        )
    ),
)


# headline → the narrative metric (and subject) stating the same figure: the fallback where no table
# gives it (a .txt narrative has no tables). 基本支出 of 情况说明 六 is the general public budget's.
NARRATIVE_HEADLINES: dict[str, tuple[str, str | None]] = {
    "total_income_expenditure": ("total_income_expenditure", None),
    "income_total": ("income_total", None),
    "expenditure_total": ("expenditure_total", None),
    "basic_expenditure": ("expenditure_item", "基本支出"),
    "project_expenditure": ("expenditure_item", "项目支出"),
    "fiscal_appropriation_total": ("fiscal_total", None),
    "general_public_budget_expenditure": ("gpb_expenditure", None),
    "general_public_budget_basic": ("basic_expenditure", None),
    "personnel_expenditure": ("basic_personnel", None),
    "public_expenditure": ("basic_public", None),
    "three_public_total_budget": ("three_public_budget", None),
    "three_public_total_actual": ("three_public_actual", None),
    **{f"three_public_{k}_actual": (f"{k}_actual", None)
       for k in ("overseas", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")},
}


def _narrative_pick(metric: str, subject: str | None) -> str:
    """The first statement (by page, then order in the text) of a metric in 万元."""
    cond = f"metric = {_lit(metric)} AND unit = '万元' AND " + (
        f"subject = {_lit(subject)}" if subject else "subject IS NULL")
    return f"first(value ORDER BY page NULLS FIRST, rowid) FILTER (WHERE {cond})"


def _document_summary_sql() -> str:
    heads = ",\n    ".join(f"{expr} AS {name}" for name, expr in HEADLINES)
    told = ",\n    ".join(f"{_narrative_pick(*NARRATIVE_HEADLINES[name])} AS {name}"
                          for name, _ in HEADLINES if name in NARRATIVE_HEADLINES)
    head_cols = ", ".join(f"coalesce(h.{name}, n.{name}) AS {name}" if name in NARRATIVE_HEADLINES else f"h.{name}"
                          for name, _ in HEADLINES)
    from_text = ", ".join(f"CASE WHEN h.{name} IS NULL AND n.{name} IS NOT NULL THEN {_lit(name)} END"
                          for name, _ in HEADLINES if name in NARRATIVE_HEADLINES)
    return f"""
CREATE OR REPLACE VIEW document_summary AS
WITH heads AS (
  SELECT doc_id,
    {heads}
  FROM table_cells GROUP BY doc_id
),
told AS (
  SELECT doc_id,
    {told}
  FROM narrative_facts GROUP BY doc_id
),
tabs AS (
  SELECT doc_id, count(*) AS n_tables, count(*) FILTER (WHERE has_data) AS n_tables_with_data
  FROM tables GROUP BY doc_id
),
cells AS (SELECT doc_id, count(*) AS n_cells FROM table_cells GROUP BY doc_id),
facts AS (SELECT doc_id, count(*) AS n_facts FROM narrative_facts GROUP BY doc_id),
finds AS (
  SELECT doc_id, count(*) AS n_findings,
    count(*) FILTER (WHERE severity = 'error') AS n_errors,
    count(*) FILTER (WHERE severity = 'warning') AS n_warnings
  FROM findings GROUP BY doc_id
)
SELECT d.doc_id, d.file_name, d.region, d.department, d.fiscal_year, d.doc_type, d.status, d.pages,
  coalesce(t.n_tables, 0) AS n_tables, coalesce(t.n_tables_with_data, 0) AS n_tables_with_data,
  coalesce(c.n_cells, 0) AS n_cells, coalesce(f.n_facts, 0) AS n_facts,
  {head_cols},
  coalesce(x.n_findings, 0) AS n_findings, coalesce(x.n_errors, 0) AS n_errors,
  coalesce(x.n_warnings, 0) AS n_warnings,
  nullif(concat_ws(';', {from_text}), '') AS headlines_from_narrative
FROM documents d
LEFT JOIN heads h USING (doc_id) LEFT JOIN told n USING (doc_id) LEFT JOIN tabs t USING (doc_id)
LEFT JOIN cells c USING (doc_id)
LEFT JOIN facts f USING (doc_id) LEFT JOIN finds x USING (doc_id)
"""


def _document_tables_sql() -> str:
    cols = []
    for t in NINE_TABLES:
        k = _lit(t.key)
        cols.append(f'any_value(t.pages) FILTER (WHERE t."table" = {k}) AS {_q(t.key + "_pages")}')
        cols.append(f'any_value(t.n_cells) FILTER (WHERE t."table" = {k}) AS {_q(t.key + "_cells")}')
    return f"""
CREATE OR REPLACE VIEW document_tables AS
SELECT d.doc_id, d.department, d.fiscal_year,
  {", ".join(cols)}
FROM documents d LEFT JOIN tables t USING (doc_id)
GROUP BY d.doc_id, d.department, d.fiscal_year
"""


def _wide_table_sql(key: str, columns: tuple[str, ...]) -> str:
    pivots = ", ".join(f"any_value(value) FILTER (WHERE col = {_lit(c)}) AS {_q(c)}" for c in columns)
    return f"""
CREATE OR REPLACE VIEW {_q("wide_" + key)} AS
SELECT doc_id, side, code, "row", page, {pivots}
FROM table_cells WHERE "table" = {_lit(key)}
GROUP BY doc_id, side, code, "row", page
ORDER BY doc_id, page, side, code NULLS FIRST, "row"
"""


FINDINGS_DETAIL_SQL = """
CREATE OR REPLACE VIEW findings_detail AS
SELECT d.department, d.region, d.fiscal_year, d.file_name, f.*
FROM findings f LEFT JOIN documents d USING (doc_id)
"""

# "Which projects reported targets as met while the numbers say otherwise": a self-evaluation row
# given full marks although its own printed target and actual (same unit) say the target was missed.
PERFORMANCE_MISSED_SQL = """
CREATE OR REPLACE VIEW performance_claims_vs_numbers AS
SELECT d.department, d.region, d.fiscal_year, d.file_name, f.project, f.annex, f.title,
  i.level1, i.level2, i.indicator, i.target_text, i.actual_text, i.weight, i.score, i.page, i.doc_id, i.form_id
FROM performance_indicators i
JOIN performance_forms f ON f.doc_id = i.doc_id AND f.form_id = i.form_id
LEFT JOIN documents d ON d.doc_id = i.doc_id
WHERE f.kind = 'self_evaluation'
  AND i.target_value IS NOT NULL AND i.actual_value IS NOT NULL
  AND coalesce(i.target_unit, '') = coalesce(i.actual_unit, '')
  AND i.score >= i.weight
  AND CASE coalesce(i.target_op, '')
        WHEN '>=' THEN i.actual_value < i.target_value
        WHEN '' THEN i.actual_value < i.target_value
        WHEN '>' THEN i.actual_value <= i.target_value
        WHEN '<=' THEN i.actual_value > i.target_value
        WHEN '<' THEN i.actual_value >= i.target_value
        ELSE i.actual_value <> i.target_value
      END
ORDER BY d.department, d.fiscal_year, f.form_id, i."order"
"""

VIEW_NAMES: tuple[str, ...] = (
    "document_summary", "document_tables", "findings_detail", budget_vs_final.VIEW, "performance_claims_vs_numbers",
    *(f"wide_{t.key}" for t in NINE_TABLES),
)


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_document_summary_sql())
    con.execute(_document_tables_sql())
    con.execute(FINDINGS_DETAIL_SQL)
    budget_vs_final.create_view(con)
    con.execute(PERFORMANCE_MISSED_SQL)
    for t in NINE_TABLES:
        con.execute(_wide_table_sql(t.key, tuple(t.columns)))
