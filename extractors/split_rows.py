"""A table row cut by a page break: its label and a wrapped number go on in the next page's first row.

Hangzhou 收入预算总表 ends page 20 with "杭州市机动 … 12,437.3" and opens the next page with "车驾驶员考试 / 服务中心
… 6" in the same columns: one row, 杭州市机动车驾驶员考试服务中心, 事业收入 12,437.36. Read page by page it is
two rows, one with a cut figure and one with a stray "6". The first row of a continuation page is taken as the
rest of the previous page's last row only when every value it holds ends a number of that row whose cell is
full (extractors/wrapped_numbers.py: the line fills its cell, lacks the grid's number format, and the joined
text has it) and it prints no code of its own; its label text, if any, goes on the label above.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.grid import Grid
from extractors.headers import ColumnRole
from extractors.wrapped_numbers import continues


@dataclass(frozen=True)
class RowTail:
    """The last row read on a page: the indices of its cells in the table, its label text and the printed
    numbers of its full cells by column (those that may go on in the next page's first row)."""

    page: int
    cells: range
    label: str
    open: dict[int, str]


def _text(grid: Grid, r: int, c: int) -> str | None:
    cell = grid.cell_at(r, c)
    if cell is None or cell.r0 != r or cell.c0 != c or not cell.lines:
        return None
    return cell.text


def row_tail(grid: Grid, r: int, roles: list[ColumnRole], page: int, cells: range) -> RowTail:
    """What a continuation page may add to row ``r`` (the last row of ``grid``)."""
    label = "".join(t for c, role in enumerate(roles) if role.kind == "label" and (t := _text(grid, r, c)))
    full = {}
    for c, role in enumerate(roles):
        cell = grid.cell_at(r, c)
        if role.kind == "value" and cell is not None and cell.full and (t := _text(grid, r, c)) and "\n" not in t:
            full[c] = t
    return RowTail(page, cells, label, full)


def split_rest(tail: RowTail, grid: Grid, r: int, roles: list[ColumnRole], page: int) -> tuple[str, dict[int, str]] | None:
    """(label text, joined numbers by column) when row ``r`` of ``grid`` (a continuation page's first row) is
    the rest of ``tail``'s row; None when it is a row of its own."""
    if page != tail.page + 1 or not tail.open or len(roles) != grid.n_cols:
        return None
    label, joined = "", {}
    for c, role in enumerate(roles):
        text = _text(grid, r, c)
        if not text:
            continue
        if role.kind == "label":
            label += text
        elif role.kind == "value":
            whole = continues(tail.open[c], text, grid.number_format) if c in tail.open else None
            if whole is None:
                return None
            joined[c] = whole
        else:  # a code, a row number or any other text of its own: a row of its own
            return None
    return (label, joined) if joined else None
