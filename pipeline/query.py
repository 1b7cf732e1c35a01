"""``juesuan query``: SQL over a dataset folder with DuckDB, as a table or a CSV file.

The database is built in memory from the folder's canonical CSVs (see ``pipeline/duck.py``), so
it always answers from the current files, with the same tables and views as ``juesuan.duckdb``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.dataset import atomic_write_bytes
from pipeline.duck import connect
from schemas.records import cell_text


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_query(sql: str, data: Path) -> QueryResult:
    con = connect(Path(data))
    try:
        cur = con.execute(sql)
        if cur.description is None:
            return QueryResult([], [])
        columns = [d[0] for d in cur.description]
        return QueryResult(columns, cur.fetchall())
    finally:
        con.close()


def result_csv_bytes(result: QueryResult) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(result.columns)
    for row in result.rows:
        w.writerow([cell_text(v) for v in row])
    return buf.getvalue().encode("utf-8")


def write_result_csv(result: QueryResult, path: Path) -> None:
    atomic_write_bytes(Path(path), result_csv_bytes(result))
