"""Numbers wrapped onto a second line inside their cell, and rows cut by a page break (extractors/wrapped_numbers.py,
extractors/split_rows.py): on the rules, on a generated ruled table and on Hangzhou's 2026 budget."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from extractors.tables import TableReader
from extractors.wrapped_numbers import continues, fills, join_wrapped, number_format
from tests.conftest import SHARED

HANGZHOU = SHARED / "corpus" / "other_cities" / "hangzhou_杭州市公安局2026年部门预算.pdf"


# ---- the rules ------------------------------------------------------------------------------------------------

def test_the_number_format_is_what_most_amounts_print():
    assert number_format(["1,234.56", "7.00", "18,536.8", "1", "2", "3", "4"]) == 2  # column numbers say nothing
    assert number_format(["1,234", "56,789", "3.5"]) == 0
    assert number_format(["1.5", "2.25"]) is None  # no majority
    assert number_format(["合计", "1", "2"]) is None


def test_a_cut_number_is_joined_only_into_the_grid_format():
    assert continues("18,536.8", "8", 2) == "18,536.88"
    assert continues("106,512.0", "0", 2) == "106,512.00"
    assert continues("18,536.", "88", 2) == "18,536.88"
    assert continues("1,234,56", "7", 0) == "1,234,567"  # broken groups of three
    assert continues("1,234.56", "7", 2) is None  # the head is whole: two amounts, not one
    assert continues("12", "3", 0) is None  # nothing says it was cut
    assert continues("18,536.8", "88", 2) is None  # three decimals: not the format
    assert continues("18,536.8", "8", None) is None  # a grid without a format joins nothing
    assert continues("合计", "8", 2) is None and continues("18,536.8", "万元", 2) is None


def test_a_line_fills_its_cell_when_no_glyph_fits_beside_it():
    # Hangzhou p. 21: "18,536.8" (8 glyphs) at 378.5-410.5 in a cell at 372.8-413.4
    assert fills(378.5, 410.5, 8, (372.8, 413.4))
    assert not fills(394.5, 410.5, 4, (372.8, 413.4))  # "8.00" right-aligned: room on the left
    assert not fills(383.0, 403.0, 5, (360.0, 426.0))  # centred with room on both sides


def test_join_wrapped_needs_the_same_edge():
    box = (372.8, 413.4)
    assert join_wrapped([("18,536.8", 378.5, 410.5, 8), ("8", 406.5, 410.5, 1)], box, 2) == ["18,536.88"]
    assert join_wrapped([("18,536.8", 378.5, 410.5, 8), ("8", 390.0, 394.0, 1)], box, 2) == ["18,536.8", "8"]
    assert join_wrapped([("杭州市公安", 375.0, 410.0, 5), ("局", 375.0, 382.0, 1)], box, 2) == ["杭州市公安", "局"]


# ---- a generated ruled table ----------------------------------------------------------------------------------

PAD = 2.0  # points between a cell's rule and its text
SIZE = 9.0


def _table_pdf(path: Path, pages: list[list[list[list[str]]]]) -> Path:
    """A ruled 收入预算总表: per page, rows of cells, each cell its lines (right-aligned amounts). The 事业收入 column
    is just wide enough for "1,000.5": "1,000.56" wraps its last digit, as a spreadsheet prints it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    narrow = pdfmetrics.stringWidth("1,000.5", font, SIZE) + 2 * PAD
    widths = [70.0, 60.0, narrow, 60.0]
    xs = [50.0]
    for w in widths:
        xs.append(xs[-1] + w)
    c = canvas.Canvas(str(path), pagesize=(500, 400))
    for n, rows in enumerate(pages):
        if n == 0:
            c.setFont(font, 14)
            c.drawString(120, 370, "收入预算总表")
            c.setFont(font, SIZE)
            c.drawString(50, 352, "单位：万元")
        top = 340.0
        for row in rows:
            height = 6 + 11 * max(len(cell) for cell in row)
            for k, cell in enumerate(row):
                c.rect(xs[k], top - height, xs[k + 1] - xs[k], height)
                c.setFont(font, SIZE)
                for i, text in enumerate(cell):
                    y = top - 11 - 11 * i
                    if k == 0:
                        c.drawString(xs[k] + PAD, y, text)
                    else:
                        c.drawRightString(xs[k + 1] - PAD, y, text)
            top -= height
        c.showPage()
    c.save()
    return path


HEADER = [["单位名称"], ["总计"], ["事业", "收入"], ["其他收入"]]


def _read(path: Path) -> tuple[list, dict]:
    reader = TableReader("t")
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            reader.feed(n, page)
    result = reader.finish("budget")
    return result.tables, {(c.row, c.col): (c.value, c.page) for c in result.cells}


