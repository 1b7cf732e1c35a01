"""Recognise the printed title of one of a family's standard tables on a line of text.

A line is a title only when, after dropping a table number (表1, 附表一, 公开01表), a
department/year prefix (上海市普陀区财政局2024年度) and a continuation mark (续表), what is left
is exactly one of the known titles in canonical form. Sentences that merely mention a table
("详见收入决算表") are therefore never titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractors.textforms import match_text
from schemas.keys import FAMILIES

_QUOTES = re.compile(r"[\"'“”‘’「」『』〝〞＂]")
_SPACES = re.compile(r"\s+")
_NUM = r"(?:\d+|[一二三四五六七八九十]+)"
# 表1 / 表一 / 附表1-2 / 附件2 / 公开01表 / 预算01表 / 1. / 一、 at the start of a title
_NUMBER_PREFIX = re.compile(
    rf"^(?:(?:部门)?(?:公开|附件|附表|表|预算)\s*{_NUM}(?:[-—–]{_NUM})?\s*表?|{_NUM}(?=[、.．:：]))\s*[、.．:：-]?"
)
# 上海市普陀区财政局 / 中共...工作部 / XX单位 followed by an optional year (or its 年 alone, the digits printed
# apart), a level (市级) and 部门 / 单位 / 预算单位: a department or period prefix
_ORG_OR_YEAR_PREFIX = re.compile(
    r"^(?:[\u4e00-\u9fff（）()]{2,40}?(?:局|部|委|办|院|会|中心|室|厅|处|所|站|馆|队|社|校|署|单位|政府|机关|本级))?"
    r"(?:(?:19|20)\d{2}年度?|年度?)?(?:省级|市级|区级|县级|本级)?(?:预算)?(?:部门|单位)?"
)
_PREFIX = re.compile(
    rf"(?:{_NUMBER_PREFIX.pattern[1:]})?(?:{_ORG_OR_YEAR_PREFIX.pattern[1:]})(?:{_NUMBER_PREFIX.pattern[1:]})?"
)
_CONTINUED = re.compile(r"[（(]?续(?:表)?(?:\d+)?[）)]?$")
_UNIT_TAIL = re.compile(r"(?:金额)?单位[:：].*$")
# the department printed on the title's line after it ("…预算表部门：江苏省人大常委会办公厅")
_DEPARTMENT_TAIL = re.compile(r"(?:编制)?(?:部门|单位)(?:名称)?[:：].*$")
# a qualifier after the title: "…支出预算表（一般公共预算）", "…情况表（按经济分类）"
_QUALIFIER_TAIL = re.compile(r"[（(][\u4e00-\u9fff][^（）()]{0,13}[）)]$")


# a table's number on a line of its own (表7, 附表 3, 公开08表, 预算01-2表): a new table starts there, whatever its title
_TABLE_NUMBER = re.compile(rf"^(?:部门)?(?:公开|附表|表|预算)\s*{_NUM}(?:[-—–]{_NUM})?\s*表?$")


def is_table_number(line: str) -> bool:
    """Whether a line holds only a table number (not a continuation mark: 表6（续） is no number line)."""
    return bool(_TABLE_NUMBER.match(_SPACES.sub("", line)))


@dataclass(frozen=True)
class TitleMatch:
    key: str  # canonical table key from the family's contract
    family: str  # final_accounts / budget: whose contract the title belongs to
    printed: str  # the title as printed on the line (whitespace collapsed)
    continued: bool  # marked 续表


def canonical_title(text: str) -> str:
    """Title text reduced to what carries meaning: no spaces, quotes, 部门/明细/情况, 收支 spelled out."""
    s = _QUOTES.sub("", match_text(text))
    s = s.replace("收支", "收入支出").replace("明细", "").replace("情况", "")
    if s.startswith("部门"):
        s = s[2:]
    return s


@cache
def _known_titles() -> tuple[tuple[str, tuple[str, str]], ...]:
    """(canonical title, (family, table key)) over every family, longest first."""
    titles: dict[str, tuple[str, str]] = {}
    for family in FAMILIES.values():
        for spec in family.tables:
            for t in spec.all_titles:
                canon = canonical_title(t)
                if titles.get(canon, (family.name, spec.key)) != (family.name, spec.key):
                    raise ValueError(f"title {t!r} names two tables: {titles[canon]} and {(family.name, spec.key)}")
                titles[canon] = (family.name, spec.key)
    return tuple(sorted(titles.items(), key=lambda kv: -len(kv[0])))


def match_title(line: str) -> TitleMatch | None:
    """The table this line is the title of, or None (narrative, headings, headers, numbers)."""
    printed = _DEPARTMENT_TAIL.sub("", _UNIT_TAIL.sub("", _SPACES.sub(" ", line).strip())).strip()
    if not printed or len(printed) > 90:
        return None
    if "表" not in printed:
        return None
    s = _QUOTES.sub("", match_text(printed))
    continued = bool(_CONTINUED.search(s))
    s = _CONTINUED.sub("", s)
    bare = _QUALIFIER_TAIL.sub("", s)
    candidates = (s, canonical_title(s)) + ((bare, canonical_title(bare)) if bare != s else ())
    # the longest known title that ends the line wins (基本支出决算表 before 支出决算表)
    for canon, (family, key) in _known_titles():
        for candidate in candidates:
            if not candidate.endswith(canon):
                continue
            prefix = candidate[: len(candidate) - len(canon)]
            if _is_allowed_prefix(prefix):
                return TitleMatch(key=key, family=family, printed=printed, continued=continued)
    return None


# the name after a table number: at least this many characters ending in 表 ("公开05表" alone names nothing)
MIN_TITLE_NAME = 4


def numbered_title(line: str) -> bool:
    """A table's title, known to the family or not: a table number, a name, 表 at the end ("表10：2026年市级部门
    项目支出预算表"). Above a grid it opens a new table; it is never a running head of the one before."""
    printed = _DEPARTMENT_TAIL.sub("", _UNIT_TAIL.sub("", _SPACES.sub("", line).strip()))
    s = _QUALIFIER_TAIL.sub("", _CONTINUED.sub("", _QUOTES.sub("", match_text(printed))))
    m = _NUMBER_PREFIX.match(s)
    return m is not None and m.end() > 0 and len(s) - m.end() >= MIN_TITLE_NAME and s.endswith("表")


def _is_allowed_prefix(prefix: str) -> bool:
    """Only a table number and/or a department/year may precede the title (表5, 公开01表, XX局2024年度)."""
    if not prefix:
        return True
    if re.search(r"[，。；;,见详参]", prefix):
        return False
    return _PREFIX.fullmatch(prefix) is not None
