"""Map a column's (wrapped, multi-row) header onto its role: code, label or a canonical value key.

A column's header is the list of header cells above it, top to bottom (merged cells included once):
e.g. ``["财政拨款“三公”经费", "公务用车购置及运行费", "小计", "预算数"]``. A canonical column matches
when every part of one of its variants in nine_tables.yaml equals one of those cells; the variant
with the most parts wins, so 小计+预算数 under 公务用车 is ``vehicle_budget`` and not ``total_budget``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractors.textforms import header_key, record_label
from schemas.keys import FAMILIES, TableKey, table_spec

CODE_WORDS = frozenset({"类", "款", "项"})
# columns and rows that only number the others (行次 1, 2, 3 …; 栏次 row under the header)
INDEX_WORDS = frozenset({"行次", "栏次", "序号", "编号"})
_FILLER = re.compile(r"[*＊—\-–_/\\.·]*")  # a label cell of an index row printed as "**" or a dash
_STARS = re.compile(r"[*＊]+")  # the star filler: never a row's label
# header cells that name the label column (科目名称) or say nothing about a value column
# (年度: rows by year, Shenzhen's 三公 table: 2025年, 2026年, 增减变化金额)
_LABEL_WORDS = frozenset(
    {"项目", "科目名称", "名称", "科目", "项目名称", "功能分类科目名称", "经济分类科目名称", "预算单位", "单位名称", "年度"}
)
_GENERIC_HEADER_WORDS = frozenset(
    {
        "项目", "科目编码", "科目名称", "编码", "名称", "科目", "功能分类", "支出功能分类", "经济分类", "支出经济分类",
        "功能分类科目编码", "支出功能分类科目编码", "经济分类科目编码", "类", "款", "项", "收入", "支出", "预算数",
        "决算数", "金额", "小计", "合计", "本年支出", "本年收入", "栏次", "行次", "三公经费", "财政拨款三公经费", "决算金额",
        "其中",  # a group cell over the uses beside basic and project expenditure (其中 › 上缴上级支出)
    }
)


# a header cell naming the subjects' column without 分类: 部门预算支出经济科目 (Guangzhou 表6), as 经济分类科目 does
_SUBJECT_SUFFIXES = ("经济科目", "功能科目")
_SUBTOTAL_LEAVES = frozenset({"小计", "合计"})
_GENERIC_LEAVES = frozenset({"小计", "合计", "预算数", "决算数", "金额", "决算金额", "本年决算数"})
# 三公 printed transposed (categories as rows): the column only says 预算数 / 决算数
BUDGET, ACTUAL = "@budget", "@actual"


@dataclass(frozen=True)
class ColumnRole:
    kind: str  # "code", "label", "value", "index" (行次: ignored) or "other"
    key: str | None = None  # canonical column key for values
    side: str | None = None  # income / expenditure on two-sided tables


@cache
def _variants(table_key: str, family: str = "final_accounts") -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(column key, normalised header parts) of every wording the family's contract and extension list."""
    return tuple(
        (key, tuple(header_key(p) for p in v.split())) for key, v in table_spec(table_key, family).column_variants()
    )


@cache
def _family_header_words(family: str) -> frozenset[str]:
    words = {*FAMILIES[family].header_words, *FAMILIES[family].side_words}
    return frozenset(header_key(w) for w in words)


@cache
def _side_words(family: str) -> dict[str, str]:
    return {header_key(w): side for w, side in FAMILIES[family].side_words.items()}


def is_header_text(text: str, table_key: str, family: str = "final_accounts") -> bool:
    """True when a cell's text is header wording (a column title), not a row label or a value."""
    s = header_key(text)
    if not s:
        return True
    # 支出功能分类科目 / 政府支出经济分类科目: the header of a classification (label) column
    if s in _GENERIC_HEADER_WORDS or s in _family_header_words(family) or s.endswith(
        ("分类", "分类科目", "编码", "代码", "预算数", "决算数")
    ):
        return True
    if s in _LABEL_WORDS or s.endswith(("科目名称", *_SUBJECT_SUFFIXES)) or s == "项目名称":
        return True
    if "三公" in s:
        return True
    if s.startswith("其中") and any(len(p) >= 4 and p in s for _, parts in _variants(table_key, family) for p in parts):
        return True  # 其中：2026年政府采购项目中预留给中小企业的项目资金规模: a share column under its group
    return any(s in parts for _, parts in _variants(table_key, family)) or s in _family_column_words(family)


