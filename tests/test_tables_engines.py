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
from tests.conftest import GOLDEN_PDF, SHARED
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


def _vertical_rules_only_pdf(path) -> None:
    """A 支出决算表 printed with column rules and a frame but no rules between rows, values in 元."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=(842, 595))
    c.setFont("STSong-Light", 14)
    c.drawCentredString(421, 540, "表3 支出决算表")
    c.setFont("STSong-Light", 9)
    c.drawString(700, 515, "单位：元")
    cols = [60, 140, 330, 430, 530, 630]
    top, bottom = 505, 380
    for x in cols:
        c.line(x, top, x, bottom)
    c.line(cols[0], top, cols[-1], top)
    c.line(cols[0], 485, cols[-1], 485)  # under the header
    c.line(cols[0], bottom, cols[-1], bottom)
    for x, text in zip(cols, ["科目编码", "科目名称", "合计", "基本支出", "项目支出"], strict=False):
        c.drawString(x + 5, 492, text)
    rows = [
        ("", "合计", "29,400,500.00", "23,369,100.00", "6,031,400.00"),
        ("201", "一般公共服务支出", "21,066,600.00", "15,035,200.00", "6,031,400.00"),
        ("2010601", "行政运行", "15,118,900.00", "15,035,200.00", "83,700.00"),
    ]
    y = 470
    for row in rows:
        c.drawString(cols[0] + 5, y, row[0])
        c.drawString(cols[1] + 5, y, row[1])
        for x, v in zip(cols[3:], row[2:], strict=False):
            c.drawRightString(x - 5, y, v)
        y -= 20
    c.showPage()
    c.save()


def test_rows_without_rules_between_them_are_read_by_text_position(tmp_path) -> None:
    pdf_path = tmp_path / "vertical_rules.pdf"
    _vertical_rules_only_pdf(pdf_path)
    reader = TableReader("t")
    with pdfplumber.open(pdf_path) as pdf:
        assert reader.feed(1, pdf.pages[0])
    result = reader.finish()
    (table,) = result.tables
    assert table.table == "expenditure" and table.status == "ok", table.note
    assert table.engine == "pdfplumber-text" and table.unit_printed == "元"
    got = {(c.code or c.row, c.col): (c.value, c.unit_printed, c.value_printed) for c in result.cells}
    assert got[("合计", "total")] == (Decimal("2940.05"), "元", "29,400,500.00")
    assert got[("2010601", "project")][0] == Decimal("8.37")
    assert got[("201", "basic")][0] == Decimal("1503.52")
    assert len(got) == 9


def test_short_values_beside_a_centred_header_share_its_column(tmp_path) -> None:
    from extractors.grid import group_lines

    pdf_path = tmp_path / "vertical_rules.pdf"
    _vertical_rules_only_pdf(pdf_path)
    with pdfplumber.open(pdf_path) as pdf:
        lines = group_lines(pdf.pages[0].chars)
    grid = text_grid(lines[2:])  # no rules given: columns from whitespace alone
    assert grid is not None and grid.n_cols == 5
    assert [grid.cell_at(grid.header_rows, c).text if grid.cell_at(grid.header_rows, c) else "" for c in range(5)] == [
        "", "合计", "29,400,500.00", "23,369,100.00", "6,031,400.00"
    ]


def _ruled_table_pdf(
    path, title: str | None, header: list[str], rows: list[list[str]], unit_line: str | None = "单位：万元"
) -> None:
    """One ruled table, one header row, on a landscape page; ``unit_line`` printed under the title."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=(842, 595))
    if title:
        c.setFont("STSong-Light", 14)
        c.drawCentredString(421, 540, title)
        c.setFont("STSong-Light", 9)
        if unit_line:
            c.drawString(680, 515, unit_line)
    c.setFont("STSong-Light", 9)
    widths = [180] + [110] * (len(header) - 1)
    xs = [60]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [505 - 22 * i for i in range(len(rows) + 2)]
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for r, row in enumerate([header, *rows]):
        for i, text in enumerate(row):
            c.drawCentredString((xs[i] + xs[i + 1]) / 2, ys[r] - 15, text)
    c.showPage()
    c.save()


def _read(path) -> tuple:
    reader = TableReader("t")
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            reader.feed(n, page)
    result = reader.finish()
    return result.tables, result.cells


