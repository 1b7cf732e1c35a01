"""`juesuan extract` goes through the partitions and merge of `juesuan run`: a file extracted before is
not extracted again, N workers give the bytes one gives, and the documents of both commands share a folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline import process as proc
from pipeline.cli import app
from pipeline.dataset import read_dataset
from pipeline.document_records import DocumentRecords
from pipeline.manifest import Manifest
from tests import bad_inputs as bad
from tests.mock_portal import FAKE_CALLS, SMALL_PDF, fake_extract_document, variant

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "raw" / "samples"
CSVS = ("documents.csv", "tables.csv", "table_cells.csv", "narrative_facts.csv", "findings.csv",
        "performance_forms.csv", "performance_indicators.csv", "budget_vs_final.csv")


@pytest.fixture
def fake(monkeypatch):
    """The cheap extractor: these tests are about which documents are extracted, not how."""
    FAKE_CALLS.clear()
    monkeypatch.setattr(proc, "extract_bounded", fake_extract_document)
    return FAKE_CALLS


def _files(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(variant(SMALL_PDF.read_bytes(), name))
    return folder


def _extract(*args: str) -> str:
    r = CliRunner().invoke(app, ["extract", *args])
    assert r.exit_code == 0, r.output
    return r.output


def _csv_ids(out: Path) -> list[str]:
    return sorted(d.file_name for d in read_dataset(out).documents)


def test_extract_twice_extracts_nothing_the_second_time(tmp_path: Path, fake) -> None:
    src, out = _files(tmp_path / "in", "a.pdf", "b.pdf"), tmp_path / "out"
    _extract(str(src), "--out", str(out))
    assert sorted(fake) == ["a.pdf", "b.pdf"]
    parts = sorted((out / proc.PARTS).glob("*.json"))
    assert [p.stem for p in parts if not p.name.startswith("_")] == sorted(
        json.loads((out / proc.PARTS / proc.STATE).read_text("utf-8"))["documents"])
    before = {p: p.stat().st_mtime_ns for p in (out / proc.PARTS).glob("*.json")}
    csvs = {name: (out / name).read_bytes() for name in CSVS}
    said = _extract(str(src), "--out", str(out))
    assert sorted(fake) == ["a.pdf", "b.pdf"]  # no second extraction
    assert "2 files unchanged" in said and "2 documents" in said
    assert {p: p.stat().st_mtime_ns for p in (out / proc.PARTS).glob("*.json")} == before  # nothing rewritten
    assert {name: (out / name).read_bytes() for name in CSVS} == csvs
    _extract(str(src), "--out", str(out), "--force")
    assert len(fake) == 4


def test_what_makes_a_partition_stale(tmp_path: Path, fake, monkeypatch) -> None:
    src, out = _files(tmp_path / "in", "a.pdf", "b.pdf"), tmp_path / "out"
    _extract(str(src), "--out", str(out))
    (src / "a.pdf").write_bytes(variant(SMALL_PDF.read_bytes(), "a2"))  # new bytes
    (src / "b.pdf").rename(src / "b_renamed.pdf")  # same bytes, another name (metadata may come from it)
    _extract(str(src), "--out", str(out))
    assert sorted(fake) == ["a.pdf", "a.pdf", "b.pdf", "b_renamed.pdf"]
    # the old a.pdf stays (extract keeps every other document); b is the renamed file now
    assert _csv_ids(out) == ["a.pdf", "a.pdf", "b_renamed.pdf"]
    monkeypatch.setattr(pipeline, "EXTRACTOR_VERSION", "99.0.0")
    _extract(str(src), "--out", str(out), "--fresh")
    assert len(fake) == 6 and _csv_ids(out) == ["a.pdf", "b_renamed.pdf"]
    assert {d.extractor_version for d in read_dataset(out).documents} == {"99.0.0"}


def test_a_partition_written_before_a_kill_is_used(tmp_path: Path, fake) -> None:
    """Killed after extracting, before the merge: the next extract reads the partition, extracts nothing."""
    src, out = _files(tmp_path / "in", "a.pdf"), tmp_path / "out"
    _extract(str(src), "--out", str(out))
    (out / proc.PARTS / proc.STATE).unlink()
    (out / "documents.csv").unlink()
    _extract(str(src), "--out", str(out))
    assert fake == ["a.pdf"] and _csv_ids(out) == ["a.pdf"]


def test_run_and_extract_keep_each_others_documents(tmp_path: Path, fake) -> None:
    from pipeline import scrape as scr

    clean = tmp_path / "data" / "clean"
    _extract(str(_files(tmp_path / "mine", "mine.pdf")), "--out", str(clean))
    raw = _files(tmp_path / "data" / "raw" / "inbox", "portal.pdf").parent
    with Manifest(raw) as m:
        run_id = m.start_run("process")
        scr.scan_local(raw, m, run_id)
        report = proc.process(raw, clean, run_id, manifest=m)
    assert report.merge and report.merge.changed and [p.file_name for p in report.processed] == ["portal.pdf"]
    assert _csv_ids(clean) == ["mine.pdf", "portal.pdf"]
    _extract(str(_files(tmp_path / "more", "more.pdf")), "--out", str(clean))
    assert _csv_ids(clean) == ["mine.pdf", "more.pdf", "portal.pdf"]
    with Manifest(raw) as m:  # nothing new in the raw store: the run leaves the files alone
        assert not proc.process(raw, clean, m.start_run("process"), manifest=m).merge.changed  # type: ignore[union-attr]
    assert _csv_ids(clean) == ["mine.pdf", "more.pdf", "portal.pdf"] and sorted(fake) == ["mine.pdf", "more.pdf",
                                                                                          "portal.pdf"]


def test_partition_round_trip_through_the_typed_record(tmp_path: Path) -> None:
    """A real document's records → partition file → the same records; the JSON keeps its keys."""
    from pipeline.extract import extract_document

    pdf = extract_document(bad.first_pages(tmp_path / "p.pdf", n_pages=6))
    text = extract_document(SAMPLES / "wuhan_hongshan_housing_2023.txt")
    assert pdf.cells and text.facts and text.forms  # something to lose on the way
    for records in (pdf, text):
        path = proc.write_partition(tmp_path / "clean", records)
        data = json.loads(path.read_text("utf-8"))
        assert list(data) == ["sha256", "doc_id", "extractor_version", "records"]
        assert data["doc_id"] == records.doc_id == path.stem
        back = proc.read_partition(path)
        assert back == records and back.to_json() == data
        # Decimals keep their printed digits
        assert [c.value for c in back.cells] == [c.value for c in records.cells]
        assert [str(f.value) for f in back.facts] == [str(f.value) for f in records.facts]
    path.write_text('{"records": {"documents": []}}', encoding="utf-8")
    assert proc.read_partition(path) is None  # not one document: unusable, extracted again
    with pytest.raises(ValueError):
        DocumentRecords.from_json([1, 2])


def test_workers_give_the_bytes_one_worker_gives(tmp_path: Path) -> None:
    """Real extraction of parts of the sample PDFs (their first pages) and the sample text, 1 vs 2 workers."""
    src = tmp_path / "in"
    src.mkdir()
    for pdf in sorted(SAMPLES.glob("*.pdf")):  # the three samples
        bad.first_pages(src / pdf.name, source=pdf, n_pages=5)
    shutil.copy(SAMPLES / "wuhan_hongshan_housing_2023.txt", src)
    one, two = tmp_path / "one", tmp_path / "two"
    _extract(str(src), "--out", str(one), "--workers", "1")
    _extract(str(src), "--out", str(two), "--workers", "2")
    assert len(read_dataset(one).documents) == 4 and read_dataset(one).cells
    for name in CSVS:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
