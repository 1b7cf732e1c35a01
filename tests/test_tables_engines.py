"""The grid engines: camelot fallback where pdfplumber finds no grid, whitespace-aligned tables."""

from __future__ import annotations

from decimal import Decimal

import pdfplumber
import pytest

import extractors.tables as tables_module
from extractors.camelot_grid import camelot_grids
from extractors.grid import Line, ruled_grids
from extractors.tables import TableReader
from extractors.text_grid import text_grid
from tests.conftest import GOLDEN_PDF
from tests.test_tables import GOLDEN

INCOME_PAGE = 8  # the golden document's 收入决算表 (continued on page 9)


def _texts(grid) -> list[str]:
    return sorted(c.text for c in grid.cells if c.lines)


def test_camelot_lattice_gives_the_same_cells_as_pdfplumber() -> None:
    with pdfplumber.open(GOLDEN_PDF) as pdf:
        page = pdf.pages[INCOME_PAGE - 1]
        chars = page.chars
        (plumber,) = ruled_grids(page, chars)
        (lattice,) = camelot_grids(page, chars)
    assert lattice.engine == "camelot-lattice" and lattice.orphans == 0
    assert _texts(lattice) == _texts(plumber)
    assert (lattice.n_rows, lattice.n_cols) == (plumber.n_rows, plumber.n_cols)


def test_camelot_used_where_pdfplumber_finds_no_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    real = tables_module.ruled_grids

    def broken(page, chars):  # the title page's vector lines do not join into a grid
        return [] if page.page_number == INCOME_PAGE else real(page, chars)

    monkeypatch.setattr(tables_module, "ruled_grids", broken)
    reader = TableReader("t")
    with pdfplumber.open(GOLDEN_PDF) as pdf:
        for n in (INCOME_PAGE, INCOME_PAGE + 1):
            assert reader.feed(n, pdf.pages[n - 1])
    result = reader.finish()
    (income,) = result.tables
    assert income.table == "income" and income.pages == (8, 9)
    assert income.engine == "camelot-lattice+pdfplumber-lines"
    got = sorted((c.code or c.row, c.col, c.value, c.page) for c in result.cells)
    want = sorted(
        (c["code"] or c["row"], c["col"], Decimal(c["value"]), c["page"]) for c in GOLDEN["cells"] if c["table"] == "income"
    )
    assert got == want


def _line(top: float, *words: tuple[float, str], size: float = 9.0) -> Line:
    chars = []
    for x, text in words:
        for i, ch in enumerate(text):
            w = size if ord(ch) > 0x2E80 else size * 0.5
            x0 = x + sum((size if ord(c) > 0x2E80 else size * 0.5) for c in text[:i])
            chars.append({"text": ch, "x0": x0, "x1": x0 + w, "top": top, "bottom": top + size, "size": size})
    return Line(top, top + size, chars[0]["x0"], chars[-1]["x1"], chars)


def test_whitespace_aligned_table() -> None:
    lines = [
        _line(100, (60, "科目编码"), (160, "科目名称"), (330, "合计"), (400, "基本支出"), (480, "项目支出")),
        _line(120, (60, "201"), (160, "一般公共服务支出"), (320, "2,106.66"), (395, "1,503.52"), (475, "603.14")),
        _line(134, (160, "机关事业单位基本养老")),  # a label wrapped around its row (cell centred vertically)
        _line(140, (60, "2080505"), (340, "160.75"), (415, "160.75")),
        _line(146, (160, "保险缴费支出")),
        _line(166, (160, "合计"), (320, "2,940.05"), (395, "2,336.91"), (475, "603.14")),
    ]
    grid = text_grid(lines)
    assert grid is not None and grid.engine == "pdfplumber-text"
    assert grid.header_rows == 5 and grid.n_cols == 5
    rows = [[grid.cell_at(r, c).text if grid.cell_at(r, c) else "" for c in range(grid.n_cols)] for r in range(5, grid.n_rows)]
    assert rows == [
        ["201", "一般公共服务支出", "2,106.66", "1,503.52", "603.14"],
        ["2080505", "机关事业单位基本养老保险缴费支出", "160.75", "160.75", ""],
        ["", "合计", "2,940.05", "2,336.91", "603.14"],
    ]


def test_text_without_a_table_body_is_no_grid() -> None:
    narrative = [
        _line(100, (60, "本年收入合计万元，其中：财政拨款收入万元。")),
        _line(120, (60, "详见收入决算表。")),
    ]
    assert text_grid(narrative) is None
    assert text_grid([]) is None
