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

The same partitions and merge serve both ways in: ``juesuan run`` (``process``: the documents of
the raw store's manifest, extracted as Prefect tasks by ``flows.py``) and ``juesuan extract``
(``process_files``: files named on the command line, no manifest, no Prefect; sequentially or on
N worker processes). Their documents share the folder: a run keeps the ones ``extract`` added
(their ``_state.json`` entries name a file instead of a URL) and ``extract`` keeps every other one.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import pipeline
from extractors.source import doc_id_for, sha256_of
from pipeline.assemble import check_dataset, find_sources, save_dataset
from pipeline.dataset import WRITE_ORDER, Dataset, atomic_write_bytes, read_dataset
from pipeline.document_records import DocumentRecords
from pipeline.extract import failed_result
from pipeline.file_names import file_name_for
from pipeline.limits import default_timeout, extract_bounded, start_worker
from pipeline.manifest import Manifest, RawDoc
from schemas.records import DocStatus, Finding

log = logging.getLogger("juesuan.process")

PARTS = "_parts"
STATE = "_state.json"
UNREADABLE_SHA = "0" * 64  # the content hash of a file that could not be read (see extract_document)


def extractor_version() -> str:
    """Read at call time, so a version bump (or a test) takes effect without re-import."""
    return pipeline.EXTRACTOR_VERSION


def parts_dir(clean_dir: Path) -> Path:
    return Path(clean_dir) / PARTS


def partition_path(clean_dir: Path, doc_id: str) -> Path:
    return parts_dir(clean_dir) / f"{doc_id}.json"


# --- one document ------------------------------------------------------------------------

def extract_records(sha256: str, path: str, source_url: str | None) -> DocumentRecords:
    """Extract one document, bounded (a hanging or memory-eating PDF fails alone), its records
    stamped with this extractor version (a Prefect task returns them as ``to_json()``)."""
    p = Path(path)
    records = extract_bounded(p, source_url)
    if records.sha256 != sha256:
        actual = sha256_of(p) if p.exists() else "missing"
        records = failed_result(p, sha256, DocStatus.FAILED,
                                f"stored file does not match its hash (now {actual[:16]}): raw store damaged",
                                source_url)
    records.extractor_version = extractor_version()
    return records


def write_partition(clean_dir: Path, records: DocumentRecords) -> Path:
    path = partition_path(clean_dir, records.doc_id)
    atomic_write_bytes(path, json.dumps(records.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return path


def read_partition(path: Path) -> DocumentRecords | None:
    """A partition, or None if missing or unreadable (then the document is extracted again)."""
    try:
        return DocumentRecords.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


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


def summary_of(records: DocumentRecords) -> Processed:
    d = records.document
    return Processed(d.doc_id, d.sha256, d.file_name, d.source_url, d.status, d.error, d.department, d.fiscal_year,
                     len(records.tables), len(records.cells), len(records.facts))


def record_in_manifest(manifest: Manifest, clean_dir: Path, records: DocumentRecords, run_id: int | None) -> Processed:
    """Partition first, then the manifest row: a kill in between only costs a re-extraction."""
    write_partition(clean_dir, records)
    s = summary_of(records)
    manifest.mark_processed(records.sha256, records.extractor_version, s.doc_id, s.status, s.error, run_id)
    return s


def record_partition(clean_dir: Path, records: DocumentRecords) -> Processed:
    """``juesuan extract``: no manifest; the partition (with its extractor version) is the note that it is done."""
    write_partition(clean_dir, records)
    return summary_of(records)


def pending_files(clean_dir: Path, docs: Iterable[RawDoc]) -> list[RawDoc]:
    """Files without a current partition: same content, same extractor version, same file name
    (the name is read for metadata a document does not print). The merged files' ``_state.json``
    says so without reading the partition; else (an extraction killed before its merge) the
    partition itself does. A file that could not be read is always tried again."""
    state = _read_state(clean_dir) or {}
    version = extractor_version()

    def current(d: RawDoc) -> bool:
        path = partition_path(clean_dir, doc_id_for(d.sha256))
        if d.sha256 == UNREADABLE_SHA or not path.exists():
            return False
        entry = _file_entry(d, version)
        return state.get(doc_id_for(d.sha256)) == entry or _partition_is(path, d.sha256, version, entry["file_name"])

    return [d for d in docs if not current(d)]


def _partition_is(path: Path, sha256: str, version: str, file_name: str) -> bool:
    """Whether a partition holds this content read by this extractor version from a file of this name."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        doc = data["records"]["documents"][0]
        return (data.get("sha256"), data.get("extractor_version"), doc.get("file_name")) == (sha256, version, file_name)
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return False


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


class Keep(StrEnum):
    """Which documents already in the merged files a merge keeps besides the wanted ones."""

    EXTRACTED = "extracted"  # `juesuan run`: the wanted ones are the raw store's; keep what `extract` added
    ALL = "all"  # `juesuan extract`: add the named files, keep every other document
    NONE = "none"  # `juesuan extract --fresh`: the named files only


def _run_entry(w: RawDoc, version: str) -> dict:
    entry: dict = {"version": version, "source_url": w.source_url}
    if w.disclosure_id:  # an article page and its attachments (see Manifest.current_documents)
        entry["disclosure_id"] = w.disclosure_id
    return entry


def _file_entry(w: RawDoc, version: str) -> dict:
    return {"version": version, "file_name": Path(w.path).name}


def _is_file_entry(entry: dict) -> bool:
    return "file_name" in entry


def _stated(ds: Dataset, entry: dict) -> Dataset:
    """A partition's document as its state entry says: the URL it was found at, or the file it was read from."""
    if _is_file_entry(entry):
        update = {"source_url": None, "file_name": entry["file_name"]}
        ds.documents = [d.model_copy(update=update) for d in ds.documents]
        return ds
    url = entry["source_url"]
    linked = {"disclosure_id": entry["disclosure_id"]} if entry.get("disclosure_id") else {}
    ds.documents = [d.model_copy(update={"source_url": url, "file_name": file_name_for(url, d.file_name), **linked})
                    for d in ds.documents]
    return ds


def merge(clean_dir: Path, wanted: Iterable[RawDoc], keep: Keep = Keep.EXTRACTED) -> MergeReport:
    """Bring the merged CSV/Parquet files in line with the wanted partitions (see module doc)."""
    clean_dir = Path(clean_dir)
    version = extractor_version()
    for stale in clean_dir.glob(".*.tmp"):  # left by a killed writer
        stale.unlink(missing_ok=True)
    for stale in parts_dir(clean_dir).glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    make_entry = _run_entry if keep == Keep.EXTRACTED else _file_entry
    wanted_ids = {doc_id_for(w.sha256): make_entry(w, version) for w in wanted}
    state = _read_state(clean_dir)
    kept = {Keep.EXTRACTED: {i: e for i, e in (state or {}).items() if _is_file_entry(e)},
            Keep.ALL: state or {}, Keep.NONE: {}}[keep]
    target = {**kept, **wanted_ids}
    have_files = (clean_dir / "documents.csv").exists()
    if state == target and have_files and keep != Keep.NONE:
        return MergeReport(changed=False)
    base = read_dataset(clean_dir) if have_files and keep != Keep.NONE else Dataset()
    if state is None or not have_files or keep == Keep.NONE:
        managed = {p.stem for p in parts_dir(clean_dir).glob("*.json") if not p.name.startswith("_")}
        if keep == Keep.ALL:  # without a state, every other document in the files is one to keep
            managed = set()
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
        if part is None or part.extractor_version != version:
            missing.append(did)
            log.warning("%s: no current partition; left out until it is extracted", did)
            continue
        ds = _stated(part.dataset(), target[did])
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

    def dataset(self, clean_dir: Path) -> Dataset:
        """The merged dataset: as this run wrote it, or as the folder holds it when nothing changed."""
        return self.merge.dataset if self.merge and self.merge.dataset else read_dataset(clean_dir)

    def new_error_findings(self) -> list[Finding]:
        ids = {p.doc_id for p in self.processed}
        ds = self.merge.dataset if self.merge else None
        return [f for f in (ds.findings if ds else []) if f.doc_id in ids and f.severity == "error"]


BATCH_SHARE = 2  # a batch takes about 1/(BATCH_SHARE x workers) of the documents still to send
MAX_BATCH = 8


def largest_first(docs: list[RawDoc]) -> list[RawDoc]:
    """Longest work first (file size stands for it): the order that leaves no worker idle at the end."""
    def size(d: RawDoc) -> int:
        try:
            return Path(d.path).stat().st_size
        except OSError:
            return 0

    return sorted(docs, key=size, reverse=True)


def batches(docs: list[RawDoc], workers: int) -> list[list[RawDoc]]:
    """Documents grouped for ``workers`` worker processes, largest files first, in batches that
    shrink as the run goes on ("guided" scheduling: about 1/(2 x workers) of the documents still to
    send, at most ``MAX_BATCH``): the early, large batches share a task's fixed
    cost (about 0.5 s to start a task in a worker process), and the last ones hold one small file
    each, so no worker is left idle while another works through a long final batch."""
    ordered = largest_first(docs)
    share = max(1, workers) * BATCH_SHARE
    out: list[list[RawDoc]] = []
    i = 0
    while i < len(ordered):
        per = max(1, min(MAX_BATCH, -(-(len(ordered) - i) // share)))
        out.append(ordered[i:i + per])
        i += per
    return out


ExtractMany = Callable[[list[RawDoc]], Iterable[DocumentRecords]]  # documents in, their records as each is done


def extract_sequentially(docs: list[RawDoc]) -> Iterator[DocumentRecords]:
    for d in docs:
        yield extract_records(d.sha256, str(d.path), d.source_url)


def extract_in_parallel(workers: int) -> ExtractMany:
    """``workers`` documents at a time, each in a bounded worker process of its own (``pipeline.limits``:
    a thread here only waits for its worker's answer), largest files first so that no worker is left
    with a long file at the end. In-process extraction (``JUESUAN_DOC_TIMEOUT=0``) stays sequential."""
    if workers <= 1 or default_timeout() <= 0:
        return extract_sequentially

    def extract_many(docs: list[RawDoc]) -> Iterator[DocumentRecords]:
        if not docs:
            return
        start_worker(count=min(workers, len(docs)))  # their imports overlap
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="extract")
        try:
            futures = {pool.submit(extract_records, d.sha256, str(d.path), d.source_url): d for d in largest_first(docs)}
            for fut in as_completed(futures):
                try:
                    yield fut.result()
                except Exception as e:  # a bug outside the document's own extraction: it waits for the next run
                    log.error("extraction of %s failed, document left for the next run: %s", futures[fut].path, e)
        finally:  # stopped early (Ctrl-C): the documents not started are not extracted
            pool.shutdown(wait=True, cancel_futures=True)

    return extract_many


def progress_line(s: Processed, done: int, total: int) -> str:
    """One recorded document, for the log: ``12/50 extracted <file>: ok, 9 tables, 317 cells, 80 facts``."""
    return (f"{done}/{total} extracted {s.file_name}: {s.status}, {s.n_tables} tables, {s.n_cells} cells, "
            f"{s.n_facts} facts" + (f" ({s.error})" if s.error else ""))


OnRecorded = Callable[[Processed, int, int], None]  # (document, how many recorded so far, of how many)


def _log_recorded(s: Processed, done: int, total: int) -> None:
    log.info("%s", progress_line(s, done, total))


def _extract_and_record(docs: list[RawDoc], extract_many: ExtractMany, record: Callable[[DocumentRecords], Processed],
                        report: ProcessReport, on_recorded: OnRecorded) -> None:
    done = 0
    for records in extract_many(docs):
        if records.extractor_version != extractor_version():  # e.g. a Dask worker with another install
            log.error("%s: extracted by extractor %s, this run is %s; not recorded (is another juesuan version "
                      "installed on the workers?)", records.doc_id, records.extractor_version, extractor_version())
            continue
        s = record(records)
        report.processed.append(s)
        done += 1
        on_recorded(s, done, len(docs))


def _extract_and_merge(report: ProcessReport, wanted: list[RawDoc], todo: list[RawDoc], extract_many: ExtractMany,
                       record: Callable[[DocumentRecords], Processed], merge_wanted: Callable[[], MergeReport],
                       on_recorded: OnRecorded) -> ProcessReport:
    """Extract ``todo``, recording each document at once (``on_recorded`` is told), then merge all ``wanted``."""
    log.info("process: %d documents wanted, %d to extract (extractor %s)", len(wanted), len(todo), extractor_version())
    started = time.perf_counter()
    _extract_and_record(todo, extract_many, record, report, on_recorded)
    merging = time.perf_counter()
    report.extract_seconds = merging - started
    report.merge = merge_wanted()
    # partitions recorded by an earlier run but damaged or stale by now: redo them in this run
    # (a document whose extraction failed in this run waits for the next one)
    unusable = set(report.merge.missing) - {doc_id_for(d.sha256) for d in todo}
    redo = [d for d in wanted if doc_id_for(d.sha256) in unusable]
    if redo:
        log.warning("process: %d partitions unusable at merge, extracting them again", len(redo))
        again = time.perf_counter()
        _extract_and_record(redo, extract_many, record, report, on_recorded)
        spent = time.perf_counter() - again
        report.extract_seconds += spent
        merging += spent  # merge_seconds: the two merges only
        first, second = report.merge, merge_wanted()
        second.added, second.removed = first.added + second.added, first.removed + second.removed
        report.merge = second
    report.merge_seconds = time.perf_counter() - merging
    log.info("process: extracted %d documents; merged files %s", len(report.processed),
             "rewritten" if report.merge.changed else "unchanged")
    return report


def process(raw_dir: Path, clean_dir: Path, run_id: int | None = None,
            extract_many: ExtractMany = extract_sequentially,
            manifest: Manifest | None = None, on_recorded: OnRecorded = _log_recorded) -> ProcessReport:
    """``juesuan run``: the raw store's documents not yet extracted by this extractor version
    (``extract_many`` may run them in parallel, yielding records as they finish), then the merge."""
    own = manifest is None
    manifest = manifest or Manifest(Path(raw_dir))
    try:
        wanted = manifest.current_documents()
        todo = pending(manifest, clean_dir, wanted)
        report = ProcessReport(run_id, n_wanted=len(wanted))

        def record(records: DocumentRecords) -> Processed:
            return record_in_manifest(manifest, clean_dir, records, run_id)

        return _extract_and_merge(report, wanted, todo, extract_many, record,
                                  lambda: merge(clean_dir, wanted, Keep.EXTRACTED), on_recorded)
    finally:
        if own:
            manifest.close()


def file_documents(paths: Iterable[Path]) -> list[RawDoc]:
    """The source files below ``paths`` as documents, one per content (the last file of the same bytes
    names it, as when each was extracted in turn); a file that cannot be read keeps its place, to fail alone."""
    docs: dict[str, RawDoc] = {}
    for f in find_sources(paths):
        try:
            sha = sha256_of(f)
        except OSError:
            sha = UNREADABLE_SHA
        docs.pop(doc_id_for(sha), None)
        docs[doc_id_for(sha)] = RawDoc(sha, f, None)
    return list(docs.values())


def process_files(paths: Iterable[Path], clean_dir: Path, workers: int = 1, fresh: bool = False,
                  force: bool = False, on_recorded: OnRecorded = _log_recorded) -> ProcessReport:
    """``juesuan extract``: the files below ``paths`` into the dataset folder ``clean_dir``, through the
    same partitions and merge as a run. Only files without a current partition are extracted
    (``force``: all of them); ``fresh``: the dataset holds these files only, else every other
    document in the folder stays."""
    wanted = file_documents(paths)
    todo = wanted if force else pending_files(clean_dir, wanted)
    report = ProcessReport(None, n_wanted=len(wanted))
    keep = Keep.NONE if fresh else Keep.ALL
    return _extract_and_merge(report, wanted, todo, extract_in_parallel(workers),
                              lambda records: record_partition(clean_dir, records),
                              lambda: merge(clean_dir, wanted, keep), on_recorded)
