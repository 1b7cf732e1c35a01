"""`juesuan run` tells cron and monitoring when it failed, and ends without Prefect's drain warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_scrape_failures import _closed_port, _sources

ROOT = Path(__file__).resolve().parent.parent


def test_run_exits_3_when_no_source_is_reached(tmp_path: Path, prefect_harness) -> None:
    from pipeline.cli import app

    src = _sources(tmp_path / "s.yaml", f"http://127.0.0.1:{_closed_port()}/bmjs/index.html")
    r = CliRunner().invoke(app, ["run", "--sources", str(src), "--data", str(tmp_path / "d")])
    assert r.exit_code == 3, r.output
    assert "no source could be reached" in r.output
    # processing nothing when nothing was scraped is fine: --no-scrape exits 0
    ok = CliRunner().invoke(app, ["run", "--no-scrape", "--data", str(tmp_path / "d")])
    assert ok.exit_code == 0, ok.output


def test_flush_events_empties_the_events_queue(prefect_harness) -> None:
    from prefect.events import emit_event
    from prefect.events.worker import EventsWorker

    from pipeline.prefect_server import flush_events

    for i in range(20):
        emit_event(event="juesuan.test", resource={"prefect.resource.id": f"juesuan.test.{i}"})
    assert flush_events(timeout=20)
    assert EventsWorker.instance()._queue.qsize() == 0  # the live worker the events went to


@pytest.mark.slow
def test_a_run_with_nothing_to_do_on_two_workers_ends_without_the_drain_warning(tmp_path: Path) -> None:
    """Reproduced before the fix on every second run (nothing new) with --workers 2 (about 40 s per run)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text((ROOT / "data/raw/samples/wuhan_hongshan_housing_2023.txt").read_text("utf-8"), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PREFECT_API_URL", None)
    for _ in range(2):
        run = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--no-scrape", "--data", str(tmp_path),
                              "--workers", "2"], capture_output=True, text=True, env=env, timeout=600, check=False)
        assert run.returncode == 0, run.stderr[-3000:]
    assert "Still processing items" not in run.stderr + run.stdout
