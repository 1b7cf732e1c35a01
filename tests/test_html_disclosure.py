"""A budget explanation published as an HTML article is a disclosure: the page is stored under
data/raw/, its narrative read like a text file's, and it shares one disclosure_id with its attachments."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl

from extractors.html_text import html_to_text, is_narrative_page
from pipeline import process as proc
from pipeline import scrape as scr
from pipeline.extract import extract_document
from tests.conftest import WUHAN_TXT
from tests.mock_portal import Route
from tests.real_pages import PAGES, RealPortal

# a 情况说明 as departments write it; the figures are what makes it a disclosure of its own
NARRATIVE = (
    "一、收支预算总体情况",
    "2026年收入预算1,234.56万元，比2025年增加12.30万元，主要原因是人员经费增加。",
    "2026年支出预算1,234.56万元，其中基本支出1,000.00万元，项目支出234.56万元。",
    "二、“三公”经费预算情况",
    "2026年“三公”经费预算12.00万元，比2025年减少1.50万元。",
)


def test_an_html_narrative_gives_the_facts_of_the_same_text_file(tmp_path):
    """HTML → text → the .txt narrative reader: the Wuhan final account's text as an article page
    (one <p> per line, inside a CMS page with menus, scripts and a footer) gives the same 218 facts."""
    text = WUHAN_TXT.read_text(encoding="utf-8")
    body = "".join(f"<p>{htmllib.escape(line)}</p>" if line.strip() else "<p><br/></p>" for line in text.split("\n"))
    page = ('<html><head><meta charset="utf-8"><title>情况说明</title><script>var t="2024年预算100万元";</script>'
            '</head><body><div class="nav"><a href="/">首页</a><a href="/a">2024年预算100万元</a></div>'
            f'<div class="trs_editor_view">{body}</div><div class="foot">版权所有 网站标识码5000000048</div></body></html>')
    path = tmp_path / "article.html"
    path.write_text(page, encoding="utf-8")
    want, got = extract_document(WUHAN_TXT), extract_document(path)
    key = [(f.metric, f.value, f.unit, f.section, f.text) for f in want.facts]
    assert len(key) == 218 and [(f.metric, f.value, f.unit, f.section, f.text) for f in got.facts] == key
    d = got.document
    assert (d.department, d.fiscal_year, d.doc_type, d.status) == (want.document.department, 2023, "final_accounts",
                                                                   "partial")
    assert "HTML article" in (d.error or "")
    assert "首页" not in html_to_text(page) and "100万元" not in html_to_text(page)  # menus and scripts dropped


def _workbook(path: Path) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "收入决算表"
    ws.append(["项目", "本年收入合计", "财政拨款收入"])
    ws.append(["合计", 1234.56, 1234.56])
    wb.save(path)
    return path.read_bytes()


def test_an_article_and_its_attachments_are_one_disclosure(tmp_path):
    """A real article's markup (市财政局, one onclick attachment) carrying its 情况说明 in the page and a
    spreadsheet beside the PDF: scraped, stored, processed, all three documents share one disclosure_id."""
    file = "004_重庆__8bd43b46.html"
    html = (PAGES / file).read_text(encoding="utf-8")
    said = "重庆市财政局（本级）2026年单位预算情况说明见附件。"
    assert said in html and not is_narrative_page(html)  # as published: a pointer to the attachment
    html = html.replace(said, "</p><p>".join(NARRATIVE))
    html = html.replace('附件下载：</p>', '附件下载：</p><a href="./W0203_tables.xlsx">预算表.xlsx</a>', 1)
    assert is_narrative_page(html)
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    with RealPortal() as portal:
        url = portal.add_page("narrative.html", html.replace("15478429", "15478429n"), "cq.gov.cn")
        xlsx = urlsplit(url.rsplit("/", 1)[0] + "/W0203_tables.xlsx").path
        portal.server.routes[xlsx] = Route(_workbook(tmp_path / "t.xlsx"), "application/octet-stream")
        portal.server.routes["/one.html"] = Route(f'<a href="{urlsplit(url).path}">2026年单位预算公开</a>'.encode())
        report = scr.scrape([portal.source(portal.server.url("/one.html"))], raw)
        again = scr.scrape([portal.source(portal.server.url("/one.html"))], raw)
    st = {o.url.rsplit("/", 1)[-1]: (o.status, o.file_type) for _, o in report.outcomes}
    page_name = url.rsplit("/", 1)[-1]
    assert st[page_name] == ("new", "html")
    assert st["W0203_tables.xlsx"] == ("new", "xlsx")
    assert [s for n, s in st.items() if re.fullmatch(r"W\d+\.pdf", n)] == [("new", "pdf")]
    assert not again.downloaded()  # the page answered 304 the second time: nothing stored again
    stored = sorted(p.name for p in (raw / "sha256").rglob("*.*"))
    assert page_name in stored and "W0203_tables.xlsx" in stored
    assert next((raw / "sha256").rglob(page_name)).read_bytes() == portal.html["narrative.html"].encode("utf-8")

    result = proc.process(raw, clean)
    docs = {d.file_name: d for d in result.merge.dataset.documents}
    page_doc = docs[page_name]
    assert page_doc.doc_type == "budget" and page_doc.fiscal_year == 2026  # read from the page title
    assert page_doc.source_url == url
    assert len(docs) == 3 and {d.disclosure_id for d in docs.values()} == {page_doc.doc_id}
    cells = [c for c in result.merge.dataset.cells if c.doc_id == docs["W0203_tables.xlsx"].doc_id]
    assert {(c.row, c.col, str(c.value), c.cell) for c in cells} == {
        ("合计", "total", "1234.56", "B2"), ("合计", "fiscal_appropriation", "1234.56", "C2")}
    written = (clean / "documents.csv").read_text(encoding="utf-8")
    assert "disclosure_id" in written.splitlines()[0] and written.count(page_doc.doc_id) >= 3

