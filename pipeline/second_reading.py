"""A table whose own identities fail is read a second time, by another engine or strategy.

A failing identity is either the document's (it prints figures that do not add up) or the reading's
(a cell assigned to the wrong column, a digit lost to a broken grid). Reading the table's pages again
with each other strategy (pdfplumber's ruled grid only, camelot's lattice, whitespace columns) tells
them apart:

- a reading whose identities hold, read in full with at least as many distinct cells (side, code, row,
  column: a reading that lost its row labels holds vacuously), replaces the first; its engine is
  recorded with ``SECOND_READING`` and the note says which reading failed and how;
- when every other reading that covers the table (read in full, as many cells) gives other values
  for some of the same cells and fails too, the first reading stays, noted ``readings disagree``
  (``pipeline.quality.READING_DOUBTS``): the table is doubtful, its errors are not asserted as
  published inconsistencies;
- when no other reading covers the table (a whitespace-aligned table camelot cannot read, a page
  camelot cannot open) nothing confirms the figures either: noted ``no other reading``, doubtful too;
- when another engine reads the same figures the errors stay: the document prints them. (Engines share
  the header and row mapping: a column mapped wrong is read wrong by all of them alike.)

Only tables whose identities fail are read again, so a consistent document costs nothing more. The
identities are the checks' own ``table.*`` rules run on the one table (no second copy of the arithmetic).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pdfplumber

from extractors.pages import iter_pages
from extractors.tables import STRATEGIES, TableExtraction, TableReader
from pipeline.checks.context import DocContext
from pipeline.checks.registry import RULES
from pipeline.quality import READING_DOUBTS
from schemas.records import Document, Finding, Severity, TableCell, TableRecord, TextSource

log = logging.getLogger("juesuan.extract")

SECOND_READING = " (second reading)"  # appended to the engine of a table kept from its second reading
DISAGREE, UNCONFIRMED = READING_DOUBTS  # the notes that make pipeline.quality call the table doubtful
IDENTITY_FAMILY = "table"  # the rules (registry family) that are a table's own identities
MAX_SHOWN = 3  # cells named in a note

_Key = tuple[str | None, str | None, str | None, str | None]


def identity_failures(doc: Document, table: TableRecord, cells: list[TableCell]) -> list[Finding]:
    """The error-level findings of the table identity rules on this one table's cells."""
    ctx = DocContext(doc, {table.table: table}, {table.table: cells}, [])
    found: list[Finding] = []
    for r in RULES.values():
        if r.family != IDENTITY_FAMILY or r.scope != "document":
            continue
        try:
            found.extend(f for f in r.check(ctx) if f.severity == Severity.ERROR and f.table == table.table)
        except Exception:  # a rule bug must not stop extraction; the checks will log it again
            log.exception("identity %s failed on %s", r.id, table.table)
    return found


def read_again(path: Path, doc: Document, tables: TableExtraction, family: str) -> TableExtraction:
    """``tables`` with each table whose identities fail read again (see the module doc)."""
    cells_of: dict[str, list[TableCell]] = {}
    for c in tables.cells:
        cells_of.setdefault(c.table, []).append(c)
    failing = {t.table: f for t in tables.tables
               if t.n_cells and not _scanned(cells_of.get(t.table, []))
               and (f := identity_failures(doc, t, cells_of.get(t.table, [])))}
    if not failing:
        return tables
    records, cells = list(tables.tables), dict(cells_of)
    for i, first in enumerate(records):
        if first.table not in failing:
            continue
        try:
            records[i], cells[first.table] = _second_reading(path, doc, first, cells_of[first.table],
                                                             failing[first.table], family)
        except Exception as e:  # a second opinion that breaks leaves the first reading as it was
            log.exception("%s: second reading of %s failed", doc.file_name, first.table)
            tables.problems.append(f"{first.table}: second reading failed ({type(e).__name__}: {e})"[:300])
    order = {t.table: k for k, t in enumerate(records)}
    return TableExtraction(
        tables=records, cells=[c for key in sorted(cells, key=lambda k: order.get(k, len(order))) for c in cells[key]],
        table_pages=tables.table_pages, problems=tables.problems, page_heads=tables.page_heads, texts=tables.texts,
    )


