"""Prefect flows: scrape the portals, process what is new, report. Only wiring; the work is in pipeline/
(the stages: scrape.py, process.py; the run's server and settings: prefect_server.py; its report:
run_report.py). The command line comes in through ``start``; nothing in pipeline/ imports this module
but that one call in ``juesuan run``.

    python flows.py                      # scrape + process once (same as `juesuan run`)
    python flows.py --workers 2          # extraction in 2 worker processes
    python flows.py --dask-address tcp://10.0.0.5:8786   # on an existing Dask cluster
    python flows.py --serve --cron "30 2 * * *"          # nightly (needs `prefect server start`)

See docs/scraping.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# no telemetry from the local Prefect server: these machines have no route out, and its failed
# attempts fill the nightly log with tracebacks (set the variable to "true" to opt in)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext, TaskRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

import pipeline
from pipeline import process as proc
from pipeline import scrape as scr
from pipeline.document_records import DocumentRecords
from pipeline.limits import start_worker as start_extraction_worker
from pipeline.lock import run_lock
from pipeline.manifest import FetchOutcome, FetchStatus, Manifest, RawDoc
from pipeline.prefect_server import flush_events, on_this_machine, run_settings
from pipeline.run_report import RunSummary, report_markdown, summary

CACHE_DIR = "_cache"  # Prefect task results, under <clean>/_parts/
DEFAULT_REMOTE_WORKERS = 4  # batch sizing on a Dask cluster, whose size the flow does not know


def _cache_key(sha256: str, version: str) -> str:
    """Same bytes + same extractor version (+ same extractor function) → the cached payload."""
    fn = proc.extract_bounded
    name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__name__)}"
    return f"extract-{sha256}-{version}-{name}"


def _extract_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    return _cache_key(parameters["sha256"], pipeline.EXTRACTOR_VERSION)


def _document_run_name(parameters: dict[str, Any]) -> str:
    """Which document, for a reader of the Prefect UI: hash prefix and the file's name."""
    return f"extract-{parameters['sha256'][:12]}-{Path(parameters['path']).name}"


def prune_result_cache(cache: Path, version: str) -> int:
    """Remove cached extractions by other extractor versions: this version never asks for them, and
    each version bump would otherwise leave a copy of every document's records behind."""
    ours = re.compile(r"extract-[0-9a-f]{64}-")
    before, after = _cache_key("\0", version).split("\0")
    current = re.compile(re.escape(before) + "[0-9a-f]{64}" + re.escape(after) + "$")
    n = 0
    for f in cache.glob("extract-*"):
        if ours.match(f.name) and not current.match(f.name):
            f.unlink(missing_ok=True)
            n += 1
    return n


# task_run_name: Prefect's protocol for a callback taking the parameters carries a classmethod no function
# has, so mypy matches no function to it (prefect/tasks.py TaskRunNameCallbackWithParameters)
@task(name="extract-document", task_run_name=_document_run_name,  # type: ignore[arg-type]
      cache_key_fn=_extract_cache_key,
      persist_result=True, result_serializer="json")
def extract_task(sha256: str, path: str, source_url: str | None) -> dict:
    """One document's records in their JSON form (``DocumentRecords.to_json``): the cached result."""
    return proc.extract_records(sha256, path, source_url).to_json()


def _batch_run_name(parameters: dict[str, Any]) -> str:
    return f"extract-{len(parameters['documents'])}-documents"


@task(name="extract-batch", task_run_name=_batch_run_name, cache_policy=NO_CACHE)  # type: ignore[arg-type]  # as above
def extract_batch_task(documents: list[tuple[str, str, str | None]], cache_dir: str) -> list[dict]:
    """Several documents in one task on a worker process. Each still runs as ``extract_task`` (cached
    per document), but the cost of starting a task in another process (Prefect rebuilds its settings
    there, about 0.5 s) is paid once per batch instead of once per document."""
    logger = get_run_logger()
    extract = extract_task.with_options(result_storage=Path(cache_dir))
    payloads = []
    for sha256, path, source_url in documents:
        try:
            payloads.append(extract(sha256, path, source_url))
        except Exception as e:  # e.g. the result store is unwritable: this document waits for the next run
            logger.error("extraction of %s failed, document left for the next run: %s", path, e)
    return payloads


