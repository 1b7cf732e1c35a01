"""Indicator rows of a performance form whose cells arrive as text lines (a text layer, a .txt).

The text layer of a ruled form gives each cell's lines in reading order: a row's 一级/二级/三级
labels (wrapped, the weight "（5分）" often on a line of its own), then its target, actual and
score, sometimes all on one line, sometimes one fragment per line, sometimes with the labels of
the other columns on the same baseline. A row is closed by its score, a bare number ending a
line; the labels before it are split into levels by the layout vocabulary, the name is what
remains. See ``tests/test_performance_text.py`` for the patterns on real rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from extractors.perf_values import is_number_token, is_unit_token, starts_quantity

LAYOUT_FILE = Path(__file__).with_name("performance_layout.yaml")
WEIGHT = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]")
WEIGHT_END = re.compile(r"[（(](\d+(?:\.\d+)?)分[）)]$")
OPEN_WEIGHT = re.compile(r"[（(]\d+(?:\.\d+)?$|[（(]\d+(?:\.\d+)?分$")  # "（5" waiting for "分）"
MAX_TAIL_LINES = 6  # label fragments after a row's values: at most 5 seen (附件 5 of the Hongshan text)
MAX_LABEL_COLUMNS = 3  # 一级, 二级 and 三级 labels: the columns a row's label fragments can belong to
WEIGHT_PREFIX = re.compile(r"^[（(]\d+(?:\.\d+)?(?:分[）)]?)?$")  # "（2", "（2分": a weight still being printed
WEIGHT_DONE = re.compile(r"^[（(]\d+(?:\.\d+)?分[）)]")


@cache
def layout() -> dict:
    with LAYOUT_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def squeeze(text: str) -> str:
    """Whitespace removed, and a weight printed as "（10 分）" closed up to "（10分）"."""
    return re.sub(r"\s+", "", text or "")


@dataclass
class RawRow:
    level1: str | None
    level2: str | None
    name: str
    weight: str | None
    target: str
    actual: str
    score: str
    page: int | None
    level1_weight: str | None = None
    level2_weight: str | None = None
    new_level2: bool = False
    weight_from: str | None = None
    group: str | None = None
    deviation_reason: str | None = None
    conf: float | None = None  # lowest OCR confidence of the row's cells (None: a text layer)


@dataclass
class Labels:
    """What a row's label stream says: levels (with their points) and the indicator's name."""

    level1: str | None = None
    level1_weight: str | None = None
    level2: str | None = None
    level2_weight: str | None = None
    name: str = ""
    weight: str | None = None


def _strip_weight(text: str) -> tuple[str, str | None]:
    m = WEIGHT_END.search(text)
    return (text[: m.start()], m.group(1)) if m else (text, None)


@cache
def _vocab() -> tuple[tuple[str, ...], frozenset[str], frozenset[str], re.Pattern]:
    lay = layout()
    l1, l2 = frozenset(lay["level1"]), frozenset(lay["level2"])
    terms = tuple(sorted(l1 | l2, key=len, reverse=True))
    heads = sorted(lay["header_words"] + [s for s in lay["section_labels"]], key=len, reverse=True)
    head = re.compile("^(?:" + "|".join(re.escape(h) for h in heads) + r")(?:[（(]\d+(?:\.\d+)?分[）)])?")
    return terms, l1, l2, head


def split_labels(stream: str) -> Labels:
    """Levels off the front of a row's joined labels (header words and spanning labels dropped);
    a level word is never taken when nothing would remain for the name."""
    terms, l1, l2, head = _vocab()
    out = Labels()
    s = squeeze(stream)
    while s:
        m = head.match(s) or re.match(r"^[（(]\d+(?:\.\d+)?分[）)]", s)
        if m:  # header words and spanning labels are never a name
            s = s[m.end():]
            continue
        term = next((t for t in terms if s.startswith(t)), None)
        if term is None:
            break
        rest = s[len(term):]
        w = re.match(r"^[（(](\d+(?:\.\d+)?)分[）)]", rest)
        after = rest[w.end():] if w else rest
        if not after:
            break
        following_level = any(after.startswith(t) for t in terms)
        if term in l1 and (term not in l2 or following_level or out.level1 is None and out.level2 is None and following_level):
            out.level1, out.level1_weight = term, w.group(1) if w else None
        else:
            out.level2, out.level2_weight = term, w.group(1) if w else None
        s = after
    out.name, out.weight = _strip_weight(s)
    return out


def _continues_weight(column: str, fragment: str) -> bool:
    """Whether ``fragment`` goes on printing the weight left open at the end of ``column`` ("（2" + "分）")."""
    m = OPEN_WEIGHT.search(column)
    if m is None:
        return True
    joined = column[m.start():] + squeeze(fragment)
    return bool(WEIGHT_DONE.match(joined) or WEIGHT_PREFIX.match(joined))


def interleaved_columns(fragments: list[str], line_starts: list[bool]) -> list[str] | None:
    """Label fragments split into the columns they came from, when the text layer interleaved them.

    A column whose weight is left open ("指标（2") cannot go on with a fragment that does not close
    it ("满意度指标"): that fragment starts the next column, and the open weight's tail ("分）")
    comes after the row's values. Once that is seen, fragments sharing a line ("（2分） 劳务外包服务满")
    belong to columns side by side. None when no open weight was interrupted (one column of labels).
    """
    columns: list[str] = []
    interleaved = False
    for f, first in zip(fragments, line_starts, strict=True):
        if not columns:
            columns.append(squeeze(f))
        elif not _continues_weight(columns[-1], f):
            interleaved = True
            columns.append(squeeze(f))
        elif interleaved and not first:
            columns.append(squeeze(f))
        else:
            columns[-1] += squeeze(f)
    return columns if interleaved and len(columns) <= MAX_LABEL_COLUMNS else None


def _merge_units(tokens: list[str]) -> list[str]:
    """"146", "栋" → "146 栋": a bare number and the unit printed apart from it."""
    out: list[str] = []
    for t in tokens:
        if out and is_unit_token(t) and out[-1][-1:].isdigit() and starts_quantity(out[-1]):
            out[-1] = f"{out[-1]} {t}"
        else:
            out.append(t)
    return out


def two_values(tokens: list[str]) -> tuple[str, str] | None:
    """Target and actual from the tokens between a complete name and the score."""
    units = _merge_units(tokens)
    while len(units) > 2:
        for i in range(len(units) - 2, -1, -1):  # "每月", "2次" → "每月 2次"
            if not starts_quantity(units[i]) and not any(c.isdigit() for c in units[i]) and starts_quantity(units[i + 1]):
                units[i:i + 2] = [f"{units[i]} {units[i + 1]}"]
                break
        else:
            units = [units[0], " ".join(units[1:])]
    return (units[0], units[1]) if len(units) == 2 else None


@dataclass
class _Open:
    """A row emitted with label columns still waiting for their tails (weights on later lines)."""

    row_index: int
    columns: list[str]  # texts of the columns given on the value line, right-aligned to level1/level2/name
    kinds: list[str]
    lines: int = 0


@dataclass
class RowReader:
    """Feed lines in order; ``rows`` collects the indicator rows."""

    uses_weights: bool = True
    rows: list[RawRow] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # label fragments since the last row
    line_starts: list[bool] = field(default_factory=list)  # per pending fragment: the first of its line
    values: list[str] = field(default_factory=list)  # value fragments after a complete name
    opened: _Open | None = None
    level1: tuple[str | None, str | None] = (None, None)
    level2: tuple[str | None, str | None] = (None, None)
    group: str | None = None

    def _name_complete(self) -> bool:
        """The labels so far end with a name and its weight; a level word alone ("质量指标（2分）") waits for the name."""
        stream = "".join(self.pending)
        if not WEIGHT_END.search(stream):
            return False
        name = split_labels(stream).name
        return bool(name) and name not in _vocab()[0]

    def feed(self, line: str, page: int | None) -> None:
        tokens = [t for t in re.sub(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]", r"（\1分）", line).split() if t]
        if not tokens:
            return
        if self.opened is not None and not self._is_value_line(tokens) and self._tail(tokens):
            return
        if self._is_value_line(tokens):
            self._value_line(tokens, page)
            return
        if len(tokens) == 1 and is_number_token(tokens[0]) and len(self.values) >= 2:
            self._emit(self.pending, self.values[0], "".join(self.values[1:]), tokens[0], page)
            return
        if self._name_complete():
            self.values.append(" ".join(tokens))
        else:
            self.pending.extend(tokens)
            self.line_starts.extend([True] + [False] * (len(tokens) - 1))

    def _is_value_line(self, tokens: list[str]) -> bool:
        if len(tokens) < 3 or not is_number_token(tokens[-1]):
            return False
        if self._name_complete():
            return True
        return len(_merge_units(tokens[:-1])) >= 2

    def _value_line(self, tokens: list[str], page: int | None) -> None:
        score, toks = tokens[-1], self.values + tokens[:-1]
        self.values = []
        if self._name_complete():
            pair = two_values(toks)
            if pair:
                self._emit(self.pending, pair[0], pair[1], score, page)
            return
        units = _merge_units(toks)
        prefix, (target, actual) = units[:-2], units[-2:]
        if len(prefix) >= 2 and self.uses_weights:
            kinds = ["level1", "level2", "name"][-len(prefix):] if len(prefix) <= 3 else ["level1", "level2", "name"]
            cols = prefix if len(prefix) <= 3 else ["".join(prefix[:-2]), *prefix[-2:]]
            self._emit([], target, actual, score, page)
            self.opened = _Open(len(self.rows) - 1, list(cols), kinds)
            self._apply_open()
            return
        starts = self.line_starts + [True] + [False] * (len(prefix) - 1)
        columns = interleaved_columns(self.pending + prefix, starts[:len(self.pending) + len(prefix)]) if self.uses_weights else None
        if columns is not None:  # label columns interleaved before the values; their tails follow them
            self._emit([], target, actual, score, page)
            self.opened = _Open(len(self.rows) - 1, columns, ["level1", "level2", "name"][-len(columns):])
            self._apply_open()
            return
        self._emit(self.pending + prefix, target, actual, score, page)
        if prefix and OPEN_WEIGHT.search(prefix[-1]):
            self.opened = _Open(len(self.rows) - 1, [self.rows[-1].name], ["name"])

    def _tail(self, tokens: list[str]) -> bool:
        """Label tails of an open row: each token to the next column still without its weight."""
        op = self.opened
        assert op is not None
        if any(starts_quantity(t) for t in tokens) or op.lines >= MAX_TAIL_LINES:
            self._close()
            return False
        start = 0
        for t in tokens:
            i = next((k for k in range(start, len(op.columns)) if not WEIGHT_END.search(op.columns[k])), None)
            if i is None:
                self._close()
                return False
            op.columns[i] += t
            start = i if not WEIGHT_END.search(op.columns[i]) else i + 1
        op.lines += 1
        if all(WEIGHT_END.search(c) for c in op.columns):
            self._close()
        else:
            self._apply_open()
        return True

    def _apply_open(self) -> None:
        op = self.opened
        if op is None:
            return
        row = self.rows[op.row_index]
        for kind, text in zip(op.kinds, op.columns, strict=True):
            base, w = _strip_weight(squeeze(text))
            if kind == "level1":
                row.level1, row.level1_weight = base, w
            elif kind == "level2":
                row.level2, row.level2_weight, row.new_level2 = base, w, True
            else:
                row.name, row.weight = base, w
        if "level1" in op.kinds:
            self.level1 = (row.level1, row.level1_weight)
        if "level2" in op.kinds:
            self.level2 = (row.level2, row.level2_weight)

    def _close(self) -> None:
        self._apply_open()
        self.opened = None

    def _emit(self, labels: list[str], target: str, actual: str, score: str, page: int | None) -> None:
        if self.opened is not None:
            self._close()
        lab = split_labels("".join(labels))
        new_l2 = lab.level2 is not None
        if lab.level1 is not None:
            self.level1 = (lab.level1, lab.level1_weight)
            if lab.level2 is None:
                self.level2 = (None, None)
        if lab.level2 is not None:
            self.level2 = (lab.level2, lab.level2_weight)
        self.rows.append(RawRow(
            level1=self.level1[0], level2=self.level2[0], name=lab.name, weight=lab.weight, target=target.strip(),
            actual=actual.strip(), score=score, page=page, level1_weight=self.level1[1], level2_weight=self.level2[1],
            new_level2=new_l2 or lab.level1 is not None, group=self.group,
        ))
        self.pending, self.values, self.line_starts = [], [], []

    def finish(self) -> list[RawRow]:
        if self.opened is not None:
            self._close()
        _group_weights(self.rows)
        return [r for r in self.rows if r.name]


def _group_weights(rows: list[RawRow]) -> None:
    """An indicator printed without points is worth its 二级 group's points when it is the group's only row."""
    for i, r in enumerate(rows):
        if r.weight is not None or not r.new_level2 or r.level2_weight is None:
            continue
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if nxt is None or nxt.new_level2 or nxt.group != r.group:
            r.weight, r.weight_from = r.level2_weight, "level2"
