"""Rounding arithmetic at the printed precision.

A printed figure such as ``326.72`` stands for any true value within half a unit of its last
digit (±0.005). Sums of n printed parts therefore carry up to n half-units of rounding, plus
the total's own half-unit; ratios are computed over the intervals of their operands. A
difference inside that band is rounding (warning), outside it an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from itertools import product


class Verdict(StrEnum):
    OK = "ok"
    ROUNDING = "rounding"
    MISMATCH = "mismatch"


def unit_of(value: Decimal) -> Decimal:
    """One unit of the last printed digit: 326.72 → 0.01, 1600 → 1."""
    exp = value.as_tuple().exponent
    if not isinstance(exp, int) or exp >= 0:
        return Decimal(1)
    return Decimal(1).scaleb(exp)


def half_unit(value: Decimal) -> Decimal:
    """Largest rounding error of a printed value; a bare integer zero ("0") is exact."""
    exp = value.as_tuple().exponent  # an int for a finite value ('n', 'N', 'F' for NaN and infinity)
    if value == 0 and isinstance(exp, int) and exp >= 0:
        return Decimal(0)
    return unit_of(value) / 2


def round_like(value: Decimal, like: Decimal) -> Decimal:
    """``value`` rounded half-up to the printed precision of ``like``."""
    return value.quantize(unit_of(like), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SumCheck:
    expected: Decimal  # what the identity implies (sum of the parts)
    actual: Decimal  # the printed total
    difference: Decimal  # actual − expected
    allowance: Decimal  # rounding band
    verdict: Verdict


def check_sum(total: Decimal, parts: list[Decimal], extra: Decimal = Decimal(0)) -> SumCheck:
    """Printed ``total`` against the sum of printed ``parts``.

    A part printed as zero (0.00 in a table of 0.00 rows) is taken as exactly zero: the national
    template prints every item, and letting each empty item widen the band would hide real errors.
    """
    expected = sum(parts, Decimal(0))
    diff = total - expected
    allowance = half_unit(total) + sum((half_unit(p) for p in parts if p != 0), Decimal(0)) + extra
    if diff == 0:
        verdict = Verdict.OK
    elif abs(diff) <= allowance:
        verdict = Verdict.ROUNDING
    else:
        verdict = Verdict.MISMATCH
    return SumCheck(expected, total, diff, allowance, verdict)


def check_equal(printed: Decimal, reference: Decimal, extra: Decimal = Decimal(0)) -> SumCheck:
    """Two printings of the same quantity: each may be rounded once."""
    return check_sum(printed, [reference], extra)


@dataclass(frozen=True)
class RatioCheck:
    expected: Decimal  # the computed percentage, rounded to the stated precision
    actual: Decimal  # the stated percentage
    difference: Decimal
    low: Decimal
    high: Decimal
    verdict: Verdict


def _interval(v: Decimal) -> tuple[Decimal, Decimal]:
    h = half_unit(v)
    return v - h, v + h


def pct_range(func, *values: Decimal) -> tuple[Decimal, Decimal] | None:
    """Range of ``func`` over the rounding intervals of its operands (monotone per operand).

    ``None`` when the function is undefined somewhere in the box (a zero denominator).
    """
    results = []
    with localcontext() as ctx:
        ctx.prec = 34
        for corner in product(*(_interval(v) for v in values)):
            try:
                results.append(func(*corner))
            except (ZeroDivisionError, ArithmeticError):
                return None
    return min(results), max(results)


def check_pct(stated: Decimal, low_high: tuple[Decimal, Decimal], central: Decimal,
              extra: Decimal = Decimal(0)) -> RatioCheck:
    """A stated percentage against the range the printed operands allow.

    OK when some admissible value rounds to the stated one; off by one last digit (truncation,
    or rounding of already rounded operands) is rounding; anything further an error.
    """
    low, high = low_high
    dist = Decimal(0) if low <= stated <= high else min(abs(stated - low), abs(stated - high))
    if dist <= half_unit(stated):
        verdict = Verdict.OK
    elif dist <= unit_of(stated) + half_unit(stated) + extra:  # one last digit away from a correct rounding
        verdict = Verdict.ROUNDING
    else:
        verdict = Verdict.MISMATCH
    expected = round_like(central, stated)
    return RatioCheck(expected, stated, stated - expected, low, high, verdict)


def closeness(check: SumCheck | RatioCheck) -> tuple[int, Decimal]:
    """Sort key picking the best of several comparisons: OK before rounding before mismatch, then the smallest difference."""
    return list(Verdict).index(check.verdict), abs(check.difference)


def share_range(amount: Decimal, total: Decimal) -> tuple[Decimal, Decimal] | None:
    return pct_range(lambda a, t: a / t * 100, amount, total)


def change_pct_range(current: Decimal, change: Decimal) -> tuple[Decimal, Decimal] | None:
    return pct_range(lambda c, d: d / (c - d) * 100, current, change)
