"""Other cities' templates (../shared/corpus/other_cities): one test per document asserts (a) every table its
family expects is found (or, for a narrative-only or performance-only document, what is expected of it), (b) a
few cells exactly as printed with their page (checked against the rendered page), (c) that no identity fails
through extraction (``_read_cleanly``: a figure the document itself prints inconsistently is asserted by its
figures) and (d) its region, department, year and family.

Each document is extracted and checked once per session (tests/conftest.py ``checked``), shared with the other
modules reading it (test_performance_pdf.py, test_performance_budgets.py).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.quality import DOUBTFUL_RULE, is_identity
from pipeline.survey import city_of, survey_lines
from tests.conftest import SHARED, checked

OTHER = SHARED / "corpus" / "other_cities"


def _dataset(name: str):
    """One shared document extracted and checked (once per session)."""
    return checked(OTHER / name)


def _read(name: str):
    """(document with its quality columns, tables by key, cells, findings) of one shared document."""
    ds = _dataset(name)
    return ds.documents[0], {t.table: t for t in ds.tables}, ds.cells, ds.findings


def _cell(cells, table: str, col: str, code: str | None = None, row: str | None = None, side: str | None = None,
          times: int = 1, page: int | None = None):
    """The first cell (reading order) of a row and column, printed ``times`` times in the table (on ``page``)."""
    found = [c for c in cells if c.table == table and c.col == col and (code is None or c.code == code)
             and (row is None or c.row == row) and (side is None or c.side == side)]
    assert len(found) == times, (table, col, code, row, found)
    assert page is None or found[0].page == page, (table, col, code, row, found[0].page, page)
    return found[0]


def _read_cleanly(doc, findings) -> None:
    """(c) No identity fails through extraction: no table read doubtfully, no identity error, and an identity
    warning only where the printed figures miss by their rounding (``rounding: …``)."""
    assert not doc.doubtful_tables and doc.identity_errors == 0, (doc.doubtful_tables, doc.identity_errors)
    assert [f.message for f in findings if f.rule == DOUBTFUL_RULE or "doubtful" in f.message] == []
    assert [f.message for f in findings if is_identity(f) and f.severity == "error"] == []
    assert [f.message for f in findings if is_identity(f) and f.severity == "warning"
            and not f.message.startswith("rounding: ")] == []


def _published_errors(findings) -> set[tuple]:
    """Every error finding as (rule, expected, actual, page): what the document prints inconsistently."""
    return {(f.rule, f.expected, f.actual, f.page) for f in findings if f.severity == "error"}


def _identity_errors(findings, table: str) -> list[str]:
    return [f.message for f in findings if f.severity == "error" and is_identity(f) and f.table == table]


def _nested(findings, table: str) -> list[str]:
    """Info findings of a summary identity that held once its group rows were nested by arithmetic."""
    return [f.message for f in findings if f.severity == "info" and f.table == table and "arithmetic nests" in f.message]


BUDGET_CORE = ("income_expenditure_summary", "income", "expenditure", "fiscal_appropriation_summary",
               "general_public_budget_expenditure", "government_fund", "three_public_expenses")


# ---- one test per document: its tables, cells checked on the page, identities -----------------------------

def test_central_final_accounts_all_nine_tables_and_basic_expenditure_groups():
    doc, tables, cells, findings = _read("central_国家信访局2024年度部门决算.pdf")
    assert doc.doc_type == "final_accounts" and doc.department == "国家信访局" and doc.fiscal_year == 2024
    assert doc.region == "中央"  # the central level prints no place
    assert doc.tables_found == doc.tables_expected == 9 and doc.tables_missing is None
    # page 11 (公开05表): 科目代码 heads the code column, 小计 under 本年支出 is the total
    assert _cell(cells, "general_public_budget_expenditure", "total", row="合计", page=11).value == Decimal("13733.80")
    assert _cell(cells, "general_public_budget_expenditure", "basic", row="合计").value == Decimal("10234.37")
    assert _cell(cells, "general_public_budget_expenditure", "total", code="2014001", page=11).value == Decimal("5757.63")
    assert _cell(cells, "general_public_budget_expenditure", "project", code="2050803").value == Decimal("180.03")
    # page 12: 人员经费 | 公用经费 over three side-by-side groups (科目代码 / 科目名称 / 决算数)
    assert tables["general_public_budget_basic_expenditure"].n_cells > 30
    assert _cell(cells, "general_public_budget_basic_expenditure", "amount", code="30101", page=12).value == Decimal("1857.40")
    for key in ("income", "expenditure", "general_public_budget_expenditure", "general_public_budget_basic_expenditure"):
        assert _identity_errors(findings, key) == [], key
    # page 7: the 栏次 row (栏次 1 | 栏次 2, once per side) is layout, not a row of 1.00 and 2.00
    assert not [c for c in cells if c.table == "income_expenditure_summary" and c.row == "栏次"]
    assert _identity_errors(findings, "income_expenditure_summary") == [] and doc.identity_errors == 0
    _read_cleanly(doc, findings)
    # what the document prints inconsistently stays an error: p. 17 "收、支总计 22066.59 万元 … 增加 5834.37 万元，
    # 增长 35.74%" (5834.37 / 16232.22 is 35.94 %); p. 28 says 信息化运行维护 scored 88.5, its form (p. 36) 总分 90.5
    assert _published_errors(findings) == {
        ("narrative.change", Decimal("35.94"), Decimal("35.74"), "17"),
        ("performance.narrative", Decimal("90.5"), Decimal("88.5"), "28;36")}


def test_shanghai_unit_budget_in_yuan_says_it_is_a_unit_budget():
    doc, tables, cells, findings = _read("shanghai_上海市信访局2026年单位预算.pdf")
    assert (doc.doc_type, doc.budget_scope, doc.department) == ("budget", "unit", "上海市信访办公室")
    assert (doc.region, doc.fiscal_year) == ("上海市", 2026)
    assert set(BUDGET_CORE) <= set(tables) and len(tables) == 9  # titles prefixed 2026年预算单位…
    assert doc.tables_found == doc.tables_expected == 7 and doc.tables_missing is None
    income = _cell(cells, "income_expenditure_summary", "amount", row="财政拨款收入", side="income", page=7)
    assert (income.value, income.unit_printed, income.value_printed) == (Decimal("28828.0739"), "元", "288,280,739")
    assert _cell(cells, "income_expenditure_summary", "amount", row="一般公共服务支出",
                 side="expenditure").value == Decimal("26702.7339")  # the 合计 column, not 人员经费 beside it
    assert doc.identity_errors == 0 and not doc.doubtful_tables
    # page 7: the unit budget's summary splits 预算数 into 基本支出 (人员经费, 公用经费) and 项目支出 (extension)
    assert _cell(cells, "income_expenditure_summary", "personnel", row="一般公共服务支出",
                 page=7).value == Decimal("2914.8414")
    assert _cell(cells, "income_expenditure_summary", "public", row="一般公共服务支出").value == Decimal("1044.2126")
    assert _cell(cells, "income_expenditure_summary", "project", row="一般公共服务支出").value == Decimal("22743.6799")
    _read_cleanly(doc, findings)
    assert _published_errors(findings) == set()


def test_chongqing_digits_in_a_font_with_a_broken_descent_are_read_on_their_line():
    doc, tables, cells, findings = _read("chongqing_重庆市商务委员会2026年部门预算.pdf")
    assert (doc.region, doc.department, doc.fiscal_year, doc.budget_scope) == ("重庆市", "重庆市商务委员会", 2026, "department")
    assert doc.doc_type == "budget"
    assert tables["general_public_budget_expenditure"].title == "2026年一般公共预算支出情况表"
    assert doc.tables_found == doc.tables_expected == 7 and doc.tables_missing is None
    # page 16 (表五): 总计 | 基本支出 (小计, 人员经费, 公用经费) | 项目支出
    assert _cell(cells, "general_public_budget_expenditure", "total", code="201", page=16).value == Decimal("16604.23")
    assert _cell(cells, "general_public_budget_expenditure", "basic", code="201").value == Decimal("8964.13")
    assert _cell(cells, "general_public_budget_expenditure", "project", code="201").value == Decimal("7640.10")
    assert _cell(cells, "general_public_budget_expenditure", "total", row="合计").value == Decimal("101833.84")
    for key in ("expenditure", "general_public_budget_expenditure", "general_public_budget_basic_expenditure"):
        assert _identity_errors(findings, key) == [], key
    # 基本支出 split into 人员经费 | 公用经费 (contract extension): read, and basic = personnel + public holds
    assert _cell(cells, "general_public_budget_expenditure", "personnel", code="201").value == Decimal("7038.54")
    assert _cell(cells, "general_public_budget_expenditure", "public", code="201").value == Decimal("1925.58")
    assert _cell(cells, "general_public_budget_expenditure", "public", row="合计").value == Decimal("9024.98")
    _read_cleanly(doc, findings)  # its identities miss by a cent here and there (rounding warnings), none fails
    assert _published_errors(findings) == set()



def test_chongqing_income_figures_in_neighbouring_cells_are_read_apart():
    """Page 9 (表二): its digit font boxes every glyph a full em wide, so a figure's last digit reached over
    the column rule into the next cell's figure ("174,900.64101,833.8441,534.73"); the glyph ending a figure
    is cut at the font's advance, and the header's 政府性基金预算拨款收入 / 国有资本经营预算拨款收入 name
    their columns: the ruled grid is read on all three pages and every identity holds."""
    doc, tables, cells, findings = _read("chongqing_重庆市商务委员会2026年部门预算.pdf")
    income = tables["income"]
    assert (income.pages, income.status, income.engine) == ((9, 10, 11), "ok", "pdfplumber-lines")
    total = {c.col: c.value for c in cells if c.table == "income" and c.row == "合计"}
    assert total == {"total": Decimal("174900.64"), "general_public_budget": Decimal("101833.84"),
                     "government_fund": Decimal("41534.73"), "special_account": Decimal("22070.82"),
                     "business": Decimal("2461.25"), "operating": Decimal("6282.98"), "other": Decimal("717.01")}
    assert _cell(cells, "income", "total", code="201").value == Decimal("23103.76")
    assert _cell(cells, "income", "general_public_budget", code="201").value == Decimal("16604.23")
    # page 10: 238.00 and 41,534.73 side by side in 215's row
    assert _cell(cells, "income", "general_public_budget", code="215").value == Decimal("238.00")
    assert _cell(cells, "income", "government_fund", code="215").value == Decimal("41534.73")
    assert _cell(cells, "income", "total", code="2210201", page=11).value == Decimal("1947.94")
    assert "income" not in (doc.doubtful_tables or "")
    assert not [f for f in findings if f.table == "income" and (f.rule == DOUBTFUL_RULE or f.severity == "error")]
    assert not [f for f in findings if f.table == "income" and "doubtful" in f.message]

def test_chongqing_procurement_total_split_by_funding_source():
    """Page 24 (表九 政府采购预算明细表): 总计 | 一般公共预算拨款收入 | … | 其他收入. The 合计 row's sources are
    read under the income table's keys and amount = sum of the sources holds."""
    doc, tables, cells, findings = _read("chongqing_重庆市商务委员会2026年部门预算.pdf")
    procurement = tables["government_procurement"]
    assert (procurement.pages, procurement.status) == ((24,), "ok")
    total = {c.col: c.value for c in cells if c.table == "government_procurement"}
    assert total == {"amount": Decimal("6546.82"), "general_public_budget": Decimal("5499.84"),
                     "special_account": Decimal("746.83"), "business": Decimal("208.00"),
                     "operating": Decimal("10.00"), "other": Decimal("82.15")}
    assert {c.row for c in cells if c.table == "government_procurement"} == {"合计"}
    assert not [f for f in findings if f.table == "government_procurement" and f.severity in ("warning", "error")]
    assert doc.status == "ok"


