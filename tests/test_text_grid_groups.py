"""The whitespace ("text") reader on a Hangzhou-like 收入预算总表: a two-level header whose group headers (本年收入,
上年结转结余, each with its own 小计) span sub-headers wrapped onto different numbers of lines, and amounts wrapped
onto a second line in their cell (18,536.8 over 8). Generated with and without rules; and Hangzhou's own page read
with its rules ignored."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from extractors.tables import TableReader
from tests.conftest import SHARED

SIZE = 9.0
PITCH = 11.0  # points between the baselines of a cell's lines
PAD = 2.0
PAGE = (842.0, 595.0)
HEADER_TOP, GROUP_BOTTOM, HEADER_BOTTOM = 100.0, 118.0, 166.0  # from the top of the page
ROW_HEIGHT = 30.0

# (header lines, group) per column; the 事业收入 column is just wide enough for "18,536.8" (its header wraps too)
COLUMNS: list[tuple[list[str], str | None]] = [
    (["单位名称"], None), (["总计"], None),
    (["小计"], "本年收入"), (["一般公共", "预算拨款", "收入"], "本年收入"), (["政府性基", "金预算"], "本年收入"),
    (["事业", "收入"], "本年收入"), (["其他收入"], "本年收入"),
    (["小计"], "上年结转结余"), (["一般公", "共预算"], "上年结转结余"), (["政府性", "基金预", "算"], "上年结转结余"),
]
KEYS = [None, "total", "income_this_year", "general_public_budget", "government_fund", "business", "other",
        "carryover_prior_year", "carryover_general_public_budget", "carryover_government_fund"]
ROWS = [
    ["合计", "21,006.32", "20,971.32", "1,500.00", "200.00", "19,236.88", "34.44", "35.00", "30.00", "5.00"],
    ["甲单位", "19,785.88", "19,770.88", "1,000.00", "200.00", "18,536.88", "34.00", "15.00", "10.00", "5.00"],
    ["乙单位", "1,220.44", "1,200.44", "500.00", "", "700.00", "0.44", "20.00", "20.00", ""],
]
WRAPPED = {"19,236.88": ["19,236.8", "8"], "18,536.88": ["18,536.8", "8"]}


class _Page:
    """A reportlab canvas addressed from the top of the page, as pdfplumber reports positions."""

    def __init__(self, path: Path) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        self.font = "STSong-Light"
        if self.font not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(self.font))
        self.width = pdfmetrics.stringWidth
        self.c = canvas.Canvas(str(path), pagesize=PAGE)

    def text(self, x: float, y: float, t: str, size: float = SIZE) -> None:
        self.c.setFont(self.font, size)
        self.c.drawString(x, PAGE[1] - y, t)

    def block(self, lines: list[str], x0: float, x1: float, top: float, bottom: float, align: str = "C") -> None:
        """Lines centred vertically between top and bottom; centred, right- (R) or left-aligned (L) in x0..x1."""
        self.c.setFont(self.font, SIZE)
        mid = (top + bottom) / 2
        for i, t in enumerate(lines):
            y = PAGE[1] - (mid - (len(lines) - 1) * PITCH / 2 + i * PITCH + SIZE * 0.35)
            if align == "C":
                self.c.drawCentredString((x0 + x1) / 2, y, t)
            elif align == "R":
                self.c.drawRightString(x1 - PAD, y, t)
            else:
                self.c.drawString(x0 + PAD, y, t)

    def line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.c.line(x0, PAGE[1] - y0, x1, PAGE[1] - y1)

    def save(self) -> None:
        self.c.showPage()
        self.c.save()


def _income_pdf(path: Path, rules: str) -> Path:
    """The table with ``rules`` "grid" (every rule), "rows" (horizontal rules only, a short one under each group
    header) or "none". Header cells are centred both ways; amounts right-aligned, centred vertically in their row."""
    page = _Page(path)
    narrow = page.width("18,536.8", page.font, SIZE) + 2 * PAD
    widths = [70.0, 60.0, 60.0, 50.0, 50.0, narrow, 50.0, 50.0, 50.0, 50.0]
    xs = [40.0]
    for w in widths:
        xs.append(xs[-1] + w)
    page.text(300, 60, "收入预算总表", 14)
    page.text(xs[-1] - 50, 85, "单位：万元")
    groups: dict[str, list[int]] = {}
    for k, (lines, group) in enumerate(COLUMNS):
        if group is not None:
            groups.setdefault(group, []).append(k)
        page.block(lines, xs[k], xs[k + 1], HEADER_TOP if group is None else GROUP_BOTTOM, HEADER_BOTTOM)
        if rules == "grid":  # a group's first column's left rule runs up through the group's row
            page.line(xs[k], GROUP_BOTTOM if group and groups[group][0] != k else HEADER_TOP, xs[k], HEADER_BOTTOM)
    for name, ks in groups.items():
        page.block([name], xs[ks[0]], xs[ks[-1] + 1], HEADER_TOP, GROUP_BOTTOM)
        if rules != "none":
            page.line(xs[ks[0]], GROUP_BOTTOM, xs[ks[-1] + 1], GROUP_BOTTOM)
    _body(page, xs, rules)
    page.save()
    return path


def _body(page: _Page, xs: list[float], rules: str) -> None:
    tops = [HEADER_BOTTOM + ROW_HEIGHT * i for i in range(len(ROWS) + 1)]
    for row, top in zip(ROWS, tops, strict=False):
        for k, value in enumerate(row):
            page.block(WRAPPED.get(value, [value]), xs[k], xs[k + 1], top, top + ROW_HEIGHT, "L" if k == 0 else "R")
    if rules != "none":
        for y in [HEADER_TOP, *tops]:
            page.line(xs[0], y, xs[-1], y)
    if rules == "grid":
        page.line(xs[-1], HEADER_TOP, xs[-1], tops[-1])
        for x in xs[:-1]:
            page.line(x, HEADER_BOTTOM, x, tops[-1])


def _read(path: Path, strategy: str | None = None):
    reader = TableReader("t", strategy=strategy)
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            reader.feed(n, page)
    return reader.finish("budget")


def _expected() -> dict[tuple[str, str], Decimal]:
    return {(row[0], key): Decimal(v.replace(",", "")) for row in ROWS for key, v in zip(KEYS, row, strict=True)
            if key and v}


@pytest.mark.parametrize("rules", ["grid", "rows", "none"])
def test_group_headers_and_wrapped_amounts_without_rules(rules: str, tmp_path: Path):
    result = _read(_income_pdf(tmp_path / f"income_{rules}.pdf", rules))
    (income,) = result.tables
    assert income.table == "income" and income.status == "ok", income
    assert income.engine == ("pdfplumber-lines" if rules == "grid" else "pdfplumber-text")
    got = {(c.row, c.col): c.value for c in result.cells}
    assert got == _expected()
    assert len(result.cells) == len(got)  # no column read twice under one key (both 小计 as total)
    assert not income.note and not result.problems


def test_a_short_number_alone_under_the_body_is_still_no_amount(tmp_path: Path):
    # a page number under the table is not a wrapped end: nothing above it lacks the grid's format
    result = _read(_income_pdf(tmp_path / "income.pdf", "none"))
    assert Decimal("18536.88") in {c.value for c in result.cells}
    assert not [c for c in result.cells if c.value_printed in ("8", "88")]


# ---- the real page, read with its rules ignored ---------------------------------------------------------------

HANGZHOU = SHARED / "corpus" / "other_cities" / "hangzhou_杭州市公安局2026年部门预算.pdf"


@pytest.mark.shared
def test_hangzhou_income_table_read_by_whitespace_matches_its_ruled_reading():
    """Hangzhou 2026 p. 21 (表2): 本年收入 over 小计 / 一般公共预算 / … (sub-headers of 1-4 lines), 上年结转结余 over its
    own 小计; 18,536.8 / 8 in 事业收入. The whitespace reading must give the ruled reading's cells."""
    with pdfplumber.open(HANGZHOU) as pdf:
        readings = {}
        for strategy in (None, "text"):
            reader = TableReader("hz", strategy=strategy)
            reader.feed(21, pdf.pages[20])
            readings[strategy] = reader.finish("budget")
    ruled, text = readings[None], readings["text"]
    (table,) = text.tables
    assert table.status == "ok" and table.engine == "pdfplumber-text"
    # the page's last rows: a label wrapped at the page foot (…（水上治安 / 分局）) goes with the next row in the
    # whitespace reading; every other row is read alike
    cut = ("杭州市公安局交通治安分局", "杭州市机动", "分局）杭州市机动")

    def cells(result) -> dict:
        return {(c.row, c.col, c.value) for c in result.cells if c.table == "income" and not c.row.startswith(cut)}

    assert cells(text) == cells(ruled) and len(cells(text)) == 47
    got = {(c.row, c.col): c.value for c in text.cells if c.row == "合计"}
    assert got[("合计", "business")] == Decimal("18536.88")
    assert got[("合计", "income_this_year")] == Decimal("400391.78")
    assert got[("合计", "carryover_prior_year")] == Decimal("4023.45")
    assert got[("合计", "total")] == Decimal("404415.23")
