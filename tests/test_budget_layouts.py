"""Budget layouts of the Shanghai district and Jiangsu corpora that once left a table doubtful or unread:
each test reads one real document (../shared/corpus/budgets), checks the cells against the printed page
and that no doubtful reading or extraction-caused error is left — and that a figure the document itself
prints inconsistently stays an error finding.

Each document is extracted and checked once per session (``_read``).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from pipeline.assemble import check_dataset, dataset_of
from pipeline.extract import extract_document
from pipeline.quality import DOUBTFUL_RULE
from tests.conftest import SHARED

BUDGETS = SHARED / "corpus" / "budgets"
PUTUO = BUDGETS / "shanghai_putuo"
JIANGSU = BUDGETS / "jiangsu_province"


@cache
def _read(path):
    """(document, tables by key, cells, findings) of one shared document, checked."""
    ds = check_dataset(dataset_of([extract_document(path)]))
    return ds.documents[0], {t.table: t for t in ds.tables}, ds.cells, ds.findings


def _value(cells, table: str, col: str, code: str | None = None, row: str | None = None) -> Decimal:
    found = [c for c in cells if c.table == table and c.col == col and (code is None or c.code == code)
             and (row is None or c.row == row)]
    assert len(found) == 1, (table, col, code, row, found)
    return found[0].value


def _doubtful_or_errors(findings, table: str) -> list[str]:
    return [f.message for f in findings if f.table == table and (f.rule == DOUBTFUL_RULE or f.severity == "error"
                                                                  or "doubtful reading" in f.message)]


def test_economic_code_with_a_one_digit_kuan_in_its_own_column():
    """p. 29: 类 | 款 columns, 津贴补贴 and 绩效工资 printed 301 | 2 and 301 | 7 (the 款's leading zero dropped):
    30102 and 30107, so class 301 sums to its items."""
    doc, tables, cells, findings = _read(PUTUO / "上海市普陀区人民政府万里街道办事处24年预算.pdf")
    key = "general_public_budget_basic_expenditure"
    assert tables[key].status == "ok"
    assert _value(cells, key, "total", code="30102") == Decimal("1662.3810")  # 16,623,810 元
    assert _value(cells, key, "total", code="30107") == Decimal("1144.7100")
    assert _value(cells, key, "total", code="301") == Decimal("8828.2511")
    assert _doubtful_or_errors(findings, key) == []
    assert not doc.doubtful_tables


def test_published_housing_fund_misprint_stays_an_error():
    """p. 9, item 31 prints 住房公积金 350.35 万元 then "2024年预算安排352.67万元" (its +0.53% on 348.52 is
    350.35); the tables print 3,503,499 元 (pp. 26, 29). The document contradicts itself: both findings stay."""
    doc, tables, cells, findings = _read(PUTUO / "上海市普陀区人民政府万里街道办事处24年预算.pdf")
    errors = {(f.rule, f.expected, f.actual) for f in findings if f.severity == "error"}
    assert errors == {("budget.narrative.table", Decimal("350.3499"), Decimal("352.67")),
                      ("narrative.parts_sum.text", Decimal("15623.42"), Decimal("15621.11"))}


def test_published_housing_fund_misprint_in_the_justice_bureau_budget():
    """p. 9, item 12: 住房公积金 208.8 万元, then "2026年预算安排201.50万元" (+5.27% on 198.34 is 208.79); the
    tables print 2,087,959.00 元 (pp. 11, 13, 16, 19): a published inconsistency, kept as an error."""
    doc, tables, cells, findings = _read(PUTUO / "shpt_sfj_2026_budget.pdf")
    assert _value(cells, "general_public_budget_expenditure", "total", code="2210201") == Decimal("208.795900")
    errors = [(f.rule, f.expected, f.actual) for f in findings if f.severity == "error"]
    assert errors == [("budget.narrative.table", Decimal("208.795900"), Decimal("201.50"))]


def test_department_row_inside_the_grid_is_preamble():
    """p. 9: the title and 部门： | 江苏省人大常委会办公厅 | 单位：万元 are rows of the ruled grid; the header
    below them names every column (小计 under 公务用车购置及运行维护费 included)."""
    doc, tables, cells, findings = _read(JIANGSU / "江苏省人大办公厅_江苏省人大常委会办公厅2019年部门预算公开表.pdf")
    key = "three_public_expenses"
    assert (tables[key].status, tables[key].engine) == ("ok", "pdfplumber-lines")
    assert _value(cells, key, "grand_total_budget") == Decimal("2600.71")
    assert _value(cells, key, "total_budget") == Decimal("767.60")
    assert _value(cells, key, "vehicle_budget") == Decimal("183.60")
    assert _value(cells, key, "vehicle_operation_budget") == Decimal("183.60")
    assert _value(cells, key, "training_budget") == Decimal("363.38")
    assert _doubtful_or_errors(findings, key) == [] and not doc.doubtful_tables and doc.status == "ok"


def test_contents_listing_on_two_pages_is_not_where_the_tables_are():
    """The contents run from p. 1 onto p. 2 (十、… 十二、政府采购支出预算表); the tables are published in a
    separate file ("具体公开表样附后"): none is reported as found-but-unreadable."""
    doc, tables, cells, findings = _read(JIANGSU / "江苏省委办公厅_江苏省委办公厅2017年部门预算.pdf")
    assert tables == {} and doc.status == "ok" and doc.error is None
    assert doc.tables_found == 0


def test_two_tables_in_one_ruled_frame_and_contents_run_on():
    """p. 9 draws the end of 收支预算总表 and the whole 收入预算总表 in one frame, the second's title a row of
    it: cut there, the income list is read under its own header; p. 2's contents line is not a table."""
    doc, tables, cells, findings = _read(JIANGSU / "江苏省人大办公厅_江苏省人大办公厅2017年度预算公开.pdf")
    income = {c.row: c.value for c in cells if c.table == "income"}
    assert income == {"收入总计": Decimal("13649.07"), "一般公共预算资金/小计": Decimal("13649.07"),
                      "一般公共预算资金/公共财政拨款(补助)资金": Decimal("13649.07")}
    assert tables["income"].status == "ok"
    assert tables["government_procurement"].pages[0] == 20
    assert "printed again" not in (doc.error or "")
    assert [f for f in findings if f.rule == DOUBTFUL_RULE or f.severity == "error"] == []


def test_a_total_label_ruled_across_both_sides_labels_the_value_beside_it():
    """p. 9 ends 收支预算总表 with "收入合计 13,649.07 | 支出合计 13,649.07", its 支出合计 cell ruled across the
    功能分类 and 支出用途 label columns: it labels the 支出用途 amount beside it, and 收入合计 = 支出合计 is checked."""
    doc, tables, cells, findings = _read(JIANGSU / "江苏省人大办公厅_江苏省人大办公厅2017年度预算公开.pdf")
    totals = {(c.side, c.row, c.page): c.value for c in cells if c.table == "income_expenditure_summary" and c.page == 9}
    assert totals == {("income", "收入合计", 9): Decimal("13649.07"),
                      ("expenditure_by_use", "支出合计", 9): Decimal("13649.07")}
    assert doc.status == "ok" and "without label" not in (tables["income_expenditure_summary"].note or "")


def test_remap_gives_a_column_spanning_both_sides_labels_the_last_label_role():
    from extractors.headers import ColumnRole
    from extractors.tables import _Layout

    roles = [ColumnRole("label", None, "income"), ColumnRole("value", "amount", "income"),
             ColumnRole("label", None, "expenditure"), ColumnRole("value", "amount", "expenditure"),
             ColumnRole("label", None, "expenditure_by_use"), ColumnRole("value", "amount", "expenditure_by_use")]
    layout = _Layout(roles, [(58, 113), (113, 207), (207, 276), (276, 355), (355, 421), (421, 520)])
    wide = layout.remap([(58, 113), (113, 207), (207, 421), (421, 520)])
    assert wide is not None and wide.roles == [roles[0], roles[1], roles[4], roles[5]]
    assert wide.groups() == [[0, 1], [2, 3]]
    # a column over one side's label and value only: the role of the column its centre falls in, as before
    assert layout.remap([(58, 207), (207, 276), (276, 355), (355, 421), (421, 520)]).roles[0] == roles[1]


def test_text_drawn_below_the_page_is_not_a_table():
    """p. 11 shows 财政拨款支出预算表; its sheet runs on below the page's bottom edge (财政拨款基本支出预算表 and
    财政拨款政府性基金支出预算表, printed visibly on pp. 12-15): unseen, so not read as copies of those tables.
    The basic expenditure table's title and 单位：万元 are a grid of their own on p. 12, its header on p. 13."""
    doc, tables, cells, findings = _read(JIANGSU / "江苏省人大办公厅_江苏省人大办公厅2017年度预算公开.pdf")
    assert tables["fiscal_appropriation_expenditure"].pages == (11,)
    basic = tables["fiscal_appropriation_basic_expenditure"]
    assert (basic.pages[0], basic.unit_printed, basic.status) == (12, "万元", "ok")
    assert _value(cells, "fiscal_appropriation_basic_expenditure", "amount", code="30311") == Decimal("494.22")
    assert tables["government_fund"].pages == (15,)


def test_characters_outside_the_page_box_are_dropped():
    from types import SimpleNamespace

    from extractors.pages import drop_off_page

    def glyph(top: float) -> dict:
        return {"text": "1", "x0": 100.0, "x1": 106.0, "top": top, "bottom": top + 10}

    chars = [glyph(100.0), glyph(835.0), glyph(838.0), glyph(1500.0)]
    page = SimpleNamespace(chars=chars, bbox=(0, 0, 595.3, 841.9))
    assert drop_off_page(page) == 2  # centres at 840 (kept), 843 and 1505 (dropped)
    assert [c["top"] for c in page.chars] == [100.0, 835.0] and page.chars is chars


def test_government_fund_titled_by_its_source_is_found():
    """p. 15 (公开10表) prints 政府性基金预算财政拨款支出预算表 with its note 本部门无相关收支项目."""
    doc, tables, cells, findings = _read(JIANGSU / "江苏省人大办公厅_省人大办公厅2018预算公开.pdf")
    fund = tables["government_fund"]
    assert (fund.pages, fund.has_data, fund.status) == ((15,), False, "ok")
    assert doc.tables_found == doc.tables_expected == 7 and doc.tables_missing is None


def test_a_grid_is_cut_at_a_full_width_row_unless_a_cell_spans_the_cut():
    from extractors.grid import grid_from_cells, split_at_row

    def glyph(text: str, x: float, y: float) -> dict:
        return {"text": text, "x0": x, "x1": x + 8, "top": y, "bottom": y + 8, "size": 8.0}

    # rows 0-1: two columns; row 2: a full-width title; row 3: two columns
    boxes = [(0, 0, 50, 10), (50, 0, 100, 10), (0, 10, 50, 20), (50, 10, 100, 20), (0, 20, 100, 30),
             (0, 30, 50, 40), (50, 30, 100, 40)]
    grid = grid_from_cells(boxes, "test")
    chars = [glyph("A", 5, 1), glyph("9", 55, 11), glyph("T", 40, 21), glyph("B", 5, 31)]
    top, bottom = split_at_row(grid, 2, chars)
    assert (top.n_rows, bottom.n_rows) == (2, 2) and bottom.ys[0] == 20
    assert bottom.cell_at(0, 0).text == "T" and bottom.cell_at(1, 0).text == "B" and top.cell_at(1, 1).text == "9"
    spanning = grid_from_cells([*boxes[:2], (0, 10, 50, 30), (50, 10, 100, 20), (50, 20, 100, 30), *boxes[5:]], "test")
    assert split_at_row(spanning, 2, chars) is None
