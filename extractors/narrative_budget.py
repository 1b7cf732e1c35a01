"""The metric of a figure in a budget narrative, read with the budget family's rules.

Budget sentences name what they state in the words just before the figure ("财政拨款收、支总预算
X 万元", "机关运行经费预算为 X 万元"), so the rules of ``schemas/families/budget.yaml`` match
those words, within the section's topic. A change ("比上年预算增加 X 万元", "与上年数一致") or a
percentage ("增长 X%", "占 X%") belongs to the amount stated last in its paragraph: the sentence
after an amount often says how it changed.
"""

from __future__ import annotations

import re

from extractors.narrative import _class_name, _clean_lead, _Figure, _Stated
from extractors.narrative_family import MetricRule, NarrativeFamily
from extractors.sections import Context
from extractors.vocab import last_term
from schemas.keys import NARRATIVE_METRICS

# a 类/款/项 path as printed: "一般公共服务支出（类）商贸事务（款）行政运行（项）", "公共安全支出（204类）司法（06款）
# 行政运行（01项）"; the 类 may be the section's heading ("（一）一般公共服务（类）")
_PART_TEXT = r"[^“”\"，。；：、（）]+(?:（[^（）\d]{1,3}）[^“”\"，。；：、（）]*)?"
_PATH = re.compile(rf"(?:({_PART_TEXT}?)（\d*类）)?(?:({_PART_TEXT}?)（\d*款）)?({_PART_TEXT}?)（\d*项）")
# the same path as "一般公共服务支出-政府办公厅（室）及相关机构事务-行政运行”科目" (Shanghai, some departments)
_DASHED = re.compile(r"“?([^“”\"，。；：、\-—－]+)[-—－]([^“”\"，。；：、\-—－]+)[-—－]([^“”\"，。；：、\-—－]+)”?科目")
_QUOTES = "“”\"'‘’ "
_L1_NUMBER = re.compile(r"^[一二三四五六七八九十]+、")
_PROJECT_LEAD = re.compile(r"^(?:年度预算安排)?(?:\d{4}年度?)?(?:项目)?(?:其中[：:]?)?")
_SUFFIX = re.compile(r"(?:预算数?|支出|为|是|共)+$")


def _tidy(part: str) -> str:
    return _clean_lead(part.strip(_QUOTES)).strip(_QUOTES)


def _class_of_heading(title: str) -> str | None:
    if "（类）" in title or re.search(r"（\d+类）", title):
        return _tidy(re.sub(r"（\d*类）.*$", "", title)) or None
    term = last_term(title, "class")
    return term[0] if term else None


def item_path(f: _Figure, ctx: Context) -> str | None:
    """The 类/款/项 path the figure is about: the last one printed before it in its segment or
    sentence, else its numbered item's; the 类 from the section heading when the path has none."""
    for text in (f.window, f.sentence, ctx.item):
        dashed = list(_DASHED.finditer(text))
        if dashed:
            m = dashed[-1] if text is not ctx.item else dashed[0]
            return "/".join(_tidy(p) for p in m.groups())
        found = list(_PATH.finditer(text))
        if found:
            m = found[-1] if text is not ctx.item else found[0]
            parts = [_tidy(p) if p else "" for p in m.groups()]
            if not parts[0]:
                parts[0] = _class_of_heading(ctx.l2_title) or ""
            parts = [p for p in parts if p]
            return "/".join(parts) if parts else None
    return None


def _class(f: _Figure) -> str | None:
    """The 类 a figure is stated for ("一般公共服务（类）支出 X 万元", "社会保障和就业支出 X 万元")."""
    lead = f.lead
    if re.search(r"（\d*[款项]）", lead):
        return None
    bare = re.sub(r"（\d*类）", "（类）", lead)
    if "（类）" in bare:
        name = _class_name(bare)
        return _tidy(name) if name else None
    term = last_term(lead, "class")
    if term is None:
        return None
    core = _SUFFIX.sub("", lead)
    return term[0] if core.endswith((term[0], term[0].removesuffix("支出"))) else None


def _subject(rule: MetricRule, m: re.Match, f: _Figure, ctx: Context) -> str | None:
    """The rule's subject for this figure; None when the rule's subject cannot be found (rule not applicable)."""
    source = rule.subject
    if source is None:
        return ""
    if source == "item_path":
        return item_path(f, ctx)
    if source == "class":
        return _class(f)
    if source == "name":
        return (m.groupdict().get("name") or "").strip() or None
    if source == "part":
        return ctx.part
    if source == "part_item":
        item = _PROJECT_LEAD.sub("", _tidy(_L1_NUMBER.sub("", f.lead))).strip("，、 ")
        if not item:
            return None
        return f"{ctx.part}/{item}" if ctx.part else item
    return source


def _applies(rule: MetricRule, ctx: Context, fam: NarrativeFamily) -> bool:
    if rule.topics:
        return ctx.topic in rule.topics
    return ctx.topic not in fam.exclusive


def _by_rules(f: _Figure, ctx: Context, fam: NarrativeFamily) -> tuple[str, str] | None:
    lead = f.lead.rstrip(_QUOTES)
    for rule in fam.rules:
        if NARRATIVE_METRICS[rule.metric].unit != f.unit or not _applies(rule, ctx, fam):
            continue
        if rule.sentence is not None and not rule.sentence.search(f.context or f.sentence):
            continue
        m = rule.lead.search(lead)
        if not m:
            continue
        subject = _subject(rule, m, f, ctx)
        if subject is not None:
            return rule.metric, subject
    return None


def _is_level(metric: str) -> bool:
    return metric not in ("other", "") and not metric.endswith(("_change", "_pct"))


def _last_amount(history: list[_Stated]) -> _Stated | None:
    """The amount stated last in the paragraph (an unclassified one too: then nothing follows from it)."""
    return next((h for h in reversed(history) if h.unit == "万元" and not h.metric.endswith(("_change", "_pct"))), None)


def _derived(metric: str, suffix: str) -> str | None:
    key = f"{metric}{suffix}"
    return key if key in NARRATIVE_METRICS else None


def _percent(f: _Figure, history: list[_Stated]) -> tuple[str, str] | None:
    last = _last_amount(history)
    if last is None or not _is_level(last.metric):
        return None
    if "占" in f.lead or re.search(r"比重|比例", f.lead):
        key = _derived(last.metric, "_share_pct")
    elif f.change:
        key = _derived(last.metric, "_change_pct")
    else:
        key = None
    return (key, last.subject) if key else None


def classify(f: _Figure, ctx: Context, prev: list[_Stated], history: list[_Stated],
             fam: NarrativeFamily) -> tuple[str, str] | None:
    """(metric, subject) of a budget-narrative figure, or None (kept as ``other``)."""
    if fam.reason is not None and fam.reason.search(f.sentence.rsplit("；", 1)[-1]):
        return None  # a figure inside the reason for a change ("主要原因是…统一压减10%，…增加209万") is none of the metrics
    if f.unit == "%":
        return _percent(f, history)
    if f.change or f.level:
        if f.unit != "万元":
            return None
        last = _last_amount(history)
        if last is None or not _is_level(last.metric):
            return None
        key = _derived(last.metric, "_change")
        return (key, last.subject) if key else None
    return _by_rules(f, ctx, fam)
