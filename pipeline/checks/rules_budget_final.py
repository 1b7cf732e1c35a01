"""A department's final accounts against its budget of the same year: what was planned, as the two
documents print it. The final accounts restate the budget (三公 预算数, 年初预算); when the dataset holds
the budget itself, the two must agree."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.checks.context import DocContext, digits, fact_amount, names_match
from pipeline.checks.emit import finding, from_check
from pipeline.checks.registry import ROUNDING_POLICY, rule
from pipeline.checks.rows import GPB, THREE
from pipeline.checks.tolerance import check_equal
from pipeline.disclosures import identity
from schemas.keys import MetricKey
from schemas.records import DocType, Finding, Severity, TableCell

PAIRED_POLICY = (ROUNDING_POLICY + "; info when several budgets of the department and year could be the one "
                 "(none compared)")


def budgets_of(ctx: DocContext, corpus: list[DocContext], table: str) -> list[DocContext]:
    """The budgets in the dataset of this final account's department and year that print ``table``."""
    me = identity(ctx.doc)
    if me is None or ctx.doc.doc_type != DocType.FINAL_ACCOUNTS:
        return []
    return [o for o in corpus if o.doc.doc_type == DocType.BUDGET and identity(o.doc) == me and o.table_cells(table)]


def _the_budget(ctx: DocContext, corpus: list[DocContext], table: str, rid: str) -> Iterator[DocContext | Finding]:
    """The one budget to compare with, or an info finding naming the candidates when there are several
    (a unit budget beside its department's budget): a pairing is never guessed."""
    found = budgets_of(ctx, corpus, table)
    if len(found) == 1:
        yield found[0]
    elif len(found) > 1:
        names = "; ".join(sorted(o.doc.file_name for o in found))
        yield finding(ctx, rid, Severity.INFO,
                      f"{len(found)} budgets of this department and year print {table}; none compared (ambiguous): {names}",
                      table=table)


def _where(budget: DocContext, cell: TableCell) -> str:
    return f"budget {budget.doc.file_name} p{cell.page}"


@rule("budget_final.three_public", "budget_final",
      "The final accounts' “三公” 预算数 columns equal the same department's budget of that year (三公 table).",
      severity=PAIRED_POLICY, scope="dataset")
def three_public(ctx: DocContext, corpus: list[DocContext], rid: str) -> Iterator[Finding]:
    for budget in _the_budget(ctx, corpus, THREE, rid):
        if isinstance(budget, Finding):
            yield budget
            continue
        planned = {c.col: c for c in budget.table_cells(THREE)}
        for printed in ctx.table_cells(THREE):
            other = planned.get(printed.col)
            if not printed.col.endswith("_budget") or other is None:
                continue
            check = check_equal(printed.value, other.value, ctx.config.amount_tolerance)
            for f in from_check(ctx, rid, check,
                                f"三公 {printed.col}: final accounts vs {_where(budget, other)}",
                                cells=[printed], table=THREE, row=printed.row, col=printed.col):
                yield f.model_copy(update={"evidence": f"{f.evidence or ''} | {_where(budget, other)}: {other.value_printed}"})


def _gpb_total(budget: DocContext) -> TableCell | None:
    return budget.total_cell(GPB, "total") or budget.total_cell(GPB, "amount")


def _gpb_item(budget: DocContext, subject: str | None) -> TableCell | None:
    """The budget's 一般公共预算 row the narrative names (the last part of its 类/款/项 path), if unique."""
    name = (subject or "").split("/")[-1]
    hits = [c for c in budget.table_cells(GPB) if c.col in ("total", "amount") and digits(c.code)
            and names_match(c.row, name)]
    codes = {digits(c.code) for c in hits}
    return hits[0] if len(codes) == 1 else None


@rule("budget_final.gpb_initial", "budget_final",
      "The final-account narrative's 年初预算 (overall and per 类/款/项) equals the budget's 一般公共预算支出 table.",
      severity=PAIRED_POLICY, scope="dataset")
def gpb_initial(ctx: DocContext, corpus: list[DocContext], rid: str) -> Iterator[Finding]:
    facts = ctx.facts_of(MetricKey.gpb_budget_initial) + ctx.facts_of(MetricKey.gpb_item_budget_initial)
    if not facts:
        return
    for budget in _the_budget(ctx, corpus, GPB, rid):
        if isinstance(budget, Finding):
            yield budget
            continue
        for f in facts:
            value = fact_amount(f)
            cell = _gpb_total(budget) if f.metric == MetricKey.gpb_budget_initial else _gpb_item(budget, f.subject)
            if value is None or cell is None:
                continue
            check = check_equal(value, cell.value, ctx.config.amount_tolerance)
            what = f"年初预算 {f.subject or '一般公共预算'}: final-account narrative vs {_where(budget, cell)}"
            for found in from_check(ctx, rid, check, what, facts=[f], metric=f.metric):
                yield found.model_copy(update={"evidence": f"{found.evidence or ''} | {_where(budget, cell)} "
                                                           f"{cell.code or ''} {cell.row}: {cell.value_printed}"})
