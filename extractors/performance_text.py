"""Performance forms from text lines (a .txt disclosure, or a PDF page's text layer without rules).

A form starts at its title line (…项目自评表, …绩效目标表) and ends at the next title or 附件
heading. Its header fields, the budget-execution row (预算数 执行数 执行率 得分), the overall
target and the deviation text are read from the lines; the indicator rows by ``RowReader``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.performance_rows import RawRow, RowReader, layout, squeeze

Line = tuple[int | None, str]  # (page, text)

ANNEX = re.compile(r"^\s*附\s*件\s*(\d{1,2})\s*$")
EXEC_ROW = re.compile(
    r"^\s*(\d[\d,]*(?:\.\d+)?)\s+(\d[\d,]*(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s*[%％]\s+(\d+(?:\.\d+)?)\s*$"
)
SCORE = re.compile(r"(?:自评得分|总分|综合得分)[：:]?(\d+(?:\.\d+)?)分?")
EXEC_WEIGHT = re.compile(r"预算执行情况(?:[（(]万元[）)])?[（(](\d+(?:\.\d+)?)分[）)]|得分[（(](\d+(?:\.\d+)?)分\*执行率")
POINTS = re.compile(r"[（(](\d+(?:\.\d+)?)分[）)]")
YEAR = re.compile(r"(20\d{2})年")
TITLE_MAX_CHARS = 60  # the longest form title in the corpus is 41 characters; a longer line is prose
HEADER_MAX_LINES = 16  # lines between a title and its execution row in the Hubei forms: at most 13
SENTENCE_END = ("。", "！", "；")


@dataclass
class TextForm:
    kind: str
    title: str
    annex: str | None
    start: int  # line index of the title
    end: int  # exclusive
    pages: list[int] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    total_score: str | None = None
    funds_total: str | None = None
    executed: str | None = None
    rate: str | None = None
    execution_weight: str | None = None
    execution_score: str | None = None
    overall_weight: str | None = None
    overall_score: str | None = None
    overall_target: str | None = None
    overall_result: str | None = None
    deviation_reason: str | None = None
    improvement: str | None = None
    score_rule: str | None = None
    rows: list[RawRow] = field(default_factory=list)
    lead: str = ""  # the text between the 附件 heading and the title (its 自评结果 summary)
    lead_pages: list[int] = field(default_factory=list)


def title_kind(line: str) -> str | None:
    """'self_evaluation' / 'target' when the line is a form's title."""
    s = squeeze(line)
    if not s or len(s) > TITLE_MAX_CHARS or s.startswith("《") or "》" in s or "见附件" in s or "。" in s:
        return None
    s = re.sub(r"[（(][^（）()]*[）)]$", "", s)  # "…目标表（含转移支付项目）", "（2024年度）"
    for kind in ("target", "self_evaluation"):
        if any(s.endswith(t) for t in layout()["titles"][kind]):
            return kind
    return None


def find_forms(lines: list[Line]) -> list[TextForm]:
    starts = [(i, k) for i, (_, t) in enumerate(lines) if (k := title_kind(t))]
    forms: list[TextForm] = []
    for n, (i, kind) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        for j in range(i + 1, end):
            if ANNEX.match(lines[j][1]):
                end = j
                break
        annex, lead_from = None, None
        prev_end = forms[-1].end if forms else 0
        for j in range(i - 1, prev_end - 1, -1):
            m = ANNEX.match(lines[j][1])
            if m:
                annex, lead_from = m.group(1), j + 1
                break
        form = TextForm(kind, squeeze(lines[i][1]), annex, i, end)
        if lead_from is not None:
            form.lead = "\n".join(t for _, t in lines[lead_from:i])
            form.lead_pages = sorted({p for p, _ in lines[lead_from:i] if p is not None})
        form.pages = sorted({p for p, _ in lines[i:end] if p is not None})
        forms.append(form)
    return forms


def _fields(flat: str) -> dict[str, str]:
    """Label → value in a header squeezed to one string: each value runs to the next label."""
    lay = layout()
    labels = sorted(lay["fields"], key=len, reverse=True)
    spans: list[tuple[int, int, str | None]] = []
    taken = [False] * len(flat)
    for lab in labels + list(lay["field_stops"]):
        for m in re.finditer(re.escape(lab), flat):
            if not any(taken[m.start():m.end()]):
                spans.append((m.start(), m.end(), lay["fields"].get(lab)))
                for k in range(m.start(), m.end()):
                    taken[k] = True
    spans.sort()
    out: dict[str, str] = {}
    for n, (_, end, column) in enumerate(spans):
        if column is None:
            continue
        stop = spans[n + 1][0] if n + 1 < len(spans) else len(flat)
        value = flat[end:stop].strip("：:")
        if value and column not in out:
            out[column] = value
    return out


def _block_text(lines: list[str]) -> str:
    """Wrapped lines joined without spaces; a numbered item starts a new line."""
    out = ""
    for t in (squeeze(x) for x in lines):
        if not t:
            continue
        if out and re.match(r"^(?:\d{1,2}[.．、]|[（(]\d{1,2}[）)])", t):
            out += "\n"
        out += t
    return out or ""


