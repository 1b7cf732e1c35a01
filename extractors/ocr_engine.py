"""The OCR engine: RapidOCR (PP-OCRv4 Chinese models bundled in the wheel, onnxruntime on CPU).

Optional: installed with the ``ocr`` extra (``pip install juesuan[ocr]``). Without it
``ocr_available()`` is false and scanned pages keep the ``needs_ocr`` status. docs/ocr.md
says why this engine (measured against tesseract) and how the resolution was chosen.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

log = logging.getLogger("juesuan.ocr")

# RapidOCR shrinks larger images to this many pixels on the long side; above the page renders
# used here (A4 at OCR_DPI is 2339 px), so the chosen resolution is what the models see.
MAX_SIDE_PX = 4000
# A page's orientation is read from its text lines as RapidOCR reads them anyway (no extra model run):
# a line box this much longer one way than the other has a direction (RapidOCR's own rule for turning a
# tall line before reading it); its angle classifier then says whether the line stood upside down.
ELONGATED_RATIO = 1.5
CLS_SURE = 0.9  # the classifier's probability RapidOCR itself requires before it flips a line
# Of the page's sure, elongated lines, this share must agree on one turn, and at least this many. Measured on
# scans of golden pages 18 (a table) and 21 (narrative): upright, every sure line asks for no turn; turned
# 90°, 180° or 270°, 94-100 % of them agree on the turn back. A turn is then checked by the second reading.
TURN_MIN_SHARE = 0.7
TURN_MIN_LINES = 3


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


@dataclass(frozen=True)
class PageReading:
    """What the engine read on a page image, and how the image should be turned for its text to stand upright."""

    glyphs: list[OcrGlyph]
    turn: int  # degrees counter-clockwise: 0, 90, 180 or 270


@dataclass
class _LineVotes:
    """Per detected line of the engine's last call: its shape (tall, wide or neither) and the classifier's verdict."""

    shapes: list[str] = field(default_factory=list)
    labels: list[tuple[str, float]] = field(default_factory=list)


def _shape(box: Any) -> str:
    """'tall', 'wide' or '' for a detected quadrilateral, measured as RapidOCR measures its crop."""
    p = np.asarray(box, dtype=float)
    w = max(np.linalg.norm(p[0] - p[1]), np.linalg.norm(p[2] - p[3]))
    h = max(np.linalg.norm(p[0] - p[3]), np.linalg.norm(p[1] - p[2]))
    if w <= 0 or h <= 0:
        return ""
    return "tall" if h / w >= ELONGATED_RATIO else "wide" if w / h >= ELONGATED_RATIO else ""


def page_turn(votes: _LineVotes) -> int:
    """The turn (degrees counter-clockwise) most of the page's directed lines ask for: a wide line the classifier
    finds upside down asks for 180; a tall line (RapidOCR reads it turned 90° counter-clockwise) asks for 90,
    or 270 when even so it stood upside down. 0 unless enough sure lines agree."""
    asks: list[int] = []
    for shape, (label, score) in zip(votes.shapes, votes.labels, strict=False):
        if not shape or score < CLS_SURE:
            continue
        flipped = "180" in label
        asks.append((180 if flipped else 0) if shape == "wide" else (270 if flipped else 90))
    if len(asks) < TURN_MIN_LINES:
        return 0
    best = max((90, 180, 270), key=asks.count)
    return best if asks.count(best) >= TURN_MIN_SHARE * len(asks) else 0


@cache
def rapid_engine() -> Any:
    """The RapidOCR engine, loaded once per process (about 1 s and 150 MB), noting each call's line shapes
    and angle-classifier verdicts (``votes``) for the page's orientation."""
    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    engine = RapidOCR(max_side_len=MAX_SIDE_PX)
    engine.votes = _LineVotes()
    crop, classify = engine.get_crop_img_list, engine.text_cls

    def noted_crop(img: Any, dt_boxes: Any) -> Any:
        engine.votes = _LineVotes(shapes=[_shape(b) for b in dt_boxes])
        return crop(img, dt_boxes)

    def noted_classify(img_list: Any) -> Any:
        out = classify(img_list)
        engine.votes.labels = [(str(label), float(score)) for label, score in out[1]]
        return out

    engine.get_crop_img_list, engine.text_cls = noted_crop, noted_classify
    return engine


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


def read_page(image: Any) -> PageReading:
    """Every character RapidOCR reads in ``image`` (an RGB numpy array), and the turn its text lines ask for."""
    engine = rapid_engine()
    engine.votes = _LineVotes()
    glyphs = read_glyphs(image, engine)
    return PageReading(glyphs, page_turn(engine.votes))


def read_glyphs(image: Any, engine: Any = None) -> list[OcrGlyph]:
    """Every character RapidOCR reads in ``image`` (an RGB numpy array), with its box and confidence."""
    result, _ = (engine or rapid_engine())(image, return_word_box=True)
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
