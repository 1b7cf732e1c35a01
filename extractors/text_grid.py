"""Grids for tables printed without ruling lines (whitespace-aligned, e.g. from Word)."""

from __future__ import annotations

from extractors.grid import Grid, Line


def text_grid(lines: list[Line], table_key: str, centers: list[float] | None = None) -> Grid | None:
    return None
