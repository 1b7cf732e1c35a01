"""The narrative (情况说明) of a final-account document: located, split into its numbered
sections, each paragraph tagged with the section it belongs to and the topic it is about.

Topics come from the heading wording, not its number: Shanghai puts 三公 under 七, Hubei
under 九, and Shanghai nests 机关运行经费 / 政府采购 / 国有资产 under 十一、其他重要事项.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from extractors.figures import normalize
from extractors.text import HEADING, PageText, glue, joins


@dataclass
class Paragraph:
    text: str  # normalized
    starts: list[int] = field(default_factory=list)  # offsets where a page's text begins
    pages: list[int | None] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        return self.pages[max(0, bisect_right(self.starts, offset) - 1)] if self.pages else None


_DIGITS = re.compile(r"\d+")


def _running_lines(pages: list[PageText]) -> set[str]:
    """Lines printed first or last on several pages (running headers and footers), digits masked."""
    counts: dict[str, int] = {}
    for page in pages:
        lines = [line.strip() for line in page.text.split("\n") if line.strip()]
        for line in {*lines[:1], *lines[-1:]}:
            key = _DIGITS.sub("#", normalize(line))
            counts[key] = counts.get(key, 0) + 1
    need = 3 if len(pages) > 4 else 2
    return {k for k, n in counts.items() if n >= need and len(k) <= 60}


def paragraphs_of(pages: list[PageText]) -> list[Paragraph]:
    """All paragraphs in reading order; one broken across a page break is joined again."""
    running = _running_lines(pages)
    out: list[Paragraph] = []
    for page in pages:
        lines = [line for line in page.text.split("\n") if line.strip()]
        for i, raw in enumerate(lines):
            line = normalize(raw.strip())
            if not line:
                continue
            if (i == 0 or i == len(lines) - 1) and _DIGITS.sub("#", line) in running:
                continue
            if out and joins(out[-1].text, line):
                par = out[-1]
                joined = glue(par.text, line)
                if par.pages[-1] != page.page:
                    par.starts.append(len(joined) - len(line))
                    par.pages.append(page.page)
                par.text = joined
            else:
                out.append(Paragraph(line, [0], [page.page]))
    return out


_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
_NARRATIVE_PART = re.compile(r"决算情况|情况说明")
_END = re.compile(r"^(?:第[一二三四五六七八九十]+部分|名词解释|附件\s*\d*\s*(?:[:：]|$)|附表\s*\d*\s*(?:[:：]|$))")
_FIRST_SECTION = re.compile(r"^[一1][、.]?.{0,12}收.{0,3}支.{0,6}总体情况")
_FIGURE = re.compile(r"\d(?:万元|%|个|辆)")


def _has_body(pars: list[Paragraph], start: int) -> bool:
    """A real section start is followed by sentences with figures, a table of contents is not."""
    for par in pars[start + 1:start + 12]:
        if _PART.match(par.text):
            return False
        if _FIGURE.search(par.text) or (not HEADING.match(par.text) and len(par.text) > 40):
            return True
    return False


def narrative_span(pars: list[Paragraph]) -> tuple[int, int]:
    """[start, end) of the 情况说明 part: from its 第N部分 heading (or, without one, its first
    section) to the next part, 名词解释 or 附件."""
    start = next((i for i, p in enumerate(pars) if _PART.match(p.text) and _NARRATIVE_PART.search(p.text)
                  and "预算情况" not in p.text and _has_body(pars, i)), None)
    if start is None:
        start = next((i for i, p in enumerate(pars) if _FIRST_SECTION.match(p.text) and _has_body(pars, i)), None)
        if start is None:
            return 0, len(pars)
        start -= 1
    end = next((j for j in range(start + 1, len(pars)) if _END.match(pars[j].text)), len(pars))
    return start + 1, end


# topic of a heading, first match wins: the order matters (基本支出 before 一般公共预算, ...)
TOPICS: tuple[tuple[str, re.Pattern], ...] = (
    ("three_public", re.compile(r"三公")),
    ("basic", re.compile(r"基本支出")),
    ("fund", re.compile(r"政府性基金")),
    ("state_capital", re.compile(r"国有资本经营")),
    ("operating", re.compile(r"机关运行")),
    ("procurement", re.compile(r"政府采购")),
    ("assets", re.compile(r"国有资产|资产占用|资产占有")),
    ("performance", re.compile(r"绩效")),
    ("gpb", re.compile(r"一般公共预算")),
    ("fiscal", re.compile(r"^.{0,4}财政拨款收.{0,3}支")),
    ("totals", re.compile(r"^.{0,4}收.{0,3}支.{0,6}总体|^.{0,4}收.{0,3}支出?决算总")),
    ("income", re.compile(r"^.{0,4}收入决算|^.{0,4}收入情况")),
    ("expenditure", re.compile(r"^.{0,4}支出决算|^.{0,4}支出情况")),
)
ASPECTS = (("overall", re.compile(r"总体")), ("structure", re.compile(r"结构")), ("detail", re.compile(r"具体|明细")))

_L1 = re.compile(r"^([一二三四五六七八九十]+)、")
_L2 = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]")
_L3 = re.compile(r"^(\d{1,2})[、.．](?![\d%])")
_L4 = re.compile(r"^[（(](\d{1,2})[）)]")
_TITLE = re.compile(r"^[^。：，]*")


def topic_of(title: str) -> str | None:
    for topic, pattern in TOPICS:
        if pattern.search(title):
            return topic
    return None


def aspect_of(title: str) -> str | None:
    return next((a for a, p in ASPECTS if p.search(title)), None)


@dataclass
class Context:
    """Where a paragraph sits: section label ("五（三）"), topic, aspect, numbered item."""

    l1: str | None = None
    l2: str | None = None
    topic: str | None = None
    aspect: str | None = None
    l2_title: str = ""
    item: str = ""  # text of the current numbered item heading (level 3 / 4)

    @property
    def section(self) -> str | None:
        if self.l1 and self.l2:
            return f"{self.l1}（{self.l2}）"
        return self.l1


def walk(pars: list[Paragraph]):
    """Each narrative paragraph with its context, headings updating the context first."""
    ctx = Context()
    l1_topic: str | None = None
    for par in pars:
        text = par.text
        if m := _L1.match(text):
            title = _TITLE.match(text[m.end():]).group()
            l1_topic = topic_of(title)
            ctx = Context(l1=m.group(1), topic=l1_topic, aspect=aspect_of(title))
        elif m := _L2.match(text):
            title = _TITLE.match(text[m.end():]).group()
            aspect = aspect_of(title)
            own = topic_of(title)
            if aspect and l1_topic in ("gpb", "three_public", "performance"):
                own = l1_topic  # "（三）财政拨款支出决算具体情况" stays within its section's topic
            ctx = Context(l1=ctx.l1, l2=m.group(1), topic=own or l1_topic, aspect=aspect, l2_title=title)
        elif (m := _L3.match(text)) or (m := _L4.match(text)):
            ctx = Context(l1=ctx.l1, l2=ctx.l2, topic=ctx.topic, aspect=ctx.aspect, l2_title=ctx.l2_title,
                          item=text[m.end():])
        yield par, ctx
