"""Scanned disclosures: image-only pages read by OCR exactly as the text layer reads them.

The scans are generated from the golden PDF (tests/scans.py: blur, skew, grey paper, JPEG);
nothing binary is committed. The default tests OCR two pages (about 25 s on the shared
2-core machine); the whole 25-page scan scored against the golden files is ``slow``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest

from extractors.ocr_engine import ocr_available
from pipeline.checks import run_checks
from pipeline.dataset import Dataset
from pipeline.evidence import render_crop
from pipeline.extract import extract_document
from pipeline.limits import extract_bounded
from schemas.records import DocStatus, TextSource
from tests.conftest import GOLDEN_PDF, SHARED
from tests.scans import blank_photo_pdf, mixed_pdf, scan_pdf

needs_ocr_extra = pytest.mark.skipif(not ocr_available(), reason="the ocr extra is not installed (pip install -e '.[ocr]')")
TABLE_PAGE, NARRATIVE_PAGE = 8, 21  # 收入决算表 (ruled, landscape) and the first page of 情况说明


def _key(c) -> tuple:
    return (c.table, c.side, c.code, c.row, c.col, c.value, c.page)


def _fact_key(f) -> tuple:
    return (f.metric, f.subject, f.value, f.unit, f.page)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, golden_extraction):
    """The golden PDF with its table page and a narrative page replaced by scans, extracted once."""
    text_pages = [n for n in range(1, 26) if n not in (TABLE_PAGE, NARRATIVE_PAGE)]
    path = mixed_pdf(GOLDEN_PDF, tmp_path_factory.mktemp("ocr") / "mixed.pdf", text_pages, [TABLE_PAGE, NARRATIVE_PAGE])
    return extract_document(path), golden_extraction, path


@needs_ocr_extra
def test_mixed_document_reads_scanned_pages_exactly(mixed):
    result, text, _ = mixed
    assert result.document.status == text.document.status
    assert result.document.error == text.document.error
    assert Counter(map(_key, result.cells)) == Counter(map(_key, text.cells))  # every cell, exact
    scanned = [c for c in result.cells if c.page == TABLE_PAGE]
    assert len(scanned) == 35
    assert all(c.source == TextSource.OCR and Decimal("0.9") <= c.ocr_confidence <= 1 for c in scanned)
    assert all(c.source == TextSource.TEXT_LAYER and c.ocr_confidence is None for c in result.cells if c.page != TABLE_PAGE)


@needs_ocr_extra
def test_mixed_document_narrative_from_scan(mixed):
    result, text, _ = mixed
    page_facts = [f for f in text.facts if f.page == NARRATIVE_PAGE]
    got = [f for f in result.facts if f.page == NARRATIVE_PAGE]
    assert len(page_facts) >= 10
    assert Counter(map(_fact_key, got)) == Counter(map(_fact_key, page_facts))
    assert all(f.source == TextSource.OCR and f.ocr_confidence is not None for f in got)
    assert Counter(_fact_key(f) for f in result.facts if f.page != NARRATIVE_PAGE) == \
        Counter(_fact_key(f) for f in text.facts if f.page != NARRATIVE_PAGE)


@needs_ocr_extra
def test_corrupted_scanned_digit_is_a_likely_misread(mixed):
    """A digit of the scanned table read wrong with low confidence breaks its row and column sums: the
    findings are the scan's likely misreads, not the document's inconsistencies."""
    result, _, _ = mixed

    def findings(cells) -> set[tuple]:
        ds = Dataset([result.document], result.tables, cells, result.facts, [])
        return {(f.rule, f.severity, f.page, f.message) for f in run_checks(ds) if f.table == "income"}

    before = findings(result.cells)  # the document's own (real) inconsistencies, if any
    target = next(c for c in result.cells if c.page == TABLE_PAGE and c.code == "2010601" and c.col == "total")
    wrong = target.model_copy(update={"value": target.value + 6, "ocr_confidence": Decimal("0.42")})
    new = findings([wrong if c is target else c for c in result.cells]) - before
    assert len(new) >= 2  # its row (total = sources) and its 款 (sum of 项) no longer hold
    assert {(rule, severity) for rule, severity, _, _ in new} == {("table.ocr_misread", "warning")}
    assert all(str(TABLE_PAGE) in page.split(";") and "0.42" in message for _, _, page, message in new)
    confident = wrong.model_copy(update={"ocr_confidence": Decimal("0.9990")})
    new = findings([confident if c is target else c for c in result.cells]) - before
    assert {rule for rule, *_ in new} == {"table.sum.row_total", "table.sum.item_subitems"}


@needs_ocr_extra
@pytest.mark.slow  # OCRs the page again (about 20 s)
def test_report_crop_outlines_a_scanned_figure(mixed):
    _, _, path = mixed
    crop = render_crop(path, TABLE_PAGE, [Decimal("1511.90")])
    assert crop.found and all(t.replace(",", "") == "1511.90" for t in crop.found) and not crop.whole_page


@needs_ocr_extra
def test_report_crop_reuses_the_extractions_ocr(mixed, tmp_path, monkeypatch):
    """The scanned page's figures travel with the records (the partition): the report's crop outlines them
    without reading the page again, and a partition written and read back keeps them."""
    import extractors.ocr
    from pipeline.document_records import DocumentRecords
    from pipeline.process import write_partition
    from pipeline.report import stored_ocr_pages

    result, _, path = mixed
    assert set(result.ocr_pages) == {TABLE_PAGE, NARRATIVE_PAGE}
    partition = write_partition(tmp_path, result)
    stored = stored_ocr_pages(tmp_path, result.dataset())
    assert stored == result.ocr_pages == DocumentRecords.from_json(json.loads(partition.read_text())).ocr_pages

    def no_second_ocr(path):
        raise AssertionError("the page was OCR'd again")

    monkeypatch.setattr(extractors.ocr, "scanned_reader", no_second_ocr)
    crop = render_crop(path, TABLE_PAGE, [Decimal("1511.90")], ocr_pages=stored)
    assert crop.found and all(t.replace(",", "") == "1511.90" for t in crop.found) and not crop.whole_page


@needs_ocr_extra
def test_photo_of_nothing_fails_with_a_clear_status(tmp_path):
    """Two pages of paper texture through the bounded worker, with a document limit shorter than their OCR:
    each scanned page brings its own time budget, so the document ends in its own status, not the limit's."""
    warm = tmp_path / "warm.txt"
    warm.write_text("上海市某局2024年度部门决算", encoding="utf-8")
    extract_bounded(warm, timeout=60)  # the worker is up: no start-up allowance for the next document
    path = blank_photo_pdf(tmp_path / "photo.pdf", pages=2)
    result = extract_bounded(path, timeout=0.2)
    assert result.document.status == DocStatus.FAILED
    assert result.document.error == "scanned image pages 1;2: OCR found no text (blank or a photo)"
    assert not result.cells and not result.facts


