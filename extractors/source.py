"""Open a source file safely and say what kind of input it is before any parsing.

Bad input must never crash a run: every problem becomes an ``InputProblem`` with a status
(``failed`` / ``needs_ocr``) and a message that ends up in documents.csv.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from schemas.records import DocStatus


@dataclass(frozen=True)
class InputProblem(Exception):
    status: DocStatus
    message: str

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def doc_id_for(sha256: str) -> str:
    return sha256[:16]


XLSX_MAGIC = b"PK\x03\x04"  # a ZIP container (Office Open XML)
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file (Excel 97-2003)
HTML_SUFFIXES = (".html", ".htm")


def sniff_kind(path: Path) -> str:
    """'pdf', 'text', 'html' (an article page kept as a disclosure), 'xlsx' / 'xls' (a spreadsheet
    attachment) or raise InputProblem: judged by content (magic bytes); the file name only tells
    an article page (.html) from an error page served as .pdf, and a text file from a binary."""
    with path.open("rb") as f:
        head = f.read(2048)
    if not head:
        raise InputProblem(DocStatus.FAILED, "empty file (0 bytes)")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(XLS_MAGIC):
        return "xls"
    if head.startswith(XLSX_MAGIC) and path.suffix.lower() in (".xlsx", ".xlsm"):
        return "xlsx"
    stripped = head.lstrip().lower()
    if path.suffix.lower() in HTML_SUFFIXES and stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body",
                                                                     b"<meta", b"<!--")):
        return "html"
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        raise InputProblem(DocStatus.FAILED, "not a PDF: the file is an HTML/XML page (e.g. an error page served as .pdf)")
    if path.suffix.lower() in (".txt", ".text"):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as e:
            # a cut in the middle of a multi-byte character at the 2 KiB boundary is fine
            if e.start < len(head) - 4:
                raise InputProblem(DocStatus.FAILED, "text file is not UTF-8") from e
        return "text"
    raise InputProblem(DocStatus.FAILED, "not a PDF: no %PDF- header")