def test_chongqing_narrative_figures_in_a_font_without_usable_widths_are_read_whole():
    """Its digit font boxes every glyph a full em wide: boxes are cut at the next glyph's origin, so
    "890.97" is one figure, not "809" and ".97" on lines of their own."""
    doc, tables, cells, findings = _read("chongqing_重庆市商务委员会2026年部门预算.pdf")
    facts = _dataset("chongqing_重庆市商务委员会2026年部门预算.pdf").facts
    assert any(f.value == Decimal("890.97") and "三公" in f.text for f in facts)
    assert not any(f.value == Decimal("809") for f in facts)

    # 收支总表's 一般公共预算资金 101,833.84 counts its 上年结转 2,513.30 (财政拨款总表: 本年 99,320.55): said, not an error
    carried = [f for f in findings if f.rule == "cross.fiscal_vs_gpb"]
    assert [(f.severity, f.row) for f in carried] == [("info", "一般公共预算资金")]
    assert "99320.55 + 上年结转 2513.30" in carried[0].message
    # "一般公共预算财政拨款支出 101,833.84 万元…。其中：基本支出 43,436.09 万元…；项目支出 58,397.75 万元": the general
    # public budget's parts (the 其中 sentence read with the one before), matching its table; no narrative error left
    parts = {(f.metric, f.subject, f.value) for f in facts}
    assert ("budget_basic_expenditure", "一般公共预算", Decimal("43436.09")) in parts
    assert ("budget_gpb_project", "一般公共预算", Decimal("58397.75")) in parts
    assert [f for f in findings if f.severity == "error"] == []
    assert any(f.value == Decimal("7686.68") and "社会保障和就业支出" in f.text for f in facts)
    assert doc.narrative_matched >= 20  # was 0 of 61 when the numbers came apart
    three = [f for f in findings if f.rule == "budget.narrative.table" and f.table == "three_public_expenses"]
    assert [f for f in three if f.severity == "error"] == []


