"""Page text in reading order, rebuilt from pdfplumber characters.

Narrative pages often print figures in another font on a shifted baseline, so pdfplumber's
``extract_text`` puts "2995.39" on the line below "收入支出总计 万元". Here lines are built
from the CJK characters first; every run of other characters (digits, %, Latin, quotes) is
then placed into the nearby line that has a free gap where it is printed. Lines broken
mid-sentence are joined into paragraphs and running page numbers are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from dataclasses import dataclass, field

from pdfplumber.page import Page


@dataclass(frozen=True)
class PageText:
    page: int | None  # 1-based; None for a plain-text source without pages
    text: str  # paragraphs in reading order, one per line


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
# a line that starts a new paragraph whatever precedes it: part / section / item numbering
HEADING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
    r"|[（(]\d{1,2}[）)]|\d{1,2}[、.．](?![\d%％])|附件\s*\d*\s*(?:[:：]|$)|图\s*\d|表\s*\d)"
)
PAGE_NUMBER = re.compile(
    r"^\s*(?:[—\-–－~·•\s]*\d{1,4}[—\-–－~·•\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+"
    r"|-\s*\d+\s*-)\s*$"
)
_SENTENCE_END = ("。", "！", "？", "：", ":")
_TITLE_END = re.compile(r"(?:情况|说明|概况|解释|职能|职责|构成)$")


@dataclass
class _Line:
    cy: float
    size: float
    chars: list[dict] = field(default_factory=list)
    spans: list[tuple[float, float]] = field(default_factory=list)  # sorted x-intervals taken
    spaces: list[float] = field(default_factory=list)  # sorted centres of space characters printed in the line

    def add(self, chars: list[dict]) -> None:
        self.chars.extend(chars)
        for c in chars:
            insort(self.spans, (c["x0"], c["x1"]))

    def overlap(self, x0: float, x1: float) -> float:
        """Total width of already placed characters inside [x0, x1]."""
        i = max(0, bisect_left(self.spans, (x0, x0)) - 1)
        total = 0.0
        while i < len(self.spans) and self.spans[i][0] < x1:
            a, b = self.spans[i]
            total += max(0.0, min(b, x1) - max(a, x0))
            i += 1
        return total


def _cy(c: dict) -> float:
    return (c["top"] + c["bottom"]) / 2


def _runs(chars: list[dict]) -> list[list[dict]]:
    """Consecutive non-CJK characters printed side by side on one baseline (a number, '2.10%')."""
    runs: list[list[dict]] = []
    for c in chars:
        prev = runs[-1][-1] if runs else None
        if (
            prev is not None
            and abs(c["top"] - prev["top"]) < 0.2 * c["size"]
            and -0.2 * c["size"] <= c["x0"] - prev["x1"] < 0.6 * c["size"]
        ):
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def _cluster(chars: list[dict]) -> list[_Line]:
    """Group characters into lines by vertical centre, tolerance half a font size."""
    lines: list[_Line] = []
    for c in sorted(chars, key=lambda c: (_cy(c), c["x0"])):
        cy = _cy(c)
        if lines and abs(cy - lines[-1].cy) <= 0.5 * max(c["size"], lines[-1].size):
            line = lines[-1]
            n = len(line.chars)
            line.cy = (line.cy * n + cy) / (n + 1)
            line.add([c])
        else:
            line = _Line(cy, c["size"])
            line.add([c])
            lines.append(line)
    return lines


def _place(run: list[dict], lines: list[_Line], centres: list[float]) -> bool:
    """Put a run into the closest line (within 0.9 font size) that has room for it.

    Room means most of the run's width is free there: glyphs of one line may touch or kern
    into each other, a run printed over another line's characters belongs elsewhere.
    """
    size = max(c["size"] for c in run)
    cy = sum(_cy(c) for c in run) / len(run)
    x0, x1 = min(c["x0"] for c in run), max(c["x1"] for c in run)
    lo, hi = bisect_left(centres, cy - 0.9 * size), bisect_left(centres, cy + 0.9 * size)
    best: _Line | None = None
    for line in lines[lo:hi]:
        if line.overlap(x0, x1) > 0.4 * max(x1 - x0, 0.1):
            continue
        if best is None or abs(line.cy - cy) < abs(best.cy - cy):
            best = line
    if best is None:
        return False
    best.add(run)
    return True


def _word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "%")


def _spaced(prev: dict, c: dict, spaces: list[float]) -> bool:
    """A wide gap, or, between two numbers or words, a narrower one holding a printed space
    ("59751.89 58381.81" in Times-Roman: its space is a quarter em, the numbers two all the same)."""
    gap = c["x0"] - prev["x1"]
    size = min(c["size"], prev["size"])
    if gap > 0.5 * size:
        return True
    if gap < 0.1 * size or not (_word(prev["text"][-1:]) and _word(c["text"][:1])) or c["text"][:1] == "%":
        return False
    i = bisect_left(spaces, prev["x1"] - 0.5)
    return i < len(spaces) and spaces[i] <= c["x0"] + 0.5


def _add_spaces(spaces: list[dict], lines: list[_Line]) -> None:
    """Each printed space character to the line it sits in (closest centre within half a size)."""
    centres = [line.cy for line in lines]
    for c in spaces:
        cy = _cy(c)
        i = bisect_left(centres, cy)
        near = [line for line in lines[max(0, i - 1):i + 1] if abs(line.cy - cy) <= 0.5 * max(c["size"], line.size)]
        if near:
            insort(min(near, key=lambda line: abs(line.cy - cy)).spaces, (c["x0"] + c["x1"]) / 2)


def _line_text(chars: list[dict], spaces: list[float] | None = None) -> str:
    chars = sorted(chars, key=lambda c: c["x0"])
    out: list[str] = []
    prev: dict | None = None
    for c in chars:
        if prev is not None and _spaced(prev, c, spaces or []):
            out.append(" ")
        out.append(c["text"])
        prev = c
    return "".join(out).strip()


@dataclass(frozen=True)
class _PrintedLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


def reading_order_lines(page: Page) -> list[_PrintedLine]:
    """The page's printed lines, top to bottom, with shifted-baseline runs put back in place."""
    upright = [c for c in page.chars if c.get("upright", True)]
    chars = [c for c in upright if c["text"].strip()]
    if not chars:
        return []
    anchors = [c for c in chars if _CJK.search(c["text"])]
    others = [c for c in chars if not _CJK.search(c["text"])]
    lines = _cluster(anchors)
    centres = [line.cy for line in lines]
    loose: list[dict] = []
    for run in _runs(others):
        if not _place(run, lines, centres):
            loose.extend(run)
    lines.extend(_cluster(loose))
    lines.sort(key=lambda line: line.cy)
    _add_spaces([c for c in upright if c["text"] == " "], lines)
    out = []
    for line in lines:
        text = _line_text(line.chars, line.spaces)
        if text:
            out.append(_PrintedLine(
                text, min(c["x0"] for c in line.chars), max(c["x1"] for c in line.chars),
                min(c["top"] for c in line.chars), max(c["bottom"] for c in line.chars),
                max(c["size"] for c in line.chars),
            ))
    return out


