"""Mangled PDFs (scripts/make_mangled_corpus.py) through `juesuan extract`: no crash, a status for every file.

CI runs a sample of 20; the full corpus of 200 is marked slow (``pytest -m slow``).
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import ROOT, SOCIAL_WORK_PDF

STATUSES = {"ok", "partial", "needs_ocr", "failed"}


def _corpus_module():
    spec = importlib.util.spec_from_file_location("make_mangled_corpus", ROOT / "scripts" / "make_mangled_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(corpus: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, str]]:
    monkeypatch.setenv("JUESUAN_DOC_TIMEOUT", "120")
    result = CliRunner().invoke(app, ["extract", str(corpus), "--out", str(out), "--fresh"])
    assert result.exit_code == 0, result.output
    with (out / "documents.csv").open(encoding="utf-8", newline="") as f:
        return {r["file_name"]: r for r in csv.DictReader(f)}


def _assert_every_file_has_a_status(paths: list[Path], docs: dict[str, dict[str, str]]) -> None:
    assert set(docs) == {p.name for p in paths}
    for name, d in docs.items():
        assert d["status"] in STATUSES, name
        if d["status"] != "ok":
            assert d["error"], name
        assert "Traceback" not in (d["error"] or "")


def test_corpus_is_distinct_and_varied(tmp_path: Path) -> None:
    paths = _corpus_module().make_corpus(tmp_path, n=24, seed=3, sources=[SOCIAL_WORK_PDF], pages=3)
    assert len(paths) == 24
    assert len({p.read_bytes() for p in paths}) == 24
    kinds = {p.stem.split("_", 2)[2].rstrip("0123456789.") for p in paths}
    assert len(kinds) >= 6, kinds
    assert any("_built_" in p.name for p in paths)


def test_sample_of_mangled_pdfs_gets_a_status_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "mangled"
    paths = _corpus_module().make_corpus(corpus, n=20, seed=11, sources=[SOCIAL_WORK_PDF], pages=3)
    docs = _run(corpus, tmp_path / "clean", monkeypatch)
    _assert_every_file_has_a_status(paths, docs)
    # damage is detected, not silently read as a clean document
    assert sum(1 for d in docs.values() if d["status"] == "failed") >= 5


@pytest.mark.slow
def test_full_mangled_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "mangled"
    paths = _corpus_module().make_corpus(corpus, n=200, seed=0)
    assert len(paths) == 200
    docs = _run(corpus, tmp_path / "clean", monkeypatch)
    _assert_every_file_has_a_status(paths, docs)
