"""Scanned pages fed sideways or upside down: the page's turn is read from its text lines (their shape and
RapidOCR's angle classifier, which runs anyway) and the page is read again turned, so its amounts come out
as from an upright scan. The scans are generated from the golden PDF (tests/scans.py)."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from extractors.ocr_engine import OcrGlyph, PageReading, _LineVotes, ocr_available, page_turn
from extractors.ocr_page import read_page_image
from pipeline.evidence import render_crop
from pipeline.extract import extract_document
from schemas.records import TextSource
from tests.conftest import GOLDEN_PDF
from tests.scans import mixed_pdf

needs_ocr_extra = pytest.mark.skipif(not ocr_available(), reason="the ocr extra is not installed (pip install -e '.[ocr]')")


def _votes(*lines: tuple[str, str, float, int]) -> _LineVotes:
    shapes = [s for s, _, _, n in lines for _ in range(n)]
    labels = [(label, p) for _, label, p, n in lines for _ in range(n)]
    return _LineVotes(shapes, labels)


@pytest.mark.parametrize(("lines", "turn"), [
    ((("wide", "0", 0.99, 30), ("tall", "0", 0.99, 2)), 0),  # upright, two vertical header cells
    ((("wide", "180", 0.99, 24),), 180),
    ((("tall", "0", 0.99, 44), ("", "180", 0.95, 3)), 90),  # square single glyphs say nothing
    ((("tall", "180", 0.99, 23), ("wide", "0", 0.99, 1)), 270),
    ((("wide", "180", 0.6, 30),), 0),  # the classifier unsure: never turned
    ((("wide", "180", 0.99, 2),), 0),  # too few lines to turn a page
    ((("wide", "180", 0.99, 10), ("wide", "0", 0.99, 10)), 0),  # no clear majority
])
def test_page_turn_from_line_votes(lines, turn) -> None:
    assert page_turn(_votes(*lines)) == turn


def _glyph(text: str, x: float) -> OcrGlyph:
    return OcrGlyph(text, x, 100, x + 30, 130, 0.99, 0)


def test_a_turned_page_is_read_turned_with_its_sides_swapped() -> None:
    """The second reading (of the image turned as the first asked) stands upright: it is kept, the page's width
    and height are the turned page's; when the second reading asks for a turn too, the first is kept."""
    calls: list[tuple[int, int]] = []

    def read(turns: list[int]):
        def reading(rgb: np.ndarray) -> PageReading:
            calls.append(rgb.shape[:2])
            return PageReading([_glyph("1", 200.0), _glyph("2", 230.0)], turns[len(calls) - 1])
        return reading

    gray = np.full((400, 200), 255, np.uint8)  # a portrait image of a page scanned sideways
    page = read_page_image(gray, 72, 1, 200.0, 400.0, read([90, 0]))
    assert calls == [(400, 200), (200, 400)] and page.turned == 90
    assert (page.width, page.height) == (400.0, 200.0) and "".join(c["text"] for c in page.chars) == "12"
    calls.clear()
    page = read_page_image(gray, 72, 1, 200.0, 400.0, read([180, 180]))
    assert len(calls) == 2 and page.turned == 0 and (page.width, page.height) == (200.0, 400.0)


def _key(c) -> tuple:
    return (c.table, c.side, c.code, c.row, c.col, c.value, c.page)


SIDEWAYS, UPSIDE_DOWN = 12, 18  # 财政拨款收支总表 (landscape) and 三公经费 table: light pages, each read twice


@pytest.fixture(scope="module")
def turned(tmp_path_factory):
    text_pages = [n for n in range(1, 26) if n not in (SIDEWAYS, UPSIDE_DOWN)]
    path = mixed_pdf(GOLDEN_PDF, tmp_path_factory.mktemp("turned") / "turned.pdf", text_pages, [SIDEWAYS, UPSIDE_DOWN],
                     turn={SIDEWAYS: 90, UPSIDE_DOWN: 180})
    return extract_document(path), path


@needs_ocr_extra
def test_sideways_and_upside_down_scans_read_like_the_text(turned, golden_extraction) -> None:
    """The golden PDF with its 财政拨款收支总表 scanned sideways (90°) and its 三公经费 table upside down:
    every cell as from the text layer (and so as from an upright scan, test_ocr.py)."""
    sideways, upside_down = SIDEWAYS, UPSIDE_DOWN
    result, _ = turned
    assert Counter(map(_key, result.cells)) == Counter(map(_key, golden_extraction.cells))
    scanned = [c for c in result.cells if c.page in (sideways, upside_down)]
    assert {c.page for c in scanned} == {sideways, upside_down} and len(scanned) >= 9
    assert all(c.source == TextSource.OCR for c in scanned)
    assert result.document.status == golden_extraction.document.status
    assert {p: packed["turned"] for p, packed in result.ocr_pages.items()} == {sideways: 270, upside_down: 180}


@needs_ocr_extra
def test_report_crop_of_a_turned_page(turned) -> None:
    """The crop of a page read turned is turned alike, its figure outlined where OCR read it."""
    result, path = turned
    value = next(c.value for c in result.cells if c.page == SIDEWAYS and c.value >= 100)
    crop = render_crop(path, SIDEWAYS, [value], ocr_pages=result.ocr_pages)
    assert crop.found and not crop.whole_page
    pdf = pdfium.PdfDocument(str(path))
    try:
        w, h = pdf[SIDEWAYS - 1].get_size()
    finally:
        pdf.close()
    assert h > w  # the scan is a portrait sheet; the crop shows it turned, as a landscape band
    image = Image.open(io.BytesIO(crop.png))
    assert image.width > image.height


@needs_ocr_extra
@pytest.mark.slow  # four dense pages read twice (about 60 s)
def test_turned_dense_table_and_narrative_read_like_the_text(tmp_path, golden_extraction) -> None:
    table, narrative = 8, 21
    text_pages = [n for n in range(1, 26) if n not in (table, narrative)]
    path = mixed_pdf(GOLDEN_PDF, tmp_path / "turned.pdf", text_pages, [table, narrative],
                     turn={table: 270, narrative: 180})
    result = extract_document(path)
    assert Counter(map(_key, result.cells)) == Counter(map(_key, golden_extraction.cells))

    def facts(r) -> Counter:
        return Counter((f.metric, f.subject, f.value, f.unit, f.page) for f in r.facts)

    assert facts(result) == facts(golden_extraction)
