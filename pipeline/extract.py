"""Stage: one source file → its records (document, tables, cells, narrative facts).

Never raises for bad input: every problem becomes a status and message on the Document.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber

from extractors import pdfminer_fixes
from extractors.glyphs import GlyphPages
from extractors.html_text import decode_html, html_to_text
from extractors.metadata import DocumentMetadata, budget_scope_of, head_is_complete, printed_chars, read_metadata
from extractors.narrative import extract_facts, pages_from_text
from extractors.ocr import ScannedPages, mark_ocr_facts, scanned_reader
from extractors.pages import iter_pages
from extractors.performance import pdf_forms, read_text_forms
from extractors.performance_conclusion import evaluation_conclusion, narrative_report_note
from extractors.performance_grid import PerformanceReader
from extractors.source import InputProblem, doc_id_for, sha256_of, sniff_kind
from extractors.tables import TableExtraction, TableReader
from extractors.text import PageText, page_text
from pipeline import EXTRACTOR_VERSION
from pipeline.document_records import DocumentRecords
from pipeline.second_reading import read_again
from schemas.keys import family_of
from schemas.records import (
    DocStatus,
    DocType,
    Document,
    Finding,
    NarrativeFact,
)

log = logging.getLogger("juesuan.extract")

pdfminer_fixes.install()  # a damaged Flate stream must not take minutes (see extractors/pdfminer_fixes.py)

_CID = re.compile(r"\(cid:\d+\)")




def failed_result(path: Path, sha: str, status: DocStatus, message: str, source_url: str | None) -> DocumentRecords:
    """A document that yields nothing but its status and the reason."""
    return DocumentRecords(
        Document(
            doc_id=doc_id_for(sha), file_name=path.name, sha256=sha, source_url=source_url,
            status=status, error=message, extractor_version=EXTRACTOR_VERSION,
        )
    )


def _is_cid_garbage(texts: list[str]) -> bool:
    """Whether a page's characters (their texts) are mostly glyphs without a Unicode map."""
    sample = "".join(texts[:4000])
    return len(_CID.findall(sample)) > max(5, len(texts) // 20)


def extract_document(path: Path, source_url: str | None = None) -> DocumentRecords:
    path = Path(path)
    try:
        sha = sha256_of(path)
    except OSError as e:
        return failed_result(path, "0" * 64, DocStatus.FAILED, f"cannot read file: {e}", source_url)
    try:
        kind = sniff_kind(path)
        if kind == "text":
            return _extract_text_file(path, sha, source_url)
        if kind == "html":
            return _extract_html_file(path, sha, source_url)
        if kind in ("xlsx", "xls"):
            return _extract_spreadsheet(path, sha, source_url, kind)
        return _extract_pdf(path, sha, source_url)
    except InputProblem as p:
        log.warning("%s: %s", path.name, p)
        return failed_result(path, sha, p.status, p.message, source_url)
    except Exception as e:  # a parser bug or a PDF nobody anticipated: record it, never stop the run
        log.exception("%s: extraction failed", path.name)
        detail = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in f"{type(e).__name__}: {e}")
        if type(e).__module__.startswith(("pdfminer", "pdfplumber")):
            detail = f"damaged PDF, the parser gave up ({detail})"
        return failed_result(path, sha, DocStatus.FAILED, detail[:300], source_url)


def _open_pdf(path: Path) -> pdfplumber.PDF:
    try:
        return pdfplumber.open(path)
    except Exception as e:
        name = type(e).__name__
        # pdfplumber wraps pdfminer's error (e.g. PDFPasswordIncorrect) in its args
        text = " ".join([name, str(e), *(f"{type(a).__name__} {a}" for a in e.args)]).lower()
        if "password" in text or "encrypt" in text:
            raise InputProblem(DocStatus.FAILED, "encrypted PDF: cannot be opened without a password") from e
        raise InputProblem(DocStatus.FAILED, f"corrupt or truncated PDF ({name}: {e})"[:300]) from e