def read_form(form: TextForm, lines: list[Line]) -> TextForm:
    body = [(p, t) for p, t in lines[form.start + 1:form.end] if t.strip()]
    texts = [t for _, t in body]
    head_end = next((k for k, t in enumerate(texts) if EXEC_ROW.match(t)), None)
    head = texts[: head_end if head_end is not None else min(len(texts), HEADER_MAX_LINES)]
    flat_head = squeeze("".join(head))
    form.fields = _fields(flat_head)
    m = SCORE.search(squeeze(lines[form.start][1] + "".join(head)))
    form.total_score = m.group(1) if m else None
    k = head_end if head_end is not None else -1
    if head_end is not None:
        e = EXEC_ROW.match(texts[head_end])
        assert e is not None
        form.funds_total, form.executed, form.rate, form.execution_score = (g.replace(",", "") for g in e.groups())
        w = EXEC_WEIGHT.search(flat_head)
        form.execution_weight = (w.group(1) or w.group(2)) if w else None
    k = _overall(form, texts, k + 1)
    end = next((j for j in range(k, len(texts)) if _ends_indicators(texts[j])), len(texts))
    reader = RowReader(uses_weights=bool(POINTS.search(squeeze("".join(texts[k:end])))))
    goal: list[str] | None = None
    goals: list[str] = []
    for j in range(k, end):
        page, t = body[j]
        s = squeeze(t)
        if re.match(layout()["goal_line"], s):
            goal = [s]
            reader.group = re.match(r"^年度目标\d+", s).group(0)  # type: ignore[union-attr]
            continue
        if goal is not None:
            if re.match(layout()["goal_end"], s):
                goals.append("".join(goal))
                goal = None
            else:
                goal.append(s)
                continue
        reader.feed(t, page)
    form.rows = reader.finish()
    if goals and form.overall_target is None:
        form.overall_target = "\n".join(goals)
    _deviation(form, texts[end:])
    form.score_rule = score_rule("".join(texts[end:]))
    return form


def score_rule(text: str) -> str | None:
    """The scoring rule a form prints in its notes ("正向指标（即目标值为≥X，得分=权重*B/A）…"), squeezed."""
    s = squeeze(text)
    m = re.search(r"[^。；]*得分[=＝]权重[^。]*", s)
    return m.group(0)[:300] if m else None


def _ends_indicators(text: str) -> bool:
    s = squeeze(text)
    return any(re.match(p, s) for p in layout()["indicators_end"])


def _overall(form: TextForm, texts: list[str], k: int) -> int:
    """The overall target block (项目绩效总目标（20分） / 年初设定目标 … / its score); returns where the indicators start."""
    lay = layout()
    j = k
    while j < min(len(texts), k + 4) and not any(squeeze("".join(texts[j:j + 2])).startswith(lab) for lab in lay["overall_labels"]):
        j += 1
    if j >= min(len(texts), k + 4):
        return k
    label = squeeze("".join(texts[j:j + 3]))
    w = POINTS.search(label)
    form.overall_weight = w.group(1) if w else None
    h = next((x for x in range(j, min(len(texts), j + 4)) if any(o in squeeze(texts[x]) for o in lay["overall_header"])), None)
    if h is None:
        return k
    block: list[str] = []
    for x in range(h + 1, len(texts)):
        t = texts[x].strip()
        s = squeeze(t)
        if re.fullmatch(r"\d+(?:\.\d+)?", s):
            form.overall_score = s
            _split_overall(form, block)
            return x + 1
        m = re.match(r"^(.*[。！；.])\s+(\d+(?:\.\d+)?)$", t)
        if m and (form.overall_weight is None or float(m.group(2)) <= float(form.overall_weight)):
            block.append(m.group(1))
            form.overall_score = m.group(2)
            _split_overall(form, block)
            return x + 1
        if _ends_indicators(t) or "一级" in s:
            break
        block.append(t)
    return k


def _split_overall(form: TextForm, block: list[str]) -> None:
    """The target column's lines come before the result column's: they part after the first line
    that ends a sentence (measured on the ten Hongshan forms: the target is always one paragraph)."""
    cut = next((i + 1 for i, t in enumerate(block[:-1]) if squeeze(t).endswith(SENTENCE_END)), None)
    if cut is None:
        form.overall_target = _block_text(block) or None
        return
    form.overall_target = _block_text(block[:cut]) or None
    form.overall_result = _block_text(block[cut:]) or None


def _deviation(form: TextForm, texts: list[str]) -> None:
    lay = layout()
    dev_label, imp_label = lay["deviation_label"], lay["improvement_label"]
    part: dict[str, list[str]] = {"dev": [], "imp": []}
    mode: str | None = None
    for t in texts:
        s = squeeze(t)
        if s.startswith(("备注", "注：")):
            break
        tokens = t.split()
        while tokens:
            frag = tokens[0].strip("：:")
            if frag and frag in imp_label and (frag.startswith("改进") or mode == "imp"):
                mode = "imp"
            elif frag and frag in dev_label and mode != "imp":
                mode = "dev"
            elif frag and (frag in dev_label or frag in imp_label) and len(frag) <= 6:
                pass
            else:
                break
            tokens = tokens[1:]
        if tokens and mode:
            part[mode].append(" ".join(tokens))
    form.deviation_reason = _block_text(part["dev"]) or None
    form.improvement = _block_text(part["imp"]) or None