def _scanned(cells: list[TableCell]) -> bool:
    """Cells read by OCR: a second reading would mean a second OCR pass (table.ocr_misread covers them)."""
    return any(c.source == TextSource.OCR for c in cells)


def _second_reading(path: Path, doc: Document, first: TableRecord, first_cells: list[TableCell],
                    failures: list[Finding], family: str) -> tuple[TableRecord, list[TableCell]]:
    values = _values(first_cells)
    disagree: list[str] = []
    confirmed: list[str] = []
    for strategy, engine in STRATEGIES.items():
        if first.engine == engine:
            continue  # the first reading was this strategy's alone
        found = _read(path, doc.doc_id, first, family, strategy)
        if found is None:
            continue
        record, cells = found
        if record.engine == first.engine and _values(cells) == values:
            continue  # the same reading again
        others = _values(cells)
        shared = values.keys() & others.keys()
        differ = sorted((k for k in shared if values[k] != others[k]), key=str)
        fails = identity_failures(doc, record, cells)
        covers = record.status == "ok" and len(others) >= len(values)  # as many distinct cells, read in full
        if not fails and covers:
            note = (f"second reading: {_identities(failures)} failed as read by "
                    f"{first.engine} ({failures[0].message[:120]}); the {record.engine} reading holds"
                    + (f", {len(differ)} cell(s) differ: {_shown(differ, values, others)}" if differ else ""))
            log.info("%s: %s", doc.file_name, note)
            return record.model_copy(update={
                "engine": f"{record.engine}{SECOND_READING}", "note": "; ".join(x for x in (record.note, note) if x),
            }), cells
        if not covers:
            continue  # a reading that covers less of the table is no witness either way
        if differ:
            disagree.append(f"{record.engine}: {_shown(differ, values, others)}")
        elif shared:
            confirmed.append(record.engine or strategy)
    if disagree and not confirmed:
        note = (f"{DISAGREE}: {_identities(failures)} fail as read by "
                f"{first.engine} and no other reading holds; other values read by " + "; ".join(disagree))
    elif confirmed:
        note = f"second reading by {', '.join(dict.fromkeys(confirmed))} reads the same figures"
    else:
        note = (f"{UNCONFIRMED}: {_identities(failures)} fail as read by "
                f"{first.engine} and no other engine reads the table in full")
    return first.model_copy(update={"note": "; ".join(x for x in (first.note, note) if x)}), first_cells


def _read(path: Path, doc_id: str, first: TableRecord, family: str, strategy: str
          ) -> tuple[TableRecord, list[TableCell]] | None:
    """The table as one strategy reads its pages, or None when that strategy reads nothing there."""
    reader = TableReader(doc_id, strategy=strategy)
    with pdfplumber.open(path) as pdf:
        for page_no, page in iter_pages(pdf, only=set(first.pages)):
            reader.feed(page_no, page)
    result = reader.finish(family)
    record = next((t for t in result.tables if t.table == first.table), None)
    if record is None or not record.n_cells:
        return None
    return record, [c for c in result.cells if c.table == first.table]


def _identities(failures: list[Finding]) -> str:
    return f"{len(failures)} identit{'y' if len(failures) == 1 else 'ies'}"


def _values(cells: list[TableCell]) -> dict[_Key, Decimal]:
    return {(c.side, c.code, c.row, c.col): c.value for c in cells}


def _shown(keys: list[_Key], first: dict[_Key, Decimal], other: dict[_Key, Decimal]) -> str:
    parts = [f"{' '.join(x for x in (k[1], k[2]) if x)} [{k[3]}] {first[k]} → {other[k]}" for k in keys[:MAX_SHOWN]]
    return ", ".join(parts) + (f" (+{len(keys) - MAX_SHOWN} more)" if len(keys) > MAX_SHOWN else "")
