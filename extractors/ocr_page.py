"""A scanned page image read into the page the readers already take: ``.chars``, ``.edges``, ``.height``.

The table reader and the narrative reader work on pdfplumber's positioned characters and
ruling lines; an ``OcrPage`` holds the same from the image, in PDF points, so tables,
narrative, checks and the report need no second code path. The image is deskewed first;
ruling lines are found with morphology (long thin runs of ink), the characters with the OCR
engine, each carrying its confidence (``ocr_conf``) and the misread normaliser applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import cv2
import numpy as np
from pdfplumber.table import Table, TableFinder, TableSettings

from extractors.misread import normalise_numbers, suspect_tokens
from extractors.numbers import amounts_in_text
from extractors.ocr_engine import OcrGlyph, PageReading

MAX_SKEW_DEG = 3.0  # a scan tilted more than this is not deskewed (measured skews of office scans: < 1°)
SKEW_COARSE_STEP = 0.2
SKEW_FINE_STEP = 0.02
SKEW_WIDTH_PX = 1000  # the skew is measured on a copy this wide: fast, and fine enough for 0.02°
H_LINE_MIN_PT = 30.0  # a horizontal rule is ink at least this long: longer than any glyph stroke of 20 pt text
V_LINE_MIN_PT = 10.0  # table rows are 12-20 pt high; glyph strokes inside a recognised glyph box are dropped
LINE_MAX_THICK_PT = 3.0
LINE_GAP_PT = 1.0  # breaks of a rule (blur, a residual tilt's steps) up to this long are closed
INK_MIN_PX = 2  # a pixel row of a text box holds ink when this many of its pixels are dark (JPEG specks are single)


@dataclass
class OcrPage:
    """The parts of a pdfplumber ``Page`` the readers use, built from a page image."""

    page_number: int
    width: float
    height: float
    chars: list[dict]
    edges: list[dict]
    skew_deg: float = 0.0
    suspects: list[str] = field(default_factory=list)  # number-like tokens that could not be read
    numbers: list[tuple[Decimal, float]] = field(default_factory=list)  # each printed amount, its lowest confidence
    pdf: Any = None  # no PDF behind it: camelot's lattice fallback steps aside
    rotation: int = 0
    turned: int = 0  # degrees counter-clockwise the scan was turned to stand upright (a sheet scanned sideways)
    images: list = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)

    def find_tables(self, table_settings: dict | None = None) -> list[Table]:
        return TableFinder(self, TableSettings.resolve(table_settings)).tables  # type: ignore[arg-type]

    def close(self) -> None:
        """Nothing to release (the image is not kept)."""

    @property
    def min_confidence(self) -> float | None:
        return min((c["ocr_conf"] for c in self.chars), default=None)


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink 255, paper 0 (Otsu's threshold: scans differ in paper grey and toner)."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binary


def _rotate(image: np.ndarray, angle: float, border: int) -> np.ndarray:
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def skew_angle(binary: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise) that makes printed lines horizontal: the angle whose
    row profile of ink is sharpest (text lines and rules line up with pixel rows)."""
    scale = min(1.0, SKEW_WIDTH_PX / binary.shape[1])
    small = cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else binary
    if not small.any():
        return 0.0

    def sharpness(angle: float) -> float:
        return float(np.var(_rotate(small, angle, 0).sum(axis=1, dtype=np.float64)))

    coarse: list[float] = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-9, SKEW_COARSE_STEP).tolist()
    best = max(coarse, key=sharpness)
    fine: list[float] = np.arange(best - SKEW_COARSE_STEP, best + SKEW_COARSE_STEP + 1e-9, SKEW_FINE_STEP).tolist()
    sharpest = max(fine, key=sharpness)
    return round(sharpest, 3)


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The page turned upright, and the angle it was turned by."""
    angle = skew_angle(binarise(gray))
    return (_rotate(gray, angle, 255) if angle else gray), angle


def _segments(mask: np.ndarray, orientation: str, px: float) -> list[dict]:
    """Each connected run of the mask as a pdfplumber edge (points, top-left origin)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    edges = []
    for x, y, w, h, _area in stats[1:n]:
        x0, top, x1, bottom = x / px, y / px, (x + w) / px, (y + h) / px
        if orientation == "h":
            if bottom - top > LINE_MAX_THICK_PT:
                continue
            mid = (top + bottom) / 2
            top = bottom = mid
        else:
            if x1 - x0 > LINE_MAX_THICK_PT:
                continue
            mid = (x0 + x1) / 2
            x0 = x1 = mid
        edges.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
                      "orientation": orientation, "object_type": "line"})
    return edges


