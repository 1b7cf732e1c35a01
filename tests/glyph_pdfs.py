"""Small PDFs whose glyphs pdfminer cannot read in drawing order (tests/test_glyphs.py).

Each line is drawn glyph by glyph at its printed position, in the content stream's order, in
reverse or shuffled; figures may be printed in a second font that has no Unicode map (its
CIDSystemInfo names an ordering pdfminer has no table for: every glyph comes out ``(cid:NN)``) or
whose ToUnicode map sends digits to the private-use area. Both fonts are patched byte for byte
with strings of the same length, so the file's cross-reference table stays valid.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

TEXT_FONT = "STSong-Light"  # reportlab's built-in CID font: text extracts as Unicode
CID_DIGITS = "HeiseiMin-W3"  # Adobe-Japan1 CID font, its ordering renamed below
PUA_DIGITS = "Vera"  # reportlab ships this TrueType font: no system font needed
_FIGURE = re.compile(r"[0-9][0-9,.%]*")


def _register(name: str) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if name in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(name, "Vera.ttf") if name == PUA_DIGITS else UnicodeCIDFont(name))


def lines_pdf(path: Path, pages: list[list[str]], order: str = "stream", digits: str = "same",
              size: float = 12.0) -> Path:
    """One page per list of lines, each glyph drawn on its own at its printed position.

    order: stream (left to right) | reversed | shuffled | stacked (every glyph of a line at the line's start,
    as pdfminer places a font whose widths it does not know). digits: same (the text font) | unmapped
    ((cid:NN) glyphs) | private (private-use code points): the font figures are printed in."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    digit_font = {"same": TEXT_FONT, "unmapped": CID_DIGITS, "private": PUA_DIGITS}[digits]
    for name in {TEXT_FONT, digit_font}:
        _register(name)
    figure_at = set()
    c = canvas.Canvas(str(path), invariant=1, pageCompression=0)
    rnd = random.Random(7)
    for lines in pages:
        y = 780.0
        for s in lines:
            figure_at = {i for m in _FIGURE.finditer(s) for i in range(m.start(), m.end())}
            fonts = [digit_font if i in figure_at else TEXT_FONT for i in range(len(s))]
            at, x = [], 60.0
            for ch, font in zip(s, fonts, strict=True):
                at.append(x)
                x += pdfmetrics.stringWidth(ch, font, size)
            drawn = list(range(len(s)))
            if order == "reversed":
                drawn.reverse()
            elif order == "shuffled":
                rnd.shuffle(drawn)
            for i in drawn:
                c.setFont(fonts[i], size)
                c.drawString(at[0] if order == "stacked" else at[i], y, s[i])
            y -= 1.8 * size
        c.showPage()
    c.save()
    data = path.read_bytes()
    if digits == "unmapped":
        assert b"/Ordering (Japan1)" in data
        data = data.replace(b"/Ordering (Japan1)", b"/Ordering (Xxxxx1)")
    elif digits == "private":
        for d in b"0123456789":
            old = b"<%02X> <00%02X>" % (d, d)
            assert old in data
            data = data.replace(old, b"<%02X> <E0%02X>" % (d, d))
    path.write_bytes(data)
    return path