def test_guangzhou_budget_codes_in_brackets_and_titles_with_qualifiers():
    doc, tables, cells, findings = _read("guangzhou_广州市人民政府办公厅2026年部门预算.pdf")
    assert (doc.region, doc.fiscal_year, doc.budget_scope) == ("广州市", 2026, "department")
    assert (doc.department, doc.doc_type) == ("广州市人民政府办公厅", "budget")
    assert tables["general_public_budget_expenditure"].title == "一般公共预算支出情况表（按功能分类科目）"
    assert doc.tables_found == doc.tables_expected == 7 and doc.tables_missing is None
    # page 12 (表5): [2010301]行政运行 6,853.85 | 6,853.85 | 0.00
    assert _cell(cells, "general_public_budget_expenditure", "total", code="2010301", page=12).value == Decimal("6853.85")
    assert _cell(cells, "general_public_budget_expenditure", "project", code="2010302").value == Decimal("1394.83")
    assert _cell(cells, "general_public_budget_expenditure", "total", row="合计").value == Decimal("16410.71")
    assert doc.identity_errors == 0
    # page 7 (表2): sources under 财政拨款收入 / 财政专户拨款收入 / 其他资金收入, each its own column
    assert _cell(cells, "income", "general_public_budget", row="合计").value == Decimal("16410.71")
    for col in ("government_fund", "special_account_tuition", "business", "superior_subsidy", "carryover_prior_year"):
        assert _cell(cells, "income", col, row="合计").value == 0, col
    assert tables["income"].status == "ok"
    # pages 14-15 (表6): 部门预算支出经济科目 | 预算 read from the ruled grid, each row with its code; page 16
    # (表7 一般公共预算项目支出情况表, not a table of the contract) is not a page of it
    basic = "general_public_budget_basic_expenditure"
    assert (tables[basic].pages, tables[basic].engine, tables[basic].status) == ((14, 15), "pdfplumber-lines", "ok")
    assert _cell(cells, basic, "amount", row="合计").value == Decimal("14913.65")
    assert _cell(cells, basic, "amount", code="30217", page=14).value == Decimal("11.26")
    assert _cell(cells, basic, "amount", code="30399", page=15).value == Decimal("0.08")
    assert not [c for c in cells if c.table == basic and c.code is None and c.row != "合计"]
    assert _identity_errors(findings, basic) == []
    _read_cleanly(doc, findings)
    assert _published_errors(findings) == set()


