"""Figures stated in narrative text: number + unit, parsed exactly, years and numbering left out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

UNITS = ("万元", "万平方米", "万套（间）", "万套", "亿元", "元", "个百分点", "%", "个人次", "人次", "个", "辆",
         "台（套）", "台套", "台", "套（间）", "套", "栋", "分", "批次", "次", "项", "家", "户", "人", "期",
         "平方米", "m²", "㎡", "万")
_NUMBER = re.compile(
    r"(?<![\d.A-Za-z])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(" + "|".join(map(re.escape, UNITS)) + ")?"
)
_THRESHOLD = re.compile(r"^(?:（含）)?(?:以上|以下|及以上|及以下)")
_UNIT_SPELLING = {"万": "万元", "个人次": "人次", "台套": "台（套）", "㎡": "m²"}
_QUOTED = re.compile(r"《[^》]*》")
_INSTRUCTION = re.compile(r"（[^（）]*(?:持平表述|不涉及的不列|不用说明)[^（）]*）|持平的不用说明")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    value: Decimal  # as printed, sign not yet applied
    unit: str


def mentions(text: str) -> list[Mention]:
    """Every number with a unit in ``text`` (in ``textforms.figure_text``); years, dates, numbering and
    thresholds such as "单价100万元（含）以上" are not figures."""
    masked = _QUOTED.sub(lambda m: "□" * len(m.group()), text)
    out: list[Mention] = []
    for m in _NUMBER.finditer(masked):
        unit = m.group(2)
        if not unit:
            continue
        if _THRESHOLD.match(masked[m.end():]):
            continue
        out.append(Mention(m.start(), m.end(), Decimal(m.group(1).replace(",", "")), _UNIT_SPELLING.get(unit, unit)))
    return out


_LEVEL = re.compile(r"持平")


def level_mentions(text: str, pattern: re.Pattern = _LEVEL) -> list[int]:
    """Offsets of "持平" (no change; or the family's ``pattern``) stated as a fact, not inside template instructions."""
    masked = _INSTRUCTION.sub(lambda m: "□" * len(m.group()), text)
    return [m.start() for m in pattern.finditer(masked)]
