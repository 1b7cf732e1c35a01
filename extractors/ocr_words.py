"""The figures of an OCR'd page, kept with the document's records so the report can outline them later
without reading the page a second time.

Only words holding a digit are kept (the report outlines amounts; a page's CJK text would make a scanned
document's partition several times larger), each with its characters' boxes in the page's points, and
the turn the page was read at (``OcrPage.turned``: the report turns its render the same way).
"""

from __future__ import annotations

from typing import Any

import pdfplumber

BOX_DECIMALS = 2  # points: a hundredth is far below a rendered pixel (the report draws at 144 dpi)


def pack_page(chars: list[dict], turned: int) -> dict[str, Any]:
    """JSON-safe: ``{"turned": 90, "words": [[text, [[char, x0, top, x1, bottom], ...]], ...]}``."""
    words = pdfplumber.utils.extract_words(chars, return_chars=True)
    kept = [[w["text"], [[c["text"], *(round(float(c[k]), BOX_DECIMALS) for k in ("x0", "top", "x1", "bottom"))]
                         for c in w["chars"]]]
            for w in words if any(ch.isdigit() for ch in w["text"])]
    return {"turned": turned, "words": kept}


def unpack_page(packed: dict[str, Any]) -> tuple[list[dict], int]:
    """The words (pdfplumber's shape: ``text``, the box, ``chars``) and the turn of a packed page."""
    words = []
    for text, chars in packed.get("words", []):
        boxes = [{"text": t, "x0": x0, "top": top, "x1": x1, "bottom": bottom} for t, x0, top, x1, bottom in chars]
        words.append({"text": text, "chars": boxes, "x0": min(c["x0"] for c in boxes), "top": min(c["top"] for c in boxes),
                      "x1": max(c["x1"] for c in boxes), "bottom": max(c["bottom"] for c in boxes)})
    return words, int(packed.get("turned", 0))