def test_three_public_expenses_printed_with_categories_as_rows(tmp_path) -> None:
    path = tmp_path / "sangong.pdf"
    _ruled_table_pdf(path, "表7 “三公”经费支出决算表", ["项目", "预算数", "决算数"], [
        ["合计", "12.50", "10.00"],
        ["1.因公出国（境）费", "", ""],
        ["2.公务用车购置及运行维护费", "8.00", "7.50"],
        ["其中：公务用车购置费", "", ""],
        ["公务用车运行维护费", "8.00", "7.50"],
        ["3.公务接待费", "4.50", "2.50"],
    ])
    (table,), cells = _read(path)
    assert table.table == "three_public_expenses" and table.status == "ok", table.note
    got = {c.col: c.value for c in cells}
    assert got == {
        "total_budget": Decimal("12.50"), "total_actual": Decimal("10.00"),
        "vehicle_budget": Decimal("8.00"), "vehicle_actual": Decimal("7.50"),
        "vehicle_operation_budget": Decimal("8.00"), "vehicle_operation_actual": Decimal("7.50"),
        "reception_budget": Decimal("4.50"), "reception_actual": Decimal("2.50"),
    }
    assert {c.row for c in cells} == {"三公经费"}


def test_three_public_expenses_with_categories_as_rows_and_sources_as_columns(tmp_path) -> None:
    """Guangzhou's layout (表8): 合计 gives the 三公 keys (all funds), each fund its keys by fund."""
    path = tmp_path / "sangong_sources.pdf"
    _ruled_table_pdf(path, "表8 财政拨款安排的行政经费及“三公”经费预算表",
                     ["项目", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"], [
        ["行政经费", "100.00", "90.00", "10.00", "0.00"],
        ["“三公”经费", "12.00", "11.00", "1.00", "0.00"],
        ["其中：（一）因公出国（境）支出", "5.00", "5.00", "0.00", "0.00"],
        ["（二）公务用车购置及运行维护支出", "4.00", "3.00", "1.00", "0.00"],
        ["1.公务用车购置费", "0.00", "0.00", "0.00", "0.00"],
        ["2.公务用车运行维护费", "4.00", "3.00", "1.00", "0.00"],
        ["（三）公务接待费支出", "3.00", "3.00", "0.00", "0.00"],
    ])
    (table,), cells = _read(path)
    assert table.table == "three_public_expenses" and table.status == "ok", table.note
    assert {c.row for c in cells} == {"三公经费"} and len(cells) == 28
    got = {c.col: c.value for c in cells}
    assert {k: got[k] for k in ("total_budget", "overseas_budget", "vehicle_budget", "vehicle_operation_budget",
                                "reception_budget", "administrative_budget")} == {
        "total_budget": Decimal("12.00"), "overseas_budget": Decimal("5.00"), "vehicle_budget": Decimal("4.00"),
        "vehicle_operation_budget": Decimal("4.00"), "reception_budget": Decimal("3.00"),
        "administrative_budget": Decimal("100.00")}
    assert got["total_budget_general_public"] == Decimal("11.00")
    assert got["vehicle_operation_budget_government_fund"] == Decimal("1.00")
    assert got["administrative_budget_state_capital"] == Decimal("0.00")


def test_a_numbered_table_the_contract_does_not_know_ends_the_open_table(tmp_path) -> None:
    """表7 over an unknown title (一般公共预算项目支出情况表, Guangzhou) is no running head of the table before."""
    first, second = tmp_path / "t6.pdf", tmp_path / "t7.pdf"
    header = ["部门预算支出经济科目", "预算"]
    _ruled_table_pdf(first, "表6 一般公共预算基本支出情况表（按经济分类科目）", header,
                     [["合计", "10.00"], ["[301]工资福利支出", "10.00"], ["[30101]基本工资", "10.00"]])
    _ruled_table_pdf(second, "表7", header, [["合计", "4.00"], ["[302]商品和服务支出", "4.00"]],
                     unit_line="一般公共预算项目支出情况表")
    reader = TableReader("t")
    for n, path in ((1, first), (2, second)):
        with pdfplumber.open(path) as pdf:
            reader.feed(n, pdf.pages[0])
    result = reader.finish("budget")
    (table,) = result.tables
    assert (table.table, table.pages, table.engine) == ("general_public_budget_basic_expenditure", (1,), "pdfplumber-lines")
    assert sorted((c.code or c.row, c.value) for c in result.cells) == [
        ("301", Decimal("10.00")), ("30101", Decimal("10.00")), ("合计", Decimal("10.00"))]


