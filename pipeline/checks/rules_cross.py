"""Across tables: the same quantity printed in two tables must agree."""

from __future__ import annotations

from collections.abc import Iterator

from extractors.textforms import label_key
from pipeline.checks.context import DocContext, digits, names_match
from pipeline.checks.emit import finding, from_check
from pipeline.checks.registry import rule
from pipeline.checks.rows import (
    BASIC,
    FISCAL,
    GPB,
    SUMMARY,
    THREE,
    Row,
    basic_rows,
    fiscal_income_rows,
    rows_of,
    three_cells,
)
from pipeline.checks.tolerance import Verdict, check_equal, check_sum
from schemas.keys import TableKey
from schemas.records import Finding, Severity, TableCell

# summary-table income rows → income-table 合计 column
SUMMARY_INCOME_COLS = {
    "上级补助收入": "superior_subsidy", "事业收入": "business", "经营收入": "operating",
    "附属单位上缴收入": "affiliated_remittance", "其他收入": "other",
}


def _equal(ctx: DocContext, rid: str, printed: TableCell, reference: TableCell, what: str) -> list[Finding]:
    check = check_equal(printed.value, reference.value, ctx.config.amount_tolerance)
    return from_check(ctx, rid, check, what, cells=[printed, reference], table=printed.table,
                      row=" ".join(x for x in (printed.code, printed.row) if x), col=printed.col)


def _class_cells(ctx: DocContext, table: str, col: str) -> list[TableCell]:
    return [c for c in ctx.table_cells(table) if len(digits(c.code)) == 3 and c.col == col]


def _match_class(cells: list[TableCell], label: str) -> TableCell | None:
    hits = [c for c in cells if names_match(c.row, label)]
    return hits[0] if len(hits) == 1 else None


@rule("cross.summary_vs_detail", "cross",
      "收入支出决算总表 against 收入决算表 and 支出决算表: totals, income sources and each 类.")
def summary_vs_detail(ctx: DocContext, rid: str) -> Iterator[Finding]:
    pairs = [
        (ctx.by_label(SUMMARY, "本年收入合计", "amount", "income"), _income_this_year(ctx), "本年收入合计"),
        (ctx.by_label(SUMMARY, "本年支出合计", "amount", "expenditure"), ctx.total_cell(TableKey.expenditure, "total"), "本年支出合计"),
    ]
    for label, col in SUMMARY_INCOME_COLS.items():
        pairs.append((ctx.by_label(SUMMARY, label, "amount", "income"), ctx.total_cell(TableKey.income, col), label))
    fiscal_rows = [c for c in ctx.table_cells(SUMMARY, "income") if "财政拨款" in label_key(c.row) and c.col == "amount"]
    whole = [c for c in fiscal_rows if label_key(c.row) == "财政拨款收入"]
    fiscal_rows = whole[:1] or fiscal_rows  # an older template prints one 财政拨款收入 row with 其中 sub-rows
    detail_fiscal = ctx.total_cell(TableKey.income, "fiscal_appropriation")
    if fiscal_rows and detail_fiscal is not None:
        check = check_sum(detail_fiscal.value, [c.value for c in fiscal_rows], ctx.config.amount_tolerance)
        yield from from_check(ctx, rid, check, "收入决算表 合计 财政拨款收入 = 总表 财政拨款收入 rows",
                              cells=[detail_fiscal, *fiscal_rows], table=TableKey.income, row="合计", col="fiscal_appropriation")
    for a, b, what in pairs:
        if a is not None and b is not None:
            yield from _equal(ctx, rid, a, b, f"{what}: 收入支出决算总表 vs {b.table} table")
    yield from _classes_against(ctx, rid, (SUMMARY, "amount"), (TableKey.expenditure, "total"),
                                f"{ctx.title_of(SUMMARY)} vs {ctx.title_of(TableKey.expenditure)}")


def _income_this_year(ctx: DocContext) -> TableCell | None:
    """The income table's total of this year's income: its 本年收入 小计 where printed (a budget's 合计 may hold
    the 上年结转结余 too), else its total when no carry-over is printed beside it."""
    this_year = ctx.total_cell(TableKey.income, "income_this_year")
    if this_year is not None:
        return this_year
    carried = ctx.total_cell(TableKey.income, "carryover_prior_year")
    return ctx.total_cell(TableKey.income, "total") if carried is None or carried.value == 0 else None


def _classes_against(ctx: DocContext, rid: str, summary: tuple[str, str], detail: tuple[str, str],
                     what: str) -> Iterator[Finding]:
    """Each 类 row (no code printed) on a summary table's expenditure side against the same 类 in a
    detail table: ``summary`` and ``detail`` are (table, column)."""
    classes = _class_cells(ctx, *detail)
    for c in ctx.table_cells(summary[0], "expenditure"):
        if c.col != summary[1] or digits(c.code):
            continue
        match = _match_class(classes, c.row)
        if match is not None:
            yield from _equal(ctx, rid, c, match, f"{label_key(c.row)}: {what}")


@rule("cross.fiscal_vs_gpb", "cross",
      "财政拨款收入支出决算总表 against 一般公共预算财政拨款支出决算表 (each 类 and the total) and against the "
      "收入支出决算总表 (一般公共预算财政拨款收入).")
