"""Copies of the clean dataset for the tools people open it with.

- ``excel/*.csv``: UTF-8 with BOM so Excel on Windows shows Chinese text; text cells that Excel
  would run as a formula (``=``, ``+``, ``-``, ``@`` and not a number) get a leading apostrophe.
- ``juesuan.duckdb``: typed tables and views (see ``pipeline/duck.py``).
- ``datapackage.json``: Frictionless descriptor of every file and column, English and Chinese.

Every file is written atomically (temporary name + ``os.replace``), like the canonical CSVs.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from pipeline import EXTRACTOR_VERSION, budget_vs_final
from pipeline.dataset import Dataset, atomic_write_bytes
from pipeline.dictionary import FILES, column_doc, enum_values, logical_type
from pipeline.duck import VIEW_NAMES, load_dataset
from schemas.records import RECORD_TYPES, Document, Record, TableRecord

EXCEL_DIR = "excel"
DUCKDB_FILE = "juesuan.duckdb"
DATAPACKAGE_FILE = "datapackage.json"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(text: str) -> str:
    """Neutralise text that Excel would evaluate as a formula; numbers stay numbers."""
    if not text.startswith(_FORMULA_START):
        return text
    try:
        Decimal(text)
        return text
    except InvalidOperation:
        return "'" + text


def excel_csv_bytes(kind: type[Record], rows: list[Record]) -> bytes:
    text_columns = {c for c in kind.COLUMNS if logical_type(kind, c) == "string"}
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(kind.COLUMNS), lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        row = r.to_row()
        w.writerow({c: excel_safe(v) if c in text_columns else v for c, v in row.items()})
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def duckdb_bytes(ds: Dataset) -> bytes:
    """Build the database in a private temporary folder and return its bytes."""
    return duckdb_and_comparison(ds)[0]


def duckdb_and_comparison(ds: Dataset) -> tuple[bytes, bytes, bytes]:
    """The database's bytes and the ``budget_vs_final`` view as CSV and Parquet, from one build."""
    with tempfile.TemporaryDirectory(prefix="juesuan-duckdb-") as tmp:
        path = Path(tmp) / DUCKDB_FILE
        con = duckdb.connect(str(path))
        try:
            load_dataset(con, ds)
            comparison = budget_vs_final.csv_bytes(con)
            parquet = budget_vs_final.parquet_bytes(con, Path(tmp) / budget_vs_final.PARQUET_FILE)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        return path.read_bytes(), comparison, parquet


_FRICTIONLESS_TYPE = {"decimal": "number", "integer": "integer", "boolean": "boolean", "date": "date", "string": "string"}
_PRIMARY_KEYS: dict[str, list[str]] = {Document.FILE: ["doc_id"], TableRecord.FILE: ["doc_id", "table"]}


def _field(kind: type[Record], column: str) -> dict:
    doc = column_doc(kind.FILE, column)
    t = logical_type(kind, column)
    field: dict = {"name": column, "type": _FRICTIONLESS_TYPE[t]}
    if doc:
        field.update({"title": column, "description": doc.en, "title_zh": column, "description_zh": doc.zh})
        if doc.unit:
            field["unit"] = doc.unit
    if t == "boolean":
        field.update({"trueValues": ["true"], "falseValues": ["false"]})
    if t == "decimal":
        field["decimalChar"] = "."
        field["bareNumber"] = True
    values = enum_values(kind, column)
    if values:
        field["constraints"] = {"enum": values}
    return field


def _schema(kind: type[Record]) -> dict:
    schema: dict = {"fields": [_field(kind, c) for c in kind.COLUMNS], "missingValues": [""]}
    if kind.FILE in _PRIMARY_KEYS:
        schema["primaryKey"] = _PRIMARY_KEYS[kind.FILE]
    if kind is not Document:
        schema["foreignKeys"] = [{"fields": ["doc_id"], "reference": {"resource": Document.FILE, "fields": ["doc_id"]}}]
    return schema


def datapackage(kinds: tuple[type[Record], ...] = RECORD_TYPES) -> dict:
    resources: list[dict] = []
    for kind in kinds:
        f = FILES[kind.FILE]
        base = {"title": kind.FILE, "description": f.en, "description_zh": f.zh}
        resources.append({"name": kind.FILE, "path": f"{kind.FILE}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", **base,
                          "dialect": {"delimiter": ",", "quoteChar": '"', "header": True, "lineTerminator": "\r\n"},
                          "schema": _schema(kind)})
        resources.append({"name": f"{kind.FILE}_parquet", "path": f"{kind.FILE}.parquet", "format": "parquet",
                          "mediatype": "application/vnd.apache.parquet", **base,
                          "description": f.en + " Parquet copy, typed: amounts as exact decimal128 at the scale the "
                                                "column needs (never floats), integers int32, booleans bool, the rest text.",
                          "description_zh": f.zh + " Parquet 副本（带类型）：金额为精确 decimal128（按该列所需小数位，"
                                                   "绝不使用浮点数），整数为 int32，布尔值为 bool，其余为文本。",
                          "schema": _schema(kind)})
        resources.append({"name": f"{kind.FILE}_excel", "path": f"{EXCEL_DIR}/{kind.FILE}.csv", "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8-sig", **base,
                          "description": f.en + " Excel copy: UTF-8 with BOM; formula-like text prefixed with '.",
                          "description_zh": f.zh + " Excel 副本：带 BOM 的 UTF-8；类似公式的文本前加 '。",
                          "schema": _schema(kind)})
    resources.append({
        "name": "juesuan_duckdb", "path": DUCKDB_FILE, "format": "duckdb", "mediatype": "application/vnd.duckdb",
        "description": "DuckDB database: the tables typed (amounts as exact DECIMAL) and the views "
                       + ", ".join(VIEW_NAMES) + ".",
        "description_zh": "DuckDB 数据库：各表（金额为精确 DECIMAL）及视图 " + "、".join(VIEW_NAMES) + "。",
    })
    return {
        "profile": "tabular-data-package",
        "name": "juesuan",
        "title": "Chinese departmental final accounts (部门决算公开): tables, narrative figures and cross-check findings",
        "title_zh": "部门决算公开数据：九张表、情况说明数字与交叉核对结果",
        "description": "Every numeric cell of the nine standard tables, every figure of the explanatory text, and the "
                       "published figures that do not add up, each with its page. Amounts in 万元 (10,000 yuan).",
        "description_zh": "九张标准表的全部数值、情况说明中的全部数字，以及相互矛盾的公开数字，均注明页码。金额单位：万元。",
        "version": EXTRACTOR_VERSION,
        "licenses": [{"name": "MIT", "title": "MIT License"}],
        "resources": resources,
    }


def write_exports(ds: Dataset, out: Path) -> None:
    """Write the Excel copies, the DuckDB database and datapackage.json next to the canonical files."""
    out = Path(out)
    for kind in RECORD_TYPES:
        rows = sorted(ds.rows_of(kind), key=lambda r: getattr(r, "doc_id", ""))
        atomic_write_bytes(out / EXCEL_DIR / f"{kind.FILE}.csv", excel_csv_bytes(kind, rows))
    database, comparison, comparison_parquet = duckdb_and_comparison(ds)
    atomic_write_bytes(out / DUCKDB_FILE, database)
    atomic_write_bytes(out / budget_vs_final.CSV_FILE, comparison)
    atomic_write_bytes(out / budget_vs_final.PARQUET_FILE, comparison_parquet)
    text = json.dumps(datapackage(), ensure_ascii=False, indent=2) + "\n"
    atomic_write_bytes(out / DATAPACKAGE_FILE, text.encode("utf-8"))

