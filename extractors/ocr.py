"""OCR of a document's image-only pages, one page at a time, each within its own time budget.

``scanned_reader(path)`` is None without the ``ocr`` extra or with ``JUESUAN_OCR=0`` (the page
keeps its ``needs_ocr`` status). The extraction's page loop hands it each page that has images but no characters and
gets back an ``OcrPage`` to read in place of the PDF page, or None with the reason in
``problems``. Before each page a progress hook fires (``set_page_hook``): the bounded worker
tells its parent, which grants the document one more page budget, so a long scan is limited
per page and never by the limit meant for text PDFs. A page scanned sideways or upside down is read a
second time, turned (``ocr_page``): that reading fires the hook again and gets a budget of its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from extractors.ocr_engine import PageReading, ocr_available, read_page
from extractors.ocr_page import OcrPage, read_page_image
from extractors.ocr_words import pack_page
from schemas.records import NarrativeFact, TextSource, source_fields

log = logging.getLogger("juesuan.ocr")

# Render resolution of scanned pages for OCR. Measured (docs/ocr.md, scripts/ocr_measure.py):
# 150 dpi misses an amount on a dense table page (golden p16); 200 dpi reads every amount and CJK character
# of the pages measured; 300 dpi reads no more and takes about twice as long.
OCR_DPI = 200
# Time one page may take. Measured 3-15 s per page on the shared 2-core machine; a page beyond this is
# pathological (a huge poster, a speckled photo) and is skipped, the rest of the document read.
OCR_PAGE_TIMEOUT_S = 90.0

_page_hook: Callable[[int], None] | None = None


def set_page_hook(hook: Callable[[int], None] | None) -> None:
    """Call ``hook(page_no)`` before each page is OCR'd (the bounded worker reports it to its parent)."""
    global _page_hook
    _page_hook = hook


class OcrTimeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise OcrTimeout after ``seconds`` (between the engine's model calls); only in the main thread,
    where signals are delivered: elsewhere the bounded worker's deadline is the limit."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise OcrTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _extend_time_limit(seconds: float) -> None:
    """Give the page under ``_time_limit`` ``seconds`` more from now (a second reading of a turned page)."""
    if threading.current_thread() is threading.main_thread() and seconds > 0 and signal.getitimer(signal.ITIMER_REAL)[0]:
        signal.setitimer(signal.ITIMER_REAL, seconds)


class ScannedPages:
    """Reads the image-only pages of one PDF (rendered with pypdfium2, opened on first use)."""

    def __init__(self, path: Path, dpi: float = OCR_DPI, page_timeout: float = OCR_PAGE_TIMEOUT_S):
        self.path = Path(path)
        self.dpi = dpi
        self.page_timeout = page_timeout
        self.problems: list[str] = []
        self.read: list[int] = []  # pages OCR'd with text found
        self.numbers: dict[int, list[tuple[Decimal, float]]] = {}  # per OCR'd page: amounts and their confidence
        self.blank: list[int] = []  # pages OCR'd, no text found (ruling lines perhaps)
        self.bare: list[int] = []  # of those, pages without ruling lines either: blank sheets or photos
        self.failed: list[int] = []  # pages whose OCR timed out or broke
        self.figures: dict[int, dict] = {}  # per page read: its figures' words, packed (ocr_words) for the report
        self.seconds = 0.0
        self._pdf: Any = None  # a pypdfium2.PdfDocument once a page is rendered (the library ships no types)

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    def __enter__(self) -> ScannedPages:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _render(self, page_no: int) -> np.ndarray:
        import pypdfium2 as pdfium

        if self._pdf is None:
            self._pdf = pdfium.PdfDocument(str(self.path))
        page = self._pdf[page_no - 1]
        try:
            bitmap = page.render(scale=self.dpi / 72, grayscale=True)
            return np.array(bitmap.to_pil().convert("L"))
        finally:
            page.close()

    def page(self, page_no: int, width: float, height: float) -> OcrPage | None:
        """The page read by OCR (perhaps without characters: see ``blank``); None when OCR timed out or
        failed (the reason in ``problems``)."""
        if _page_hook is not None:
            _page_hook(page_no)
        start = time.perf_counter()
        readings = 0

        def read(image: np.ndarray) -> PageReading:
            nonlocal readings
            readings += 1
            if readings > 1:  # a page scanned sideways is read again, turned: a second page budget for it
                if _page_hook is not None:
                    _page_hook(page_no)
                _extend_time_limit(self.page_timeout)
            return read_page(image)

        try:
            with _time_limit(self.page_timeout):
                result = read_page_image(self._render(page_no), self.dpi, page_no, width, height, read)
        except OcrTimeout:
            self.failed.append(page_no)
            self.problems.append(f"page {page_no}: OCR took longer than {self.page_timeout:g} s and was stopped")
            return None
        except MemoryError:
            raise
        except Exception as e:  # an engine or rendering failure skips the page, never the document
            log.exception("page %s: OCR failed", page_no)
            self.failed.append(page_no)
            self.problems.append(f"page {page_no}: OCR failed ({type(e).__name__}: {e})"[:300])
            return None
        finally:
            self.seconds += time.perf_counter() - start
        if not result.chars:  # read on like a text page without characters (a table's ruled spill-over)
            self.blank.append(page_no)
            if not result.edges:
                self.bare.append(page_no)
            return result
        self.read.append(page_no)
        self.numbers[page_no] = result.numbers
        self.figures[page_no] = pack_page(result.chars, result.turned)
        if result.suspects:
            shown = ", ".join(repr(t) for t in result.suspects[:5])
            self.problems.append(f"page {page_no}: OCR text {shown} not readable as numbers; left out")
        return result

    def nothing_read(self, n_pages: int) -> str | None:
        """Why the document gave nothing, when every page was a scan and OCR read none of them."""
        if self.read or len(self.blank) + len(self.failed) != n_pages:
            return None
        reasons = list(self.problems)
        if self.blank:
            reasons.insert(0, f"scanned image pages {_pages(self.blank)}: OCR found no text (blank or a photo)")
        return "; ".join(reasons)


def _pages(pages: list[int]) -> str:
    return ";".join(map(str, pages))


def ocr_enabled() -> bool:
    """The ``ocr`` extra is installed and not switched off (``JUESUAN_OCR=0``: scans stay ``needs_ocr``)."""
    return os.environ.get("JUESUAN_OCR", "1") != "0" and ocr_available()


def scanned_reader(path: Path) -> ScannedPages | None:
    """A reader for the document's image-only pages, or None without the ``ocr`` extra (or with it off)."""
    return ScannedPages(path) if ocr_enabled() else None


def fact_confidence(fact: NarrativeFact, numbers: list[tuple[Decimal, float]]) -> float | None:
    """The lowest confidence with which the fact's figure was read on its page (every printing of that
    figure there counts); the page's lowest for figures not printed as such (a sum the text states in words)."""
    same = [conf for value, conf in numbers if value == abs(fact.value)]
    if same:
        return min(same)
    return min((conf for _, conf in numbers), default=None)


def mark_ocr_facts(facts: list[NarrativeFact], scans: ScannedPages | None) -> list[NarrativeFact]:
    """Facts read from OCR'd pages with their source and confidence (the others unchanged)."""
    if scans is None or not scans.read:
        return facts
    out = []
    for f in facts:
        if f.page in scans.numbers:
            conf = fact_confidence(f, scans.numbers[f.page])
            f = f.model_copy(update={"source": TextSource.OCR,
                                     "ocr_confidence": source_fields(conf)["ocr_confidence"]})
        out.append(f)
    return out
