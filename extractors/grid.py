"""Table grids: cells with their row/column spans and the text inside them.

Text is assigned to cells by the position of each character, never by text lines: in many
disclosures the numbers are set in another font on a shifted baseline, so plain text
extraction puts them on the wrong line while their boxes still sit in the right cell.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np
from pdfplumber.page import Page

from extractors.wrapped_numbers import fills, join_wrapped, number_format

# pdfplumber's table finder on ruling lines: segments within 3 pt snap / join into one rule (commit 351f3bf,
# chosen on the corpus; see tests/test_tables_engines.py)
LINES_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3, "join_tolerance": 3}

# ---- tuning (lengths in PDF points; "size" is a character's font size) ----------------------------------------
# Chosen on the corpus with the first table reader (351f3bf) unless said otherwise; see tests/test_tables*.py.
MIN_SIZE = 1.0  # a character without a usable size counts as 1 pt
# a gap wider than this share of the font size between two characters is printed as a space (aabda7d)
SPACE_GAP = 0.3
# a character joins a line it overlaps vertically by this share of the lower of the two heights; only the
# last LINE_LOOKBACK lines are tried (text runs top to bottom); a glyph has at least MIN_HEIGHT
LINE_OVERLAP = 0.5
LINE_LOOKBACK = 4
MIN_HEIGHT = 0.1
SNAP = 2.0  # cell edges within this many points are one grid boundary (a rule's two edges, rounding)


@dataclass
class Line:
    """A run of characters sharing a baseline band, left to right."""

    top: float
    bottom: float
    x0: float
    x1: float
    chars: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_chars(self.chars)


@dataclass
class Cell:
    r0: int
    r1: int  # exclusive
    c0: int
    c1: int  # exclusive
    bbox: tuple[float, float, float, float]
    lines: list[str] = field(default_factory=list)
    conf: float | None = None  # lowest OCR confidence of its characters; None for a PDF's text layer
    # its last line fills the cell's width (a number there may go on in the next page's first row)
    full: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(eq=False)
class Grid:
    """Rows × columns of a table; ``owner[r][c]`` is the index of the cell covering that slot.

    Compared and hashed by identity: a grid is one printed table region, whatever its contents.
    """

    bbox: tuple[float, float, float, float]
    xs: list[float]
    ys: list[float]
    cells: list[Cell]
    owner: list[list[int | None]]
    engine: str
    header_rows: int | None = None  # known header row count (text grids); None: detect from the cell texts
    orphans: int = 0  # characters inside the grid that fell in no cell (a sign of a broken grid)
    orphan_chars: dict[int, list[dict]] = field(default_factory=dict)  # those characters by the row they fell in
    number_format: int | None = None  # the decimals most of its amounts print (extractors/wrapped_numbers.py)

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    @property
    def top(self) -> float:
        return self.bbox[1]

    @property
    def bottom(self) -> float:
        return self.bbox[3]

    def cell_at(self, r: int, c: int) -> Cell | None:
        i = self.owner[r][c]
        return None if i is None else self.cells[i]

    def col_bounds(self) -> list[tuple[float, float]]:
        return list(zip(self.xs, self.xs[1:], strict=False))


def join_chars(chars: list[dict]) -> str:
    """Characters of one line in x order, a space where the gap is wider than SPACE_GAP of a character."""
    out: list[str] = []
    prev: dict | None = None
    for ch in sorted(chars, key=lambda c: c["x0"]):
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            size = max(float(prev.get("size") or 0), float(ch.get("size") or 0), MIN_SIZE)
            if gap > size * SPACE_GAP and not out[-1].isspace() and not ch["text"].isspace():
                out.append(" ")
        out.append(ch["text"])
        prev = ch
    return "".join(out)


def group_lines(chars: list[dict]) -> list[Line]:
    """Cluster characters into lines: a char joins a line when it overlaps it vertically by half its height."""
    lines: list[Line] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if not ch["text"].strip():
            continue
        h = max(ch["bottom"] - ch["top"], MIN_HEIGHT)
        placed = False
        for line in reversed(lines[-LINE_LOOKBACK:]):
            overlap = min(line.bottom, ch["bottom"]) - max(line.top, ch["top"])
            if overlap >= LINE_OVERLAP * min(h, line.bottom - line.top):
                line.chars.append(ch)
                line.x0 = min(line.x0, ch["x0"])
                line.x1 = max(line.x1, ch["x1"])
                placed = True
                break
        if not placed:
            lines.append(Line(ch["top"], ch["bottom"], ch["x0"], ch["x1"], [ch]))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _snap(values: list[float], tol: float = SNAP) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(bounds: list[float], v: float, tol: float = SNAP) -> int:
    """Index of the boundary nearest to v."""
    i = bisect_right(bounds, v + tol) - 1
    return max(0, min(i, len(bounds) - 1))


FRAME_TOLERANCE = 1.0  # points: a rectangle holding others within this slack is a frame (rules are ~1 pt thick)


# rectangles compared at a time in drop_frames (a block of FRAME_BLOCK x n booleans per array: bounded memory
# on a page of thousands of cells)
FRAME_BLOCK = 512


def drop_frames(bboxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Rectangles that hold two or more others are frames (a box drawn around a title and its
    table, as some Excel exports print), not cells: as cells they would swallow the table. A rectangle
    holds another (not equal to it) that lies inside it within FRAME_TOLERANCE; every pair is compared
    with arrays (a dense page has hundreds of cells: pair by pair in Python took 0.2 s on one page)."""
    if len(bboxes) < 3:
        return bboxes
    boxes = np.asarray(bboxes, dtype=np.float64)
    t = FRAME_TOLERANCE
    held = np.empty(len(boxes), dtype=np.int64)
    for start in range(0, len(boxes), FRAME_BLOCK):
        outer = boxes[start:start + FRAME_BLOCK, None, :]
        inner = boxes[None, :, :]
        inside = ((outer[..., 0] - t <= inner[..., 0]) & (outer[..., 1] - t <= inner[..., 1])
                  & (inner[..., 2] <= outer[..., 2] + t) & (inner[..., 3] <= outer[..., 3] + t)
                  & (outer != inner).any(axis=2))
        held[start:start + FRAME_BLOCK] = inside.sum(axis=1)
    return [b for b, n in zip(bboxes, held, strict=True) if n < 2]


