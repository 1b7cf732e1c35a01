"""The scrape stage against a real HTTP server on loopback (no Prefect here: fast)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import process as proc
from pipeline import scrape as scr
from pipeline.manifest import DOWNLOADED, Manifest
from tests.mock_portal import EXPECTED_DOCUMENT_URLS, Route, Server, fake_extract_document

ROOT = Path(__file__).resolve().parent.parent


def test_find_links_resolves_relative_urls_and_keeps_text():
    html = """<html><body>
      <a href="../a/2024决算.pdf" target="_blank"> 某局 <b>2024年度</b>部门决算 </a>
      <a href="javascript:void(0)">x</a><a href="#top">top</a><a href="mailto:a@b.cn">m</a>
      <a href="/art/1.html#p2" title="区财政局2024年度部门决算"></a>
    </body></html>"""
    links = scr.find_links(html, "http://www.example.gov.cn/col/czyjs/index.html")
    assert [(link.url, link.text) for link in links] == [
        ("http://www.example.gov.cn/col/a/2024决算.pdf", "某局 2024年度部门决算"),
        ("http://www.example.gov.cn/art/1.html", "区财政局2024年度部门决算"),
    ]


def test_html_in_gbk_is_decoded_by_meta_charset():
    body = '<html><head><meta charset="gb2312"></head><a href="x.pdf">部门决算</a></html>'.encode("gbk")
    assert "部门决算" in scr.decode_html(body, None)


def test_allowed_hosts_and_wildcards():
    assert scr.host_allowed("https://www.hongshan.gov.cn/x", ["www.hongshan.gov.cn"])
    assert scr.host_allowed("http://czj.shpt.gov.cn/a.pdf", ["*.shpt.gov.cn"])
    assert scr.host_allowed("http://shpt.gov.cn/a.pdf", ["*.shpt.gov.cn"])
    assert not scr.host_allowed("http://evilshpt.gov.cn/a.pdf", ["*.shpt.gov.cn"])
    assert not scr.host_allowed("http://localhost:8000/a.pdf", ["127.0.0.1"])


def test_shipped_sources_file_is_valid_and_marked_unverified():
    sources = scr.load_sources(ROOT / "pipeline" / "sources.yaml")
    names = {s.name for s in sources}
    assert {"wuhan-hongshan", "shanghai-putuo"} <= names
    for s in sources:
        assert s.listing_urls and s.hosts() and s.delay >= 1.0
        assert s.verified is False  # nobody here could reach the portals
    with pytest.raises(ValueError, match="unknown keys"):
        scr.source_from_dict({"name": "x", "listing_urls": ["http://a/"], "listing_url": "typo"})


def test_first_run_downloads_everything_and_second_run_nothing(portal, tmp_path):
    data = tmp_path / "data"
    raw = data / "raw"
    sources = scr.load_sources(portal.sources_yaml(tmp_path / "sources.yaml"))
    first = scr.scrape(sources, raw)
    st = portal.statuses(first)
    assert st["/files/101/ptj_2024_js.pdf"] == "new"  # attachment on an article page
    assert st["/files/social_2024.pdf"] == "new"  # direct link on the listing
    assert st["/upload/2025/10/social_2024_v2.pdf"] == "duplicate"  # same bytes, new URL, stored once
    assert st["/files/slow_2024.pdf"] == "new"  # slow but within the timeout
    assert st["/files/missing_2024.pdf"] == "http_error"
    assert st["/files/error_2024.pdf"] == "not_pdf"
    assert st["/private/internal_2024.pdf"] == "robots_disallowed"
    assert [s for u, s in st.items() if u.startswith("http://localhost")] == ["foreign_host"]
    # never requested: the foreign host, the robots-disallowed file, the notice that is no disclosure
    assert sum(portal.foreign.hits.values()) == 0
    assert portal.server.hits["/private/internal_2024.pdf"] == 0
    assert portal.server.hits["/art/2025/notice.html"] == 0
    # content addressing: three distinct contents, each a PDF named by its hash, nothing else on disk
    blobs = sorted((raw / "sha256").rglob("*.pdf"))
    assert len(blobs) == 3
    for b in blobs:
        assert b.parent.name.startswith(b.parent.parent.name) and b.read_bytes().startswith(b"%PDF")
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"data", "sources.yaml"}
    assert {p.relative_to(data).parts[0] for p in data.rglob("*")} == {"raw"}
    assert not any((raw / ".partial").iterdir())

    second = scr.scrape(sources, raw)
    st2 = portal.statuses(second)
    assert not [o for _, o in second.outcomes if o.status in DOWNLOADED]
    assert all(st2[u] == "not_modified" for u in EXPECTED_DOCUMENT_URLS)  # ETag-only and Last-Modified-only alike
    with Manifest(raw) as m:
        assert not [f for f in m.fetches(second.run_id) if f["status"] in DOWNLOADED]
        rows = {r["url"].replace(portal.server.url(""), ""): r for r in m.url_rows()}
        assert rows["/files/social_2024.pdf"]["sha256"] == rows["/upload/2025/10/social_2024_v2.pdf"]["sha256"]
        assert rows["/files/error_2024.pdf"]["sha256"] is None and "HTML" in rows["/files/error_2024.pdf"]["message"]
        assert len(m.current_documents()) == 3


def test_progress_is_told_of_every_page_and_every_document(portal, tmp_path):
    pages: list[str] = []
    found: list[int] = []
    stored: list[str] = []
    progress = scr.ScrapeProgress(page=pages.append, found=lambda source, n: found.append(n),
                                  stored=lambda o: stored.append(o.url))
    report = scr.scrape(scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml")), tmp_path / "raw",
                        progress=progress)
    assert len(pages) == len(set(pages)) >= report.n_pages > 0  # pages tried (also those not read)
    # every document link the crawl found, whatever came of it; only the foreign host was never tried
    tried = [o.url for _, o in report.outcomes if o.status != "foreign_host"]
    assert sum(found) == len(stored) == 7 and sorted(stored) == sorted(tried)


def test_changed_document_replaces_the_old_version_in_the_dataset(portal, tmp_path, monkeypatch):
    monkeypatch.setattr(proc, "extract_bounded", fake_extract_document)
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    sources = scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml"))
    scr.scrape(sources, raw)
    first = proc.process(raw, clean)
    assert len(first.processed) == 3
    old_ids = {d.doc_id for d in first.merge.dataset.documents}
    new_bytes = portal.change_document()
    third = scr.scrape(sources, raw)
    st = portal.statuses(third)
    assert st["/files/101/ptj_2024_js.pdf"] == "changed"
    assert [o.status for _, o in third.outcomes if o.status in DOWNLOADED] == ["changed"]
    again = proc.process(raw, clean)
    assert len(again.processed) == 1  # only the changed document is extracted
    ds = again.merge.dataset
    assert len(ds.documents) == 3 and len(again.merge.removed) == 1
    new_id = again.processed[0].doc_id
    assert new_id not in old_ids and new_id in ds.doc_ids()
    assert again.merge.removed[0] in old_ids and again.merge.removed[0] not in ds.doc_ids()
    with Manifest(raw) as m:
        history = m.versions_of(portal.server.url("/files/101/ptj_2024_js.pdf"))
    assert len(history) == 2 and new_id == history[1][:16]
    stored = next((raw / "sha256").rglob(f"{history[1]}/*.pdf"))
    assert stored.read_bytes() == new_bytes


def test_a_rerun_reads_no_partition_and_a_damaged_one_is_extracted_again(portal, tmp_path, monkeypatch):
    calls = []

    def counting(path, source_url=None):
        calls.append(Path(path).name)
        return fake_extract_document(path, source_url)

    monkeypatch.setattr(proc, "extract_bounded", counting)
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    scr.scrape(scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml")), raw)
    first = proc.process(raw, clean)
    assert len(first.processed) == 3 and len(calls) == 3
    expected = {n: (clean / n).read_bytes() for n in ("documents.csv", "table_cells.csv")}

    reads = []
    real_read = proc.read_partition
    monkeypatch.setattr(proc, "read_partition", lambda path: reads.append(path) or real_read(path))
    again = proc.process(raw, clean)
    assert again.processed == [] and not again.merge.changed and reads == [] and len(calls) == 3

    # a partition damaged on disk, found when the merge needs it: re-extracted in the same run
    damaged = sorted((clean / proc.PARTS).glob("*.json"))[0]
    damaged.write_text("{not json", encoding="utf-8")
    (clean / proc.PARTS / proc.STATE).unlink()
    healed = proc.process(raw, clean)
    assert [p.doc_id for p in healed.processed] == [damaged.stem] and len(calls) == 4
    assert healed.merge.missing == [] and len(healed.merge.dataset.documents) == 3
    assert {n: (clean / n).read_bytes() for n in expected} == expected
    assert proc.read_partition(damaged) is not None


def test_a_payload_of_another_extractor_version_or_a_failed_extraction_waits_for_the_next_run(
        portal, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(proc, "extract_bounded", fake_extract_document)
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    scr.scrape(scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml")), raw)
    sent: list[list[str]] = []

    def workers_with_an_old_install(docs):  # as a Dask worker with another juesuan version would answer
        sent.append([d.sha256 for d in docs])
        for i, records in enumerate(proc.extract_sequentially(docs)):
            if i == 0:
                yield replace(records, extractor_version="0.0.1")
            elif i == 1:
                yield records
            # the third document's task failed: no payload at all

    first = proc.process(raw, clean, extract_many=workers_with_an_old_install)
    assert len(sent) == 1 and len(sent[0]) == 3  # no second attempt in the same run
    assert len(first.processed) == 1 and len(first.merge.dataset.documents) == 1
    assert sorted(first.merge.missing) == sorted(d for d in (proc.doc_id_for(h) for h in sent[0])
                                                 if d != first.processed[0].doc_id)
    assert any("extracted by extractor 0.0.1" in r.getMessage() for r in caplog.records)
    second = proc.process(raw, clean)  # the next run does the two that are missing
    assert len(second.processed) == 2 and len(second.merge.dataset.documents) == 3


def test_timeouts_are_retried_then_recorded(tmp_path):
    pdf = b"%PDF-1.4\n%%EOF\n"
    routes = {"/list.html": Route(b'<a href="/slow.pdf">2024 decision</a>'),
              "/slow.pdf": Route(pdf, "application/pdf", delay=1.0)}
    with Server(routes) as srv:
        s = scr.source_from_dict({"name": "t", "listing_urls": [srv.url("/list.html")], "delay": 0, "timeout": 0.3,
                                  "retries": 1, "backoff": 0.01})
        report = scr.scrape([s], tmp_path / "raw")
    (o,) = [o for _, o in report.outcomes]
    assert o.status == "error" and "Timeout" in (o.message or "")
    assert srv.hits["/slow.pdf"] == 2  # first try + one retry


def test_redirect_to_a_foreign_host_is_not_followed(tmp_path):
    with Server({"/x": Route(b"%PDF-1.4\n", "application/pdf")}, host="localhost") as foreign, Server() as srv:
        srv.routes.update({
            "/list.html": Route(b'<a href="/go.pdf">doc</a>'),
            "/go.pdf": Route(b"", status=302, location=foreign.url("/x")),
        })
        s = scr.source_from_dict({"name": "t", "listing_urls": [srv.url("/list.html")], "delay": 0})
        report = scr.scrape([s], tmp_path / "raw")
    assert [o.status for _, o in report.outcomes] == ["foreign_host"]
    assert foreign.hits["/x"] == 0


def test_host_gate_spaces_requests_per_host(monkeypatch):
    clock = {"t": 100.0}
    slept: list[float] = []
    monkeypatch.setattr(scr.time, "monotonic", lambda: clock["t"])
    monkeypatch.setattr(scr.time, "sleep", slept.append)
    gate = scr.HostGate(delay=2.0, concurrency=1)
    for host in ("a.gov.cn", "a.gov.cn", "b.gov.cn", "a.gov.cn"):
        with gate(host):
            pass
    assert slept == [2.0, 4.0]  # the second and third requests to a.gov.cn wait; b.gov.cn does not


def test_cli_scrape_adhoc_listing(portal, tmp_path):
    from pipeline.cli import app

    res = CliRunner().invoke(app, ["scrape", "--listing", portal.listing, "--pattern", "决算",
                                   "--data", str(tmp_path / "d"), "--delay", "0"])
    assert res.exit_code == 0, res.output
    assert "4 documents downloaded" in res.output
    assert len(list((tmp_path / "d" / "raw" / "sha256").rglob("*.pdf"))) == 3


def test_cli_scrape_waits_for_no_one_while_another_run_holds_the_folder(portal, tmp_path):
    """A flow run (or another scrape) holds data/raw: the scrape says so and exits 2, touching nothing."""
    from pipeline.cli import app
    from pipeline.lock import run_lock

    raw = tmp_path / "d" / "raw"
    with run_lock(raw):
        res = CliRunner().invoke(app, ["scrape", "--listing", portal.listing, "--data", str(tmp_path / "d"),
                                       "--delay", "0"])
    assert res.exit_code == 2 and "another juesuan run is using" in res.output
    assert not (raw / "manifest.sqlite").exists() and not portal.server.hits
    again = CliRunner().invoke(app, ["scrape", "--listing", portal.listing, "--pattern", "决算",
                                     "--data", str(tmp_path / "d"), "--delay", "0"])
    assert again.exit_code == 0, again.output


def test_partial_downloads_of_a_killed_run_are_cleared_by_the_next(portal, tmp_path):
    raw = tmp_path / "raw"
    (raw / scr.PARTIAL).mkdir(parents=True)
    left = raw / scr.PARTIAL / "dl-killed.part"
    left.write_bytes(b"%PDF-1.7 half a file")
    report = scr.scrape([scr.adhoc_source(portal.listing, "决算", delay=0.0)], raw)
    assert len(report.downloaded()) == 4 and not left.exists()
    assert not list((raw / scr.PARTIAL).iterdir())  # nor does a finished run leave any


def test_files_put_into_raw_by_hand_are_raw_documents(portal, tmp_path):
    raw = tmp_path / "raw"
    (raw / "inbox").mkdir(parents=True)
    mine = raw / "inbox" / "mine.pdf"
    mine.write_bytes(portal.pdfs["B"])  # the same bytes the portal publishes
    notes = raw / "inbox" / "notes.txt"
    notes.write_text("某局2024年度部门决算情况说明", encoding="utf-8")
    with Manifest(raw) as m:
        assert [o.status for o in scr.scan_local(raw, m, 1)] == ["local", "local"]
        assert scr.scan_local(raw, m, 2) == []  # unchanged files are not recorded again
        assert sorted((d.path.name, d.source_url) for d in m.current_documents()) == [
            ("mine.pdf", None), ("notes.txt", None)]
    scr.scrape(scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml")), raw)
    notes.unlink()
    with Manifest(raw) as m:
        scr.scan_local(raw, m, 3)
        docs = {d.sha256: d.source_url for d in m.current_documents()}
    assert len(docs) == 3  # notes.txt forgotten; mine.pdf is the portal's document B
    assert portal.server.url("/files/social_2024.pdf") in docs.values()  # a web address wins over file:


def test_a_broken_response_stream_is_recorded_not_raised(tmp_path):
    good = b"%PDF-1.4\n%%EOF\n"
    routes = {"/list.html": Route(b'<a href="/bad.pdf">a</a><a href="/good.pdf">b</a>'),
              "/bad.pdf": Route(b"%PDF-1.4 not gzip at all", "application/pdf", headers={"Content-Encoding": "gzip"}),
              "/good.pdf": Route(good, "application/pdf")}
    with Server(routes) as srv:
        s = scr.source_from_dict({"name": "t", "listing_urls": [srv.url("/list.html")], "delay": 0, "retries": 0})
        report = scr.scrape([s], tmp_path / "raw")
    by_url = {o.url.rsplit("/", 1)[-1]: o for _, o in report.outcomes}
    assert by_url["bad.pdf"].status == "error" and "Decoding" in (by_url["bad.pdf"].message or "")
    assert by_url["good.pdf"].status == "new"
    assert not any((tmp_path / "raw" / ".partial").iterdir())


def test_one_file_name_rule_for_downloads_and_the_dataset():
    from pipeline.file_names import file_name_for

    url = "http://x.gov.cn/u/2025/%E9%83%A8%E9%97%A8%E5%86%B3%E7%AE%97.pdf"
    assert file_name_for(url) == "部门决算.pdf"  # last path segment, percent-decoded
    assert file_name_for(url, "stored.pdf", "attachment; filename*=UTF-8''%E5%B1%80.pdf") == "局.pdf"
    assert file_name_for("http://x.gov.cn/down.jsp?id=7", "a.pdf") == "down.jsp.pdf"  # always a .pdf
    assert file_name_for("http://x.gov.cn/files/101/", "a.pdf") == "101.pdf"
    assert file_name_for("http://x.gov.cn/a:b|c.pdf") == "a_b_c.pdf"
    assert file_name_for("http://x.gov.cn/", "stored.pdf") == "stored.pdf"  # nothing in the URL: the stored name
    assert file_name_for(None, "notes.txt") == "notes.txt"
    assert file_name_for("http://x.gov.cn/") == "document.pdf"


def test_which_address_names_the_stored_bytes_does_not_depend_on_download_speed(tmp_path):
    pdf = b"%PDF-1.4\n% same\n%%EOF\n"
    routes = {"/list.html": Route(b'<a href="/a/first.pdf">a</a><a href="/b/second.pdf">b</a>'),
              "/a/first.pdf": Route(pdf, "application/pdf", delay=0.5),  # finishes last
              "/b/second.pdf": Route(pdf, "application/pdf")}
    with Server(routes) as srv:
        s = scr.source_from_dict({"name": "t", "listing_urls": [srv.url("/list.html")], "delay": 0,
                                  "concurrency": 2})
        report = scr.scrape([s], tmp_path / "raw")
    assert {o.url.rsplit("/", 1)[-1]: o.status for _, o in report.outcomes} == {"first.pdf": "new",
                                                                               "second.pdf": "duplicate"}
    assert [p.name for p in (tmp_path / "raw" / "sha256").rglob("*.pdf")] == ["first.pdf"]
