"""Performance target forms of the other cities' budgets: Chongqing (a department form, a project form over
two pages, a table of one indicator per row beside the project's merged cells), Beijing (预算表12: one
indicator per row, a form per project; 预算13表: the department's form with its levels in one cell) and
Hangzhou (项目支出绩效表: projects with amount and target, no indicators), against hand-written expected
files typed from the rendered pages. Each PDF is extracted once per session (tests/conftest.py ``extracted``,
shared with test_other_cities.py): the forms are those the whole extraction gives."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from schemas.records import Document, PerformanceForm, PerformanceIndicator
from tests.conftest import SHARED, extracted
from tests.perf_golden import FIXTURES, read_expected, score_expected_forms

CITIES = SHARED / "corpus" / "other_cities"


@dataclass
class Read:
    document: Document
    forms: list[PerformanceForm]
    indicators: list[PerformanceIndicator]

    def rows(self, form: PerformanceForm) -> list[PerformanceIndicator]:
        return [i for i in self.indicators if i.form_id == form.form_id]


def _read(name: str) -> Read:
    r = extracted(next(CITIES.glob(name)))
    return Read(r.document, r.forms, r.indicators)


@pytest.fixture(scope="module")
def chongqing() -> Read:
    return _read("chongqing_*.pdf")


@pytest.fixture(scope="module")
def beijing() -> Read:
    return _read("beijing_*.pdf")


@pytest.fixture(scope="module")
def hangzhou() -> Read:
    return _read("hangzhou_*.pdf")


def _score(r: Read, expected: Path, tmp: Path) -> str:
    return score_expected_forms(r.document, r.forms, r.indicators, expected, tmp)


def test_chongqing_forms_apart(chongqing: Read, tmp_path: Path) -> None:
    out = _score(chongqing, FIXTURES / "chongqing_2026_targets.txt", tmp_path)
    assert "forms 3/3" in out and "F1 1.0000" in out
    dept, special, general = chongqing.forms
    assert [f.pages for f in chongqing.forms] == [(25,), (26, 27), (28,)]
    assert (dept.scope, dept.department, special.department, general.department) == ("department", *["重庆市商务委员会"] * 3)
    assert dept.overall_target.startswith("2026年,全市商务经济发展稳中向好。社会消费品零售总额同比增长5%及以上")
    assert special.overall_target.startswith("2026年,全市商务经济发展稳中向好。重要商品储备数量7500吨及以上")
    assert (general.funds_total, general.funds_fiscal) == (None, Decimal("8071.45"))
    assert general.overall_target.startswith("学校保持在校生规模27800人及以上")
    assert [sum(i.weight for i in chongqing.rows(f)) for f in chongqing.forms] == [100, 100, 100]
    first = chongqing.rows(dept)[0]
    assert (first.target_op, first.target_value, first.target_unit) == (">=", Decimal(63), "个")


def test_beijing_one_indicator_per_row(beijing: Read, tmp_path: Path) -> None:
    out = _score(beijing, FIXTURES / "beijing_2026_targets.txt", tmp_path)
    assert "forms 2/2" in out and "F1 1.0000" in out
    projects = [f for f in beijing.forms if f.scope == "project"]
    assert len(projects) == 17 and len(beijing.forms) == 18
    assert all(f.title == "预算表12项目支出绩效目标表" for f in projects)
    # a project's rows continue over the page (内部审计指导监督经费: pages 16–17)
    audit = next(f for f in projects if f.project.endswith("内部审计指导监督经费"))
    assert (audit.pages, len(beijing.rows(audit)), audit.funds_total) == ((16, 17), 23, Decimal("61.800000"))
    fees = next(f for f in projects if f.project.endswith("项目及手续费等支出"))
    assert (fees.funds_total, fees.funds_fiscal) == (Decimal("50.117193"), None)  # 其他资金 only
    qualitative = beijing.rows(projects[0])[0]
    assert (qualitative.target_text, qualitative.target_op, qualitative.target_value) == ("优", None, None)


def test_beijing_department_form_levels_in_one_cell(beijing: Read) -> None:
    dept = beijing.forms[-1]
    assert (dept.kind, dept.scope, dept.department, dept.pages, dept.funds_total) == (
        "target", "department", "北京市审计局", (20, 21), Decimal("32852.053832"))
    assert dept.overall_target.startswith("坚持以习近平新时代中国特色社会主义思想为指导")
    rows = beijing.rows(dept)
    assert len(rows) == 32
    first = rows[0]  # "产出指标数量指标出具数据分析报告" printed in one cell, the activity beside it
    assert (first.level1, first.level2, first.indicator, first.group, first.target_text) == (
        "产出指标", "数量指标", "出具数据分析报告", "审计业务", "＝4份")
    assert (rows[-1].level1, rows[-1].level2, rows[-1].indicator, rows[-1].target_text) == (
        "效益指标", "社会效益指标", "支持审计项目计划制定", "优")


def test_hangzhou_projects_with_targets_only(hangzhou: Read) -> None:
    expected = read_expected(FIXTURES / "hangzhou_2026_targets.txt")["forms"]
    got = [{"kind": f.kind, "scope": f.scope, "project": f.project, "funds_total": str(f.funds_total)} for f in hangzhou.forms]
    assert got[:len(expected)] == expected
    assert len(hangzhou.forms) == 33 and not hangzhou.indicators
    assert sum(f.funds_total for f in hangzhou.forms) == Decimal("106313.00")
    first, traffic = hangzhou.forms[0], hangzhou.forms[8]
    assert (first.department, first.implementing_unit, first.pages) == ("杭州市公安局", "杭州市公安局", (34,))
    assert first.overall_target == ("打击、整治各类违法犯罪活动，做好各类治安、刑事案件的侦办、防控工作，"
                                    "为杭州经济社会高质量发展创造安全稳定的社会环境。")
    # a target text running on over the page is one form's, not a new form
    assert (traffic.implementing_unit, traffic.pages) == ("杭州市公安局交通管理支队", (34, 35))
    assert traffic.overall_target.endswith("道路交通顺畅、有序、安全运行提供基础保障。")


def test_rows_from_scanned_pages_carry_ocr_confidence() -> None:
    """A form's row read from OCR'd characters keeps the weakest confidence of its cells, like a table cell."""
    from extractors.performance import build_records
    from extractors.performance_grid import GCell, GRow, read_form_grids

    def row(*cells: tuple[float, str, float | None]) -> GRow:
        return GRow(3, [GCell(x, x + 100, text, True, conf) for x, text, conf in cells])

    rows = [row((0, "指标名称", 0.99), (100, "指标值", 0.98), (200, "分值", 0.97)),
            row((0, "培训人数", 0.93), (100, "≥1066人次", 0.71), (200, "5", 0.95)),
            row((0, "年度预算执行率", None), (100, "=100%", None), (200, "10", None))]
    drafts = read_form_grids(rows, {0: ("target", "2026年项目绩效目标表", "")})
    _, indicators = build_records("doc", 2026, drafts, [])
    assert [(i.indicator, i.source, i.ocr_confidence) for i in indicators] == [
        ("培训人数", "ocr", Decimal("0.7100")), ("年度预算执行率", "text_layer", None)]
