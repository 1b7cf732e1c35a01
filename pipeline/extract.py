"""Stage: one source file → its records (document, tables, cells, narrative facts).

Never raises for bad input: every problem becomes a status and message on the Document.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.layout import LTContainer, LTItem
from pdfplumber.page import Page

from extractors import pdfminer_fixes
from extractors.metadata import DocumentMetadata, head_is_complete, printed_chars, read_metadata
from extractors.narrative import extract_facts, pages_from_text
from extractors.pages import iter_pages
from extractors.source import InputProblem, doc_id_for, sha256_of, sniff_kind
from extractors.tables import TableReader
from extractors.text import PageText, page_text
from pipeline import EXTRACTOR_VERSION
from schemas.records import DocStatus, DocType, Document, Finding, NarrativeFact, TableCell, TableRecord

log = logging.getLogger("juesuan.extract")

pdfminer_fixes.install()  # a damaged Flate stream must not take minutes (see extractors/pdfminer_fixes.py)

_CID = re.compile(r"\(cid:\d+\)")


@dataclass
class ExtractionResult:
    document: Document
    tables: list[TableRecord] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    facts: list[NarrativeFact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def failed_result(path: Path, sha: str, status: DocStatus, message: str, source_url: str | None) -> ExtractionResult:
    """A document that yields nothing but its status and the reason."""
    return ExtractionResult(
        Document(
            doc_id=doc_id_for(sha), file_name=path.name, sha256=sha, source_url=source_url,
            status=status, error=message, extractor_version=EXTRACTOR_VERSION,
        )
    )


def _is_cid_garbage(texts: list[str]) -> bool:
    """Whether a page's characters (their texts) are mostly glyphs without a Unicode map."""
    sample = "".join(texts[:4000])
    return len(_CID.findall(sample)) > max(5, len(texts) // 20)


def _leaves(objs: Iterable[LTItem]) -> Iterator[LTItem]:
    for obj in objs:
        if isinstance(obj, LTContainer):
            yield from _leaves(obj)
        else:
            yield obj


def _glyphs_and_images(page: Page) -> tuple[list[str], bool]:
    """The texts of ``page.chars`` and whether ``page.images`` has any, read straight from
    pdfminer's layout: a page only counted for the status (a budget's, once its metadata is
    known) does not need pdfplumber's dict for every object, a quarter of its parsing time.
    Objects are told apart by class name as pdfplumber does ("LTChar" → "char")."""
    texts: list[str] = []
    has_image = False
    for obj in _leaves(page.layout):
        kind = type(obj).__name__
        if kind == "LTChar":
            texts.append(obj.get_text())  # type: ignore[attr-defined]
        elif kind == "LTImage":
            has_image = True
    return texts, has_image


def extract_document(path: Path, source_url: str | None = None) -> ExtractionResult:
    path = Path(path)
    try:
        sha = sha256_of(path)
    except OSError as e:
        return failed_result(path, "0" * 64, DocStatus.FAILED, f"cannot read file: {e}", source_url)
    try:
        kind = sniff_kind(path)
        if kind == "text":
            return _extract_text_file(path, sha, source_url)
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


def _extract_pdf(path: Path, sha: str, source_url: str | None) -> ExtractionResult:
    """One pass over the pages: each is parsed once, offered to the table reader, else kept as narrative text.

    The metadata is read as soon as the narrative holds the document's opening text (see
    document_head); a budget's later pages then only count for the status: its tables are
    dropped and its narrative is not read, so neither is worked out."""
    doc_id = doc_id_for(sha)
    image_only: list[int] = []
    cid_pages: list[int] = []
    narrative: list[PageText] = []
    head_chars = 0  # printed characters in `narrative`, until the metadata is read
    meta: DocumentMetadata | None = None
    reader = TableReader(doc_id)
    with _open_pdf(path) as pdf:
        try:
            n_pages = len(pdf.pages)
        except Exception as e:
            raise InputProblem(DocStatus.FAILED, f"corrupt PDF: page tree unreadable ({type(e).__name__}: {e})"[:300]) from e
        if n_pages == 0:
            raise InputProblem(DocStatus.FAILED, "PDF has no pages")
        for page_no, page in iter_pages(pdf):
            if meta is not None and meta.doc_type == DocType.BUDGET:
                # its tables are dropped and its metadata is read: the page counts for the status only
                texts, has_image = _glyphs_and_images(page)
                if not texts and has_image:
                    image_only.append(page_no)
                elif texts and _is_cid_garbage(texts):
                    cid_pages.append(page_no)
                continue
            chars = page.chars
            if not chars:
                if page.images:
                    image_only.append(page_no)
                else:  # ruling lines only: a table's empty spill-over row
                    reader.feed(page_no, page)
            elif _is_cid_garbage([c["text"] for c in chars]):
                cid_pages.append(page_no)
            elif not reader.feed(page_no, page):
                narrative.append(page_text(page, page_no))
                if meta is None:
                    head_chars += printed_chars(narrative[-1].text)
                    if head_is_complete(head_chars):
                        meta = read_metadata([p.text for p in narrative])
    if meta is None:  # the narrative is shorter than a document's head: all of it
        meta = read_metadata([p.text for p in narrative])
    base = dict(
        doc_id=doc_id, file_name=path.name, sha256=sha, source_url=source_url, region=meta.region,
        department=meta.department, fiscal_year=meta.fiscal_year, doc_type=meta.doc_type, pages=n_pages,
        extractor_version=EXTRACTOR_VERSION,
    )
    if len(image_only) == n_pages:
        return ExtractionResult(Document(**base, status=DocStatus.NEEDS_OCR,
                                         error=f"no text layer: scanned image pages {_pages(image_only)} need OCR"))
    if len(cid_pages) >= max(1, n_pages // 2):
        return ExtractionResult(Document(**base, status=DocStatus.FAILED,
                                         error=f"fonts without Unicode maps ((cid:NN) glyphs) on pages {_pages(cid_pages)}: text cannot be read"))
    problems: list[str] = []
    tables = reader.finish()
    facts: list[NarrativeFact] = []
    if meta.doc_type == DocType.FINAL_ACCOUNTS:
        problems.extend(tables.problems)
        facts = extract_facts(narrative, doc_id)
    elif meta.doc_type == DocType.BUDGET:
        # budgets use other tables; final-account keys are not forced onto them
        tables.tables, tables.cells = [], []
    else:
        problems.append("not recognised as a departmental final-account or budget disclosure")
        tables.tables, tables.cells = [], []
    if image_only:
        problems.append(f"scanned image pages {_pages(image_only)} need OCR")
    if cid_pages:
        problems.append(f"pages {_pages(cid_pages)} use fonts without Unicode maps ((cid:NN)); skipped")
    status = DocStatus.PARTIAL if problems else DocStatus.OK
    if image_only and not tables.cells and not facts:
        status = DocStatus.NEEDS_OCR
    doc = Document(**base, status=status, error="; ".join(problems) or None)
    return ExtractionResult(doc, tables.tables, tables.cells, facts, _text_checks(doc, narrative, tables.texts))


def _pages(pages: list[int]) -> str:
    return ";".join(map(str, pages))


def _extract_text_file(path: Path, sha: str, source_url: str | None) -> ExtractionResult:
    text = path.read_text(encoding="utf-8", errors="replace")
    meta = read_metadata([text])
    doc_id = doc_id_for(sha)
    pages: list[PageText] = pages_from_text(text)
    facts = extract_facts(pages, doc_id) if meta.doc_type != DocType.BUDGET else []
    doc = Document(
        doc_id=doc_id, file_name=path.name, sha256=sha, source_url=source_url, region=meta.region,
        department=meta.department, fiscal_year=meta.fiscal_year, doc_type=meta.doc_type, pages=None,
        status=DocStatus.PARTIAL, error="text file: narrative only, tables are not available from text",
        extractor_version=EXTRACTOR_VERSION,
    )
    return ExtractionResult(doc, facts=facts, findings=_text_checks(doc, pages))


def _text_checks(doc: Document, pages: list[PageText], table_texts: list[tuple[int, str]] = ()) -> list[Finding]:
    """Checks that need the raw text (placeholders, years, direction words in the narrative; placeholders in
    table headings, units and notes); re-checks keep them."""
    if doc.doc_type != DocType.FINAL_ACCOUNTS:
        return []
    from pipeline.checks import table_text_findings, text_findings

    return text_findings(doc, [(p.page, p.text) for p in pages]) + table_text_findings(doc, table_texts)
