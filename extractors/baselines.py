"""Put glyphs of a font whose metrics place them off their line back on it.

Some exporters (WPS / Word with a separate digit font) embed a font whose descent is wrong:
pdfminer draws each glyph's box from the baseline down by the font's descent, so every glyph
of such a font lands a line below the text it is printed in line with — "2026" drops under
"年部门收支总体情况表", every amount and comma sits on a line of its own and no title, sentence
or table row reads right. The baseline itself (the glyph's text matrix) is right: a glyph whose
box lies implausibly far below (or above) its own baseline is re-placed around the baseline at
the descent the page's other glyphs have. Glyphs with sane boxes are never moved.
"""

from __future__ import annotations

from statistics import median

# (box bottom − baseline) / size: CJK and Latin fonts measure −0.1 … −0.3 (measured on the
# Shanghai, Jiangsu and other_cities corpora); subscripts (rise ≈ −0.33) reach about −0.55.
LOWEST_DESCENT = -0.75
HIGHEST_DESCENT = 0.5
DEFAULT_DESCENT = -0.2  # a page whose every glyph is off: the usual CJK descent
SKEW = 1e-6  # a text matrix entry this close to zero is zero: larger ones mean rotated or skewed text


def _descent(ch: dict) -> float | None:
    """The glyph's box bottom below its baseline, in font sizes; None for rotated or skewed text."""
    m = ch.get("matrix")
    size = float(ch.get("size") or 0)
    if not m or size <= 0 or abs(m[1]) > SKEW or abs(m[2]) > SKEW or m[3] <= 0 or not ch.get("upright", True):
        return None
    return (float(ch["y0"]) - float(m[5])) / size


def repair_baselines(chars: list[dict]) -> int:
    """Move, in place, the glyphs whose box is off their own baseline onto it; returns how many moved."""
    off: list[tuple[dict, float]] = []
    sane: list[float] = []
    for ch in chars:
        d = _descent(ch)
        if d is None:
            continue
        if LOWEST_DESCENT <= d <= HIGHEST_DESCENT:
            sane.append(d)
        else:
            off.append((ch, d))
    if not off:
        return 0
    usual = median(sane) if sane else DEFAULT_DESCENT
    for ch, d in off:
        dy = (usual - d) * float(ch["size"])  # upwards, in PDF units
        ch["y0"] += dy
        ch["y1"] += dy
        for k in ("top", "bottom", "doctop"):
            if k in ch:
                ch[k] -= dy
    return len(off)


# a glyph box this much (in font sizes) wider than the distance to the next glyph's origin overlaps it
WIDE_BOX_OVERLAP = 0.25
# a font whose boxes overlap so on at least this share of its glyph pairs on a page has wrong widths (on
# Chongqing's digit font: every pair); fonts elsewhere in the corpus overlap only where Word compresses CJK
# punctuation (，。： a few pairs a page, under 5 %), which is left alone
WRONG_WIDTHS_SHARE = 0.5
WRONG_WIDTHS_MIN_PAIRS = 3


def _same_run(ch: dict, nxt: dict) -> bool:
    """Two glyphs drawn one after the other in one font, size and baseline, the second to the right."""
    m, n = ch.get("matrix"), nxt.get("matrix")
    return bool(
        m and n and ch.get("fontname") == nxt.get("fontname") and ch.get("size") == nxt.get("size")
        and abs(float(m[5]) - float(n[5])) <= SKEW and nxt["x0"] > ch["x0"] and ch.get("upright", True)
    )


def _overlaps(ch: dict, nxt: dict) -> bool:
    return bool(ch["x1"] - nxt["x0"] > WIDE_BOX_OVERLAP * float(ch["size"] or 0))


def _advances(pairs: list[tuple[dict, dict]], wrong: set[str]) -> dict[tuple[str, str], float]:
    """How far each glyph of a wrong-width font moves the pen, in font sizes, measured where another glyph
    follows it in its word: per (font, glyph), and per (font, "") over all of the font's glyphs."""
    seen: dict[tuple[str, str], list[float]] = {}
    for ch, nxt in pairs:
        font = str(ch.get("fontname"))
        if font in wrong and _overlaps(ch, nxt) and float(ch.get("size") or 0) > 0:
            advance = (float(nxt["x0"]) - float(ch["x0"])) / float(ch["size"])
            seen.setdefault((font, str(ch.get("text"))), []).append(advance)
            seen.setdefault((font, ""), []).append(advance)
    return {key: median(values) for key, values in seen.items()}


def repair_advances(chars: list[dict]) -> int:
    """Narrow, in place, the boxes of a font whose glyphs are boxed wider than they advance; returns how many.

    Some embedded digit fonts carry no usable widths (pdfminer takes a full em): "890.97" then has
    every glyph's box over its neighbours', and a reader that trusts boxes splits the number. The
    next glyph's origin is where the PDF itself put it, so such a box is cut there. A figure's last glyph
    followed on its line by the next figure (the next column's, a few points on) is cut at the advance
    the same glyph (else the font) has inside figures, or it would reach into that figure and join it."""
    pairs = [(ch, nxt) for ch, nxt in zip(chars, chars[1:], strict=False) if _same_run(ch, nxt)]
    seen: dict[str, list[int]] = {}
    for ch, nxt in pairs:
        counts = seen.setdefault(str(ch.get("fontname")), [0, 0])
        counts[0] += 1
        counts[1] += _overlaps(ch, nxt)
    wrong = {font for font, (n, over) in seen.items() if n >= WRONG_WIDTHS_MIN_PAIRS and over >= WRONG_WIDTHS_SHARE * n}
    if not wrong:
        return 0
    advances = _advances(pairs, wrong)
    narrowed = 0
    for ch, nxt in pairs:
        font = str(ch.get("fontname"))
        if font not in wrong:
            continue
        size = float(ch.get("size") or 0)
        advance = (advances.get((font, str(ch.get("text")))) or advances.get((font, "")) or 0) * size
        x1 = float(nxt["x0"])
        if advance > 0 and str(ch.get("text")).strip():
            # not past the glyph's own advance: the next glyph may be the next figure, a few points on (a
            # blank keeps its box up to the next glyph: it stands for the gap a label is joined over)
            x1 = min(x1, ch["x0"] + advance)
        if ch["x1"] - x1 > WIDE_BOX_OVERLAP * size:
            ch["x1"] = x1
            ch["width"] = x1 - ch["x0"]
            narrowed += 1
    return narrowed
