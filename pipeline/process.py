"""Stage: raw documents not yet processed by this extractor version → partitions → the clean dataset.

Each document's records are kept as one partition file, ``<clean>/_parts/<doc_id>.json``
(written atomically), and the manifest notes ``(sha256, extractor_version)`` once the partition
is in place. ``_parts/_state.json`` says which partitions (doc_id, version, source URL) the
merged CSV/Parquet files were last built from, so a re-run:

- extracts only contents without a current partition (new downloads, or a new extractor version);
- rebuilds the merged files only if that set changed, dropping and re-adding only the changed
  documents' rows (documents from ``juesuan extract`` in the same folder are kept);
- after a kill at any point, redoes exactly what is missing (partitions and state are written
  last, each atomically), so the result equals an uninterrupted run.

A content no URL points at any more (a document replaced at the same address) leaves the merged
files; its raw bytes and partition stay, and the manifest keeps its history.
Prefect-free: ``flows.py`` runs ``extract_payload`` as tasks and calls the rest.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pipeline
from extractors.source import doc_id_for, sha256_of
from pipeline.dataset import WRITE_ORDER, Dataset, atomic_write_bytes, read_dataset
from pipeline.extract import failed_result
from pipeline.file_names import file_name_for
from pipeline.limits import extract_bounded
from pipeline.manifest import Manifest, RawDoc
from pipeline.run import check_dataset, save_dataset
from schemas.records import DocStatus, Finding

log = logging.getLogger("juesuan.process")

PARTS = "_parts"
STATE = "_state.json"

Payload = dict  # {"sha256", "doc_id", "extractor_version", "records": {file: [row, ...]}}


def extractor_version() -> str:
    """Read at call time, so a version bump (or a test) takes effect without re-import."""
    return pipeline.EXTRACTOR_VERSION


def parts_dir(clean_dir: Path) -> Path:
    return Path(clean_dir) / PARTS


def partition_path(clean_dir: Path, doc_id: str) -> Path:
    return parts_dir(clean_dir) / f"{doc_id}.json"


# --- one document ------------------------------------------------------------------------

def extract_payload(sha256: str, path: str, source_url: str | None) -> Payload:
    """Extract one raw document into a JSON-safe payload (what a task returns and caches)."""
    p = Path(path)
    result = extract_bounded(p, source_url)  # a hanging or memory-eating PDF fails alone
    doc = result.document
    if doc.sha256 != sha256:
        actual = sha256_of(p) if p.exists() else "missing"
        result = failed_result(p, sha256, DocStatus.FAILED,
                               f"stored file does not match its hash (now {actual[:16]}): raw store damaged",
                               source_url)
        doc = result.document
    ds = Dataset([doc], result.tables, result.cells, result.facts, result.findings, result.forms, result.indicators)
    return {
        "sha256": sha256,
        "doc_id": doc.doc_id,
        "extractor_version": extractor_version(),
        "records": {kind.FILE: [r.model_dump(mode="json") for r in ds.rows_of(kind)] for kind in WRITE_ORDER},
    }


def dataset_of_payload(payload: Payload) -> Dataset:
    ds = Dataset()
    for kind in WRITE_ORDER:
        ds.rows_of(kind).extend(kind.model_validate(row) for row in payload["records"].get(kind.FILE, []))
    return ds


def write_partition(clean_dir: Path, payload: Payload) -> Path:
    path = partition_path(clean_dir, payload["doc_id"])
    atomic_write_bytes(path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return path


def read_partition(path: Path) -> Payload | None:
    """A partition, or None if missing or unreadable (then the document is extracted again)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "records" in data else None


# --- which documents need work -----------------------------------------------------------

def pending(manifest: Manifest, clean_dir: Path, docs: Iterable[RawDoc] | None = None) -> list[RawDoc]:
    """Wanted contents without a partition by the current extractor version.

    The manifest's ``(sha256, version)`` row is written only after the partition is in place, so
    the row plus the file's presence says the work is done, without reading thousands of
    partitions on every run. A partition that turns out unreadable or stale when the merge needs
    it is extracted again in that run (see ``process``)."""
    done = manifest.processed_contents(extractor_version())
    return [d for d in (manifest.current_documents() if docs is None else docs)
            if not (d.sha256 in done and partition_path(clean_dir, doc_id_for(d.sha256)).exists())]


@dataclass
class Processed:
    """Summary of one extracted document, for logs and the run report."""

    doc_id: str
    sha256: str
    file_name: str
    source_url: str | None
    status: str
    error: str | None
    department: str | None
    fiscal_year: int | None
    n_tables: int
    n_cells: int
    n_facts: int


