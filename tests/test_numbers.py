from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.numbers import (
    UNIT_SHIFT,
    amounts_in_text,
    drop_unit,
    find_unit,
    normalise_cell_code,
    normalise_code,
    parse_amount,
    to_wanyuan,
)
from extractors.textforms import header_key, match_text


@pytest.mark.parametrize(
    ("printed", "value"),
    [
        ("2,940.05", "2940.05"),
        ("2940.05", "2940.05"),
        ("1,234,567.80", "1234567.80"),
        ("０.９５", "0.95"),  # full-width digits
        ("１，２３４．５０", "1234.50"),
        ("6.20", "6.20"),  # trailing zero kept
        ("0.00", "0.00"),
        ("(12.50)", "-12.50"),
        ("（12.50）", "-12.50"),
        ("-3.1", "-3.1"),
        ("－3.1", "-3.1"),
        ("2 940.05", "2940.05"),  # a stray space inside the cell
        ("2024", "2024"),  # a plain integer amount in a value cell
        ("12", "12"),
    ],
)
def test_amounts_exactly_as_printed(printed: str, value: str) -> None:
    got = parse_amount(printed)
    assert got == Decimal(value)
    assert str(got) == value  # digits kept, nothing rounded


@pytest.mark.parametrize(
    "printed",
    ["", " ", "-", "—", "——", "/", "－", None, "XX", "XX.XX", "12.5%", "2024-12-31", "2024年", "2024.12.31",
     "1,23,4.5", "12,34", "(-1)", "合计", "201 06 0X", "1.2.3", "二〇二四"],
)
def test_not_amounts(printed: str | None) -> None:
    assert parse_amount(printed) is None


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        (("201 06 01",), "2010601"),
        (("2010601",), "2010601"),
        (("201", "06", "01"), "2010601"),
        (("201", "06"), "20106"),
        (("201",), "201"),
        (("301", "01"), "30101"),
        (("30101",), "30101"),
        (("２０１",), "201"),
        (("201", None, ""), "201"),
        (("201", "20106"), "20106"),  # each level printed with its full code
        (("201", "20106", "2010601"), "2010601"),
    ],
)
def test_codes(parts: tuple, code: str) -> None:
    assert normalise_code(*parts) == code


@pytest.mark.parametrize(
    "parts",
    [("2024",), ("201 06 0X",), ("XX",), ("2,940.05",), ("20",), ("201", "6"), ("201", "006"), ("0201",),
     ("201060",), ("12.5",), ("",), ("201", "06", "01", "01"), ("201", "20206"), ("20106", "01"), ("30", "101")],
)
def test_codes_rejected(parts: tuple) -> None:
    assert normalise_code(*parts) is None


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        (["301", "2"], "30102"),  # 类 | 款 cells, the 款's leading zero dropped by a spreadsheet's number format
        (["301", "02"], "30102"),
        (["201", "6", "1"], "2010601"),
        (["201", "06", "1"], "2010601"),
        (["301"], "301"),
        (["301 2"], None),  # one cell: not a split code
        (["30", "1"], None),  # no three-digit 类 before it
        (["301", "0"], None),  # 00 is no 款
        (["301", "２"], "30102"),  # full-width digit
    ],
)
def test_codes_across_cells_with_a_one_digit_level(cells: list[str], code: str | None) -> None:
    assert normalise_cell_code(cells) == code


def test_unit_conversion_is_an_exact_shift() -> None:
    assert to_wanyuan(Decimal("29400500.00"), "元") == Decimal("2940.05")
    assert str(to_wanyuan(Decimal("12345"), "元")) == "1.2345"
    assert to_wanyuan(Decimal("2940.05"), "万元") == Decimal("2940.05")
    assert to_wanyuan(Decimal("1.5"), "亿元") == Decimal("15000")
    with pytest.raises(ValueError):
        to_wanyuan(Decimal("1"), "美元")


@pytest.mark.parametrize(
    ("text", "unit"),
    [("单位：万元", "万元"), ("单位: 元", "元"), ("金额单位：元", "元"), ("单位：千元", "千元"), ("编制单位：XX局", None), ("万元", None)],
)
def test_find_unit(text: str, unit: str | None) -> None:
    assert find_unit(text) == unit


@pytest.mark.parametrize("unit", sorted(UNIT_SHIFT))
@pytest.mark.parametrize(
    "printed",
    ["单位：{u}", "单位:{u}", "单位{u}", "金额单位：{u}", "计量单位: {u}", "单 位 ： {u}", "单位：{spaced}", "（{u}）",
     "({u})", "( {spaced} )", "本年收入合计（{u}）", "编制部门：某某局　　单位：{u}"],
)
def test_every_known_unit_in_every_printed_form(unit: str, printed: str) -> None:
    text = printed.format(u=unit, spaced=" ".join(unit))
    assert find_unit(text) == unit
    assert find_unit(text.translate(str.maketrans(":()", "：（）"))) == unit  # full-width forms
    assert unit not in drop_unit(text)  # the header note goes with it


@pytest.mark.parametrize("text", ["（一）", "(万元", "单位：美元", "编制单位：某某局", "人数（人）", "万元以上", "元旦"])
def test_no_unit(text: str) -> None:
    assert find_unit(text) is None
    assert drop_unit(text) == match_text(text)


def test_header_wording_compares_without_its_unit_note() -> None:
    assert header_key("本年收入合计（百万元）") == header_key("本年收入合计(万元)") == "本年收入合计"
    assert header_key("基本支出 (千 元)") == "基本支出"
    assert header_key("公务用车运行(维护)费") == "公务用车运行费"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("一般公共预算财政拨款支出2,940.05万元，占71.73%。", ["2,940.05", "71.73"]),
        ("比2023年度增加10.23万元", ["2023", "10.23"]),
        ("合计：２，９６１．６８", ["２，９６１．６８"]),
        ("4．2025年部门预算", ["4", "2025"]),  # full-width ．in prose is punctuation
        ("减少(12.50)万元", ["12.50"]),  # sign and brackets are not part of the span
        ("2025.1.1-2025.12.31", []),  # a date range
        ("1,23,4.5 与 12,34", []),  # badly grouped: not amounts, as in a cell
        ("", []),
    ],
)
def test_amounts_in_running_text(text: str, found: list[str]) -> None:
    got = amounts_in_text(text)
    assert [text[a:b] for a, b, _ in got] == found
    assert all(v == parse_amount(text[a:b]) for a, b, v in got)