@cache
def _family_column_words(family: str) -> frozenset[str]:
    """Every header wording of any table of the family: a header row may name columns this table's
    contract has no key for (a unit budget's summary split into 基本支出 / 人员经费 / 项目支出)."""
    return frozenset(p for t in FAMILIES[family].tables for _, parts in _variants(t.key, family) for p in parts)


def _side(path: list[str], table_key: str, family: str) -> str | None:
    """The side named by the lowest side word over the column (支出 › 支出用途: expenditure_by_use)."""
    if not table_spec(table_key, family).sides:
        return None
    words = _side_words(family)
    return next((words[p] for p in reversed(path) if p in words), None)


def _match_value(path: list[str], table_key: str, family: str, exclude: frozenset[str] = frozenset()) -> str | None:
    """The most specific canonical column whose variant parts all occur in the header path: most
    parts, then the deepest, then the one whose highest part sits lowest (公务用车 › 小计 is the vehicle
    subtotal, not 三公经费 › 小计)."""
    cells = set(path)
    best: tuple[int, int, int, str] | None = None
    for key, parts in _variants(table_key, family):
        if key in exclude or not all(p in cells for p in parts):
            continue
        at = [path.index(p) for p in parts]
        score = (len(parts), max(at), min(at), key)
        if best is None or score[:3] > best[:3]:
            best = score
    if best is not None:
        if best[0] == 1 and path[-1] in _SUBTOTAL_LEAVES and best[1] == len(path) - 1:
            # 基本支出 › 小计: the subtotal of the group above it, when that group names a column of its own
            group = [k for k, parts in _variants(table_key, family)
                     if len(parts) == 1 and k not in exclude and parts[0] in path[:-1]]
            if len(set(group)) == 1:
                return group[0]
        # the match must name the column itself, not only a group above it (财政拨款收入 › 一般公共预算财政拨款),
        # or the column's own words must repeat it (项目支出 › 项目支出总数)
        if best[1] == len(path) - 1 or path[-1] in _GENERIC_LEAVES or path[best[1]] in path[-1]:
            return best[3]
        return None
    # a wording not in the spec: accept a cell that contains a known variant ("本年收入合计(万元)", "财政拨款收入合计")
    candidates = {
        key for key, parts in _variants(table_key, family) if len(parts) == 1 and len(parts[0]) >= 4
        and key not in exclude and any(parts[0] in cell for cell in path[-1:])
    }
    return candidates.pop() if len(candidates) == 1 else None


def match_parts(path: list[str], table_key: str, key: str, family: str = "final_accounts") -> int:
    """How many header cells of ``path`` the best wording of column ``key`` matches (its specificity)."""
    cells = {header_key(p) for p in path}
    return max((len(parts) for k, parts in _variants(table_key, family) if k == key and all(p in cells for p in parts)),
               default=0)


