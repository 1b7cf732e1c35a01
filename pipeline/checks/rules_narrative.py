"""Narrative arithmetic: shares, changes, completion rates, parts and totals, direction words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from extractors.numbers import parse_amount
from extractors.textforms import label_key, match_text
from pipeline.checks.context import DocContext, fact_amount
from pipeline.checks.emit import finding, from_check
from pipeline.checks.registry import rule
from pipeline.checks.rules_narrative_tables import COUNTERPARTS
from pipeline.checks.tolerance import (
    Verdict,
    change_pct_range,
    check_equal,
    check_pct,
    check_sum,
    closeness,
    half_unit,
    share_range,
)
from schemas.keys import MetricKey
from schemas.records import Finding, NarrativeFact, Severity

_AMOUNT_IN_TEXT = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)\s*万元")


def amounts_in_text(text: str) -> list[Decimal]:
    """Every ``N 万元`` figure of a clause (used to recognise another base, e.g. 全年预算)."""
    amounts = (parse_amount(m.group(1)) for m in _AMOUNT_IN_TEXT.finditer(match_text(text)))
    return [a for a in amounts if a is not None]


def _same_subject(a: NarrativeFact, b: NarrativeFact) -> bool:
    return label_key(a.subject) == label_key(b.subject)


def _partner(ctx: DocContext, metric: str, like: NarrativeFact) -> NarrativeFact | None:
    """The fact of ``metric`` stated with ``like``: same clause first, else same subject."""
    cands = [f for f in ctx.facts_of(metric) if _same_subject(f, like)]
    same_text = [f for f in cands if f.text == like.text]
    return next(iter(same_text or cands), None)


def _bases(ctx: DocContext, metric: str) -> list[tuple[Decimal, list[NarrativeFact]]]:
    """Candidate denominators for a share: the narrative total, then its table counterparts."""
    out: list[tuple[Decimal, list[NarrativeFact]]] = []
    for f in ctx.facts_of(metric):
        v = fact_amount(f)
        if v is not None:
            out.append((v, [f]))
    if metric in COUNTERPARTS:
        _, lookup = COUNTERPARTS[metric]
        probe = NarrativeFact(doc_id=ctx.doc.doc_id, metric=metric, value=Decimal(0), unit="万元", text="")
        out += [(c.value, []) for c in lookup(ctx, probe) if c is not None]
    return out


SHARES = {  # share metric → (amount metric, denominator metrics in order of preference)
    MetricKey.income_item_share_pct: (MetricKey.income_item, (MetricKey.income_total,)),
    MetricKey.expenditure_item_share_pct: (MetricKey.expenditure_item, (MetricKey.expenditure_total,)),
    MetricKey.gpb_class_share_pct: (MetricKey.gpb_class_amount, (MetricKey.gpb_expenditure, MetricKey.gpb_actual)),
    MetricKey.gpb_expenditure_share_pct: (MetricKey.gpb_expenditure, (MetricKey.expenditure_total,)),
}


@rule("narrative.share", "narrative",
      "Stated shares equal amount / total at the printed precision (off by one last digit: rounding warning).")
def shares(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for share_metric, (amount_metric, base_metrics) in SHARES.items():
        for s in ctx.facts_of(share_metric):
            amount_fact = _partner(ctx, amount_metric, s)
            amount = fact_amount(amount_fact) if amount_fact else None
            if amount is None:
                continue
            bases = [b for m in base_metrics for b in _bases(ctx, m)]
            results = []
            for base, base_facts in bases:
                rng = share_range(amount, base)
                if rng is None or base <= 0:
                    continue
                results.append((check_pct(s.value, rng, amount / base * 100, ctx.config.pct_tolerance), base_facts))
            if not results:
                continue
            best, base_facts = min(results, key=lambda t: closeness(t[0]))
            subject = f" [{s.subject}]" if s.subject else ""
            yield from from_check(ctx, rid, best, f"share {share_metric}{subject}: {amount} / total × 100",
                                  facts=[s, amount_fact, *base_facts], metric=share_metric)


CHANGES = {  # level metric → (change metric, change-% metric)
    MetricKey.total_income_expenditure: (MetricKey.total_income_expenditure_change,
                                         MetricKey.total_income_expenditure_change_pct),
    MetricKey.income_total: (MetricKey.income_total_change, MetricKey.income_total_change_pct),
    MetricKey.expenditure_total: (MetricKey.expenditure_total_change, MetricKey.expenditure_total_change_pct),
    MetricKey.fiscal_total: (MetricKey.fiscal_total_change, MetricKey.fiscal_total_change_pct),
    MetricKey.gpb_expenditure: (MetricKey.gpb_expenditure_change, MetricKey.gpb_expenditure_change_pct),
    MetricKey.three_public_actual: (MetricKey.three_public_change, MetricKey.three_public_change_pct),
    MetricKey.operating_costs: (MetricKey.operating_costs_change, MetricKey.operating_costs_change_pct),
}


@rule("narrative.change", "narrative",
      "Change and change % agree: prior = current − change, % = change / prior (a % against a zero prior is info).")
def changes(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for level_metric, (change_metric, pct_metric) in CHANGES.items():
        level, change, pct = ctx.fact(level_metric), ctx.fact(change_metric), ctx.fact(pct_metric)
        if level is None or change is None or pct is None:
            continue
        cur, chg = fact_amount(level), fact_amount(change)
        if cur is None or chg is None or (chg != 0 and pct.value != 0 and (chg > 0) != (pct.value > 0)):
            continue  # opposite signs: reported by narrative.direction
        prior = cur - chg
        if abs(prior) <= half_unit(cur) + half_unit(chg):
            if pct.value != 0:
                yield finding(ctx, rid, Severity.INFO,
                              f"{pct_metric} {pct.value}% is stated against a zero prior-year base ({level_metric} {cur}, "
                              f"change {chg})", facts=[level, change, pct], metric=pct_metric, actual=pct.value)
            continue
        rng = change_pct_range(cur, chg)
        if rng is None:
            continue
        check = check_pct(pct.value, rng, chg / prior * 100, ctx.config.pct_tolerance)
        yield from from_check(ctx, rid, check, f"{pct_metric}: change {chg} / prior {prior} × 100",
                              facts=[pct, change, level], metric=pct_metric)


COMPLETIONS = {  # completion-% metric → (actual metric, budget metric)
    MetricKey.gpb_completion_pct: (MetricKey.gpb_actual, MetricKey.gpb_budget_initial),
    MetricKey.three_public_completion_pct: (MetricKey.three_public_actual, MetricKey.three_public_budget),
}


@rule("narrative.completion", "narrative",
      "Completion % = actual / budget; a % stated against a zero budget is a warning.",
      severity="error beyond rounding; warning within rounding or when the budget is zero")
def completions(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for pct_metric, (actual_metric, budget_metric) in COMPLETIONS.items():
        for p in ctx.facts_of(pct_metric):
            actual_f, budget_f = _partner(ctx, actual_metric, p), _partner(ctx, budget_metric, p)
            if actual_f is None or budget_f is None:
                continue
            actual, budget = fact_amount(actual_f), fact_amount(budget_f)
            if actual is None or budget is None:
                continue
            facts = [p, actual_f, budget_f]
            if budget == 0:
                if actual != 0 or p.value != 0:
                    yield finding(ctx, rid, Severity.WARNING,
                                  f"{pct_metric} {p.value}% is stated against a zero budget ({budget_metric} = {budget})",
                                  facts=facts, metric=pct_metric, actual=p.value)
                continue
            rng = share_range(actual, budget)
            if rng is None:
                continue
            check = check_pct(p.value, rng, actual / budget * 100, ctx.config.pct_tolerance)
            if check.verdict == Verdict.MISMATCH and _other_base_explains(p, actual, ctx):
                continue  # the clause states another budget (e.g. 全年预算) that the % is measured against
            yield from from_check(ctx, rid, check, f"{pct_metric}: {actual} / {budget} × 100", facts=facts, metric=pct_metric)


_COMPLETION_IN_TEXT = re.compile(r"完成(?:年初|全年|调整)?预算(?:数)?的?(-?\d+(?:\.\d+)?)%")


@rule("narrative.item_completion", "narrative",
      "Each 项's completion % stated in its clause = its actual / its budget; a % against a zero budget is a warning.",
      severity="error beyond rounding; warning within rounding or when the budget is zero")
def item_completions(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for b in ctx.facts_of(MetricKey.gpb_item_budget_initial):
        a = _partner(ctx, MetricKey.gpb_item_actual, b)
        if a is None or a.text != b.text:
            continue
        m = _COMPLETION_IN_TEXT.search(match_text(b.text))
        budget, actual = fact_amount(b), fact_amount(a)
        if m is None or budget is None or actual is None:
            continue
        stated = Decimal(m.group(1))
        what = f"completion % of {b.subject}"
        if budget == 0:
            if stated != 0 or actual != 0:
                yield finding(ctx, rid, Severity.WARNING, f"{what}: {stated}% is stated against a zero budget",
                              facts=[b, a], metric=MetricKey.gpb_item_budget_initial, actual=stated)
            continue
        rng = share_range(actual, budget)
        if rng is None:
            continue
        check = check_pct(stated, rng, actual / budget * 100, ctx.config.pct_tolerance)
        yield from from_check(ctx, rid, check, f"{what}: {actual} / {budget} × 100", facts=[b, a],
                              metric=MetricKey.gpb_item_budget_initial)


# metrics stated once per document: a second statement must repeat the same figure
SINGLE_VALUED = (MetricKey.total_income_expenditure, MetricKey.income_total, MetricKey.expenditure_total,
                 MetricKey.fiscal_total, MetricKey.gpb_expenditure, MetricKey.gpb_actual, MetricKey.gpb_budget_initial,
                 MetricKey.basic_expenditure, MetricKey.basic_personnel, MetricKey.basic_public,
                 MetricKey.three_public_budget, MetricKey.three_public_actual)
SAME_FIGURE = [  # (metric, subject prefix or None) pairs that name one quantity
    ((MetricKey.gpb_expenditure, None), (MetricKey.gpb_actual, None)),
    ((MetricKey.government_fund_income, None), (MetricKey.fiscal_income_by_source, "政府性基金")),
    ((MetricKey.state_capital_expenditure, None), (MetricKey.state_capital_expenditure, None)),
]


def _fact_with(ctx: DocContext, metric: str, subject: str | None) -> NarrativeFact | None:
    for f in ctx.facts_of(metric):
        if subject is None or label_key(f.subject).startswith(subject):
            return f
    return None


@rule("narrative.consistency", "narrative",
      "A figure stated twice in the text is the same both times (e.g. 一般公共预算财政拨款支出 in 五（一） and 五（三）; "
      "政府性基金 income in 四 and 七).")
def consistency(ctx: DocContext, rid: str) -> Iterator[Finding]:
    pairs: list[tuple[NarrativeFact, NarrativeFact]] = []
    for metric in SINGLE_VALUED:
        fs = [f for f in ctx.facts_of(metric) if not f.subject]
        pairs += [(fs[0], f) for f in fs[1:]]
    for (m1, s1), (m2, s2) in SAME_FIGURE:
        a, b = _fact_with(ctx, m1, s1), _fact_with(ctx, m2, s2)
        if a is not None and b is not None and a is not b:
            pairs.append((a, b))
    for a, b in pairs:
        va, vb = fact_amount(a), fact_amount(b)
        if va is None or vb is None:
            continue
        check = check_equal(vb, va, ctx.config.amount_tolerance)
        yield from from_check(ctx, rid, check, f"{b.metric} stated again as {vb} (first {a.metric} {va})",
                              facts=[a, b], metric=b.metric)


def _other_base_explains(p: NarrativeFact, actual: Decimal, ctx: DocContext) -> bool:
    for base in amounts_in_text(p.text):
        rng = share_range(actual, base) if base > 0 else None
        if rng and check_pct(p.value, rng, actual / base * 100, ctx.config.pct_tolerance).verdict != Verdict.MISMATCH:
            return True
    return False


def _distinct_parts(facts: list[NarrativeFact]) -> list[NarrativeFact] | None:
    """One figure per subject; None when a subject nests in another (一般公共预算财政拨款收入 in 财政拨款收入)."""
    seen: dict[str, NarrativeFact] = {}
    for f in facts:
        seen.setdefault(label_key(f.subject), f)
    keys = [k for k in seen if k]
    for a in keys:
        for b in keys:
            if a != b and (a in b or b in a):
                return None
    return list(seen.values())


# total metric, part metrics, whether the parts are a complete partition (else only an excess is an error)
PARTS: list[tuple[str, tuple[str, ...], bool]] = [
    (MetricKey.income_total, (MetricKey.income_item,), False),
    (MetricKey.expenditure_total, (MetricKey.expenditure_item,), False),
    (MetricKey.gpb_expenditure, (MetricKey.gpb_class_amount,), False),
    (MetricKey.gpb_actual, (MetricKey.gpb_item_actual,), False),
    (MetricKey.basic_expenditure, (MetricKey.basic_personnel, MetricKey.basic_public), True),
    (MetricKey.three_public_actual, (MetricKey.overseas_actual, MetricKey.vehicle_actual, MetricKey.reception_actual), True),
    (MetricKey.vehicle_actual, (MetricKey.vehicle_purchase_actual, MetricKey.vehicle_operation_actual), True),
    (MetricKey.procurement_total,
     (MetricKey.procurement_goods, MetricKey.procurement_works, MetricKey.procurement_services), True),
]


def _parts_finding(ctx: DocContext, rid: str, total_f: NarrativeFact, parts: list[NarrativeFact],
                   partition: bool, what: str) -> list[Finding]:
    total = fact_amount(total_f)
    values = [fact_amount(p) for p in parts]
    if total is None or any(v is None for v in values) or not parts:
        return []
    check = check_sum(total, values, ctx.config.amount_tolerance)  # type: ignore[arg-type]
    if check.verdict == Verdict.MISMATCH and not partition and check.expected < total:
        return []  # the text may list only the main items
    if check.verdict == Verdict.MISMATCH and any(check_sum(v, values).verdict != Verdict.MISMATCH  # type: ignore[arg-type]
                                                 for v in amounts_in_text(total_f.text) if v != total):
        return []  # the clause states another total (e.g. 全年预算) that the parts add up to
    return from_check(ctx, rid, check, what, facts=[total_f, *parts], metric=total_f.metric)


@rule("narrative.parts_sum", "narrative",
      "Parts stated in the text sum to their stated total (items, 类, 项, personnel + public, 三公, procurement); a "
      "partial listing may fall short but never exceed. A numbered list under a stated total (其中：1. … N.) is "
      "checked from the page text (narrative.parts_sum.text): its shortfall is undescribed spending.")
def parts_sum(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for total_metric, part_metrics, partition in PARTS:
        total_f = ctx.fact(total_metric)
        if total_f is None:
            continue
        if partition:
            parts = [ctx.fact(m) for m in part_metrics]
            if any(p is None for p in parts):
                continue
            parts_list = [p for p in parts if p is not None]
        else:
            distinct = _distinct_parts([f for m in part_metrics for f in ctx.facts_of(m)])
            if not distinct or len(distinct) < 2:
                continue
            parts_list = distinct
        what = f"{total_metric} = sum of {'+'.join(part_metrics)} stated in the text"
        yield from _parts_finding(ctx, rid, total_f, parts_list, partition, what)
    yield from _item_budgets(ctx, rid)


def _item_budgets(ctx: DocContext, rid: str) -> Iterator[Finding]:
    """Item budgets sum to the stated budget, checked only when the item actuals show the list is complete."""
    budget_f = ctx.fact(MetricKey.gpb_budget_initial)
    actual_f = ctx.fact(MetricKey.gpb_actual) or ctx.fact(MetricKey.gpb_expenditure)
    items_b = _distinct_parts(ctx.facts_of(MetricKey.gpb_item_budget_initial))
    items_a = _distinct_parts(ctx.facts_of(MetricKey.gpb_item_actual))
    if not (budget_f and actual_f and items_b and items_a) or len(items_b) != len(items_a):
        return
    actual_total, budget_total = fact_amount(actual_f), fact_amount(budget_f)
    a_values = [fact_amount(f) for f in items_a]
    if actual_total is None or budget_total in (None, 0) or any(v is None for v in a_values):
        return
    if check_sum(actual_total, a_values).verdict == Verdict.MISMATCH:  # type: ignore[arg-type]
        return  # not every item is listed
    yield from _parts_finding(ctx, rid, budget_f, items_b, True, "gpb_budget_initial = sum of the items' 年初预算")


# "决算数大于年初预算数", "决算数与全年预算数持平"; "基本持平" (roughly equal) is group 2 and claims nothing exact
WORD_VS_BUDGET = re.compile(
    r"决算数?(大于|小于|等于|高于|低于|超过)(?:年初|全年|调整)?预算|决算数?与(?:年初|全年|调整)?预算数?(基本)?(持平|相等|一致)"
)


@rule("narrative.direction", "narrative",
      "Direction words agree with the figures: 增加/减少 with 增长/下降; 决算数大于/小于/等于预算数 with the budget and "
      "actual stated.", severity="error")
def direction(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for change_metric, pct_metric in CHANGES.values():
        change, pct = ctx.fact(change_metric), ctx.fact(pct_metric)
        if change is None or pct is None or change.value == 0 or pct.value == 0:
            continue
        if (change.value > 0) != (pct.value > 0):
            yield finding(ctx, rid, Severity.ERROR,
                          f"{change_metric} {change.value} and {pct_metric} {pct.value} point in opposite directions",
                          facts=[change, pct], metric=change_metric, expected=None, actual=change.value)
    pairs = [(MetricKey.gpb_budget_initial, MetricKey.gpb_actual),
             (MetricKey.gpb_item_budget_initial, MetricKey.gpb_item_actual),
             (MetricKey.three_public_budget, MetricKey.three_public_actual)]
    for budget_metric, actual_metric in pairs:
        for b in ctx.facts_of(budget_metric):
            a = _partner(ctx, actual_metric, b)
            if a is None or a.text != b.text:
                continue
            m = WORD_VS_BUDGET.search(match_text(b.text))
            if not m or m.group(2):
                continue
            word, actual = m.group(1) or m.group(3), fact_amount(a)
            others = [v for v in amounts_in_text(b.text) if v not in (fact_amount(b), actual)]
            if actual is not None and any(direction_word_holds(v, actual, word) for v in others):
                continue  # the word compares with another budget stated in the clause (e.g. 全年预算)
            yield from direction_finding(ctx, rid, fact_amount(b), actual, word, facts=[b, a], metric=actual_metric)


def direction_word_holds(budget: Decimal, actual: Decimal, word: str) -> bool:
    if word in ("大于", "高于", "超过"):
        return actual > budget
    if word in ("小于", "低于"):
        return actual < budget
    return actual == budget


def direction_finding(ctx: DocContext, rid: str, budget: Decimal | None, actual: Decimal | None, word: str,
                      **kw) -> list[Finding]:
    if budget is None or actual is None or direction_word_holds(budget, actual, word):
        return []
    return [finding(ctx, rid, Severity.ERROR,
                    f"text says 决算数{word}预算数 but states budget {budget} and actual {actual}",
                    expected=budget, actual=actual, difference=actual - budget, **kw)]
