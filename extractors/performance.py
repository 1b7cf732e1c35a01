"""Performance forms of a document → ``PerformanceForm`` / ``PerformanceIndicator`` records.

Forms come from text lines (``performance_text``: a .txt disclosure or a PDF's unruled pages) or
from ruled grids (``performance_grid``). The narrative restates each form (自评得分, 预算数,
执行数, 执行率, "共设置 N 项绩效指标，M 项实现") in its 自评结果 summary and in the section on
performance; those statements are kept on the form (``stated_*``) for the checks, and a form
the narrative announces (《…自评表》见附件 N) but the document does not print becomes a row with
status ``missing``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from extractors.perf_values import parse_value
from extractors.performance_rows import RawRow, layout
from extractors.performance_text import YEAR, TextForm, find_forms, read_form
from extractors.text import PageText
from extractors.textforms import match_text

if TYPE_CHECKING:
    from extractors.performance_grid import PerformanceReader as GridReader
from schemas.records import PerformanceForm, PerformanceIndicator, source_fields

TITLE_SIMILARITY = 0.5  # announced vs printed title: the Hongshan ten score ≥ 0.6 when they name the same form, 0.1 when not
NARRATIVE_ITEM_MAX_CHARS = 1500  # a narrative item restating one project: the longest in the corpus is ~900 characters
_AMOUNT = r"(\d[\d,]*(?:\.\d+)?)"
_STATED = {
    "score": re.compile(r"(?:自评|综合|评价)?得分(?:为|是)?" + _AMOUNT + r"分"),
    "funds_total": re.compile(r"(调整后预算数|全年预算数|预算总额|预算数|年度资金总额)(?:为|是)?" + _AMOUNT + r"万元"),
    "executed": re.compile(r"((?:预算)?执行数|实际支出)(?:为|是)?" + _AMOUNT + r"万元"),
    "rate": re.compile(r"(?:预算执行率|执行率|完成预算(?:的)?)(?:为|是)?" + _AMOUNT + r"[%％]"),
    "counts": re.compile(r"共设置(\d+)(?:项|个)绩效指标[，,](?:其中)?(?:完成了?|实现了?)?(\d+)(?:项|个)"),
}
_NOT_WHOLE = ("基本支出", "项目支出", "年初")  # "基本支出预算数 3084.70万元" is not the form's total


@dataclass
class Statements:
    score: Decimal | None = None
    funds_total: Decimal | None = None
    executed: Decimal | None = None
    rate: Decimal | None = None
    indicators_set: int | None = None
    indicators_met: int | None = None
    pages: set[int] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)

    def fill(self, other: Statements) -> None:
        """Take what this one lacks from ``other`` (a less direct source)."""
        for k in ("score", "funds_total", "executed", "rate", "indicators_set", "indicators_met"):
            if getattr(self, k) is None and getattr(other, k) is not None:
                setattr(self, k, getattr(other, k))
        if other.texts:
            self.pages |= other.pages
            self.texts += other.texts


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def statements(text: str, pages: Iterable[int] = ()) -> Statements:
    """What a restating clause says about a form: 自评得分, 预算/执行数 (万元), 执行率, indicator counts."""
    s = match_text(text)
    out = Statements(pages=set(pages))
    m = _STATED["score"].search(s)
    out.score = _dec(m.group(1)) if m else None
    for key in ("funds_total", "executed"):
        hits = [h for h in _STATED[key].finditer(s) if not s[max(0, h.start() - 4):h.start() + 2].endswith(_NOT_WHOLE)
                and not any(w in s[max(0, h.start() - 4):h.end()] for w in _NOT_WHOLE)]
        if key == "funds_total":
            hits.sort(key=lambda h: h.group(1) != "调整后预算数")  # the adjusted budget is what execution is measured on
        if hits:
            setattr(out, key, _dec(hits[0].group(2)))
    m = _STATED["rate"].search(s)
    out.rate = _dec(m.group(1)) if m else None
    m = _STATED["counts"].search(s)
    if m:
        out.indicators_set, out.indicators_met = int(m.group(1)), int(m.group(2))
    if any(getattr(out, k) is not None for k in ("score", "funds_total", "executed", "rate", "indicators_set")):
        out.texts.append(s[:300])
    return out


@dataclass
class NarrativeItem:
    """A narrative paragraph restating one project (N.XX项目绩效自评综述：…见附件 M)."""

    name: str
    annex: str | None
    stated: Statements


def narrative_items(text: str, page: int | None) -> list[NarrativeItem]:
    s = match_text(text)
    starts = list(re.finditer(layout()["narrative_item"], s))
    out = []
    for n, m in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else min(len(s), m.end() + NARRATIVE_ITEM_MAX_CHARS)
        body = s[m.start():end]
        annex = re.search(r"见附件(\d{1,2})", body)
        out.append(NarrativeItem(m.group(1), annex.group(1) if annex else None,
                                 statements(body, [page] if page is not None else [])))
    return out


def announcements(text: str) -> list[tuple[str, str]]:
    """(title, annex number) of every form the narrative says is printed as 附件 N."""
    return [(m.group(1), m.group(2)) for m in re.finditer(layout()["announce"], match_text(text))]


def _core(title: str) -> str:
    """A title without year, kind words and brackets, for comparing an announced and a printed title."""
    s = re.sub(r"20\d{2}年度?", "", match_text(title))
    for w in ("部门整体", "项目", "专项", "绩效", "自评表", "自评结果", "评价表", "目标表", "部门", "单位", "整体", "(", ")"):
        s = s.replace(w, "")
    return s


def same_form_title(a: str, b: str) -> bool:
    x, y = _core(a), _core(b)
    return x == y or x in y or y in x or difflib.SequenceMatcher(None, x, y).ratio() >= TITLE_SIMILARITY


def _name_key(name: str | None) -> str:
    s = match_text(name or "")
    s = re.sub(r"^20\d{2}年度?", "", s)
    return s.removesuffix("项目").removesuffix("专项")


@dataclass
class FormDraft:
    """A form as read, before it becomes records: the text and grid readers both produce these."""

    kind: str
    title: str
    pages: list[int]
    source: str
    annex: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, str | None] = field(default_factory=dict)  # column → printed number
    texts: dict[str, str | None] = field(default_factory=dict)  # overall_target, overall_result, deviation_reason, improvement
    rows: list[RawRow] = field(default_factory=list)
    lead: Statements = field(default_factory=Statements)
    unit_shift: int = 0  # -4 when the form prints 元 (to 万元)
    status: str = "ok"
    note: str | None = None
    score_rule: str | None = None


def draft_of_text_form(f: TextForm) -> FormDraft:
    return FormDraft(
        kind=f.kind, title=f.title, pages=f.pages, source="text-lines", annex=f.annex, fields=f.fields,
        values={"funds_total": f.funds_total, "executed": f.executed, "execution_rate_pct": f.rate,
                "execution_weight": f.execution_weight, "execution_score": f.execution_score,
                "total_score": f.total_score, "overall_weight": f.overall_weight, "overall_score": f.overall_score},
        texts={"overall_target": f.overall_target, "overall_result": f.overall_result,
               "deviation_reason": f.deviation_reason, "improvement": f.improvement},
        rows=f.rows, lead=statements(f.lead, f.lead_pages) if f.lead else Statements(), score_rule=f.score_rule,
    )


def text_forms(pages: list[PageText]) -> tuple[list[FormDraft], list[tuple[int | None, str]]]:
    """Forms printed as text lines, and the lines outside them (the narrative)."""
    lines = [(p.page, line) for p in pages for line in p.text.split("\n")]
    forms = find_forms(lines)
    drafts = [draft_of_text_form(read_form(f, lines)) for f in forms]
    inside = {i for f in forms for i in range(f.start, f.end)}
    return drafts, [ln for i, ln in enumerate(lines) if i not in inside]


def read_text_forms(doc_id: str, fiscal_year: int | None, pages: list[PageText]) -> tuple[list[PerformanceForm], list[PerformanceIndicator]]:
    """The forms of a text source (and of PDF pages read as text lines), as records."""
    drafts, narrative = text_forms(pages)
    if not drafts and not any("见附件" in t for _, t in narrative):
        return [], []
    return build_records(doc_id, fiscal_year, drafts, narrative)


def pdf_forms(doc_id: str, fiscal_year: int | None, reader: GridReader,
              narrative: list[PageText]) -> tuple[list[PerformanceForm], list[PerformanceIndicator]]:
    """The forms a PDF prints as ruled grids, joined to what its narrative pages say about them."""
    drafts = reader.drafts()
    lines = [(p.page, line) for p in narrative for line in p.text.split("\n")]
    if not drafts and not any("见附件" in t for _, t in lines):
        return [], []
    return build_records(doc_id, fiscal_year, drafts, lines)


def _amount(text: str | None, shift: int = 0) -> Decimal | None:
    if text in (None, ""):
        return None
    v = _dec(str(text).replace("%", "").replace("％", ""))
    return None if v is None else v.scaleb(shift)


def build_records(doc_id: str, fiscal_year: int | None, drafts: list[FormDraft],
                  narrative: list[tuple[int | None, str]]) -> tuple[list[PerformanceForm], list[PerformanceIndicator]]:
    """Records of the forms, with the narrative's statements and announcements joined to them."""
    by_page: dict[int | None, list[str]] = {}
    for page, t in narrative:
        by_page.setdefault(page, []).append(t)
    items: list[NarrativeItem] = []
    announced: list[tuple[str, str]] = []
    for page, texts in by_page.items():
        text = "\n".join(texts)
        items += narrative_items(text, page)
        announced += announcements(text)
    forms: list[PerformanceForm] = []
    indicators: list[PerformanceIndicator] = []
    for n, d in enumerate(drafts, start=1):
        form_id = f"{doc_id}-{n:02d}"
        stated = _stated_for(d, items)
        title_announced = next((t for t, a in announced if d.annex is not None and a == d.annex), None)
        year = YEAR.search(d.title)
        scope = "department" if any(w in d.title for w in layout()["department_scope"]) else "project"
        v = d.values
        forms.append(PerformanceForm(
            doc_id=doc_id, form_id=form_id, kind=d.kind, scope=scope,
            project=d.fields.get("project") if scope == "project" else None,
            department=d.fields.get("department"), implementing_unit=d.fields.get("implementing_unit"),
            fiscal_year=int(year.group(1)) if year else fiscal_year,
            funds_total=_amount(v.get("funds_total"), d.unit_shift), funds_fiscal=_amount(v.get("funds_fiscal"), d.unit_shift),
            executed=_amount(v.get("executed"), d.unit_shift), execution_rate_pct=_amount(v.get("execution_rate_pct")),
            execution_weight=_amount(v.get("execution_weight")), execution_score=_amount(v.get("execution_score")),
            total_score=_amount(v.get("total_score")), funds_initial=_amount(v.get("funds_initial"), d.unit_shift),
            overall_weight=_amount(v.get("overall_weight")), overall_score=_amount(v.get("overall_score")),
            overall_target=d.texts.get("overall_target"), overall_result=d.texts.get("overall_result"),
            deviation_reason=d.texts.get("deviation_reason"), improvement=d.texts.get("improvement"),
            pages=tuple(d.pages), title=d.title, annex=d.annex, announced_title=title_announced,
            n_indicators=len(d.rows), stated_score=stated.score, stated_funds_total=stated.funds_total,
            stated_executed=stated.executed, stated_rate_pct=stated.rate,
            stated_indicators_set=stated.indicators_set, stated_indicators_met=stated.indicators_met,
            stated_pages=tuple(sorted(stated.pages)), stated_text=" | ".join(stated.texts) or None,
            score_rule=d.score_rule, source=d.source, status=d.status, note=d.note,
        ))
        indicators += [_indicator(doc_id, form_id, i, r) for i, r in enumerate(d.rows, start=1)]
    printed = {d.annex for d in drafts if d.annex}
    for title, annex in announced:
        if annex in printed:
            continue
        printed.add(annex)
        forms.append(PerformanceForm(
            doc_id=doc_id, form_id=f"{doc_id}-a{annex}", kind="target" if "目标" in title else "self_evaluation",
            scope="department" if any(w in title for w in layout()["department_scope"]) else "project",
            title=title, annex=annex, announced_title=title, fiscal_year=fiscal_year, status="missing",
            note=f"the narrative announces 《{title}》 as 附件 {annex}; no such form was found in the document",
        ))
    return forms, indicators


