"""Fallback grids from camelot's lattice parser (ruling lines found in the rendered page image).

Used only where pdfplumber's vector lines give no usable grid on a table page: camelot is about
five times slower. Camelot supplies the cell geometry only; the text is still assigned from
pdfplumber's characters by position, exactly as for pdfplumber grids.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pdfplumber.page import Page

from extractors.grid import Grid, fill_text, grid_from_cells

log = logging.getLogger("juesuan.tables")
ENGINE = "camelot-lattice"


def _merged_cells(cells: list[list], page_height: float) -> list[tuple[float, float, float, float]]:
    """Rectangles of merged cells: camelot's slots joined wherever no ruling line separates them."""
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            cell = cells[r][c]
            if c + 1 < n_cols and not (cell.right or cells[r][c + 1].left):
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and not (cell.bottom or cells[r + 1][c].top):
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    boxes: dict[int, list[float]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            cell = cells[r][c]
            x0, x1 = min(cell.x1, cell.x2), max(cell.x1, cell.x2)
            top, bottom = page_height - max(cell.y1, cell.y2), page_height - min(cell.y1, cell.y2)
            b = boxes.setdefault(find(r * n_cols + c), [x0, top, x1, bottom])
            b[0], b[1], b[2], b[3] = min(b[0], x0), min(b[1], top), max(b[2], x1), max(b[3], bottom)
    return [(b[0], b[1], b[2], b[3]) for b in boxes.values()]


def camelot_grids(page: Page, chars: list[dict]) -> list[Grid]:
    """Lattice grids of this page, top to bottom; [] when camelot cannot help (no file path, rotated page, error)."""
    path = getattr(page.pdf, "path", None)
    if path is None or not Path(path).exists() or page.rotation or page.bbox[0] or page.bbox[1]:
        return []
    try:
        import camelot

        tables = camelot.read_pdf(str(path), pages=str(page.page_number), flavor="lattice", suppress_stdout=True)
    except Exception as e:  # camelot is a fallback: its failure only means no second opinion
        log.warning("camelot lattice failed on page %s: %s", page.page_number, e)
        return []
    grids: list[Grid] = []
    for t in tables:
        grid = grid_from_cells(_merged_cells(t.cells, float(page.height)), ENGINE)
        if grid is None or grid.n_cols < 2:
            continue
        fill_text(grid, chars)
        grids.append(grid)
    grids.sort(key=lambda g: g.top)
    return grids