def summary_of(payload: Payload) -> Processed:
    rec = payload["records"]
    d = rec["documents"][0]
    return Processed(payload["doc_id"], payload["sha256"], d.get("file_name", ""), d.get("source_url"),
                     d.get("status", ""), d.get("error"), d.get("department"), d.get("fiscal_year"),
                     len(rec.get("tables", [])), len(rec.get("table_cells", [])), len(rec.get("narrative_facts", [])))


def record_payload(manifest: Manifest, clean_dir: Path, payload: Payload, run_id: int | None) -> Processed:
    """Partition first, then the manifest row: a kill in between only costs a re-extraction."""
    write_partition(clean_dir, payload)
    s = summary_of(payload)
    manifest.mark_processed(payload["sha256"], payload["extractor_version"], s.doc_id, s.status, s.error, run_id)
    return s


# --- merging -----------------------------------------------------------------------------

def _read_state(clean_dir: Path) -> dict[str, dict] | None:
    try:
        data = json.loads((parts_dir(clean_dir) / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("documents") if isinstance(data, dict) else None


@dataclass
class MergeReport:
    changed: bool
    added: list[str] = field(default_factory=list)  # doc_ids (re)added to the merged files
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # wanted, no usable partition: left out of the files
    dataset: Dataset | None = None


def merge(clean_dir: Path, wanted: Iterable[RawDoc]) -> MergeReport:
    """Bring the merged CSV/Parquet files in line with the wanted partitions (see module doc)."""
    clean_dir = Path(clean_dir)
    version = extractor_version()
    for stale in clean_dir.glob(".*.tmp"):  # left by a killed writer
        stale.unlink(missing_ok=True)
    for stale in parts_dir(clean_dir).glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    target: dict[str, dict] = {}
    by_id: dict[str, RawDoc] = {}
    for w in wanted:
        did = doc_id_for(w.sha256)
        target[did] = {"version": version, "source_url": w.source_url}
        if w.disclosure_id:  # an article page and its attachments (see Manifest.current_documents)
            target[did]["disclosure_id"] = w.disclosure_id
        by_id[did] = w
    state = _read_state(clean_dir)
    have_files = (clean_dir / "documents.csv").exists()
    if state == target and have_files:
        return MergeReport(changed=False)
    base = read_dataset(clean_dir) if have_files else Dataset()
    if state is None or not have_files:
        managed = {p.stem for p in parts_dir(clean_dir).glob("*.json") if not p.name.startswith("_")}
        drop = managed | set(target)
        todo = sorted(target)
        removed = sorted((managed & base.doc_ids()) - set(target))
    else:
        todo = sorted(i for i in target if state.get(i) != target[i])
        removed = sorted(set(state) - set(target))
        drop = set(todo) | set(removed)
    new = Dataset()
    missing: list[str] = []
    for did in todo:
        part = read_partition(partition_path(clean_dir, did))
        if part is None or part.get("extractor_version") != version:
            missing.append(did)
            log.warning("%s: no current partition; left out until it is extracted", did)
            continue
        ds = dataset_of_payload(part)
        url = by_id[did].source_url
        linked = {"disclosure_id": by_id[did].disclosure_id} if by_id[did].disclosure_id else {}
        ds.documents = [d.model_copy(update={"source_url": url, "file_name": file_name_for(url, d.file_name), **linked})
                        for d in ds.documents]
        for kind in WRITE_ORDER:
            new.rows_of(kind).extend(ds.rows_of(kind))
    for did in missing:
        target.pop(did)
    merged = check_dataset(base.without(drop).add(new))
    save_dataset(merged, clean_dir)
    atomic_write_bytes(parts_dir(clean_dir) / STATE,
                       json.dumps({"documents": target}, ensure_ascii=False, indent=0, sort_keys=True).encode("utf-8"))
    return MergeReport(True, [d for d in todo if d not in missing], removed, missing, merged)


# --- the stage without Prefect -----------------------------------------------------------

@dataclass
class ProcessReport:
    run_id: int | None
    processed: list[Processed] = field(default_factory=list)
    merge: MergeReport | None = None
    n_wanted: int = 0
    extract_seconds: float = 0.0  # wall time from the first document sent to the last one recorded
    merge_seconds: float = 0.0  # wall time of the merge (checks, CSV/Parquet, exports)

    def new_error_findings(self) -> list[Finding]:
        ids = {p.doc_id for p in self.processed}
        ds = self.merge.dataset if self.merge else None
        return [f for f in (ds.findings if ds else []) if f.doc_id in ids and f.severity == "error"]


BATCH_SHARE = 2  # a batch takes about 1/(BATCH_SHARE x workers) of the documents still to send
MAX_BATCH = 8


def batches(docs: list[RawDoc], workers: int) -> list[list[RawDoc]]:
    """Documents grouped for ``workers`` worker processes, largest files first, in batches that
    shrink as the run goes on ("guided" scheduling: about 1/(2 x workers) of the documents still to
    send, at most ``MAX_BATCH``): the early, large batches share a task's fixed
    cost (about 0.5 s to start a task in a worker process), and the last ones hold one small file
    each, so no worker is left idle while another works through a long final batch."""
    def size(d: RawDoc) -> int:
        try:
            return Path(d.path).stat().st_size
        except OSError:
            return 0

    ordered = sorted(docs, key=size, reverse=True)
    share = max(1, workers) * BATCH_SHARE
    out: list[list[RawDoc]] = []
    i = 0
    while i < len(ordered):
        per = max(1, min(MAX_BATCH, -(-(len(ordered) - i) // share)))
        out.append(ordered[i:i + per])
        i += per
    return out


def _extract_sequentially(docs: list[RawDoc]) -> Iterator[Payload]:
    for d in docs:
        yield extract_payload(d.sha256, str(d.path), d.source_url)


def progress_line(s: Processed, done: int, total: int) -> str:
    """One recorded document, for the log: ``12/50 extracted <file>: ok, 9 tables, 317 cells, 80 facts``."""
    return (f"{done}/{total} extracted {s.file_name}: {s.status}, {s.n_tables} tables, {s.n_cells} cells, "
            f"{s.n_facts} facts" + (f" ({s.error})" if s.error else ""))


OnRecorded = Callable[[Processed, int, int], None]  # (document, how many recorded so far, of how many)


def _log_recorded(s: Processed, done: int, total: int) -> None:
    log.info("%s", progress_line(s, done, total))


def _extract_and_record(docs: list[RawDoc], extract_many: Callable[[list[RawDoc]], Iterable[Payload]],
                        manifest: Manifest, clean_dir: Path, run_id: int | None, report: ProcessReport,
                        on_recorded: OnRecorded) -> None:
    done = 0
    for payload in extract_many(docs):
        if payload.get("extractor_version") != extractor_version():  # e.g. a Dask worker with another install
            log.error("%s: extracted by extractor %s, this run is %s; not recorded (is another juesuan version "
                      "installed on the workers?)", payload.get("doc_id"), payload.get("extractor_version"),
                      extractor_version())
            continue
        s = record_payload(manifest, clean_dir, payload, run_id)
        report.processed.append(s)
        done += 1
        on_recorded(s, done, len(docs))


def process(raw_dir: Path, clean_dir: Path, run_id: int | None = None,
            extract_many: Callable[[list[RawDoc]], Iterable[Payload]] = _extract_sequentially,
            manifest: Manifest | None = None, on_recorded: OnRecorded = _log_recorded) -> ProcessReport:
    """Extract what is pending (``extract_many`` may run it in parallel, yielding payloads as they
    finish), record each at once (``on_recorded`` is told), then merge."""
    own = manifest is None
    manifest = manifest or Manifest(Path(raw_dir))
    try:
        wanted = manifest.current_documents()
        todo = pending(manifest, clean_dir, wanted)
        report = ProcessReport(run_id, n_wanted=len(wanted))
        log.info("process: %d documents wanted, %d to extract (extractor %s)", len(wanted), len(todo),
                 extractor_version())
        started = time.perf_counter()
        _extract_and_record(todo, extract_many, manifest, clean_dir, run_id, report, on_recorded)
        merging = time.perf_counter()
        report.extract_seconds = merging - started
        report.merge = merge(clean_dir, wanted)
        # partitions recorded by an earlier run but damaged or stale by now: redo them in this run
        # (a document whose extraction failed in this run waits for the next one)
        unusable = set(report.merge.missing) - {doc_id_for(d.sha256) for d in todo}
        redo = [d for d in wanted if doc_id_for(d.sha256) in unusable]
        if redo:
            log.warning("process: %d partitions unusable at merge, extracting them again", len(redo))
            again = time.perf_counter()
            _extract_and_record(redo, extract_many, manifest, clean_dir, run_id, report, on_recorded)
            spent = time.perf_counter() - again
            report.extract_seconds += spent
            merging += spent  # merge_seconds: the two merges only
            first, second = report.merge, merge(clean_dir, wanted)
            second.added, second.removed = first.added + second.added, first.removed + second.removed
            report.merge = second
        report.merge_seconds = time.perf_counter() - merging
        log.info("process: extracted %d documents; merged files %s", len(report.processed),
                 "rewritten" if report.merge.changed else "unchanged")
        return report
    finally:
        if own:
            manifest.close()
