"""The clean dataset in memory and on disk: merge by document, write atomically.

Writing goes file by file through a temporary name in the same folder and ``os.replace``,
so a run killed at any point leaves every file either the old or the new complete version.
``documents.csv`` is written last: a document appears there only once its rows are in.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from schemas.records import (
    Document,
    Finding,
    NarrativeFact,
    PerformanceForm,
    PerformanceIndicator,
    Record,
    TableCell,
    TableRecord,
)

if TYPE_CHECKING:
    import pandas as pd

R = TypeVar("R", bound=Record)

# order of writing: dependent rows first, documents.csv last
WRITE_ORDER: tuple[type[Record], ...] = (
    TableRecord, TableCell, NarrativeFact, Finding, PerformanceForm, PerformanceIndicator, Document,
)


@dataclass
class Dataset:
    documents: list[Document] = field(default_factory=list)
    tables: list[TableRecord] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    facts: list[NarrativeFact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    forms: list[PerformanceForm] = field(default_factory=list)
    indicators: list[PerformanceIndicator] = field(default_factory=list)

    def rows_of(self, kind: type[R]) -> list[R]:
        """The dataset's own list of ``kind`` records (extending it adds to the dataset)."""
        lists: dict[type[Record], list[Any]] = {
            Document: self.documents, TableRecord: self.tables, TableCell: self.cells,
            NarrativeFact: self.facts, Finding: self.findings,
            PerformanceForm: self.forms, PerformanceIndicator: self.indicators,
        }
        return lists[kind]

    def doc_ids(self) -> set[str]:
        return {d.doc_id for d in self.documents}

    def without(self, doc_ids: set[str]) -> Dataset:
        return Dataset(
            [r for r in self.documents if r.doc_id not in doc_ids],
            [r for r in self.tables if r.doc_id not in doc_ids],
            [r for r in self.cells if r.doc_id not in doc_ids],
            [r for r in self.facts if r.doc_id not in doc_ids],
            [r for r in self.findings if r.doc_id not in doc_ids],
            [r for r in self.forms if r.doc_id not in doc_ids],
            [r for r in self.indicators if r.doc_id not in doc_ids],
        )

    def add(self, other: Dataset) -> Dataset:
        """Merge: ``other``'s documents replace this dataset's rows for the same doc_id."""
        base = self.without(other.doc_ids())
        return Dataset(
            base.documents + other.documents, base.tables + other.tables, base.cells + other.cells,
            base.facts + other.facts, base.findings + other.findings,
            base.forms + other.forms, base.indicators + other.indicators,
        )

    def for_doc(self, doc_id: str) -> Dataset:
        return self.without(self.doc_ids() - {doc_id})


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the dataset is for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def csv_bytes(kind: type[Record], rows: list[Record], bom: bool = False) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(kind.COLUMNS), lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow(r.to_row())
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def frame_of(kind: type[Record], rows: list[Record]) -> pd.DataFrame:
    """All columns as text (the CSV's exact strings), empty values as nulls."""
    import pandas as pd  # here, not at the top: extraction workers import this module and never need pandas

    data = [r.to_row() for r in rows]
    df = pd.DataFrame(data, columns=list(kind.COLUMNS), dtype="string")
    return df.replace({"": pd.NA})


def parquet_bytes(kind: type[Record], rows: list[Record]) -> bytes:
    """Typed columns (exact decimals, integers, booleans): see ``pipeline/typed.py``."""
    import pyarrow.parquet as pq

    from pipeline.typed import arrow_table

    buf = io.BytesIO()
    pq.write_table(arrow_table(kind, rows), buf)
    return buf.getvalue()


def write_dataset(ds: Dataset, out: Path) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for kind in WRITE_ORDER:
        rows = sorted(ds.rows_of(kind), key=_sort_key)
        atomic_write_bytes(out / f"{kind.FILE}.parquet", parquet_bytes(kind, rows))
        atomic_write_bytes(out / f"{kind.FILE}.csv", csv_bytes(kind, rows))


def _sort_key(r: Record) -> tuple:
    return (getattr(r, "doc_id", ""),)


def read_dataset(out: Path) -> Dataset:
    """Load a dataset folder written by ``write_dataset`` (missing files read as empty)."""
    out = Path(out)
    ds = Dataset()
    for kind in WRITE_ORDER:
        path = out / f"{kind.FILE}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        target = ds.rows_of(kind)
        for row in rows:
            target.append(kind.model_validate(_parse_row(kind, row)))
    return ds


def _parse_row(kind: type[Record], row: dict[str, str]) -> dict:
    data: dict = {}
    for k, v in row.items():
        if k not in kind.model_fields:
            continue
        if v == "" or v is None:
            continue
        if k in ("pages", "stated_pages") and kind in (TableRecord, PerformanceForm):
            data[k] = tuple(int(p) for p in v.split(";") if p)
        elif k == "has_data":
            data[k] = v.lower() == "true"
        else:
            data[k] = v
    return data