def _extract_pdf(path: Path, sha: str, source_url: str | None) -> DocumentRecords:
    """One pass over the pages: each is parsed once, offered to the table reader, else kept as narrative text.

    The metadata is read as soon as the narrative holds the document's opening text (see
    document_head); the narrative is then read with the family's wordings (final accounts or budget)."""
    doc_id = doc_id_for(sha)
    reader = TableReader(doc_id)
    perf = PerformanceReader()
    scans = scanned_reader(path)  # None without the ocr extra: image pages stay needs_ocr
    with _open_pdf(path) as pdf, scans or contextlib.nullcontext():
        pages = _read_pages(pdf, scans, reader, perf)
    meta = _document_metadata(pages, reader, path)
    base: dict[str, Any] = dict(
        doc_id=doc_id, file_name=path.name, sha256=sha, source_url=source_url, region=meta.region,
        department=meta.department, fiscal_year=meta.fiscal_year, doc_type=meta.doc_type, pages=pages.n_pages,
        extractor_version=EXTRACTOR_VERSION, budget_scope=meta.budget_scope, parent_department=meta.parent_department,
    )
    if (unreadable := _unreadable(base, pages, scans)) is not None:
        return unreadable
    doc_type = _document_type(base, meta, reader, path)
    tables, facts, problems = _read_family(path, base, doc_type, reader, pages.narrative)
    forms, indicators = pdf_forms(doc_id, meta.fiscal_year, perf, pages.narrative)
    if meta.performance_only and doc_type is not None and not tables.tables:  # its title says so, and it prints none of the family's tables
        base["performance_only"] = True
        problems = [p for p in problems if p != _nothing_read(doc_type)]
        if not forms:
            problems.append(_formless_performance(doc_type, pages.narrative))
    problems += _page_problems(pages, scans)
    if scans is not None:
        facts = mark_ocr_facts(facts, scans)
    status = DocStatus.PARTIAL if problems else DocStatus.OK
    if pages.image_only and not tables.cells and not facts:
        status = DocStatus.NEEDS_OCR
    doc = Document(**base, status=status, error="; ".join(problems) or None)
    return DocumentRecords(doc, tables.tables, tables.cells, facts,
                           _text_checks(doc, pages.narrative, tables.texts)
                           + pages.glyphs.findings(doc_id, skipped=pages.cid_pages),
                           forms, indicators, ocr_pages=dict(scans.figures) if scans is not None else {})


def _formless_performance(doc_type: str, narrative: list[PageText]) -> str:
    """Why a performance-only PDF gave no form: it is an evaluation report in prose, or its form went unread."""
    if (conclusion := evaluation_conclusion(narrative)) is not None:
        return narrative_report_note(doc_type, conclusion)
    return f"its title names a performance document ({doc_type}), but no performance form was read"


@dataclass
class _PdfPages:
    """What the one pass over a PDF's pages leaves besides the tables: the narrative, the pages
    nothing could be read from, and the metadata once the narrative holds the document's head."""

    n_pages: int
    narrative: list[PageText] = field(default_factory=list)
    image_only: list[int] = field(default_factory=list)
    cid_pages: list[int] = field(default_factory=list)
    glyphs: GlyphPages = field(default_factory=GlyphPages)  # out of order, stacked, unmapped (text layer, not OCR)
    meta: DocumentMetadata | None = None
    head_chars: int = 0  # printed characters in `narrative`, until the metadata is read

    def add_narrative(self, text: PageText) -> None:
        self.narrative.append(text)
        if self.meta is None:
            self.head_chars += printed_chars(text.text)
            if head_is_complete(self.head_chars):
                self.meta = read_metadata([p.text for p in self.narrative])


def _page_count(pdf: pdfplumber.PDF) -> int:
    try:
        n_pages = len(pdf.pages)
    except Exception as e:
        raise InputProblem(DocStatus.FAILED, f"corrupt PDF: page tree unreadable ({type(e).__name__}: {e})"[:300]) from e
    if n_pages == 0:
        raise InputProblem(DocStatus.FAILED, "PDF has no pages")
    return n_pages


def _read_pages(pdf: pdfplumber.PDF, scans: ScannedPages | None, reader: TableReader,
                perf: PerformanceReader) -> _PdfPages:
    """Each page once: a scanned one through OCR, then to the form reader, then to the table reader or the narrative."""
    pages = _PdfPages(_page_count(pdf))
    for page_no, page in iter_pages(pdf):
        chars = page.chars
        pages.glyphs.offer(page_no, chars)
        if not chars and scans is not None and page.images:
            scanned = scans.page(page_no, float(page.width), float(page.height))
            if scanned is None:  # OCR failed or timed out: the reason is in scans.problems
                continue
            page, chars = scanned, scanned.chars  # type: ignore[assignment]  # read like a PDF page
        perf.offer(page_no, page, (c["text"] for c in chars))
        _sort_page(pages, reader, page_no, page, chars)
    return pages