@task(name="scrape-source", task_run_name="scrape-{source.name}")
def scrape_source_task(source: scr.Source, raw_dir: Path, run_id: int) -> scr.ScrapeReport:
    logger = get_run_logger()
    found = [0]
    done = [0]

    def on_found(name: str, n: int) -> None:
        found[0] = n
        logger.info("%s: %d document links found", name, n)

    def on_stored(o: FetchOutcome) -> None:  # progress of a long, polite download in the run log
        done[0] += 1
        logger.info("%s: %d/%d %s %s", source.name, done[0], found[0], o.status, o.url)

    with Manifest(raw_dir) as m:
        return scr.scrape_source(source, raw_dir, m, run_id,
                                 progress=scr.ScrapeProgress(found=on_found, stored=on_stored))


def _scrape(root: Path, sources: list[scr.Source]) -> scr.ScrapeReport:
    """Every source in turn (each with its own politeness limits), then files dropped into data/raw."""
    logger = get_run_logger()
    raw = root / "raw"
    scr.clear_partial_downloads(raw)
    with Manifest(raw) as m:
        run_id = m.start_run("scrape")
        total = scr.ScrapeReport(run_id)
        for s in sources:
            r = scrape_source_task(s, raw, run_id)
            total.add(r)
            logger.info("%s: %d pages (%d not modified), %s", s.name, r.n_pages, r.n_pages_not_modified,
                        r.counts() or "no documents found")
        for o in scr.scan_local(raw, m, run_id):
            total.outcomes.append((FetchStatus.LOCAL, o))
        m.finish_run(run_id)
    logger.info("scrape: %d pages (%d not modified), %d documents downloaded, statuses %s", total.n_pages,
                total.n_pages_not_modified, len(total.downloaded()), total.counts())
    if failure := total.failure():
        logger.error("scrape failed: %s", failure)
    return total


def _process(root: Path, scan_local: bool = False) -> proc.ProcessReport:
    """Extract (as tasks on the flow's task runner) what this extractor version has not seen; merge.
    ``scan_local``: first register files put into data/raw by hand (a run that scrapes has done so)."""
    logger = get_run_logger()
    raw, clean = root / "raw", root / "clean"
    cache = clean / proc.PARTS / CACHE_DIR
    runner = FlowRunContext.get().task_runner  # type: ignore[union-attr]

    def extract_many(docs: list[RawDoc]) -> Iterator[DocumentRecords]:
        futures: list[PrefectFuture[Any]]  # one document's records per task, or a batch's list of them
        if isinstance(runner, ThreadPoolTaskRunner):  # in-process: a task per document costs little
            extract = extract_task.with_options(result_storage=cache)
            futures = [extract.submit(d.sha256, str(d.path), d.source_url) for d in docs]
        else:  # worker processes or a Dask cluster: a few documents per task
            workers = getattr(runner, "_max_workers", None) or DEFAULT_REMOTE_WORKERS
            futures = [extract_batch_task.submit([(d.sha256, str(d.path), d.source_url) for d in batch], str(cache))
                       for batch in proc.batches(docs, workers)]
        for fut in as_completed(futures):
            try:
                result = fut.result()
            except Exception as e:  # a crashed worker: its documents stay pending for the next run
                logger.error("extraction task failed, its documents are left for the next run: %s", e)
                continue
            for data in result if isinstance(result, list) else [result]:
                try:
                    yield DocumentRecords.from_json(data)
                except ValueError as e:  # e.g. a damaged cached result: the document waits for the next run
                    logger.error("extraction task returned no readable records, left for the next run: %s", e)

    def on_recorded(s: proc.Processed, done: int, total: int) -> None:  # progress in the flow-run log
        logger.info("%s", proc.progress_line(s, done, total))

    with Manifest(raw) as m:
        run_id = m.start_run("process")
        if scan_local:
            found = scr.scan_local(raw, m, run_id)
            logger.info("files put into %s by hand: %d new or changed", raw, len(found))
        report = proc.process(raw, clean, run_id, extract_many, m, on_recorded)
        m.finish_run(run_id)
    if pruned := prune_result_cache(cache, pipeline.EXTRACTOR_VERSION):
        logger.info("removed %d cached extractions of other extractor versions", pruned)
    merged = report.merge
    logger.info("process: %d wanted, %d extracted, merged files %s (extraction %.1f s, merge %.1f s)",
                report.n_wanted, len(report.processed), "rewritten" if merged and merged.changed else "unchanged",
                report.extract_seconds, report.merge_seconds)
    return report


