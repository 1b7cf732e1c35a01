"""A scrape that reaches nothing says why and exits non-zero, so cron mail and monitoring notice."""

from __future__ import annotations

import socket
from pathlib import Path

import yaml
from typer.testing import CliRunner

from pipeline import scrape as scr
from pipeline.cli import app
from pipeline.cli_flows import EXIT_SCRAPE_FAILED
from tests.mock_portal import SMALL_PDF, Route, Server


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sources(path: Path, listing: str) -> Path:
    path.write_text(yaml.safe_dump({"sources": [{
        "name": "portal", "listing_urls": [listing], "link_text": ["决算"], "delay": 0, "retries": 0,
        "backoff": 0, "timeout": 5}]}, allow_unicode=True), encoding="utf-8")
    return path


def test_an_unreachable_host_is_counted_as_unreachable_not_as_robots(tmp_path: Path) -> None:
    listing = f"http://127.0.0.1:{_closed_port()}/bmjs/index.html"
    sources = scr.load_sources(_sources(tmp_path / "s.yaml", listing))
    report = scr.scrape(sources, tmp_path / "raw")
    assert report.counts() == {"unreachable": 1}
    (_, outcome), = report.outcomes
    assert "robots" not in outcome.status and "ConnectError" in outcome.message
    assert "no source could be reached" in (report.failure() or "")


def test_scrape_and_run_exit_non_zero_when_no_source_is_reached(tmp_path: Path) -> None:
    listing = f"http://127.0.0.1:{_closed_port()}/bmjs/index.html"
    src = _sources(tmp_path / "s.yaml", listing)
    r = CliRunner().invoke(app, ["scrape", "--sources", str(src), "--data", str(tmp_path / "d")])
    assert r.exit_code == EXIT_SCRAPE_FAILED == 3, r.output
    assert "unreachable: 1" in r.output and "no source could be reached" in r.output


def test_every_download_failing_is_a_failure_and_a_good_run_is_not(tmp_path: Path) -> None:
    routes = {"/bmjs/index.html": Route('<a href="/u/gone.pdf">2024年度部门决算</a>'
                                       '<a href="/u/also_gone.pdf">2023年度部门决算</a>'.encode())}
    with Server(routes) as srv:
        sources = scr.load_sources(_sources(tmp_path / "s.yaml", srv.url("/bmjs/index.html")))
        failed = scr.scrape(sources, tmp_path / "raw")
        assert failed.counts() == {"http_error": 2}
        assert "every download failed" in (failed.failure() or "")
        r = CliRunner().invoke(app, ["scrape", "--sources", str(tmp_path / "s.yaml"), "--data", str(tmp_path / "x")])
        assert r.exit_code == 3, r.output
        srv.routes["/u/gone.pdf"] = Route(SMALL_PDF.read_bytes(), "application/pdf")
        partly = scr.scrape(sources, tmp_path / "raw")
        assert partly.counts() == {"http_error": 1, "new": 1} and partly.failure() is None
        again = scr.scrape(sources, tmp_path / "raw")  # nothing new is no failure
        assert again.failure() is None
