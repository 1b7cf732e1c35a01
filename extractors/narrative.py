"""Read every figure stated in the explanatory narrative (placeholder until issue 3 lands)."""

from __future__ import annotations

from dataclasses import dataclass

import pdfplumber

from schemas.records import NarrativeFact


@dataclass(frozen=True)
class PageText:
    page: int  # 1-based
    text: str  # in reading order, lines joined


def pages_from_pdf(pdf: pdfplumber.PDF, skip: set[int] | None = None) -> list[PageText]:
    skip = skip or set()
    out = []
    for i, page in enumerate(pdf.pages, start=1):
        if i not in skip:
            out.append(PageText(i, page.extract_text() or ""))
        page.close()
    return out


def pages_from_text(text: str) -> list[PageText]:
    return [PageText(1, text)]


def extract_facts(pages: list[PageText], doc_id: str) -> list[NarrativeFact]:
    return []
