"""The Prefect flows end to end against the mock portal: incrementality, caching, kill + rerun, Dask,
worker processes with the real extractor. One Prefect test API for the session (conftest.prefect_harness)."""

from __future__ import annotations

import csv
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import pipeline
from pipeline import prefect_server
from pipeline import process as proc
from pipeline import scrape as scr
from pipeline.manifest import DOWNLOADED, Manifest, RawDoc
from tests.mock_portal import FAKE_CALLS, SMALL_PDF, Route, Server, fake_extract_document, variant

ROOT = Path(__file__).resolve().parent.parent
CSVS = ("documents.csv", "tables.csv", "table_cells.csv", "narrative_facts.csv", "findings.csv")

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def fake(monkeypatch):
    """The cheap extractor (these tests are about the mechanics, not the extraction)."""
    FAKE_CALLS.clear()
    monkeypatch.setattr(proc, "extract_bounded", fake_extract_document)
    return FAKE_CALLS


def _same_dataset(a: Path, b: Path) -> None:
    for name in CSVS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ids = [line.split(",", 1)[0] for line in (a / "documents.csv").read_text(encoding="utf-8").splitlines()[1:]]
    assert len(ids) == len(set(ids))


class _Collect(logging.Handler):
    """The flow-run log lines (Prefect's run logger), whatever handlers other tests configured."""

    def __init__(self, name: str = "prefect.flow_runs") -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []
        self.logger = logging.getLogger(name)
        self.old_level = self.logger.level
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def close(self) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.old_level)
        super().close()


def test_first_run_does_everything_second_run_nothing(portal, tmp_path, fake):
    from prefect.artifacts import Artifact

    import flows

    sources = str(portal.sources_yaml(tmp_path / "s.yaml"))
    data = tmp_path / "data"
    progress, scraping = _Collect(), _Collect("prefect.task_runs")
    first = flows.run(data=str(data), sources=sources)
    progress.close()
    scraping.close()
    assert sum(" document links found" in m for m in scraping.messages) == 1
    assert sum(m.split(" ")[1].endswith("/7") for m in scraping.messages) == 7, scraping.messages
    assert first.downloaded == 4 and first.extracted == 3 and first.documents_in_dataset == 3
    lines = [m for m in progress.messages if "/3 extracted " in m]  # progress in the flow-run log
    assert [m.split(" ", 1)[0] for m in lines] == ["1/3", "2/3", "3/3"], progress.messages
    assert sorted(m.split(" ")[2].rstrip(":") for m in lines) == sorted(fake)
    assert sorted(fake) == ["ptj_2024_js.pdf", "slow_2024.pdf", "social_2024.pdf"]
    report = Artifact.get("juesuan-run", _sync=True).data
    assert "ptj_2024_js.pdf" in report and "not_pdf" in report and "foreign_host" in report

    logs = _Collect()
    second = flows.run(data=str(data), sources=sources)
    logs.close()
    assert second.downloaded == 0 and second.extracted == 0 and not second.merged_changed
    assert second.fetch_statuses["not_modified"] == 4
    assert len(fake) == 3  # nothing re-extracted
    assert any("0 documents downloaded" in m for m in logs.messages), logs.messages
    assert any("3 wanted, 0 extracted, merged files unchanged" in m for m in logs.messages)
    with Manifest(data / "raw") as m:
        scrape_run, process_run = m.db.execute("SELECT MAX(run_id) - 1, MAX(run_id) FROM runs").fetchone()
        assert not [f for f in m.fetches(scrape_run) if f["status"] in DOWNLOADED]
        assert m.processed_in(process_run) == []
        assert len(m.processed_in(process_run - 2)) == 3
    assert len((data / "clean" / "documents.csv").read_text(encoding="utf-8").splitlines()) == 4

    portal.change_document()
    third = flows.run(data=str(data), sources=sources)
    assert third.downloaded == 1 and third.extracted == 1 and third.documents_in_dataset == 3


