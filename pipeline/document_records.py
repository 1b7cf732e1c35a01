"""One document's records: what extraction returns, a partition holds and a Prefect task caches.

The one shape of a document's results on its way from the extractor to the dataset
(``pipeline/extract.py`` makes it, ``pipeline/limits.py`` carries it out of the worker process,
``pipeline/process.py`` stores it as the partition ``_parts/<doc_id>.json`` and merges it).
``to_json`` / ``from_json`` give the partition's JSON form, which has not changed since the
partitions were dicts (``{"sha256", "doc_id", "extractor_version", "records": {file: [row, ...]}}``),
so partitions and cached task results written before stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pipeline
from pipeline.dataset import WRITE_ORDER, Dataset
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


def _current_version() -> str:
    return pipeline.EXTRACTOR_VERSION  # read when a record is made, so a version bump (or a test) takes effect


@dataclass
class DocumentRecords:
    """Every record extracted from one document, and the extractor version that made them."""

    document: Document
    tables: list[TableRecord] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    facts: list[NarrativeFact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    forms: list[PerformanceForm] = field(default_factory=list)
    indicators: list[PerformanceIndicator] = field(default_factory=list)
    extractor_version: str = field(default_factory=_current_version)
    # per page read by OCR: its figures' words and boxes (extractors/ocr_words.py), so the report's crops
    # need no second OCR; not part of the dataset
    ocr_pages: dict[int, dict] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return self.document.doc_id

    @property
    def sha256(self) -> str:
        return self.document.sha256

    def dataset(self) -> Dataset:
        """This document alone as a dataset (to merge it into another)."""
        return Dataset([self.document], self.tables, self.cells, self.facts, self.findings, self.forms,
                       self.indicators)

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (the partition's and the cached task result's form)."""
        ds = self.dataset()
        out: dict[str, Any] = {
            "sha256": self.sha256,
            "doc_id": self.doc_id,
            "extractor_version": self.extractor_version,
            "records": {kind.FILE: [r.model_dump(mode="json") for r in ds.rows_of(kind)] for kind in WRITE_ORDER},
        }
        if self.ocr_pages:  # only a scanned document's partition carries it
            out["ocr_pages"] = {str(page): packed for page, packed in sorted(self.ocr_pages.items())}
        return out

    @classmethod
    def from_json(cls, data: Any) -> DocumentRecords:
        """Back from ``to_json``'s form; ``ValueError`` (pydantic's ``ValidationError`` is one) if it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("records"), dict):
            raise ValueError("not a document's records: no 'records' mapping")
        records: dict[str, Any] = data["records"]
        rows: dict[type[Record], list[Any]] = {
            kind: [kind.model_validate(row) for row in records.get(kind.FILE, [])] for kind in WRITE_ORDER
        }
        documents = rows[Document]
        if len(documents) != 1:
            raise ValueError(f"a document's records hold {len(documents)} documents, not one")
        return cls(documents[0], rows[TableRecord], rows[TableCell], rows[NarrativeFact], rows[Finding],
                   rows[PerformanceForm], rows[PerformanceIndicator],
                   extractor_version=str(data.get("extractor_version", "")), ocr_pages=ocr_pages_of(data))


def ocr_pages_of(data: Any) -> dict[int, dict]:
    """The OCR'd pages' figures of a partition's JSON (none in a text document's, or one written before)."""
    pages = data.get("ocr_pages") if isinstance(data, dict) else None
    if not isinstance(pages, dict):
        return {}
    return {int(page): packed for page, packed in pages.items() if str(page).isdigit() and isinstance(packed, dict)}