def test_beijing_budget_tables_in_wanyuan_with_six_decimals():
    """~15 s (21 dense landscape and portrait pages), shared with test_performance_budgets.py's Beijing forms."""
    doc, tables, cells, findings = _read("beijing_北京市审计局2026年度部门预算报表.pdf")
    assert (doc.region, doc.department, doc.fiscal_year, doc.doc_type) == ("北京市", "北京市审计局", 2026, "budget")
    assert doc.tables_found == doc.tables_expected == 7  # 预算01表 收支总表 … 预算10表 政府采购预算明细表
    assert doc.tables_missing is None
    # page 5 (预算05表): 2010801 行政运行 4,952.850016 | 小计 4,697.043616 | 项目支出总数 255.806400; the
    # department prints its units one after the other without naming them: 2010801 comes again (13,007.966442)
    total = _cell(cells, "general_public_budget_expenditure", "total", code="2010801", times=2, page=5)
    assert (total.value, total.value_printed) == (Decimal("4952.850016"), "4,952.850016")
    assert _cell(cells, "general_public_budget_expenditure", "basic", code="2010801", times=2).value == Decimal("4697.043616")
    assert _cell(cells, "general_public_budget_expenditure", "project", code="2010801").value == Decimal("255.806400")
    for key in ("general_public_budget_basic_expenditure", "fiscal_appropriation_summary", "income"):
        assert _identity_errors(findings, key) == [], key
    # page 2 (预算02表): 合计 = 本年收入 小计 + 上年结转结余 小计, the carry-over by source under it
    assert _cell(cells, "income", "income_this_year", row="合计", page=2).value == Decimal("32380.090089")
    assert _cell(cells, "income", "other", row="合计").value == Decimal("15.000000")  # under 其他收入 (x 503-527)
    assert _cell(cells, "income", "carryover_prior_year", row="合计").value == Decimal("471.963743")
    assert _cell(cells, "income", "carryover_general_public_budget", row="合计").value == Decimal("436.846550")
    assert _cell(cells, "income", "carryover_unit_funds", row="合计").value == Decimal("35.117193")
    assert tables["income"].status == "ok"
    # page 3 (预算03表): rows by function and economic class (支出功能分类科目 | 政府支出经济分类科目 | 部门支出经济分类科目),
    # one function code on many rows; 2010801 … 30299 其他商品和服务支出 721.198480 = 465.392080 + 255.806400
    row = "行政运行/50299-其他商品和服务支出/30299-其他商品和服务支出"
    assert _cell(cells, "expenditure", "total", code="2010801", row=row).value == Decimal("721.198480")
    assert _cell(cells, "expenditure", "basic", code="2010801", row=row).value == Decimal("465.392080")
    assert _cell(cells, "expenditure", "project", code="2010801", row=row).value == Decimal("255.806400")
    assert _cell(cells, "expenditure", "total", row="合计").value == Decimal("32852.053832")
    assert tables["expenditure"].engine == "pdfplumber-lines"  # its ruled grid, the header under 其中 read
    # page 6 (预算06表): the same two economic classifications label the rows (50101-工资奖金津补贴 | 30101-基本工资)
    assert _cell(cells, "general_public_budget_basic_expenditure", "personnel", code="50101",
                 row="工资奖金津补贴/30101-基本工资").value == Decimal("3138.093600")
    assert _cell(cells, "general_public_budget_basic_expenditure", "public", row="合计").value == Decimal("1672.857085")
    # page 5: 项目支出 › 扣除基建项目后预算数 (contract extension) beside 项目支出总数
    assert _cell(cells, "general_public_budget_expenditure", "project_excl_capital_construction",
                 row="合计").value == Decimal("7583.399054")
    # page 9 (预算09表): 因公出国（境）费用 and 公务用车购置及运行维护费 › 小计 | 公务用车购置费 | 公务用车运行维护费
    three = {c.col: c.value for c in cells if c.table == "three_public_expenses"}
    assert three == {"total_budget": Decimal("244.848000"), "overseas_budget": Decimal("173.520000"),
                     "reception_budget": Decimal("6.000000"), "vehicle_budget": Decimal("65.328000"),
                     "vehicle_purchase_budget": Decimal("37.380000"), "vehicle_operation_budget": Decimal("27.948000")}
    assert not doc.doubtful_tables and doc.identity_errors == 0
    assert [f for f in findings if f.rule == DOUBTFUL_RULE or is_identity(f) and f.severity != "info"] == []
    assert all(t.status == "ok" for t in tables.values()), {k: t.note for k, t in tables.items() if t.status != "ok"}
    _read_cleanly(doc, findings)
    assert _published_errors(findings) == set()


