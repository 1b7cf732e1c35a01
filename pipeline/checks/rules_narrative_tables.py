"""Narrative against tables: every figure the text states that a table also prints."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from extractors.textforms import label_key
from pipeline.checks.context import DocContext, digits, fact_amount, names_match
from pipeline.checks.emit import finding, from_check
from pipeline.checks.registry import rule
from pipeline.checks.rows import FISCAL, GPB, SUMMARY, THREE, basic_rows, fiscal_income_rows, rows_of
from pipeline.checks.tolerance import check_equal, closeness
from schemas.keys import MetricKey, TableKey, table_spec
from schemas.records import Finding, NarrativeFact, Severity, TableCell

Lookup = Callable[[DocContext, NarrativeFact], list[TableCell | None]]


def _column_for(table: str, subject: str | None) -> str | None:
    """The column of ``table`` whose printed header names ``subject`` (e.g. 基本支出 → basic)."""
    for col, titles in table_spec(table).columns.items():
        if col == "total":
            continue
        if any(names_match(subject, t) for t in titles):
            return col
    return None


def _income_item(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    col = _column_for(TableKey.income, f.subject)
    out = [ctx.total_cell(TableKey.income, col)] if col else []
    out += [c for c in ctx.table_cells(SUMMARY, "income") if c.col == "amount" and names_match(c.row, f.subject)]
    return out


def _expenditure_item(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    col = _column_for(TableKey.expenditure, f.subject)
    return [ctx.total_cell(TableKey.expenditure, col)] if col else []


def _fiscal_source(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    sources, _, _, _ = fiscal_income_rows(rows_of(ctx.table_cells(FISCAL, "income")))
    subj = label_key(f.subject).removesuffix("收入")
    return [r.cells.get("amount") for r in sources if r.label.removesuffix("收入") == subj]


def _unique(cells: list[TableCell]) -> list[TableCell | None]:
    return [cells[0]] if len(cells) == 1 else []


def _gpb_class(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    subj = (f.subject or "").split("/")[0]
    primary = [c for c in ctx.table_cells(GPB) if c.col == "total" and len(digits(c.code)) == 3 and names_match(c.row, subj)]
    fiscal = [c for c in ctx.table_cells(FISCAL, "expenditure")
              if c.col == "general_public_budget" and not digits(c.code) and names_match(c.row, subj)]
    return _unique(primary) + _unique(fiscal)


def _gpb_item(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    """The 项 row named by a 类/款/项 path, only when the path identifies exactly one row."""
    path = [p for p in (f.subject or "").split("/") if p.strip()]
    if not path:
        return []
    cells = [c for c in ctx.table_cells(GPB) if c.col == "total" and digits(c.code)]
    by_code = {digits(c.code): c for c in cells}
    leaf = [c for c in cells if len(digits(c.code)) == 7 and names_match(c.row, path[-1])]
    if len(path) >= 2 and len(leaf) > 1:
        def parents_ok(c: TableCell) -> bool:
            code = digits(c.code)
            kuan, lei = by_code.get(code[:5]), by_code.get(code[:3])
            ok = kuan is not None and names_match(kuan.row, path[-2])
            if len(path) >= 3:
                ok = ok and lei is not None and names_match(lei.row, path[-3])
            return ok
        leaf = [c for c in leaf if parents_ok(c)]
    return _unique(leaf)


def _basic_total(which: str) -> Lookup:
    def lookup(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
        _, personnel, public = basic_rows(ctx)
        return [personnel if which == "personnel" else public]
    return lookup


def _label(table: str, label: str, col: str, side: str | None) -> Lookup:
    return lambda ctx, f: [ctx.by_label(table, label, col, side)]


def _total(table: str, col: str, side: str | None = None) -> Lookup:
    return lambda ctx, f: [ctx.total_cell(table, col, side)]


def _three(col: str) -> Lookup:
    return lambda ctx, f: [next((c for c in ctx.table_cells(THREE) if c.col == col), None)]


def _chain(*lookups: Lookup) -> Lookup:
    return lambda ctx, f: [c for lk in lookups for c in lk(ctx, f)]


# metric → (table whose emptiness means zero, lookup of the table cells printing the same figure)
COUNTERPARTS: dict[str, tuple[str | None, Lookup]] = {
    MetricKey.total_income_expenditure: (None, _chain(_label(SUMMARY, "总计", "amount", "income"),
                                              _label(SUMMARY, "总计", "amount", "expenditure"))),
    MetricKey.income_total: (None, _chain(_label(SUMMARY, "本年收入合计", "amount", "income"), _total(TableKey.income, "total"))),
    MetricKey.expenditure_total: (None, _chain(_label(SUMMARY, "本年支出合计", "amount", "expenditure"),
                                       _total(TableKey.expenditure, "total"))),
    MetricKey.income_item: (None, _income_item),
    MetricKey.expenditure_item: (None, _expenditure_item),
    MetricKey.fiscal_total: (None, _chain(_label(FISCAL, "总计", "amount", "income"), _label(FISCAL, "总计", "total", "expenditure"))),
    MetricKey.fiscal_income_by_source: (None, _fiscal_source),
    MetricKey.gpb_expenditure: (None, _chain(_total(GPB, "total"), _label(FISCAL, "本年支出合计", "general_public_budget", "expenditure"))),
    MetricKey.gpb_actual: (None, _chain(_total(GPB, "total"), _label(FISCAL, "本年支出合计", "general_public_budget", "expenditure"))),
    MetricKey.gpb_class_amount: (None, _gpb_class),
    MetricKey.gpb_item_actual: (None, _gpb_item),
    MetricKey.basic_expenditure: (None, _total(GPB, "basic")),
    MetricKey.basic_personnel: (None, _basic_total("personnel")),
    MetricKey.basic_public: (None, _basic_total("public")),
    MetricKey.government_fund_income: (TableKey.government_fund, _total(TableKey.government_fund, "income")),
    MetricKey.government_fund_expenditure: (TableKey.government_fund, _total(TableKey.government_fund, "expenditure_total")),
    MetricKey.state_capital_expenditure: (TableKey.state_capital, _total(TableKey.state_capital, "expenditure_total")),
    MetricKey.three_public_budget: (THREE, _three("total_budget")),
    MetricKey.three_public_actual: (THREE, _three("total_actual")),
    MetricKey.overseas_actual: (THREE, _three("overseas_actual")),
    MetricKey.vehicle_actual: (THREE, _three("vehicle_actual")),
    MetricKey.vehicle_purchase_actual: (THREE, _three("vehicle_purchase_actual")),
    MetricKey.vehicle_operation_actual: (THREE, _three("vehicle_operation_actual")),
    MetricKey.reception_actual: (THREE, _three("reception_actual")),
}


@rule("narrative.table.match", "narrative_table",
      "Every narrative figure with a table counterpart (totals, income and expenditure items, fiscal total, general "
      "public budget, each 类 and 项, personnel/public, 三公, government fund) equals the printed cell.")
def narrative_vs_tables(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for metric, (zero_table, lookup) in COUNTERPARTS.items():
        for f in ctx.facts_of(metric):
            value = fact_amount(f)
            if value is None:
                continue
            cells = [c for c in lookup(ctx, f) if c is not None]
            if not cells:
                yield from _against_blank(ctx, rid, f, value, zero_table)
                continue
            checks = [(check_equal(value, c.value, ctx.config.amount_tolerance), c) for c in cells]
            best, cell = min(checks, key=lambda t: closeness(t[0]))
            subject = f" [{f.subject}]" if f.subject else ""
            yield from from_check(ctx, rid, best, f"narrative {metric}{subject} vs {cell.table} {cell.row}",
                                  cells=[cell], facts=[f], table=cell.table, row=cell.row, col=cell.col, metric=metric)


def _against_blank(ctx: DocContext, rid: str, f: NarrativeFact, value: Decimal, zero_table: str | None) -> Iterator[Finding]:
    """A table that prints nothing where the text states a figure: blank means zero in these tables."""
    if zero_table is None or not ctx.has_table(zero_table) or value == 0:
        return
    rec = ctx.tables.get(zero_table)
    # printed zeros count as empty (the spec: a table of zeros has has_data false, its zero cells kept)
    empty = all(c.value == 0 for c in ctx.table_cells(zero_table)) and (rec is None or not rec.has_data)
    if not empty and zero_table != THREE:
        return
    what = "is an empty table" if empty else "leaves this cell blank"
    yield finding(ctx, rid, Severity.ERROR, f"narrative {f.metric} states {f.value} {f.unit} but {zero_table} {what}",
                  facts=[f], table=zero_table, metric=f.metric, expected=Decimal(0), actual=value, difference=value)