def _sort_page(pages: _PdfPages, reader: TableReader, page_no: int, page: Any, chars: list[dict]) -> None:
    """A page with text is a table page (the reader keeps it) or narrative; one without is a scan or a table's spill-over."""
    if not chars:
        if page.images:
            pages.image_only.append(page_no)
        else:  # ruling lines only: a table's empty spill-over row
            reader.feed(page_no, page)
    elif _is_cid_garbage([c["text"] for c in chars]):
        pages.cid_pages.append(page_no)
    elif not reader.feed(page_no, page):
        pages.add_narrative(page_text(page, page_no))


def _document_metadata(pages: _PdfPages, reader: TableReader, path: Path) -> DocumentMetadata:
    """Who and when: from the narrative's head; a PDF of tables only says so in its table headings, or its file name."""
    narrative = [p.text for p in pages.narrative]
    meta = pages.meta if pages.meta is not None else read_metadata(narrative)  # shorter than a head: all of it
    if not meta.is_complete:
        meta = meta.filled_from(read_metadata(narrative + reader.result.page_heads))
        meta = meta.filled_from(read_metadata([path.stem.replace("_", "\n")]))
    return meta


def _unreadable(base: dict[str, Any], pages: _PdfPages, scans: ScannedPages | None) -> DocumentRecords | None:
    """A document whose text cannot be read at all: nothing read by OCR, scans only, or unmapped fonts."""
    n_pages = pages.n_pages
    if scans is not None and (unread := scans.nothing_read(n_pages)):
        return DocumentRecords(Document(**base, status=DocStatus.FAILED, error=unread[:500]))
    if len(pages.image_only) == n_pages:
        return DocumentRecords(Document(**base, status=DocStatus.NEEDS_OCR,
                                        error=f"no text layer: scanned image pages {_pages(pages.image_only)} need OCR"))
    if len(pages.cid_pages) >= max(1, n_pages // 2):
        return DocumentRecords(Document(**base, status=DocStatus.FAILED,
                                        error=f"fonts without Unicode maps ((cid:NN) glyphs) on pages {_pages(pages.cid_pages)}: text cannot be read"))
    return None


def _document_type(base: dict[str, Any], meta: DocumentMetadata, reader: TableReader, path: Path) -> DocType | None:
    """The type the text names, else the one its tables' titles have (then ``base`` says so, and a budget's scope)."""
    doc_type = meta.doc_type or _doc_type_of_family(reader.likeliest_family())
    if doc_type != meta.doc_type:
        base["doc_type"] = doc_type
    if doc_type == DocType.BUDGET and meta.budget_scope is None:  # a PDF of tables only: from its table heads, name
        base["budget_scope"] = budget_scope_of(" ".join([*reader.result.page_heads, path.stem]))
    return doc_type


def _read_family(path: Path, base: dict[str, Any], doc_type: DocType | None, reader: TableReader,
                 narrative: list[PageText]) -> tuple[TableExtraction, list[NarrativeFact], list[str]]:
    """The family's tables (read again by the other engines where they fail) and narrative figures, and what is missing."""
    if doc_type is None:
        return TableExtraction(), [], ["not recognised as a departmental final-account or budget disclosure"]
    family = family_of(doc_type).name  # type: ignore[union-attr]
    tables = reader.finish(family)
    tables = read_again(path, Document(**base, status=DocStatus.OK), tables, family)
    problems = list(tables.problems)
    facts = extract_facts(narrative, base["doc_id"], family)
    if not tables.tables and not facts:
        problems.append(_nothing_read(doc_type))
    return tables, facts, problems


def _page_problems(pages: _PdfPages, scans: ScannedPages | None) -> list[str]:
    """Pages skipped: scans without OCR, what OCR could not read, fonts without Unicode maps."""
    problems: list[str] = []
    if pages.image_only:
        problems.append(f"scanned image pages {_pages(pages.image_only)} need OCR")
    if scans is not None:
        problems.extend(scans.problems)
        if scans.bare:
            problems.append(f"scanned image pages {_pages(scans.bare)}: OCR found no text (blank or a photo)")
    if pages.cid_pages:
        problems.append(f"pages {_pages(pages.cid_pages)} use fonts without Unicode maps ((cid:NN)); skipped")
    problems.extend(pages.glyphs.problems(skipped=pages.cid_pages))
    return problems


FAMILY_NOUN = {DocType.FINAL_ACCOUNTS: "final-account", DocType.BUDGET: "budget"}


def _nothing_read(doc_type: DocType) -> str:
    return f"no {FAMILY_NOUN[doc_type]} tables and no narrative figures found"


def _doc_type_of_family(family: str | None) -> DocType | None:
    """A document whose text names no type (a PDF of tables only) takes the type of its tables' titles."""
    return DocType(family) if family else None


def _pages(pages: list[int]) -> str:
    return ";".join(map(str, pages))


def _extract_text_file(path: Path, sha: str, source_url: str | None) -> DocumentRecords:
    text = path.read_text(encoding="utf-8", errors="replace")
    return _narrative_only(path, sha, source_url, text, "text file: narrative only, tables are not available from text")


def _extract_html_file(path: Path, sha: str, source_url: str | None) -> DocumentRecords:
    """A budget explanation published as an article: its reading text, read like a text file;
    its tables are its attachments (documents of their own, same ``disclosure_id``)."""
    text = html_to_text(decode_html(path.read_bytes(), None))
    return _narrative_only(path, sha, source_url, text,
                           "HTML article: narrative only; its tables are its attachments (same disclosure_id)")


def _extract_spreadsheet(path: Path, sha: str, source_url: str | None, kind: str) -> DocumentRecords:
    """XLS/XLSX tables of a disclosure: every sheet titled as a known table, into the table contract."""
    from extractors.spreadsheet import read_tables, read_xls, read_xlsx

    try:
        sheets = read_xlsx(path) if kind == "xlsx" else read_xls(path)
    except Exception as e:  # a damaged or password-protected workbook
        raise InputProblem(DocStatus.FAILED, f"unreadable {kind.upper()} workbook ({type(e).__name__}: {e})"[:300]) from e
    doc_id = doc_id_for(sha)
    found = read_tables(sheets, doc_id)
    meta = read_metadata([found.head_text])
    if not found.tables:
        status, error = DocStatus.PARTIAL, "spreadsheet: no sheet titled as a known table"
    elif found.problems:
        status, error = DocStatus.PARTIAL, "; ".join(found.problems)[:500]
    else:
        status, error = DocStatus.OK, None
    doc = Document(
        doc_id=doc_id, file_name=path.name, sha256=sha, source_url=source_url, region=meta.region,
        department=meta.department, fiscal_year=meta.fiscal_year, doc_type=meta.doc_type, pages=len(sheets),
        status=status, error=error, extractor_version=EXTRACTOR_VERSION,
    )
    return DocumentRecords(doc, tables=found.tables, cells=found.cells)


def _narrative_only(path: Path, sha: str, source_url: str | None, text: str, note: str) -> DocumentRecords:
    meta = read_metadata([text])
    doc_id = doc_id_for(sha)
    pages: list[PageText] = pages_from_text(text)
    facts = extract_facts(pages, doc_id, family_of(meta.doc_type).name if meta.doc_type else "final_accounts")  # type: ignore[union-attr]
    doc = Document(
        doc_id=doc_id, file_name=path.name, sha256=sha, source_url=source_url, region=meta.region,
        department=meta.department, fiscal_year=meta.fiscal_year, doc_type=meta.doc_type, pages=None,
        status=DocStatus.PARTIAL, error=note, extractor_version=EXTRACTOR_VERSION,
    )
    forms, indicators = read_text_forms(doc_id, meta.fiscal_year, pages)
    return DocumentRecords(doc, facts=facts, findings=_text_checks(doc, pages), forms=forms, indicators=indicators)


def _text_checks(doc: Document, pages: list[PageText], table_texts: Sequence[tuple[int, str]] = ()) -> list[Finding]:
    """Checks that need the raw text (placeholders, years, direction words, numbered lists under a total in the
    narrative; placeholders in table headings, units and notes); re-checks keep them."""
    from pipeline.checks import list_findings, table_text_findings, text_findings

    family = family_of(doc.doc_type)
    lists = list_findings(doc, pages, family.name) if family else []  # numbered lists under a total, every family
    if doc.doc_type != DocType.FINAL_ACCOUNTS:
        return lists
    return text_findings(doc, [(p.page, p.text) for p in pages]) + table_text_findings(doc, table_texts) + lists
