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

import duckdb

from pipeline.dataset import atomic_write_bytes
from pipeline.duck import connect
from schemas.records import cell_text

# what a query may do: read. Anything else (DELETE, DROP, CREATE, COPY, ATTACH, ...) would change only
# the in-memory copy built for this query, while the dataset files stay as they were: refused, said so.
READ_ONLY_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL"})


class WriteRefused(ValueError):
    """The SQL would change data; the message says which statement and where changes are made instead."""


def refuse_writes(sql: str) -> None:
    """Raise ``WriteRefused`` unless every statement of ``sql`` only reads (judged by DuckDB's own parser,
    before any data is loaded); SQL that does not parse raises DuckDB's ``ParserException``."""
    with duckdb.connect(":memory:") as parser:
        statements = parser.extract_statements(sql)
    for statement in statements:
        kind = statement.type.name
        if kind not in READ_ONLY_STATEMENTS:
            raise WriteRefused(
                f"juesuan query only reads the dataset: a {kind} statement is refused. The files in the dataset "
                "folder are changed only by `juesuan extract` and `juesuan check`; to keep a result, use --csv.")


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_query(sql: str, data: Path) -> QueryResult:
    refuse_writes(sql)
    con = connect(Path(data))
    try:
        cur = con.execute(sql)
        if cur.description is None:
            return QueryResult([], [])
        columns = [d[0] for d in cur.description]
        return QueryResult(columns, cur.fetchall())
    finally:
        con.close()


def result_csv_bytes(result: QueryResult, bom: bool = False) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(result.columns)
    for row in result.rows:
        w.writerow([cell_text(v) for v in row])
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def write_result_csv(result: QueryResult, path: Path, bom: bool = False) -> None:
    """``bom``: start with a UTF-8 byte order mark, so Excel on Windows shows the Chinese text."""
    atomic_write_bytes(Path(path), result_csv_bytes(result, bom))
