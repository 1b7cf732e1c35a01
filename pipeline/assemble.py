"""Assemble a dataset: find the source files, make one dataset of many documents' records, check it, save it.

The extraction itself, and which documents need it, is ``pipeline/process.py`` (for ``juesuan
extract`` and ``juesuan run`` alike); this module is what both do with the records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pipeline.checks import CheckConfig, run_checks
from pipeline.dataset import Dataset, write_dataset
from pipeline.disclosures import link_disclosures
from pipeline.document_records import DocumentRecords
from pipeline.quality import assess

SOURCE_SUFFIXES = (".pdf", ".txt")


def find_sources(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and every .pdf/.txt below a named folder, in a stable order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SOURCE_SUFFIXES))
        else:
            found.append(p)
    first: dict[Path, Path] = {}  # resolved path → the first name it was found under, in order
    for f in found:
        first.setdefault(f.resolve(), f)
    return list(first.values())


def dataset_of(results: Iterable[DocumentRecords]) -> Dataset:
    """One dataset from many results; a document extracted twice keeps its last result."""
    last = {r.doc_id: r for r in results}.values()
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
