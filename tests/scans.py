"""Scanned copies of PDFs, generated (never committed): each page rendered to an image with the blur,
slight skew, grey paper and JPEG compression of a real scan, and rebuilt as a PDF of images only.

Used by the OCR tests and by ``scripts/ocr_measure.py``; deterministic for a given seed.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageFilter

SCAN_DPI = 200  # a common office-scanner setting
BLUR_RADIUS = 0.8  # pixels at SCAN_DPI: ink spread of a print scanned back
MAX_SKEW_DEG = 0.6  # a sheet fed slightly askew
JPEG_QUALITY = 75


def scan_image(page: pdfium.PdfPage, rng: random.Random, dpi: int = SCAN_DPI, blur: float = BLUR_RADIUS,
               max_skew: float = MAX_SKEW_DEG, turn: int = 0) -> Image.Image:
    """One page as a scanner would see it: greyscale, blurred, rotated a little, on off-white paper; ``turn``
    degrees counter-clockwise more (90, 180, 270) for a sheet fed sideways or upside down."""
    image = page.render(scale=dpi / 72).to_pil().convert("L")
    angle = rng.uniform(-max_skew, max_skew)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if turn:
        image = image.rotate(turn, expand=True, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(blur))
    paper = Image.new("L", image.size, 238)  # scanned white is never pure white
    image = Image.composite(image, paper, image.point(lambda v: 255 if v < 236 else 0))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=JPEG_QUALITY)
    return Image.open(io.BytesIO(buf.getvalue()))


def images_to_pdf(images: list[Image.Image], out: Path, dpi: int = SCAN_DPI) -> Path:
    """A PDF whose pages are only these images (no text layer), each page sized by ``dpi``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    first, rest = images[0], images[1:]
    first.save(out, format="PDF", save_all=True, append_images=rest, resolution=float(dpi))
    return out


def scan_pdf(src: Path, out: Path, pages: list[int] | None = None, seed: int = 14, dpi: int = SCAN_DPI,
             blur: float = BLUR_RADIUS, max_skew: float = MAX_SKEW_DEG, turn: int | dict[int, int] = 0) -> Path:
    """A scanned copy of ``src`` (1-based ``pages``, all by default) written to ``out``, each page turned ``turn``
    degrees counter-clockwise (or by page number: ``{8: 90}``)."""
    rng = random.Random(seed)
    doc = pdfium.PdfDocument(str(src))
    try:
        numbers = pages or list(range(1, len(doc) + 1))
        turns = turn if isinstance(turn, dict) else dict.fromkeys(numbers, turn)
        images = [scan_image(doc[n - 1], rng, dpi, blur, max_skew, turns.get(n, 0)) for n in numbers]
    finally:
        doc.close()
    return images_to_pdf(images, out, dpi)


def blank_photo_pdf(out: Path, pages: int = 1, seed: int = 3) -> Path:
    """A 'photo of nothing': A4 pages of grey paper texture with no printed text."""
    rng = random.Random(seed)
    w, h = 1654, 2339  # A4 at 200 dpi
    images = []
    for _ in range(pages):
        noise = Image.effect_noise((w, h), 18).point(lambda v: 200 + (v - 128) // 6)
        images.append(noise.filter(ImageFilter.GaussianBlur(2 + rng.random())).convert("L"))
    return images_to_pdf(images, out)


def mixed_pdf(src: Path, out: Path, text_pages: list[int], scanned_pages: list[int], seed: int = 14,
              turn: dict[int, int] | None = None) -> Path:
    """``src`` with ``text_pages`` kept as they are and ``scanned_pages`` replaced by scans (``turn``: some of them
    turned, degrees counter-clockwise by page number), in page order."""
    scan = scan_pdf(src, out.with_suffix(".scan.pdf"), scanned_pages, seed, turn=turn or {})
    original, scanned = pdfium.PdfDocument(str(src)), pdfium.PdfDocument(str(scan))
    merged = pdfium.PdfDocument.new()
    try:
        for n in sorted(text_pages + scanned_pages):
            if n in scanned_pages:
                merged.import_pages(scanned, [scanned_pages.index(n)])
            else:
                merged.import_pages(original, [n - 1])
        merged.save(str(out))
    finally:
        merged.close()
        scanned.close()
        original.close()
    scan.unlink()
    return out
