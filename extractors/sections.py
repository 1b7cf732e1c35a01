"""The narrative (情况说明) of a document: located, split into its numbered sections, each
paragraph tagged with the section it belongs to and the topic it is about.

Topics come from the heading wording, not its number: Shanghai puts 三公 under 七, Hubei
under 九, and Shanghai nests 机关运行经费 / 政府采购 / 国有资产 under 十一、其他重要事项. The wordings
are the family's (schemas/families/*.yaml, ``narrative:``; see extractors/narrative_family.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from extractors.narrative_family import FINAL_ACCOUNTS, NarrativeFamily, narrative_family
from extractors.text import HEADING, PageText, glue, joins
from extractors.textforms import figure_text


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
            key = _DIGITS.sub("#", figure_text(line))
            counts[key] = counts.get(key, 0) + 1
    need = 3 if len(pages) > 4 else 2
    return {k for k, n in counts.items() if n >= need and len(k) <= 60}


def paragraphs_of(pages: list[PageText], fam: NarrativeFamily | None = None) -> list[Paragraph]:
    """All paragraphs in reading order; one broken across a page break is joined again (never
    onto a part heading of the family, e.g. a project page's title after an unfinished line)."""
    running = _running_lines(pages)
    out: list[Paragraph] = []
    for page in pages:
        lines = [line for line in page.text.split("\n") if line.strip()]
        for i, raw in enumerate(lines):
            line = figure_text(raw.strip())
            if not line:
                continue
            if (i == 0 or i == len(lines) - 1) and _DIGITS.sub("#", line) in running:
                continue
            if out and joins(out[-1].text, line) and not (fam and fam.break_before(line)):
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
_FIGURE = re.compile(r"\d(?:万元|%|个|辆)")


def _has_body(pars: list[Paragraph], start: int) -> bool:
    """A real section start is followed by sentences with figures, a table of contents is not."""
    for par in pars[start + 1:start + 12]:
        if _PART.match(par.text):
            return False
        if _FIGURE.search(par.text) or (not HEADING.match(par.text) and len(par.text) > 40):
            return True
    return False


def narrative_span(pars: list[Paragraph], fam: NarrativeFamily | None = None) -> tuple[int, int]:
    """[start, end) of the 情况说明 part: from its 第N部分 heading (or, without one, its first
    section) to the next part, 名词解释 or 附件 (the family's wordings)."""
    fam = fam or narrative_family(FINAL_ACCOUNTS)
    start = next((i for i, p in enumerate(pars) if fam.part.search(p.text) and _has_body(pars, i)), None)
    if start is None:
        start = next((i for i, p in enumerate(pars) if fam.first_section.match(p.text) and _has_body(pars, i)), None)
        if start is None:
            return 0, len(pars)
        start -= 1
    elif fam.read_part_heading:  # the heading paragraph is read too: it may carry the first sentence
        end = next((j for j in range(start + 1, len(pars)) if fam.end.match(pars[j].text)), len(pars))
        return start, end
    end = next((j for j in range(start + 1, len(pars)) if fam.end.match(pars[j].text)), len(pars))
    return start + 1, end


ASPECTS = (("overall", re.compile(r"总体")), ("structure", re.compile(r"结构")), ("detail", re.compile(r"具体|明细")))

_L1 = re.compile(r"^([一二三四五六七八九十]+)、")
_L2 = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]")
_L3 = re.compile(r"^(\d{1,2})[、.．](?![\d%])")
_L4 = re.compile(r"^[（(](\d{1,2})[）)]")
_TITLE_END = re.compile(r"[。：，]")  # a heading's title runs up to the first of these


def topic_of(title: str) -> str | None:
    """The final-account topic of a heading (the family's topics, first match wins)."""
    return narrative_family(FINAL_ACCOUNTS).topic_of(title)


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
    part: str = ""  # name of the unnumbered part it is in (a project of a budget), if any
    l1_title: str = ""

    @property
    def section(self) -> str | None:
        if self.l1 and self.l2:
            return f"{self.l1}（{self.l2}）"
        return self.l1


def walk(pars: list[Paragraph], fam: NarrativeFamily | None = None):
    """Each narrative paragraph with its context, headings updating the context first.

    An unnumbered part heading of the family (a budget's "…经费情况说明") sets the topic of the
    numbered sections under it that have none of their own."""
    fam = fam or narrative_family(FINAL_ACCOUNTS)
    ctx = Context()
    l1_topic: str | None = None
    part_topic: str | None = None
    part = ""
    for par in pars:
        text = par.text
        if fam.parts and (found := fam.part_of(text)):
            part_topic, part, _ = found
            l1_topic = part_topic
            ctx = Context(topic=part_topic, part=part)
        elif m := _L1.match(text):
            title = _TITLE_END.split(text[m.end():], maxsplit=1)[0]
            l1_topic = fam.topic_of(title) or part_topic
            ctx = Context(l1=m.group(1), topic=l1_topic, aspect=aspect_of(title), part=part, l1_title=title)
        elif m := _L2.match(text):
            title = _TITLE_END.split(text[m.end():], maxsplit=1)[0]
            aspect = aspect_of(title)
            own = fam.topic_of(title)
            if aspect and l1_topic in fam.aspect_topics:
                own = l1_topic  # "（三）财政拨款支出决算具体情况" stays within its section's topic
            ctx = Context(l1=ctx.l1, l2=m.group(1), topic=own or l1_topic, aspect=aspect, l2_title=title, part=part,
                          l1_title=ctx.l1_title)
        elif (m := _L3.match(text)) or (m := _L4.match(text)):
            ctx = Context(l1=ctx.l1, l2=ctx.l2, topic=ctx.topic, aspect=ctx.aspect, l2_title=ctx.l2_title,
                          item=text[m.end():], part=part, l1_title=ctx.l1_title)
        yield par, ctx
