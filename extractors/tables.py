"""Find the nine standard tables in a PDF and read every numeric cell (placeholder until issue 2 lands)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pdfplumber

from schemas.records import TableCell, TableRecord


@dataclass
class TableExtraction:
    tables: list[TableRecord] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    table_pages: set[int] = field(default_factory=set)  # 1-based pages that belong to the nine tables
    problems: list[str] = field(default_factory=list)  # human-readable, e.g. "income: grid not parsed on page 8"


def extract_tables(pdf: pdfplumber.PDF, doc_id: str) -> TableExtraction:
    return TableExtraction()
