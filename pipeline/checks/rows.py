"""Rebuild table rows from cells: identity by code or label, repeated labels kept apart by order."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.checks.context import digits, norm_label
from schemas.records import TableCell


@dataclass
class Row:
    side: str | None
    code: str
    label: str
    cells: dict[str, TableCell] = field(default_factory=dict)


def rows_of(cells: list[TableCell]) -> list[Row]:
    """Cells grouped into rows in reading order; a label met again with a column already filled starts a new row."""
    rows: list[Row] = []
    open_rows: dict[tuple, list[Row]] = {}
    for c in cells:
        code = digits(c.code)
        key = (c.side or None, code or norm_label(c.row))
        candidates = open_rows.setdefault(key, [])
        target = next((r for r in candidates if c.col not in r.cells), None)
        if target is None:
            target = Row(c.side or None, code, norm_label(c.row))
            candidates.append(target)
            rows.append(target)
        target.cells[c.col] = c
    return rows
