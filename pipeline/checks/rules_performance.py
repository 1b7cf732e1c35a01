"""Performance forms checked against their own printed rules, against the narrative, and the
targets of a budget against the self-evaluation of the same year (spec/performance.yaml).

The rules are the ones the Hubei forms print in their 备注: a score never exceeds its weight; a
quantitative indicator scores weight × actual / target (positive, capped at the weight) or
weight × target / actual (reverse, target ≤ X); execution score = weight × rate; the total is the
sum of the parts. Comparisons are at the printed precision (``tolerance``), as for the tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, localcontext

from extractors.performance import same_form_title
from extractors.textforms import label_key, match_text
from pipeline.checks.context import DocContext
from pipeline.checks.emit import finding, from_check
from pipeline.checks.registry import rule
from pipeline.checks.tolerance import (
    SumCheck,
    Verdict,
    check_equal,
    check_pct,
    half_unit,
    share_range,
    unit_of,
)
from schemas.records import Finding, PerformanceForm, PerformanceIndicator, Severity

FORMS = "performance_forms"
ROWS = "performance_indicators"
POSITIVE = (">=", ">", "")  # a target printed without an operator counts as positive (the Hubei forms score "155 万平方米" so)
REVERSE = ("<=", "<")
NO_REASON = re.compile(r"^(?:无|无偏差|没有|/|-|—)?$")


def _pages(*pages: int | None) -> str | None:
    found = sorted({p for p in pages if p})
    return ";".join(map(str, found)) or None


def _where(f: PerformanceForm) -> str:
    name = f.project or f.department or f.title or f.form_id
    return f"{name} ({'附件 ' + f.annex + ', ' if f.annex else ''}{f.form_id})"


def _row_text(r: PerformanceIndicator) -> str:
    return (f"{'/'.join(x for x in (r.level1, r.level2, r.indicator) if x)} weight {r.weight} target “{r.target_text or ''}” "
            f"actual “{r.actual_text or ''}” score {r.score}" + (f" p{r.page}" if r.page else ""))


def _form_page(f: PerformanceForm) -> str | None:
    return _pages(*f.pages[:1])


def _rows_of(ctx: DocContext, f: PerformanceForm) -> list[PerformanceIndicator]:
    return [r for r in ctx.indicators if r.form_id == f.form_id]


def _forms(ctx: DocContext) -> list[PerformanceForm]:
    return [f for f in ctx.forms if f.status != "missing"]


def _row_finding(ctx: DocContext, rid: str, severity: Severity, f: PerformanceForm, r: PerformanceIndicator,
                 message: str, expected: Decimal | None = None, actual: Decimal | None = None) -> Finding:
    out = finding(ctx, rid, severity, message, table=ROWS, row=f"{f.form_id} {r.indicator}", col="score",
                  expected=expected, actual=actual,
                  difference=None if expected is None or actual is None else actual - expected,
                  evidence=f"{_where(f)}: {_row_text(r)}")
    return out.model_copy(update={"page": _pages(r.page) or _form_page(f)})


@rule("performance.score_above_weight", "performance", "An indicator's score never exceeds its weight (分值).",
      severity="error")
def score_above_weight(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for f in _forms(ctx):
        for r in _rows_of(ctx, f):
            if r.score is not None and r.weight is not None and r.score > r.weight:
                yield _row_finding(ctx, rid, Severity.ERROR, f, r,
                                   f"{r.indicator}: score {r.score} exceeds its weight {r.weight}", r.weight, r.score)


def formula_score(r: PerformanceIndicator) -> Decimal | None:
    """The score the form's own formula gives a quantitative indicator, capped at its weight; None when it does not apply."""
    if r.weight is None or r.target_value is None or r.actual_value is None:
        return None
    if match_text(r.target_unit) != match_text(r.actual_unit):
        return None
    t, a = r.target_value, r.actual_value
    with localcontext() as c:
        c.prec = 34
        if (r.target_op or "") in POSITIVE and t > 0:
            value = r.weight * a / t
        elif (r.target_op or "") in REVERSE and a > 0:
            value = r.weight * t / a
        else:
            return None
    return min(value, r.weight)


@rule("performance.score_formula", "performance",
      "A quantitative indicator's score equals the formula its form prints in its notes (positive: weight × actual / "
      "target, reverse: weight × target / actual, capped at the weight) at the printed precision.")
