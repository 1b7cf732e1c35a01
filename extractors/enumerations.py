"""Numbered lists that explain a stated total, found from the narrative's own wording.

A section states a total, then lists its components after a colon, numbered from one:
"其中：1. … 2. … N." (one item per paragraph or inline), "（一）…（二）…", "一是…二是…". The
list is read from the numbering itself (consecutive from 1, same style, under the sentence
stating the total), never from which metric the total is. Each item keeps every amount it
states with the kind of amount it is (budget, actual, other), so the check can add up the
items' amounts of the total's kind. A lead-in such as "主要用于以下方面" or "主要包括" marks a
list that may name only some components.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extractors.figures import mentions
from extractors.narrative_family import FINAL_ACCOUNTS, narrative_family
from extractors.numbers import UNIT_SHIFT
from extractors.sections import Paragraph, narrative_span, paragraphs_of, walk
from extractors.text import HEADING, PageText

BUDGET, ACTUAL, PLAIN = "budget", "actual", "plain"

_CN_DIGITS = "一二三四五六七八九十"
# the numbering styles a list may use, coarsest first: (name, pattern of a marker at a paragraph start)
_STYLES: dict[str, re.Pattern] = {
    "cn_paren": re.compile(rf"[（(]([{_CN_DIGITS}]+)[）)]"),
    "arabic": re.compile(r"(\d{1,2})[、.．](?![\d%％])"),
    "arabic_paren": re.compile(r"[（(](\d{1,2})[）)]"),
    "cn_shi": re.compile(rf"([{_CN_DIGITS}]+)是"),
}
# what may stand right before an inline marker ("其中：1. …；2. …", "一是…，二是…")
_BOUNDARY = "\n：；。， "
_CHANGE = re.compile(r"(?:增加|减少|增长|下降|降低|上升|减|增|节约|压减|节支|超支|增幅|降幅|减幅|比上年|较上年|同比)"
                     r"(?:（[^（）]*）)?了?(?:为|约|达)?$")
_BUDGET_LEAD = re.compile(r"预算(?:数|金额)?(?:为|是|安排)?$")
_ACTUAL_LEAD = re.compile(r"(?:决算|执行|实际支出|实际)(?:数|金额)?(?:为|是)?$")
# a lead-in naming only some of the components (主要用于以下方面, 主要包括, 重点, …等)
PARTIAL = re.compile(r"主要|包括|重点|部分|等|例如|列举")
# lead-in words around the subject of a list whose lead-in states no amount ("财政拨款支出主要内容如下：")
_LEAD_IN_WORDS = re.compile(r"其中|主要|具体|内容|情况|如下|以下|方面|包括|用于|分别|是|为|有|[：:，。\s]")
# how far back a lead-in without an amount looks for the total it names (paragraphs of its section)
LOOKBACK_PARAGRAPHS = 6


@dataclass(frozen=True)
class Amount:
    value: Decimal  # in 万元, exact decimal shift of the printed figure
    printed: Decimal  # as printed
    kind: str  # budget / actual / plain
    page: int | None


@dataclass(frozen=True)
class ListItem:
    number: int
    text: str
    amounts: tuple[Amount, ...]


@dataclass(frozen=True)
class NumberedList:
    """A stated total and the numbered items listed under it."""

    section: str | None
    lead_in: str  # the sentence stating the total, through the colon
    totals: tuple[Amount, ...]
    items: tuple[ListItem, ...]
    partial: bool  # the lead-in says the items are the main ones only

    @property
    def pages(self) -> list[int]:
        found = {a.page for a in self.totals} | {a.page for i in self.items for a in i.amounts}
        return sorted(p for p in found if p is not None)


def _number(style: str, token: str) -> int | None:
    if style in ("arabic", "arabic_paren"):
        return int(token)
    return _cn_number(token)


def _cn_number(token: str) -> int | None:
    """一 … 九十九 as an integer (list numbers only)."""
    if not token or any(ch not in _CN_DIGITS for ch in token):
        return None
    if token == "十":
        return 10
    if "十" in token:
        tens, _, ones = token.partition("十")
        t = _CN_DIGITS.index(tens) + 1 if tens else 1
        o = _CN_DIGITS.index(ones) + 1 if ones else 0
        return t * 10 + o if len(ones) <= 1 and len(tens) <= 1 else None
    return _CN_DIGITS.index(token) + 1 if len(token) == 1 else None


def _marker_at(text: str, pos: int) -> tuple[str, int, int] | None:
    """(style, number, end) of a list marker starting exactly at ``pos``."""
    for style, pattern in _STYLES.items():
        m = pattern.match(text, pos)
        if m and (n := _number(style, m.group(1))) is not None:
            return style, n, m.end()
    return None


def _kind(lead: str) -> str | None:
    """What an amount is from the words before it; None for a change (not a component)."""
    if _CHANGE.search(lead):
        return None
    if _BUDGET_LEAD.search(lead):
        return BUDGET
    if _ACTUAL_LEAD.search(lead):
        return ACTUAL
    return PLAIN


def _amounts(text: str, base: int, page_at) -> list[Amount]:
    return [a for a, _ in _amounts_with_leads(text, base, page_at)]


class _Stream:
    """The paragraphs of one section joined by newlines, with each offset's page."""

    def __init__(self, pars: list[Paragraph], sections: list[str | None]):
        self.pars = pars
        self.sections = sections
        self.starts: list[int] = []
        pos = 0
        for p in pars:
            self.starts.append(pos)
            pos += len(p.text) + 1
        self.text = "\n".join(p.text for p in pars)

    def page_at(self, offset: int) -> int | None:
        i = max(k for k, s in enumerate(self.starts) if s <= offset)
        return self.pars[i].page_at(offset - self.starts[i])

    def section_at(self, offset: int) -> str | None:
        return self.sections[self.starts.index(self.par_start(offset))]

    def par_start(self, offset: int) -> int:
        return max(s for s in self.starts if s <= offset)

    def par_end(self, offset: int) -> int:
        nxt = [s - 1 for s in self.starts if s > offset]
        return min(nxt) if nxt else len(self.text)


