from __future__ import annotations

import pytest

from extractors.headers import ColumnRole, classify_column, is_header_text

THREE = "three_public_expenses"


@pytest.mark.parametrize(
    ("path", "key"),
    [
        (["财政拨款“三公”经费", "合计", "预算数"], "total_budget"),
        (["财政拨款“三公”经费", "合计", "决算数"], "total_actual"),
        (["财政拨款“三公”经费", "因公出国（境）费", "决算数"], "overseas_actual"),
        (["财政拨款“三公”经费", "公务用车购置及运行费", "小计", "预算数"], "vehicle_budget"),
        (["财政拨款“三公”经费", "公务用车购置及运行维护费", "小计", "决算数"], "vehicle_actual"),
        (["财政拨款“三公”经费", "公务用车购置及运行费", "公务用车购置费", "预算数"], "vehicle_purchase_budget"),
        (["财政拨款“三公”经费", "公务用车购置及运行费", "公务用车运行费", "决算数"], "vehicle_operation_actual"),
        (["财政拨款“三公”经费", "公务用车购置及运行(维护)费", "公务用车运行(维护)费", "预算数"], "vehicle_operation_budget"),
        (["公务接待费", "预算数"], "reception_budget"),
    ],
)
def test_three_public_expense_columns(path: list[str], key: str) -> None:
    assert classify_column(path, THREE) == ColumnRole("value", key=key)


@pytest.mark.parametrize(
    ("table", "path", "role"),
    [
        ("income", ["本年收入合\n计"], ColumnRole("value", "total")),
        ("income", ["附属单位上缴收入"], ColumnRole("value", "affiliated_remittance")),
        ("income", ["本年收入合计（万元）"], ColumnRole("value", "total")),
        ("income", ["项目", "支出功能分类", "科目编码"], ColumnRole("code")),
        ("income", ["项目", "功能分类科目编码", "类"], ColumnRole("code")),
        ("income", ["项目", "科目名称"], ColumnRole("label")),
        ("expenditure", ["基本支出"], ColumnRole("value", "basic")),
        ("expenditure", ["项目支出"], ColumnRole("value", "project")),
        ("expenditure", ["对附属单位补助支出"], ColumnRole("value", "subsidy_to_affiliated")),
        ("income_expenditure_summary", ["收入", "项目"], ColumnRole("label", side="income")),
        ("income_expenditure_summary", ["支出", "决算数"], ColumnRole("value", "amount", "expenditure")),
        ("fiscal_appropriation_summary", ["收入", "决算数"], ColumnRole("value", "amount", "income")),
        ("fiscal_appropriation_summary", ["支出", "合计"], ColumnRole("value", "total", "expenditure")),
        ("fiscal_appropriation_summary", ["支出", "一般公共预算财\n政拨款"], ColumnRole("value", "general_public_budget", "expenditure")),
        ("general_public_budget_basic_expenditure", ["经济分类", "科目编码", "款"], ColumnRole("code")),
        ("general_public_budget_basic_expenditure", ["决算数"], ColumnRole("value", "amount")),
        ("government_fund", ["本年支出", "小计"], ColumnRole("value", "expenditure_total")),
        ("government_fund", ["本年支出", "合计"], ColumnRole("value", "expenditure_total")),
        ("government_fund", ["本年支出", "基本支出"], ColumnRole("value", "expenditure_basic")),
        ("government_fund", ["年初结转和\n结余"], ColumnRole("value", "carryover_begin")),
        ("state_capital", ["本年收入"], ColumnRole("value", "income")),
    ],
)
def test_columns(table: str, path: list[str], role: ColumnRole) -> None:
    assert classify_column(path, table) == role


@pytest.mark.parametrize(
    ("table", "path"),
    [
        ("income", ["备注"]),
        ("income", ["2024"]),
        ("expenditure", ["上年支出"]),
        ("government_fund", ["本年支出"]),  # the spanning group cell alone names no column
    ],
)
def test_columns_rejected(table: str, path: list[str]) -> None:
    assert classify_column(path, table).kind == "other"


def test_header_text_versus_row_labels() -> None:
    assert is_header_text("科目编码", "income")
    assert is_header_text("本年收入合计", "income")
    assert is_header_text("预算数", THREE)
    assert not is_header_text("一般公共服务支出", "income")
    assert not is_header_text("一、一般公共预算财政拨款收入", "income_expenditure_summary")
    assert not is_header_text("2,940.05", "income")
    # Beijing 预算03表: the classification columns' headers and the 其中 group over the other uses
    for text in ("支出功能分类科目", "政府支出经济分类科目", "部门支出经济分类科目", "其中"):
        assert is_header_text(text, "expenditure", "budget"), text
    assert not is_header_text("其中：一般公共预算拨款", "income_expenditure_summary", "budget")


