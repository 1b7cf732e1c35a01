"""Show the printed figures behind a finding: find them on the PDF page, render a crop, outline them.

Numbers are located by reading the page's words (pdfplumber) and comparing every number in
them to the finding's values as decimals, so ``2,961.68``, ``2961.68`` and ``71.73%`` all match.
The page is rendered with pypdfium2; boxes are drawn in the same page coordinates.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from schemas.records import Finding

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_EVIDENCE_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*\.\d+")
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
    """The figures a reader should see: actual and expected, and decimals quoted in the evidence."""
    values: list[Decimal] = [v for v in (f.actual, f.expected) if v is not None]
    for m in _EVIDENCE_NUMBER.finditer(f.evidence or ""):
        try:
            values.append(Decimal(m.group().replace(",", "")))
        except InvalidOperation:
            continue
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
    boxes: list[Box] = []
    if not values:
        return boxes
    wanted = set(values)
    for word in page.extract_words(return_chars=True, use_text_flow=False):
        chars = word.get("chars") or []
        text = word["text"]
        aligned = len(chars) == len(text)
        for m in _NUMBER.finditer(text):
            try:
                value = Decimal(m.group().replace(",", ""))
            except InvalidOperation:
                continue
            if value not in wanted:
                continue
            span = chars[m.start():m.end()] if aligned else chars
            if not span:
                continue
            boxes.append(Box(min(c["x0"] for c in span), min(c["top"] for c in span), max(c["x1"] for c in span),
                             max(c["bottom"] for c in span), m.group()))
    return boxes


def render_crop(pdf_path: Path, page_no: int, values: list[Decimal], max_width: int = 1200) -> Crop:
    """PNG of the page band holding the values (outlined in red), or of the whole page if none is found."""
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[page_no - 1]
        boxes = locate(page, values)
        width, height = float(page.width), float(page.height)
        # pdfplumber measures from the top-left of the media box, pdfium renders the crop box
        mx0, _, _, mtop = (float(v) for v in page.mediabox)
        cx0, _, _, ctop = (float(v) for v in page.cropbox)
        dx, dy = cx0 - mx0, mtop - ctop
        rotated = bool(page.rotation)
    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        bitmap = doc[page_no - 1].render(scale=RENDER_SCALE)
        image: Image.Image = bitmap.to_pil().convert("RGB")
    finally:
        doc.close()
    sx, sy = image.width / width, image.height / height
    if rotated or abs(sx - sy) > 0.05 * sx:
        boxes = []  # pdfplumber and pdfium disagree on the page's orientation: show it plain
    draw = ImageDraw.Draw(image)
    for b in boxes:
        draw.rectangle(((b.x0 - dx - 2) * sx, (b.top - dy - 2) * sy, (b.x1 - dx + 2) * sx, (b.bottom - dy + 2) * sy),
                       outline=(220, 0, 0), width=max(2, round(sx)))
    if boxes:
        top = max(0.0, min(b.top for b in boxes) - dy - MARGIN)
        bottom = min(height, max(b.bottom for b in boxes) - dy + MARGIN)
        image = image.crop((0, round(top * sy), image.width, round(bottom * sy)))
    if not boxes:
        max_width = min(max_width, 700)
    if image.width > max_width:
        image = image.resize((max_width, max(1, round(image.height * max_width / image.width))))
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return Crop(buf.getvalue(), tuple(b.text for b in boxes), whole_page=not boxes)
