"""A stated total against the numbered list of components the text gives under it.

Run at extraction time on the narrative pages (the numbering is not in the dataset) and kept by
re-checks (``TEXT_RULES``). A complete list (其中：1. … N.) whose amounts fall short of the total
leaves spending undescribed: an error, as is any list that exceeds its total; a list the
lead-in calls partial (主要用于以下方面, 主要包括) may fall short.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractors.enumerations import PLAIN, Amount, NumberedList, numbered_lists
from extractors.text import PageText
from pipeline.checks.config import DEFAULT_CONFIG, CheckConfig
from pipeline.checks.context import DocContext
from pipeline.checks.emit import finding, severity_for
from pipeline.checks.tolerance import Verdict, check_sum
from schemas.records import Document, Finding

RULE = "narrative.parts_sum.text"
_KIND_WORD = {"budget": "budget", "actual": "actual", "plain": "amount"}


def _item_amounts(lst: NumberedList, total: Amount) -> list[Amount] | None:
    """Each item's one amount of the total's kind; with a single total, of a compatible kind
    (an unqualified amount stands for the total's kind). None when an item states none or several."""
    def pick(ok) -> list[Amount] | None:
        chosen = []
        for item in lst.items:
            found = [a for a in item.amounts if ok(a)]
            if len(found) != 1:
                return None
            chosen.append(found[0])
        return chosen

    exact = pick(lambda a: a.kind == total.kind)
    if exact is not None or len(lst.totals) > 1:
        return exact
    return pick(lambda a: PLAIN in (a.kind, total.kind))


def list_findings(doc: Document, pages: list[PageText], family: str,
                  config: CheckConfig = DEFAULT_CONFIG) -> list[Finding]:
    """Every numbered list under a stated total in the narrative whose items do not add up to it."""
    ctx = DocContext(doc, {}, {}, [], config)
    return [f for lst in numbered_lists(pages, family) for f in _list_findings(ctx, lst)]


def _list_findings(ctx: DocContext, lst: NumberedList) -> Iterator[Finding]:
    kinds = [t.kind for t in lst.totals]
    for total in lst.totals:
        if kinds.count(total.kind) > 1:
            continue  # two totals of one kind in the sentence: which the list explains is not said
        parts = _item_amounts(lst, total)
        if parts is None:
            continue
        check = check_sum(total.value, [p.value for p in parts], ctx.config.amount_tolerance)
        severity = severity_for(check.verdict)
        if severity is None:
            continue
        if check.verdict == Verdict.MISMATCH and lst.partial and check.difference > 0:
            continue  # the lead-in lists the main items only
        n = len(parts)
        pages = sorted({p for p in (total.page, *(a.page for a in parts)) if p is not None})
        where = f"pp. {pages[0]}–{pages[-1]}" if len(pages) > 1 else (f"p. {pages[0]}" if pages else
                                                                        f"section {lst.section or '?'}")
        if check.verdict == Verdict.MISMATCH:
            gap = ("undescribed by the list" if check.difference > 0 else "more than the total")
            msg = (f"the {n} items listed under the stated {_KIND_WORD[total.kind]} {total.printed} 万元 "
                   f"({where}) sum to {check.expected}: {abs(check.difference)} 万元 {gap}")
        else:
            msg = (f"the {n} items listed under the stated {_KIND_WORD[total.kind]} {total.printed} 万元 "
                   f"({where}) sum to {check.expected} (rounding)")
        evidence = (f"{lst.section or ''} “{lst.lead_in[-80:]}” "
                    + " ".join(f"{i.number}. {a.printed}" for i, a in zip(lst.items, parts, strict=True)))
        f = finding(ctx, RULE, severity, msg, expected=check.expected, actual=total.value,
                    difference=check.difference, evidence=evidence[:1000].strip())
        yield f.model_copy(update={"page": ";".join(map(str, pages)) or None})


__all__ = ["RULE", "list_findings"]