def test_hangzhou_budget_titles_with_level_prefix():
    """~15 s (37 pages), shared with test_performance_budgets.py's Hangzhou forms."""
    doc, tables, cells, findings = _read("hangzhou_杭州市公安局2026年部门预算.pdf")
    assert (doc.region, doc.department, doc.budget_scope) == ("杭州市", "杭州市公安局", "department")
    assert (doc.fiscal_year, doc.doc_type) == (2026, "budget")
    assert tables["income_expenditure_summary"].title == "表1：2026年市级部门收支预算总表"
    assert doc.tables_found == doc.tables_expected == 7 and doc.tables_missing is None
    # page 20: 三、事业收入 18,536.88 | 行政运行 260,448.73
    assert _cell(cells, "income_expenditure_summary", "amount", row="事业收入", side="income",
                 page=20).value == Decimal("18536.88")
    assert _cell(cells, "income_expenditure_summary", "amount", row="行政运行",
                 side="expenditure").value == Decimal("260448.73")
    assert _identity_errors(findings, "fiscal_appropriation_summary") == []
    # page 20: no level is marked (一般公共服务支出 › 其他一般公共服务支出 › 其他一般公共服务支出 …, one indentation):
    # the 类 rows are the top level by the table's own arithmetic, 本年支出合计 = their sum
    assert [m for m in _identity_errors(findings, "income_expenditure_summary") if "本年收入合计 = " in m
            or "本年支出合计 = " in m] == []
    nested = _nested(findings, "income_expenditure_summary")
    assert len(nested) == 2 and "公共安全支出 ⊃ 公安" in nested[1] and "7 top-level rows" in nested[1]
    # page 23 (表3): 基本支出 › 人员支出 | 日常公用支出 (contract extension)
    assert _cell(cells, "expenditure", "personnel", row="行政运行").value == Decimal("214442.42")
    assert _cell(cells, "expenditure", "public", row="行政运行").value == Decimal("46006.31")
    # page 29 (表7): its column-number row (** | 1 | 2 … 6) is layout, not a row of values
    assert not [c for c in cells if c.table == "three_public_expenses" and c.row == "**"]
    assert _cell(cells, "three_public_expenses", "total_budget", row="合计", page=29).value == Decimal("4112.82")
    assert _identity_errors(findings, "three_public_expenses") == []
    # page 27 (表6): 日常公用支出 is the 公用经费 column
    assert _cell(cells, "general_public_budget_basic_expenditure", "public", row="合计").value == Decimal("46733.64")
    _read_cleanly(doc, findings)
    assert _published_errors(findings) == set()


def test_hangzhou_numbers_wrapped_in_their_cell_and_a_row_cut_by_the_page_break():
    doc, tables, cells, findings = _read("hangzhou_杭州市公安局2026年部门预算.pdf")
    # page 21 (表2): 事业收入 printed "18,536.8" over "8" in its cell: one value, and the ruled grid is read first time
    assert _cell(cells, "income", "business", row="合计", page=21).value == Decimal("18536.88")
    # 本年收入 › 小计 and 上年结转结余 › 小计: the group header names each 小计 (no two totals)
    assert _cell(cells, "income", "total", row="合计").value == Decimal("404415.23")
    assert _cell(cells, "income", "income_this_year", row="合计").value == Decimal("400391.78")
    assert _cell(cells, "income", "carryover_prior_year", row="合计").value == Decimal("4023.45")
    # pages 21-22: "杭州市机动 … 12,437.3" / "车驾驶员考试服务中心 … 6": one row, 14,549.64 = 12,437.36 + 2,112.28
    row = "杭州市机动车驾驶员考试服务中心"
    assert _cell(cells, "income", "business", row=row).value == Decimal("12437.36")
    assert _cell(cells, "income", "other", row=row).value == Decimal("2112.28")
    assert not [c for c in cells if c.table == "income" and c.row in ("杭州市机动", "车驾驶员考试服务中心")]
    # page 23 (表3) and page 26 (表5): 106,512.0 / 0 and 370,219.2 / 5 in their cells
    assert _cell(cells, "expenditure", "project", row="合计").value == Decimal("106512.00")
    assert _cell(cells, "general_public_budget_expenditure", "total", row="合计").value == Decimal("370219.25")
    assert _cell(cells, "general_public_budget_expenditure", "basic", row="行政运行").value == Decimal("260448.73")
    for key in ("income", "expenditure", "general_public_budget_expenditure"):
        assert tables[key].status == "ok" and tables[key].engine == "pdfplumber-lines", key
        assert _identity_errors(findings, key) == [], key
    assert not [f for f in findings if f.rule in (DOUBTFUL_RULE, "cross.summary_vs_detail") and f.severity != "info"]
    # page 19 lists the titles of 表7-表11 (no table): not copies; 表10 (项目支出) does not continue 表9 (empty)
    assert tables["state_capital"].pages == (31,) and not tables["state_capital"].has_data
    assert doc.status == "ok" and doc.error is None and not doc.doubtful_tables and doc.identity_errors == 0
    # page 14: "截至2025年12月31日，本部门共有车辆…" in a 2026 budget is the year before's end, as budgets state it
    assert not [f for f in findings if f.rule == "structure.year"]


