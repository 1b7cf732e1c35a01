"""Extract many files, merge into a dataset folder, check, write: the main job without Prefect."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from pipeline.checks import CheckConfig, run_checks
from pipeline.dataset import Dataset, read_dataset, write_dataset
from pipeline.disclosures import link_disclosures
from pipeline.extract import ExtractionResult
from pipeline.limits import extract_bounded
from pipeline.quality import assess

log = logging.getLogger("juesuan.run")

SOURCE_SUFFIXES = (".pdf", ".txt")


def find_sources(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and every .pdf/.txt below a named folder, in a stable order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SOURCE_SUFFIXES))
        else:
            found.append(p)
    seen: set[Path] = set()
    return [f for f in found if not (f.resolve() in seen or seen.add(f.resolve()))]


def dataset_of(results: Iterable[ExtractionResult]) -> Dataset:
    """One dataset from many results; a document extracted twice keeps its last result."""
    last = {r.document.doc_id: r for r in results}.values()
    return Dataset(
        [r.document for r in last],
        [t for r in last for t in r.tables],
        [c for r in last for c in r.cells],
        [f for r in last for f in r.facts],
        [f for r in last for f in r.findings],
        [f for r in last for f in r.forms],
        [i for r in last for i in r.indicators],
    )


def check_dataset(ds: Dataset, config: CheckConfig | None = None) -> Dataset:
    """Link the documents of one disclosure, then replace all findings by a fresh run of the checks
    (they may span documents: across years, budget against final accounts, narrative against its tables)."""
    documents = link_disclosures(ds.documents, {c.doc_id for c in ds.cells})
    linked = replace(ds, documents=documents)
    return assess(replace(linked, findings=run_checks(linked, config)))  # + how far each document can be trusted


def save_dataset(ds: Dataset, out: Path) -> None:
    """The dataset files, then every export made from them (Excel copies, DuckDB, datapackage)."""
    from pipeline.exports import write_exports  # duckdb and pandas: only when saving, not in extraction workers

    write_dataset(ds, out)
    write_exports(ds, out)


def extract_into(
    paths: Iterable[Path],
    out: Path,
    on_progress: Callable[[Path, ExtractionResult], None] | None = None,
    merge: bool = True,
) -> Dataset:
    files = find_sources(paths)
    results = []
    for f in files:
        r = extract_bounded(f)  # own process: a hanging or memory-hungry PDF is stopped, the run goes on
        log.info("%s: %s, %d tables, %d cells, %d facts", f.name, r.document.status, len(r.tables), len(r.cells), len(r.facts))
        results.append(r)
        if on_progress:
            on_progress(f, r)
    new = dataset_of(results)
    base = read_dataset(out) if merge and out.exists() else Dataset()
    ds = check_dataset(base.add(new))
    save_dataset(ds, out)
    return ds
