"""``juesuan report``: one static HTML page a reader can check the dataset against.

Per document: its status, headline figures, the tables found, and every finding with a crop of
the PDF page(s) around the values involved, outlined. No server, no JavaScript framework: an
``index.html`` with PNGs beside it, opened straight from disk.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import os
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pipeline.dataset import Dataset, atomic_write_bytes, read_dataset
from pipeline.document_records import ocr_pages_of
from pipeline.duck import HEADLINES, connect
from pipeline.evidence import EvidencePdf, finding_pages, finding_values
from pipeline.wording import plural
from schemas.keys import NINE_TABLES
from schemas.records import Document, Finding, TableRecord, TextSource, cell_text, format_decimal

log = logging.getLogger("juesuan.report")

IMAGE_DIR = "img"
_TABLE_ORDER = {t.key: t.order for t in NINE_TABLES}
_HEADLINE_LABELS: dict[str, str] = {
    "total_income_expenditure": "收入支出总计 total income / expenditure",
    "income_total": "本年收入合计 income",
    "expenditure_total": "本年支出合计 expenditure",
    "basic_expenditure": "基本支出 basic expenditure",
    "project_expenditure": "项目支出 project expenditure",
    "fiscal_appropriation_total": "财政拨款收支总计 fiscal appropriation total",
    "general_public_budget_expenditure": "一般公共预算财政拨款支出 general public budget",
    "general_public_budget_basic": "一般公共预算 基本支出 basic",
    "general_public_budget_project": "一般公共预算 项目支出 project",
    "personnel_expenditure": "人员经费 personnel",
    "public_expenditure": "公用经费 public (office) expenses",
}
_THREE_PUBLIC = {
    "total": "“三公”经费合计", "overseas": "因公出国（境）费", "vehicle": "公务用车购置及运行费",
    "vehicle_purchase": "公务用车购置费", "vehicle_operation": "公务用车运行维护费", "reception": "公务接待费",
}

ProgressFn = Callable[[str, int, int], None]
ImageStore = Callable[[str, bytes], str]  # (relative name, PNG) → the src to put in the page


def file_store(out: Path) -> ImageStore:
    """Crops as PNG files beside the page (``img/…``): the report is a folder."""
    def store(name: str, png: bytes) -> str:
        atomic_write_bytes(out / name, png)
        return name
    return store


def embedded_store(name: str, png: bytes) -> str:
    """Crops inside the page as ``data:`` URLs: the report is one file, to mail as it is."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


class PdfLocator:
    """Finds a document's PDF under some folders: by file name, confirmed by SHA-256, else by SHA-256 alone."""

    def __init__(self, roots: list[Path]):
        self.files = sorted({p for r in roots if Path(r).is_dir() for p in Path(r).rglob("*")
                             if p.is_file() and p.suffix.lower() == ".pdf"})
        self._sha: dict[Path, str] = {}

    def _sha_of(self, path: Path) -> str:
        if path not in self._sha:
            from extractors.source import sha256_of

            try:
                self._sha[path] = sha256_of(path)
            except OSError:
                self._sha[path] = ""
        return self._sha[path]

    def find(self, doc: Document) -> Path | None:
        if not doc.sha256 or set(doc.sha256) == {"0"}:
            return None
        named = [p for p in self.files if p.name == doc.file_name]
        for p in named + [p for p in self.files if p not in named]:
            if self._sha_of(p) == doc.sha256:
                return p
        return None


def display_number(value: Decimal) -> str:
    """Exact, without the padding zeros of a wide DECIMAL column: 2995.390000 → 2995.39, 5 → 5.00."""
    text = format_decimal(value.normalize())
    decimals = len(text.partition(".")[2])
    if decimals >= 2:
        return text
    try:
        return format_decimal(value.quantize(Decimal(1).scaleb(-2)))
    except InvalidOperation:
        return text


def _e(value: Any) -> str:
    if isinstance(value, Decimal):
        return html.escape(display_number(value))
    return html.escape(cell_text(value) if not isinstance(value, str) else value)


