"""The shipped sources file: its schema, its provenance, `juesuan scrape --dry-run` and `juesuan sources`."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from pipeline import scrape as scr
from pipeline.cli import app
from tests.real_pages import PORTALS

SOURCES = scr.DEFAULT_SOURCES
NAME = re.compile(r"^[a-z][a-z0-9-]*$")
SEEN = re.compile(r"^(\d{4}-\d{2}), (\d+) PDFs?(?:, (\d+) HTML pages?)?$")
KNOWN_KEYS = set(scr.Source.__dataclass_fields__)


def _doc() -> dict:
    return yaml.safe_load(SOURCES.read_text(encoding="utf-8"))


def test_the_sources_file_follows_its_schema():
    doc = _doc()
    assert set(doc) == {"defaults", "sources"} and set(doc["defaults"]) <= KNOWN_KEYS
    for entry in doc["sources"]:
        name = entry.get("name", "?")
        assert set(entry) <= KNOWN_KEYS, name
        assert NAME.fullmatch(name), name
        assert isinstance(entry["verified"], bool), name  # every entry says it, explicitly
        assert entry["listing_urls"] and all(urlsplit(u).scheme in ("http", "https") and urlsplit(u).hostname
                                             for u in entry["listing_urls"]), name
        if "seen" in entry:
            assert SEEN.fullmatch(entry["seen"]), name
    sources = scr.load_sources(SOURCES)  # types, regexes, unknown keys, unique names
    assert all(s.delay >= 1.0 and s.hosts() for s in sources)
    with pytest.raises(ValueError, match="download_types"):
        scr.source_from_dict({"name": "x", "listing_urls": ["http://a/"], "download_types": ["docx"]})


def test_every_city_that_published_pdfs_has_an_unverified_entry_with_its_provenance():
    cities = json.loads((PORTALS / "city_budget_portals.json").read_text(encoding="utf-8"))
    published = [c for c in cities if c["real_pdfs_seen_2026_03"] > 0]
    assert len(published) == 31
    by_url = {s.listing_urls[0]: s for s in scr.load_sources(SOURCES)}
    for c in published:
        s = by_url[c["budget_url"]]
        assert s.region == c["city"] + "市" and s.verified is False and s.link_text == ("预算",)
        m = SEEN.fullmatch(s.seen or "")
        assert m and m.group(1) == "2026-03" and int(m.group(2)) == c["real_pdfs_seen_2026_03"]
        assert int(m.group(3) or 0) == c["html_pages_seen_2026_03"]
        assert all(scr.host_allowed(u, s.hosts()) for u in s.listing_urls)
    names = {s.name for s in scr.load_sources(SOURCES)}
    assert {"wuhan-hongshan", "shanghai-putuo"} <= names and len(names) == 33
    # no city without recorded PDFs, and no 决算 column nobody recorded
    assert not [s for s in scr.load_sources(SOURCES) if s.seen and "决算" in "".join(s.link_text)]


def test_dry_run_prints_the_plan_of_every_source_without_a_request(monkeypatch):
    def no_network(*a, **kw):
        raise AssertionError("a dry run must not send a request")

    monkeypatch.setattr(httpx.Client, "send", no_network)
    res = CliRunner().invoke(app, ["scrape", "--dry-run"])
    assert res.exit_code == 0, res.output
    sources = scr.load_sources(SOURCES)
    for s in sources:
        assert f"{s.name} ({s.region})" in res.output and s.listing_urls[0] in res.output
    assert "index_19.shtml (19 numbered pages)" in res.output  # wuhan-hongshan's page_template
    assert "*.cq.gov.cn only" in res.output and "seen 2026-03, 64 PDFs, 1 HTML page" in res.output
    assert res.output.count("verified NO") == len(sources)
    assert f"{len(sources)} sources, 0 verified; nothing was requested" in res.output


def test_sources_lists_each_source_with_its_state(portal, tmp_path):
    data = tmp_path / "d"
    listing = tmp_path / "s.yaml"
    portal.sources_yaml(listing)
    res = CliRunner().invoke(app, ["sources", "--sources", str(listing), "--data", str(data)])
    assert res.exit_code == 0 and "mock-district" in res.output and "never" in res.output
    assert not data.exists()  # listing never creates a data folder
    scr.scrape(scr.load_sources(listing), data / "raw")
    res = CliRunner().invoke(app, ["sources", "--sources", str(listing), "--data", str(data)])
    assert res.exit_code == 0, res.output
    (line,) = [ln for ln in res.output.splitlines() if ln.startswith("mock-district")]
    cols = line.split(None, 5)
    assert cols[1] == "no" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", cols[2])
    assert cols[4] == "3"  # three distinct contents downloaded
    # the latest failure, with its address: the documents are tried in URL order, /private/… last
    assert cols[5] == f"robots_disallowed: disallowed by robots.txt ({portal.server.url('/private/internal_2024.pdf')})"
    assert "1 sources: 0 verified, 1 with documents" in res.output
    bad = CliRunner().invoke(app, ["sources", "--only", "nope", "--sources", str(listing)])
    assert bad.exit_code == 2
