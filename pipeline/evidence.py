"""Show the printed figures behind a finding: find them on the PDF page, render a crop, outline them.

Numbers are located by reading the page's words (pdfplumber) and comparing every number in
them to the finding's values as decimals, so ``2,961.68``, ``2961.68`` and ``71.73%`` all match.
Numbers are read by ``extractors.numbers`` exactly as table cells are (``1,23,4.5`` and dates are
not amounts); they are looked for inside words, since narrative figures carry their unit or % glued on.
The page is rendered with pypdfium2; boxes are drawn in the same page coordinates. A scanned
page (no words, an image) shows what the extraction's OCR read on it (kept in the document's partition),
or is read by OCR now when that is not at hand and the ``ocr`` extra is installed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from extractors.numbers import amounts_in_text
from extractors.ocr_words import unpack_page
from schemas.records import Finding

RENDER_SCALE = 2.0  # 144 dpi
MARGIN = 70.0  # points of context above and below the outlined values


@dataclass(frozen=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str


@dataclass(frozen=True)
class Crop:
    png: bytes
    found: tuple[str, ...]  # the printed texts outlined
    whole_page: bool


def finding_values(f: Finding) -> list[Decimal]:
    """The figures a reader should see: actual and expected, and decimals quoted in the evidence.

    Of the evidence only amounts with decimals that stand apart (``= 2,961.68``, `` 0.3万元``) count: the
    evidence also names pages (p13), codes, years and quotes whole narrative sentences, whose every figure
    glued to the words around it would otherwise be outlined too.
    """
    values: list[Decimal] = [v for v in (f.actual, f.expected) if v is not None]
    evidence = f.evidence or ""
    for start, end, value in amounts_in_text(evidence):
        before = evidence[start - 1:start]
        if "." in evidence[start:end] and not (before.isalnum() or before == "_"):
            values.append(value)
    out: list[Decimal] = []
    for v in values:
        v = abs(v)  # 减少 56.95 is stored as -56.95 but printed without a sign
        if v != 0 and v not in out:
            out.append(v)
    return out


def finding_pages(f: Finding) -> list[int]:
    pages = []
    for part in re.split(r"[;,\s]+", f.page or ""):
        if part.isdigit() and int(part) > 0 and int(part) not in pages:
            pages.append(int(part))
    return pages


def locate(page: pdfplumber.page.Page, values: list[Decimal]) -> list[Box]:
    """Boxes of every printed number on the page equal to one of ``values``."""
    return locate_in_words(page.extract_words(return_chars=True, use_text_flow=False), values)


def locate_in_words(words: list[dict], values: list[Decimal]) -> list[Box]:
    boxes: list[Box] = []
    wanted = set(values)
    if not wanted:
        return boxes
    for word in words:
        chars = word.get("chars") or []
        text = word["text"]
        aligned = len(chars) == len(text)
        for start, end, value in amounts_in_text(text):
            if value not in wanted:
                continue
            span = chars[start:end] if aligned else chars
            if not span:
                continue
            boxes.append(Box(min(c["x0"] for c in span), min(c["top"] for c in span), max(c["x1"] for c in span),
                             max(c["bottom"] for c in span), text[start:end]))
    return boxes


@dataclass(frozen=True)
class _PageGeometry:
    words: list[dict]
    width: float
    height: float
    dx: float  # pdfplumber measures from the media box's top-left, pdfium renders the crop box
    dy: float
    rotated: bool
    turned: int = 0  # a scanned page OCR read turned (degrees counter-clockwise): its render is turned alike


class EvidencePdf:
    """A source PDF opened once for all of its findings; page words and renders are cached.

    ``ocr_pages``: the figures the extraction's OCR read on the scanned pages (``DocumentRecords.ocr_pages``);
    a scanned page among them is not OCR'd again."""

    MAX_IMAGES = 6

    def __init__(self, path: Path, ocr_pages: dict[int, dict] | None = None):
        self.path = Path(path)
        self.ocr_pages = ocr_pages or {}
        self._plumber = pdfplumber.open(self.path)
        self._pdfium = pdfium.PdfDocument(str(self.path))
        self._geometry: dict[int, _PageGeometry] = {}
        self._images: dict[int, Image.Image] = {}

    def __enter__(self) -> EvidencePdf:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._plumber.close()
        self._pdfium.close()
        self._images.clear()

    def _page(self, page_no: int) -> _PageGeometry:
        if page_no not in self._geometry:
            page = self._plumber.pages[page_no - 1]
            try:
                mx0, _, _, mtop = (float(v) for v in page.mediabox)
                cx0, _, _, ctop = (float(v) for v in page.cropbox)
                words = page.extract_words(return_chars=True, use_text_flow=False)
                dx, dy = cx0 - mx0, mtop - ctop
                width, height, turned = float(page.width), float(page.height), 0
                if not words and page.images:
                    ocr_words, turned = self._ocr_words(page_no, page)
                    if ocr_words:
                        words, dx, dy = ocr_words, 0.0, 0.0  # OCR measures the rendered (crop box) page
                    if turned in (90, 270):
                        width, height = height, width
                self._geometry[page_no] = _PageGeometry(words, width, height, dx, dy, bool(page.rotation), turned)
            finally:
                page.close()
        return self._geometry[page_no]

    def _ocr_words(self, page_no: int, page: pdfplumber.page.Page) -> tuple[list[dict], int]:
        """Words of a scanned page and the turn it was read at: as the extraction's OCR read them, else read by
        OCR now (when the extra is installed), so its figures are outlined too."""
        if page_no in self.ocr_pages:
            return unpack_page(self.ocr_pages[page_no])
        from extractors.ocr import scanned_reader

        scans = scanned_reader(self.path)
        if scans is None:
            return [], 0
        with scans:
            scanned = scans.page(page_no, float(page.width), float(page.height))
        if scanned is None or not scanned.chars:
            return [], 0
        return pdfplumber.utils.extract_words(scanned.chars, return_chars=True), scanned.turned

    def _image(self, page_no: int) -> Image.Image:
        if page_no not in self._images:
            if len(self._images) >= self.MAX_IMAGES:
                self._images.pop(next(iter(self._images)))
            bitmap = self._pdfium[page_no - 1].render(scale=RENDER_SCALE)
            self._images[page_no] = bitmap.to_pil().convert("RGB")
        return self._images[page_no].copy()

    def crop(self, page_no: int, values: list[Decimal], max_width: int = 1200) -> Crop:
        """PNG of the page band holding the values (outlined in red), or of the whole page if none is found."""
        g = self._page(page_no)
        boxes = locate_in_words(g.words, values)
        image = self._image(page_no)
        if g.turned:
            image = image.rotate(g.turned, expand=True)
        sx, sy = image.width / g.width, image.height / g.height
        if g.rotated or abs(sx - sy) > 0.05 * sx:
            boxes = []  # pdfplumber and pdfium disagree on the page's orientation: show it plain
        draw = ImageDraw.Draw(image)
        for b in boxes:
            draw.rectangle(((b.x0 - g.dx - 2) * sx, (b.top - g.dy - 2) * sy, (b.x1 - g.dx + 2) * sx,
                            (b.bottom - g.dy + 2) * sy), outline=(220, 0, 0), width=max(2, round(sx)))
        if boxes:
            top = max(0.0, min(b.top for b in boxes) - g.dy - MARGIN)
            bottom = min(g.height, max(b.bottom for b in boxes) - g.dy + MARGIN)
            image = image.crop((0, round(top * sy), image.width, round(bottom * sy)))
        else:
            max_width = min(max_width, 700)
        if image.width > max_width:
            image = image.resize((max_width, max(1, round(image.height * max_width / image.width))))
        buf = io.BytesIO()
        image.save(buf, format="PNG", optimize=True)
        return Crop(buf.getvalue(), tuple(b.text for b in boxes), whole_page=not boxes)


def render_crop(pdf_path: Path, page_no: int, values: list[Decimal], max_width: int = 1200,
                ocr_pages: dict[int, dict] | None = None) -> Crop:
    with EvidencePdf(pdf_path, ocr_pages) as pdf:
        return pdf.crop(page_no, values, max_width)