def _rel(target: Path, start: Path) -> str:
    return Path(os.path.relpath(Path(target).resolve(), Path(start).resolve())).as_posix()


def _summaries(data: Path) -> dict[str, dict[str, Any]]:
    con = connect(data)
    try:
        cur = con.execute("SELECT * FROM document_summary")
        names = [d[0] for d in cur.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
    finally:
        con.close()


CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1250px;
color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #c00;padding-bottom:.2em;margin-top:2.5em}h3{margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.status-ok{color:#070}.status-failed{color:#c00}
.status-partial,.status-needs_ocr{color:#b60}.finding{border:1px solid #ddd;border-left:5px solid #c00;padding:.6em 1em;
margin:1em 0}.finding.warning{border-left-color:#e90}.finding.info{border-left-color:#48c}.crop img{max-width:100%;
border:1px solid #999}.note{color:#666;font-size:.9em}figure{margin:.6em 0}.broken{outline:3px dashed #c00}
.legend dt{font-weight:bold;float:left;clear:left;margin-right:.5em}.legend dd{margin:0 0 .2em 0}.missing{color:#b60}
"""

# marks images that failed to load, so a missing crop is visible (and checkable by a headless browser)
SCRIPT = """
window.addEventListener('load', function () {
  var imgs = document.querySelectorAll('img'), ok = 0, broken = 0;
  imgs.forEach(function (i) { if (i.complete && i.naturalWidth > 0) { ok++; } else { broken++; i.classList.add('broken'); } });
  document.body.setAttribute('data-images-ok', ok);
  document.body.setAttribute('data-images-broken', broken);
});
"""


def _doc_anchor(doc_id: str) -> str:
    return f"doc-{doc_id}"


TOLD_MARK = "<sup title='stated in the text (情况说明); no table gives it'>†</sup>"


def _headline_rows(summary: dict[str, Any]) -> str:
    told = set((summary.get("headlines_from_narrative") or "").split(";"))

    def value(name: str) -> str:
        v = summary.get(name)
        return _e(v) + (TOLD_MARK if name in told and v is not None else "")

    rows = []
    for name, _ in HEADLINES:
        if summary.get(name) is None or name.startswith("three_public_"):
            continue
        rows.append(f"<tr><th>{html.escape(_HEADLINE_LABELS.get(name, name))}</th><td class='num'>{value(name)}</td></tr>")
    three = []
    for key, label in _THREE_PUBLIC.items():
        budget, actual = f"three_public_{key}_budget", f"three_public_{key}_actual"
        if summary.get(budget) is not None or summary.get(actual) is not None:
            three.append(f"<tr><th>{html.escape(label)}</th><td class='num'>{value(budget)}</td>"
                         f"<td class='num'>{value(actual)}</td></tr>")
    out = ""
    if rows:
        out += "<table class='headlines'><caption>万元</caption>" + "".join(rows) + "</table>"
    if three:
        out += ("<table class='three-public'><caption>“三公”经费 (万元)</caption><tr><th></th><th>预算数 budget</th>"
                "<th>决算数 actual</th></tr>" + "".join(three) + "</table>")
    if told - {""}:
        out += "<p class='note'>† stated in the text (情况说明): no table of the document gives this figure.</p>"
    return out or "<p class='note'>No headline figures were read from the tables or the text.</p>"


def _tables_html(tables: list[TableRecord]) -> str:
    if not tables:
        return "<p class='note'>No standard table found.</p>"
    rows = "".join(
        f"<tr><td>{_e(t.table)}</td><td>{_e(t.title)}</td><td>{_e(';'.join(map(str, t.pages)))}</td>"
        f"<td>{'yes' if t.has_data else 'empty'}</td><td class='num'>{t.n_cells}</td><td>{_e(t.note or '')}</td></tr>"
        for t in sorted(tables, key=lambda t: (_TABLE_ORDER.get(t.table, 99), t.table))
    )
    return ("<table class='tables'><tr><th>table</th><th>title 标题</th><th>pages 页码</th><th>data</th>"
            f"<th>cells</th><th>note</th></tr>{rows}</table>")


def _finding_html(f: Finding, anchor: str, crops: list[str]) -> str:
    facts = [("rule", f.rule), ("table", f.table), ("row", f.row), ("col", f.col), ("metric", f.metric),
             ("expected", f.expected), ("actual", f.actual), ("difference", f.difference), ("page", f.page),
             ("evidence", f.evidence)]
    dl = "".join(f"<tr><th>{k}</th><td>{_e(v)}</td></tr>" for k, v in facts if v not in (None, ""))
    return (f"<div class='finding {html.escape(str(f.severity))}' id='{anchor}'>"
            f"<p><strong>{html.escape(str(f.severity)).upper()}</strong> {_e(f.message)} "
            f"<a href='#{anchor}' class='permalink'>#</a></p><table>{dl}</table>{''.join(crops)}</div>")


def _crops_for(f: Finding, pdf: Path | None, source: EvidencePdf | None, doc: Document, index: int,
               out: Path, store: ImageStore) -> list[str]:
    doc_id = doc.doc_id
    pages = finding_pages(f)
    if not pages:
        return []
    if pdf is None and not doc.file_name.lower().endswith(".pdf"):
        return [f"<p class='note'>Read from a text file ({_e(doc.file_name)}): there is no page image.</p>"]
    if pdf is None:
        return ["<p class='note'>Source PDF not found: pass its folder with --pdfs to see the page.</p>"]
    if source is None:
        return ["<p class='note'>The source PDF could not be opened to show the page.</p>"]
    values = finding_values(f)
    parts = []
    for page_no in pages:
        name = f"{IMAGE_DIR}/{doc_id}/f{index:03d}_p{page_no}.png"
        try:
            crop = source.crop(page_no, values)
        except Exception as e:  # a page that cannot be rendered must not stop the report
            log.warning("%s p%d: cannot render: %s", pdf.name, page_no, e)
            parts.append(f"<p class='note'>Page {page_no} could not be rendered ({_e(type(e).__name__)}).</p>")
            continue
        src = store(name, crop.png)
        caption = (f"page {page_no}: outlined {', '.join(crop.found)}" if crop.found
                   else f"page {page_no}: the values were not located on this page; the whole page is shown")
        img = f"<img src='{html.escape(src)}' alt='{html.escape(caption)}' loading='eager'>"
        if not src.startswith("data:"):  # a file beside the page: a click opens it full size
            img = f"<a href='{html.escape(src)}'>{img}</a>"
        parts.append(f"<figure class='crop'>{img}<figcaption>{html.escape(caption)} · "
                     f"<a href='{html.escape(_rel(pdf, out))}#page={page_no}'>open PDF at page {page_no}</a>"
                     "</figcaption></figure>")
    return parts


def _open_evidence(pdf: Path, ocr_pages: dict[int, dict] | None = None) -> EvidencePdf | None:
    try:
        return EvidencePdf(pdf, ocr_pages)
    except Exception as e:  # a damaged PDF must not stop the report
        log.warning("%s: cannot open for page crops: %s", pdf.name, e)
        return None


def _pages_text(doc: Document) -> str:
    if doc.pages:
        return f"{doc.pages} page{'s' if doc.pages != 1 else ''}"
    return "text file (no pages)" if not doc.file_name.lower().endswith(".pdf") else ""


def stored_ocr_pages(data: Path, ds: Dataset) -> dict[int, dict]:
    """What the extraction's OCR read on a document's scanned pages (kept in its partition), so the crops of
    those pages need no second OCR; nothing when none of its values was read by OCR."""
    sources = [c.source for c in ds.cells] + [f.source for f in ds.facts] + [i.source for i in ds.indicators]
    if TextSource.OCR not in sources:
        return {}
    from pipeline.process import partition_path

    try:
        return ocr_pages_of(json.loads(partition_path(data, ds.documents[0].doc_id).read_text(encoding="utf-8")))
    except (OSError, ValueError):  # no partition beside the data: the page is OCR'd for its crop
        return {}


def _document_html(doc: Document, summary: dict[str, Any], ds: Dataset, pdf: Path | None, out: Path,
                   store: ImageStore, ocr_pages: dict[int, dict] | None = None) -> str:
    anchor = _doc_anchor(doc.doc_id)
    title = f"{doc.department or doc.file_name} {doc.fiscal_year or ''}"
    facts = [_e(doc.file_name), _e(doc.region or ""), _e(doc.doc_type or ""), _pages_text(doc)]
    meta = (f"<p>{' · '.join(x for x in facts if x)} · "
            f"status <span class='status-{html.escape(str(doc.status))}'>{_e(doc.status)}</span>"
            + (f" — {_e(doc.error)}" if doc.error else "")
            + (f" · <a href='{html.escape(_rel(pdf, out))}'>PDF</a>" if pdf else "") + "</p>")
    findings = sorted(ds.findings, key=lambda f: ({"error": 0, "warning": 1}.get(str(f.severity), 2), f.rule))
    parts = [f"<section id='{anchor}'><h2>{_e(title)}</h2>{meta}", "<h3>Headline figures 主要数字</h3>",
             _headline_rows(summary), "<h3>Tables found 找到的表格</h3>", _tables_html(ds.tables),
             f"<h3>Findings 核对发现 ({len(findings)})</h3>"]
    if not findings:
        parts.append("<p class='note'>Every cross-check held.</p>")
    source = _open_evidence(pdf, ocr_pages) if pdf and any(f.page for f in findings) else None
    try:
        for i, f in enumerate(findings, start=1):
            parts.append(_finding_html(f, f"{anchor}-f{i}", _crops_for(f, pdf, source, doc, i, out, store)))
    finally:
        if source:
            source.close()
    parts.append("<p><a href='#top'>↑ top</a></p></section>")
    return "".join(parts)


# documents.csv's trust columns (pipeline/quality.py), one index column each: (header, tooltip, legend)
TRUST_COLUMNS = (
    ("expected found 应有的表", "tables_found / tables_expected",
     "the tables the document's family always prints, located (tables_found / tables_expected); the missing ones named"),
    ("read in full", "tables_fully_read", "tables whose every value was read (tables_fully_read)"),
    ("cells", "cells_read", "values read from the tables (cells_read)"),
    ("identity errors", "identity_errors",
     "table identities that fail on tables read in full: figures the document itself prints inconsistently "
     "(identity_errors)"),
    ("doubtful", "doubtful_tables",
     "tables whose identities fail where the reading itself is in doubt: not asserted as published errors "
     "(doubtful_tables)"),
    ("narrative matched", "narrative_matched / narrative_figures",
     "figures of the narrative found again in a table (narrative_matched / narrative_figures)"),
    ("fully read", "fully_read", "every expected table located and read in full, none doubtful (fully_read)"),
)


def _of(part: int | None, whole: int | None) -> str:
    return "" if part is None and whole is None else f"{_e(part)} / {_e(whole)}"


def _trust_cells(d: Document) -> str:
    """The index row's trust columns (empty for a dataset written before they existed)."""
    missing = (f"<br><small class='missing' title='tables_missing'>missing {html.escape(d.tables_missing)}</small>"
               if d.tables_missing else "")
    fully = "" if d.fully_read is None else ("<span class='status-ok'>yes</span>" if d.fully_read
                                             else "<span class='status-partial'>no</span>")
    doubtful = html.escape((d.doubtful_tables or "").replace(";", " "))
    return (f"<td class='num'>{_of(d.tables_found, d.tables_expected)}{missing}</td>"
            f"<td class='num'>{_e(d.tables_fully_read)}</td><td class='num'>{_e(d.cells_read)}</td>"
            f"<td class='num'>{_e(d.identity_errors)}</td><td><small>{doubtful}</small></td>"
            f"<td class='num'>{_of(d.narrative_matched, d.narrative_figures)}</td><td>{fully}</td>")


INDEX_NOTE = ("tables with data / found: of the standard tables found in the document, how many hold figures "
              "(a table printed empty, e.g. 本表无数据, is found but has no data). A text file has no tables.")


TRUST_LEGEND = ("<dl class='note legend'><dt>How far each document can be trusted</dt>"
                "<dd>what was checked and what held, as in documents.csv:</dd>"
                + "".join(f"<dt>{html.escape(head)}</dt><dd>{html.escape(text)}</dd>" for head, _, text in TRUST_COLUMNS)
                + "</dl>")


def _index_html(docs: list[Document], summaries: dict[str, dict[str, Any]], data: Path, out: Path) -> str:
    rows = []
    for d in docs:
        s = summaries.get(d.doc_id, {})
        rows.append(
            f"<tr><td><a href='#{_doc_anchor(d.doc_id)}'>{_e(d.department or d.file_name)}</a></td>"
            f"<td>{_e(d.fiscal_year)}</td><td class='status-{html.escape(str(d.status))}'>{_e(d.status)}</td>"
            f"<td class='num'>{_e(s.get('n_tables_with_data', 0))} / {_e(s.get('n_tables', 0))}</td><td class='num'>{_e(s.get('n_errors', 0))}</td>"
            f"<td class='num'>{_e(s.get('n_warnings', 0))}</td>{_trust_cells(d)}</tr>")
    files = " · ".join(f"<a href='{html.escape(_rel(data / n, out))}'>{n}</a>"
                       for n in ("documents.csv", "tables.csv", "table_cells.csv", "narrative_facts.csv", "findings.csv")
                       if (data / n).exists())
    return ("<table class='index'><tr><th>department 部门</th><th>year</th><th>status</th>"
            "<th title='standard tables found with figures in them, of the tables found'>tables with data / found "
            "有数据的表 / 找到的表</th><th>errors</th><th>warnings</th>"
            + "".join(f"<th title='{html.escape(tip)}'>{html.escape(head)}</th>" for head, tip, _ in TRUST_COLUMNS)
            + f"</tr>{''.join(rows)}</table><p class='note'>{INDEX_NOTE}</p>{TRUST_LEGEND}<p>Data: {files}</p>")


def write_report(data: Path, out: Path, pdf_roots: list[Path] | None = None,
                 on_progress: ProgressFn | None = None, single_file: bool = False) -> Path:
    """Write ``out/index.html`` (and its images) for the dataset in ``data``; returns the page's path.
    ``single_file``: the page crops are embedded in ``index.html``, which is then the whole report
    (journalists mail it); the links to the source PDFs and the CSVs work only beside the data."""
    data, out = Path(data), Path(out)
    store = embedded_store if single_file else file_store(out)
    ds = read_dataset(data)
    summaries = _summaries(data)
    locator = PdfLocator(list(pdf_roots or []))
    docs = sorted(ds.documents, key=lambda d: (d.department or "", d.fiscal_year or 0, d.file_name))
    sections = []
    for n, doc in enumerate(docs, start=1):
        if on_progress:
            on_progress(doc.file_name, n - 1, len(docs))
        own = ds.for_doc(doc.doc_id)
        pdf = locator.find(doc) if any(f.page for f in own.findings) or doc.file_name.lower().endswith(".pdf") else None
        ocr_pages = stored_ocr_pages(data, own) if pdf and any(f.page for f in own.findings) else {}
        sections.append(_document_html(doc, summaries.get(doc.doc_id, {}), own, pdf, out, store, ocr_pages))
    if on_progress:
        on_progress("done", len(docs), len(docs))
    n_err = sum(1 for f in ds.findings if f.severity == "error")
    page = (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>juesuan evidence report</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style>"
        f"<script>{SCRIPT}</script></head><body><a id='top'></a><h1>juesuan · 决算 evidence report</h1>"
        f"<p>{plural(len(docs), 'document')}, {plural(len(ds.findings), 'finding')} ({plural(n_err, 'error')}). Each finding shows the printed "
        "figures it is about, outlined on the page they were printed on.</p>"
        + _index_html(docs, summaries, data, out) + "".join(sections) + "</body></html>"
    )
    index = out / "index.html"
    atomic_write_bytes(index, page.encode("utf-8"))
    return index

