"""The OCR engine: RapidOCR (PP-OCRv4 Chinese models bundled in the wheel, onnxruntime on CPU).

Optional: installed with the ``ocr`` extra (``pip install juesuan[ocr]``). Without it
``ocr_available()`` is false and scanned pages keep the ``needs_ocr`` status. docs/ocr.md
says why this engine (measured against tesseract) and how the resolution was chosen.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

log = logging.getLogger("juesuan.ocr")

# RapidOCR shrinks larger images to this many pixels on the long side; above the page renders
# used here (A4 at OCR_DPI is 2339 px), so the chosen resolution is what the models see.
MAX_SIDE_PX = 4000


@dataclass(frozen=True)
class OcrGlyph:
    """One recognised character (a CJK glyph, or one character of a number or Latin word) in image pixels."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float  # the recogniser's probability for this character, 0…1
    line: int  # index of the detected text line it belongs to


def ocr_available() -> bool:
    """Whether the ``ocr`` extra is installed (checked without importing onnxruntime)."""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@cache
def rapid_engine() -> Any:
    """The RapidOCR engine, loaded once per process (about 1 s and 150 MB)."""
    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return RapidOCR(max_side_len=MAX_SIDE_PX)


def _split_box(text: str, box: list[list[float]]) -> list[tuple[str, float, float, float, float]]:
    """Per-character boxes of a word box (RapidOCR gives one box per CJK glyph but one per Latin word or
    number): the word's width shared out evenly, which is all the table and narrative readers need
    (which cell a character's centre falls in, and the gaps between words)."""
    xs = [p[0] for p in box]
    ys = [p[1] for p in box]
    x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    if len(text) <= 1:
        return [(text, x0, top, x1, bottom)]
    step = (x1 - x0) / len(text)
    return [(ch, x0 + i * step, top, x0 + (i + 1) * step, bottom) for i, ch in enumerate(text)]


def read_glyphs(image: Any) -> list[OcrGlyph]:
    """Every character RapidOCR reads in ``image`` (an RGB numpy array), with its box and confidence."""
    result, _ = rapid_engine()(image, return_word_box=True)
    glyphs: list[OcrGlyph] = []
    for n, item in enumerate(result or []):
        line_box, line_text, line_conf = item[0], item[1], float(item[2])
        words = item[4] if len(item) > 4 else None
        boxes = item[3] if len(item) > 3 else None
        confs = item[5] if len(item) > 5 else None
        if not words or not boxes or len(words) != len(boxes) or "".join(words).replace(" ", "") != line_text.replace(" ", ""):
            # no usable word boxes: the line's box shared out over its characters
            words, boxes, confs = [line_text], [line_box], [line_conf]
        for word, box, conf in zip(words, boxes, confs or [line_conf] * len(words), strict=False):
            for ch, x0, top, x1, bottom in _split_box(word, box):
                if ch.strip():
                    glyphs.append(OcrGlyph(ch, x0, top, x1, bottom, float(conf), n))
    return glyphs
