"""Performance forms from ruled PDF grids: the central final accounts' self-evaluation forms and the
Guangzhou target table, against hand-written expected files for a few forms of each (scored with
../shared/tools/score.py performance on the expected forms), and the whole documents' counts. Each document is
extracted once per session (tests/conftest.py ``extracted``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.checks import run_checks
from pipeline.dataset import Dataset
from pipeline.document_records import DocumentRecords
from tests.conftest import SHARED, extracted
from tests.perf_golden import FIXTURES, read_expected, score_expected_forms

CENTRAL = SHARED / "corpus" / "other_cities" / "central_国家信访局2024年度部门决算.pdf"
GUANGZHOU = SHARED / "corpus" / "other_cities" / "guangzhou_广州市政务服务和数据管理局2026年项目支出绩效目标表.pdf"


@pytest.fixture(scope="module")
def central() -> DocumentRecords:
    return extracted(CENTRAL)  # once per session, shared with test_other_cities.py


@pytest.fixture(scope="module")
def guangzhou() -> DocumentRecords:
    return extracted(GUANGZHOU)


def _score_expected_forms(r: DocumentRecords, expected: Path, tmp: Path) -> str:
    return score_expected_forms(r.document, r.forms, r.indicators, expected, tmp)


def test_central_self_evaluation_forms(central: DocumentRecords, tmp_path: Path) -> None:
    out = _score_expected_forms(central, FIXTURES / "central_2024_forms.txt", tmp_path)
    assert "forms 2/2" in out and "F1 1.0000" in out
    assert [f.project for f in central.forms] == ["信访干部培训专项", "信访研究宣传立法专项", "资产运行维护", "信息化运行维护"]
    assert [len([i for i in central.indicators if i.form_id == f.form_id]) for f in central.forms] == [10, 10, 9, 8]
    train = central.forms[0]
    assert (train.pages, train.funds_initial, train.funds_fiscal, train.execution_weight, train.execution_score) == (
        (30, 31), Decimal("180.61"), Decimal("140.61"), Decimal("10.0"), Decimal(10))
    assert train.overall_target.startswith("1.分级分类抓好信访系统干部培训") and train.overall_result.startswith("1.全年开展综合班次4期")
    # the merged 一级/二级 cells carried down and over the page; a row's own reason column kept
    rows = [i for i in central.indicators if i.form_id == central.forms[3].form_id]
    assert (rows[4].level1, rows[4].level2, rows[4].page) == ("产出指标", "质量指标", 36)
    assert rows[3].deviation_reason.startswith("终端电脑经常电源故障")


def test_central_narrative_restates_forms(central: DocumentRecords) -> None:
    it = central.forms[3]  # "项目自评得分为 88.5 分" in the narrative; the form's 总分 is 90.5
    assert (it.stated_score, it.total_score, it.stated_funds_total, it.stated_executed, it.stated_rate_pct) == (
        Decimal("88.5"), Decimal("90.5"), Decimal("1639.34"), Decimal("1032.99"), Decimal("63.0"))
    found = run_checks(Dataset([central.document], central.tables, central.cells, central.facts, [], central.forms, central.indicators))
    perf = [f for f in found if f.rule.startswith("performance.")]
    errors = [f for f in perf if f.severity == "error"]
    assert [(f.rule, f.col, f.expected, f.actual) for f in errors] == [
        ("performance.narrative", "total_score", Decimal("90.5"), Decimal("88.5"))]
    assert errors[0].page == "28;36"  # the narrative's page and the page of the form's 总分
    assert not [f for f in perf if f.rule == "performance.score_formula"]  # central forms print no formula


def test_guangzhou_target_forms(guangzhou: DocumentRecords, tmp_path: Path) -> None:
    out = _score_expected_forms(guangzhou, FIXTURES / "guangzhou_2026_targets.txt", tmp_path)
    assert "forms 3/3" in out and "F1 1.0000" in out
    assert len(guangzhou.forms) == 70 and {f.kind for f in guangzhou.forms} == {"target"}
    # a PDF of target forms only: a budget's, its year and department from the title; no budget tables expected
    doc = guangzhou.document
    assert (doc.doc_type, doc.fiscal_year, doc.region, doc.performance_only, doc.status) == (
        "budget", 2026, "广州市", True, "ok")
    assert len(guangzhou.indicators) == 404  # every "N、" item of every 绩效指标 cell (404 年度指标值 printed)
    expected = read_expected(FIXTURES / "guangzhou_2026_targets.txt")
    assert len(expected["indicators"]) == 14
    rent = next(f for f in guangzhou.forms if f.project == "办公、业务用房租赁经费")
    assert (rent.department, rent.implementing_unit, rent.funds_total, rent.funds_fiscal) == (
        "广州市政务服务和数据管理局", "广州市政务服务和数据管理局", Decimal("542.96"), Decimal("542.96"))
    first = next(i for i in guangzhou.indicators if i.form_id == rent.form_id)
    assert (first.level1, first.level2, first.target_op, first.target_value, first.target_unit, first.page) == (
        "产出指标", "数量指标", ">=", Decimal(4), "次", 2)


def test_a_pdf_of_target_forms_only_is_read_in_full_without_budget_tables(guangzhou: DocumentRecords) -> None:
    from pipeline.quality import assess

    ds = Dataset([guangzhou.document], guangzhou.tables, guangzhou.cells, guangzhou.facts, [], guangzhou.forms,
                 guangzhou.indicators)
    doc = assess(ds).documents[0]
    assert (doc.tables_expected, doc.tables_missing, doc.fully_read) == (None, None, True)
    without_forms = assess(Dataset([guangzhou.document])).documents[0]
    assert without_forms.fully_read is False
