from __future__ import annotations

import pytest

from extractors.titles import match_title, numbered_title


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("收入支出决算总表", "income_expenditure_summary"),
        ("部门收支决算总表", "income_expenditure_summary"),
        ("表1 收入支出决算总表", "income_expenditure_summary"),
        ("附表一：收入决算表", "income"),
        ("公开01表 部门收入决算表", "income"),
        ("表 3  支出决算表", "expenditure"),
        ("财政拨款收入支出决算总表", "fiscal_appropriation_summary"),
        ("财政拨款收支决算总表", "fiscal_appropriation_summary"),
        ("一般公共预算财政拨款支出决算表", "general_public_budget_expenditure"),
        ("一般公共预算财政拨款支出决算明细表", "general_public_budget_expenditure"),
        ("一般公共预算财政拨款基本支出决算表", "general_public_budget_basic_expenditure"),
        ("财政拨款“三公”经费支出决算表", "three_public_expenses"),
        ("财政拨款 三公 经费支出决算表", "three_public_expenses"),  # quotes printed on another baseline
        ('一般公共预算财政拨款"三公"经费支出决算表', "three_public_expenses"),
        ("政府性基金预算财政拨款收入支出决算表", "government_fund"),
        ("国有资本经营预算财政拨款支出决算表", "state_capital"),
        ("上海市普陀区财政局2024年度一般公共预算财政拨款基本支出决算表", "general_public_budget_basic_expenditure"),
        ("武汉市洪山区住房保障和房屋管理局2023年度收入决算表", "income"),
        ("收入决算表 单位：万元", "income"),
        ("收 入 决 算 表", "income"),
    ],
)
def test_titles_found(line: str, key: str) -> None:
    m = match_title(line)
    assert m is not None and m.key == key


def test_title_kept_as_printed_and_continuation_marked() -> None:
    m = match_title("附表一：收入决算表（续）")
    assert m is not None and m.key == "income" and m.continued
    assert m.printed == "附表一：收入决算表（续）"
    assert not match_title("收入决算表").continued


@pytest.mark.parametrize(
    "line",
    [
        "详见收入决算表",
        "具体见附表一：收入决算表。",
        "本年收入合计2946.25万元，详见收入支出决算总表",
        "第二部分 上海市普陀区财政局 2024 年度部门决算表",
        "二、收入决算情况说明",
        "七、财政拨款“三公”经费支出决算情况说明",
        "项目支出决算表",
        "收入决算表12.5%",
        "收入决算表 2024",
        "2024",
        "XX",
        "",
        "本部门收入决算表",
        "收入",
    ],
)
def test_not_titles(line: str) -> None:
    assert match_title(line) is None


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("表5一般公共预算财政拨款支出决算表", "general_public_budget_expenditure"),  # 5 then 一般: not the numeral 5一
        ("表一一般公共预算财政拨款基本支出决算表", "general_public_budget_basic_expenditure"),
        ("公开01表部门收入决算表", "income"),
        ("附表1-2 支出决算表", "expenditure"),
    ],
)
def test_number_prefix_runs_into_title(line: str, key: str) -> None:
    m = match_title(line)
    assert m is not None and m.key == key


@pytest.mark.parametrize(
    ("line", "key"),
    [  # Jiangsu 2017: a qualifier after the title, the department on the title's line
        ("表十一“三公”经费、会议费、培训费支出预算表（一般公共预算）", "three_public_expenses"),
        ("“三公”经费、会议费、培训费支出预算表部门： 江苏省人大常委会办公厅 单位：万元", "three_public_expenses"),
        ("公开02表收入预算总表部门名称：江苏省人大常委会办公厅 单位：万元", "income"),
    ],
)
def test_qualifier_and_department_after_the_title(line: str, key: str) -> None:
    m = match_title(line)
    assert m is not None and m.key == key
    assert "部门" not in m.printed and "单位" not in m.printed


def test_a_page_number_in_brackets_is_no_qualifier() -> None:
    assert match_title("目录（3）") is None
    assert match_title("收入支出决算总表（12）") is None  # a contents line's page number: not a qualifier


def test_a_title_wrapped_before_its_last_characters() -> None:
    from extractors.grid import Line
    from extractors.tables import _wrapped_titles

    def line(text: str, top: float) -> Line:
        chars = [{"text": ch, "x0": 100 + 20 * i, "x1": 118 + 20 * i, "top": top, "bottom": top + 18, "size": 18}
                 for i, ch in enumerate(text)]
        return Line(top, top + 18, 100, 100 + 20 * len(text), chars)

    lines = [line("“三公”经费、会议费、培训费支出预算", 100), line("表", 122), line("部门：江苏省人大常委会办公厅", 150)]
    found = _wrapped_titles(lines, set())
    assert [(ln.text, m.key) for ln, m in found] == [("“三公”经费、会议费、培训费支出预算", "three_public_expenses")]
    far = [lines[0], line("表", 200)]  # not the next printed line: a page's stray character
    assert _wrapped_titles(far, set()) == []
    prose = [line("本表反映部门年度一般公共预算资金安排的“三公”经", 100), line("费。", 122)]
    assert _wrapped_titles(prose, set()) == []


def test_a_numbered_title_of_any_table_is_no_running_head() -> None:
    # Hangzhou p. 32: 表10 (项目支出预算表, no table of the contract) opens its own table under the empty 表9
    assert numbered_title("表10：2026年市级部门项目支出预算表") and match_title("表10：2026年市级部门项目支出预算表") is None
    assert numbered_title("表11.2026年市级部门项目支出绩效表")
    assert numbered_title("附表3 一般公共预算支出表（续）")
    for head in ("公开05表", "部门名称：杭州市公安局 单位：万元", "续表", "18", "单位：万元", "2026年部门预算表"):
        assert not numbered_title(head), head
