"""Pages whose glyphs cannot be read as printed: out-of-order glyphs, glyphs on top of each other,
numbers in a font without a Unicode map.

Every reader here orders a line's characters by their position (``grid.join_chars``,
``text._line_text``, the text grid), never by the order the content stream draws them, so a
page whose exporter writes each glyph on its own in reverse or shuffled order ("计合" for "合计",
"00.001" for "100.00" in pdfminer's own text lines) is read right: the repair is certain as long
as the positions are distinct. Such pages are only noted.

Two cases cannot be repaired and are reported instead:

- glyphs of one line printed at (nearly) the same position — a font whose widths pdfminer does not
  know advances nothing — leave only the content stream's order, which nothing confirms;
- digits in a font without a Unicode map come out as ``(cid:NN)`` or private-use characters: the
  figure is unknown, and a reader must not take the ``18`` of ``(cid:18)`` or the digits left around
  such a glyph for the printed amount. Those pages are skipped like pages entirely in such fonts.

One pass over the page's characters in content-stream order, comparing each with the one before.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from schemas.records import Finding, Severity

# Consecutive glyphs (stream order) on one line that step back by more than this share of the font
# size count as drawn out of order; a reversed line steps back on every pair.
BACK_STEP = 0.3
# Share of same-line consecutive pairs stepping back for a page to count as drawn out of order, and
# the least number of such steps. Measured on the 35 corpus PDFs (../shared/corpus, every page): at
# most 1.1 % of a page's pairs step back; a page drawn reversed or shuffled: 55–100 %.
SCRAMBLED_SHARE = 0.25
MIN_OUT_OF_ORDER = 10
# Glyphs of one line whose left edges lie within this share of the font size of each other, with
# different texts, sit on top of each other (bold printed twice repeats the same text: not counted).
STACKED_SPAN = 0.05
# Share of same-line pairs stacked, and the least number, for the page's order to be unverifiable.
# Measured on the same corpus: no page has a single stacked pair.
STACKED_SHARE = 0.25
MIN_STACKED = 20
# A glyph without Unicode touching a number, or in a run with another such glyph (a figure printed
# in the font), within this share of the font size.
TOUCH = 0.6

_CID = re.compile(r"^\(cid:\d+\)$")
_NUMBERISH = frozenset("0123456789,.%-")


def unmapped(text: str) -> bool:
    """A glyph pdfminer could not give a Unicode character: ``(cid:NN)`` or a private-use code point."""
    if len(text) == 1:
        return 0xE000 <= ord(text) <= 0xF8FF
    return bool(_CID.match(text))


@dataclass
class GlyphOrder:
    """What one pass over a page's characters found."""

    pairs: int = 0  # consecutive glyphs on one line
    backwards: int = 0  # ... the second printed left of the first
    stacked: int = 0  # ... both at the same place, different texts
    unmapped_numbers: int = 0  # glyphs without Unicode inside or beside a figure

    @property
    def scrambled(self) -> bool:
        """Drawn out of reading order; read right by position."""
        return self.backwards >= MIN_OUT_OF_ORDER and self.backwards > SCRAMBLED_SHARE * self.pairs

    @property
    def unorderable(self) -> bool:
        """Glyphs on top of each other: their order is the stream's, nothing confirms it."""
        return self.stacked >= MIN_STACKED and self.stacked > STACKED_SHARE * self.pairs


def _same_line(a: dict, b: dict, size: float) -> bool:
    return abs(float(a["top"]) - float(b["top"])) < 0.3 * size and abs(float(a["bottom"]) - float(b["bottom"])) < 0.3 * size


def glyph_order(chars: list[dict]) -> GlyphOrder:
    """Compare each upright glyph with the previous one drawn (see the module doc)."""
    found = GlyphOrder()
    prev: dict | None = None
    prev_unmapped = False
    for ch in chars:
        text = ch.get("text") or ""
        if not text.strip() or not ch.get("upright", True):
            continue
        is_unmapped = unmapped(text)
        if prev is not None:
            size = max(float(ch.get("size") or 0), float(prev.get("size") or 0), 1.0)
            if _same_line(prev, ch, size):
                found.pairs += 1
                step = float(ch["x0"]) - float(prev["x0"])
                if abs(step) <= STACKED_SPAN * size:
                    if text != prev["text"]:
                        found.stacked += 1
                elif float(ch["x1"]) <= float(prev["x0"]) + BACK_STEP * size:
                    found.backwards += 1
                if (is_unmapped or prev_unmapped) and _touch(prev, ch, size):
                    other = prev["text"] if is_unmapped else text
                    if (is_unmapped and prev_unmapped) or other in _NUMBERISH:
                        found.unmapped_numbers += 1
        prev, prev_unmapped = ch, is_unmapped
    return found


def _touch(a: dict, b: dict, size: float) -> bool:
    gap = max(float(b["x0"]) - float(a["x1"]), float(a["x0"]) - float(b["x1"]))
    return gap < TOUCH * size


GLYPH_RULE = "structure.glyphs"  # the findings below (kept by re-checks: pipeline.checks.text.TEXT_RULES)


@dataclass
class GlyphPages:
    """The pages of one document, by what :func:`glyph_order` found on them."""

    scrambled: list[int] = field(default_factory=list)
    unorderable: list[int] = field(default_factory=list)
    unmapped_numbers: list[int] = field(default_factory=list)

    def offer(self, page_no: int, chars: list[dict]) -> None:
        g = glyph_order(chars)
        if g.unmapped_numbers:
            self.unmapped_numbers.append(page_no)
        if g.unorderable:
            self.unorderable.append(page_no)
        elif g.scrambled:
            self.scrambled.append(page_no)

    def reports(self, skipped: Collection[int] = ()) -> list[tuple[Severity, list[int], str]]:
        """(severity, pages, message) per kind of page found, pages already ``skipped`` (unreadable fonts) left out.

        Warnings are problems of the document (its figures on those pages are missing or unverified);
        the info only says that the reading repaired the order."""
        kinds = (
            (Severity.WARNING, self.unmapped_numbers, "figures printed in a font without a Unicode map ((cid:NN) or "
                                                      "private-use glyphs) on pages {}: those figures are not read"),
            (Severity.WARNING, self.unorderable, "glyphs printed on top of each other on pages {} (a font without "
                                                 "widths): their order is the file's, unverified"),
            (Severity.INFO, self.scrambled, "glyphs drawn out of reading order on pages {}: read by their positions"),
        )
        out = []
        for severity, found, message in kinds:
            if pages := [p for p in found if p not in skipped]:
                out.append((severity, pages, message.format(_pages(pages))))
        return out

    def findings(self, doc_id: str, skipped: Collection[int] = ()) -> list[Finding]:
        return [Finding(doc_id=doc_id, rule=GLYPH_RULE, severity=severity, message=message, page=_pages(pages))
                for severity, pages, message in self.reports(skipped)]

    def problems(self, skipped: Collection[int] = ()) -> list[str]:
        """The warnings' messages: what makes the document partial."""
        return [message for severity, _, message in self.reports(skipped) if severity == Severity.WARNING]


def _pages(pages: list[int]) -> str:
    return ";".join(map(str, pages))