def test_a_wrapped_number_in_a_ruled_cell_and_one_cut_by_the_page_break(tmp_path: Path):
    pdf = _table_pdf(tmp_path / "wrapped.pdf", [
        [HEADER,
         [["合计"], ["3,469.12"], ["3,000.5", "6"], ["468.56"]],
         [["甲单位"], ["1,234.56"], ["1,000.0", "0"], ["234.56"]],
         [["乙单位"], ["2,234.56"], ["2,000.5"], ["234.00"]]],
        [[["分部"], [], ["6"], []],
         [["丙单位"], ["10.00"], ["10.00"], []]],
    ])
    tables, cells = _read(pdf)
    (income,) = tables
    assert income.status == "ok" and income.engine == "pdfplumber-lines" and income.pages == (1, 2)
    assert cells[("合计", "business")] == (Decimal("3000.56"), 1)
    assert cells[("乙单位分部", "business")] == (Decimal("2000.56"), 1)  # the row's own page
    assert cells[("乙单位分部", "total")] == (Decimal("2234.56"), 1)
    assert cells[("丙单位", "business")] == (Decimal("10.00"), 2)
    assert not [k for k in cells if k[0] in ("乙单位", "分部")]


def test_whole_amounts_stacked_in_a_cell_are_never_joined(tmp_path: Path):
    # two whole amounts (rows printed without a rule between them) stay two: the grid is not read as if they were one
    pdf = _table_pdf(tmp_path / "stacked.pdf", [
        [HEADER,
         [["甲单位", "乙单位"], ["1,234.56", "2.00"], ["900.00", "2.00"], ["234.56", ""]]],
    ])
    _, cells = _read(pdf)
    assert Decimal("900.002") not in {v for v, _ in cells.values()}


def test_a_row_of_its_own_on_the_next_page_is_not_joined(tmp_path: Path):
    # the first row on page 2 prints a whole amount: a row of its own, whatever the last row of page 1 holds
    pdf = _table_pdf(tmp_path / "own_row.pdf", [
        [HEADER, [["乙单位"], ["2,234.56"], ["2,000.5"], ["234.00"]]],
        [[["丙单位"], ["6.00"], ["6.00"], []]],
    ])
    _, cells = _read(pdf)
    assert cells[("乙单位", "business")] == (Decimal("2000.5"), 1)
    assert cells[("丙单位", "business")] == (Decimal("6.00"), 2)


# ---- the real document ----------------------------------------------------------------------------------------

@pytest.mark.shared
def test_hangzhou_tables_with_wrapped_numbers_are_read_from_their_ruled_grid():
    """Pages 19-33 of Hangzhou's 2026 budget: 表2, 表3 and 表5 print amounts wrapped in their cells (18,536.8 / 8),
    表2 a row cut by the page break; page 19 lists the titles of 表7-表11; 表10 (项目支出) follows the empty 表9."""
    reader = TableReader("hz")
    with pdfplumber.open(HANGZHOU) as pdf:
        for n in range(19, 34):
            reader.feed(n, pdf.pages[n - 1])
    result = reader.finish("budget")
    tables = {t.table: t for t in result.tables}
    for key in ("income", "expenditure", "general_public_budget_expenditure"):
        assert tables[key].status == "ok" and tables[key].engine == "pdfplumber-lines", key
    assert tables["state_capital"].pages == (31,) and not tables["state_capital"].has_data
    assert result.problems == []  # no copy of a table on page 19, nothing unread
    cell = {(c.table, c.row, c.col): c.value for c in result.cells}
    # 表2 合计: 总计 = 本年收入 + 上年结转结余; 本年收入 = its sources (18,536.88 the wrapped one)
    income = {col: cell[("income", "合计", col)] for col in
              ("total", "income_this_year", "carryover_prior_year", "general_public_budget", "government_fund",
               "business", "other")}
    assert income["business"] == Decimal("18536.88")
    assert income["total"] == income["income_this_year"] + income["carryover_prior_year"] == Decimal("404415.23")
    assert income["income_this_year"] - (income["general_public_budget"] + income["government_fund"] + income["business"]
                                         + income["other"]) == Decimal("0.01")  # as printed: 400,391.78 vs parts .77
    # pages 21-22: 杭州市机动 / 车驾驶员考试服务中心, 12,437.3 / 6: 14,549.64 = 12,437.36 + 2,112.28
    row = "杭州市机动车驾驶员考试服务中心"
    assert cell[("income", row, "business")] == Decimal("12437.36")
    assert cell[("income", row, "income_this_year")] == cell[("income", row, "business")] + cell[("income", row, "other")]
    # 表3 合计: 404,415.23 = 250,110.65 + 47,792.58 + 106,512.0 / 0
    assert cell[("expenditure", "合计", "project")] == Decimal("106512.00")
    assert cell[("expenditure", "合计", "total")] == sum(
        cell[("expenditure", "合计", col)] for col in ("personnel", "public", "project"))
    # 表5 公共安全支出: 299,901.0 / 2 = 262,703.2 / 0 + 37,197.82
    gpb = "general_public_budget_expenditure"
    assert cell[(gpb, "公共安全支出", "total")] == Decimal("299901.02")
    assert cell[(gpb, "公共安全支出", "total")] == cell[(gpb, "公共安全支出", "basic")] + cell[(gpb, "公共安全支出", "project")]
