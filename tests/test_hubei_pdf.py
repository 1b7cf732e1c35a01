"""The Hubei final account read as PDF gives the same facts and metadata as its text layer.

The PDF is typeset from the bundled text layer (tests/variants/make_hubei_pdf.py) the way Hubei
PDFs print: 16pt Song body, Times-Roman numbers on a shifted baseline (in one style drawn after
the Chinese text, 3.5pt low), page numbers "- 3 -" / "— 3 —", a running header, lines broken
mid-sentence and across pages. Only the page differs: the PDF gives one, the text none.
"""

from __future__ import annotations

import re
from collections import Counter

import pdfplumber
import pytest

from pipeline.document_records import DocumentRecords
from pipeline.extract import extract_document
from schemas.records import DocType
from tests.conftest import WUHAN_TXT
from tests.variants.make_hubei_pdf import STYLES, build

STYLE_NAMES = [s.name for s in STYLES]


def _fact_keys(result: DocumentRecords) -> Counter:
    return Counter((f.metric, f.subject, f.value, f.unit, f.section) for f in result.facts)


def _meta(result: DocumentRecords) -> tuple:
    d = result.document
    return d.department, d.region, d.fiscal_year, d.doc_type


@pytest.fixture(scope="module")
def from_text() -> DocumentRecords:
    return extract_document(WUHAN_TXT)


@pytest.fixture(scope="module")
def hubei_pdfs(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("hubei_pdf")
    return {s.name: build(s, out) for s in STYLES}


@pytest.fixture(scope="module")
def from_pdf(hubei_pdfs) -> dict[str, DocumentRecords]:
    return {name: extract_document(path) for name, path in hubei_pdfs.items()}


def test_text_layer_reads_as_a_final_account(from_text):
    # the reference side must itself be sound, else equality below proves nothing
    assert _meta(from_text) == ("武汉市洪山区住房保障和房屋管理局", "武汉市洪山区", 2023, DocType.FINAL_ACCOUNTS)
    metrics = {f.metric for f in from_text.facts}
    assert {"total_income_expenditure", "gpb_item_actual", "three_public_actual", "procurement_sme_pct"} <= metrics
    assert len(from_text.facts) > 150


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_pdf_gives_the_same_facts_as_its_text(style, from_pdf, from_text):
    pdf, text = _fact_keys(from_pdf[style]), _fact_keys(from_text)
    only_text, only_pdf = text - pdf, pdf - text
    assert not only_text and not only_pdf, f"{style}: only in text {dict(only_text)}; only in PDF {dict(only_pdf)}"


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_pdf_gives_the_same_metadata(style, from_pdf, from_text):
    assert _meta(from_pdf[style]) == _meta(from_text)
    assert from_pdf[style].document.doc_type == DocType.FINAL_ACCOUNTS


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_pdf_facts_carry_the_page_they_are_printed_on(style, from_pdf, from_text, hubei_pdfs):
    assert all(f.page is None for f in from_text.facts)
    facts = from_pdf[style].facts
    assert all(f.page is not None for f in facts)
    with pdfplumber.open(hubei_pdfs[style]) as pdf:
        pages = {p: re.sub(r"\s+", "", pdf.pages[p - 1].extract_text()) for p in {f.page for f in facts}}
    misplaced = [(f.page, f.metric, f.value) for f in facts if str(abs(f.value)) not in pages[f.page]]
    assert not misplaced
    # the narrative starts after the cover part and the table-title pages, and spans several pages
    assert min(pages) > 12 and len(pages) >= 10


def test_numbers_apart_by_a_printed_space_stay_two_numbers(tmp_path):
    # an attachment's table row printed as text: Times-Roman's space is a quarter em, narrower
    # than the gap that separates words, yet it is printed: the two numbers must not merge
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from extractors.text import page_text

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "row.pdf"
    c = canvas.Canvas(str(path))
    t = c.beginText(72, 700)
    t.setFont("STSong-Light", 10.5)
    t.textOut("得分（20分*执行率）")
    t.setFont("Times-Roman", 10.5)
    t.textOut("59751.89 58381.81 97.71% 19.54")
    c.drawText(t)
    c.save()
    with pdfplumber.open(path) as pdf:
        text = page_text(pdf.pages[0], 1).text
    assert "59751.89 58381.81 97.71% 19.54" in text


def test_running_header_glued_to_the_line_before_is_read_from_its_own_line():
    from extractors.metadata import read_metadata

    page = "负责建立全区房产管理和住房保障信息系统。负责审核申报租金补贴和廉\n武汉市洪山区住房保障和房屋管理局2023年度部门决算\n租住房配房资金"
    m = read_metadata([page])
    assert (m.department, m.region, m.fiscal_year) == ("武汉市洪山区住房保障和房屋管理局", "武汉市洪山区", 2023)


def test_text_layer_with_page_numbers_among_its_lines(tmp_path, from_text):
    # the same text layer as it comes when the footers were extracted too: "— N —" at each page
    # end, no form feed; they fall mid-sentence ("机要通信用" / "— 24 —" / "车 0 辆") and must go
    lines, page = [], 0
    for line in WUHAN_TXT.read_text(encoding="utf-8").split("\n"):
        if line.startswith(" "):  # this text layer starts each page's first line with a space
            page += 1
            if page > 1:
                lines.append(f"— {page - 1} —")
        lines.append(line)
    path = tmp_path / "with_page_numbers.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    numbered = extract_document(path)
    assert _fact_keys(numbered) == _fact_keys(from_text)
    assert _meta(numbered) == _meta(from_text)
