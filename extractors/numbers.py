"""Amounts and subject codes exactly as printed in the tables.

Amounts become ``Decimal`` with every printed digit kept (``"2,940.05"`` → ``Decimal("2940.05")``);
nothing is rounded. Empty markers and anything that is not a plain amount (placeholders such as
``XX``, dates, percentages, words) give ``None`` so that no value is ever invented.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from extractors.textforms import folded, match_text

# printed in a cell to say "no value"
EMPTY_MARKERS = frozenset({"", "-", "--", "—", "——", "–", "/", "\\", "－", "―", "一", "…", "0-", "*"})

_MINUS = "-−–－"
# 1,234,567.89 (grouped) or 1234567.89 (plain); optional sign; optional decimals
_AMOUNT = re.compile(r"^(?P<sign>[-+]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?$")


def parse_amount(text: str | None) -> Decimal | None:
    """The amount printed in a cell, or None when the cell holds no amount.

    Accepts thousands separators (validated groups of three), full-width digits, a leading
    minus or plus, and negatives in parentheses ``(12.50)``. Rejects placeholders (``XX``),
    dates, percentages, years with 年, codes with letters and any other text.
    """
    if text is None:
        return None
    s = match_text(text)
    if s in EMPTY_MARKERS:
        return None
    for minus in _MINUS:
        s = s.replace(minus, "-")
    negative = False
    if len(s) > 2 and s[0] == "(" and s[-1] == ")":
        negative, s = True, s[1:-1]
    if s.startswith("-"):
        if negative:
            return None
        negative, s = True, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    m = _AMOUNT.match(s)
    if not m:
        return None
    digits = m.group("int").replace(",", "") + (m.group("frac") or "")
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal digits
        return None
    return -value if negative else value


# a number inside running text (2,961.68万元, 71.73%): digits with comma groups and decimals, in ASCII or all
# full-width; never a piece of a longer run (2024.12.31 and 1,23,4.5 are one token, which parse_amount rejects).
# Separators count only in the digits' own width: in prose ，and ． are punctuation (4．2025年…, 万元，2026年).
_NUMBER_IN_TEXT = re.compile(
    r"(?<![0-9.])(?<![0-9],)[0-9]+(?:,[0-9]+)*(?:\.[0-9]+)*(?![0-9]|[.,][0-9])"
    r"|(?<![０-９．])(?<![０-９]，)[０-９]+(?:，[０-９]+)*(?:．[０-９]+)*(?![０-９]|[．，][０-９])"
)


def amounts_in_text(text: str) -> list[tuple[int, int, Decimal]]:
    """Every amount printed inside ``text`` as (start, end, value), read by ``parse_amount`` like a table cell.

    A figure with a unit or sign glued on (``0.3万元``, ``71.73%``) is found by its digits; signs and brackets
    are not part of the span (the figure's size, not its direction, is what is located).
    """
    out: list[tuple[int, int, Decimal]] = []
    for m in _NUMBER_IN_TEXT.finditer(text or ""):
        value = parse_amount(m.group())
        if value is not None:
            out.append((m.start(), m.end(), value))
    return out


def looks_numeric(text: str | None) -> bool:
    """True for text that is meant as a number even if it cannot be read (e.g. ``1,23,4.5``)."""
    s = match_text(text or "")
    return bool(s) and bool(re.fullmatch(r"[()\-+−.,\d]+", s)) and any(c.isdigit() for c in s)


# subject codes: 功能分类 类(3) 款(2) 项(2) → 3, 5 or 7 digits; 经济分类 类(3) 款(2) → 3 or 5 digits
_CODE_LENGTHS = (3, 5, 7)
_CODE_PART = re.compile(r"^\d+$")


def normalise_code(*parts: str | None) -> str | None:
    """Digits of a subject code printed in one cell (``"2010601"``, ``"201 06 01"``) or across 类/款/项 cells.

    Returns None unless the result is a well-formed code: the 类 part three digits, each further part two
    digits (or the level's full code, 201 | 20106), 3, 5 or 7 digits in all. ``"2024"``, ``"201 06 0X"`` and
    amounts are rejected.
    """
    pieces: list[str] = []
    for part in parts:
        s = folded(part).strip()
        if not s:
            continue
        pieces.extend(s.split())
    if not pieces or not all(_CODE_PART.match(p) for p in pieces):
        return None
    code = ""
    for p in pieces:
        if not code or (len(p) > 2 and p.startswith(code)):  # or each level in full: 201 | 20106 | 2010601
            code = p
        elif len(p) == 2:
            code += p
        else:
            return None
    if len(code) not in _CODE_LENGTHS or code[0] == "0" or (len(pieces) > 1 and len(pieces[0]) != 3):
        return None
    return code


_DROPPED_ZERO = re.compile(r"^[1-9]$")  # 01 … 09 printed as 1 … 9 (00 is no level's code)


def normalise_cell_code(cells: list[str]) -> str | None:
    """A subject code printed across its own 类 / 款 / 项 cells (``normalise_code``), where a one-digit 款 or 项
    cell is that level's two digits with the leading zero a spreadsheet's number format dropped: 301 | 2 is
    30102 (津贴补贴). Only a whole cell of one digit after a three-digit 类 cell is read so; a code printed
    in one cell ("301 2") stays unread."""
    if len(cells) >= 2 and len(folded(cells[0]).strip()) == 3:
        cells = [cells[0], *("0" + folded(c).strip() if _DROPPED_ZERO.match(folded(c).strip()) else c for c in cells[1:])]
    return normalise_code(*cells)


def to_wanyuan(value: Decimal, unit: str) -> Decimal:
    """Exact decimal shift of an amount printed in ``unit`` to 万元 (never rounded)."""
    shift = UNIT_SHIFT.get(unit)
    if shift is None:
        raise ValueError(f"unknown unit {unit!r}")
    return value.scaleb(shift) if shift else value


# power of ten that turns an amount in this unit into 万元
UNIT_SHIFT: dict[str, int] = {"万元": 0, "元": -4, "千元": -1, "百万元": 2, "亿元": 4}
_UNIT_NAMES = "|".join(sorted(UNIT_SHIFT, key=len, reverse=True))  # 百万元 before 万元 before 元
# 单位：万元 / 金额单位:元 / 计量单位 千元 stated near a table, or （万元） noted in a header cell
_UNIT = re.compile(rf"(?:(?P<open>[(（])|(?:金额|计量)?单位[:：]?)(?P<unit>{_UNIT_NAMES})(?(open)[)）])")


def find_unit(text: str) -> str | None:
    """The unit a table states: ``单位：万元`` / ``金额单位：元`` above it, or ``合计（元）`` in a header cell.

    Spaces anywhere (``单 位：万 元``) and full-width forms are accepted; only units in ``UNIT_SHIFT`` are.
    """
    m = _UNIT.search(match_text(text))
    return m.group("unit") if m else None


def drop_unit(text: str) -> str:
    """``text`` (NFKC, without whitespace) with its unit statement or note removed: header wording compares
    without it (``本年收入合计（万元）`` = ``本年收入合计``)."""
    return _UNIT.sub("", match_text(text))
