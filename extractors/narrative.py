"""Every figure stated in the explanatory narrative (情况说明) as a NarrativeFact.

Each number with a unit is read where it stands; what it is (the metric) follows from the
section it is in (by heading wording), the words just before it ("年初预算为", "占", "减少")
and the figures before it in the same sentence ("占 X%" is the share of the amount just
stated). A figure that fits no metric is kept as ``other`` with its clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from extractors.figures import level_mentions, mentions
from extractors.narrative_family import FINAL_ACCOUNTS, NarrativeFamily, narrative_family
from extractors.sections import Context, narrative_span, paragraphs_of, walk
from extractors.text import HEADING, PageText
from extractors.vocab import last_term
from schemas.keys import NARRATIVE_METRICS, MetricKey
from schemas.records import NarrativeFact

OTHER = "other"


# a page number the text layer kept among the lines ("— 44 —", "- 3 -", "第 3 页"); a bare
# number is not dropped: it may be a table's row number printed as its own line
PRINTED_PAGE_NUMBER = re.compile(
    r"^\s*(?:[—\-–－]{1,2}\s*\d{1,4}\s*[—\-–－]{1,2}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?)\s*$"
)


def _without_page_numbers(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not PRINTED_PAGE_NUMBER.match(line))


def pages_from_text(text: str) -> list[PageText]:
    """A plain-text narrative (e.g. a PDF's text layer saved as .txt) as pages.

    Form feeds separate pages when the text has them; otherwise the text is one unnumbered page.
    Page numbers left among the lines are dropped, as they are from a PDF's margins: without a
    form feed before them they would fall into the sentence running over the page break.
    """
    if "\f" in text:
        return [PageText(i, _without_page_numbers(t)) for i, t in enumerate(text.split("\f"), start=1)]
    return [PageText(None, _without_page_numbers(text))]


@dataclass(frozen=True)
class _Figure:
    """One stated figure with the words around it."""

    value: Decimal
    unit: str
    lead: str  # words from the clause start (or the previous figure) up to the figure
    window: str  # the sentence segment (split at 。；) up to the figure
    sentence: str  # the whole sentence up to the figure
    change: int  # -1 decrease, +1 increase, 0 none
    level: bool  # stated as 持平
    # the sentence, with the one before when it opens with 其中 (it lists that sentence's parts:
    # "…支出 X 万元。其中：基本支出 Y 万元"): what a rule's ``sentence`` pattern is searched in
    context: str = ""


@dataclass(frozen=True)
class _Stated:
    metric: str
    subject: str
    unit: str


_CHANGE = re.compile(r"(增加|减少|增长|下降|降低|上升|减|增|节约|压减|节支|超支|增幅|降幅|减幅)(?:（[^（）]*）)?了?(?:为|约|达)?$")
_DOWN = ("减少", "下降", "降低", "减", "节约", "压减", "节支", "降幅", "减幅")
_LEAD_TRIM = re.compile(r"^(?:[、，和及与]|其中|另外|此外|本年度|本部门)+")
_YEAR_PREFIX = re.compile(r"^.*?\d{4}年度?")
_BUDGET = re.compile(r"(?:年初预算|全年预算|预算数?)(?:数)?(?:为|是)?$")
_ACTUAL = re.compile(r"(?:支出决算|决算数?|决算支出|执行数?|实际支出)(?:数)?(?:为|是)?$")
_ITEM_PATH = re.compile(r"(.+?)（类）(?:(.+?)（款）)?(.+?)（项）")
_VS_BUDGET = re.compile(r"预算数|年初预算|全年预算|与预算|预算基本|预决算")
# a per-unit average stated after the amount (…运行维护费支出 40.61 万元，平均每辆 2.71 万元; 人均 X 万元): not the amount
_PER_UNIT = re.compile(r"(?:平均|人均|车均|户均)(?:每(?:辆|台|人次?|批次?|次|团组?)(?:车)?)?(?:为|约|达)?$|每(?:辆|台|人次?|批次?|次|团组?)(?:车)?平均(?:为|约|达)?$")
_SHARE_OF: dict[str, MetricKey] = {
    MetricKey.income_item: MetricKey.income_item_share_pct,
    MetricKey.expenditure_item: MetricKey.expenditure_item_share_pct,
    MetricKey.gpb_expenditure: MetricKey.gpb_expenditure_share_pct,
    MetricKey.gpb_class_amount: MetricKey.gpb_class_share_pct,
    MetricKey.procurement_sme: MetricKey.procurement_sme_pct,
}
_COMPLETION_OF: dict[str, MetricKey] = {
    MetricKey.three_public_actual: MetricKey.three_public_completion_pct,
    MetricKey.gpb_actual: MetricKey.gpb_completion_pct,
    MetricKey.three_public_budget: MetricKey.three_public_completion_pct,
    MetricKey.gpb_budget_initial: MetricKey.gpb_completion_pct,
}
_CHANGE_PCT_OF: dict[str, MetricKey] = {  # "X 万元，同比下降 Y%": the change of the amount just stated
    MetricKey.total_income_expenditure: MetricKey.total_income_expenditure_change_pct,
    MetricKey.income_total: MetricKey.income_total_change_pct,
    MetricKey.expenditure_total: MetricKey.expenditure_total_change_pct,
    MetricKey.fiscal_total: MetricKey.fiscal_total_change_pct,
    MetricKey.gpb_expenditure: MetricKey.gpb_expenditure_change_pct,
    MetricKey.three_public_actual: MetricKey.three_public_change_pct,
    MetricKey.operating_costs: MetricKey.operating_costs_change_pct,
}
_TP_ACTUAL: dict[str, MetricKey] = {
    "tp_total": MetricKey.three_public_actual,
    "tp_overseas": MetricKey.overseas_actual,
    "tp_vehicle": MetricKey.vehicle_actual,
    "tp_vehicle_purchase": MetricKey.vehicle_purchase_actual,
    "tp_vehicle_operation": MetricKey.vehicle_operation_actual,
    "tp_reception": MetricKey.reception_actual,
}
_LEVEL_CHANGE: dict[str, MetricKey] = {
    "totals": MetricKey.total_income_expenditure_change,
    "income": MetricKey.income_total_change,
    "expenditure": MetricKey.expenditure_total_change,
    "fiscal": MetricKey.fiscal_total_change,
    "gpb": MetricKey.gpb_expenditure_change,
    "operating": MetricKey.operating_costs_change,
}


# a template's choice of words left in ("增加（减少）", "下降（增长）"): the change it qualifies has no stated sign
_CHOICE = "增加|减少|增长|下降|上升|降低|提高"
_UNSIGNED = re.compile(rf"(?:{_CHOICE})[（(](?:{_CHOICE})[）)]了?(?:为|约|达)?$")


def _change_of(lead: str) -> int:
    m = _CHANGE.search(lead)
    if not m:
        return 0
    return -1 if m.group(1) in _DOWN else 1


_NUMBERING = re.compile(r"^(?:\d{1,2}[、.．]|[（(]\d{1,2}[）)]|[（(][一二三四五六七八九十]+[）)])")


def _clean_lead(lead: str) -> str:
    lead = _NUMBERING.sub("", lead.strip("，。；：、 "))
    return _LEAD_TRIM.sub("", lead)


def _item_path(item: str) -> str | None:
    m = _ITEM_PATH.search(item)
    if not m:
        return None
    parts = [p.strip("。，；： ") for p in m.groups() if p]
    parts[0] = _clean_lead(re.split(r"[：，。；]", parts[0])[-1])
    return "/".join(parts)


def _class_name(lead: str) -> str | None:
    term = last_term(lead, "class")
    if "（类）" in lead:
        name = _clean_lead(lead.replace("（类）", ""))
        name = re.sub(r"^.*?[：:]", "", name)
        return name.strip("，、 ") or (term[0] if term else None)
    return term[0] if term else None


# ---- one handler per topic: (metric, subject) or None for ``other`` -------------------------------------

def _amount_totals(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    if f.change:
        return MetricKey.total_income_expenditure_change, ""
    if "总计" in f.lead:
        return MetricKey.total_income_expenditure, ""
    return None


def _amount_income(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    if f.change:
        return (MetricKey.income_total_change, "") if "合计" in f.lead or (prev and prev[-1].metric == MetricKey.income_total) else None
    if "收入合计" in f.lead or f.lead.endswith("合计"):
        return MetricKey.income_total, ""
    term = last_term(f.lead, "income", "source")
    return (MetricKey.income_item, term[0]) if term else None


def _amount_expenditure(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    if f.change:
        return (MetricKey.expenditure_total_change, "") if "合计" in f.lead or (prev and prev[-1].metric == MetricKey.expenditure_total) else None
    if "支出合计" in f.lead or f.lead.endswith("合计"):
        return MetricKey.expenditure_total, ""
    term = last_term(f.lead, "expend")
    return (MetricKey.expenditure_item, term[0]) if term else None


def _amount_fiscal(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    if f.change:
        if "总计" in f.lead or (prev and prev[-1].metric == MetricKey.fiscal_total):
            return MetricKey.fiscal_total_change, ""
        return None
    if "总计" in f.lead:
        return MetricKey.fiscal_total, ""
    term = last_term(f.lead, "source")
    if term:
        source = next(s for s in ("一般公共预算", "政府性基金预算", "国有资本经营预算") if term[0].startswith(s))
        return MetricKey.fiscal_income_by_source, source
    return None


def _amount_gpb(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    path = _item_path(f.sentence) or _item_path(ctx.item)
    if path:
        if _BUDGET.search(f.lead) and ("年初预算" in f.lead or "年初预算" not in f.sentence):
            return MetricKey.gpb_item_budget_initial, path
        if _ACTUAL.search(f.lead):
            return MetricKey.gpb_item_actual, path
        return None
    if f.change:
        return MetricKey.gpb_expenditure_change, ""
    if _BUDGET.search(f.lead):
        return (MetricKey.gpb_budget_initial, "") if "年初预算" in f.lead else None
    if _ACTUAL.search(f.lead):
        return MetricKey.gpb_actual, ""
    if "（类）" in f.lead or last_term(f.lead, "class"):
        name = _class_name(f.lead)
        return (MetricKey.gpb_class_amount, name) if name else None
    if "一般公共预算财政拨款支出" in f.lead or "财政拨款支出" in f.lead:
        return MetricKey.gpb_expenditure, ""
    return None


def _amount_basic(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    if f.change:
        return None
    term = last_term(f.lead, "personnel", "public", "expend")
    if term and term[1] == "personnel":
        return MetricKey.basic_personnel, ""
    if term and term[1] == "public":
        return MetricKey.basic_public, ""
    if term and term[0] == "基本支出":
        return MetricKey.basic_expenditure, ""
    return None


def _amount_fund(f: _Figure, ctx: Context, prev: list[_Stated], income: str | None, expenditure: str) -> tuple[str, str] | None:
    if f.change or ctx.item or "决算为" in f.lead or "结转" in f.lead or "结余" in f.lead or "预算为" in f.lead:
        return None
    if f.lead.startswith("支出"):
        return expenditure, ""
    if f.lead.endswith("收入") or "收入" in f.lead and "支出" not in f.lead:
        return (income, "") if income else None
    if "支出" in f.lead:
        return expenditure, ""
    return None


def _three_public_category(f: _Figure, ctx: Context) -> str:
    for text in (f.sentence, ctx.item[:30], ctx.l2_title):
        term = last_term(text, "tp_")
        if term:
            return term[1]
    return "tp_total"


def _three_public(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    category = _three_public_category(f, ctx)
    if f.unit == "辆":
        return (MetricKey.vehicles_held, "") if "保有" in f.lead else None
    if f.unit in ("个", "批次", "批", "人次", "人"):
        persons = f.unit in ("人次", "人")
        if category == "tp_overseas":
            return (MetricKey.overseas_persons, "") if persons else (MetricKey.overseas_groups, "")
        if category.startswith("tp_reception"):
            return (MetricKey.reception_persons, "") if persons else (MetricKey.reception_batches, "")
        return None
    if f.unit != "万元" or _PER_UNIT.search(f.lead):
        return None
    if f.change or f.level:
        vs_budget = bool(_VS_BUDGET.search(f.lead))
        return (MetricKey.three_public_change, "") if category == "tp_total" and not vs_budget else None
    if _BUDGET.search(f.lead) or "预算" in f.lead[-6:]:
        return (MetricKey.three_public_budget, "") if category == "tp_total" else None
    metric = _TP_ACTUAL.get(category)
    return (metric, "") if metric else None


def _amount_procurement(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    window = f.window
    if "中小企业" in window and "小微" not in window and re.search(r"授予|中标|成交", window):
        return MetricKey.procurement_sme, ""
    if re.search(r"中小企业|小微|预留", window):
        return None
    lead = f.lead
    if "货物" in lead:
        return MetricKey.procurement_goods, ""
    if "工程" in lead:
        return MetricKey.procurement_works, ""
    if "服务" in lead:
        return MetricKey.procurement_services, ""
    if re.search(r"总额|采购金额|采购支出|政府采购", lead):
        return MetricKey.procurement_total, ""
    return None


def _performance(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    lead = f.lead
    if re.search(r"评级|等级|得分|问题|整改|指标", lead):
        return None
    if f.unit == "个" and re.search(r"项目(?:数|数量)?(?:为|共)?$", lead):
        return MetricKey.performance_projects, ""
    if f.unit == "万元" and re.search(r"涉及(?:预算)?(?:金额|资金)|^资金|预算金额", lead) and not re.search(r"全年预算数|执行数", lead):
        return MetricKey.performance_amount, ""
    return None


def _amount_operating(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    if f.change:
        return MetricKey.operating_costs_change, ""
    return (MetricKey.operating_costs, "") if "机关运行经费" in f.sentence else None


# an amount in 万元 under a section topic → the reader of that section's amounts
_AMOUNT_BY_TOPIC: dict[str, Callable[[_Figure, Context, list[_Stated]], tuple[str, str] | None]] = {
    "totals": _amount_totals,
    "income": _amount_income,
    "expenditure": _amount_expenditure,
    "fiscal": _amount_fiscal,
    "gpb": _amount_gpb,
    "basic": _amount_basic,
    "fund": partial(_amount_fund, income=MetricKey.government_fund_income, expenditure=MetricKey.government_fund_expenditure),
    "state_capital": partial(_amount_fund, income=None, expenditure=MetricKey.state_capital_expenditure),
    "operating": _amount_operating,
    "procurement": _amount_procurement,
}


def _classify(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    topic = ctx.topic
    if f.unit == "%":
        return _percent(f, ctx, prev)
    if topic == "three_public":
        return _three_public(f, ctx, prev)
    if topic == "performance":
        return _performance(f, ctx, prev)
    if topic == "assets":
        if f.unit == "辆" and re.search(r"共有车辆|车辆总数|车辆合计", f.lead):
            return MetricKey.vehicles_total, ""
        return None
    if f.level:
        metric = _LEVEL_CHANGE.get(topic or "")
        if topic == "gpb" and _item_path(ctx.item):
            return None
        return (metric, "") if metric and not _VS_BUDGET.search(f.window[-30:]) else None
    if f.unit != "万元":
        return None
    amount = _AMOUNT_BY_TOPIC.get(topic or "")
    return amount(f, ctx, prev) if amount else None


def _percent(f: _Figure, ctx: Context, prev: list[_Stated]) -> tuple[str, str] | None:
    last = next((p for p in reversed(prev) if p.unit == "万元"), None)
    if "占" in f.lead or re.search(r"比重|比例", f.lead):
        if last and last.metric in _SHARE_OF:
            return _SHARE_OF[last.metric], last.subject
        return None
    if "完成" in f.lead or "执行率" in f.lead:
        if last and last.metric in _COMPLETION_OF:
            if ctx.topic == "three_public" and _three_public_category(f, ctx) != "tp_total":
                return None
            return _COMPLETION_OF[last.metric], ""
        return None
    if f.change and last:
        metric = f"{last.metric}_pct" if last.metric.endswith("_change") else _CHANGE_PCT_OF.get(last.metric, "")
        return (metric, last.subject) if metric in NARRATIVE_METRICS else None
    return None


def _other_subject(f: _Figure, ctx: Context, prev: list[_Stated]) -> str:
    lead = _YEAR_PREFIX.sub("", _clean_lead(f.lead)) if re.match(r"^.{0,30}\d{4}年", f.lead) else _clean_lead(f.lead)
    generic = len(lead) < 4 or re.match(r"^(?:占|完成|比|较|下降|增长|增加|减少|降低|累计|共|为|达|支出决算|决算|年初预算|全年预算|预算)", lead)
    if generic:
        context = prev[-1].subject if prev and prev[-1].subject else ""
        if not context and ctx.item:
            context = re.split(r"[，。；：]", ctx.item)[0][:30]
        if not context:
            context = ctx.l2_title[:30]
        lead = f"{context} {lead}".strip()
    if f.level and "持平" not in lead:
        lead = f"{lead} 持平".strip()
    return lead[:80]


_SENTENCE = re.compile(r"[^。！？]*[。！？]?")
_SEGMENT = re.compile(r"[^；。！？]*[；。！？]?")
_CLAUSE_BREAKS = "，。；：！？"


def _segments(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SEGMENT.finditer(text) if m.group().strip()]


_PARTS_OF_PREVIOUS = re.compile(r"\s*其中")


def _with_whole(text: str, sentences: list[tuple[int, int]], s0: int, start: int) -> str:
    """The sentence up to ``start``, preceded by the sentence before it when it opens with 其中."""
    if _PARTS_OF_PREVIOUS.match(text, s0):
        before = [(a, b) for a, b in sentences if b <= s0]
        if before:
            return text[before[-1][0]:start]
    return text[s0:start]


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def extract_facts(pages: list[PageText], doc_id: str, family: str = FINAL_ACCOUNTS) -> list[NarrativeFact]:
    """Figures of the narrative part of a document of ``family`` (final accounts, budget), in reading order."""
    fam = narrative_family(family)
    pars = paragraphs_of(pages, fam if fam.parts else None)
    start, end = narrative_span(pars, fam)
    facts: list[NarrativeFact] = []
    walked = list(walk(pars[start:end], fam))
    carry: list[_Stated] = []
    for i, (par, ctx) in enumerate(walked):
        following = walked[i + 1][0].text if i + 1 < len(walked) else ""
        # budgets: a paragraph that is no heading may say how the amount just stated changed
        history = carry if fam.reader != FINAL_ACCOUNTS and not HEADING.match(par.text) else []
        found = _paragraph_facts(par.text, par.page_at, ctx, doc_id, fam, following, history)
        facts.extend(found)
        carry = [_Stated(f.metric, f.subject or "", f.unit) for f in found[-1:]] or carry
    return facts


def _levels(text: str, fam: NarrativeFamily) -> list[int]:
    """Offsets of "no change" stated in the family's wording (持平; budgets also 与上年数一致 …)."""
    return level_mentions(text, fam.level)


def _reason(text: str, after: int, until: int, following: str, reason) -> str:
    """The "主要原因…" sentence stated after a change (before the next figure, or opening the next paragraph)."""
    m = reason.search(text, after, until)
    if m:
        end = text.find("。", m.start())
        return text[m.start():end if end >= 0 else len(text)]
    if until >= len(text) and following and reason.match(following):
        end = following.find("。")
        return following[:end if end >= 0 else len(following)]
    return ""


def _paragraph_facts(text: str, page_at, ctx: Context, doc_id: str, fam: NarrativeFamily | None = None,
                     following: str = "", history: list[_Stated] | None = None) -> list[NarrativeFact]:
    fam = fam or narrative_family(FINAL_ACCOUNTS)
    budget_like = fam.reader != FINAL_ACCOUNTS
    masked = fam.mask.sub(lambda m: "□" * len(m.group()), text) if fam.mask else text
    found = [(m.start, m.end, m.value, m.unit, False) for m in mentions(masked)]
    found += [(i, i + 2, Decimal(0), "万元", True) for i in _levels(text, fam)]
    found.sort()
    segments = _segments(text)
    sentences = _sentences(text)
    out: list[NarrativeFact] = []
    prev: list[_Stated] = []
    history = list(history or [])  # every figure of the paragraph so far (a change may follow in the next sentence)
    sentence_at = -1
    last_end = 0
    for n, (start, stop, value, unit, level) in enumerate(found):
        s0, s1 = next(((a, b) for a, b in sentences if a <= start < b), (0, len(text)))
        if s0 != sentence_at:
            sentence_at, prev, last_end = s0, [], s0
        g0, g1 = next(((a, b) for a, b in segments if a <= start < b), (s0, s1))
        clause_start = max((text.rfind(ch, s0, start) for ch in _CLAUSE_BREAKS), default=-1) + 1
        lead_from = max(clause_start, last_end, s0)
        lead = text[lead_from:start].strip()
        if level and not budget_like and _VS_BUDGET.search(text[clause_start:start]):
            last_end = stop
            continue
        unsigned = _UNSIGNED.search(lead)
        change = 0 if unsigned or ctx.topic in fam.no_change_topics else _change_of(lead)
        f = _Figure(value, unit, lead, text[max(g0, last_end):start], text[s0:start], change, level,
                    _with_whole(text, sentences, s0, start))
        if budget_like:
            found_metric = None if unsigned else READERS[fam.reader](f, ctx, prev, history, fam)
            if level and found_metric is None:
                last_end = stop
                continue  # "一致" / "无变化" stated of no figure: wording, not a fact
        else:
            found_metric = None if unsigned else _classify(f, ctx, prev)
        metric, subject = found_metric if found_metric else (OTHER, _other_subject(f, ctx, prev))
        if unsigned:  # never a signed change metric: kept as printed, the subject says why
            subject = f"{subject[:50]} (direction not stated: {unsigned.group(0)})"
        if metric != OTHER and metric not in NARRATIVE_METRICS:
            metric, subject = OTHER, _other_subject(f, ctx, prev)
        signed = -value if change < 0 and value != 0 else value
        clause = text[g0:g1].strip("；。 ")
        if fam.reason is not None and metric.endswith(("_change", "_change_pct")):
            until = found[n + 1][0] if n + 1 < len(found) else len(text)
            why = _reason(text, g1, until, following, fam.reason)
            if why and why not in clause:
                clause = f"{clause}。{why}"
        out.append(NarrativeFact(
            doc_id=doc_id, section=ctx.section, metric=metric, subject=subject or None, value=signed, unit=unit,
            page=page_at(start), text=clause[:300],
        ))
        prev.append(_Stated(metric, subject, unit))
        history.append(_Stated(metric, subject, unit))
        last_end = stop
    return out


def _budget_reader(*args):
    from extractors.narrative_budget import classify  # the budget family's reader (rules from its YAML)

    return classify(*args)


# the classifier of each family's `reader:` other than the final accounts' own
READERS: dict[str, Callable] = {"budget": _budget_reader}


__all__ = ["extract_facts", "pages_from_text"]
