"""Iterate a PDF's pages once, releasing each page's parsed objects when done.

pdfplumber keeps every ``Page`` in ``pdf.pages`` and pdfminer keeps every resolved object
(decoded content streams included) in its document cache, so closing pages alone still
grows memory with the page count. Releasing both keeps memory flat on long documents.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import pdfplumber
from pdfminer.pdftypes import PDFStream
from pdfplumber.page import Page

from extractors.baselines import repair_advances, repair_baselines


def _drop_cached_streams(pdf: pdfplumber.PDF) -> None:
    cache = getattr(pdf.doc, "_cached_objs", None)
    if not isinstance(cache, dict):
        return
    for objid in [k for k, (obj, _gen) in cache.items() if isinstance(obj, PDFStream)]:
        del cache[objid]


def _drop_font_files(pdf: pdfplumber.PDF) -> None:
    """Embedded font programs are read once, when the font is built; the cached font keeps only its maps."""
    fonts = getattr(pdf.rsrcmgr, "_cached_fonts", None)
    if not isinstance(fonts, dict):
        return
    for font in fonts.values():
        if getattr(font, "fontfile", None) is not None:
            font.fontfile = None


def drop_off_page(page: Page) -> int:
    """Remove, in place, the characters whose centre lies outside the page box; returns how many.

    A spreadsheet exported onto a page smaller than the sheet draws the rest of its rows below the
    page's bottom edge: nobody sees them, and the next pages print those tables again, visibly."""
    chars = page.chars
    x0, top, x1, bottom = page.bbox
    kept = [c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
    dropped = len(chars) - len(kept)
    if dropped:
        chars[:] = kept  # the page's own list: every later reader of page.chars sees the printed ones only
    return dropped


def iter_pages(pdf: pdfplumber.PDF, only: Collection[int] | None = None) -> Iterator[tuple[int, Page]]:
    """Yield (1-based page number, page) — of the pages ``only`` lists, if given; after the consumer is done,
    the page is gone."""
    pages = pdf.pages
    for index in range(len(pages)):
        if only is not None and index + 1 not in only:
            continue
        page = pages[index]
        try:
            drop_off_page(page)  # text drawn outside the page box is not printed (a sheet larger than its page)
            repair_baselines(page.chars)  # glyphs a broken font put off their line (before anyone reads them)
            repair_advances(page.chars)  # and boxes it drew wider than the glyphs advance
            yield index + 1, page
        finally:
            page.close()
            contents = getattr(page.page_obj, "contents", None) or []
            for stream in contents:
                if isinstance(stream, PDFStream):
                    stream.data = None  # decoded bytes; never read again
            _drop_cached_streams(pdf)
            _drop_font_files(pdf)