def test_without_the_extra_scans_keep_needs_ocr(tmp_path, monkeypatch):
    import pipeline.extract as extract

    monkeypatch.setattr(extract, "scanned_reader", lambda path: None)
    path = scan_pdf(GOLDEN_PDF, tmp_path / "scan.pdf", [1])
    result = extract.extract_document(path)
    assert result.document.status == DocStatus.NEEDS_OCR
    assert "need OCR" in result.document.error


@needs_ocr_extra
@pytest.mark.slow
def test_whole_scanned_golden_document_scores_like_the_text(tmp_path, golden_extraction):
    """The acceptance: all 25 pages scanned → 9/9 tables, cell F1 1.0, narrative F1 within 0.02 of the text."""
    from pipeline.dataset import write_dataset

    scans = tmp_path / "scan"
    scan_pdf(GOLDEN_PDF, scans / GOLDEN_PDF.name)
    result = extract_bounded(scans / GOLDEN_PDF.name)
    text_out, scan_out = tmp_path / "text_out", tmp_path / "scan_out"
    for out, r in ((text_out, golden_extraction), (scan_out, result)):
        write_dataset(Dataset([r.document], r.tables, r.cells, r.facts, r.findings), out)
    score = SHARED / "tools" / "score.py"
    golden = SHARED / "golden" / GOLDEN_PDF.name.replace(".pdf", "")

    def run(*args: str) -> str:
        return subprocess.run([sys.executable, str(score), *args], capture_output=True, text=True, check=True).stdout

    tables = run("tables", str(scan_out), f"{golden}.tables.json")
    assert "9/9" in tables and tables.strip().splitlines()[-1].endswith("1.0000"), tables

    def narrative_f1(out) -> float:
        last = run("narrative", str(out), f"{golden}.narrative.jsonl", GOLDEN_PDF.name).strip().splitlines()[-1]
        return float(re.search(r"F1 ([0-9.]+)", last).group(1))

    assert narrative_f1(scan_out) >= narrative_f1(text_out) - 0.02


@needs_ocr_extra
@pytest.mark.slow
def test_scanned_variant_layout_reads_every_cell(tmp_path):
    """A scan we do not have: another province's layout (tests/variants), its table pages rasterised at
    about 100 dpi without blur: every cell must come back as from its text twin."""
    from tests.variants.make_variants import VARIANTS_BY_NAME, build_variant, score_cells

    pdf, expected = build_variant(VARIANTS_BY_NAME["image_tables"], tmp_path)
    result = extract_bounded(pdf)
    score = score_cells(expected.cells, [c.model_dump(mode="json") for c in result.cells])
    assert score.recall == 1.0 and score.precision == 1.0, (score.line("image_tables"), score.missed[:8], score.extra[:8])
    assert {c.source for c in result.cells} == {TextSource.OCR}
