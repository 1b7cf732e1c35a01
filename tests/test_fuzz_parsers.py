"""Hypothesis fuzzing of the small parsers every cell and header goes through.

Properties: never raise on any text; what they return is well-formed; printed amounts and codes
round-trip exactly (grouped, full-width, parenthesised, spaced). The parsers are imported
directly: a rename fails the tests instead of skipping them.
"""

from __future__ import annotations

import logging
import zlib
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import numbers, textforms
from schemas.keys import FAMILIES, table_spec

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
cell_text = st.text(
    alphabet=st.one_of(st.sampled_from(list("0123456789,.-+()（）－—–−％% 　\n\t万元千亿XxＯ一二类款项合计")),
                       st.characters()),
    max_size=40,
)
amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False,
                      allow_infinity=False)


def _need(module, name: str):
    fn = getattr(module, name, None)
    if fn is None:  # a renamed parser fails its properties, never skips them
        pytest.fail(f"{module.__name__}.{name} does not exist")
    return fn


def _grouped(value: Decimal) -> str:
    whole, _, frac = format(abs(value), "f").partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@FUZZ
@given(cell_text)
def test_parse_amount_never_raises_and_returns_decimal_or_none(text: str) -> None:
    value = _need(numbers, "parse_amount")(text)
    assert value is None or (isinstance(value, Decimal) and value.is_finite())


@FUZZ
@given(amounts, st.sampled_from(["plain", "grouped", "full_width", "parens", "spaced"]))
def test_parse_amount_round_trips_printed_amounts(value: Decimal, style: str) -> None:
    parse = _need(numbers, "parse_amount")
    plain = format(value, "f")
    if style == "plain":
        text = plain
    elif style == "grouped":
        text = ("-" if value < 0 else "") + _grouped(value)
    elif style == "full_width":
        text = _full_width(plain)
    elif style == "parens":
        text = f"({format(abs(value), 'f')})" if value != 0 else plain
        value = -abs(value)
    else:
        text = f"  {plain}\n"
    parsed = parse(text)
    assert parsed == value and (parsed is None or str(parsed).lstrip("-") == format(abs(value), "f"))


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("0123456789 　-XＯ１２３")), max_size=12), st.text(max_size=4),
       st.text(max_size=4))
def test_normalise_code_returns_wellformed_codes_only(a: str, b: str, c: str) -> None:
    norm = _need(numbers, "normalise_code")
    for args in ((a,), (a, b), (a, b, c)):
        code = norm(*args)
        assert code is None or (code.isascii() and code.isdigit() and len(code) in (3, 5, 7) and code[0] != "0")


@FUZZ
@given(st.integers(100, 999), st.integers(0, 99), st.integers(0, 99), st.sampled_from([" ", "  ", "\u3000", ""]))
def test_normalise_code_round_trips_printed_codes(lei: int, kuan: int, xiang: int, sep: str) -> None:
    norm = _need(numbers, "normalise_code")
    code = f"{lei}{kuan:02d}{xiang:02d}"
    assert norm(sep.join((str(lei), f"{kuan:02d}", f"{xiang:02d}"))) == code
    assert norm(str(lei), f"{kuan:02d}", f"{xiang:02d}") == code
    assert norm(str(lei)) == str(lei)


@FUZZ
@given(amounts, st.sampled_from(["元", "千元", "万元", "亿元", "百万元"]))
def test_unit_conversion_is_exact(value: Decimal, unit: str) -> None:
    to_wanyuan = _need(numbers, "to_wanyuan")
    shift = _need(numbers, "UNIT_SHIFT")
    if unit not in shift:
        pytest.skip(f"{unit} not a known unit")
    converted = to_wanyuan(value, unit)
    assert converted.scaleb(-shift[unit]) == value  # nothing rounded away


@FUZZ
@given(st.text(max_size=60))
def test_find_unit_never_raises(text: str) -> None:
    unit = _need(numbers, "find_unit")(text)
    assert unit is None or unit in getattr(numbers, "UNIT_SHIFT", {unit: 0})


@FUZZ
@given(st.lists(st.text(alphabet=st.one_of(st.sampled_from(list("收入支出合计小计预算决算数栏次用途")), st.characters()),
                      max_size=16), max_size=5),
       st.sampled_from([(f.name, t.key) for f in FAMILIES.values() for t in f.tables]))
def test_header_classification_never_raises_and_uses_spec_keys(path: list[str], family_table: tuple[str, str]) -> None:
    from extractors import headers

    family, table = family_table
    role = _need(headers, "classify_column")(path, table, family)
    assert role.kind in ("code", "label", "value", "index", "other")
    if role.kind == "value":
        assert role.key in table_spec(table, family).columns or role.key in (headers.BUDGET, headers.ACTUAL)
    assert role.side in (None, *table_spec(table, family).sides)
    for cell in path:
        _need(headers, "is_header_text")(cell, table, family)
        assert isinstance(_need(textforms, "header_key")(cell), str)


@FUZZ
@given(st.binary(min_size=0, max_size=400), st.integers(0, 20), st.integers(0, 255))
def test_pdfminer_corrupted_inflate_matches_the_original(raw: bytes, back: int, flip: int) -> None:
    """The linear replacement of pdfminer's decompress_corrupted gives the same answer."""
    from extractors import pdfminer_fixes as fixes
    original, decompress_corrupted = fixes.ORIGINAL_DECOMPRESS_CORRUPTED, fixes.decompress_corrupted
    if original is None:
        pytest.skip("original pdfminer function not kept")
    data = bytearray(zlib.compress(raw))
    if flip and back < len(data):
        data[len(data) - 1 - back] ^= flip
    logging.disable(logging.WARNING)
    try:
        outcomes = []
        for fn in (original, decompress_corrupted):
            try:
                outcomes.append(fn(bytes(data)))
            except zlib.error:
                outcomes.append("error")
    finally:
        logging.disable(logging.NOTSET)
    assert outcomes[0] == outcomes[1]


@FUZZ
@given(st.lists(st.tuples(amounts, st.sampled_from(["plain", "grouped", "full_width"]),
                          st.sampled_from(["万元，", "%。", "万元", "，比上年增加", " "])), min_size=1, max_size=4),
       st.sampled_from(["支出", "合计：", "其中", ""]))
def test_amounts_in_text_finds_every_printed_amount_exactly(parts: list, lead: str) -> None:
    find = _need(numbers, "amounts_in_text")
    text, want = lead, []
    for value, style, tail in parts:
        printed = {"plain": format(abs(value), "f"), "grouped": _grouped(value)}.get(style) or _full_width(
            _grouped(value))
        want.append(abs(value))
        text += printed + tail
    got = find(text)
    assert [v for _, _, v in got] == want
    assert all(numbers.parse_amount(text[a:b]) == v for a, b, v in got)


@FUZZ
@given(cell_text)
def test_amounts_in_text_never_raises_and_agrees_with_parse_amount(text: str) -> None:
    for a, b, v in _need(numbers, "amounts_in_text")(text):
        assert 0 <= a < b <= len(text) and numbers.parse_amount(text[a:b]) == v
