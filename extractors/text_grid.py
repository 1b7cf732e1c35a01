"""Grids for tables printed without ruling lines (whitespace-aligned, e.g. typed in Word).

Columns are the x-intervals that the body words (and the lowest header line) occupy: a gap
that no row crosses separates two columns. Each body line is a row; a label wrapped onto a
line of its own just above or below a row (vertically centred cells) is joined to that row.
A header word covers the columns whose centres lie under it, widened by half a column pitch,
since header cells are centred over the columns they span.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from extractors.grid import Cell, Grid, Line, set_confidence
from extractors.headers import is_index_row
from extractors.numbers import normalise_code, parse_amount
from extractors.wrapped_numbers import continues, fills, number_format, same_edge

_NOTE = re.compile(r"^\s*(?:注|说明|备注|填报|制表|单位负责人|附注)")
_NUMBERED = re.compile(r"^[（(]?[一二三四五六七八九十]+[、）)]")
_PAGE_NO = re.compile(r"^[-—–\s第]*\d{1,3}[-—–\s页]*$")

# ---- tuning (lengths in PDF points; "size" is the font size of the characters compared) ---------------------
# Unless said otherwise each was chosen on the corpus when the whitespace reader was written (commit b274c4c)
# and is held by tests/test_tables_engines.py, test_tables_unruled.py and test_variants.py.
MIN_SIZE = 1.0  # a character without a usable size counts as 1 pt (no division by zero-sized glyphs)
# a gap between two characters wider than this share of the font size ends a word (CJK text is set solid)
WORD_GAP = 0.9
# a gap next to a digit ends a word already at this share: a right-aligned amount may nearly touch the next label
DIGIT_GAP = 0.25
# a header word of fewer characters is never cut at an outlier gap: too few gaps to tell an outlier (f69f60f)
MIN_SPLIT_RUN = 4
# floor of a header word's median letter spacing, in font sizes, so solidly set text has a spacing at all (f69f60f)
MIN_LETTER_SPACING = 0.05
# vertical rules within this many points bound no column (a double rule); their x compared at this many decimals
# (commit aabda7d, test_rows_without_rules_between_them_are_read_by_text_position)
MIN_RULED_COLUMN = 4
RULE_X_DECIMALS = 1
# fewer vertical rules through the body than this (two columns need three) leave the columns to whitespace (aabda7d)
MIN_COLUMN_RULES = 3
# header text wrapped in its cell: the lower piece starts less than this share of its height below the upper one,
# its centre within WRAP_X_SLACK points of the upper one's x-range and it is at most that much wider
WRAP_GAP = 0.5
WRAP_X_SLACK = 2
# a header word lies under a spanning one when its centre is within this many of the upper word's heights of it
CHILD_REACH = 3
# points: glyph boxes of one printed line differ by up to this in top / bottom
Y_SLACK = 1
# points: word spans closer than this are one column segment; the outer column boundaries lie this far out
SEGMENT_JOIN = 1.0
EDGE_MARGIN = 1
# a spanning header is centred over its columns: it covers the column centres within this share of a column
# pitch beyond its ends, and a widened block stays centred under it within the same share
SPAN_REACH = 0.25
# another spanning word owns the columns whose centres lie within this share of a pitch beyond its ends (2ae57d7)
OWNER_REACH = 0.5
# sibling column headers stand on one line when their tops differ by less than this share of the word's height
# (2ae57d7, test_tables_layout_rows)
SAME_LINE = 0.5
DEFAULT_PITCH = 20.0  # points: the column or row pitch assumed when there is only one to measure
# a header word starting less than this share of its height below the cell over the same columns continues it
HEADER_WRAP_GAP = 0.8
# a label-only line whose middle lies within this share of the row pitch of a data line's middle is that row's
# wrapped label (vertically centred cells), else a row of its own
WRAPPED_LABEL_REACH = 0.6
# an amount's wrapped end starts less than this many line heights under it (Hangzhou 2026 p. 21: 7.6 pt under
# 8 pt lines, its rows 31.7 pt apart); the cell's own rules confine it in a ruled grid
WRAP_LINE_REACH = 1.5
# the smallest first row and step between row boundaries (points), so that the boundaries always increase
MIN_FIRST_ROW = 0.1
MIN_ROW_STEP = 0.01


@dataclass
class _Word:
    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    chars: tuple[dict, ...] = ()

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


def _numeric(ch: dict) -> bool:
    return ch["text"] in _NUMERIC_CHARS


_NUMERIC_CHARS = frozenset("0123456789,.()-０１２３４５６７８９，．（）－")


# a gap inside a header word that is this much wider than the word's own letter spacing (and at least
# HEADER_GAP of the font size) separates two header cells set close together (tight Word tables: 0.6 of
# a character between 一般公共预算财政 and 政府性基金预算财 at 11 pt); evenly spaced text (决 算 数) is kept
HEADER_GAP = 0.3
HEADER_GAP_RATIO = 3.0


def _words(line: Line) -> list[_Word]:
    """Split a line where the gap between characters is wider than one character, or at any visible gap
    next to a digit (a right-aligned number and the label that follows it can be close)."""
    words: list[_Word] = []
    cur: list[dict] = []
    for ch in sorted(line.chars, key=lambda c: c["x0"]):
        if cur:
            size = max(float(cur[-1].get("size") or 0), MIN_SIZE)
            gap = ch["x0"] - cur[-1]["x1"]
            if gap > size * WORD_GAP or (gap > size * DIGIT_GAP and (_numeric(ch) or _numeric(cur[-1]))):
                words.append(_make_word(cur))
                cur = []
        cur.append(ch)
    if cur:
        words.append(_make_word(cur))
    return words


def _header_words(words: list[_Word]) -> list[_Word]:
    """A header line's words, also cut where a gap stands out from the word's own letter spacing (the texts
    of two header cells nearly touching)."""
    out: list[_Word] = []
    for w in words:
        parts = _split_at_outlier_gap(list(w.chars)) if w.chars else [[]]
        out += [w] if len(parts) == 1 else [_make_word(p) for p in parts]
    return out


def _split_at_outlier_gap(run: list[dict]) -> list[list[dict]]:
    """A run of characters cut at its widest gap when that gap stands out from the others (recursively)."""
    if len(run) < MIN_SPLIT_RUN:
        return [run]
    gaps = [run[i + 1]["x0"] - run[i]["x1"] for i in range(len(run) - 1)]
    i = max(range(len(gaps)), key=lambda k: gaps[k])
    size = max(float(run[i].get("size") or 0), MIN_SIZE)
    others = sorted(g for k, g in enumerate(gaps) if k != i)
    spacing = max(others[len(others) // 2], MIN_LETTER_SPACING * size)  # the median letter spacing of the rest
    if i == 0 or i == len(gaps) - 1 or gaps[i] < HEADER_GAP * size or gaps[i] < HEADER_GAP_RATIO * spacing:
        return [run]
    return _split_at_outlier_gap(run[: i + 1]) + _split_at_outlier_gap(run[i + 1:])


def _make_word(chars: list[dict]) -> _Word:
    return _Word(
        min(c["x0"] for c in chars), max(c["x1"] for c in chars), min(c["top"] for c in chars),
        max(c["bottom"] for c in chars), "".join(c["text"] for c in chars).strip(), tuple(chars),
    )


def _ruled_segments(words: list[_Word], rules: list[float]) -> list[tuple[float, float]]:
    """Columns between vertical rules, keeping those that hold text."""
    xs = sorted(set(round(x, RULE_X_DECIMALS) for x in rules))
    out = []
    for a, b in zip(xs, xs[1:], strict=False):
        inside = [w for w in words if a <= w.center <= b]
        if inside and b - a > MIN_RULED_COLUMN:
            out.append((min(w.x0 for w in inside), max(w.x1 for w in inside)))
    return out


def _pair_headers(
    segments: list[tuple[float, float]], body: list[_Word], leaves: list[_Word]
) -> list[tuple[float, float]]:
    """Join a column that only has a header to a neighbouring column that only has values: a short number
    right-aligned under a centred header need not overlap it. The closest pairs are joined first (a value
    column between two empty columns' headers goes to the nearer one), on the side the amounts' alignment
    allows: left-aligned amounts start at their column's left edge, left of its centred header; right-aligned
    ones end at its right edge, right of it."""

    def has(ws: list[_Word], seg: tuple[float, float]) -> bool:
        return any(min(seg[1], w.x1) - max(seg[0], w.x0) > 0 for w in ws)

    heads = [has(leaves, s) and not has(body, s) for s in segments]
    values = [has(body, s) and not has(leaves, s) for s in segments]
    align = _value_alignment(segments, body)
    pairs: list[tuple[float, int, int]] = []  # (gap, header segment, value segment)
    for i, head in enumerate(heads):
        for j in (i - 1, i + 1):
            if not head or not 0 <= j < len(segments) or not values[j]:
                continue
            if (align == "L" and j > i) or (align == "R" and j < i):
                continue
            gap = segments[j][0] - segments[i][1] if j > i else segments[i][0] - segments[j][1]
            pairs.append((gap, i, j))
    joined: dict[int, int] = {}  # each segment's partner
    for _, i, j in sorted(pairs):
        if i not in joined and j not in joined:
            joined[i], joined[j] = j, i
    out: list[tuple[float, float]] = []
    for k, seg in enumerate(segments):
        if joined.get(k) == k - 1:
            out[-1] = (out[-1][0], seg[1])
        else:
            out.append(seg)
    return out


# x positions within this many points count as one edge (amounts set flush in a column)
ALIGN_TOL = 1.5


def _value_alignment(segments: list[tuple[float, float]], body: list[_Word]) -> str | None:
    """How the amounts sit in their columns, "L", "R" or "C", as most columns show it (None when no column
    has amounts of different widths to tell)."""
    votes: dict[str, int] = {}
    for a, b in segments:
        ws = [w for w in body if a <= w.center <= b and parse_amount(w.text) is not None]
        if len(ws) < 2 or max(w.x1 - w.x0 for w in ws) - min(w.x1 - w.x0 for w in ws) <= ALIGN_TOL:
            continue
        spread = {
            "L": max(w.x0 for w in ws) - min(w.x0 for w in ws),
            "R": max(w.x1 for w in ws) - min(w.x1 for w in ws),
            "C": max(w.center for w in ws) - min(w.center for w in ws),
        }
        flush = [k for k, v in spread.items() if v <= ALIGN_TOL]
        if len(flush) == 1:
            votes[flush[0]] = votes.get(flush[0], 0) + 1
    if not votes:
        return None
    best = max(votes, key=lambda k: votes[k])
    return best if 2 * votes[best] > sum(votes.values()) else None


def _join_wrapped(words: list[_Word]) -> list[_Word]:
    """Join header text wrapped inside its cell (一般公共预算财政拨 / 款) into one word."""
    out: list[_Word] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        h = w.bottom - w.top
        upper = next(
            (u for u in reversed(out) if 0 <= w.top - u.bottom < WRAP_GAP * h and u.x0 - WRAP_X_SLACK <= w.center <= u.x1 + WRAP_X_SLACK
             and w.x1 - w.x0 <= u.x1 - u.x0 + WRAP_X_SLACK),
            None,
        )
        if upper is None:
            out.append(_Word(w.x0, w.x1, w.top, w.bottom, w.text))
            continue
        upper.text += w.text
        upper.bottom = w.bottom
        upper.x0, upper.x1 = min(upper.x0, w.x0), max(upper.x1, w.x1)
    return out


def _below(lower: _Word, upper: _Word) -> bool:
    """lower sits under upper, near it horizontally (a narrow centred parent may not overlap its children)."""
    reach = CHILD_REACH * (upper.bottom - upper.top)
    return lower.top >= upper.bottom - Y_SLACK and upper.x0 - reach <= lower.center <= upper.x1 + reach


def _is_data_word(w: _Word) -> bool:
    return parse_amount(w.text) is not None or normalise_code(w.text) is not None


def _segments(words: list[_Word]) -> list[tuple[float, float]]:
    spans = sorted((w.x0, w.x1) for w in words)
    out: list[list[float]] = []
    for a, b in spans:
        if out and a <= out[-1][1] + SEGMENT_JOIN:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


# a line of amounts alone whose band overlaps a neighbouring line by this share of its height belongs to
# that line's row: cells centred vertically set a row's amounts lower than its labels (measured on the
# golden 财政拨款收入支出决算总表 without its rules: 5-7 pt lower at 12 pt, overlapping 59-60 %); the rows
# of a table never overlap
ROW_OVERLAP = 0.3


def _band(ln: Line) -> tuple[float, float]:
    return min(c["top"] for c in ln.chars), max(c["bottom"] for c in ln.chars)


def _join_offset_amounts(
    lines: list[Line], words: list[list[_Word]], data: list[bool]
) -> tuple[list[Line], list[list[_Word]], list[bool]]:
    """Lines of amounts alone joined to the line they overlap vertically, when no words collide."""
    out_lines: list[Line] = []
    out_words: list[list[_Word]] = []
    out_data: list[bool] = []

    def amounts_only(ws: list[_Word]) -> bool:
        return bool(ws) and all(parse_amount(w.text) is not None for w in ws)

    for ln, ws, d in zip(lines, words, data, strict=True):
        if out_lines and (amounts_only(ws) or amounts_only(out_words[-1])):
            prev, others = out_lines[-1], out_words[-1]
            (t0, b0), (t1, b1) = _band(prev), _band(ln)
            height = min(b0 - t0, b1 - t1)
            apart = all(w.x1 <= o.x0 or o.x1 <= w.x0 for w in ws for o in others)
            if height > 0 and min(b0, b1) - max(t0, t1) >= ROW_OVERLAP * height and apart:
                out_lines[-1] = Line(min(t0, t1), max(b0, b1), min(prev.x0, ln.x0), max(prev.x1, ln.x1), prev.chars + ln.chars)
                out_words[-1] = sorted(others + ws, key=lambda w: w.x0)
                out_data[-1] = out_data[-1] or d
                continue
        out_lines.append(ln)
        out_words.append(ws)
        out_data.append(d)
    return out_lines, out_words, out_data


def _widen_span(
    w: _Word, c0: int, c1: int, col_leaf: list[_Word | None], centers: list[float], pitch: float,
    others: list[_Word],
) -> tuple[int, int]:
    """A spanning header word (本年支出) that reaches only the column right under it widened, one column each side
    at a time, over sibling columns: their own headers on one line below it (小计 基本支出 项目支出), the
    widened block still centred under the word. Columns whose headers sit on another line (本年收入, set
    lower because it spans more header rows) or under another spanning word are not its children."""
    def line_of(c: int) -> float | None:
        leaf = col_leaf[c]
        if leaf is None or leaf.top < w.bottom - Y_SLACK:
            return None
        # another spanning word at this level or below over the column: the column is that word's
        if any(o.x0 - pitch * OWNER_REACH <= centers[c] <= o.x1 + pitch * OWNER_REACH and o.top < leaf.top for o in others):
            return None
        return leaf.top

    core = {line_of(c) for c in range(c0, c1)}
    top = core.pop() if len(core) == 1 else None
    if top is None:
        return c0, c1
    height = w.bottom - w.top
    while c0 > 0 and c1 < len(centers):
        left, right = line_of(c0 - 1), line_of(c1)
        if left is None or right is None or abs(left - top) > height * SAME_LINE or abs(right - top) > height * SAME_LINE:
            break
        if abs((centers[c0 - 1] + centers[c1]) / 2 - w.center) > pitch * SPAN_REACH:
            break
        c0, c1 = c0 - 1, c1 + 1
    return c0, c1


def _block_middle(w: _Word, seg: tuple[float, float], header: list[_Word]) -> float | None:
    """The vertical middle of a column's header text below the spanning word ``w`` (None when it has none)."""
    own = [o for o in header if seg[0] <= o.center <= seg[1] and o.top >= w.bottom - Y_SLACK]
    if not own:
        return None
    return (min(o.top for o in own) + max(o.bottom for o in own)) / 2


def _group_span(w: _Word, core: tuple[int, int], cols: _Columns, header: list[_Word], others: list[_Word]) -> tuple[int, int]:
    """A group header (本年收入 over 小计 / 一般公共预算 / … ) whose sub-headers wrap onto different numbers of
    lines: its columns are the run around the ones under it whose header text is vertically centred at the
    same height (the band under the group; a column spanning the whole header, 总计, is centred higher),
    cut to the widest part that is centred under the word and holds no sibling group's own columns
    (上年结转 over its sources next to it). ``core``: the columns right under the word."""
    n = len(cols.segments)
    middles = [_block_middle(w, seg, header) for seg in cols.segments]
    ref = {round(m, 1) for m in middles[core[0]:core[1]] if m is not None}
    if len(ref) != 1 or any(m is None for m in middles[core[0]:core[1]]):
        return core
    mid, height = ref.pop(), w.bottom - w.top

    def sibling(c: int) -> bool:
        m = middles[c]
        return m is not None and abs(m - mid) <= height * SAME_LINE

    lo, hi = core
    while lo > 0 and sibling(lo - 1):
        lo -= 1
    while hi < n and sibling(hi):
        hi += 1
    # the columns right under each sibling group word on this line belong to that group
    taken = {c for o in others if abs(o.top - w.top) <= height * SAME_LINE
             for c in range(n) if o.x0 - cols.pitch * SPAN_REACH <= cols.centers[c] <= o.x1 + cols.pitch * SPAN_REACH}
    best, best_key = core, (0, 0.0)
    for c0 in range(lo, core[0] + 1):
        for c1 in range(core[1], hi + 1):
            if any(c in taken for c in range(c0, c1)):
                continue
            off = abs((cols.centers[c0] + cols.centers[c1 - 1]) / 2 - w.center)
            key = (c1 - c0, -off)
            if off <= cols.pitch * SPAN_REACH and key > best_key:
                best, best_key = (c0, c1), key
    # sub-headers all starting on one line are _widen_span's to place (it found none to add): not wrapped ones
    tops = [min(o.top for o in header if a <= o.center <= b and o.top >= w.bottom - Y_SLACK)
            for a, b in cols.segments[best[0]:best[1]]]
    return best if max(tops) - min(tops) > height * SAME_LINE else core


def _column_center(seg: tuple[float, float], leaves: list[_Word]) -> float:
    """Where a column's middle is: under its own header word (header cells are centred; the values may hug
    one edge), else the middle of what is printed in it."""
    own = [w for w in leaves if seg[0] <= w.center <= seg[1]]
    if len(own) == 1:
        return own[0].center
    return (seg[0] + seg[1]) / 2


def text_grid(lines: list[Line], rules: list[float] | None = None) -> Grid | None:
    """A grid read from text positions; None when the lines hold no table body.

    ``rules``: x positions of vertical ruling lines running through the body; when there are some they
    separate the columns, else the whitespace between aligned words does.
    """
    fragments: list[tuple[Line, list[_Word]]] = []  # lines of a short number alone: page numbers or wrapped ends
    body_lines, words, has_amount = _join_offset_amounts(*_table_lines(lines, fragments))
    is_data = [amount or bool(ws and _NUMBERED.match(ws[0].text)) for amount, ws in zip(has_amount, words, strict=True)]
    if not any(is_data):
        return None
    first = is_data.index(True)
    body = list(zip(body_lines[first:], words[first:], strict=True))
    # columns: from body words and the leaf header words (those with no header word below them)
    header = _join_wrapped([w for ws in words[:first] for w in ws])
    leaves = [w for w in header if not any(_below(o, w) for o in header if o is not w)]
    body_words = [w for _, ws in body for w in ws]
    segments = _ruled_segments(body_words + leaves, rules) if rules and len(rules) >= MIN_COLUMN_RULES else []
    if not segments:
        segments = _pair_headers(_segments(body_words + leaves), body_words, leaves)
    if len(segments) < 2:
        return None
    body, joined = _join_wrapped_numbers(body, segments, fragments)
    if joined:  # a joined number's line now spans its row's line: join them as amounts set off-centre are
        j_lines, j_words, j_data = _join_offset_amounts([ln for ln, _ in body], [ws for _, ws in body],
                                                        [any(_is_data_word(w) for w in ws) for _, ws in body])
        body = list(zip(j_lines, j_words, strict=True))
        is_data = is_data[:first] + [d or bool(ws and _NUMBERED.match(ws[0].text)) for d, ws in zip(j_data, j_words, strict=True)]
    cols = _columns(segments, leaves)
    rows = _Rows(len(segments))
    _place_header(rows, cols, header, leaves)
    n_header = len(rows.owner)
    _place_body(rows, cols, body, is_data[first:])
    return _finish(rows, n_header, cols.xs, body)


def _join_wrapped_numbers(
    body: list[tuple[Line, list[_Word]]], segments: list[tuple[float, float]], fragments: list[tuple[Line, list[_Word]]]
) -> tuple[list[tuple[Line, list[_Word]]], bool]:
    """Amounts wrapped onto a second line in their cell (18,536.8 over 8) joined into one word on the first
    line, on extractors/wrapped_numbers.py's evidence; a cell's width is its column's, the extent of the words
    printed in it (a wrapped number is as wide as the widest). The continuation is the next word below in the
    column, less than WRAP_LINE_REACH line heights under it; it may stand on a line of its own that looked like a
    page number (``fragments``: those not joined stay dropped). Says whether any was joined."""
    fmt = number_format([w.text for _, ws in body for w in ws])
    if fmt is None:
        return body, False
    top, bottom = body[0][0].top, body[-1][0].bottom
    extra = {id(ln) for ln, _ in fragments}
    out = sorted([(ln, list(ws)) for ln, ws in body] + [(ln, list(ws)) for ln, ws in fragments if top <= ln.top <= bottom],
                 key=lambda lw: lw[0].top)
    joined = False
    for i in range(len(out)):
        for k, w in enumerate(out[i][1]):
            seg = next((s for s in segments if s[0] <= w.center <= s[1]), None)
            if seg is None or not w.chars:
                continue
            below = next(((j, vs) for j in range(i + 1, len(out))
                          if (vs := [v for v in out[j][1] if seg[0] <= v.center <= seg[1]])), None)
            if below is None or len(below[1]) != 1:
                continue
            j, (v,) = below
            text = continues(w.text, v.text, fmt)
            if (text is None or v.top - w.bottom > WRAP_LINE_REACH * (w.bottom - w.top)
                    or not fills(w.x0, w.x1, len(w.chars), seg) or not same_edge((w.x0, w.x1), (v.x0, v.x1))):
                continue
            out[i][1][k] = _Word(min(w.x0, v.x0), max(w.x1, v.x1), w.top, v.bottom, text, w.chars + v.chars)
            ln, rest = out[j]
            out[j] = (_line_of([c for c in ln.chars if not any(c is d for d in v.chars)]), [o for o in rest if o is not v])
            head = out[i][0]
            out[i] = (_line_of(head.chars + list(v.chars)), out[i][1])
            extra.discard(id(out[i][0]))
            joined = True
    return [(ln, ws) for ln, ws in out if ws and id(ln) not in extra], joined


def _line_of(chars: list[dict]) -> Line:
    if not chars:
        return Line(0, 0, 0, 0, [])
    return Line(min(c["top"] for c in chars), max(c["bottom"] for c in chars),
                min(c["x0"] for c in chars), max(c["x1"] for c in chars), chars)


def _table_lines(
    lines: list[Line], fragments: list[tuple[Line, list[_Word]]] | None = None
) -> tuple[list[Line], list[list[_Word]], list[bool]]:
    """The lines of the table (header and body, without notes, page numbers and the 栏次 row), their words and
    whether each holds an amount or a subject code. Lines that look like a page number once the body has started
    are put in ``fragments`` (they may be a wrapped number's end)."""
    body_lines: list[Line] = []
    words: list[list[_Word]] = []
    has_amount: list[bool] = []  # the line holds an amount or a subject code
    body_started = False  # some line so far held one: a note line now ends the table
    for ln in lines:
        text = ln.text.strip()
        if _NOTE.match(text) or "。" in text or "单位：" in text or "单位:" in text:
            if body_started:  # notes under the body end the table; those above it are skipped
                break
            continue
        if _PAGE_NO.match(text):
            if body_started and fragments is not None:
                fragments.append((ln, _words(ln)))
            continue
        ws = _words(ln)
        if not body_started and is_index_row([w.text for w in ws]):
            continue  # the 栏次 row (1, 2, 3 … under the header) is layout
        data_line = any(_is_data_word(w) for w in ws)
        if not body_started and not data_line:
            ws = _header_words(ws)
        body_lines.append(ln)
        words.append(ws)
        has_amount.append(data_line)
        body_started = body_started or has_amount[-1]
    return body_lines, words, has_amount


@dataclass
class _Columns:
    """The columns found: x-range of what is printed in each, its centre, its own leaf header word (if one),
    the boundaries between them and the median pitch of their centres."""

    segments: list[tuple[float, float]]
    centers: list[float]
    leaf: list[_Word | None]
    xs: list[float]
    pitch: float

    def of(self, x: float) -> int:
        """The column at (or nearest to) x."""
        segments = self.segments
        return min(range(len(segments)), key=lambda i: 0 if segments[i][0] <= x <= segments[i][1] else min(abs(segments[i][0] - x), abs(segments[i][1] - x)))


def _columns(segments: list[tuple[float, float]], leaves: list[_Word]) -> _Columns:
    col_centers = [_column_center(seg, leaves) for seg in segments]
    col_leaf = [own[0] if len(own := [w for w in leaves if a <= w.center <= b]) == 1 else None for a, b in segments]
    xs = [segments[0][0] - EDGE_MARGIN] + [(segments[i][1] + segments[i + 1][0]) / 2 for i in range(len(segments) - 1)]
    xs.append(segments[-1][1] + EDGE_MARGIN)
    pitch = statistics.median(b - a for a, b in zip(col_centers, col_centers[1:], strict=False)) if len(col_centers) > 1 else DEFAULT_PITCH
    return _Columns(segments, col_centers, col_leaf, xs, pitch)


@dataclass
class _Rows:
    """The grid being built: its cells, each row's y band and the cell that owns each (row, column)."""

    n_cols: int
    cells: list[Cell] = field(default_factory=list)
    ys: list[tuple[float, float]] = field(default_factory=list)
    owner: list[list[int | None]] = field(default_factory=list)

    def add(self, top: float, bottom: float) -> int:
        self.ys.append((top, bottom))
        self.owner.append([None] * self.n_cols)
        return len(self.owner) - 1


def _place_header(rows: _Rows, cols: _Columns, header: list[_Word], leaves: list[_Word]) -> None:
    """One grid row per header word, spanning the columns it sits over."""
    leaf_ids = {id(w) for w in leaves}
    for w in header:
        if id(w) in leaf_ids:
            cover = [i for i, (a, b) in enumerate(cols.segments) if min(b, w.x1) - max(a, w.x0) > 0]
        else:  # a spanning cell's text is centred over the columns it spans
            cover = [i for i, c in enumerate(cols.centers) if w.x0 - cols.pitch * SPAN_REACH <= c <= w.x1 + cols.pitch * SPAN_REACH]
        if not cover:
            cover = [cols.of(w.center)]
        c0, c1 = min(cover), max(cover) + 1
        if id(w) not in leaf_ids:
            others = [o for o in header if o is not w and id(o) not in leaf_ids and o.top >= w.top - Y_SLACK]
            widened = _widen_span(w, c0, c1, cols.leaf, cols.centers, cols.pitch, others)
            if widened == (c0, c1):  # siblings not on one line: their headers wrap to different heights
                widened = _group_span(w, (c0, c1), cols, header, others)
            c0, c1 = widened
        # join a wrapped header word to the one just above it over the same columns
        prev = next((cell for cell in reversed(rows.cells) if (cell.c0, cell.c1) == (c0, c1)), None)
        if prev is not None and 0 <= w.top - prev.bbox[3] < (w.bottom - w.top) * HEADER_WRAP_GAP:
            prev.lines.append(w.text)
            prev.bbox = (prev.bbox[0], prev.bbox[1], prev.bbox[2], w.bottom)
            continue
        r = rows.add(w.top, w.bottom)
        rows.cells.append(Cell(r, r + 1, c0, c1, (w.x0, w.top, w.x1, w.bottom), [w.text]))
        for c in range(c0, c1):
            rows.owner[r][c] = len(rows.cells) - 1


def _place_body(rows: _Rows, cols: _Columns, body: list[tuple[Line, list[_Word]]], is_data: list[bool]) -> None:
    """Data lines are rows; label-only lines close to a data line are its wrapped labels, other lines rows of their
    own. Rows are added after the header's, data rows first."""
    n_header = len(rows.owner)
    data_idx = [i for i, d in enumerate(is_data) if d]
    pitches = [body[b][0].top - body[a][0].top for a, b in zip(data_idx, data_idx[1:], strict=False)]
    row_pitch = statistics.median(pitches) if pitches else DEFAULT_PITCH
    texts: dict[int, dict[int, list[str]]] = {}
    row_of_line: dict[int, int] = {}
    for i in data_idx:
        ln = body[i][0]
        row_of_line[i] = rows.add(ln.top, ln.bottom)
    for i, (ln, ws) in enumerate(body):
        target = row_of_line.get(i)
        if target is None:
            mid = (ln.top + ln.bottom) / 2
            near = min(data_idx, key=lambda j: abs((body[j][0].top + body[j][0].bottom) / 2 - mid))
            dist = abs((body[near][0].top + body[near][0].bottom) / 2 - mid)
            target = row_of_line[near] if dist < WRAPPED_LABEL_REACH * row_pitch else rows.add(ln.top, ln.bottom)
            if target != row_of_line.get(near):
                row_of_line[i] = target
        for w in ws:
            texts.setdefault(target, {}).setdefault(cols.of(w.center), []).append(w.text)
    for r in range(n_header, len(rows.owner)):
        for c, parts in texts.get(r, {}).items():
            top, bottom = rows.ys[r]
            rows.cells.append(Cell(r, r + 1, c, c + 1, (cols.xs[c], top, cols.xs[c + 1], bottom), ["".join(parts) if _joinable(parts) else " ".join(parts)]))
            rows.owner[r][c] = len(rows.cells) - 1


def _finish(rows: _Rows, n_header: int, xs: list[float], body: list[tuple[Line, list[_Word]]]) -> Grid:
    """The grid with its body rows in page order (wrapped-label rows were added after the data rows)."""
    order = list(range(n_header)) + sorted(range(n_header, len(rows.owner)), key=lambda r: rows.ys[r][0])
    remap = {old: new for new, old in enumerate(order)}
    owner = [rows.owner[r] for r in order]
    for cell in rows.cells:
        cell.r0 = remap[cell.r0]
        cell.r1 = cell.r0 + 1
    ys = [rows.ys[order[0]][0]] + [rows.ys[r][1] for r in order]
    ys = [min(ys[0], ys[1] - MIN_FIRST_ROW)] + [max(ys[i], ys[i - 1] + MIN_ROW_STEP) for i in range(1, len(ys))]
    grid = Grid((xs[0], ys[0], xs[-1], ys[-1]), xs, ys, rows.cells, owner, "pdfplumber-text", header_rows=n_header)
    set_confidence(grid, [c for ln, _ in body for c in ln.chars])
    return grid


def _joinable(parts: list[str]) -> bool:
    """Wrapped label pieces join without a space; separate numbers keep theirs (and then fail to parse)."""
    return not all(parse_amount(p) is not None for p in parts) or len(parts) == 1
