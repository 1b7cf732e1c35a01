"""The evidence report opened in a real headless browser (Debian chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from extractors.source import sha256_of
from pipeline.dataset import write_dataset
from pipeline.report import write_report
from tests.conftest import GOLDEN_PDF, SAMPLES
from tests.datasets import small_dataset
from tests.test_report import broken_links

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless chromium is not installed (apt-get install -y chromium)"),
]


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    base = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("browser")
    ds = small_dataset(sha256_of(GOLDEN_PDF), GOLDEN_PDF.name)
    write_dataset(ds, data)
    return write_report(data, data / "report", pdf_roots=[SAMPLES])


def test_report_renders_with_every_crop_loaded(report: Path, tmp_path: Path) -> None:
    run = _chromium(["--virtual-time-budget=10000", "--dump-dom", report.as_uri()], tmp_path / "profile")
    dom = run.stdout
    assert "juesuan" in dom and "上海市普陀区财政局" in dom, run.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom)
    assert body, dom[:500]
    # the page's own script counts images that loaded with a real size
    assert 'data-images-ok="3"' in body.group() and 'data-images-broken="0"' in body.group(), body.group()
    assert dom.count('class="finding ') == 3
    assert broken_links(report) == []


def test_report_screenshot_is_not_blank(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    _chromium(["--window-size=1280,3000", f"--screenshot={shot}", report.as_uri()], tmp_path / "profile")
    image = Image.open(shot).convert("RGB")
    colours = dict((c, n) for n, c in image.getcolors(maxcolors=1 << 24))
    white = colours.get((255, 255, 255), 0)
    assert white < 0.97 * image.width * image.height
    # the outline of a located value is visible in the rendered page
    assert sum(n for c, n in colours.items() if c[0] > 180 and c[1] < 60 and c[2] < 60) > 20
