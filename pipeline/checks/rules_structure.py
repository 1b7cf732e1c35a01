"""Structure: the nine tables are there, no template placeholders, one department and year throughout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from extractors.textforms import folded, match_text
from pipeline.checks.context import DocContext
from pipeline.checks.emit import finding
from pipeline.checks.registry import rule
from schemas.keys import NINE_TABLES, family_of
from schemas.records import DocStatus, DocType, Finding, Severity

# the words a template offers as a choice: "增加（减少）", "下降（增长）", "上升（下降）", "大于（小于）"
_CHOICE_WORDS = "增加|减少|增长|下降|上升|降低|提高|大于|小于|高于|低于"
# template text left in: XX / XXX / ××, 某某, {部门}, "增加（减少）"-style alternatives and template instructions
PLACEHOLDER = re.compile(
    r"(?<![A-Za-z])X{2,}(?![A-Za-z])|(?<![A-Za-z])X(?=\s*(?:万元|%|个|辆|人次|年度))|×{2,}|某某|\{[^{}]{0,16}\}"
    rf"|(?:{_CHOICE_WORDS})\((?:{_CHOICE_WORDS})\)"
    r"|如持平作持平表述|不涉及的不列"
)


_ALTERNATIVE = re.compile(rf"^(?:{_CHOICE_WORDS})\(")


def placeholder_message(found: str, where: str) -> str:
    """The finding's wording; a template alternative also says that the change it qualifies has no sign."""
    message = f"template placeholder “{found}” left in {where}"
    if _ALTERNATIVE.match(found):
        message += ": the direction of the change it qualifies is not stated (no sign assigned)"
    return message
_ZERO_AFTER = re.compile(r"^\s*0(?:\.0+)?\s*(?:万元|%|个|辆)")


def placeholder_severity(text: str, match: re.Match[str]) -> Severity:
    """Template alternatives before a zero ("增加（减少）0万元") are true either way: a warning, not an error."""
    if _ALTERNATIVE.match(match.group(0)) and _ZERO_AFTER.match(text[match.end():]):
        return Severity.WARNING
    return Severity.ERROR


def placeholders_in(text: str | None) -> list[tuple[str, str, Severity]]:
    """(placeholder, snippet around it, severity) in ``text``, after NFKC (full-width Ｘ and （） fold to ASCII)."""
    s = folded(text)
    return [(m.group(0), s[max(0, m.start() - 20): m.end() + 20], placeholder_severity(s, m))
            for m in PLACEHOLDER.finditer(s)]


@rule("structure.table.missing", "structure",
      "Each of the nine standard tables is present (a missing one is an error even when the table of contents lists "
      "it; one printed empty with its note is present).",
      severity="error per missing table; info when the source holds no tables at all (a narrative-only text)")
def missing_tables(ctx: DocContext, rid: str) -> Iterator[Finding]:
    d = ctx.doc
    if d.doc_type != DocType.FINAL_ACCOUNTS or d.status in (DocStatus.FAILED, DocStatus.NEEDS_OCR):
        return
    if not ctx.tables and not ctx.cells:
        yield finding(ctx, rid, Severity.INFO,
                      "no tables were read from this source (narrative only): table checks skipped")
        return
    for spec in NINE_TABLES:
        if not ctx.has_table(spec.key):
            yield finding(ctx, rid, Severity.ERROR,
                          f"table missing: {spec.key} ({spec.titles[0]}) not found in the document", table=spec.key,
                          evidence=f"found: {', '.join(sorted(ctx.tables)) or 'none'}")


@rule("structure.placeholder", "structure",
      "No template placeholder text (XX, ××, 某某, {部门}, 增加（减少）, 下降（增长）…) in the department name, table titles, "
      "row labels or narrative clauses.", severity="error")
def placeholders(ctx: DocContext, rid: str) -> Iterator[Finding]:
    seen: set[str] = set()

    def emit(where: str, text: str | None, **kw) -> Iterator[Finding]:
        for match, snippet, severity in placeholders_in(text):
            key = f"{where}|{snippet}"
            if key in seen:
                continue
            seen.add(key)
            yield finding(ctx, rid, severity, placeholder_message(match, where), evidence=snippet, **kw)

    yield from emit("the department name", ctx.doc.department)
    for t in ctx.tables.values():
        yield from emit(f"the title of {t.table}", t.title, table=t.table)
    for cells in ctx.cells.values():
        for c in cells:
            yield from emit(f"{c.table} row label", c.row, cells=[c], table=c.table, row=c.row)
    for f in ctx.facts:
        yield from emit("the narrative", f.text, facts=[f], metric=f.metric)
        yield from emit("the narrative", f.subject, facts=[f], metric=f.metric)


# (pattern, the year it names against the fiscal year, what): None is the family's report_date_offset
_YEAR_PATTERNS: list[tuple[re.Pattern[str], int | None, str]] = [
    (re.compile(r"截[至止](20\d{2})年(?:12月31日|底|末)"), None, "截至 … 年12月31日"),
    (re.compile(r"(20\d{2})年度?部门决算"), 0, "… 年度部门决算"),
    (re.compile(r"(20\d{2})年度?(?:收入支出|收、支|财政拨款收入支出|财政拨款收、支)总计"), 0, "… 年度收入支出总计"),
    (re.compile(r"与(20\d{2})年度?(?:决算)?相比"), -1, "与 … 年度相比"),
    (re.compile(r"比(20\d{2})年度?(?:决算数?)?(?:增加|减少|增长|下降|持平)"), -1, "比 … 年度"),
]


def year_findings(ctx: DocContext, rid: str, text: str, **kw) -> Iterator[Finding]:
    """Years that contradict the document's fiscal year (the report date, the comparison year)."""
    year = ctx.doc.fiscal_year
    if year is None:
        return
    s = match_text(text)
    family = family_of(ctx.doc.doc_type)
    for pattern, fixed, what in _YEAR_PATTERNS:
        offset = fixed if fixed is not None else family.report_date_offset if family is not None else 0
        for m in pattern.finditer(s):
            printed = int(m.group(1))
            if printed != year + offset:
                snippet = s[max(0, m.start() - 20): m.end() + 10]
                yield finding(ctx, rid, Severity.ERROR,
                              f"year {printed} in “{what}” contradicts the fiscal year {year} (expected {year + offset})",
                              expected=Decimal(year + offset), actual=Decimal(printed),
                              difference=Decimal(printed - (year + offset)),
                              evidence=snippet, **kw)


@rule("structure.year", "structure",
      "The fiscal year is consistent: 截至 … 年12月31日, … 年度部门决算 and totals name the fiscal year; comparisons "
      "name the year before.", severity="error")
def years(ctx: DocContext, rid: str) -> Iterator[Finding]:
    seen: set[str] = set()
    for f in ctx.facts:
        if f.text in seen:
            continue
        seen.add(f.text)
        yield from year_findings(ctx, rid, f.text, facts=[f], metric=f.metric)
