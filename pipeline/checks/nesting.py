"""Rows of a summary table that nest: which printed rows are the top level a total adds up.

A 收支总表 lists its rows in outline order (pre-order): a group row carries the sum of the rows printed
under it (一、财政拨款 › 一般公共预算 / 政府性基金预算; a 类 › its 款 › its 项), and many templates print
no code and no numbering that tells the levels apart (Hangzhou's expenditure side: 公共安全支出, 公安,
行政运行 … one under the other, same indentation). Summing every row counts a group two or three times.

The labels cannot say the level (numbering is stripped from row labels, and most rows carry none), so
the table's own arithmetic does: find an outline in which every group row equals the sum of the rows
directly under it and the top-level rows add up to the printed total. When the flat list already adds up,
that is the reading (nothing nests); when only an outline does, it is taken and the rule says so in an
info finding. The search visits each (row, running sum) state once under a step budget (``MAX_STEPS``), so a table
of a few dozen rows costs milliseconds and a pathological one gives up (no outline: the flat reading is reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pipeline.checks.tolerance import half_unit

# States visited per table side at most (a pathological table gives up: no outline); measured on
# the other_cities corpus (Hangzhou's expenditure side, 31 rows in three levels: about 1,500 states, 30 ms).
MAX_STEPS = 20_000


@dataclass(frozen=True)
class Outline:
    roots: list[int]  # indices of the top-level rows
    parent: dict[int, int]  # row index -> index of the group row it is printed under

    @property
    def nested(self) -> bool:
        return bool(self.parent)


def _matches(acc: Decimal, band: Decimal, target: Decimal) -> bool:
    return abs(target - acc) <= band + half_unit(target)


_Links = tuple[tuple[int, int], ...]  # (child row, its group row) pairs inside a subtree


class _Outliner:
    """Dynamic programming from the last row up: ``spans[i]`` maps each row a subtree rooted at row i can
    end before to the parent links inside it (a leaf ends at i + 1; a group where its children add up).
    Runs of subtrees are searched over (row, running sum, band) states, each visited once."""

    def __init__(self, values: list[Decimal]) -> None:
        self.values, self.n = values, len(values)
        self.monotone = all(v >= 0 for v in values)  # sums only grow: a run past its target can stop
        self.steps = MAX_STEPS
        self.spans: list[dict[int, _Links]] = [{} for _ in values]
        for i in range(self.n - 1, -1, -1):
            self.spans[i][i + 1] = ()  # a leaf
            if values[i] == 0:  # a zero row nests nothing that matters to a sum
                continue
            for end, kids in self.runs(i + 1, values[i], None).items():
                self.spans[i].setdefault(end, tuple((k, i) for k in kids) + self._inside(kids, end))

    def runs(self, start: int, target: Decimal, last: int | None) -> dict[int, tuple[int, ...]]:
        """Ends of runs of subtrees from ``start`` whose roots add up to ``target`` -> the roots; ``last``:
        the run must end there."""
        found: dict[int, tuple[int, ...]] = {}
        seen: set[tuple[int, Decimal, Decimal]] = set()
        stack: list[tuple[int, Decimal, Decimal, tuple[int, ...]]] = [(start, Decimal(0), Decimal(0), ())]
        while stack and self.steps > 0:
            k, acc, band, roots = stack.pop()
            if (k, acc, band) in seen:
                continue
            seen.add((k, acc, band))
            self.steps -= 1
            # a group's run never ends on a zero row: the zero row is as well the group's next sibling,
            # and is not put under a group no figure ties it to
            closed = k == last if last is not None else bool(roots) and self.values[roots[-1]] != 0
            if closed and _matches(acc, band, target):
                found.setdefault(k, roots)
            if k >= self.n or (self.monotone and acc - band > target + half_unit(target)):
                continue
            v = self.values[k]
            for end in self.spans[k]:
                stack.append((end, acc + v, band + (half_unit(v) if v else 0), (*roots, k)))
        return found

    def _inside(self, roots: tuple[int, ...], end: int) -> _Links:
        """The parent links inside the subtrees of a run's roots (each ends at the next root, or at ``end``)."""
        return tuple(x for r, nxt in zip(roots, (*roots[1:], end), strict=True) for x in self.spans[r][nxt])

    def outline(self, roots: tuple[int, ...]) -> Outline:
        return Outline(list(roots), dict(self._inside(roots, self.n)))


def outline(values: list[Decimal], total: Decimal) -> Outline | None:
    """The outline of ``values`` (rows in printed order) whose top level adds up to ``total`` within
    the rounding band; flat when the plain sum holds; None when no outline makes it hold."""
    if not values:
        return None
    if _matches(sum(values, Decimal(0)), sum((half_unit(v) for v in values if v != 0), Decimal(0)), total):
        return Outline(list(range(len(values))), {})
    o = _Outliner(values)
    top = o.runs(0, total, o.n).get(o.n)
    return None if top is None else o.outline(top)


def widest_outline(values: list[Decimal]) -> Outline:
    """Each row taken with the widest run under it that adds up to it: the outline to report a total
    against when no outline makes it hold (a group row is still not counted twice)."""
    o = _Outliner(values)
    roots, k = [], 0
    while k < o.n:
        roots.append(k)
        k = max(o.spans[k])
    return o.outline(tuple(roots))