def test_task_cache_by_content_and_extractor_version(portal, tmp_path, fake, monkeypatch):
    import flows

    data = tmp_path / "data"
    flows.run(data=str(data), sources=str(portal.sources_yaml(tmp_path / "s.yaml")))
    assert len(fake) == 3
    # lose one partition and the manifest's note of it: the document is pending again, but the
    # Prefect task cache (same bytes, same extractor version) answers without extracting
    part = sorted((data / "clean" / proc.PARTS).glob("*.json"))[0]
    part.unlink()
    with Manifest(data / "raw") as m:
        m.db.execute("DELETE FROM processed WHERE doc_id = ?", (part.stem,))
    again = flows.run(data=str(data), scrape=False)
    assert again.extracted == 1 and len(fake) == 3 and part.exists()
    # a new extractor version re-extracts everything, once
    monkeypatch.setattr(pipeline, "EXTRACTOR_VERSION", "99.0.0")
    bumped = flows.run(data=str(data), scrape=False)
    assert bumped.extracted == 3 and len(fake) == 6
    cached = sorted(f.name for f in (data / "clean" / proc.PARTS / flows.CACHE_DIR).glob("extract-*"))
    assert len(cached) == 3 and all("-99.0.0-" in name for name in cached)  # the old version's entries went
    with (data / "clean" / "documents.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and all(r["extractor_version"] == "99.0.0" for r in rows)
    assert flows.run(data=str(data), scrape=False).extracted == 0


def test_a_run_without_scraping_processes_files_put_into_raw_by_hand(tmp_path, fake):
    """`juesuan run --no-scrape` / the process flow: PDFs copied into data/raw are documents too."""
    import flows

    data = tmp_path / "data"
    inbox = data / "raw" / "inbox"
    inbox.mkdir(parents=True)
    for name in ("a.pdf", "b.pdf"):
        (inbox / name).write_bytes(variant(SMALL_PDF.read_bytes(), name))
    first = flows.run(data=str(data), scrape=False)
    assert first.extracted == 2 and first.documents_in_dataset == 2 and sorted(fake) == ["a.pdf", "b.pdf"]
    rows = (data / "clean" / "documents.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == 2 and sum("a.pdf" in r for r in rows) == 1
    (inbox / "b.pdf").unlink()  # a file taken away leaves the dataset
    second = flows.process_flow(data=str(data))
    assert second.extracted == 0 and second.documents_in_dataset == 1 and len(fake) == 2
    assert len((data / "clean" / "documents.csv").read_text(encoding="utf-8").splitlines()) == 2


def _run_and_kill(data: Path, sources: Path, api_url: str, until: Callable[[], bool], log: Path) -> None:
    """Start a real run in a subprocess (extractor: the fake, 0.7 s per document) and SIGKILL it
    as soon as ``until`` holds."""
    env = {**os.environ, "PREFECT_API_URL": api_url, "PYTHONPATH": str(ROOT)}
    code = "import sys; from tests.mock_portal import drive; drive(*sys.argv[1:])"
    with log.open("wb") as out:
        p = subprocess.Popen([sys.executable, "-c", code, str(data), str(sources), "0.7"], cwd=ROOT, env=env,
                             stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 180
            while not until():
                assert p.poll() is None, f"run ended before it could be killed:\n{log.read_text()[-3000:]}"
                assert time.monotonic() < deadline, "run never reached the kill point"
                time.sleep(0.02)
            os.killpg(p.pid, signal.SIGKILL)
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    assert p.returncode == -signal.SIGKILL


def _n_processed(data: Path) -> int:
    """Documents the (running) flow has fully recorded: partition written, manifest row in."""
    db = data / "raw" / "manifest.sqlite"
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute("SELECT COUNT(*) FROM processed").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        con.close()


def test_killed_runs_then_rerun_equal_an_uninterrupted_run(portal, tmp_path, fake, prefect_harness):
    import flows

    sources = portal.sources_yaml(tmp_path / "s.yaml")
    killed = tmp_path / "killed"
    slow = portal.server.routes["/files/slow_2024.pdf"]
    slow.delay = 2.0  # a window to kill in while downloading
    _run_and_kill(killed, sources, prefect_harness, lambda: any((killed / "raw" / "sha256").rglob("*.pdf")),
                  tmp_path / "kill1.log")
    assert not (killed / "clean" / "documents.csv").exists()
    slow.delay = 0.0
    _run_and_kill(killed, sources, prefect_harness, lambda: _n_processed(killed) > 0, tmp_path / "kill2.log")
    assert len(list((killed / "clean" / proc.PARTS).glob("*.json"))) < 3

    rerun = flows.run(data=str(killed), sources=str(sources))
    assert 0 < rerun.extracted < 3  # only what the killed runs had not finished
    assert not list((killed / "raw" / scr.PARTIAL).glob("*"))  # half-downloads of the killed runs cleared
    straight = tmp_path / "straight"
    flows.run(data=str(straight), sources=str(sources))
    _same_dataset(killed / "clean", straight / "clean")
    assert len((killed / "clean" / "documents.csv").read_text(encoding="utf-8").splitlines()) == 4


def test_process_flow_on_a_dask_cluster_gives_the_same_dataset(portal, tmp_path, fake):
    from distributed import LocalCluster

    import flows

    local, dask = tmp_path / "local", tmp_path / "dask"
    scr.scrape(scr.load_sources(portal.sources_yaml(tmp_path / "s.yaml")), local / "raw")
    shutil.copytree(local / "raw", dask / "raw")
    flows.process_flow(data=str(local))
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        runner = flows.task_runner(dask_address=cluster.scheduler_address)
        result = flows.process_flow.with_options(task_runner=runner)(data=str(dask))
        assert result.extracted == 3 and len(fake) == 6
        _same_dataset(local / "clean", dask / "clean")
        # off the flow's process, documents go in batches, but each is still its own cached task
        part = sorted((dask / "clean" / proc.PARTS).glob("*.json"))[0]
        part.unlink()
        with Manifest(dask / "raw") as m:
            m.db.execute("DELETE FROM processed WHERE doc_id = ?", (part.stem,))
        again = flows.process_flow.with_options(task_runner=flows.task_runner(dask_address=cluster.scheduler_address))(
            data=str(dask))
    assert again.extracted == 1 and len(fake) == 6 and part.exists()


def test_batches_share_task_cost_and_start_with_the_largest_files(tmp_path):
    docs = []
    for i, size in enumerate([5, 50, 20, 1, 30, 10, 40, 2, 3]):
        p = tmp_path / f"{i}.pdf"
        p.write_bytes(b"x" * size)
        docs.append(RawDoc(f"{i:064d}", p, None))
    groups = proc.batches(docs, workers=2)
    assert [len(g) for g in groups] == [3, 2, 1, 1, 1, 1]  # shrinking: the last ones are single files
    assert [d.path.stat().st_size for d in groups[0]] == [50, 40, 30]
    assert [d.path.stat().st_size for g in groups[-3:] for d in g] == [3, 2, 1]
    assert sorted(d.sha256 for g in groups for d in g) == sorted(d.sha256 for d in docs)
    many = proc.batches(docs * 20, workers=2)  # 180 documents
    sizes = [len(g) for g in many]
    assert sizes[0] == proc.MAX_BATCH and sizes == sorted(sizes, reverse=True) and sizes[-2:] == [1, 1]
    assert len(many) < 40 and proc.batches([], workers=2) == []
    assert [len(g) for g in proc.batches(docs[:3], workers=8)] == [1, 1, 1]


def test_juesuan_run_with_worker_processes_and_the_real_extractor(tmp_path):
    """End to end, nothing faked: CLI → scrape → 2 worker processes → real extraction → dataset."""
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.dataset import read_dataset

    routes = {"/bmjs/index.html": Route('<a href="/u/2024js.pdf">社会工作部2024年度部门决算</a>'.encode()),
              "/u/2024js.pdf": Route(SMALL_PDF.read_bytes(), "application/pdf")}
    with Server(routes) as srv:
        res = CliRunner().invoke(app, ["run", "--listing", srv.url("/bmjs/index.html"), "--pattern", "决算",
                                       "--data", str(tmp_path), "--delay", "0", "--workers", "2"])
    assert res.exit_code == 0, res.output
    ds = read_dataset(tmp_path / "clean")
    (doc,) = ds.documents
    assert doc.department == "中共上海市普陀区委社会工作部" and doc.fiscal_year == 2024 and doc.pages == 24
    assert doc.status in ("ok", "partial") and doc.source_url == srv.url("/u/2024js.pdf")
    assert doc.file_name == "2024js.pdf" and doc.extractor_version == pipeline.EXTRACTOR_VERSION


def _api_url_in_this_process() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def test_worker_processes_report_to_the_runs_own_temporary_server():
    """Without a Prefect server, `juesuan run` starts the temporary one and hands its address to the
    worker processes; left to Prefect, each worker would start a server of its own."""
    from prefect import flow, task
    from prefect.settings import PREFECT_API_URL, temporary_settings

    import flows

    probe_task = task(_api_url_in_this_process, name="api-url")

    @flow(name="api-url-probe")
    def probe() -> str | None:
        return probe_task.submit().result()

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert PREFECT_API_URL.value() is None  # as on a machine with no server configured
        with prefect_server.run_settings():
            url = PREFECT_API_URL.value()
            seen = probe.with_options(task_runner=flows.process_pool(1))()
        with prefect_server.run_settings(share_temporary_server=False):  # a Dask cluster on other machines
            assert PREFECT_API_URL.value() is None  # could not reach a server on this machine's loopback
    assert url and url.startswith("http://127.0.0.1") and seen == url
    assert [prefect_server.on_this_machine(a) for a in ("tcp://127.0.0.1:8786", "localhost:8786", "tcp://[::1]:8786",
                                               "tcp://10.0.0.5:8786", "scheduler.lan:8786")] == [
        True, True, True, False, False]


def test_nightly_deployment_runs_on_a_cron_schedule():
    import flows

    dep = flows.nightly_flow.to_deployment(name="juesuan-nightly", cron="30 2 * * *",
                                           parameters={"data": "data", "workers": 2})
    assert dep.entrypoint.endswith("flows.py:nightly_flow")
    assert [s.schedule.cron for s in dep.schedules] == ["30 2 * * *"]
    assert dep.parameters == {"data": "data", "workers": 2}


def testrun_settings_leave_out_heartbeats_unless_configured(monkeypatch):
    """A run ends when its work is done, not when the heartbeat thread next wakes up; a user's
    own heartbeat setting wins."""
    from prefect.settings import get_current_settings


    monkeypatch.delenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", raising=False)
    with prefect_server.run_settings():
        assert get_current_settings().flows.heartbeat_frequency is None
        assert get_current_settings().server.ephemeral.startup_timeout_seconds == prefect_server.EPHEMERAL_STARTUP_SECONDS
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")
    with prefect_server.run_settings():
        assert get_current_settings().flows.heartbeat_frequency == 60


def test_juesuan_run_refuses_a_data_folder_another_run_holds(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.lock import run_lock

    with run_lock(tmp_path / "raw"):
        res = CliRunner().invoke(app, ["run", "--no-scrape", "--data", str(tmp_path)])
    assert res.exit_code == 2 and "another juesuan run is using" in res.output
    assert not (tmp_path / "clean").exists()