def _stated_for(d: FormDraft, items: list[NarrativeItem]) -> Statements:
    """The narrative item about this form (by 附件 number, else by project name), then its own summary."""
    key = _name_key(d.fields.get("project"))
    mine = [i for i in items if d.annex is not None and i.annex == d.annex]
    if not mine and key:
        mine = [i for i in items if i.annex is None and (_name_key(i.name) == key or (len(key) >= 4 and key in _name_key(i.name)))]
    out = Statements()
    for i in mine[:1]:
        out.fill(i.stated)
    out.fill(d.lead)
    return out


def _indicator(doc_id: str, form_id: str, order: int, r: RawRow) -> PerformanceIndicator:
    t, a = parse_value(r.target), parse_value(r.actual)
    return PerformanceIndicator(
        doc_id=doc_id, form_id=form_id, order=order, level1=r.level1 or None, level2=r.level2 or None,
        indicator=r.name, weight=_amount(r.weight), target_text=t.text or None, target_op=t.op,
        target_value=t.number, target_unit=t.unit, actual_text=a.text or None, actual_op=a.op,
        actual_value=a.number, actual_unit=a.unit, score=_amount(r.score), deviation_reason=r.deviation_reason, page=r.page,
        level1_weight=_amount(r.level1_weight), level2_weight=_amount(r.level2_weight),
        weight_from=r.weight_from, group=r.group, **source_fields(r.conf),
    )

