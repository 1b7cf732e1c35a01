"""The crawler on the real portal pages of ../shared/portals/pages (Chongqing's municipal CMS and
Beijing's budget topic page), served from loopback with their hosts rewritten (tests/real_pages.py)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from pipeline import scrape as scr
from pipeline.manifest import DOWNLOADED, Manifest
from tests.mock_portal import Route
from tests.real_pages import PAGES, RealPortal, index

ENTRIES = index()


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """One crawl of every page (listed on /list.html) for the whole module."""
    raw = tmp_path_factory.mktemp("real") / "raw"
    with RealPortal() as portal:
        report = scr.scrape([portal.source()], raw)
        yield portal, report, raw


def _attachments(portal: RealPortal, file: str) -> list[scr.Link]:
    return [link for link in scr.find_links(portal.html[file], portal.served[file]) if scr.attachment_type(link.url)]


def test_the_pages_and_their_index_are_there():
    assert len(ENTRIES) == 24 and all((PAGES / e["file"]).exists() for e in ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_every_page_gives_the_attachment_links_its_index_counts(real, entry):
    portal, report, _raw = real
    found = _attachments(portal, entry["file"])
    # INDEX.json counts the href attributes naming an attachment (in the markup or in a script writing it)
    assert len([link for link in found if link.via in ("href", "script-href")]) == entry["attachment_links"]
    outcomes = {o.url: o for _, o in report.outcomes}
    for link in found:  # resolved to an absolute address, and each one met by the crawl
        parts = urlsplit(link.url)
        assert parts.scheme in ("http", "https") and parts.hostname and not parts.path.startswith(".")
        o = outcomes[link.url]
        if parts.hostname != portal.server.host:
            assert o.status == "foreign_host"
        elif scr.attachment_type(link.url) in ("pdf", "xls", "xlsx"):
            assert o.status in DOWNLOADED, (link, o)
        else:
            assert o.status == "other_type" and o.file_type == scr.attachment_type(link.url)


def test_relative_attachment_links_resolve_against_the_article_address(real):
    portal, _report, _raw = real
    file = "004_重庆__f1718b15.html"  # an article with seven './P0203….pdf' attachments
    article = portal.served[file]
    folder = article.rsplit("/", 1)[0] + "/"
    found = _attachments(portal, file)
    assert len(found) == 7 and all(link.url.startswith(folder) and link.url.endswith(".pdf") for link in found)
    assert all("2026年" in link.text and "预算公开.pdf" in link.text for link in found)  # title or text kept


def test_attachments_written_by_scripts_or_onclick_handlers_are_found(real):
    portal, report, _raw = real
    status = {o.url: o for _, o in report.outcomes}
    # var hasFJ='<a href="./P0203….pdf">…</a>'; document.write(…)
    (script,) = _attachments(portal, "004_重庆__16b4b7f9.html")
    assert script.via == "script-href" and script.text == "重庆市信访办公室2026年部门预算公开.pdf"
    assert status[script.url].status == "new"
    # <a onclick="downloadFj('name.pdf','./W0203….pdf')">: no href at all (INDEX counts 0)
    for file in ("004_重庆__8bd43b46.html", "004_重庆__0798588e.html", "004_重庆__03e1ee62.html"):
        (onclick,) = _attachments(portal, file)
        assert onclick.via == "onclick" and re.search(r"/W\d+\.pdf$", onclick.url) and "2026年" in onclick.text
        assert status[onclick.url].status == "new"
    # the same .ofd named by onclick, data-pdf and a script: one attachment, recorded with its type
    (ofd,) = _attachments(portal, "004_重庆__00f01335.html")
    assert status[ofd.url].status == "other_type" and status[ofd.url].file_type == "ofd"
    assert portal.server.hits[urlsplit(ofd.url).path] == 0


def test_links_to_other_hosts_are_refused_without_a_request(real):
    portal, report, _raw = real
    file = "004_重庆__1819e8bc.html"  # 市财政局's list: PDFs on www.cq.gov.cn, the procuratorate's and 妇联's hosts
    found = _attachments(portal, file)
    foreign = {link.url for link in found if scr.host_of(link.url) != portal.server.host}
    assert {scr.host_of(u) for u in foreign} == {"www.cq.jcy.gov.cn", "www.cqwomen.org.cn"}
    status = {o.url: o.status for _, o in report.outcomes}
    assert {status[u] for u in foreign} == {"foreign_host"}
    local = [link.url for link in found if link.url not in foreign]
    assert len(local) == 3 and all(status[u] == "new" for u in local)


def test_pages_without_attachments_add_no_document(real):
    portal, report, raw = real
    for file in ("004_重庆__7f5e0d80.html", "004_重庆__04fa2a47.html", "004_重庆__e9e5b4ff.html"):
        # a 情况说明 printed as 26 scanned images, a news item, an index of 情况说明 articles
        assert _attachments(portal, file) == []
    with Manifest(raw) as m:
        rows = {r["url"]: r for r in m.page_rows()}
        # every page was read, none of them states figures: no HTML page kept as a document
        assert all(rows[u]["status"] == "read" for u in portal.served.values())
        assert not [r for r in m.url_rows() if r["file_type"] == "html"]


def test_the_whole_crawl_downloads_each_attachment_once(real):
    portal, report, raw = real
    expected = {link.url for f in portal.served for link in _attachments(portal, f)
                if scr.host_of(link.url) == portal.server.host and scr.attachment_type(link.url) == "pdf"}
    got = {o.url for _, o in report.outcomes if o.status in DOWNLOADED}
    # 32 distinct PDF addresses on the portal named by href (INDEX: 37 links, minus one repeated on its page
    # and 4 to other hosts)
    # plus 4 named only by onclick handlers
    assert got == expected and len(expected) == 36
    assert report.page_errors == {}
    with Manifest(raw) as m:
        assert {r["file_type"] for r in m.url_rows() if r["url"] in expected} == {"pdf"}


def test_a_topic_listing_is_crawled_to_every_department_article(tmp_path):
    """Beijing's topic page as a listing: every department's budget article is opened (here: 404)."""
    file = "002_北京__006d2a19.html"
    with RealPortal() as portal:
        report = scr.scrape([portal.source(portal.served[file], link_text=["部门预算"])], tmp_path / "raw")
        # an independent count: anchors whose own text names a 部门预算
        anchors = re.findall(r"<a\b[^>]*>[^<]*部门预算", portal.html[file])
    assert len(anchors) == 197
    assert report.n_pages == 1 and len(report.page_errors) == len(anchors)
    assert all("404" in msg for msg in report.page_errors.values())


def test_non_pdf_attachments_are_recorded_with_their_type(tmp_path):
    """A real article's markup with its attachments re-published as XLS, XLSX, DOC, DOCX and ZIP."""
    file = "004_重庆__0d19f9d8.html"  # eight attachments
    with RealPortal() as portal:
        html = (PAGES / file).read_text(encoding="utf-8")
        pdfs = re.findall(r'href="(\./P\d+)\.pdf"', html)
        assert len(pdfs) == 8
        kinds = ["xls", "xlsx", "doc", "docx", "zip"]
        for stem, kind in zip(pdfs, kinds, strict=False):
            html = html.replace(f'href="{stem}.pdf"', f'href="{stem}.{kind}"')
        url = portal.add_page("changed.html", html.replace("t20260302_15480448", "t20260302_changed"), "cq.gov.cn")
        portal.server.routes["/list2.html"] = Route(f'<a href="{urlsplit(url).path}">预算公开</a>'.encode())
        report = scr.scrape([portal.source(portal.server.url("/list2.html"))], tmp_path / "raw")
        hits = dict(portal.server.hits)
    by_type = {o.file_type: o for _, o in report.outcomes}
    assert sorted(by_type) == sorted(["pdf", *kinds])
    assert by_type["xls"].status == by_type["xlsx"].status == "new"  # spreadsheets are downloaded
    for kind in ("doc", "docx", "zip"):  # recorded with their type, never requested
        o = by_type[kind]
        assert o.status == "other_type" and kind in (o.message or "")
        assert hits.get(urlsplit(o.url).path, 0) == 0
    with Manifest(tmp_path / "raw") as m:
        rows = {r["url"]: r for r in m.url_rows()}
        assert {rows[o.url]["file_type"] for o in by_type.values()} == {"pdf", *kinds}
        stored = {p.suffix for p in (tmp_path / "raw" / "sha256").rglob("*.*")}
    assert stored == {".pdf", ".xls", ".xlsx"}
