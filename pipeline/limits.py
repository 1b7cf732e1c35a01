"""Bounded extraction: one document may not hang the run or eat the machine's memory.

Documents are extracted in a worker process (``python -m pipeline.limits``) that has the
extractor imported once and an address-space limit. The parent waits at most ``timeout``
seconds for each answer, then kills the worker and starts a fresh one for the next document.
A timeout, a memory blow-up or a crash inside a C library becomes a ``failed`` document with
a clear error, and the run goes on. Using a plain subprocess (not ``multiprocessing``) keeps
this safe in threaded programs and in scripts without a ``__main__`` guard. Threads that extract at
the same time (``juesuan extract --workers N``) each get a worker process of their own.

``JUESUAN_DOC_TIMEOUT`` (seconds) and ``JUESUAN_DOC_MEMORY_MB`` override the defaults;
``JUESUAN_DOC_TIMEOUT=0`` extracts in-process without limits (debugging).

Scanned pages are OCR'd (extractors/ocr.py): the worker tells the parent before each one, and
the document's limit grows by one page budget (``OCR_PAGE_TIMEOUT_S``) per scanned page, so a
100-page scan is limited per page, not by the limit meant for text PDFs.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import os
import resource
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from extractors.ocr import OCR_PAGE_TIMEOUT_S, set_page_hook
from extractors.source import sha256_of
from pipeline.document_records import DocumentRecords
from pipeline.extract import extract_document, failed_result
from schemas.records import DocStatus

log = logging.getLogger("juesuan.limits")

DEFAULT_TIMEOUT_S = 600.0
DEFAULT_MEMORY_MB = 6144
STARTUP_TIMEOUT_S = 120.0
OCR_PAGE = "ocr_page"  # the worker's message before it OCRs a scanned page: the document gets one more page budget


def default_timeout() -> float:
    return float(os.environ.get("JUESUAN_DOC_TIMEOUT", DEFAULT_TIMEOUT_S))


def default_memory_mb() -> int:
    return int(os.environ.get("JUESUAN_DOC_MEMORY_MB", DEFAULT_MEMORY_MB))


class _Worker:
    def __init__(self, memory_mb: int):
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        level = logging.getLogger("juesuan").getEffectiveLevel()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.limits", str(req_r), str(res_w), str(memory_mb), str(level)],
            pass_fds=(req_r, res_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )
        os.close(req_r)
        os.close(res_w)
        self.requests = Connection(req_w, readable=False)
        self.results = Connection(res_r, writable=False)
        self.memory_mb = memory_mb
        self.ready = False

    def close(self) -> None:
        for c in (self.requests, self.results):
            with contextlib.suppress(OSError):
                c.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


_lock = threading.Lock()  # guards the two collections below; a document is served without it
_idle: list[_Worker] = []  # started, waiting for a document
_workers: set[_Worker] = set()  # all started and not yet stopped (idle or serving a document)


def stop_workers() -> None:
    """Stop every extraction process (at exit, and in tests that change the workers' environment)."""
    with _lock:
        for w in _workers:
            w.close()
        _workers.clear()
        _idle.clear()


atexit.register(stop_workers)


def _failed(path: Path, source_url: str | None, message: str) -> DocumentRecords:
    try:
        sha = sha256_of(path)
    except OSError:
        sha = "0" * 64
    return failed_result(path, sha, DocStatus.FAILED, message, source_url)


def start_worker(memory_mb: int | None = None, count: int = 1) -> None:
    """Have ``count`` extraction processes started now rather than at the first document: a
    worker-pool process calls this as its initializer, so the extractor's start-up overlaps
    Prefect's own; ``juesuan extract --workers N`` starts its N at once."""
    memory_mb = default_memory_mb() if memory_mb is None else memory_mb
    if default_timeout() <= 0:
        return
    with _lock:
        alive = [w for w in _idle if w.memory_mb == memory_mb and w.proc.poll() is None]
        for _ in range(count - len(alive)):
            w = _Worker(memory_mb)
            _workers.add(w)
            _idle.append(w)


def _take(memory_mb: int) -> _Worker:
    """An idle worker with this memory limit, else a new one: one per thread extracting at the same time."""
    with _lock:
        while _idle:
            w = _idle.pop(0)
            if w.memory_mb == memory_mb and w.proc.poll() is None:
                return w
            _workers.discard(w)
            w.close()
        w = _Worker(memory_mb)
        _workers.add(w)
        return w


def _give_back(worker: _Worker) -> None:
    with _lock:
        if worker in _workers:  # not stopped meanwhile (stop_workers)
            _idle.append(worker)


def _retire(worker: _Worker) -> None:
    """A worker that timed out, died or hit its memory limit is not trusted further."""
    with _lock:
        _workers.discard(worker)
    worker.close()


def extract_bounded(path: Path, source_url: str | None = None, timeout: float | None = None,
                    memory_mb: int | None = None) -> DocumentRecords:
    """``extract_document`` with a time and memory bound; never raises for what the document does.
    Threads calling this at the same time each get a worker process of their own."""
    path = Path(path)
    timeout = default_timeout() if timeout is None else timeout
    memory_mb = default_memory_mb() if memory_mb is None else memory_mb
    if timeout <= 0:
        return extract_document(path, source_url)
    worker = _take(memory_mb)
    try:
        kind, payload = _ask(worker, path, source_url, timeout)
    except BaseException:  # e.g. KeyboardInterrupt mid-answer: the worker's state is unknown
        _retire(worker)
        raise
    if kind == "ok":
        _give_back(worker)
        return payload
    _retire(worker)
    if kind == "memory":
        return _failed(path, source_url, f"extraction needed more than {memory_mb} MB of memory and was stopped")
    return _failed(path, source_url, payload)


def _ask(worker: _Worker, path: Path, source_url: str | None, timeout: float) -> tuple[str, Any]:
    """Send one document and wait for its answer: ``("ok", records)``, ``("memory", None)``, or
    ``("stopped", message)`` when it timed out or the worker died (the caller retires the worker)."""
    try:
        worker.requests.send((str(path.resolve()), source_url))
        # the first answer also waits for the worker's imports
        deadline = time.monotonic() + timeout + (0 if worker.ready else STARTUP_TIMEOUT_S)
        scanned = 0
        while True:
            if not worker.results.poll(max(0.0, deadline - time.monotonic())):
                allowed = timeout + scanned * OCR_PAGE_TIMEOUT_S
                log.warning("%s: stopped after %g s", path.name, allowed)
                what = f", {scanned} scanned page(s) OCR'd" if scanned else ""
                return "stopped", (f"extraction took longer than {allowed:g} s{what} and was stopped "
                                   "(a pathological or damaged PDF)")
            kind, payload = worker.results.recv()
            if kind != OCR_PAGE:
                break
            scanned += 1  # each scanned page brings its own time budget: a long scan is not a slow PDF
            deadline += OCR_PAGE_TIMEOUT_S
        worker.ready = True
        return kind, payload
    except (EOFError, OSError, BrokenPipeError):
        code = worker.proc.wait()
        if code in (-9, 137) or code == -6:
            return "stopped", f"extraction ran out of memory ({worker.memory_mb} MB) or was killed (exit code {code})"
        return "stopped", f"extraction process died (exit code {code}): the PDF crashed a parser"


def _warm_up() -> None:
    """Load what the first document would otherwise load (jieba's budget dictionary) while the
    parent is still getting ready."""
    from extractors.vocab import segment

    segment("一般公共预算财政拨款支出")


GC_YOUNG_THRESHOLD = 50_000  # Python's default is 700
GC_OLDER_THRESHOLDS = (20, 20)  # default (10, 10)


def tune_gc_for_extraction() -> None:
    """Parsing a page allocates many container objects that stay alive while the page is read, so
    with Python's default thresholds the collector runs hundreds of times per document, scanning
    the same live objects: 3-4 % of the extraction's CPU (``scripts/benchmark.py`` prints the
    figure), for little to free: most of pdfminer's objects go by reference counting, and the few
    cycles (a document and its parser, about 1,600 objects) are left once per document. Objects
    alive after the imports are frozen (never scanned again) and young objects are collected less
    often; the bounded worker collects once after each document (about 1.5 ms), so no garbage
    builds up between documents. Only for a process that does nothing but extract: the bounded
    worker (and the benchmark)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *GC_OLDER_THRESHOLDS)


def _serve(requests: Connection, results: Connection) -> None:
    _warm_up()
    tune_gc_for_extraction()
    set_page_hook(lambda page_no: results.send((OCR_PAGE, page_no)))
    while True:
        try:
            path, source_url = requests.recv()
        except EOFError:
            return
        try:
            results.send(("ok", extract_document(Path(path), source_url)))
        except MemoryError:
            results.send(("memory", None))
        gc.collect()  # the document's few reference cycles, while the parent records the result


def main(argv: list[str]) -> None:
    req_r, res_w, memory_mb, level = (int(a) for a in argv)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    logging.basicConfig(level=level, format="%(name)s: %(message)s")
    _serve(Connection(req_r, writable=False), Connection(res_w, readable=False))


if __name__ == "__main__":
    main(sys.argv[1:])
