"""A document that takes too long or too much memory is stopped with a clear error; the next one runs."""

from __future__ import annotations

import logging
import zlib
from pathlib import Path

import pytest

from extractors.pdfminer_fixes import ORIGINAL_DECOMPRESS_CORRUPTED, decompress_corrupted
from extractors.source import sha256_of
from pipeline.limits import extract_bounded
from tests import bad_inputs as bad
from tests.conftest import GOLDEN_PDF


def test_timeout_stops_the_document_and_the_next_one_runs(tmp_path: Path) -> None:
    small = bad.first_pages(tmp_path / "small.pdf", n_pages=2)
    warm = extract_bounded(small)  # the worker is up before the tight limit applies
    # a cover and a contents page: read, though they hold no table and no figure (so not "ok")
    assert warm.document.status == "partial" and "no final-account tables" in (warm.document.error or "")
    stopped = extract_bounded(GOLDEN_PDF, timeout=0.05)
    assert stopped.document.status == "failed"
    assert "longer than 0.05 s" in (stopped.document.error or "")
    assert stopped.document.file_name == GOLDEN_PDF.name and stopped.document.doc_id == sha256_of(GOLDEN_PDF)[:16]
    again = extract_bounded(small)
    assert again.document == warm.document and len(again.cells) == len(warm.cells)


def _inflation_bomb(path: Path, inflated_mb: int = 1536) -> Path:
    """One page whose content stream inflates from a few MB to ``inflated_mb`` MB."""
    z = zlib.compressobj(9)
    chunk = b"0 0 m\n" * (1 << 20)
    packed = b"".join(z.compress(chunk) for _ in range(inflated_mb * (1 << 20) // len(chunk))) + z.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


@pytest.mark.slow
def test_inflation_bomb_is_stopped_by_the_memory_limit(tmp_path: Path) -> None:
    bomb = _inflation_bomb(tmp_path / "bomb.pdf")
    r = extract_bounded(bomb, memory_mb=1000, timeout=300)
    assert r.document.status == "failed" and r.document.error


def test_damaged_flate_stream_keeps_pdfminer_semantics() -> None:
    assert ORIGINAL_DECOMPRESS_CORRUPTED is not None
    raw = b"BT /F1 12 Tf (2940.05) Tj ET\n" * 2000
    data = bytearray(zlib.compress(raw))
    data[-1] ^= 0xFF  # a bad checksum only: everything is still there
    logging.disable(logging.WARNING)
    try:
        assert decompress_corrupted(bytes(data)) == raw
    finally:
        logging.disable(logging.NOTSET)
    data = bytearray(zlib.compress(raw))
    data[len(data) // 2] ^= 0xFF  # damage inside the stream: the same answer as pdfminer's own function
    outcomes = []
    for fn in (ORIGINAL_DECOMPRESS_CORRUPTED, decompress_corrupted):
        try:
            outcomes.append(fn(bytes(data)))
        except zlib.error as e:
            outcomes.append(type(e))
    assert outcomes[0] == outcomes[1]


def test_the_process_stage_of_the_flows_is_bounded_too(tmp_path: Path, monkeypatch) -> None:
    """A nightly run must not hang on one document: extract_records goes through the bounded worker."""
    from pipeline import process

    small = bad.first_pages(tmp_path / "small.pdf", n_pages=2)
    assert process.extract_records(sha256_of(small), str(small), None).doc_id == sha256_of(small)[:16]
    monkeypatch.setenv("JUESUAN_DOC_TIMEOUT", "0.05")
    doc = process.extract_records(sha256_of(GOLDEN_PDF), str(GOLDEN_PDF), "http://127.0.0.1/x.pdf").document
    assert doc.status == "failed" and "longer than 0.05 s" in (doc.error or "")


def test_a_worker_started_ahead_serves_the_first_document(tmp_path: Path, monkeypatch) -> None:
    """What each --workers N process runs as its initializer: the extraction process is up (and
    warmed) before the first document arrives, and that same process then reads it."""
    from pipeline import limits

    limits.stop_workers()
    monkeypatch.setenv("JUESUAN_DOC_TIMEOUT", "0")  # unbounded mode has no process to start
    limits.start_worker()
    assert limits._idle == []
    monkeypatch.delenv("JUESUAN_DOC_TIMEOUT")
    limits.start_worker()
    (started,) = limits._idle
    assert started.proc.poll() is None
    small = bad.first_pages(tmp_path / "small.pdf", n_pages=2)
    result = extract_bounded(small)
    assert limits._idle == [started] and result.document.status != "failed" and result.document.pages == 2


def test_threads_extracting_at_once_each_get_a_worker(tmp_path: Path) -> None:
    """`juesuan extract --workers 2`: two documents at the same time in two bounded worker processes,
    each answer the one a single worker gives; both stay up for the next documents."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline import limits

    limits.stop_workers()
    small = bad.first_pages(tmp_path / "small.pdf", n_pages=2)
    longer = bad.first_pages(tmp_path / "longer.pdf", n_pages=4)
    alone = extract_bounded(small)
    with ThreadPoolExecutor(2) as pool:
        both = list(pool.map(extract_bounded, [small, longer]))
    assert both[0].document == alone.document and both[1].document.pages == 4
    assert len(limits._idle) == 2 and len({w.proc.pid for w in limits._idle}) == 2
