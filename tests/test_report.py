from __future__ import annotations

import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image
from typer.testing import CliRunner

from extractors.source import sha256_of
from pipeline.cli import app
from pipeline.dataset import write_dataset
from pipeline.evidence import finding_pages, finding_values, locate, locate_in_words, render_crop
from pipeline.exports import write_exports
from pipeline.report import PdfLocator, display_number, write_report
from schemas.records import Document, Finding
from tests.conftest import GOLDEN_PDF, SAMPLES
from tests.datasets import DOC_B, small_dataset


class Links(HTMLParser):
    """Every href/src and id of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                self.refs.append(a[key] or "")
        if a.get("id"):
            self.ids.add(a["id"] or "")


def broken_links(index: Path) -> list[str]:
    parser = Links()
    parser.feed(index.read_text(encoding="utf-8"))
    broken = []
    for ref in parser.refs:
        target, _, fragment = ref.partition("#")
        if not target:
            if fragment not in parser.ids:
                broken.append(ref)
        elif not (index.parent / target).exists():
            broken.append(ref)
    return broken


@pytest.fixture(scope="module")
def golden_sha() -> str:
    return sha256_of(GOLDEN_PDF)


@pytest.fixture(scope="module")
def report(tmp_path_factory, golden_sha: str) -> Path:
    data = tmp_path_factory.mktemp("data")
    ds = small_dataset(golden_sha, GOLDEN_PDF.name)
    write_dataset(ds, data)
    write_exports(ds, data)
    return write_report(data, data / "report", pdf_roots=[SAMPLES])


def test_locate_finds_printed_numbers_with_separators() -> None:
    with pdfplumber.open(GOLDEN_PDF) as pdf:
        p21 = locate(pdf.pages[20], [Decimal("2995.39")])
        p13 = locate(pdf.pages[12], [Decimal("2961.68")])
        pct = locate(pdf.pages[20], [Decimal("71.73")])
        absent = locate(pdf.pages[20], [Decimal("123456.78")])
    assert [b.text for b in p21] == ["2995.39"]
    assert [b.text for b in p13] == ["2,961.68"] * 3
    assert [b.text for b in pct] == ["71.73"]
    assert absent == []
    box = p21[0]
    assert 0 < box.x0 < box.x1 < 595 and 0 < box.top < box.bottom < 842


def test_finding_values_and_pages() -> None:
    f = Finding(doc_id="x", rule="r", severity="error", message="m", expected=Decimal("2961.68"),
                actual=Decimal("-56.95"), page="13;21", evidence="p13 总计 2,961.68; p21 0.3万元")
    assert finding_values(f) == [Decimal("56.95"), Decimal("2961.68"), Decimal("0.3")]
    assert finding_pages(f) == [13, 21]
    assert finding_pages(Finding(doc_id="x", rule="r", severity="info", message="m")) == []


def test_crop_outlines_the_value_in_red() -> None:
    crop = render_crop(GOLDEN_PDF, 21, [Decimal("0.3")])
    image = Image.open(io.BytesIO(crop.png)).convert("RGB")
    assert crop.found == ("0.3",) and not crop.whole_page
    assert image.height < image.width  # a band of the page, not the whole portrait page
    colours = dict((c, n) for n, c in image.getcolors(maxcolors=1 << 24))
    assert colours.get((220, 0, 0), 0) > 50
    whole = render_crop(GOLDEN_PDF, 21, [Decimal("98765.43")])
    assert whole.whole_page and whole.found == ()
    assert Image.open(io.BytesIO(whole.png)).height > Image.open(io.BytesIO(whole.png)).width


def test_report_shows_each_finding_with_its_page_crops(report: Path, golden_sha: str) -> None:
    page = report.read_text(encoding="utf-8")
    doc_id = golden_sha[:16]
    crops = sorted((report.parent / "img" / doc_id).glob("*.png"))
    assert [p.name for p in crops] == ["f001_p13.png", "f001_p21.png", "f002_p21.png"]
    for p in crops:
        assert f"img/{doc_id}/{p.name}" in page
        assert Image.open(p).format == "PNG"
    assert "outlined 2,961.68, 2,961.68, 2,961.68" in page and "outlined 0.3" in page
    assert "outlined 71.73" in page
    # headline figures as exact decimals, three-public categories, the empty table
    assert "2995.39" in page and "2995.390000" not in page and "公务接待费" in page and "本表无数据" in page
    # the document whose PDF is not there says so instead of failing
    assert "Source PDF not found" in page
    assert page.count("class='finding ") == 3


def test_report_links_resolve(report: Path) -> None:
    assert broken_links(report) == []
    page = report.read_text(encoding="utf-8")
    assert re.search(r"href='[^']*上海市普陀区财政局2024年度部门决算.pdf#page=13'", page)


def test_pdf_found_by_hash_when_renamed(tmp_path: Path, golden_sha: str) -> None:
    (tmp_path / "renamed.pdf").symlink_to(GOLDEN_PDF)
    doc = Document(doc_id=golden_sha[:16], file_name=GOLDEN_PDF.name, sha256=golden_sha, status="ok")
    assert PdfLocator([tmp_path]).find(doc) == tmp_path / "renamed.pdf"
    other = Document(doc_id=DOC_B, file_name="renamed.pdf", sha256="f" * 64, status="ok")
    assert PdfLocator([tmp_path]).find(other) is None


def test_display_number_is_exact() -> None:
    assert display_number(Decimal("2995.390000")) == "2995.39"
    assert display_number(Decimal("-0.000001")) == "-0.000001"
    assert display_number(Decimal("5")) == "5.00"


def test_cli_report(tmp_path: Path, golden_sha: str) -> None:
    ds = small_dataset(golden_sha, GOLDEN_PDF.name)
    write_dataset(ds, tmp_path)
    out = tmp_path / "site"
    result = CliRunner().invoke(app, ["report", "--data", str(tmp_path), "--pdfs", str(SAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").exists() and len(list(out.rglob("*.png"))) == 3
    missing = CliRunner().invoke(app, ["report", "--data", str(tmp_path / "none")])
    assert missing.exit_code == 2


def test_report_survives_damaged_and_text_sources(tmp_path: Path) -> None:
    from pipeline.dataset import Dataset

    broken = tmp_path / "raw" / "broken.pdf"
    broken.parent.mkdir()
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00" * 500)
    sha = sha256_of(broken)
    docs = [Document(doc_id=sha[:16], file_name="broken.pdf", sha256=sha, status="failed", error="corrupt"),
            Document(doc_id="t" * 16, file_name="notes.txt", sha256="1" * 64, status="partial")]
    findings = [Finding(doc_id=sha[:16], rule="r", severity="error", message="m", actual=Decimal("1.5"), page="1"),
                Finding(doc_id="t" * 16, rule="r", severity="warning", message="w", page="2")]
    write_dataset(Dataset(docs, findings=findings), tmp_path / "data")
    page = write_report(tmp_path / "data", tmp_path / "site", pdf_roots=[tmp_path / "raw"]).read_text(encoding="utf-8")
    assert "could not be opened" in page or "could not be rendered" in page
    assert "Read from a text file (notes.txt)" in page


def _word(text: str, x: float = 100.0) -> dict:
    chars = [{"text": ch, "x0": x + 6 * i, "x1": x + 6 * i + 5, "top": 50.0, "bottom": 60.0} for i, ch in enumerate(text)]
    return {"text": text, "chars": chars}


def test_located_numbers_are_read_like_table_cells() -> None:
    def found(text: str, *values: str) -> list[str]:
        return [b.text for b in locate_in_words([_word(text)], [Decimal(v) for v in values])]

    # the same amount however it is printed
    assert found("1,234.5", "1234.50") == ["1,234.5"]
    assert found("1234.50", "1234.5") == ["1234.50"]
    assert found("２，９６１．６８", "2961.68") == ["２，９６１．６８"]
    # not amounts for parse_amount, so not amounts here: badly grouped digits, dates
    assert found("1,23,4.5", "1234.5") == []
    assert found("2025.1.1-2025.12.31", "2025.12", "2025.1") == []
    # kept on purpose: narrative figures carry a unit, % or punctuation glued on, and are found inside the word
    assert found("0.3万元，", "0.3") == ["0.3"]
    assert found("增长71.73%。", "71.73") == ["71.73"]
    assert found("4．2025年部门预算", "2025", "4.2025") == ["2025"]  # 4．is list numbering, not a decimal point
    box = locate_in_words([_word("支出2,940.05万元", x=10)], [Decimal("2940.05")])[0]
    assert (box.x0, box.x1) == (10 + 6 * 2, 10 + 6 * 9 + 5)  # only the digits are outlined


def test_single_file_report_embeds_every_crop(tmp_path: Path, golden_sha: str) -> None:
    ds = small_dataset(golden_sha, GOLDEN_PDF.name)
    write_dataset(ds, tmp_path / "data")
    out = tmp_path / "mail"
    result = CliRunner().invoke(app, ["report", "--data", str(tmp_path / "data"), "--pdfs", str(SAMPLES),
                                      "--out", str(out), "--single-file"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.rglob("*") if p.is_file()] == ["index.html"]  # nothing beside it
    page = (out / "index.html").read_text(encoding="utf-8")
    images = re.findall(r"<img src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == 3
    import base64

    for data in images:
        assert Image.open(io.BytesIO(base64.b64decode(data))).format == "PNG"
    assert "outlined 0.3" in page
    # copied elsewhere alone (as a mail attachment), no image is missing
    alone = tmp_path / "elsewhere" / "report.html"
    alone.parent.mkdir()
    alone.write_text(page, encoding="utf-8")
    assert not [r for r in re.findall(r"<img src='([^']*)'", page) if not r.startswith("data:")]


def test_index_says_what_the_tables_column_counts(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert "tables with data / found" in page
    assert "<td class='num'>2 / 3</td>" in page  # the golden sample: 3 tables found, 1 printed empty


def test_text_documents_have_no_pages_header_and_no_pnone(tmp_path: Path) -> None:
    from pipeline.checks import run_checks
    from pipeline.dataset import Dataset
    from pipeline.extract import extract_document
    from tests.conftest import WUHAN_TXT

    r = extract_document(WUHAN_TXT)
    ds = Dataset([r.document], r.tables, r.cells, r.facts)
    ds = Dataset(ds.documents, ds.tables, ds.cells, ds.facts, run_checks(ds))
    assert ds.findings
    for f in ds.findings:
        assert "pNone" not in (f.evidence or "") and "pNone" not in f.message
        quotes = [q for q in (f.evidence or "").split(" | ") if "“" in q]
        assert len(quotes) == len(set(quotes)), f.evidence  # no clause quoted twice
    assert any("section " in (f.evidence or "") for f in ds.findings)
    write_dataset(ds, tmp_path / "data")
    page = write_report(tmp_path / "data", tmp_path / "site").read_text(encoding="utf-8")
    assert "· pages ·" not in page and "None" not in page
    assert "text file (no pages)" in page
    # headline figures from the text, marked as such
    assert "58381.82" in page and "stated in the text (情况说明)" in page


def test_index_shows_how_far_each_document_can_be_trusted(tmp_path: Path, golden_sha: str) -> None:
    """documents.csv's trust columns (pipeline/quality.py) in the index, with a legend naming each column."""
    from pipeline.quality import assess
    from pipeline.report import TRUST_COLUMNS

    ds = assess(small_dataset(golden_sha, GOLDEN_PDF.name))
    a, b = ds.documents
    assert (a.tables_expected, a.tables_found, a.cells_read, a.fully_read) == (9, 3, 6, False)
    write_dataset(ds, tmp_path / "data")
    page = write_report(tmp_path / "data", tmp_path / "site").read_text(encoding="utf-8")
    index = page[page.index("<table class='index'>"):page.index("</table>", page.index("<table class='index'>"))]
    rows = re.findall(r"<tr>(.*?)</tr>", index)
    heads = re.findall(r"<th[^>]*>(.*?)</th>", rows[0])
    assert heads[-len(TRUST_COLUMNS):] == [h for h, _, _ in TRUST_COLUMNS]
    golden = next(r for r in rows if "上海市普陀区财政局" in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", golden)[-len(TRUST_COLUMNS):]
    assert cells[0].startswith("3 / 9<br>") and "missing income;expenditure;" in cells[0]
    assert cells[1:4] == ["3", "6", "0"] and cells[5] == f"{a.narrative_matched} / {a.narrative_figures}"
    assert "no" in cells[6]
    legend = page[page.index("<dl class='note legend'>"):]
    for head, _, _ in TRUST_COLUMNS:
        assert f"<dt>{head}</dt>" in legend
    for column in ("tables_expected", "tables_missing", "cells_read", "identity_errors", "doubtful_tables",
                   "narrative_matched", "fully_read"):
        assert column in legend or column in index


def test_index_trust_columns_stay_empty_for_an_unassessed_dataset(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert "None" not in page[page.index("<table class='index'>"):page.index("<p class='note'>")]
