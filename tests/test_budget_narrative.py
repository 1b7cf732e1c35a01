"""Budget narratives: their figures (both templates), held against their tables and last year's budget."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.narrative import extract_facts
from extractors.text import PageText
from pipeline.assemble import check_dataset, dataset_of
from pipeline.extract import extract_document
from tests.conftest import SAMPLES, SHARED

SHANGHAI = SAMPLES / "上海市普陀区商务委员会25年预算.pdf"  # the same file as ../shared/corpus/budgets/shanghai_putuo's
JIANGSU = SHARED / "corpus" / "budgets" / "jiangsu_province"
ZHENGXIE_2019 = JIANGSU / "江苏省政协办公厅_江苏省政协办公厅2019年度部门预算.pdf"
WEIBAN_2019 = JIANGSU / "江苏省委办公厅_江苏省委办公厅2019年度部门预算公开文件.pdf"
WEIBAN_2019_TABLES = JIANGSU / "江苏省委办公厅_江苏省委办公厅2019年度部门预算公开表格.pdf"
WEIBAN_2018 = JIANGSU / "江苏省委办公厅_江苏省委办公厅2018年度部门预算公开文件.pdf"
BUDGET_RULES = ("budget.narrative.table", "years.budget_change")


@pytest.fixture(scope="module")
def shanghai():
    return extract_document(SHANGHAI)


@pytest.fixture(scope="module")
def zhengxie():
    return extract_document(ZHENGXIE_2019)


@pytest.fixture(scope="module")
def weiban():
    """The 2019 narrative PDF, its table PDF, and the 2018 narrative of the same department."""
    return extract_document(WEIBAN_2019), extract_document(WEIBAN_2019_TABLES), extract_document(WEIBAN_2018)


def _facts(result) -> set[tuple[str, str, Decimal, str]]:
    return {(f.metric, f.subject or "", f.value, f.unit) for f in result.facts}


# read off the pages: p7 (部门预算编制说明), p22 (其他相关情况说明), p23–p24 (专项经费情况说明)
SHANGHAI_FACTS = [
    ("budget_income_total", "", "37151.47", "万元"),  # 收入预算37,151.47万元
    ("budget_income_item", "财政拨款收入", "37151.47", "万元"),
    ("budget_income_item_change", "财政拨款收入", "24558.18", "万元"),  # 比2024年预算执行数增加24,558.18万元
    ("budget_income_item", "事业收入", "0", "万元"),
    ("budget_expenditure_total", "", "37151.47", "万元"),
    ("budget_fiscal_expenditure_change", "", "24491.71", "万元"),
    ("budget_gpb_expenditure", "", "37151.47", "万元"),  # 一般公共预算拨款支出预算
    ("budget_government_fund_expenditure_change", "", "0", "万元"),  # 比2024年预算执行数持平
    ("budget_gpb_item", "科学技术支出/科技条件与服务/科技条件专项", "1720.00", "万元"),
    ("budget_gpb_item", "住房保障支出/住房改革支出/购房补贴", "148.80", "万元"),
    ("budget_three_public", "", "1.00", "万元"),
    ("budget_three_public_change", "", "0", "万元"),  # 与2024年预算持平
    ("budget_three_public_item", "公务接待费", "1.00", "万元"),
    ("budget_operating_costs", "", "171.01", "万元"),
    ("budget_procurement_total", "", "38.20", "万元"),
    ("budget_procurement_goods", "", "7.80", "万元"),
    ("budget_procurement_works", "", "0", "万元"),
    ("budget_procurement_services", "", "30.40", "万元"),
    ("budget_performance_projects", "", "25", "个"),
    ("budget_performance_amount", "", "11381.60", "万元"),
    ("budget_vehicles_total", "", "0", "辆"),
    ("budget_equipment_units", "单价100万元（含）以上", "0", "台（套）"),
    ("budget_vehicles_to_purchase", "", "0", "辆"),
    ("budget_project_amount", "科技创新专项", "1720.00", "万元"),  # 项目总预算1720.00万
    ("budget_project_item", "生命健康专项（政策资金）/支持企业国际化发展", "50.00", "万元"),
]


@pytest.mark.parametrize("metric,subject,value,unit", SHANGHAI_FACTS)
def test_shanghai_budget_narrative_figures(shanghai, metric, subject, value, unit):
    assert (metric, subject, Decimal(value), unit) in _facts(shanghai)


def test_shanghai_budget_narrative_reads_every_figure(shanghai):
    assert shanghai.document.doc_type == "budget"
    assert [f for f in shanghai.facts if f.metric == "other"] == []
    assert len(shanghai.facts) >= 90


# read off the pages of 江苏省政协办公厅2019年度部门预算.pdf (第三部分 2019年度部门预算情况说明, p9–p17)
JIANGSU_FACTS = [
    ("budget_total_income_expenditure", "", "13377.11", "万元"),
    ("budget_total_income_expenditure_change", "", "3226.63", "万元"),
    ("budget_total_income_expenditure_change_pct", "", "31.79", "%"),
    ("budget_income_item", "一般公共预算收入", "13297.11", "万元"),
    ("budget_income_item", "其他资金", "80", "万元"),
    ("budget_income_item_share_pct", "其他资金", "0.6", "%"),
    ("budget_income_item_change", "政府性基金预算收入", "0", "万元"),  # 与上年数一致
    ("budget_expenditure_class", "一般公共服务支出", "10271.56", "万元"),
    ("budget_expenditure_item", "单位预留机动经费", "1886.02", "万元"),
    ("budget_expenditure_item_change", "单位预留机动经费", "728.39", "万元"),
    ("budget_expenditure_item_share_pct", "基本支出", "48.76", "%"),
    ("budget_fiscal_total", "", "13297.11", "万元"),
    ("budget_fiscal_expenditure_share_pct", "", "99.4", "%"),
    ("budget_gpb_item", "一般公共服务支出/政协事务/委员视察", "426", "万元"),
    ("budget_gpb_item_change", "一般公共服务支出/政协事务/委员视察", "-3.3", "万元"),
    ("budget_gpb_item_change_pct", "一般公共服务支出/政协事务/委员视察", "-0.77", "%"),
    ("budget_gpb_item", "住房保障支出/住房改革支出/提租补贴", "1754.17", "万元"),
    ("budget_basic_expenditure", "财政拨款", "6442.75", "万元"),
    ("budget_basic_personnel", "一般公共预算", "5312.01", "万元"),
    ("budget_three_public_item", "公务接待费", "397.5", "万元"),
    ("budget_three_public_item_change", "公务接待费", "-15", "万元"),
    ("budget_three_public_item_share_pct", "因公出国（境）费", "16.06", "%"),
    ("budget_meeting", "", "1282.56", "万元"),
    ("budget_training_change", "", "184.17", "万元"),
    ("budget_operating_costs_change_pct", "", "1.33", "%"),
    ("budget_procurement_services", "", "1274.42", "万元"),
    ("budget_vehicles_by_type", "一般公务用车", "46", "辆"),
    ("budget_equipment_units", "单价20万元（含）以上", "4", "台（套）"),
    ("budget_performance_projects", "", "0", "个"),
]


@pytest.mark.parametrize("metric,subject,value,unit", JIANGSU_FACTS)
def test_jiangsu_budget_narrative_figures(zhengxie, metric, subject, value, unit):
    assert (metric, subject, Decimal(value), unit) in _facts(zhengxie)


def test_a_change_keeps_its_reason(zhengxie):
    pct = next(f for f in zhengxie.facts if f.metric == "budget_gpb_item_change_pct" and "委员视察" in (f.subject or ""))
    assert pct.page == 13 and pct.section == "五（一）"
    assert "主要原因是省政协委员人数减少" in pct.text


def test_figures_inside_a_reason_are_no_metric():
    """江苏省人大办公厅 2018 (p19): the 128.43 万元 of the reason is not the item's amount or change."""
    text = ("第三部分 2018年度部门预算情况说明\n五、财政拨款支出预算情况说明\n（一）一般公共服务（类）\n"
            "2.人大事务（款）一般行政管理事务（项）支出2340.35万元，与上年相比减少128.43万元，减少5.20%。"
            "主要原因是上年度列入此项的预留机动经费128.43万元本年度调入行政运行项。\n")
    facts = extract_facts([PageText(19, text)], "rd", "budget")
    path = "一般公共服务/人大事务/一般行政管理事务"
    assert [(f.metric, f.subject, f.value) for f in facts] == [
        ("budget_gpb_item", path, Decimal("2340.35")),
        ("budget_gpb_item_change", path, Decimal("-128.43")),
        ("budget_gpb_item_change_pct", path, Decimal("-5.20")),
        ("other", facts[3].subject, Decimal("128.43")),
    ]
    assert "主要原因是上年度列入此项的预留机动经费" in facts[2].text


