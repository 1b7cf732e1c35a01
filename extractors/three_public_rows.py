"""A 三公 table printed transposed by funding source: the categories as rows, the sources as columns.

Guangzhou's 财政拨款安排的行政经费及“三公”经费预算表 prints 行政经费, “三公”经费, 因公出国（境）支出 … as rows under
合计 | 一般公共预算 | 政府性基金预算 | 国有资本经营预算. Read as usual, only its 合计 column would be read, every row
into total_budget. The family file lists the sources' header wordings (``source_columns``, each with the suffix
of its keys) and the categories' row wordings (``category_rows``); a header whose value columns all name a
source, none a category, is read by row: a value's column is its row's category and its source
(extractors.headers.three_public_column), e.g. 因公出国（境）支出 under 政府性基金预算 → overseas_budget_government_fund.
"""

from __future__ import annotations

from extractors.headers import BUDGET, ColumnRole, names_three_public_category
from extractors.textforms import header_key
from schemas.keys import TableSpec


def _sources(spec: TableSpec) -> dict[str, str]:
    """Fund header wording (as matched) → key suffix ('' for 合计: the category's own column)."""
    return {header_key(w): suffix for suffix, wordings in spec.source_columns.items() for w in wordings}


def _names_category(paths: list[list[str]], suffix: list[str | None], spec: TableSpec) -> bool:
    """Whether the header names a category anywhere (sources printed under 总计 / 因公出国（境）费 …: Shenzhen):
    then the categories are columns, not rows. A source's own wording (合计) is no category."""
    return any(names_three_public_category(cell, spec.family)
               for path, s in zip(paths, suffix, strict=True) for cell in (path[:-1] if s is not None else path))


def source_roles(roles: list[ColumnRole], paths: list[list[str]], spec: TableSpec) -> list[ColumnRole]:
    """The column roles of a header, its source columns made by-row (BUDGET + the source's suffix) when every
    value column names a source and at least one names a source the usual reading has no column for
    (合计 alone is a single-row 三公 table's total)."""
    sources = _sources(spec)
    if not sources:
        return roles
    suffix = [sources.get(header_key(path[-1])) if path else None for path in paths]
    values = [c for c, role in enumerate(roles) if role.kind == "value"]
    unread = [c for c, role in enumerate(roles) if role.kind == "other" and suffix[c] is not None]
    if not unread or any(suffix[c] is None for c in values) or _names_category(paths, suffix, spec):
        return roles
    return [ColumnRole("value", key=f"{BUDGET}{s}", side=role.side) if (s := suffix[c]) is not None else role
            for c, role in enumerate(roles)]