def test_values_under_an_unknown_header_are_reported_not_dropped_silently(tmp_path) -> None:
    path = tmp_path / "unknown.pdf"
    _ruled_table_pdf(path, "支出决算表", ["科目名称", "合计", "基本支出", "上年结转支出"], [
        ["一般公共服务支出", "10.00", "6.00", "4.00"],
    ])
    (table,), cells = _read(path)
    assert {(c.col, c.value) for c in cells} == {("total", Decimal("10.00")), ("basic", Decimal("6.00"))}
    assert table.status == "partial" and "上年结转支出" in (table.note or "")


def test_index_column_and_row_and_a_title_inside_the_grid(tmp_path) -> None:
    path = tmp_path / "index.pdf"
    _ruled_table_pdf(path, None, ["支出决算表", "", "", "单位：元"], [
        ["科目名称", "行次", "合计", "基本支出"],
        ["栏次", "", "1", "2"],
        ["合计", "1", "100,000.00", "60,000.00"],
        ["一般公共服务支出", "2", "100,000.00", "60,000.00"],
    ])
    (table,), cells = _read(path)
    assert table.table == "expenditure" and table.status == "ok", table.note
    assert table.unit_printed == "元"
    assert sorted((c.row, c.col, c.value) for c in cells) == [
        ("一般公共服务支出", "basic", Decimal("6")), ("一般公共服务支出", "total", Decimal("10")),
        ("合计", "basic", Decimal("6")), ("合计", "total", Decimal("10")),
    ]