def test_shenzhen_budget_on_pages_of_three_sizes():
    doc, tables, cells, findings = _read("shenzhen_深圳市统计局2026年部门预算.pdf")
    assert (doc.region, doc.department, doc.fiscal_year, doc.doc_type) == ("深圳市", "深圳市统计局", 2026, "budget")
    assert doc.tables_found == doc.tables_expected == 7 and doc.tables_missing is None
    # page 27 (表7): 201 一般公共服务支出 3,478.72 | 2,357.92 | 1,120.80 under 支出总计 / 基本支出 / 项目支出
    assert _cell(cells, "general_public_budget_expenditure", "total", code="201", page=27).value == Decimal("3478.72")
    assert _cell(cells, "general_public_budget_expenditure", "basic", code="201").value == Decimal("2357.92")
    assert _cell(cells, "general_public_budget_expenditure", "project", code="201").value == Decimal("1120.80")
    assert tables["three_public_expenses"].pages == (32,)  # the 1446-point-wide page
    assert _identity_errors(findings, "general_public_budget_expenditure") == []
    # pages 16-17 (表1): 一、财政拨款 5,417.80 › 1.一般公共预算拨款 5,417.80; 一、一般公共服务支出 › 统计信息事务 › 行政运行 …
    # (款 and 项 unnumbered): the group rows are counted once, by the table's arithmetic
    for key in ("income_expenditure_summary", "fiscal_appropriation_summary", "income", "expenditure"):
        assert _identity_errors(findings, key) == [], key
    assert len(_nested(findings, "income_expenditure_summary")) == 2
    assert doc.identity_errors == 0 and not doc.doubtful_tables
    # page 18 (表2): every source has its column (上级补助收入, 单位资金's parts, 上年结余、结转)
    assert _cell(cells, "income", "general_public_budget", row="深圳市统计局（本级）", page=18).value == Decimal("5417.80")
    for col in ("superior_subsidy", "affiliated_remittance", "special_account", "carryover_prior_year"):
        assert _cell(cells, "income", col, row="深圳市统计局（本级）").value == 0, col
    # page 19 (表3): the 政府采购 share columns are their own, not the total (201: 3,478.72 | … | 94.28)
    assert _cell(cells, "expenditure", "total", code="201").value == Decimal("3478.72")
    assert _cell(cells, "expenditure", "procurement", code="201").value == Decimal("94.28")
    assert tables["expenditure"].status == "ok" and tables["income"].status == "ok"
    # page 32 (表9): each 三公 category split by fund (一般公共预算 | 政府性基金预算 | 国有资本经营预算), rows by 年度;
    # 2026年: 总计 32.56 = 因公出国(境)费 16.80 + 公务接待费 11.56 + 公务用车 小计 4.20 (购置 0.00 + 运行维护 4.20)
    assert tables["three_public_expenses"].status == "ok" and tables["three_public_expenses"].n_cells == 54
    year = {c.col: c.value for c in cells if c.table == "three_public_expenses" and c.row == "2026年"}
    assert {k: v for k, v in year.items() if k.endswith("_general_public")} == {
        "total_budget_general_public": Decimal("32.56"), "overseas_budget_general_public": Decimal("16.80"),
        "reception_budget_general_public": Decimal("11.56"), "vehicle_budget_general_public": Decimal("4.20"),
        "vehicle_purchase_budget_general_public": Decimal("0.00"), "vehicle_operation_budget_general_public": Decimal("4.20")}
    assert len(year) == 18 and all(v == 0 for k, v in year.items() if not k.endswith("_general_public"))
    assert _cell(cells, "three_public_expenses", "total_budget_general_public", row="增减变化金额").value == Decimal("-27.07")
    # 2025年 prints 59.62 for 43.87 + 11.56 + 4.20 = 59.63 (its note: 尾数误差): a rounding warning, no error
    assert [f.severity for f in findings if f.table == "three_public_expenses"] == ["warning"]
    assert doc.status == "ok" and doc.fully_read
    _read_cleanly(doc, findings)
    assert _published_errors(findings) == set()


