"""A performance evaluation result printed as a prose report (no 绩效自评表, no score table): the document
says so, with the score and grade its conclusion states, instead of reporting a form that went unread."""

from __future__ import annotations

from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from PIL import Image

from extractors.ocr_engine import ocr_available
from extractors.performance_conclusion import Conclusion, evaluation_conclusion
from extractors.text import PageText
from pipeline.assemble import check_dataset, dataset_of
from pipeline.extract import _formless_performance, extract_document
from schemas.records import DocStatus
from tests.conftest import SHARED
from tests.scans import SCAN_DPI, images_to_pdf

CHANGSHA = SHARED / "corpus" / "other_cities" / "changsha_长沙市市场监督管理局绩效评价结果_scanned.pdf"


def test_conclusion_of_a_prose_report() -> None:
    pages = [PageText(1, "一、项目基本情况\n部门预算项目包括市场监管专项。"),
             PageText(6, "六、评价结论\n绩效评价工作组从6个方面进行综合评价，综合评价得\n分 85.1 分，评价等级为“良”。")]
    assert evaluation_conclusion(pages) == Conclusion(Decimal("85.1"), "良", 6)
    assert evaluation_conclusion([PageText(3, "项目评价得分为92分，评价结果为优秀。")]) == Conclusion(Decimal("92"), "优秀", 3)


def test_a_form_that_went_unread_is_still_reported_as_such() -> None:
    """Text that states no evaluation result (a 自评表's 自评得分 is a form's, not a report's conclusion)."""
    pages = [PageText(1, "项目支出绩效自评表\n自评得分 95 分\n产出指标 数量指标")]
    assert evaluation_conclusion(pages) is None
    assert _formless_performance("final_accounts", pages) == \
        "its title names a performance document (final_accounts), but no performance form was read"


def _title_and_conclusion(out) -> None:
    """One scanned sheet of the real report: its title (page 1) above its 评价结论's closing lines (last page),
    so a single page is OCR'd (the whole six-page scan takes over a minute)."""
    doc = pdfium.PdfDocument(str(CHANGSHA))
    try:
        first, last = (doc[i].render(scale=SCAN_DPI / 72).to_pil().convert("L") for i in (0, len(doc) - 1))
    finally:
        doc.close()
    w, h = first.size
    sheet = Image.new("L", (w, h), 255)
    sheet.paste(first.crop((0, 0, w, int(h * 0.22))), (0, 0))
    sheet.paste(last.crop((0, int(h * 0.74), w, int(h * 0.93))), (0, int(h * 0.3)))
    images_to_pdf([sheet], out)


@pytest.mark.skipif(not ocr_available(), reason="the ocr extra is not installed")
def test_scanned_evaluation_report_says_what_it_is(tmp_path) -> None:
    """The default suite's test of the Changsha scan (the whole of it: test_other_cities.py, slow)."""
    _title_and_conclusion(tmp_path / "report.pdf")
    result = extract_document(tmp_path / "report.pdf")
    doc = result.document
    # its title read from the OCR'd text: 2022年度长沙市市场监督管理局…绩效评价结果
    assert (doc.region, doc.department, doc.fiscal_year, doc.doc_type) == ("长沙市", "长沙市市场监督管理局", 2022, "final_accounts")
    assert doc.performance_only and doc.status == DocStatus.PARTIAL
    assert doc.error == ("its title names a performance document (final_accounts): an evaluation report in prose, "
                         "printing no performance form or score table; its conclusion states 评价得分 85.1分, "
                         "评价等级 良 (page 1); its figures are read as narrative")
    assert not result.forms and not result.cells
    assert [(f.page, f.value, f.unit, f.source) for f in result.facts if f.subject == "综合评价得分"] == [
        (1, Decimal("85.1"), "分", "ocr")]
    # nothing expected of it but what it says; no table, so no identity to fail: said (info), nothing else
    ds = check_dataset(dataset_of([result]))
    checked = ds.documents[0]
    assert (checked.tables_expected, checked.tables_missing, checked.doubtful_tables, checked.identity_errors) == (
        None, None, None, 0)
    assert [(f.rule, f.severity) for f in ds.findings] == [("structure.table.missing", "info")]
