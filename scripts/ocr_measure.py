#!/usr/bin/env python3
"""Compare OCR engines and render resolutions on a few scanned pages (docs/ocr.md records the figures).

Each page of PDF is scanned (tests/scans.py: blur, skew, JPEG), rendered back at each resolution
and read by each engine. Accuracy is measured against the original page's text layer: the share of
its printed amounts (multiset) that the OCR text holds exactly, and the share of its CJK characters.
Run on a handful of pages only; the machine is shared:

    python scripts/ocr_measure.py PDF --pages 8 16 21 --dpi 150 200 300 --engines rapidocr tesseract
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.numbers import amounts_in_text  # noqa: E402
from tests.scans import scan_pdf  # noqa: E402


def _amounts(text: str) -> Counter:
    return Counter(v for _, _, v in amounts_in_text(text))


def _cjk(text: str) -> Counter:
    return Counter(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


def _recall(truth: Counter, got: Counter) -> float:
    total = sum(truth.values())
    return sum((truth & got).values()) / total if total else 1.0


def _rapidocr(image) -> str:
    import numpy as np

    from extractors.ocr_engine import rapid_engine

    result, _ = rapid_engine()(np.asarray(image.convert("RGB")))
    return "\n".join(r[1] for r in result or [])


def _tesseract(image) -> str:
    import pytesseract

    return pytesseract.image_to_string(image, lang="chi_sim", config="--psm 6")


ENGINES = {"rapidocr": _rapidocr, "tesseract": _tesseract}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", type=Path)
    ap.add_argument("--pages", type=int, nargs="+", required=True)
    ap.add_argument("--dpi", type=int, nargs="+", default=[200])
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, pdfplumber.open(args.pdf) as original:
        scan = scan_pdf(args.pdf, Path(tmp) / "scan.pdf", args.pages)
        doc = pdfium.PdfDocument(str(scan))
        for engine in args.engines:  # model loading is not page time
            ENGINES[engine](Image.new("RGB", (400, 80), "white"))
        print("engine     dpi  page  seconds  amounts  cjk")
        for i, page_no in enumerate(args.pages):
            truth = " ".join(w["text"] for w in original.pages[page_no - 1].extract_words())
            for engine in args.engines:
                for dpi in args.dpi:
                    image = doc[i].render(scale=dpi / 72).to_pil()
                    start = time.perf_counter()
                    text = ENGINES[engine](image)
                    seconds = time.perf_counter() - start
                    print(f"{engine:10} {dpi:4} {page_no:5} {seconds:8.2f} {_recall(_amounts(truth), _amounts(text)):8.3f}"
                          f" {_recall(_cjk(truth), _cjk(text)):5.3f}", flush=True)
        doc.close()


if __name__ == "__main__":
    main()