def test_xian_narrative_only_budget_is_known_but_not_fully_read():
    doc, tables, cells, findings = _read("xian_西安市发展和改革委员会2019年预算说明.pdf")
    assert (doc.doc_type, doc.region, doc.department, doc.fiscal_year) == ("budget", "西安市", "西安市发展和改革委员会", 2019)
    assert tables == {} and doc.tables_found == 0 and doc.fully_read is False
    # (a) a budget's explanation without its tables (published apart): every table of the family is said missing
    assert doc.tables_expected == 7 and set(doc.tables_missing.split(";")) == set(BUDGET_CORE)
    assert doc.status == "ok" and cells == []
    # (b) its figures are read as narrative, each with its page: p. 21 "本部门人员编制138人，其中：行政编制118人、
    # 事业编制20人"; p. 22 "本部门所属预算单位共有车辆4辆"
    facts = {(f.page, f.subject, f.value, f.unit) for f in _dataset("xian_西安市发展和改革委员会2019年预算说明.pdf").facts}
    assert {(21, "人员编制", Decimal("138"), "人"), (21, "行政编制", Decimal("118"), "人"),
            (21, "事业编制", Decimal("20"), "人")} <= facts
    vehicles = [f for f in _dataset("xian_西安市发展和改革委员会2019年预算说明.pdf").facts if f.metric == "budget_vehicles_total"]
    assert [(f.page, f.value, f.unit) for f in vehicles] == [(22, Decimal("4"), "辆")]
    # (c) no table, so no identity to fail: the document says so (info), nothing else
    _read_cleanly(doc, findings)
    assert [f.severity for f in findings if f.severity != "info"] == []


def test_guangzhou_performance_targets_only_read_in_full_without_budget_tables():
    """A PDF of 70 项目支出绩效目标表 only (shared with test_performance_pdf.py, which scores some forms)."""
    name = "guangzhou_广州市政务服务和数据管理局2026年项目支出绩效目标表.pdf"
    doc, tables, cells, findings = _read(name)
    assert (doc.region, doc.department, doc.fiscal_year, doc.doc_type) == ("广州市", "广州市政务服务和数据管理局", 2026, "budget")
    # (a) no budget table is expected of it: its forms are what it prints, and they are read
    assert doc.performance_only and (doc.tables_expected, doc.tables_missing, doc.fully_read) == (None, None, True)
    assert tables == {} and cells == [] and doc.status == "ok"
    ds = _dataset(name)
    assert (len(ds.forms), len(ds.indicators)) == (70, 404)
    # (b) page 2: 办公、业务用房租赁经费 542.96 (财政拨款 542.96); its rows ≧4次 and ≤970.92万元
    rent = next(f for f in ds.forms if f.project == "办公、业务用房租赁经费")
    assert (rent.pages, rent.funds_total, rent.funds_fiscal) == ((2,), Decimal("542.96"), Decimal("542.96"))
    rows = {i.indicator: i for i in ds.indicators if i.form_id == rent.form_id}
    count, cost = rows["“穗智管”业务场地举行业务活动数量"], rows["场地租赁费成本控制"]
    assert (count.page, count.target_text, count.target_op, count.target_value, count.target_unit) == (
        2, "≧4次", ">=", Decimal(4), "次")
    assert (cost.page, cost.target_op, cost.target_value, cost.target_unit) == (2, "<=", Decimal("970.92"), "万元")
    # (c) nothing read doubtfully, no error
    _read_cleanly(doc, findings)
    assert [f for f in findings if f.severity != "info"] == []


CHANGSHA = "changsha_长沙市市场监督管理局绩效评价结果_scanned.pdf"


@pytest.mark.slow  # ~80 s and more: six scanned pages OCR'd; the default suite OCRs one sheet of it (test_performance_report.py)
def test_changsha_scanned_evaluation_report_is_read_as_narrative():
    doc, tables, cells, findings = _read(CHANGSHA)
    assert (doc.region, doc.department, doc.fiscal_year, doc.doc_type) == ("长沙市", "长沙市市场监督管理局", 2022, "final_accounts")
    # (a) a performance evaluation in prose: no form or table is expected of it, and it says what it is
    assert doc.performance_only and doc.status == "partial" and doc.pages == 6
    assert doc.error == ("its title names a performance document (final_accounts): an evaluation report in prose, "
                         "printing no performance form or score table; its conclusion states 评价得分 85.1分, "
                         "评价等级 良 (page 6); its figures are read as narrative")
    assert tables == {} and cells == [] and not _dataset(CHANGSHA).forms
    # (b) its figures from the OCR'd text, each with its page
    facts = {(f.page, f.subject, f.value, f.unit) for f in _dataset(CHANGSHA).facts}
    assert (1, "市财政安排市市场监管局项目年初预算", Decimal("12954.16"), "万元") in facts
    assert (6, "综合评价得分", Decimal("85.1"), "分") in facts
    assert all(f.source == "ocr" for f in _dataset(CHANGSHA).facts)
    # (c) no table, so no identity: the document says so (info), nothing else
    _read_cleanly(doc, findings)
    assert [(f.rule, f.severity) for f in findings] == [("structure.table.missing", "info")]


# ---- trust without a golden file ---------------------------------------------------------------------------