def fiscal_vs_gpb(ctx: DocContext, rid: str) -> Iterator[Finding]:
    year_out = ctx.by_label(FISCAL, "本年支出合计", "general_public_budget", "expenditure")
    gpb_total = ctx.total_cell(GPB, "total")
    if year_out is not None and gpb_total is not None:
        yield from _equal(ctx, rid, year_out, gpb_total, "一般公共预算财政拨款支出: 财政拨款总表 vs 一般公共预算支出表")
    yield from _classes_against(ctx, rid, (FISCAL, "general_public_budget"), (GPB, "total"),
                                "财政拨款总表 vs 一般公共预算支出表")
    income = rows_of(ctx.table_cells(FISCAL, "income"))
    sources, _, _, _ = fiscal_income_rows(income)
    for r in sources:
        cell = r.cells.get("amount")
        other = next((c for c in ctx.table_cells(SUMMARY, "income")
                      if c.col == "amount" and (label_key(c.row) == r.label or label_key(c.row) == r.label + "收入")), None)
        if cell is None or other is None:
            continue
        carried = _carryover_of(income, r.label)
        tolerance = ctx.config.amount_tolerance
        if check_equal(cell.value, other.value, tolerance).verdict == Verdict.MISMATCH and carried is not None \
                and carried.value != 0:
            with_carry = check_sum(other.value, [cell.value, carried.value], tolerance)
            if with_carry.verdict != Verdict.MISMATCH:
                rounding = f", within rounding ({with_carry.difference})" if with_carry.difference else ""
                yield finding(ctx, rid, Severity.INFO,
                              f"{r.label}: 收入支出总表 {other.value} = 财政拨款总表 本年 {cell.value} + 上年结转 "
                              f"{carried.value}{rounding}: the summary's source row includes the carry-over",
                              cells=[other, cell, carried], table=cell.table, row=r.label, col=cell.col)
                continue
        yield from _equal(ctx, rid, cell, other, f"{r.label}: 财政拨款总表 vs 收入支出决算总表")


# the fund a 财政拨款 income row names: 一般公共预算资金 / 一般公共预算拨款 / 一般公共预算财政拨款 are one source
_SOURCES = ("一般公共预算", "政府性基金", "国有资本经营")


def _carryover_of(income: list[Row], label: str) -> TableCell | None:
    """The 上年结转 amount of the source ``label`` names, from the rows printed under the carry-over heading."""
    source = next((s for s in _SOURCES if label.startswith(s)), None)
    start = next((i for i, r in enumerate(income) if "结转" in r.label and not r.label.startswith(_SOURCES)), None)
    if source is None or start is None:
        return None
    return next((r.cells["amount"] for r in income[start + 1:] if r.label.startswith(source) and "amount" in r.cells), None)


@rule("cross.basic_vs_gpb", "cross",
      "基本支出决算表 人员经费合计 + 公用经费合计 = 一般公共预算财政拨款支出决算表 合计 基本支出.")
def basic_vs_gpb(ctx: DocContext, rid: str) -> Iterator[Finding]:
    _, personnel, public = basic_rows(ctx)
    gpb_basic = ctx.total_cell(GPB, "basic")
    if personnel is None or public is None or gpb_basic is None:
        return
    check = check_sum(gpb_basic.value, [personnel.value, public.value], ctx.config.amount_tolerance)
    yield from from_check(ctx, rid, check, "一般公共预算支出表 基本支出 = 人员经费 + 公用经费",
                          cells=[gpb_basic, personnel, public], table=GPB, row="合计", col="basic")


# basic-table item code → 三公 column (the 三公 table covers all 财政拨款, the basic table only 基本支出)
THREE_VS_BASIC = {"30212": "overseas_actual", "30217": "reception_actual", "30231": "vehicle_operation_actual"}


@rule("cross.three_public_vs_basic", "cross",
      "“三公” actuals against the basic-table items 30212 / 30217 / 30231: the basic-expenditure part cannot exceed "
      "the 三公 actual (the 三公 table also covers project spending).",
      severity="error when the basic-table item exceeds the 三公 actual beyond rounding; warning within rounding")
def three_public_vs_basic(ctx: DocContext, rid: str) -> Iterator[Finding]:
    three = three_cells(ctx)
    if not ctx.has_table(THREE) or not ctx.has_table(BASIC):
        return
    for code, col in THREE_VS_BASIC.items():
        basic = ctx.by_code(BASIC, code, "amount")
        actual = three.get(col)
        if basic is None or actual is None:
            continue
        if basic.value <= actual.value:
            continue
        check = check_equal(actual.value, basic.value, ctx.config.amount_tolerance)
        sev = Severity.WARNING if check.verdict == Verdict.ROUNDING else Severity.ERROR
        yield finding(ctx, rid, sev,
                      f"{'rounding: ' if sev == Severity.WARNING else ''}基本支出 item {code} {basic.row} {basic.value} "
                      f"exceeds the 三公 {col} {actual.value}",
                      cells=[actual, basic], table=THREE, col=col, expected=basic.value, actual=actual.value,
                      difference=actual.value - basic.value)