def _drop_page_furniture(lines: list[_PrintedLine], height: float) -> list[_PrintedLine]:
    """Page numbers ("— 44 —", "- 3 -", "第 3 页") printed in the top or bottom margin."""
    keep = []
    for i, line in enumerate(lines):
        at_edge = i < 2 or i >= len(lines) - 2
        in_margin = line.bottom < 0.12 * height or line.top > 0.88 * height
        if at_edge and in_margin and PAGE_NUMBER.match(line.text):
            continue
        keep.append(line)
    return keep


def joins(prev: str, line: str) -> bool:
    """Whether ``line`` continues the paragraph ending in ``prev``.

    Text only, no geometry, so a PDF and its text layer saved as .txt give the same paragraphs:
    a sentence end, a heading line, or a finished heading title ("（二）政府采购支出情况") break.
    """
    if not prev or prev.endswith(_SENTENCE_END) or HEADING.match(line):
        return False
    return not (HEADING.match(prev) and _TITLE_END.search(prev))


def glue(prev: str, line: str) -> str:
    """Join two pieces of one sentence: no space in Chinese, one between two numbers or words."""
    prev, line = prev.rstrip(), line.lstrip()
    if prev and line and prev[-1].isascii() and prev[-1].isalnum() and line[0].isascii() and line[0].isalnum():
        return f"{prev} {line}"
    return prev + line


def paragraphs(lines: list[str]) -> list[str]:
    """Join lines broken mid-sentence; a heading or a line after 。/： starts a new paragraph."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and joins(out[-1], line):
            out[-1] = glue(out[-1], line)
        else:
            out.append(line)
    return out


def _margin_lines(lines: list[_PrintedLine], height: float) -> tuple[int, int]:
    """How many lines at the top and at the bottom stand apart in the margins (running headers,
    footers): printed in the outer tenth of the page with more than a line's height of space
    between them and the body. They become paragraphs of their own, never glued into a sentence."""
    top = 0
    while top < len(lines) - 1 and lines[top].bottom < 0.1 * height \
            and lines[top + 1].top - lines[top].bottom > lines[top].size:
        top += 1
    bottom = 0
    while len(lines) - bottom - 1 > top and lines[-1 - bottom].top > 0.9 * height \
            and lines[-1 - bottom].top - lines[-2 - bottom].bottom > lines[-1 - bottom].size:
        bottom += 1
    return top, bottom


def page_text(page: Page, page_no: int) -> PageText:
    height = float(page.height)
    lines = _drop_page_furniture(reading_order_lines(page), height)
    top, bottom = _margin_lines(lines, height)
    texts = [line.text for line in lines]
    body = paragraphs(texts[top:len(texts) - bottom])
    return PageText(page_no, "\n".join(texts[:top] + body + texts[len(texts) - bottom:]))