def score_formula(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for f in _forms(ctx):
        if f.kind != "self_evaluation" or not f.score_rule:
            continue  # only a form that prints the rule is held to it (central forms score otherwise)
        for r in _rows_of(ctx, f):
            if r.score is None or (r.weight is not None and r.score > r.weight):
                continue  # above its weight: score_above_weight says so
            exact = formula_score(r)
            if exact is None:
                continue
            verdict = _printed_against(ctx, r.score, exact)
            if verdict is None:
                continue
            expected, severity, label = verdict
            yield _row_finding(ctx, rid, severity, f, r,
                               f"{label}{r.indicator}: the form's formula gives {expected} "
                               f"({r.weight} × {'actual/target' if (r.target_op or '') in POSITIVE else 'target/actual'}"
                               f" = {exact.normalize():f}), printed {r.score}", expected, r.score)


def _printed_against(ctx: DocContext, printed: Decimal, exact: Decimal) -> tuple[Decimal, Severity, str] | None:
    """A printed score against the exact one its form's formula gives, at the printed precision:
    None when they agree; a rounding warning within one unit of the last printed digit; else an error."""
    expected = exact.quantize(unit_of(printed), rounding=ROUND_HALF_UP)
    diff = abs(printed - expected)
    if diff == 0:
        return None
    severity = Severity.WARNING if diff <= unit_of(printed) else Severity.ERROR
    if severity == Severity.WARNING and not ctx.config.report_rounding:
        return None
    return expected, severity, "rounding: " if severity == Severity.WARNING else ""


@rule("performance.execution", "performance",
      "Budget execution on a form: 执行率 = 执行数 / 预算数, and its score = execution weight × 执行率.")
def execution(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for f in _forms(ctx):
        where = _where(f)
        if f.execution_rate_pct is not None and f.executed is not None and f.funds_total:
            rng = share_range(f.executed, f.funds_total)
            if rng is not None:
                check = check_pct(f.execution_rate_pct, rng, f.executed / f.funds_total * 100, ctx.config.pct_tolerance)
                for x in from_check(ctx, rid, check, f"{where}: 执行率 = 执行数 {f.executed} / 预算数 {f.funds_total}",
                                    col="execution_rate_pct", evidence=f"{where}: {f.funds_total} {f.executed} {f.execution_rate_pct}%",
                                    table=FORMS, row=f.form_id):
                    yield x.model_copy(update={"page": _form_page(f)})
        if f.execution_weight is not None and f.execution_rate_pct is not None and f.execution_score is not None:
            exact = f.execution_weight * f.execution_rate_pct / 100
            if exact > f.execution_weight:
                exact = f.execution_weight
            verdict = _printed_against(ctx, f.execution_score, exact)
            if verdict is None:
                continue
            expected, severity, label = verdict
            yield finding(ctx, rid, severity,
                          f"{label}{where}: execution score = {f.execution_weight} × {f.execution_rate_pct}% = "
                          f"{exact.normalize():f}, printed {f.execution_score}",
                          col="execution_score", expected=expected, actual=f.execution_score,
                          difference=f.execution_score - expected,
                          evidence=f"{where}: {f.execution_rate_pct}% {f.execution_score}", table=FORMS, row=f.form_id
                          ).model_copy(update={"page": _form_page(f)})


@rule("performance.total", "performance",
      "A self-evaluation's total (自评得分 / 总分) = execution score + overall-target score + the indicators' scores.")
def total(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for f in _forms(ctx):
        rows = _rows_of(ctx, f)
        if f.kind != "self_evaluation" or f.total_score is None or not rows or any(r.score is None for r in rows):
            continue
        parts = [p for p in (f.execution_score, f.overall_score, *(r.score for r in rows)) if p is not None]
        check = score_sum(f.total_score, parts, ctx.config.amount_tolerance)
        where = _where(f)
        for x in from_check(ctx, rid, check,
                            f"{where}: total = execution {f.execution_score} + overall {f.overall_score} + "
                            f"{len(rows)} indicator scores", table=FORMS, row=f.form_id, col="total_score",
                            evidence=f"{where}: total {f.total_score}; parts " + " ".join(f"{p}" for p in parts)):
            yield x.model_copy(update={"page": _pages(*f.pages)})


def score_sum(total: Decimal, parts: list[Decimal], extra: Decimal = Decimal(0)) -> SumCheck:
    """Like ``check_sum``, but points printed as whole numbers are given whole, not rounded: only
    scores printed with decimals (8.86, 19.54) carry a rounding band."""
    expected = sum(parts, Decimal(0))
    diff = total - expected
    rounded = [p for p in (total, *parts) if p.as_tuple().exponent < 0]  # type: ignore[operator]
    allowance = sum((half_unit(p) for p in rounded), Decimal(0)) + extra
    verdict = Verdict.OK if diff == 0 else Verdict.ROUNDING if abs(diff) <= allowance else Verdict.MISMATCH
    return SumCheck(expected, total, diff, allowance, verdict)


def met(r: PerformanceIndicator) -> bool | None:
    """Whether the parsed values say the target was met; None when they cannot say (qualitative, units differ)."""
    if r.target_value is None or r.actual_value is None or match_text(r.target_unit) != match_text(r.actual_unit):
        return None
    t, a, op = r.target_value, r.actual_value, r.target_op or ""
    if op in (">=", ""):
        return a >= t
    if op == ">":
        return a > t
    if op == "<=":
        return a <= t
    if op == "<":
        return a < t
    return a == t


def _reason_printed(f: PerformanceForm, r: PerformanceIndicator) -> bool:
    if r.deviation_reason and not NO_REASON.match(r.deviation_reason.strip()):
        return True
    text = label_key(f.deviation_reason or "")
    name = label_key(r.indicator)
    return bool(name) and (name in text or (len(name) >= 6 and name[:6] in text))


@rule("performance.unexplained_result", "performance",
      "A target not met by the printed values yet given full marks, or met yet given fewer points, without a "
      "reason printed on the form.", severity="warning")
def unexplained_result(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for f in _forms(ctx):
        if f.kind != "self_evaluation":
            continue
        for r in _rows_of(ctx, f):
            ok = met(r)
            if ok is None or r.score is None or r.weight is None or _reason_printed(f, r):
                continue
            if not ok and r.score >= r.weight:
                msg = f"{r.indicator}: target {r.target_text} not met (actual {r.actual_text}) yet full marks {r.score}, no reason printed"
            elif ok and r.score < r.weight:
                msg = f"{r.indicator}: target {r.target_text} met (actual {r.actual_text}) yet {r.score} of {r.weight} points, no reason printed"
            else:
                continue
            yield _row_finding(ctx, rid, Severity.WARNING, f, r, msg, r.weight, r.score)


def _stated_vs(ctx: DocContext, rid: str, f: PerformanceForm, what: str, stated: Decimal | None, printed: Decimal | None,
               col: str) -> list[Finding]:
    if stated is None or printed is None:
        return []
    check = check_equal(stated, printed, ctx.config.amount_tolerance)
    where = _where(f)
    out = from_check(ctx, rid, check, f"{where}: {what} stated in the narrative vs the form",
                     table=FORMS, row=f.form_id, col=col,
                     evidence=f"narrative: “{(f.stated_text or '')[:200]}” | form: {col} = {printed}")
    printed_on = f.pages[-1:] if col == "total_score" else f.pages[:1]  # 总分 closes the form; funds open it
    return [x.model_copy(update={"page": _pages(*f.stated_pages, *printed_on)}) for x in out]


@rule("performance.narrative", "performance",
      "The narrative's restatement of each form (自评得分, 预算数, 执行数, 执行率, 共设置 N 项绩效指标 M 项实现) "
      "against the form's own figures and rows.")
def narrative_vs_form(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for f in _forms(ctx):
        yield from _stated_vs(ctx, rid, f, "自评得分", f.stated_score, f.total_score, "total_score")
        yield from _stated_vs(ctx, rid, f, "预算数", f.stated_funds_total, f.funds_total, "funds_total")
        yield from _stated_vs(ctx, rid, f, "执行数", f.stated_executed, f.executed, "executed")
        yield from _stated_vs(ctx, rid, f, "执行率", f.stated_rate_pct, f.execution_rate_pct, "execution_rate_pct")
        rows = _rows_of(ctx, f)
        if not rows:
            continue
        counts = [("设置的绩效指标数", f.stated_indicators_set, len(rows), "n_indicators")]
        if all(r.score is not None and r.weight is not None for r in rows):
            full = sum(1 for r in rows if r.score is not None and r.weight is not None and r.score >= r.weight)
            counts.append(("实现的绩效指标数 (rows with full marks)", f.stated_indicators_met, full, "n_met"))
        for what, stated, counted, col in counts:
            if stated is not None and stated != counted:
                yield finding(ctx, rid, Severity.ERROR,
                              f"{_where(f)}: the narrative states {stated} {what}, the form has {counted}",
                              table=FORMS, row=f.form_id, col=col, expected=Decimal(counted), actual=Decimal(stated),
                              difference=Decimal(stated - counted), evidence=f"narrative: “{(f.stated_text or '')[:200]}”",
                              ).model_copy(update={"page": _pages(*f.stated_pages, *f.pages[:1])})


@rule("performance.annex", "performance",
      "Forms the narrative announces (《…自评表》见附件 N) are printed under that 附件 with that title, and every "
      "printed 附件 form is announced.", severity="warning (missing form: error)")
def annexes(ctx: DocContext, rid: str) -> Iterator[Finding]:
    announced_any = any(f.announced_title for f in ctx.forms)
    for f in ctx.forms:
        if f.status == "missing":
            yield finding(ctx, rid, Severity.ERROR, f"附件 {f.annex}: the narrative announces 《{f.title}》; it is not in the document",
                          table=FORMS, row=f.form_id, col="annex", evidence=f.note or "")
        elif f.announced_title and f.title and not same_form_title(f.title, f.announced_title):
            yield finding(ctx, rid, Severity.WARNING,
                          f"附件 {f.annex}: the narrative announces 《{f.announced_title}》, the form printed there is titled "
                          f"《{f.title}》 (项目名称 {f.project or '-'})", table=FORMS, row=f.form_id, col="title",
                          evidence=f"announced: {f.announced_title} | printed: {f.title}").model_copy(update={"page": _form_page(f)})
        elif announced_any and f.annex and not f.announced_title:
            yield finding(ctx, rid, Severity.WARNING, f"附件 {f.annex}: 《{f.title}》 is printed but the narrative does not announce it",
                          table=FORMS, row=f.form_id, col="annex", evidence=f.title or "").model_copy(update={"page": _form_page(f)})


def _project_key(f: PerformanceForm) -> str:
    s = label_key(f.project or "")
    s = re.sub(r"^20\d{2}年度?", "", s)
    return s.removesuffix("项目")


@rule("performance.target_changed", "performance",
      "The same project's indicator in a department's budget (target form) and in its final accounts of the same "
      "year (self-evaluation) carries the same target value.", severity="warning", scope="dataset")
def target_changed(ctx: DocContext, corpus: list[DocContext], rid: str) -> Iterator[Finding]:
    d = ctx.doc
    mine = [f for f in _forms(ctx) if f.kind == "self_evaluation" and f.project]
    if not mine or not d.department:
        return
    for other in corpus:
        o = other.doc
        if o.doc_id == d.doc_id or label_key(o.department) != label_key(d.department):
            continue
        targets = {(_project_key(t), t.fiscal_year): t for t in _forms(other) if t.kind == "target" and t.project}
        for f in mine:
            t = targets.get((_project_key(f), f.fiscal_year))
            if t is None:
                continue
            planned = {label_key(r.indicator): r for r in _rows_of(other, t)}
            for r in _rows_of(ctx, f):
                p = planned.get(label_key(r.indicator))
                if p is None or p.target_text is None or r.target_text is None:
                    continue
                same = (p.target_value == r.target_value and (p.target_op or "") == (r.target_op or "")
                        and match_text(p.target_unit) == match_text(r.target_unit)) if p.target_value is not None \
                    else label_key(p.target_text) == label_key(r.target_text)
                if same:
                    continue
                yield finding(ctx, rid, Severity.WARNING,
                              f"{f.project} / {r.indicator}: the budget's target was “{p.target_text}” "
                              f"({o.file_name} p{p.page or '-'}), the self-evaluation reports against “{r.target_text}”",
                              table=ROWS, row=f"{f.form_id} {r.indicator}", col="target_text",
                              expected=p.target_value, actual=r.target_value,
                              difference=None if p.target_value is None or r.target_value is None else r.target_value - p.target_value,
                              evidence=f"budget {o.doc_id} {t.form_id}: {_row_text(p)} | final accounts: {_row_text(r)}",
                              ).model_copy(update={"page": _pages(r.page)})

