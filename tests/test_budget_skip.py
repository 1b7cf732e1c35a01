"""A budget's pages after its opening text skip the final-account table reader and the narrative,
yet the Document comes out exactly as when every page is read (what extraction did before)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extractors.metadata import HEAD_CHARS
from extractors.tables import TableReader
from pipeline import extract
from tests import bad_inputs
from tests.conftest import SHARED

CORPUS_BUDGET = SHARED / "corpus" / "budgets" / "jiangsu_province" / "江苏省委办公厅_江苏省委办公厅2018年度部门预算公开文件.pdf"
_SENTENCE = "本部门按照有关规定编制年度预算，收支安排符合政策要求，资金使用遵循厉行节约的原则。"


def _disclosure_pdf(path: Path, title: str, text_pages: int, image_page: bool) -> Path:
    """Narrative pages under ``title`` (about 600 printed characters each), then an optional scanned page."""
    pdfmetrics.registerFont(UnicodeCIDFont(bad_inputs.CJK_FONT))
    c = canvas.Canvas(str(path))
    for n in range(text_pages):
        c.setFont(bad_inputs.CJK_FONT, 12)
        lines = [title, f"第{'一二三四五六七八九十'[n]}部分 部门概况", *[_SENTENCE] * 14]
        for i, line in enumerate(lines):
            c.drawString(40, 800 - 22 * i, line)
        c.showPage()
    if image_page:
        c.drawImage(ImageReader(Image.new("RGB", (200, 280), (120, 120, 120))), 40, 40, 500, 700)
        c.showPage()
    c.save()
    return path


def _extract_counting_feeds(monkeypatch: pytest.MonkeyPatch, pdf: Path, early: bool) -> tuple[extract.ExtractionResult, list[int]]:
    """Extract ``pdf``, recording the pages offered to the table reader; ``early=False`` never
    takes the metadata before the last page, which is how every page was read before."""
    fed: list[int] = []
    original = TableReader.feed

    def spy(self: TableReader, page_no: int, page) -> bool:
        fed.append(page_no)
        return original(self, page_no, page)

    with monkeypatch.context() as m:
        m.setattr(TableReader, "feed", spy)
        if not early:
            m.setattr(extract, "head_is_complete", lambda printed: False)
        result = extract.extract_document(pdf)
    return result, fed


def test_budget_pages_after_its_head_skip_the_table_reader(tmp_path, monkeypatch):
    pdf = _disclosure_pdf(tmp_path / "budget.pdf", "上海市某区某局2025年度部门预算", text_pages=8, image_page=True)
    result, fed = _extract_counting_feeds(monkeypatch, pdf, early=True)
    every, fed_every = _extract_counting_feeds(monkeypatch, pdf, early=False)
    assert fed_every == list(range(1, 9))  # without the early decision every text page is offered
    head_pages = -(-HEAD_CHARS // 600)
    assert 2 <= len(fed) <= head_pages + 1 and fed == list(range(1, len(fed) + 1)), fed
    d = result.document
    assert d.doc_type == "budget" and d.department == "上海市某区某局" and d.fiscal_year == 2025
    # the scanned page after the decision still counts for the status
    assert d.status == "needs_ocr" and d.error == "scanned image pages 9 need OCR"
    assert d == every.document
    assert (result.tables, result.cells, result.facts, result.findings) == ([], [], [], [])


def test_final_accounts_still_read_every_page(tmp_path, monkeypatch):
    pdf = _disclosure_pdf(tmp_path / "final.pdf", "上海市某区某局2024年度部门决算", text_pages=8, image_page=False)
    result, fed = _extract_counting_feeds(monkeypatch, pdf, early=True)
    assert result.document.doc_type == "final_accounts"
    assert fed == list(range(1, 9))


@pytest.mark.skipif(not CORPUS_BUDGET.exists(), reason="needs the shared corpus")
def test_real_budget_document_row_unchanged(tmp_path, monkeypatch):
    """A real budget, its 11th page replaced by a scan: fewer pages fed, the same Document row."""
    pdf = bad_inputs.partly_scanned_pdf(tmp_path / "budget.pdf", CORPUS_BUDGET, n_pages=13, scanned=11)
    result, fed = _extract_counting_feeds(monkeypatch, pdf, early=True)
    every, fed_every = _extract_counting_feeds(monkeypatch, pdf, early=False)
    assert result.document.doc_type == "budget"
    assert fed and max(fed) < 11 < max(fed_every), (fed, fed_every)
    assert result.document == every.document
    assert "scanned image pages 11 need OCR" in (result.document.error or "")


@pytest.mark.parametrize("make", [bad_inputs.partly_scanned_pdf, bad_inputs.without_unicode_maps])
def test_status_only_pages_read_as_pdfplumber_reads_them(tmp_path, make):
    """The cheap reading of a skipped page tells exactly what page.chars and page.images tell:
    real pages, a scanned one and pages whose fonts lack Unicode maps ((cid:NN))."""
    import pdfplumber

    pdf_path = make(tmp_path / "sample.pdf")
    kinds = set()
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            texts, has_image = extract._glyphs_and_images(page)
            assert texts == [c["text"] for c in page.chars]
            assert has_image == bool(page.images)
            kinds.add("image_only" if not texts and has_image else "cid" if extract._is_cid_garbage(texts) else "text")
    assert kinds == ({"image_only", "text"} if make is bad_inputs.partly_scanned_pdf else {"cid"})
