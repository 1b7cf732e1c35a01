"""Find the nine standard tables in a PDF and read every numeric cell (placeholder until issue 2 lands).

The reader is fed one page at a time so that the whole document is parsed once, in one
pass, with each page closed as soon as it is done (flat memory on long documents).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pdfplumber.page import Page

from schemas.records import TableCell, TableRecord


@dataclass
class TableExtraction:
    tables: list[TableRecord] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    table_pages: set[int] = field(default_factory=set)  # 1-based pages that belong to the nine tables
    problems: list[str] = field(default_factory=list)  # human-readable, e.g. "income: grid not parsed on page 8"


class TableReader:
    """Feed pages in order; ``feed`` says whether the page belonged to one of the nine tables."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.result = TableExtraction()

    def feed(self, page_no: int, page: Page) -> bool:
        return False

    def finish(self) -> TableExtraction:
        return self.result