# ---- checks ------------------------------------------------------------------------------------------

def _budget_findings(ds):
    return [f for f in ds.findings if f.rule in BUDGET_RULES]


def test_narrative_and_its_table_pdf_are_checked_together(weiban):
    narrative, tables, _ = weiban
    ds = check_dataset(dataset_of([narrative, tables]))
    ids = {d.doc_id: d.disclosure_id for d in ds.documents}
    assert ids[narrative.document.doc_id] == ids[tables.document.doc_id]
    assert _budget_findings(ds) == []

    # the narrative PDF's tables are its table PDF's: located in its disclosure, not missing
    docs = {d.doc_id: d for d in ds.documents}
    text_doc, table_doc = docs[narrative.document.doc_id], docs[tables.document.doc_id]
    assert (text_doc.tables_found, text_doc.tables_missing) == (table_doc.tables_found, table_doc.tables_missing)
    assert text_doc.tables_found == text_doc.tables_expected and text_doc.cells_read == 0
    alone = check_dataset(dataset_of([narrative])).documents[0]
    assert alone.tables_found == 0 and alone.fully_read is False


def test_a_table_pdf_cell_that_differs_from_the_narrative_is_an_error(weiban):
    narrative, tables, _ = weiban
    cells = [c.model_copy(update={"value": Decimal("28.00")}) if (c.table, c.col) == ("three_public_expenses",
             "reception_budget") else c for c in tables.cells]
    changed = tables.__class__(tables.document, tables.tables, cells, tables.facts, [])
    found = _budget_findings(check_dataset(dataset_of([narrative, changed])))
    assert [(f.rule, f.severity, f.metric, f.actual, f.expected) for f in found] == [
        ("budget.narrative.table", "error", "budget_three_public_item", Decimal("27"), Decimal("28.00"))]
    assert found[0].doc_id == narrative.document.doc_id
    assert WEIBAN_2019_TABLES.name in found[0].message


