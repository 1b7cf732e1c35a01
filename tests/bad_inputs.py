"""Makers of the bad inputs a nightly scrape meets, built from the bundled samples or from scratch."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tests.conftest import SOCIAL_WORK_PDF

CJK_FONT = "STSong-Light"


def _cjk_canvas(path: Path, **kwargs) -> canvas.Canvas:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    c = canvas.Canvas(str(path), **kwargs)
    c.setFont(CJK_FONT, 14)
    return c


def text_pdf(path: Path, lines: list[str], **kwargs) -> Path:
    c = _cjk_canvas(path, **kwargs)
    for i, line in enumerate(lines):
        c.drawString(60, 780 - 24 * i, line)
    c.save()
    return path


def encrypted_pdf(path: Path) -> Path:
    return text_pdf(path, ["上海市某区某局2024年度部门决算"], encrypt=StandardEncryption("secret", ownerPassword="owner"))


def budget_pdf(path: Path) -> Path:
    return text_pdf(path, ["上海市某区某局2025年度部门预算", "第一部分 部门概况", "一、部门主要职能",
                           "第二部分 2025年度部门预算表", "一、财务收支预算总表", "收入总计 3000.00 万元"])


def not_a_disclosure_pdf(path: Path) -> Path:
    return text_pdf(path, ["会议通知", "定于下周三召开工作会议，请各科室负责人参加。", "Quarterly sales 1,234.56"])


def zero_byte(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def html_as_pdf(path: Path) -> Path:
    path.write_bytes(b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>")
    return path


def corrupt_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 64)
    return path


def truncated_pdf(path: Path, source: Path = SOCIAL_WORK_PDF, keep: float = 0.4) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def first_pages(path: Path, source: Path = SOCIAL_WORK_PDF, n_pages: int = 6) -> Path:
    src = pdfium.PdfDocument(str(source))
    out = pdfium.PdfDocument.new()
    out.import_pages(src, list(range(min(n_pages, len(src)))))
    out.save(str(path))
    out.close()
    src.close()
    return path


def without_unicode_maps(path: Path, source: Path = SOCIAL_WORK_PDF, n_pages: int = 6) -> Path:
    """The first pages of a real PDF with every font's /ToUnicode map disabled (same length: the xref stays valid)."""
    data = first_pages(path, source, n_pages).read_bytes()
    assert b"/ToUnicode" in data
    path.write_bytes(data.replace(b"/ToUnicode", b"/ToUnicodX"))
    return path


def _image_pages(source: Path, indexes: list[int]) -> pdfium.PdfDocument:
    """A PDF whose pages are pictures of ``source``'s pages: what a scanner produces."""
    src = pdfium.PdfDocument(str(source))
    out = pdfium.PdfDocument.new()
    try:
        for i in indexes:
            page = src[i]
            width, height = page.get_size()
            image = page.render(scale=1).to_pil().convert("RGB")
            new_page = out.new_page(width, height)
            obj = pdfium.PdfImage.new(out)
            bitmap = pdfium.PdfBitmap.from_pil(image)
            obj.set_bitmap(bitmap)
            obj.set_matrix(pdfium.PdfMatrix().scale(width, height))
            new_page.insert_obj(obj)
            new_page.gen_content()
    finally:
        src.close()
    return out


def scanned_pdf(path: Path, source: Path = SOCIAL_WORK_PDF, n_pages: int = 3) -> Path:
    doc = _image_pages(source, list(range(n_pages)))
    doc.save(str(path))
    doc.close()
    return path


def partly_scanned_pdf(path: Path, source: Path = SOCIAL_WORK_PDF, n_pages: int = 5, scanned: int = 3) -> Path:
    """First ``n_pages`` of ``source`` with page ``scanned`` (1-based) replaced by its picture."""
    src = pdfium.PdfDocument(str(source))
    images = _image_pages(source, [scanned - 1])
    out = pdfium.PdfDocument.new()
    out.import_pages(src, list(range(scanned - 1)))
    out.import_pages(images, [0])
    out.import_pages(src, list(range(scanned, n_pages)))
    out.save(str(path))
    for d in (out, images, src):
        d.close()
    return path