@flow(name="juesuan-process")
def process_flow(data: str = "data") -> RunSummary:
    """Only process what is in data/raw: run with .with_options(task_runner=task_runner(...))."""
    root = Path(data).resolve()
    with run_lock(root / "raw"):
        p = _process(root, scan_local=True)
    create_markdown_artifact(markdown=report_markdown(None, p), key="juesuan-process",
                             description="juesuan: documents extracted, statuses, errors")
    return summary(None, p)


def task_runner(workers: int = 1, dask_address: str | None = None) -> Any:
    """--dask-address → the existing cluster; --workers N>1 → N processes; else in-process."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    if workers > 1:
        return process_pool(workers)
    return ThreadPoolTaskRunner(max_workers=1)


def process_pool(workers: int) -> ProcessPoolTaskRunner:
    """``workers`` processes, each starting its bounded extraction process at once, not at its first task."""
    return ProcessPoolTaskRunner(max_workers=workers, initializer=start_extraction_worker)


@flow(name="juesuan-run")
def run_flow(data: str = "data", sources: str | None = None, only: list[str] | None = None,
             listing: str | None = None, pattern: str | None = None, delay: float | None = None,
             scrape: bool = True) -> RunSummary:
    """Scrape + process once and leave a report artifact. The task runner (workers, Dask) is
    chosen by the caller: ``run(...)`` below, the CLI, or ``serve``."""
    root = Path(data).resolve()
    with run_lock(root / "raw"):
        s = _scrape(root, scr.select_sources(sources, only, listing, pattern, delay)) if scrape else None
        p = _process(root, scan_local=not scrape)
    create_markdown_artifact(markdown=report_markdown(s, p), key="juesuan-run",
                             description="juesuan: new documents, statuses, error findings")
    return summary(s, p)


def run(workers: int = 1, dask_address: str | None = None, **parameters: Any) -> RunSummary:
    """Run once with extraction on ``workers`` processes or the Dask cluster at ``dask_address``."""
    with run_settings(share_temporary_server=dask_address is None or on_this_machine(dask_address)):
        try:
            return run_flow.with_options(task_runner=task_runner(workers, dask_address))(**parameters)
        finally:
            flush_events()


@flow(name="juesuan-nightly")
def nightly_flow(data: str = "data", sources: str | None = None, only: list[str] | None = None,
                 listing: str | None = None, pattern: str | None = None, delay: float | None = None,
                 scrape: bool = True, workers: int = 1, dask_address: str | None = None) -> RunSummary:
    """What the schedule runs: the task runner is chosen from parameters at run time (a served
    deployment re-imports the flow, so options set in the serving process would be lost). A scrape
    that reached no source, or whose every download failed, fails this flow run (monitoring sees it)."""
    result = run(workers=workers, dask_address=dask_address, data=data, sources=sources, only=only,
                 listing=listing, pattern=pattern, delay=delay, scrape=scrape)
    if result.scrape_failure:
        raise ScrapeFailed(result.scrape_failure)
    return result


class ScrapeFailed(RuntimeError):
    """The nightly scrape reached nothing: the flow run ends Failed instead of Completed."""


def serve(cron: str, **parameters: Any) -> None:
    """Register the nightly deployment and run it on schedule (blocks; needs a Prefect server)."""
    nightly_flow.serve(name="juesuan-nightly", cron=cron, parameters=parameters)


def start(cron: str | None = None, workers: int = 1, dask_address: str | None = None,
          **parameters: Any) -> RunSummary | None:
    """The command line's one way in (``juesuan run``): serve nightly on ``cron`` (blocks), else run once."""
    if cron:
        serve(cron, workers=workers, dask_address=dask_address, **parameters)
        return None
    return run(workers=workers, dask_address=dask_address, **parameters)


if __name__ == "__main__":
    # run the CLI with this file imported as the module `flows`, so worker processes can import the tasks
    from pipeline.cli_flows import run_main

    run_main()