def test_a_budget_in_yuan_agrees_with_its_narrative_rounded(shanghai):
    """Shanghai tables print 元 (37,151.4655 万元); the text's 37,151.47 万元 is that figure rounded: no finding."""
    assert _budget_findings(check_dataset(dataset_of([shanghai]))) == []


def test_a_narrative_figure_that_differs_from_its_own_table_is_an_error(shanghai):
    facts = [f.model_copy(update={"value": Decimal("172.01")}) if f.metric == "budget_operating_costs" else f
             for f in shanghai.facts]
    changed = shanghai.__class__(shanghai.document, shanghai.tables, shanghai.cells, facts, [])
    found = _budget_findings(check_dataset(dataset_of([changed])))
    assert [(f.metric, f.severity, f.actual, f.expected) for f in found] == [
        ("budget_operating_costs", "error", Decimal("172.01"), Decimal("171.01"))]


def test_changes_on_last_year_agree_with_last_years_budget(weiban):
    ds = check_dataset(dataset_of(list(weiban)))
    assert [f for f in ds.findings if f.rule == "years.budget_change"] == []


def test_a_change_that_does_not_match_last_years_budget_is_an_error(weiban):
    narrative, tables, last_year = weiban
    facts = [f.model_copy(update={"value": Decimal("30")}) if (f.metric, f.subject) == ("budget_three_public_item",
             "公务接待费") else f for f in last_year.facts]
    changed = last_year.__class__(last_year.document, last_year.tables, last_year.cells, facts, [])
    found = [f for f in check_dataset(dataset_of([narrative, tables, changed])).findings
             if f.rule == "years.budget_change"]
    assert [(f.metric, f.severity, f.expected, f.actual) for f in found] == [
        ("budget_three_public_item", "error", Decimal("27"), Decimal("30"))]
    assert WEIBAN_2018.name in (found[0].evidence or "")