def _next_marker(s: str, pos: int, style: str, number: int) -> tuple[int, int] | None:
    """Start and end of marker ``number`` of ``style`` after ``pos``, if the list goes on to it.

    The list ends at a heading paragraph that is not its next marker, or when the next marker
    does not follow."""
    i = pos
    while i < len(s):
        if s[i] == "\n" and _heading_at(s, i + 1):
            found = _marker_at(s, i + 1)
            if found and found[0] == style and found[1] == number:
                return i + 1, found[2]
            return None  # another heading: the list has ended
        if i > pos and s[i - 1] in _BOUNDARY:
            found = _marker_at(s, i)
            if found and found[0] == style and found[1] == number:
                return i, found[2]
        i += 1
    return None


def _item_end(stream: _Stream, start: int) -> int:
    """The last item: its paragraph, and the next ones while it has stated no amount yet
    ("7. …（项）。" then "年初预算为…"), never past a heading."""
    s = stream.text
    end = stream.par_end(start)
    while not mentions(s[start:end]) and end < len(s) and not _heading_at(s, end + 1):
        end = stream.par_end(end + 1)
    return end


def _heading_at(s: str, pos: int) -> bool:
    return bool(HEADING.match(s[pos:pos + 40]))


def _totals(stream: _Stream, colon: int) -> tuple[str, list[Amount]]:
    """The lead-in sentence and the amounts of the sentence stating the total.

    The lead-in states it ("支出56781.82万元，主要用于以下方面："); or is a bare "其中：" under it (the
    nearest earlier sentence of its paragraph with an amount); or names its subject
    ("财政拨款支出主要内容如下：", the nearest amount so named in its paragraphs before)."""
    s = stream.text
    p0 = stream.par_start(colon)
    sentence_start = max(max(s.rfind(ch, p0, colon) for ch in "。；") + 1, p0)
    lead_in = s[sentence_start:colon + 1]
    found = _amounts(lead_in, sentence_start, stream.page_at)
    if found:
        return lead_in, found
    subject = _LEAD_IN_WORDS.sub("", lead_in)
    if not subject:  # a bare "其中：": the nearest whole sentence before it (a "；" clause may be a component)
        end = sentence_start - 1
        while end > p0:
            start = max(s.rfind("。", p0, end) + 1, p0)
            found = _amounts(s[start:end], start, stream.page_at)
            if found:
                return lead_in, found
            end = start - 1
        return lead_in, []
    if len(subject) < 2:
        return lead_in, []
    k0 = stream.starts.index(p0)
    for k in range(k0, max(0, k0 - LOOKBACK_PARAGRAPHS) - 1, -1):
        base = stream.starts[k]
        text = stream.pars[k].text if k < k0 else s[p0:sentence_start]
        named = [a for a, lead in _amounts_with_leads(text, base, stream.page_at) if subject in lead]
        if named:
            return lead_in, named[-1:]
    return lead_in, []


