"""One document's records, indexed for the rules: cells by table/row/column, facts by metric."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.numbers import UNIT_SHIFT
from extractors.textforms import label_key
from pipeline.checks.config import DEFAULT_CONFIG, CheckConfig
from pipeline.dataset import Dataset
from schemas.keys import family_of
from schemas.records import Document, NarrativeFact, PerformanceForm, PerformanceIndicator, TableCell, TableRecord


def names_match(a: str | None, b: str | None) -> bool:
    """Same 科目 name, allowing the common 支出 suffix to be dropped ("一般公共服务" ~ "一般公共服务支出")."""
    x, y = label_key(a), label_key(b)
    if not x or not y:
        return False
    if x == y:
        return True
    strip = lambda s: s[:-2] if s.endswith("支出") and len(s) > 3 else s  # noqa: E731
    return strip(x) == strip(y)


def digits(code: str | None) -> str:
    return re.sub(r"\D", "", code or "")


def fact_amount(f: NarrativeFact) -> Decimal | None:
    """The fact's value in 万元 (exact decimal shift), or None when it is not an amount."""
    shift = UNIT_SHIFT.get((f.unit or "").strip())
    return None if shift is None else f.value * Decimal(10) ** shift


@dataclass
class DocContext:
    doc: Document
    tables: dict[str, TableRecord]
    cells: dict[str, list[TableCell]]
    facts: list[NarrativeFact]
    config: CheckConfig = field(default_factory=lambda: DEFAULT_CONFIG)
    forms: list[PerformanceForm] = field(default_factory=list)
    indicators: list[PerformanceIndicator] = field(default_factory=list)
    _facts_by_metric: dict[str, list[NarrativeFact]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        for f in self.facts:
            self._facts_by_metric.setdefault(f.metric, []).append(f)

    @classmethod
    def build_all(cls, ds: Dataset, docs: Iterable[Document], config: CheckConfig = DEFAULT_CONFIG) -> list[DocContext]:
        """A context per document, the dataset's records grouped by document in one pass (not one scan per document)."""
        tables: dict[str, dict[str, TableRecord]] = defaultdict(dict)
        for t in ds.tables:
            tables[t.doc_id][t.table] = t
        cells: dict[str, dict[str, list[TableCell]]] = defaultdict(dict)
        for c in ds.cells:
            cells[c.doc_id].setdefault(c.table, []).append(c)
        facts: dict[str, list[NarrativeFact]] = defaultdict(list)
        for f in ds.facts:
            facts[f.doc_id].append(f)
        forms: dict[str, list[PerformanceForm]] = defaultdict(list)
        for p in ds.forms:
            forms[p.doc_id].append(p)
        indicators: dict[str, list[PerformanceIndicator]] = defaultdict(list)
        for i in ds.indicators:
            indicators[i.doc_id].append(i)
        return [cls(d, tables.get(d.doc_id, {}), cells.get(d.doc_id, {}), facts.get(d.doc_id, []), config,
                    forms.get(d.doc_id, []), indicators.get(d.doc_id, [])) for d in docs]

    # ---- tables -------------------------------------------------------------------------
    def title_of(self, table: str) -> str:
        """The table's first title in the document's family contract (收入支出决算总表 / 财务收支预算总表)."""
        family = family_of(self.doc.doc_type)
        if family is None or not family.has(table):
            return table
        return family.table(table).titles[0]

    def has_table(self, table: str) -> bool:
        return table in self.tables or bool(self.cells.get(table))

    def table_cells(self, table: str, side: str | None = None) -> list[TableCell]:
        return [c for c in self.cells.get(table, []) if side is None or (c.side or None) == side]

    def by_code(self, table: str, code: str, col: str, side: str | None = None) -> TableCell | None:
        for c in self.table_cells(table, side):
            if digits(c.code) == code and c.col == col:
                return c
        return None

    def by_label(self, table: str, label: str, col: str, side: str | None = None, occurrence: int = 0,
                 loose: bool = False) -> TableCell | None:
        """The ``occurrence``-th cell (in reading order) of the row named ``label`` in column ``col``."""
        found = [c for c in self.table_cells(table, side) if c.col == col and not digits(c.code)
                 and (names_match(c.row, label) if loose else label_key(c.row) == label_key(label))]
        return found[occurrence] if len(found) > occurrence else None

    def labelled(self, table: str, labels: tuple[str, ...], col: str, side: str | None = None) -> TableCell | None:
        for label in labels:
            c = self.by_label(table, label, col, side)
            if c is not None:
                return c
        return None

    def total_cell(self, table: str, col: str, side: str | None = None) -> TableCell | None:
        """The table's 合计 row (uncoded, first in reading order)."""
        return self.labelled(table, ("合计", "总计", "本年收入合计", "本年支出合计"), col, side)

    # ---- narrative ------------------------------------------------------------------------
    def facts_of(self, metric: str) -> list[NarrativeFact]:
        """Facts of one metric, duplicates (same subject and value) dropped."""
        seen: set[tuple] = set()
        out = []
        for f in self._facts_by_metric.get(metric, []):
            key = (label_key(f.subject), f.value, f.unit)
            if key not in seen:
                seen.add(key)
                out.append(f)
        return out

    def fact(self, metric: str) -> NarrativeFact | None:
        """The first stated figure of a metric (the document-level one)."""
        fs = self.facts_of(metric)
        return fs[0] if fs else None
