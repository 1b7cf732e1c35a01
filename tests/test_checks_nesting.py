"""Summary rows that nest (a group row over its own parts, levels unmarked) and group columns in row sums."""

from __future__ import annotations

from decimal import Decimal as D

from pipeline.checks import run_checks
from pipeline.checks.nesting import outline, widest_outline
from pipeline.dataset import Dataset
from schemas.records import DocType, TableRecord
from tests.checks_helpers import cell, dataset, document


def _d(*xs: str) -> list[D]:
    return [D(x) for x in xs]


def test_outline_is_flat_when_the_plain_sum_holds():
    assert outline(_d("10.00", "20.00", "30.00"), D("60.00")).parent == {}


def test_outline_nests_groups_of_unmarked_levels_by_their_arithmetic():
    # 类 100 › 款 100 › 项 60 + 40;  类 50 › 款 50 › 项 30 + 20
    shape = outline(_d("100.00", "100.00", "60.00", "40.00", "50.00", "50.00", "30.00", "20.00"), D("150.00"))
    assert shape.roots == [0, 4]
    assert shape.parent == {1: 0, 2: 1, 3: 1, 5: 4, 6: 5, 7: 5}


def test_outline_keeps_zero_rows_at_the_top_and_equal_siblings_apart():
    # 财政拨款 5 › 一般公共预算 5; zero rows after it are siblings, not its children
    assert outline(_d("5.00", "5.00", "0.00", "0.00"), D("5.00")).roots == [0, 2, 3]
    # two leaves of the same value are siblings when the total says so
    assert outline(_d("100.00", "100.00", "50.00"), D("250.00")).parent == {}


def test_outline_none_when_no_nesting_adds_up_and_widest_outline_counts_groups_once():
    values = _d("100.00", "60.00", "40.00", "7.00")
    assert outline(values, D("200.00")) is None
    assert widest_outline(values).roots == [0, 3]


def _summary(expenditure_total: str = "150.00") -> list:
    t = "income_expenditure_summary"
    rows = [("财政拨款", "150.00", "income"), ("一般公共预算", "140.00", "income"), ("政府性基金预算", "10.00", "income"),
            ("事业收入", "0.00", "income"),
            ("公共安全支出", "100.00", "expenditure"), ("公安", "100.00", "expenditure"),
            ("行政运行", "60.00", "expenditure"), ("执法办案", "40.00", "expenditure"),
            ("卫生健康支出", "50.00", "expenditure"), ("行政单位医疗", "50.00", "expenditure"),
            ("本年收入合计", "150.00", "income"), ("本年支出合计", expenditure_total, "expenditure")]
    return [cell(t, "amount", v, row=label, side=side) for label, v, side in rows]


def _budget(cells: list) -> list:
    doc = document().model_copy(update={"doc_type": DocType.BUDGET})
    return run_checks(dataset(cells, doc=doc))


def test_summary_identity_sums_the_top_level_rows_and_says_it_nested_them():
    findings = [f for f in _budget(_summary()) if f.rule == "table.summary.identity"]
    assert [f.severity for f in findings] == ["info", "info"]
    assert "公共安全支出 ⊃ 公安" in findings[1].message and "arithmetic" in findings[1].message


def test_summary_identity_still_fails_when_no_nesting_adds_up():
    errors = [f for f in _budget(_summary("160.00")) if f.rule == "table.summary.identity" and f.severity == "error"]
    assert [(f.expected, f.actual) for f in errors] == [(D("150.00"), D("160.00"))]  # groups counted once


def _income_row(**cols: str) -> list:
    return [cell("income", col, v, row="某单位") for col, v in cols.items()]


def test_row_total_reads_a_group_column_or_its_parts_never_both():
    # 合计 = 本年收入 小计 + 上年结转结余; 本年 = 一般公共预算 + 政府性基金 + 单位资金 (Beijing's columns)
    ok = _income_row(total="120.00", income_this_year="100.00", general_public_budget="80.00", government_fund="15.00",
                     unit_funds="5.00", carryover_prior_year="20.00", carryover_general_public_budget="20.00")
    assert [f for f in _budget(ok) if f.rule == "table.sum.row_total"] == []
    # no 本年 subtotal printed: its parts are read (财政拨款 as 一般公共预算 + 政府性基金, 单位资金 as its sources)
    parts = _income_row(total="120.00", general_public_budget="80.00", government_fund="15.00", business="3.00",
                        superior_subsidy="2.00", carryover_prior_year="20.00")
    assert [f for f in _budget(parts) if f.rule == "table.sum.row_total"] == []
    wrong = _income_row(total="120.00", income_this_year="100.00", general_public_budget="80.00",
                        government_fund="10.00", carryover_prior_year="20.00")
    errors = [f for f in _budget(wrong) if f.rule == "table.sum.row_total"]
    assert [(f.col, f.expected, f.actual) for f in errors] == [("income_this_year", D("90.00"), D("100.00"))]


def test_row_total_expenditure_basic_split_into_personnel_and_public():
    cells = [cell("general_public_budget_expenditure", col, v, code="2040201", row="行政运行")
             for col, v in (("total", "300.00"), ("basic", "260.00"), ("personnel", "214.00"), ("public", "46.00"),
                            ("project", "40.00"))]
    assert [f for f in _budget(cells) if f.rule == "table.sum.row_total"] == []
    cells[3] = cell("general_public_budget_expenditure", "public", "45.00", code="2040201", row="行政运行")
    assert [f.col for f in _budget(cells) if f.rule == "table.sum.row_total" and f.severity == "error"] == ["basic"]


def test_row_total_procurement_total_is_the_sum_of_its_sources():
    # Chongqing 表九: 总计 = 一般公共预算拨款收入 + 财政专户管理资金收入 + 事业收入 + 事业单位经营收入 + 其他收入
    def row(**cols: str) -> list:
        return [cell("government_procurement", col, v, row="合计") for col, v in cols.items()]

    def budget(cells: list) -> list:  # a budget-only table: its record is titled by the budget contract
        doc = document().model_copy(update={"doc_type": DocType.BUDGET})
        rec = TableRecord(doc_id=doc.doc_id, table="government_procurement", title="政府采购预算明细表", pages=(1,),
                          has_data=True, n_cells=len(cells))
        return run_checks(Dataset([doc], [rec], cells, [], []))

    ok = row(amount="6546.82", general_public_budget="5499.84", special_account="746.83", business="208.00",
             operating="10.00", other="82.15")
    assert [f for f in budget(ok) if f.rule == "table.sum.row_total"] == []
    wrong = row(amount="6546.82", general_public_budget="5499.84", special_account="746.83", business="208.00")
    errors = [f for f in budget(wrong) if f.rule == "table.sum.row_total" and f.severity == "error"]
    assert [(f.col, f.expected, f.actual) for f in errors] == [("amount", D("6454.67"), D("6546.82"))]


def test_procurement_source_headers_are_read_and_a_next_tables_title_is_not():
    from extractors.headers import classify_column

    def key(*path: str) -> str | None:
        return classify_column(list(path), "government_procurement", "budget").key

    assert [key("一般公共\n预算拨款\n收入"), key("财政专户\n管理资金\n收入"), key("事业单位\n经营收入"), key("上级补助", "收入")] \
        == ["general_public_budget", "special_account", "operating", "superior_subsidy"]
    # Beijing 预算11表 follows its 政府采购 page: its title row must not name a source column (nor continue the table)
    assert key("预算11表 财政拨款政府购买服务明细表") is None and key("一般公共预算支出表") is None
