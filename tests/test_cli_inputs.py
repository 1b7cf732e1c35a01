"""Wrong inputs are usage errors (exit 2, nothing written), not rows of the dataset."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.cli_text import PageSpecError, page_set
from pipeline.dataset import read_dataset, write_dataset
from tests.checks_helpers import golden_dataset
from tests.conftest import GOLDEN_PDF, WUHAN_TXT


def _run(*args: str):
    return CliRunner().invoke(app, [*args])


def test_extract_refuses_missing_paths_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "clean"
    r = _run("extract", str(tmp_path / "no" / "such.pdf"), str(tmp_path / "typo.pdf"), "--out", str(out))
    assert r.exit_code == 2, r.output
    assert "such.pdf" in r.output and "typo.pdf" in r.output
    assert not out.exists()
    # one good path beside a missing one is still a typo to fix first
    r = _run("extract", str(WUHAN_TXT), str(tmp_path / "typo.pdf"), "--out", str(out))
    assert r.exit_code == 2 and not out.exists()


@pytest.mark.parametrize("command", ["check", "report"])
def test_commands_refuse_a_folder_without_a_dataset(tmp_path: Path, command: str) -> None:
    target = tmp_path / "no" / "such" / "dir"
    r = _run(command, "--data", str(target))
    assert r.exit_code == 2, r.output
    assert "documents.csv" in r.output
    assert not target.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run(command, "--data", str(empty)).exit_code == 2
    assert list(empty.iterdir()) == []


def test_check_lists_error_findings_and_quiet_prints_the_count(tmp_path: Path) -> None:
    write_dataset(golden_dataset(), tmp_path)
    r = _run("check", "--data", str(tmp_path))
    assert r.exit_code == 0, r.output
    errors = [f for f in read_dataset(tmp_path).findings if f.severity == "error"]
    assert len(errors) == 2
    for f in errors:
        assert f.rule in r.output and f.message[:40] in r.output.replace("\n", "")
    assert "2 errors" in r.output
    quiet = _run("check", "--data", str(tmp_path), "--quiet")
    assert quiet.exit_code == 0
    assert not any(f.rule in quiet.output for f in errors)
    assert "2 errors" in quiet.output


def test_page_ranges() -> None:
    assert page_set("21-24") == {21, 22, 23, 24}
    assert page_set("3, 5,7-8") == {3, 5, 7, 8}
    assert page_set(None) is None
    for bad in ("abc", "24-21", "0", "3,", "-4", "2-x"):
        with pytest.raises(PageSpecError):
            page_set(bad)


@pytest.mark.parametrize(("pages", "said"), [
    ("99-100", "has 25 pages"), ("abc", "not a page"), ("24-21", "runs backwards"), ("25-26", "no page 26")])
def test_text_bad_pages_are_usage_errors(pages: str, said: str) -> None:
    r = _run("text", str(GOLDEN_PDF), "--pages", pages)
    assert r.exit_code == 2
    assert said in r.output


def test_text_on_html_and_missing_files(tmp_path: Path) -> None:
    page = tmp_path / "error.pdf"
    page.write_text("<!DOCTYPE html><html><body>404</body></html>", encoding="utf-8")
    r = _run("text", str(page))
    assert r.exit_code == 1
    assert "HTML" in r.output and "Exception" not in r.output
    assert _run("text", str(tmp_path / "absent.pdf")).exit_code == 2
    assert _run("text", str(WUHAN_TXT), "--pages", "1").exit_code == 2  # a text file without pages
    ok = _run("text", str(GOLDEN_PDF), "--pages", "25")
    assert ok.exit_code == 0 and "── page 25 ──" in ok.output