def test_a_contents_page_does_not_hide_the_tables(tmp_path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    path = tmp_path / "toc.pdf"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("STSong-Light", 12)
    for i, t in enumerate(["第二部分 部门决算表", "一、收入决算表", "二、支出决算表"]):
        c.drawString(80, 760 - 24 * i, t)
    c.showPage()
    c.save()
    toc = tmp_path / "toc_page.pdf"
    path.rename(toc)
    table = tmp_path / "table.pdf"
    _ruled_table_pdf(table, "支出决算表", ["科目名称", "合计"], [["一般公共服务支出", "10.00"]])
    reader = TableReader("t")
    with pdfplumber.open(toc) as pdf:
        assert not reader.feed(1, pdf.pages[0])
    with pdfplumber.open(table) as pdf:
        assert reader.feed(2, pdf.pages[0])
    result = reader.finish()
    assert [(t.table, t.pages, t.n_cells) for t in result.tables] == [("expenditure", (2,), 1)]


def test_a_stray_title_does_not_replace_the_table_read_later(tmp_path) -> None:
    stray = tmp_path / "stray.pdf"
    _ruled_table_pdf(stray, "收入决算表", ["说明"], [])  # a title over a box with no table in it
    real = tmp_path / "real.pdf"
    _ruled_table_pdf(real, "收入决算表", ["科目名称", "本年收入合计"], [["合计", "10.00"]])
    reader = TableReader("t")
    for n, path in ((3, stray), (9, real)):
        with pdfplumber.open(path) as pdf:
            reader.feed(n, pdf.pages[0])
    result = reader.finish()
    assert [(t.table, t.pages, t.n_cells, t.status) for t in result.tables] == [("income", (9,), 1, "ok")]
    assert any("page 3" in p and "ignored" in p for p in result.problems)


def test_column_number_rows() -> None:
    from extractors.headers import is_index_row as _is_index_row

    assert _is_index_row(["栏次", "1", "2"])
    assert _is_index_row(["1", "2", "3", "4"])  # 三公: numbers only, no 栏次 label
    assert not _is_index_row(["1", "2"])
    assert not _is_index_row(["0.95", "0.95"])
    assert not _is_index_row(["3", "2", "1"])
    assert not _is_index_row(["合计", "1", "2", "3"])
    assert not _is_index_row(["行次"])  # the 行次 header cell alone names a column
    assert _is_index_row(["栏次", "1", "栏次", "2"])  # a two-sided summary (central 收入支出决算总表): once per side
    assert _is_index_row(["**", "1", "2", "3", "4"])  # a filler mark in the label column (Hangzhou)
    assert _is_index_row(["**", "1"])  # Hangzhou 表9: one value column under the star filler
    assert not _is_index_row(["—", "1"]) and not _is_index_row(["**", "2"])
    assert not _is_index_row(["栏次", "1", "合计", "2"])


@pytest.mark.parametrize(
    ("unit_line", "note", "unit"),
    [
        ("金额单位 ： 百万元", "", "百万元"),  # stated above the table, spaced
        (None, "（百万元）", "百万元"),  # only noted in the header cells
        (None, "(元)", "元"),
        ("单 位：千元", "", "千元"),
    ],
)
def test_units_printed_above_or_in_the_header_convert_exactly(tmp_path, unit_line, note, unit) -> None:
    path = tmp_path / "unit.pdf"
    _ruled_table_pdf(path, "支出决算表", ["科目名称", f"合计{note}", f"基本支出{note}"], [
        ["一般公共服务支出", "1,234.567", "0.05"],
        ["合计", "2,940,050", "12"],
    ], unit_line=unit_line)
    (table,), cells = _read(path)
    assert table.status == "ok" and table.unit_printed == unit, table.note
    shift = {"百万元": 2, "千元": -1, "元": -4}[unit]
    got = {(c.row, c.col): (c.value, c.unit_printed, c.value_printed) for c in cells}
    assert got == {
        (row, col): (Decimal(printed.replace(",", "")).scaleb(shift), unit, printed)
        for row, col, printed in [("一般公共服务支出", "total", "1,234.567"), ("一般公共服务支出", "basic", "0.05"),
                                  ("合计", "total", "2,940,050"), ("合计", "basic", "12")]
    }
    # exact: every printed digit kept, only the decimal point moved
    assert all(v.as_tuple().digits == Decimal(p.replace(",", "")).as_tuple().digits for v, _, p in got.values())


def test_note_lines_cost_one_word_split_per_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each line is split into words once, however many note lines sit between them (no re-scan per note)."""
    import extractors.text_grid as text_grid_module

    calls = 0
    real = text_grid_module._words

    def counting(line):
        nonlocal calls
        calls += 1
        return real(line)

    monkeypatch.setattr(text_grid_module, "_words", counting)
    lines = [_line(40, (60, "科目名称"), (330, "合计"), (400, "基本支出"))]
    top = 60.0
    for i in range(150):  # a long preamble: notes between lines that are not notes
        lines.append(_line(top, (60, f"注{i}：本表反映部门本年度的总收支。")))
        lines.append(_line(top + 10, (60, "收支情况")))
        top += 20
    data = [(f"一般公共服务支出{i}", f"{i},{i % 1000:03d}.5{i % 10}", f"{i}.0{i % 10}") for i in range(1, 301)]
    for label, total, basic in data:
        lines.append(_line(top, (60, label), (330, total), (400, basic)))
        top += 14
    for i in range(150):
        lines.append(_line(top, (60, f"备注{i}：以上数据为决算数。")))
        top += 14
    grid = text_grid(lines)
    assert calls == 1 + 150 + len(data)  # header, the non-note preamble lines and the body, once each
    assert grid is not None
    body = [[grid.cell_at(r, c).text if grid.cell_at(r, c) else "" for c in range(grid.n_cols)]
            for r in range(grid.header_rows, grid.n_rows)]
    assert body == [list(row) for row in data]


def test_each_grid_header_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The usable / continuation tests and the reading share one header reading per grid."""
    detected: list = []
    laid_out: list = []
    real_rows, real_layout = tables_module._header_rows, tables_module._layout_from_header

    def rows(grid, key):
        detected.append(grid)  # keeps the grid alive, so ids stay unique
        return real_rows(grid, key)

    def layout(grid, header, key):
        laid_out.append(grid)
        return real_layout(grid, header, key)

    monkeypatch.setattr(tables_module, "_header_rows", rows)
    monkeypatch.setattr(tables_module, "_layout_from_header", layout)
    reader = TableReader("t")
    with pdfplumber.open(GOLDEN_PDF) as pdf:
        for n in range(6, 12):  # 收入支出决算总表 … 支出决算表, continuation pages included
            reader.feed(n, pdf.pages[n - 1])
    result = reader.finish()
    assert [t.table for t in result.tables] == ["income_expenditure_summary", "income", "expenditure"]
    assert len(result.cells) == sum(1 for c in GOLDEN["cells"] if c["table"] in ("income_expenditure_summary", "income", "expenditure"))
    assert detected and len({id(g) for g in detected}) == len(detected)
    assert laid_out and len({id(g) for g in laid_out}) == len(laid_out)


JIANGSU_2017 = SHARED / "corpus" / "budgets" / "jiangsu_province" / "江苏省人大办公厅_江苏省人大办公厅2017年度预算公开.pdf"


def test_tables_drawn_in_one_ruled_frame_need_no_camelot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two tables in one ruled frame (the second's title a full-width row inside it; Jiangsu): the grid cut at
    the second title is the second table's, so pdfplumber's grid of the first is usable on its own; a title
    with nothing but its preamble under it (its table printed on the next page) gives camelot nothing to
    find. No page is rendered for camelot, and the cells are the ones camelot's lattice read before."""
    calls: list[int] = []
    monkeypatch.setattr(tables_module, "camelot_grids", lambda page, chars: calls.append(page.page_number) or [])
    reader = TableReader("t")
    with pdfplumber.open(JIANGSU_2017) as pdf:
        for n in (12, 13, 18, 19, 20):
            reader.feed(n, pdf.pages[n - 1])
    result = reader.finish()
    assert calls == []
    engines = {t.table: t.engine for t in result.tables}
    assert engines["fiscal_appropriation_summary"] == engines["three_public_expenses"] == "pdfplumber-lines"
    got = {(c.table, c.row, c.col): (c.value, c.page) for c in result.cells
           if c.table in ("fiscal_appropriation_summary", "three_public_expenses")}
    assert got == {
        ("fiscal_appropriation_summary", "一般公共预算", "amount"): (Decimal("13649.07"), 12),
        ("fiscal_appropriation_summary", "基本支出", "amount"): (Decimal("7666.68"), 12),
        ("fiscal_appropriation_summary", "项目支出", "amount"): (Decimal("5853.96"), 12),
        ("fiscal_appropriation_summary", "单位预留机动经费", "amount"): (Decimal("128.43"), 12),
        ("fiscal_appropriation_summary", "收入合计", "amount"): (Decimal("13649.07"), 12),
        ("fiscal_appropriation_summary", "支出合计", "amount"): (Decimal("13649.07"), 12),
        ("three_public_expenses", "三公经费", "grand_total_budget"): (Decimal("2542.60"), 20),
        ("three_public_expenses", "三公经费", "total_budget"): (Decimal("833.60"), 20),
        ("three_public_expenses", "三公经费", "overseas_budget"): (Decimal("222.50"), 20),
        ("three_public_expenses", "三公经费", "vehicle_budget"): (Decimal("183.60"), 20),
        ("three_public_expenses", "三公经费", "vehicle_purchase_budget"): (Decimal("0"), 20),
        ("three_public_expenses", "三公经费", "vehicle_operation_budget"): (Decimal("183.60"), 20),
        ("three_public_expenses", "三公经费", "reception_budget"): (Decimal("427.50"), 20),
        ("three_public_expenses", "三公经费", "meeting_budget"): (Decimal("1305.25"), 20),
        ("three_public_expenses", "三公经费", "training_budget"): (Decimal("403.75"), 20),
    }


JIANGSU = SHARED / "corpus" / "budgets" / "jiangsu_province"


def test_table_number_outside_the_cells_and_department_name_preamble_need_no_camelot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """公开03表 printed in the frame's corner, beside a title row that does not span it (characters in no
    cell, above the header), and a 部门名称：… 单位：万元 row above the column headings: pdfplumber's grid
    is read with its header recognised, as camelot's lattice read it before (same cells, no rendering)."""
    calls: list[int] = []
    monkeypatch.setattr(tables_module, "camelot_grids", lambda page, chars: calls.append(page.page_number) or [])
    reader = TableReader("t")
    with pdfplumber.open(JIANGSU / "江苏省政协办公厅_江苏省政协办公厅2019年预算公开表.pdf") as pdf:
        reader.feed(3, pdf.pages[2])
    result = reader.finish()
    reader = TableReader("t")
    with pdfplumber.open(JIANGSU / "江苏省人大办公厅_省人大办公厅2018预算公开.pdf") as pdf:
        reader.feed(15, pdf.pages[14])
    fund = reader.finish()
    assert calls == []
    (expenditure,) = [t for t in result.tables if t.table == "expenditure"]
    assert expenditure.engine == "pdfplumber-lines"
    assert sorted((c.row, c.col, c.value) for c in result.cells if c.table == "expenditure") == [
        ("合计", "basic", Decimal("6522.75")), ("合计", "project", Decimal("4968.34")),
        ("合计", "reserve", Decimal("1886.02")), ("合计", "total", Decimal("13377.11")),
    ]
    (gov_fund,) = [t for t in fund.tables if t.table == "government_fund"]
    assert gov_fund.engine == "pdfplumber-lines" and gov_fund.n_cells == 0  # 合计 printed empty
