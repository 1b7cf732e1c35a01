"""Checks that need the raw narrative page text (run at extraction time, kept by later re-checks).

The dataset holds narrative clauses only where a figure was read, so a placeholder such as
"收入支出总计XXX万元" (no figure) or a direction sentence after the figures is only visible in
the page text. ``text_findings`` is the optional hook the extraction stage calls with the
narrative pages; ``run_checks`` keeps its findings (rule ids in ``TEXT_RULES``) when it
re-runs over a stored dataset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from extractors.metadata import ORG_END
from extractors.numbers import parse_amount
from extractors.textforms import match_text
from pipeline.checks.config import DEFAULT_CONFIG, CheckConfig
from pipeline.checks.context import DocContext
from pipeline.checks.emit import finding
from pipeline.checks.rules_narrative import WORD_VS_BUDGET, direction_finding
from pipeline.checks.rules_structure import PLACEHOLDER, placeholder_message, placeholder_severity, year_findings
from schemas.records import Document, Finding, Severity

TEXT_RULES = ("structure.placeholder.text", "structure.placeholder.table", "structure.year.text", "structure.department.text",
              "narrative.direction.text", "narrative.parts_sum.text",
              "structure.glyphs")  # pages read from glyphs out of order or without Unicode (extractors/glyphs.py)

_BUDGET_ACTUAL = re.compile(r"预算(?:数)?为(-?[\d,]+(?:\.\d+)?)万元[，,]?(?:支出)?决算(?:数)?为(-?[\d,]+(?:\.\d+)?)万元")
_NEXT_ITEM = re.compile(r"预算(?:数)?为|(?<![\d.])\d{1,2}[、.．](?!\d)|[（(][一二三四五六七八九十]+[）)]")
_HEADING_DEPT = re.compile(r"([\u4e00-\u9fff（）()]{2,40}?)(20\d{2})年度(?:部门决算|收入支出总计|财政拨款收入支出总计)")


def text_findings(doc: Document, pages: Iterable[tuple[int | None, str]], config: CheckConfig = DEFAULT_CONFIG) -> list[Finding]:
    """Placeholders, years, department name and direction words in the narrative pages of one document."""
    ctx = DocContext(doc, {}, {}, [], config)
    out: list[Finding] = []
    seen: set[tuple] = set()
    for page_no, text in pages:
        s = match_text(text)
        for f in (*_placeholders(ctx, s, page_no), *_years(ctx, s, page_no), *_department(ctx, s, page_no),
                  *_directions(ctx, s, page_no)):
            key = (f.rule, f.page, f.message)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _at(f: Finding, page: int | None) -> Finding:
    """The finding on the page its text was read from."""
    return f.model_copy(update={"page": str(page) if page is not None else None})


def _placeholders(ctx: DocContext, s: str, page: int | None) -> Iterator[Finding]:
    for m in PLACEHOLDER.finditer(s):
        snippet = s[max(0, m.start() - 20): m.end() + 20]
        yield _at(finding(ctx, "structure.placeholder.text", placeholder_severity(s, m),
                          placeholder_message(m.group(0), "the narrative"), evidence=snippet), page)


def table_text_findings(doc: Document, texts: Iterable[tuple[int, str]], config: CheckConfig = DEFAULT_CONFIG) -> list[Finding]:
    """Placeholders in the text of table pages outside the cells: titles, 编制单位 / 单位 lines, notes
    ("编制单位：上海市普陀区XX局", "说明：上海市XX局本年度没有…")."""
    ctx = DocContext(doc, {}, {}, [], config)
    out: list[Finding] = []
    seen: set[tuple] = set()
    for page_no, text in texts:
        for line in text.split("\n"):
            s = match_text(line)
            for m in PLACEHOLDER.finditer(s):
                key = (page_no, m.group(0), s)
                if key in seen:
                    continue
                seen.add(key)
                out.append(_at(finding(ctx, "structure.placeholder.table", placeholder_severity(s, m),
                                       placeholder_message(m.group(0), "a table heading or note"),
                                       evidence=s[max(0, m.start() - 30): m.end() + 30]), page_no))
    return out


def _years(ctx: DocContext, s: str, page: int | None) -> Iterator[Finding]:
    for f in year_findings(ctx, "structure.year.text", s):
        yield _at(f, page)


def _department(ctx: DocContext, s: str, page: int | None) -> Iterator[Finding]:
    dept = match_text(ctx.doc.department or "")
    if not dept:
        return
    for m in _HEADING_DEPT.finditer(s):
        named = m.group(1)
        if named.endswith(dept) or not ORG_END.search(named) or dept.endswith(named):
            continue
        yield _at(finding(ctx, "structure.department.text", Severity.WARNING,
                          f"the narrative names “{named[-len(dept) - 4:]}” where the document is {dept}",
                          evidence=s[max(0, m.start() - 10): m.end() + 10]), page)


def _directions(ctx: DocContext, s: str, page: int | None) -> Iterator[Finding]:
    for m in _BUDGET_ACTUAL.finditer(s):
        tail = s[m.end(): m.end() + 120]
        nxt = _NEXT_ITEM.search(tail)
        tail = tail[: nxt.start()] if nxt else tail
        w = WORD_VS_BUDGET.search(tail)
        if not w or w.group(2):  # "基本持平" (roughly equal) is not a claim of equality
            continue
        word = w.group(1) or w.group(3)
        budget, actual = parse_amount(m.group(1)), parse_amount(m.group(2))
        for f in direction_finding(ctx, "narrative.direction.text", budget, actual, word,
                                   evidence=s[m.start(): m.end() + len(tail)][:200]):
            yield _at(f, page)
