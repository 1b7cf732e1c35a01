"""Every kind of bad input gets a status and a clear error; the run goes on and loses nothing else."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract_document
from tests import bad_inputs as bad

# maker, expected status, words the error must contain, expected doc_type
CASES: dict[str, tuple[Callable[[Path], Path], str, tuple[str, ...], str | None]] = {
    "zero_byte.pdf": (bad.zero_byte, "failed", ("empty", "0 bytes"), None),
    "error_page.pdf": (bad.html_as_pdf, "failed", ("HTML", "not a PDF"), None),
    "corrupt.pdf": (bad.corrupt_pdf, "failed", ("corrupt",), None),
    "truncated.pdf": (bad.truncated_pdf, "failed", ("truncated",), None),
    "encrypted.pdf": (bad.encrypted_pdf, "failed", ("encrypted", "password"), None),
    "scanned.pdf": (bad.scanned_pdf, "needs_ocr", ("OCR", "1;2;3"), None),
    "partly_scanned.pdf": (bad.partly_scanned_pdf, "partial", ("OCR", "3"), "final_accounts"),
    "no_unicode_maps.pdf": (bad.without_unicode_maps, "failed", ("(cid:NN)", "Unicode"), None),
    "meeting_notice.pdf": (bad.not_a_disclosure_pdf, None, ("not recognised",), None),
    "budget.pdf": (bad.budget_pdf, None, (), "budget"),
}


@pytest.fixture(autouse=True)
def without_ocr(monkeypatch):
    """These are the inputs juesuan cannot read as they are: scanned pages stay ``needs_ocr`` here (OCR,
    when installed, reads them: tests/test_ocr.py). A fresh worker process inherits the switch."""
    from pipeline import limits

    monkeypatch.setenv("JUESUAN_OCR", "0")
    limits.stop_workers()
    yield
    limits.stop_workers()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    for name, (make, *_rest) in CASES.items():
        make(folder / name)
    bad.first_pages(folder / "good_first_pages.pdf")
    # brackets in names and errors are text, not console markup
    (folder / "[bold]损坏.pdf").write_bytes(b"%PDF-1.4\n[/'ExtGState' b'' /GS13]" + bytes(range(200)))
    return folder


@pytest.mark.parametrize("name", list(CASES))
def test_each_bad_input_gets_a_status_and_a_clear_error(inputs: Path, name: str) -> None:
    _make, status, words, doc_type = CASES[name]
    r = extract_document(inputs / name)
    doc = r.document
    if status:
        assert doc.status == status, doc.error
    else:
        assert doc.status in ("ok", "partial", "failed")
    for w in words:
        assert w in (doc.error or ""), doc.error
    if doc_type:
        assert doc.doc_type == doc_type
    if doc.status in ("failed", "needs_ocr"):
        assert not r.cells and not r.facts
    assert doc.file_name == name and len(doc.doc_id) == 16


def test_budget_tables_are_budget_tables_and_a_title_without_a_table_says_so(inputs: Path) -> None:
    r = extract_document(inputs / "budget.pdf")
    d = r.document
    assert d.doc_type == "budget" and d.fiscal_year == 2025 and d.department == "上海市某区某局"
    assert [(t.table, t.status) for t in r.tables] == [("income_expenditure_summary", "unparsed")] and not r.cells
    assert d.status == "partial" and "no table grid or rows could be read" in (d.error or "")


def test_not_a_disclosure_yields_no_figures(inputs: Path) -> None:
    r = extract_document(inputs / "meeting_notice.pdf")
    assert r.document.status != "ok" and r.document.doc_type is None
    assert not r.cells and not r.facts and not r.tables


def test_cid_fonts_never_become_figures(inputs: Path) -> None:
    r = extract_document(inputs / "no_unicode_maps.pdf")
    texts = [c.row for c in r.cells] + [f.text for f in r.facts] + [t.title for t in r.tables]
    assert not any("(cid:" in t for t in texts)
    assert not r.cells and not r.facts


def test_a_run_over_all_of_them_goes_on(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "clean"
    result = CliRunner().invoke(app, ["extract", str(inputs), "--out", str(out), "--fresh"])
    assert result.exit_code == 0, result.output
    with (out / "documents.csv").open(encoding="utf-8", newline="") as f:
        docs = {r["file_name"]: r for r in csv.DictReader(f)}
    assert set(docs) == set(CASES) | {"good_first_pages.pdf", "[bold]损坏.pdf"}
    assert docs["[bold]损坏.pdf"]["status"] == "failed" and "[bold]损坏.pdf" in result.output
    for name, (_make, status, _words, _t) in CASES.items():
        assert docs[name]["status"], name
        if status:
            assert docs[name]["status"] == status, (name, docs[name]["error"])
        if docs[name]["status"] != "ok":
            assert docs[name]["error"], name
    good = docs["good_first_pages.pdf"]
    assert good["status"] == "ok" and good["department"] == "中共上海市普陀区委社会工作部"
    with (out / "table_cells.csv").open(encoding="utf-8", newline="") as f:
        cells = list(csv.DictReader(f))
    readable = {d["doc_id"] for d in docs.values() if d["status"] in ("ok", "partial")}
    assert good["doc_id"] in {c["doc_id"] for c in cells} and {c["doc_id"] for c in cells} <= readable
    # the exports are written for a run with bad input too
    assert (out / "juesuan.duckdb").exists() and (out / "excel" / "documents.csv").exists()