def grid_from_cells(bboxes: list[tuple[float, float, float, float]], engine: str) -> Grid | None:
    """A grid from cell rectangles (as found from ruling lines): boundaries, spans, owners."""
    bboxes = drop_frames(bboxes)
    if not bboxes:
        return None
    xs = _snap([b[0] for b in bboxes] + [b[2] for b in bboxes])
    ys = _snap([b[1] for b in bboxes] + [b[3] for b in bboxes])
    if len(xs) < 2 or len(ys) < 2:
        return None
    owner: list[list[int | None]] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    cells: list[Cell] = []
    for b in bboxes:
        c0, c1 = _index(xs, b[0]), _index(xs, b[2])
        r0, r1 = _index(ys, b[1]), _index(ys, b[3])
        if c1 <= c0 or r1 <= r0:
            continue
        idx = len(cells)
        cells.append(Cell(r0, r1, c0, c1, b))
        for r in range(r0, r1):
            for c in range(c0, c1):
                if owner[r][c] is None:
                    owner[r][c] = idx
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    return Grid(bbox, xs, ys, cells, owner, engine)


def split_at_row(grid: Grid, r: int, chars: list[dict]) -> tuple[Grid, Grid] | None:
    """The grid's rows above ``r`` and from ``r`` down as two grids (text filled in again); None when a cell
    spans the cut. Two tables drawn in one ruled frame, the second's title a full-width row between them."""
    if not 0 < r < grid.n_rows or any(c.r0 < r < c.r1 for c in grid.cells):
        return None
    parts = []
    for cells in ([c for c in grid.cells if c.r1 <= r], [c for c in grid.cells if c.r0 >= r]):
        part = grid_from_cells([c.bbox for c in cells], grid.engine)
        if part is None:
            return None
        fill_text(part, chars)
        parts.append(part)
    return parts[0], parts[1]


def fill_text(grid: Grid, chars: list[dict]) -> None:
    """Put each character into the cell that contains its centre."""
    x0, top, x1, bottom = grid.bbox
    per_cell: dict[int, list[dict]] = {}
    for ch in chars:
        cx = (ch["x0"] + ch["x1"]) / 2
        cy = (ch["top"] + ch["bottom"]) / 2
        if not (x0 <= cx <= x1 and top <= cy <= bottom) or not ch["text"].strip():
            continue
        c = min(bisect_right(grid.xs, cx) - 1, grid.n_cols - 1)
        r = min(bisect_right(grid.ys, cy) - 1, grid.n_rows - 1)
        i = grid.owner[r][c]
        if i is not None:
            per_cell.setdefault(i, []).append(ch)
        else:
            grid.orphans += 1
            grid.orphan_chars.setdefault(r, []).append(ch)
    lines = {i: [(ln.text, ln.x0, ln.x1, len(ln.chars)) for ln in group_lines(cs)] for i, cs in per_cell.items()}
    fmt = grid.number_format = number_format([ln[0] for cell_lines in lines.values() for ln in cell_lines])
    for i, cell_chars in per_cell.items():
        cell = grid.cells[i]
        box = (cell.bbox[0], cell.bbox[2])
        cell.lines = join_wrapped(lines[i], box, fmt)
        last = lines[i][-1]
        cell.full = fills(last[1], last[2], last[3], box)
        cell.conf = ocr_confidence(cell_chars)


def ocr_confidence(chars: list[dict]) -> float | None:
    """The lowest OCR confidence among ``chars`` (a chain of digits is as sure as its weakest one);
    None when they come from a PDF's text layer."""
    confs = [c["ocr_conf"] for c in chars if "ocr_conf" in c]
    return min(confs) if confs else None


def set_confidence(grid: Grid, chars: list[dict]) -> None:
    """Each cell's OCR confidence from the characters whose centre lies in its box (grids built from words)."""
    if not any("ocr_conf" in c for c in chars[:1]):
        return
    for cell in grid.cells:
        x0, top, x1, bottom = cell.bbox
        cell.conf = ocr_confidence([c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
                                    and top <= (c["top"] + c["bottom"]) / 2 <= bottom])


def ruled_grids(page: Page, chars: list[dict]) -> list[Grid]:
    """Grids drawn with ruling lines (pdfplumber lines strategy), top to bottom, text filled in."""
    grids: list[Grid] = []
    for table in page.find_tables(LINES_SETTINGS):
        grid = grid_from_cells(list(table.cells), "pdfplumber-lines")
        if grid is None or grid.n_rows < 1 or grid.n_cols < 2:
            continue
        fill_text(grid, chars)
        grids.append(grid)
    grids.sort(key=lambda g: g.top)
    return grids
