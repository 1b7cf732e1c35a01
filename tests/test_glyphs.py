"""Glyphs pdfminer cannot read in drawing order: repaired by position, or the page reported.

The PDFs are generated (tests/glyph_pdfs.py): no corpus file shows these symptoms, and the
corpus itself must stay free of any glyph finding (a false alarm would mark good documents)."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from extractors.glyphs import GLYPH_RULE, GlyphPages, glyph_order, unmapped
from extractors.pages import iter_pages
from pipeline.checks import TEXT_RULES
from pipeline.extract import extract_document
from tests.glyph_pdfs import lines_pdf

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_PDF = ROOT / "data" / "raw" / "samples" / "上海市普陀区财政局2024年度部门决算.pdf"

NARRATIVE = [
    "上海市某区财政局2024年度部门决算",
    "一、收入支出决算总体情况说明",
    "2024年度收、支总计2,946.25万元。与2023年相比，收、支总计各减少123.45万元，下降4.02%。",
    "主要原因是人员调整。",
    "二、收入决算情况说明",
    "2024年度收入合计2,946.25万元，其中：财政拨款收入2,940.05万元，占99.79%；",
]
# digits in a font without a Unicode map, few enough that the page is not one of unreadable fonts as a whole
FEW_FIGURES = [
    "上海市某区财政局二〇二四年度部门决算",
    "一、收入支出决算总体情况说明",
    "本年度收入合计6.20万元，主要原因是人员调整。",
    "这一段文字较长以便字符数量足够多，继续写一些说明文字，继续写一些说明文字，继续写一些说明文字。",
]


def _facts(result) -> list[tuple[str, str]]:
    return [(f.metric, str(f.value)) for f in result.facts]


def _glyph_findings(result) -> list:
    return [f for f in result.findings if f.rule == GLYPH_RULE]


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    return extract_document(lines_pdf(tmp_path_factory.mktemp("g") / "stream.pdf", [NARRATIVE]))


def test_glyphs_in_order_raise_nothing(stream):
    assert stream.document.status == "ok", stream.document.error
    assert len(stream.facts) >= 5 and not _glyph_findings(stream)


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
def test_out_of_order_glyphs_are_read_by_position(order, stream, tmp_path):
    pdf = lines_pdf(tmp_path / f"{order}.pdf", [NARRATIVE], order=order)
    with pdfplumber.open(pdf) as doc:  # the file really draws them out of order
        drawn = "".join(c["text"] for c in doc.pages[0].chars)
    assert "2,946.25" not in drawn and ("52.649,2" in drawn) == (order == "reversed")
    result = extract_document(pdf)
    assert result.document.status == "ok", result.document.error
    assert _facts(result) == _facts(stream)  # the same figures as the file drawn in order
    [note] = _glyph_findings(result)
    assert note.severity == "info" and note.page == "1" and "out of reading order" in note.message


@pytest.mark.parametrize(("digits", "reported"), [("unmapped", "1;3;4"), ("private", "1;2;3;4")])
def test_figures_without_unicode_are_reported_not_read(digits, reported, tmp_path):
    """Page 2, figures on every line, is one of unreadable fonts as a whole when they are (cid:NN): skipped and
    named as such; the other pages are read, their figures reported."""
    pdf = lines_pdf(tmp_path / f"{digits}.pdf", [FEW_FIGURES, NARRATIVE, FEW_FIGURES, FEW_FIGURES], digits=digits)
    with pdfplumber.open(pdf) as doc:
        texts = [c["text"] for c in doc.pages[0].chars]
    assert sum(map(unmapped, texts)) >= 3 and not any(t.isdigit() for t in texts)  # 6.20: no digit readable
    result = extract_document(pdf)
    d = result.document
    assert d.status == "partial" and f"font without a Unicode map ((cid:NN) or private-use glyphs) on pages {reported}:" \
        in d.error, d.error
    assert ("pages 2 use fonts without Unicode maps" in d.error) == (digits == "unmapped")
    assert not result.facts  # no figure from "(cid:23)" or digits around a private-use glyph
    [warning] = _glyph_findings(result)
    assert warning.severity == "warning" and warning.page == reported


def test_stacked_glyphs_are_reported(tmp_path):
    result = extract_document(lines_pdf(tmp_path / "stacked.pdf", [NARRATIVE], order="stacked"))
    assert result.document.status == "partial" and "on top of each other on pages 1" in result.document.error
    [warning] = _glyph_findings(result)
    assert warning.severity == "warning" and warning.page == "1"


def test_bold_printed_twice_is_not_stacked():
    """Fake bold: each glyph drawn twice, a hair apart — the same text, so no order is in doubt."""
    chars = []
    for i, ch in enumerate("一般公共预算财政拨款收入合计二〇二四年度部门决算说明"):
        for dx in (0.0, 0.3):
            chars.append({"text": ch, "x0": 60 + 12 * i + dx, "x1": 72 + 12 * i + dx, "top": 100, "bottom": 112,
                          "size": 12, "upright": True})
    g = glyph_order(chars)
    assert g.pairs > 40 and not g.stacked and not g.backwards and not g.unorderable and not g.scrambled


def test_re_checks_keep_glyph_findings():
    assert GLYPH_RULE in TEXT_RULES


def test_a_real_document_raises_no_glyph_finding():
    """Measured on every corpus PDF (extractors/glyphs.py); the golden one here, every page."""
    pages = GlyphPages()
    with pdfplumber.open(GOLDEN_PDF) as pdf:
        for page_no, page in iter_pages(pdf):
            pages.offer(page_no, page.chars)
    assert not pages.reports()
