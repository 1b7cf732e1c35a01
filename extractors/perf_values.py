"""Target and actual values of performance indicators: operator, number and unit, text kept.

"≥2次" → (">=", 2, "次"); "155 万平方米" → ("", 155, "万平方米"); "≤0.2%" → ("<=", 0.2, "%").
A value with words around the number ("每月 2次", "收缴率为 85%") or none ("按季提交", "有提升")
is qualitative: its number stays empty, never guessed from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extractors.textforms import folded

OPERATORS: dict[str, str] = {
    "≥": ">=", "≧": ">=", ">=": ">=", "＞=": ">=", "⩾": ">=",
    "≤": "<=", "≦": "<=", "<=": "<=", "＜=": "<=", "⩽": "<=",
    ">": ">", "＞": ">", "<": "<", "＜": "<", "=": "=", "＝": "=",
}
# operator words printed around a number (不低于 95%, 50 个以上)
PREFIX_WORDS: dict[str, str] = {"不低于": ">=", "不少于": ">=", "至少": ">=", "大于等于": ">=",
                                "不高于": "<=", "不超过": "<=", "不多于": "<=", "小于等于": "<=",
                                "大于": ">", "高于": ">", "小于": "<", "低于": "<", "等于": "="}
SUFFIX_WORDS: dict[str, str] = {"及以上": ">=", "以上": ">=", "及以内": "<=", "以内": "<=", "及以下": "<=", "以下": "<="}
MAX_UNIT_CHARS = 8  # longest unit seen in the corpus: 万平方米 / 元/件 / 万人次; longer tails are words

_OP = "|".join(sorted((re.escape(k) for k in OPERATORS), key=len, reverse=True))
_PRE = "|".join(sorted(PREFIX_WORDS, key=len, reverse=True))
_SUF = "|".join(sorted(SUFFIX_WORDS, key=len, reverse=True))
_NUMBER = r"[0-9０-９]+(?:[,，][0-9０-９]{3})*(?:[.．][0-9０-９]+)?"
_VALUE = re.compile(
    rf"^(?P<pre>{_PRE})?\s*(?P<op>{_OP})?\s*(?P<num>{_NUMBER})\s*(?P<unit>[^\d\s0-9０-９]{{0,{MAX_UNIT_CHARS}}}?)\s*(?P<suf>{_SUF})?$"
)
_UNIT_OK = re.compile(r"^[^，,。；;：:、（）()\u201c\u201d\"]*$")


@dataclass(frozen=True)
class Value:
    text: str
    op: str | None = None
    number: Decimal | None = None
    unit: str | None = None

    @property
    def quantitative(self) -> bool:
        return self.number is not None


def parse_value(text: str | None) -> Value:
    """The printed value split into operator, number and unit; qualitative when it is not one number."""
    printed = (text or "").strip()
    s = printed.replace("\u3000", " ")
    m = _VALUE.match(s)
    if not m or not _UNIT_OK.match(m.group("unit") or ""):
        return Value(printed)
    op = OPERATORS.get(m.group("op") or "") or PREFIX_WORDS.get(m.group("pre") or "") or SUFFIX_WORDS.get(m.group("suf") or "")
    if m.group("pre") and m.group("op"):
        return Value(printed)
    raw = folded(m.group("num")).replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return Value(printed)
    unit = (m.group("unit") or "").strip() or None
    return Value(printed, op or "", number, unit)


def is_number_token(token: str) -> bool:
    """A bare printed number (a score): "5", "8.86", "20.0"."""
    return re.fullmatch(r"\d+(?:\.\d+)?", token) is not None


def starts_quantity(token: str) -> bool:
    """A token that opens a value: an operator or a digit ("≥80%", "100%", "155")."""
    t = token.lstrip()
    return bool(t) and (t[0].isdigit() or any(t.startswith(k) for k in OPERATORS))


def is_unit_token(token: str) -> bool:
    """A short word that only finishes the number before it ("栋" in "146 栋")."""
    return (0 < len(token) <= MAX_UNIT_CHARS and not any(ch.isdigit() for ch in token)
            and _UNIT_OK.match(token) is not None and not token.startswith(tuple(OPERATORS)))
