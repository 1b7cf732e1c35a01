"""Across years: this year's stated change implies last year's figure; check it against last year's document."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from extractors.textforms import label_key
from pipeline.checks.context import DocContext, fact_amount
from pipeline.checks.emit import from_check, quoted_facts
from pipeline.checks.registry import rule
from pipeline.checks.rules_narrative import CHANGES
from pipeline.checks.rules_narrative_tables import COUNTERPARTS
from pipeline.checks.tolerance import check_sum
from schemas.records import Finding, NarrativeFact, TableCell


def previous_year(ctx: DocContext, corpus: list[DocContext]) -> DocContext | None:
    """The same department's final accounts of the year before, if the dataset holds them."""
    d = ctx.doc
    if not d.department or d.fiscal_year is None:
        return None
    for other in corpus:
        o = other.doc
        if (o.doc_id != d.doc_id and o.fiscal_year == d.fiscal_year - 1 and o.doc_type == d.doc_type
                and label_key(o.department) == label_key(d.department)):
            return other
    return None


def _printed_last_year(prev: DocContext, metric: str) -> tuple[Decimal, list[TableCell], list[NarrativeFact]] | None:
    """Last year's figure for ``metric``: its table cell when printed, else its narrative statement."""
    if metric in COUNTERPARTS:
        _, lookup = COUNTERPARTS[metric]
        probe = NarrativeFact(doc_id=prev.doc.doc_id, metric=metric, value=Decimal(0), unit="万元", text="")
        cells = [c for c in lookup(prev, probe) if c is not None]
        if cells:
            return cells[0].value, [cells[0]], []
    f = prev.fact(metric)
    if f is not None and fact_amount(f) is not None:
        return fact_amount(f), [], [f]  # type: ignore[return-value]
    return None


@rule("years.prior_figure", "years",
      "The prior-year figure implied by this year's narrative (current − change) equals the figure printed in the "
      "same department's previous-year document, when the dataset holds it.", scope="dataset")
def prior_figures(ctx: DocContext, corpus: list[DocContext], rid: str) -> Iterator[Finding]:
    prev = previous_year(ctx, corpus)
    if prev is None:
        return
    for level_metric, (change_metric, _) in CHANGES.items():
        level, change = ctx.fact(level_metric), ctx.fact(change_metric)
        if level is None or change is None:
            continue
        cur, chg = fact_amount(level), fact_amount(change)
        last = _printed_last_year(prev, level_metric)
        if cur is None or chg is None or last is None:
            continue
        value, cells, facts = last
        # implied prior = cur − chg; compare the printed last-year value with it, each figure rounded once
        check = check_sum(value, [cur, -chg], ctx.config.amount_tolerance)
        where = f"{prev.doc.file_name} ({prev.doc.fiscal_year})"
        found = from_check(ctx, rid, check,
                           f"{level_metric}: this year {cur} − change {chg} vs last year's printed figure in {where}",
                           facts=[level, change], metric=level_metric)
        for f in found:
            extra = " | last year: " + "; ".join([f"{c.table} p{c.page} {c.row} = {c.value}" for c in cells]
                                                + quoted_facts(facts))
            yield f.model_copy(update={"evidence": (f.evidence or "") + extra})
