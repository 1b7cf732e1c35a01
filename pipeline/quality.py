"""How far each document can be trusted without a golden file, from what was read and what held.

Run after the checks (``pipeline.assemble.check_dataset``), so a re-check recomputes it. Per document:
the tables its family always prints and which of them were located and read in full, the cells
read, the table identities that fail, and the narrative figures found again in a table.

A failing identity on a table that was not read in full (values under a header nobody could map,
rows without label, a grid that did not parse) says more about the reading than about the
document: such a table is *doubtful* — one ``table.doubtful`` warning names it, and its identity
errors become warnings worded "doubtful reading" instead of asserting a published inconsistency.
A table whose identities fail however it is read, when the other engines read other figures or
cannot read it at all (noted "readings disagree" / "no other reading" by pipeline/second_reading.py
at extraction), is doubtful the same way. A table read
in full whose identities fail keeps its errors: the document disagrees with itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from decimal import Decimal

from pipeline.checks.context import fact_amount
from pipeline.dataset import Dataset
from schemas.keys import family_of
from schemas.records import DocStatus, Document, Finding, Severity, TableRecord

IDENTITY_FAMILIES = ("table", "cross")  # rule id prefixes of the identities a table's figures must satisfy
DOUBTFUL_RULE = "table.doubtful"
DOUBTFUL_PREFIX = "doubtful reading: "
# how a reading that extraction itself doubts is marked in tables.note (pipeline/second_reading.py)
READING_DOUBTS = ("readings disagree", "no other reading")


def is_identity(f: Finding) -> bool:
    return f.rule.split(".")[0] in IDENTITY_FAMILIES and f.rule != DOUBTFUL_RULE


def _read_in_full(t: TableRecord) -> bool:
    return t.status == "ok" and not any(d in (t.note or "") for d in READING_DOUBTS)


def assess(ds: Dataset) -> Dataset:
    """The dataset with each document's quality columns filled and doubtful tables' errors reworded."""
    tables: dict[str, dict[str, TableRecord]] = defaultdict(dict)
    for t in ds.tables:
        tables[t.doc_id][t.table] = t
    failing: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in ds.findings:
        if f.severity == Severity.ERROR and is_identity(f) and f.table:
            failing[(f.doc_id, f.table)].append(f)
    doubtful = {k for k in failing if (read := tables[k[0]].get(k[1])) is not None and not _read_in_full(read)}

    findings = [f for f in ds.findings if f.rule != DOUBTFUL_RULE]
    findings = [_downgraded(f) if f.table is not None and (f.doc_id, f.table) in doubtful
                and f in failing[(f.doc_id, f.table)] else f for f in findings]
    for doc_id, key in sorted(doubtful):
        t = tables[doc_id][key]
        n = len(failing[(doc_id, key)])
        findings.append(Finding(
            doc_id=doc_id, rule=DOUBTFUL_RULE, severity=Severity.WARNING, table=key,
            page=";".join(map(str, t.pages)) or None,
            message=(f"{key}: {n} identit{'y' if n == 1 else 'ies'} fail on a table not read in full "
                     f"({t.status}: {(t.note or '').split(';')[0][:160]}); the figures are not asserted as published "
                     "inconsistencies"),
            evidence=t.note,
        ))

    cells: dict[str, set[Decimal]] = defaultdict(set)
    for c in ds.cells:
        cells[c.doc_id].add(c.value)
    facts = defaultdict(list)
    for fact in ds.facts:
        facts[fact.doc_id].append(fact)
    n_forms = Counter(f.doc_id for f in ds.forms)
    errors: dict[str, int] = defaultdict(int)
    for f in findings:
        if f.severity == Severity.ERROR and is_identity(f):
            errors[f.doc_id] += 1
    # the documents of each disclosure and type, grouped once (not searched for per document)
    disclosures: dict[tuple[str | None, str | None], list[Document]] = defaultdict(list)
    for d in ds.documents:
        disclosures[(d.disclosure_id, d.doc_type)].append(d)
    docs = [_with_quality(d, tables[d.doc_id], cells[d.doc_id], facts[d.doc_id], errors[d.doc_id],
                          sorted(k for i, k in doubtful if i == d.doc_id), n_forms[d.doc_id],
                          _disclosure_tables(d, disclosures[(d.disclosure_id, d.doc_type)], tables, doubtful))
            for d in ds.documents]
    return replace(ds, documents=docs, findings=findings)


def _disclosure_tables(d: Document, same_disclosure: list[Document], tables: dict[str, dict[str, TableRecord]],
                       doubtful: set[tuple[str, str]]) -> tuple[dict[str, TableRecord], set[str]]:
    """The tables of the document's disclosure (its own first, then those of the other documents of the same
    disclosure and type: a narrative PDF whose tables are a PDF of their own) and which of them are doubtful."""
    found: dict[str, TableRecord] = {}
    doubts: set[str] = set()
    kin = [o for o in same_disclosure if o.doc_id != d.doc_id] if d.disclosure_id else []
    for o in (d, *kin):
        for key, t in tables[o.doc_id].items():
            if key not in found or (found[key].status == "unparsed" and t.status != "unparsed"):
                found[key] = t
                doubts.discard(key)
                if (o.doc_id, key) in doubtful:
                    doubts.add(key)
    return found, doubts


def _downgraded(f: Finding) -> Finding:
    return f.model_copy(update={"severity": Severity.WARNING, "message": DOUBTFUL_PREFIX + f.message})


def _with_quality(d: Document, tables: dict[str, TableRecord], values: set[Decimal], facts: list, errors: int,
                  doubtful: list[str], forms: int = 0,
                  disclosure: tuple[dict[str, TableRecord], set[str]] | None = None) -> Document:
    family = family_of(d.doc_type)
    n_cells = sum(t.n_cells for t in tables.values())
    amounts = [a for f in facts if (a := fact_amount(f)) is not None]
    update: dict = dict(
        cells_read=n_cells, identity_errors=errors, doubtful_tables=";".join(doubtful) or None,
        narrative_figures=len(amounts), narrative_matched=sum(1 for a in amounts if a in values),
        tables_fully_read=sum(1 for t in tables.values() if _read_in_full(t)),
    )
    if d.performance_only:  # none of the family's tables expected: read in full when its forms were
        update |= dict(tables_expected=None, tables_found=None, tables_missing=None,
                       fully_read=d.status == DocStatus.OK and forms > 0)
    elif family is not None and family.expected:
        located, doubts = disclosure if disclosure is not None else (tables, set(doubtful))
        found = [k for k in family.expected if k in located and located[k].status != "unparsed"]
        missing = [k for k in family.expected if k not in found]
        update |= dict(
            tables_expected=len(family.expected), tables_found=len(found), tables_missing=";".join(missing) or None,
            fully_read=not missing and not doubts and all(_read_in_full(located[k]) for k in found),
        )
    else:
        update |= dict(tables_expected=None, tables_found=None, tables_missing=None, fully_read=False)
    return d.model_copy(update=update)
