"""Rebuild table rows from cells (identity by code or label, repeated labels kept apart by order),
and the row finders the rules share: the summary tables' total rows, the basic table's classes, the 三公 cells."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractors.textforms import label_key
from pipeline.checks.context import DocContext, digits
from schemas.keys import TableKey
from schemas.records import TableCell

# the tables several rules read rows of (generated keys: a typo fails at import)
SUMMARY = TableKey.income_expenditure_summary
FISCAL = TableKey.fiscal_appropriation_summary
GPB = TableKey.general_public_budget_expenditure
BASIC = TableKey.general_public_budget_basic_expenditure
THREE = TableKey.three_public_expenses


@dataclass
class Row:
    side: str | None
    code: str
    label: str
    cells: dict[str, TableCell] = field(default_factory=dict)


def rows_of(cells: list[TableCell]) -> list[Row]:
    """Cells grouped into rows in reading order; a label met again with a column already filled starts a new row.
    A row is its code and its label: a table by function and economic class prints one function code on
    many rows (2010801 行政运行 / 30101 基本工资, 2010801 行政运行 / 30201 办公费), each a row of its own."""
    rows: list[Row] = []
    open_rows: dict[tuple, list[Row]] = {}
    for c in cells:
        code = digits(c.code)
        key = (c.side or None, code, label_key(c.row))
        candidates = open_rows.setdefault(key, [])
        target = next((r for r in candidates if c.col not in r.cells), None)
        if target is None:
            target = Row(c.side or None, code, label_key(c.row))
            candidates.append(target)
            rows.append(target)
        target.cells[c.col] = c
    return rows


# ---- row finders shared by the rules ----------------------------------------------------------

def is_total_label(label: str) -> bool:
    return "合计" in label or "总计" in label


def first_row(rows: list[Row], pred) -> Row | None:
    return next((r for r in rows if pred(r.label)), None)


def fiscal_income_rows(rows: list[Row]) -> tuple[list[Row], Row | None, Row | None, Row | None]:
    """Income side of 财政拨款收入支出决算总表: the source rows before 本年收入合计 (first occurrences)."""
    year = first_row(rows, lambda s: s == "本年收入合计")
    begin = first_row(rows, lambda s: "年初" in s)
    grand = first_row(rows, lambda s: s == "总计")
    cut = rows.index(year) if year is not None else len(rows)
    seen: set[str] = set()
    sources = []
    for r in rows[:cut]:
        if is_total_label(r.label) or "结转" in r.label or "结余" in r.label or r.label in seen:
            continue
        seen.add(r.label)
        sources.append(r)
    return sources, year, begin, grand


def fiscal_expenditure_rows(rows: list[Row]) -> tuple[Row | None, Row | None, Row | None]:
    """The expenditure side's 本年支出合计, 年末结转和结余 and 总计 rows (each None when missing)."""
    return (first_row(rows, lambda s: s == "本年支出合计"), first_row(rows, lambda s: "年末" in s),
            first_row(rows, lambda s: s == "总计"))


def basic_rows(ctx: DocContext) -> tuple[dict[str, TableCell], TableCell | None, TableCell | None]:
    classes: dict[str, TableCell] = {}
    personnel = public = None
    for c in ctx.table_cells(BASIC):
        code = digits(c.code)
        label = (c.row or "").replace(" ", "")
        if len(code) == 3 and code not in classes:
            classes[code] = c
        elif not code and "人员经费" in label and personnel is None:
            personnel = c
        elif not code and "公用经费" in label and public is None:
            public = c
    return classes, personnel, public


def three_cells(ctx: DocContext) -> dict[str, TableCell]:
    out: dict[str, TableCell] = {}
    for c in ctx.table_cells(THREE):
        out.setdefault(c.col, c)
    return out
