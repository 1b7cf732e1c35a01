"""Page text in reading order (placeholder until issue 3 lands)."""

from __future__ import annotations

from dataclasses import dataclass

from pdfplumber.page import Page


@dataclass(frozen=True)
class PageText:
    page: int  # 1-based
    text: str  # in reading order


def page_text(page: Page, page_no: int) -> PageText:
    return PageText(page_no, page.extract_text() or "")