def ruling_lines(binary: np.ndarray, px: float) -> tuple[list[dict], np.ndarray]:
    """Horizontal and vertical rules (as edges) and the mask of their ink."""
    gap = max(1, round(LINE_GAP_PT * px))
    h_mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (round(H_LINE_MIN_PT * px), 1)))
    h_mask = cv2.morphologyEx(h_mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap * 2 + 1, 3)))
    v_mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, round(V_LINE_MIN_PT * px))))
    v_mask = cv2.morphologyEx(v_mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3, gap * 2 + 1)))
    return _segments(h_mask, "h", px) + _segments(v_mask, "v", px), cv2.bitwise_or(h_mask, v_mask)


def _inside_glyph(edge: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    return any(x0 - 1 <= edge["x0"] and edge["x1"] <= x1 + 1 and top - 1 <= edge["top"] and edge["bottom"] <= bottom + 1
               for x0, top, x1, bottom in boxes)


def _ink_rows(ink: np.ndarray, x0: float, top: float, x1: float, bottom: float) -> tuple[float, float] | None:
    """First and last pixel row holding ink inside a text box (its detected box is padded)."""
    h, w = ink.shape
    region = ink[max(0, int(top)):min(h, int(bottom) + 1), max(0, int(x0)):min(w, int(x1) + 1)]
    if region.size == 0:
        return None
    rows = np.flatnonzero((region > 0).sum(axis=1) >= INK_MIN_PX)
    if rows.size == 0:
        return None
    return max(0, int(top)) + float(rows[0]), max(0, int(top)) + float(rows[-1] + 1)


def page_chars(glyphs: list[OcrGlyph], ink: np.ndarray, px: float) -> tuple[list[dict], list[str], list[tuple[Decimal, float]]]:
    """pdfplumber-like char dicts (points) from the glyphs: each text line's characters share the line's
    inked height as top/bottom and font size, and number-like tokens have their misreads undone. Also the
    tokens left unreadable and every amount read with its lowest character confidence."""
    by_line: dict[int, list[OcrGlyph]] = {}
    for g in glyphs:
        by_line.setdefault(g.line, []).append(g)
    chars: list[dict] = []
    suspects: list[str] = []
    numbers: list[tuple[Decimal, float]] = []
    for line in by_line.values():
        line.sort(key=lambda g: g.x0)
        x0, x1 = min(g.x0 for g in line), max(g.x1 for g in line)
        top, bottom = min(g.top for g in line), max(g.bottom for g in line)
        rows = _ink_rows(ink, x0, top, x1, bottom)
        if rows is not None:
            top, bottom = rows
        raw = "".join(g.text for g in line)
        text = normalise_numbers(raw)
        suspects.extend(suspect_tokens(raw))
        numbers.extend((value, min(g.confidence for g in line[a:b])) for a, b, value in amounts_in_text(text))
        size = (bottom - top) / px
        for g, ch in zip(line, text, strict=True):
            chars.append({
                "text": ch, "x0": g.x0 / px, "x1": g.x1 / px, "top": top / px, "bottom": bottom / px, "doctop": top / px,
                "size": size, "upright": True, "fontname": "OCR", "object_type": "char", "ocr_conf": g.confidence,
                "width": (g.x1 - g.x0) / px, "height": size,
            })
    return chars, suspects, numbers


def _upright_reading(gray: np.ndarray, read: Any) -> tuple[np.ndarray, float, PageReading, int]:
    """The page deskewed and read; when its text lines ask for a quarter or half turn, turned and read again, and
    kept turned only if the second reading's lines stand upright (a page never turns on a few odd lines)."""
    upright, angle = deskew(gray)
    reading = read(cv2.cvtColor(upright, cv2.COLOR_GRAY2RGB))
    if not reading.turn:
        return upright, angle, reading, 0
    turned, turned_angle = deskew(np.ascontiguousarray(np.rot90(gray, reading.turn // 90)))
    again = read(cv2.cvtColor(turned, cv2.COLOR_GRAY2RGB))
    if again.turn:
        return upright, angle, reading, 0
    return turned, turned_angle, again, reading.turn


def read_page_image(gray: np.ndarray, dpi: float, page_number: int, width: float, height: float,
                    read: Any) -> OcrPage:
    """An ``OcrPage`` from a greyscale page image rendered at ``dpi`` (``read``: RGB array → ``PageReading``).
    A page scanned sideways is read turned: its width and height are then the turned page's."""
    upright, angle, reading, turn = _upright_reading(gray, read)
    if turn in (90, 270):
        width, height = height, width
    px = dpi / 72
    binary = binarise(upright)
    edges, rules = ruling_lines(binary, px)
    text_ink = cv2.bitwise_and(binary, cv2.bitwise_not(cv2.dilate(rules, np.ones((3, 3), np.uint8))))
    chars, suspects, numbers = page_chars(reading.glyphs, text_ink, px)
    boxes = [(c["x0"], c["top"], c["x1"], c["bottom"]) for c in chars]
    edges = [e for e in edges if e["orientation"] == "h" or not _inside_glyph(e, boxes)]
    return OcrPage(page_number, width, height, chars, edges, angle, suspects, numbers, turned=turn)