def classify_column(
    path: list[str], table_key: str, family: str = "final_accounts", exclude: frozenset[str] = frozenset()
) -> ColumnRole:
    """Role of a column given its header cells (top to bottom), in the family's contract."""
    norm = [n for n in (header_key(p) for p in path) if n]
    if norm and norm[-1] in INDEX_WORDS:
        return ColumnRole("index")
    side = _side(norm, table_key, family)
    if any(p in CODE_WORDS or "编码" in p or "代码" in p for p in norm):
        return ColumnRole("code", side=side)
    sided = _side_words(family) if table_spec(table_key, family).sides else {}
    value_path = [p for p in norm if p not in ("收入", "支出") and p not in sided]
    key = _match_value(value_path, table_key, family, exclude) if value_path else None
    # a header word wrapped over header rows: 上级补 / 助收入, 总 / 计; its last line may be a side word on
    # its own (其他 / 收入), dropped from value_path: joined from the full path too
    for words in (value_path, norm):
        for i in range(len(words) - 1):
            joined = "".join(words[i:])
            if key is None and any(joined in parts for _, parts in _variants(table_key, family)):
                key = _match_value([*words[:i], joined], table_key, family, exclude)
    if key is not None:
        return ColumnRole("value", key=key, side=side)
    if any(p in _LABEL_WORDS or p.endswith(("名称", "分类科目", *_SUBJECT_SUFFIXES)) for p in norm):  # 支出功能分类科目: its rows
        return ColumnRole("label", side=side)
    if table_key == TableKey.three_public_expenses and value_path and value_path[-1] in ("预算数", "决算数"):
        return ColumnRole("value", key=BUDGET if value_path[-1] == "预算数" else ACTUAL)
    return ColumnRole("other", side=side)


def is_index_row(texts: list[str]) -> bool:
    """The 栏次 row under a header: 栏次, 1, 2, 3 … (the word may be missing: then at least 1, 2, 3 in order).
    A two-sided table prints the word once per side (栏次 1 栏次 2); a filler mark (**, —) in a label
    column is no text. Layout, never values."""
    words = [t.strip() for t in texts if t and not _FILLER.fullmatch(t.strip())]
    if not words:
        return False
    labels = [header_key(t) in INDEX_WORDS for t in words]
    numbers = [t for t, is_label in zip(words, labels, strict=True) if not is_label]
    if not numbers or not all(n.isdigit() for n in numbers):  # a 行次 header cell alone names a column
        return False
    if labels[0]:
        return True
    ints = [int(n) for n in numbers]
    if any(_STARS.fullmatch(t.strip()) for t in texts if t) and ints == list(range(1, len(ints) + 1)):
        return True  # "** 1": the star filler says so even over a table of one value column
    return not any(labels) and len(ints) >= 3 and ints == list(range(ints[0], ints[0] + len(ints)))


@cache
def _three_public_categories(family: str = "final_accounts") -> dict[str, str]:
    """Category wording → key prefix, from the spec's 三公 column variants (合计 → total, 公务接待费 → reception)
    and the family's row wordings (category_rows: 因公出国（境）支出 → overseas)."""
    out: dict[str, str] = {"小计": "vehicle", "三公经费": "total", "三公经费合计": "total", "合计": "total"}
    spec = table_spec(TableKey.three_public_expenses, family)
    for key, parts in _variants(TableKey.three_public_expenses, family):
        if key.endswith("_budget") and parts[0] != "小计":
            out[parts[0]] = key.removesuffix("_budget")
    for key, wordings in spec.category_rows.items():
        out.update({header_key(w): key.removesuffix("_budget") for w in wordings})
    return out


def names_three_public_category(text: str, family: str = "final_accounts") -> bool:
    """Whether a header cell names a 三公 category or total (因公出国（境）费, 小计, 总计 …)."""
    s = header_key(text)
    return s in _three_public_categories(family) or s in _SUBTOTAL_LEAVES or s == "总计"


def three_public_column(row_label: str, marker: str, family: str = "final_accounts") -> str | None:
    """Column key of a transposed 三公 table cell: its row's category with 预算数/决算数 (``marker``
    BUDGET / ACTUAL), and the funding source's suffix a source column's marker carries (BUDGET +
    ``_government_fund``); None when the row names no category or the contract has no such column."""
    s = header_key(record_label(record_label(row_label).removeprefix("其中").lstrip("：:")))
    prefix = _three_public_categories(family).get(s)
    if prefix is None:
        return None
    kind, suffix = (BUDGET, "_budget") if marker.startswith(BUDGET) else (ACTUAL, "_actual")
    key = f"{prefix}{suffix}{marker.removeprefix(kind)}"
    return key if key in table_spec(TableKey.three_public_expenses, family).columns else None