def test_guangzhou_three_public_printed_transposed_by_source():
    """Page 17 (表8): 行政经费 / “三公”经费 / （一）因公出国（境）支出 … as rows under 合计 | 一般公共预算 | 政府性基金预算 |
    国有资本经营预算: 合计 gives the 三公 keys (all funds, as Shenzhen's 总计), each fund the keys by fund."""
    from dataclasses import replace

    from pipeline.assemble import check_dataset

    doc, tables, cells, findings = _read("guangzhou_广州市人民政府办公厅2026年部门预算.pdf")
    three = "three_public_expenses"
    assert tables[three].status == "ok" and tables[three].n_cells == 28
    assert {c.row for c in cells if c.table == three} == {"三公经费"}
    printed = {"total_budget": "226.86", "overseas_budget": "215.60", "reception_budget": "11.26",
               "vehicle_budget": "0.00", "vehicle_purchase_budget": "0.00", "vehicle_operation_budget": "0.00",
               "administrative_budget": "1443.41", "administrative_budget_general_public": "1443.41",
               "total_budget_general_public": "226.86", "overseas_budget_general_public": "215.60",
               "reception_budget_government_fund": "0.00", "total_budget_state_capital": "0.00"}
    for col, value in printed.items():
        assert _cell(cells, three, col).value == Decimal(value), col
    assert _cell(cells, three, "administrative_budget").value_printed == "1,443.41"
    assert not [f for f in findings if f.table == three and f.severity != "info"]
    assert doc.doubtful_tables is None and doc.status == "ok"
    # the narrative's “三公”经费 226.86 (p. 24) is the 三公 total, not the 行政经费 row
    assert not [f for f in findings if f.rule == "budget.narrative.table" and f.severity == "error"]
    # the identities over the sources are checked: a source's category changed breaks its 合计 and its total
    ds = _dataset("guangzhou_广州市人民政府办公厅2026年部门预算.pdf")
    bad = [c.model_copy(update={"value": Decimal("1")}) if c.table == three and c.col == "overseas_budget_government_fund"
           else c for c in ds.cells]
    broken = check_dataset(replace(ds, cells=bad)).findings
    assert {f.col for f in broken if f.rule == "table.sum.row_total" and f.table == three} == {
        "overseas_budget", "total_budget_government_fund"}


def test_a_failing_identity_on_a_table_not_read_in_full_is_doubtful_not_a_published_error():
    from pipeline.dataset import Dataset
    from pipeline.quality import DOUBTFUL_PREFIX, assess
    from schemas.records import DocStatus, Document, Finding, TableRecord

    doc = Document(doc_id="d", file_name="x.pdf", sha256="0" * 64, status=DocStatus.OK, doc_type="budget")
    tables = [TableRecord(doc_id="d", table="income", title="t", pages=(3,), has_data=True, n_cells=4, status="partial",
                          note="page 3: values under unrecognised column header '单位资金' not read"),
              TableRecord(doc_id="d", table="expenditure", title="t", pages=(4,), has_data=True, n_cells=4)]
    errors = [Finding(doc_id="d", rule="table.sum.row_total", severity="error", message="m", table=t)
              for t in ("income", "expenditure")]
    out = assess(Dataset([doc], tables, [], [], errors))
    by_table = {f.table: f for f in out.findings if f.rule == "table.sum.row_total"}
    assert by_table["income"].severity == "warning" and by_table["income"].message == DOUBTFUL_PREFIX + "m"
    assert by_table["expenditure"].severity == "error"  # read in full: the document disagrees with itself
    assert [f.table for f in out.findings if f.rule == DOUBTFUL_RULE] == ["income"]
    d = out.documents[0]
    assert (d.doubtful_tables, d.identity_errors, d.tables_found, d.fully_read) == ("income", 1, 2, False)
    assert d.tables_missing is not None and "three_public_expenses" in d.tables_missing


def test_header_words_wrapped_over_rows_and_share_columns():
    from extractors.headers import classify_column

    # Hangzhou 表2: 其他 / 收入 and 事业单 / 位经营 / 收入 (the last line a bare 收入)
    assert classify_column(["其他", "收入"], "income", "budget").key == "other"
    assert classify_column(["事业单", "位经营", "收入"], "income", "budget").key == "operating"
    assert classify_column(["上年结转结余", "政府性", "基金预", "算"], "income", "budget").key == "carryover_government_fund"
    # Shenzhen 表3: the 政府采购 subtotal and its 其中 share, never the row's total
    assert classify_column(["2026年政府采购项目", "小计"], "expenditure", "budget").key == "procurement"
    assert classify_column(["2026年政府采购项目", "其中：2026年政府采购项目中预留给中小企业的项目资金规模"], "expenditure",
                           "budget").key == "procurement_sme_reserved"


def test_survey_groups_by_family_and_city():
    docs = [_read(n)[0] for n in ("central_国家信访局2024年度部门决算.pdf", "shanghai_上海市信访局2026年单位预算.pdf")]
    text = "\n".join(survey_lines(docs, {docs[0].doc_id: 3.0, docs[1].doc_id: 1.0}))
    assert "final_accounts" in text and "budget" in text and "上海市" in text
    assert text.index("central_") < text.index("shanghai_")  # slowest first
    assert city_of("上海市普陀区") == "上海市" and city_of("江苏省") == "江苏省" and city_of(None).startswith("(")
