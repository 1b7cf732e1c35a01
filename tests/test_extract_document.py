from __future__ import annotations

from pipeline.extract import extract_document
from tests.conftest import WUHAN_TXT


def test_golden_document_metadata(golden_extraction):
    d = golden_extraction.document
    assert d.department == "上海市普陀区财政局"
    assert d.region == "上海市普陀区"
    assert d.fiscal_year == 2024
    assert d.doc_type == "final_accounts"
    assert d.pages == 25
    assert len(d.doc_id) == 16 and d.sha256.startswith(d.doc_id)


def test_text_file_metadata():
    d = extract_document(WUHAN_TXT).document
    assert d.department == "武汉市洪山区住房保障和房屋管理局"
    assert d.fiscal_year == 2023


def test_bad_inputs_get_status(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    html = tmp_path / "page.pdf"
    html.write_text("<!DOCTYPE html><html><body>404</body></html>")
    trunc = tmp_path / "trunc.pdf"
    trunc.write_bytes(b"%PDF-1.7\n1 0 obj <<")
    for f, word in ((empty, "empty"), (html, "HTML"), (trunc, "PDF")):
        d = extract_document(f).document
        assert d.status == "failed", f
        assert word in (d.error or ""), d.error
