"""Read every figure stated in the explanatory narrative (placeholder until issue 3 lands)."""

from __future__ import annotations

from extractors.text import PageText
from schemas.records import NarrativeFact


def pages_from_text(text: str) -> list[PageText]:
    """A plain-text narrative (e.g. a PDF's text layer saved as .txt) as pages."""
    return [PageText(1, text)]


def extract_facts(pages: list[PageText], doc_id: str) -> list[NarrativeFact]:
    return []
