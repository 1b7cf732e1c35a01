"""The page-text hook: placeholders, years, department and direction words only visible in the raw text."""

from __future__ import annotations

from pipeline.checks import TEXT_RULES, run_checks, text_findings
from pipeline.dataset import Dataset
from tests.checks_helpers import document

DOC = document(department="中共上海市普陀区委社会工作部", year=2024)
CLEAN = """第三部分 中共上海市普陀区委社会工作部 2024 年度部门决算情况说明
中共上海市普陀区委社会工作部2024年度收入支出总计307.82万元。与 2023 年度相比，收入支出总计增加 307.82 万元。
1、一般公共服务支出（类）社会工作事务（款）行政运行（项）。全年预算为 52.00 万元，
支出决算为 51.32 万元，完成全年预算数的 98.69%。决算数小于全年预算数的主要原因：人员变动。
2、住房保障支出（类）住房改革支出（款）购房补贴（项）。全年预算为 11.72 万元，支出决算为 11.72 万元。决算数与全年预算数持平。
截至 2024 年 12 月 31 日，共有车辆 0 辆。"""


def rules(text: str) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in text_findings(DOC, [(17, text)])]


def test_consistent_text_gives_nothing():
    assert rules(CLEAN) == []


def test_placeholder_in_a_sentence_without_figures():
    assert rules(CLEAN.replace("307.82万元。", "XXX万元。")) == [("structure.placeholder.text", "error")]
    assert rules(CLEAN + "\n主要原因：XXXXXXXX。（如持平作持平表述）") == [("structure.placeholder.text", "error")] * 2


def test_wrong_years_and_department():
    assert rules(CLEAN.replace("截至 2024 年", "截至 2023 年")) == [("structure.year.text", "error")]
    assert rules(CLEAN.replace("与 2023 年度", "与 2022 年度")) == [("structure.year.text", "error")]
    renamed = CLEAN.replace("中共上海市普陀区委社会工作部2024", "上海市普陀区财政局2024")
    assert rules(renamed) == [("structure.department.text", "warning")]


def test_direction_word_against_the_figures():
    assert rules(CLEAN.replace("决算数小于全年预算数", "决算数大于全年预算数")) == [("narrative.direction.text", "error")]
    assert rules(CLEAN.replace("11.72 万元。决算数", "11.70 万元。决算数")) == [("narrative.direction.text", "error")]


def test_text_findings_are_kept_when_checks_rerun():
    found = text_findings(DOC, [(17, CLEAN.replace("307.82万元。", "XXX万元。"))])
    ds = Dataset([DOC], [], [], [], found)
    again = run_checks(ds)
    assert [f.rule for f in again if f.rule in TEXT_RULES] == ["structure.placeholder.text"]
    assert again[0].page == "17"
