"""Turn a comparison into a Finding row with its evidence and pages."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pipeline.checks.context import DocContext
from pipeline.checks.labels import humanize
from pipeline.checks.tolerance import RatioCheck, SumCheck, Verdict
from schemas.records import Finding, NarrativeFact, Severity, TableCell


def pages_of(cells: Iterable[TableCell] = (), facts: Iterable[NarrativeFact] = ()) -> str | None:
    pages = {c.page for c in cells} | {f.page for f in facts if f.page is not None}
    return ";".join(str(p) for p in sorted(pages)) or None


def cell_text(c: TableCell) -> str:
    ident = " ".join(x for x in (c.code, c.row) if x)
    side = f"{c.side}:" if c.side else ""
    return f"{c.table} p{c.page} {side}{ident} [{c.col}] = {c.value}"


def fact_place(f: NarrativeFact) -> str:
    """Where a reader finds the clause: its page, or in a text file (no pages) its section."""
    if f.page is not None:
        return f"p{f.page}"
    return f"section {f.section}" if f.section else "text"


def quoted_facts(facts: Iterable[NarrativeFact]) -> list[str]:
    """Each clause once (several figures of one clause are often compared), with its place."""
    return list(dict.fromkeys(f"{fact_place(f)}: “{f.text}”" for f in facts))


def evidence_of(cells: Iterable[TableCell] = (), facts: Iterable[NarrativeFact] = (), limit: int = 12) -> str:
    parts = quoted_facts(facts)
    cs = list(cells)
    parts += [cell_text(c) for c in cs[:limit]]
    if len(cs) > limit:
        parts.append(f"… {len(cs) - limit} more cells")
    return " | ".join(parts)


def severity_for(verdict: Verdict) -> Severity | None:
    return {Verdict.OK: None, Verdict.ROUNDING: Severity.WARNING, Verdict.MISMATCH: Severity.ERROR}[verdict]


def finding(
    ctx: DocContext,
    rule: str,
    severity: Severity,
    message: str,
    *,
    cells: Iterable[TableCell] = (),
    facts: Iterable[NarrativeFact] = (),
    table: str | None = None,
    row: str | None = None,
    col: str | None = None,
    metric: str | None = None,
    expected: Decimal | None = None,
    actual: Decimal | None = None,
    difference: Decimal | None = None,
    evidence: str | None = None,
) -> Finding:
    cells, facts = list(cells), list(facts)
    return Finding(
        doc_id=ctx.doc.doc_id, rule=rule, severity=severity, message=humanize(message, table, ctx.doc.doc_type), table=table, row=row, col=col,
        metric=metric, expected=expected, actual=actual, difference=difference,
        page=pages_of(cells, facts), evidence=evidence if evidence is not None else evidence_of(cells, facts),
    )


def _span(low: Decimal, high: Decimal) -> str:
    a, b = f"{low:.4f}", f"{high:.4f}"
    return a if a == b else f"{a}…{b}"


def from_check(
    ctx: DocContext,
    rule: str,
    check: SumCheck | RatioCheck,
    what: str,
    **kw,
) -> list[Finding]:
    """A finding for a failed comparison (none when it held), worded with the rounding band."""
    severity = severity_for(check.verdict)
    if severity is None or (severity == Severity.WARNING and not ctx.config.report_rounding):
        return []
    if isinstance(check, SumCheck):
        band = f"rounding allowance ±{check.allowance.normalize():f}"
    elif check.verdict == Verdict.ROUNDING:  # outside the exact range, but one last digit from it
        band = (f"the printed figures give {_span(check.low, check.high)}, which rounds to {check.expected}: "
                "the printed value is one last digit off")
    else:
        band = f"the printed figures allow {_span(check.low, check.high)}"
    label = "rounding: " if check.verdict == Verdict.ROUNDING else ""
    message = (f"{label}{what}: expected {check.expected}, printed {check.actual} "
               f"(difference {check.difference}; {band})")
    return [finding(ctx, rule, severity, message, expected=check.expected, actual=check.actual,
                    difference=check.difference, **kw)]
