"""Amounts wrapped onto a second line inside their cell: "18,536.8" over "8" is 18,536.88, not two values.

Spreadsheet exports wrap a number that is wider than its column like any text (Hangzhou 收入预算总表:
18,536.8 / 8 in the 事业收入 cell). Read line by line, the cell holds two amounts and the grid looks like rows
stacked without rules, so the table is read again and the figure is lost. A continuation line is joined to
the line above only on three pieces of evidence, never on one alone:

- the line above fills its cell (no room left for one more glyph: the printer had to wrap);
- the continuation line is digits only and sits on the same edge as the line above (both right- or
  both left-aligned: the one text block of the cell);
- the line above does not have the grid's number format (the decimals most of its amounts print) and the
  joined text does: "18,536.8" has one decimal where the table prints two, "18,536.88" has two.

The same evidence joins a number cut by a page break (the last row's cell on one page, the first row's
cell on the next: ``continues``).
"""

from __future__ import annotations

import re
from collections import Counter

from extractors.numbers import parse_amount

# a continuation line holds only the rest of a number: digits, group commas, the decimal point
_FRAGMENT = re.compile(r"^[\d,.]+$")
_DECIMALS = re.compile(r"\.(\d+)$")

# ---- tuning (lengths in PDF points) --------------------------------------------------------------------------
# Measured on Hangzhou 2026 (pp. 21, 23, 26): a wrapped line leaves 2.9–5.4 pt on its aligned side and
# 5.7–8.7 pt on the other, digits 4–5 pt wide: the two gaps differ by less than one glyph (2.1–3.3 pt) and
# the smaller one (the cell's padding) is under two glyphs. A short number right-aligned in its cell leaves
# a gap of several glyphs on the left.
PADDING_GLYPHS = 2.0  # the cell's padding (the smaller gap) is at most this many glyph widths
ALIGN_SLACK = 1.0  # two lines of one cell share an edge when their x0 (or x1) differ by at most this


def number_format(texts: list[str]) -> int | None:
    """The decimals most of ``texts``' printed amounts carry (2 for "1,234.56"), among those written with a
    group comma or a decimal point (a column number "7" says nothing); None when none or no majority."""
    counts = Counter(d for t in texts if ("," in t or "." in t) and (d := decimals(t)) is not None)
    if not counts:
        return None
    (best, n), *rest = counts.most_common(2) + [(None, 0)]
    return best if n > rest[0][1] else None


def decimals(text: str) -> int | None:
    """Decimal places of a well-formed amount (valid groups of three), None when ``text`` is not one."""
    if parse_amount(text) is None:
        return None
    m = _DECIMALS.search(text.strip())
    return len(m.group(1)) if m else 0


def fills(x0: float, x1: float, n_chars: int, box: tuple[float, float]) -> bool:
    """A line spanning x0..x1 with ``n_chars`` glyphs leaves no room for one more glyph in a cell spanning
    ``box`` (its padding kept on both sides)."""
    if n_chars <= 0 or x1 <= x0:
        return False
    glyph = (x1 - x0) / n_chars
    left, right = x0 - box[0], box[1] - x1
    return abs(left - right) < glyph and min(left, right) < PADDING_GLYPHS * glyph


def same_edge(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Two lines (x0, x1) aligned on their left or their right edge."""
    return abs(a[0] - b[0]) <= ALIGN_SLACK or abs(a[1] - b[1]) <= ALIGN_SLACK


def continues(head: str, rest: str, fmt: int | None) -> str | None:
    """``head`` + ``rest`` when ``rest`` is the end of a number cut after ``head``: the head lacks the grid's
    number format ``fmt`` and the joined text has it. None otherwise (nothing is joined on a guess)."""
    head, rest = head.strip(), rest.strip()
    if fmt is None or not head or not _FRAGMENT.match(rest) or not _FRAGMENT.match(head.lstrip("-")):
        return None
    if decimals(head) == fmt:
        return None
    joined = head + rest
    return joined if decimals(joined) == fmt else None


def join_wrapped(lines: list[tuple[str, float, float, int]], box: tuple[float, float], fmt: int | None) -> list[str]:
    """A cell's lines (text, x0, x1, glyph count), top to bottom, with each wrapped number joined into one."""
    out: list[tuple[str, float, float, int]] = []
    for text, x0, x1, n in lines:
        if out:
            head, hx0, hx1, hn = out[-1]
            joined = continues(head, text, fmt)
            if joined is not None and fills(hx0, hx1, hn, box) and same_edge((hx0, hx1), (x0, x1)):
                out[-1] = (joined, min(hx0, x0), max(hx1, x1), hn + n)
                continue
        out.append((text, x0, x1, n))
    return [t for t, *_ in out]
