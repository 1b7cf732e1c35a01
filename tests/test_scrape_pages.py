"""Conditional GET for listing and article pages: an unchanged portal costs one 304 per page,
and the crawl goes on from the links the manifest stored when the page was last read."""

from __future__ import annotations

import sqlite3

import pytest

from pipeline import scrape as scr
from pipeline.manifest import DOWNLOADED, MANIFEST_NAME, Manifest
from tests.mock_portal import PAGE_PATHS, DistrictPortal, variant


def _page_requests(portal: DistrictPortal, since: int) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in portal.server.requests[since:]:
        if r.path in PAGE_PATHS:
            out.setdefault(r.path, []).append(r)
    return out


def _as_if_unchanged(first: dict[str, str]) -> dict[str, str]:
    """What a second run over an unchanged portal finds: the same URLs, nothing downloaded."""
    return {u: "not_modified" if s in DOWNLOADED else s for u, s in first.items()}


def test_unchanged_pages_are_answered_304_and_the_crawl_finds_every_document_again(portal, tmp_path):
    raw = tmp_path / "raw"
    sources = scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml"))
    first = scr.scrape(sources, raw)
    assert (first.n_pages, first.n_pages_not_modified) == (len(PAGE_PATHS), 0)
    assert all(not r.conditional for rs in _page_requests(portal, 0).values() for r in rs)
    mark = len(portal.server.requests)

    second = scr.scrape(sources, raw)
    asked = _page_requests(portal, mark)
    assert sorted(asked) == sorted(PAGE_PATHS) and all(len(rs) == 1 for rs in asked.values())
    assert all(r.conditional and r.status == 304 for (r,) in asked.values())
    assert (second.n_pages, second.n_pages_not_modified) == (len(PAGE_PATHS), len(PAGE_PATHS))
    # pagination (index → index_1 → index_2) and article pages followed from the stored links: no document lost
    assert portal.statuses(second) == _as_if_unchanged(portal.statuses(first))
    assert not second.downloaded()
    assert all(r.status != 200 or r.path == "/files/error_2024.pdf" for r in portal.server.requests[mark:]
               if r.path != "/robots.txt")  # only the HTML error page served as .pdf is sent again in full
    with Manifest(raw) as m:
        rows = {r["url"].replace(portal.server.url(""), ""): r for r in m.page_rows(second.run_id)}
    assert sorted(rows) == sorted(PAGE_PATHS)
    assert {r["status"] for r in rows.values()} == {"not_modified"}
    assert (portal.server.url("/art/2025/101.html"), "上海市普陀区某局2024年度部门决算") in \
        rows["/czyjs/index.html"]["links"]


@pytest.mark.parametrize("page", ["/czyjs/index_2.html", "/art/2025/101.html"])
def test_a_changed_page_is_read_again_and_its_new_document_downloaded(portal, tmp_path, page):
    raw = tmp_path / "raw"
    sources = scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml"))
    first = scr.scrape(sources, raw)
    portal.publish(page, "/files/new/added_2024.pdf", "某新单位2024年度部门决算", variant(portal.pdfs["A"], "new"))
    mark = len(portal.server.requests)

    second = scr.scrape(sources, raw)
    asked = _page_requests(portal, mark)
    assert sorted(asked) == sorted(PAGE_PATHS)
    assert {p: r.status for p, (r,) in asked.items()} == {p: 200 if p == page else 304 for p in PAGE_PATHS}
    assert asked[page][0].conditional  # asked conditionally, answered in full because it changed
    assert second.n_pages_not_modified == len(PAGE_PATHS) - 1
    assert portal.statuses(second) == {**_as_if_unchanged(portal.statuses(first)),
                                         "/files/new/added_2024.pdf": "new"}
    with Manifest(raw) as m:
        row = next(r for r in m.page_rows() if r["url"] == portal.server.url(page))
    assert row["status"] == "read" and row["last_changed"] > row["first_seen"]
    assert portal.server.url("/files/new/added_2024.pdf") in [u for u, _ in row["links"]]


def test_a_server_that_ignores_validators_is_crawled_in_full(portal, tmp_path):
    raw = tmp_path / "raw"
    sources = scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml"))
    first = scr.scrape(sources, raw)
    portal.ignore_validators()
    mark = len(portal.server.requests)

    second = scr.scrape(sources, raw)
    asked = _page_requests(portal, mark)
    assert sorted(asked) == sorted(PAGE_PATHS)
    assert all(r.conditional and r.status == 200 for (r,) in asked.values())
    assert (second.n_pages, second.n_pages_not_modified) == (len(PAGE_PATHS), 0)
    assert portal.statuses(second) == _as_if_unchanged(portal.statuses(first))


def test_a_manifest_from_before_the_pages_table_opens_and_is_upgraded(portal, tmp_path):
    raw = tmp_path / "raw"
    sources = scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml"))
    first = scr.scrape(sources, raw)
    with sqlite3.connect(raw / MANIFEST_NAME) as db:  # what an older juesuan left behind
        db.execute("DROP TABLE pages")
    mark = len(portal.server.requests)

    second = scr.scrape(sources, raw)  # no stored pages: read in full; documents still conditional
    asked = _page_requests(portal, mark)
    assert all(not r.conditional and r.status == 200 for (r,) in asked.values())
    assert second.n_pages_not_modified == 0
    assert portal.statuses(second) == _as_if_unchanged(portal.statuses(first))
    with Manifest(raw) as m:
        assert len(m.page_rows()) == len(PAGE_PATHS) and len(m.current_documents()) == 3
    third = scr.scrape(sources, raw)
    assert third.n_pages_not_modified == len(PAGE_PATHS)
