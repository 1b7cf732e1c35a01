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


SAME_LENGTH = ("财政局决算", "收入支出表", "\ue000\ue001\ue002\ue003\ue004")  # two Chinese strings, then sure boxes


def _text_shot(text: str, folder: Path, name: str, env: dict[str, str] | None = None) -> Image.Image:
    """A screenshot of ``text`` alone, set in the report's own CSS (its font stack)."""
    from pipeline.report import CSS

    page = folder / f"{name}.html"
    page.write_text(f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>{CSS}"
                    "body{margin:0;padding:10px;max-width:none}p{font-size:40px;margin:0}</style></head>"
                    f"<body><p>{text}</p></body></html>", encoding="utf-8")
    shot = folder / f"{name}.png"
    base = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={folder / ('profile-' + name)}", "--window-size=400,80", f"--screenshot={shot}",
            page.as_uri()]
    subprocess.run(base, capture_output=True, text=True, timeout=120, check=False, env=env)
    return Image.open(shot).convert("L")


def _differing_share(a: Image.Image, b: Image.Image) -> float:
    """Share of pixels whose grey level differs by more than a quarter (anti-aliasing noise stays below)."""
    pa, pb = a.load(), b.load()
    w, h = min(a.width, b.width), min(a.height, b.height)
    return sum(1 for x in range(w) for y in range(h) if abs(pa[x, y] - pb[x, y]) > 64) / (w * h)


def _ink(image: Image.Image) -> int:
    return sum(n for n, c in image.getcolors(maxcolors=256) if c < 128)


# measured here (Noto Sans CJK): two different Chinese strings differ on 10 % of the pixels and from the
# boxes on 12 %; without a CJK font, every character is the same box and all three differ on 0 %
MIN_GLYPH_DIFFERENCE = 0.02


def test_chinese_text_is_drawn_not_boxes(tmp_path: Path) -> None:
    """Fails where chromium has no CJK font (install fonts-noto-cjk: `make browser`)."""
    a, b, boxes = (_text_shot(t, tmp_path, f"s{i}") for i, t in enumerate(SAME_LENGTH))
    assert _ink(a) > 200, "nothing was drawn"
    assert _differing_share(a, b) > MIN_GLYPH_DIFFERENCE, "two different Chinese strings look the same: boxes"
    assert _differing_share(a, boxes) > MIN_GLYPH_DIFFERENCE, "Chinese text looks like the missing-glyph boxes"


def test_the_box_detector_sees_boxes_without_a_cjk_font(tmp_path: Path) -> None:
    """The check above can fail: with fontconfig limited to fonts without Chinese, the strings are boxes."""
    import os

    latin = [d for d in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation") if Path(d).is_dir()]
    if not latin:
        pytest.skip("no Latin-only font folder to build a font configuration without CJK fonts")
    conf = tmp_path / "fonts.conf"
    conf.write_text("<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig>"
                    + "".join(f"<dir>{d}</dir>" for d in latin)
                    + f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    a, b = (_text_shot(t, tmp_path, f"n{i}", env) for i, t in enumerate(SAME_LENGTH[:2]))
    assert _differing_share(a, b) <= MIN_GLYPH_DIFFERENCE