def _amounts_with_leads(text: str, base: int, page_at) -> list[tuple[Amount, str]]:
    out = []
    for m in mentions(text):
        shift = UNIT_SHIFT.get(m.unit)
        if shift is None:
            continue
        clause_start = max(text.rfind(ch, 0, m.start) for ch in "，。；：\n") + 1
        lead = text[clause_start:m.start].strip()
        kind = _kind(lead)
        if kind is not None:
            out.append((Amount(m.value.scaleb(shift), m.value, kind, page_at(base + m.start)), lead))
    return out


_RANK = {style: n for n, style in enumerate(_STYLES, start=1)}  # 一、 is 0: coarsest
_L1 = re.compile(rf"[{_CN_DIGITS}]+、")


def _rank_at(s: str, pos: int) -> int:
    """Level of the heading starting at ``pos``: 0 for 一、 (and 第N部分, 附件), finer styles higher."""
    found = _marker_at(s, pos)
    if found is None or _L1.match(s, pos):
        return 0
    return _RANK[found[0]]


def _resumes(s: str, pos: int, style: str, number: int) -> bool:
    """Whether marker ``number`` of ``style`` still opens a paragraph after ``pos``, before a heading
    as coarse as the list's own: the list went on after finer sub-items (nested), not ended."""
    for m in re.finditer("\n", s[pos:]):
        at = pos + m.end()
        if not _heading_at(s, at):
            continue
        found = _marker_at(s, at)
        if found and found[0] == style:
            return found[1] == number
        if _rank_at(s, at) <= _RANK[style]:
            return False
    return False


def _list_at(stream: _Stream, colon: int) -> NumberedList | None:
    s = stream.text
    pos = colon + 1
    while pos < len(s) and s[pos] in " \n":
        pos += 1
    first = _marker_at(s, pos)
    if first is None or first[1] != 1:
        return None
    style = first[0]
    starts = [(pos, first[2])]
    while (nxt := _next_marker(s, starts[-1][1], style, len(starts) + 1)) is not None:
        starts.append(nxt)
    if len(starts) < 2 or _resumes(s, starts[-1][1], style, len(starts) + 1):
        return None
    items = []
    for k, (a, body) in enumerate(starts):
        b = starts[k + 1][0] if k + 1 < len(starts) else _item_end(stream, a)
        items.append(ListItem(k + 1, s[a:b].strip(), tuple(_amounts(s[body:b], body, stream.page_at))))
    lead_in, totals = _totals(stream, colon)
    if not totals:
        return None
    return NumberedList(stream.section_at(colon), lead_in, tuple(totals), tuple(items), bool(PARTIAL.search(lead_in)))


def numbered_lists(pages: list[PageText], family: str = FINAL_ACCOUNTS) -> list[NumberedList]:
    """Every numbered list under a stated total in the narrative of a document of ``family``."""
    fam = narrative_family(family)
    pars = paragraphs_of(pages, fam if fam.parts else None)
    start, end = narrative_span(pars, fam)
    groups: list[tuple[list[Paragraph], list[str | None]]] = []
    key = None
    for par, ctx in walk(pars[start:end], fam):
        k = (ctx.part, ctx.l1)
        if not groups or k != key:
            groups.append(([], []))
            key = k
        groups[-1][0].append(par)
        groups[-1][1].append(ctx.section)
    out: list[NumberedList] = []
    for group, sections in groups:
        stream = _Stream(group, sections)
        for m in re.finditer("：", stream.text):
            found = _list_at(stream, m.start())
            if found is not None:
                out.append(found)
    return out


__all__ = ["ACTUAL", "BUDGET", "PARTIAL", "PLAIN", "Amount", "ListItem", "NumberedList", "numbered_lists"]