def test_three_public_categories_split_by_fund() -> None:
    # Shenzhen 表9: 总计 / 因公出国(境)费 / 公务用车购置及运行维护费 › 小计 … each over three fund columns, rows by 年度
    budget = "budget"
    assert classify_column(["年度"], THREE, budget).kind == "label"
    assert classify_column(["总计", "一般公共预算"], THREE, budget).key == "total_budget_general_public"
    assert classify_column(["因公出国(境)费", "政府性基金预算"], THREE, budget).key == "overseas_budget_government_fund"
    assert classify_column(["公务用车购置及运行维护费", "小计", "国有资本经营预算"], THREE,
                           budget).key == "vehicle_budget_state_capital"
    assert classify_column(["公务用车购置及运行维护费", "公务用车运行维护费", "一般公共预算"], THREE,
                           budget).key == "vehicle_operation_budget_general_public"
    assert classify_column(["总计"], THREE, budget).key == "total_budget"


@pytest.mark.parametrize(
    ("table", "path", "key"),
    [
        ("income", ["本年收入"], "total"),
        ("expenditure", ["合计"], "total"),
        ("fiscal_appropriation_summary", ["支出", "小计"], "total"),
        ("income_expenditure_summary", ["收入", "金额"], "amount"),
        ("income", ["附属单位上缴收\n入"], "affiliated_remittance"),
    ],
)
def test_other_wordings_of_the_same_meaning(table: str, path: list[str], key: str) -> None:
    assert classify_column(path, table).key == key


def test_a_group_header_alone_does_not_name_its_sub_columns() -> None:
    assert classify_column(["财政拨款收入", "一般公共预算财政拨款"], "income").kind == "other"
    assert classify_column(["财政拨款收入", "小计"], "income").key == "fiscal_appropriation"


def test_three_public_expenses_transposed_columns() -> None:
    from extractors.headers import ACTUAL, BUDGET, three_public_column

    assert classify_column(["预算数"], THREE) == ColumnRole("value", key=BUDGET)
    assert classify_column(["决算数"], THREE) == ColumnRole("value", key=ACTUAL)
    assert three_public_column("公务用车运行(维护)费", ACTUAL) == "vehicle_operation_actual"
    assert three_public_column("其中：公务用车购置费", BUDGET) == "vehicle_purchase_budget"
    assert three_public_column("因公出国（境）费", BUDGET) == "overseas_budget"
    assert three_public_column("会议费", BUDGET) is None


def test_three_public_transposed_by_funding_source() -> None:
    """Categories as rows, sources as columns (Guangzhou 表8): only a header of sources alone is read by row."""
    from extractors.headers import BUDGET, three_public_column
    from extractors.three_public_rows import source_roles
    from schemas.keys import table_spec

    spec = table_spec(THREE, "budget")
    paths = [["项目"], ["合计"], ["一般公共预算"], ["政府性基金预算"], ["国有资本经营预算"]]
    roles = [classify_column(p, THREE, "budget") for p in paths]
    assert [r.kind for r in roles] == ["label", "value", "other", "other", "other"]
    keys = [r.key for r in source_roles(roles, paths, spec)]
    assert keys == [None, BUDGET, f"{BUDGET}_general_public", f"{BUDGET}_government_fund", f"{BUDGET}_state_capital"]
    # a single-row 三公 table with a 合计 column and its categories: read as usual
    usual = [["合计"], ["因公出国（境）费"], ["公务接待费"]]
    usual_roles = [classify_column(p, THREE, "budget") for p in usual]
    assert source_roles(usual_roles, usual, spec) == usual_roles
    # sources under a category the header names (总计 › 政府性基金预算: Shenzhen 表9): not by row
    under = [["预算单位"], ["年度"], ["一般公共预算"], ["总计", "政府性基金预算"], ["国有资本经营预算"]]
    under_roles = [classify_column(p, THREE, "budget") for p in under]
    assert source_roles(under_roles, under, spec) == under_roles
    # 合计 alone names no source the usual reading lacks
    assert source_roles(roles[:2], paths[:2], spec) == roles[:2]
    assert three_public_column("其中：（一）因公出国（境）支出", f"{BUDGET}_government_fund", "budget") == \
        "overseas_budget_government_fund"
    assert three_public_column("行政经费", f"{BUDGET}_general_public", "budget") == "administrative_budget_general_public"
    assert three_public_column("行政经费", BUDGET, "budget") == "administrative_budget"
    assert three_public_column("2.公务用车运行维护费", BUDGET, "budget") == "vehicle_operation_budget"
    assert three_public_column("会议费", f"{BUDGET}_state_capital", "budget") is None  # no such column


def test_a_subject_column_named_by_its_classification() -> None:
    """部门预算支出经济科目 (Guangzhou 表6) heads the subjects' column as 经济分类科目 does."""
    from extractors.headers import is_header_text

    for text in ("部门预算支出经济科目", "支出功能科目", "经济分类科目"):
        assert is_header_text(text, "general_public_budget_basic_expenditure", "budget"), text
        assert classify_column([text], "general_public_budget_basic_expenditure", "budget").kind == "label", text
    assert classify_column(["预算"], "general_public_budget_basic_expenditure", "budget").key == "amount"
