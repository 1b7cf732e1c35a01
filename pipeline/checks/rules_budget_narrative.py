"""A budget's narrative against its tables, and its "比上年预算增加 X" against last year's budget.

A budget narrative PDF and the PDF of its tables are one disclosure (documents.disclosure_id):
the figures the text states are looked up in the tables of every document of the disclosure.
Same severities and rounding as the final accounts' narrative.table.match; a table printed in 元
(exact to 6 decimals in 万元) agrees with the text when it rounds to the stated figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from pipeline.checks.context import DocContext, digits, fact_amount, names_match
from pipeline.checks.emit import finding, from_check
from pipeline.checks.registry import ROUNDING_POLICY, rule
from pipeline.checks.rows import BASIC, FISCAL, GPB, SUMMARY, THREE
from pipeline.checks.tolerance import SumCheck, Verdict, check_equal, check_sum, closeness, round_like, unit_of
from pipeline.disclosures import identity
from schemas.keys import MetricKey, TableKey
from schemas.records import DocType, Finding, NarrativeFact, Severity, TableCell

Lookup = Callable[[DocContext, NarrativeFact], list[TableCell | None]]

_INCOME_TOTALS = ("收入总计", "收入合计", "总计")
_EXPENDITURE_TOTALS = ("支出总计", "支出合计", "总计")
# a narrative income source → (income table column, summary income rows printing it)
_INCOME_SOURCES = {
    "财政拨款收入": ("fiscal_appropriation", ("财政拨款收入", "财政拨款")),
    "一般公共预算收入": (None, ("一般公共预算", "一般公共预算资金", "一般公共预算收入")),
    "政府性基金预算收入": (None, ("政府性基金", "政府性基金预算", "政府性基金收入")),
    "其他资金": (None, ("其他资金",)),
    "财政专户管理资金": (None, ("财政专户管理资金",)),
    "上年结转资金": (None, ("上年结转资金", "上年结转")),
    "事业收入": ("business", ("事业收入",)),
    "事业单位经营收入": ("operating", ("事业单位经营收入", "经营收入")),
    "其他收入": ("other", ("其他收入",)),
}
_USES = {"基本支出": "basic", "项目支出": "project", "单位预留机动经费": "reserve", "结转下年资金": "carryover_next_year"}
_THREE_COLUMNS = {"因公出国（境）费": "overseas_budget", "公务用车购置及运行费": "vehicle_budget",
                  "公务用车购置费": "vehicle_purchase_budget", "公务用车运行维护费": "vehicle_operation_budget",
                  "公务接待费": "reception_budget"}


def _sides(ctx: DocContext, table: str, labels: tuple[str, ...], cols: tuple[str, ...], sides: tuple[str | None, ...]):
    return [ctx.labelled(table, labels, col, side) for side in sides for col in cols]


def _totals(table: str, labels: tuple[str, ...], cols: tuple[str, ...], *sides: str | None) -> Lookup:
    return lambda ctx, f: _sides(ctx, table, labels, cols, sides or (None,))


def _chain(*lookups: Lookup) -> Lookup:
    return lambda ctx, f: [c for lk in lookups for c in lk(ctx, f)]


def _income_item(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    col, rows = _INCOME_SOURCES.get(f.subject or "", (None, ()))
    out = [ctx.total_cell(TableKey.income, col)] if col else []
    out += [ctx.labelled(SUMMARY, rows, "amount", "income"), ctx.labelled(TableKey.income, rows, "amount")] if rows else []
    return out


def _use(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    col = _USES.get(f.subject or "")
    if col is None:
        return []
    return [ctx.total_cell(TableKey.expenditure, col), ctx.labelled(SUMMARY, (f.subject or "",), "amount", "expenditure_by_use")]


def _class_rows(table: str, col: tuple[str, ...], side: str | None = None, coded: bool = True) -> Lookup:
    def lookup(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
        name = (f.subject or "").split("/")[0]
        hits = [c for c in ctx.table_cells(table, side) if c.col in col and names_match(c.row, name)
                and (len(digits(c.code)) == 3 if coded else not digits(c.code))]
        return [hits[0]] if len(hits) == 1 else []
    return lookup


def _item(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    """The 项 row a 类/款/项 path names, when the path (with its parents) identifies one row."""
    path = [p for p in (f.subject or "").split("/") if p.strip()]
    if not path:
        return []
    cells = [c for c in ctx.table_cells(GPB) if c.col in ("total", "amount") and digits(c.code)]
    by_code = {digits(c.code): c for c in cells}
    leaf = [c for c in cells if len(digits(c.code)) == 7 and names_match(c.row, path[-1])]

    def parents_ok(c: TableCell) -> bool:
        code = digits(c.code)
        kuan, lei = by_code.get(code[:5]), by_code.get(code[:3])
        ok = len(path) < 2 or (kuan is not None and names_match(kuan.row, path[-2]))
        return ok and (len(path) < 3 or (lei is not None and names_match(lei.row, path[-3])))
    if len(leaf) > 1:
        leaf = [c for c in leaf if parents_ok(c)]
    return [leaf[0]] if len(leaf) == 1 else []


def _basic(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    if f.subject == "一般公共预算":
        return [ctx.total_cell(BASIC, "total"), ctx.total_cell(BASIC, "amount"), ctx.total_cell(GPB, "basic")]
    return [ctx.total_cell(TableKey.fiscal_appropriation_basic_expenditure, "amount"),
            ctx.labelled(FISCAL, ("基本支出",), "amount", "expenditure_by_use")]


def _basic_part(col: str) -> Lookup:
    return lambda ctx, f: [ctx.total_cell(BASIC, col)] if f.subject == "一般公共预算" else []


def _three(col: str) -> Lookup:
    return lambda ctx, f: [next((c for c in ctx.table_cells(THREE) if c.col == col), None)]


def _three_item(ctx: DocContext, f: NarrativeFact) -> list[TableCell | None]:
    col = _THREE_COLUMNS.get(f.subject or "")
    return _three(col)(ctx, f) if col else []


# budget metric → (table whose blank cell means zero, lookup of the cells printing the same figure)
COUNTERPARTS: dict[str, tuple[str | None, Lookup]] = {
    MetricKey.budget_total_income_expenditure: (None, _chain(_totals(SUMMARY, _INCOME_TOTALS, ("amount",), "income"),
                                                     _totals(SUMMARY, _EXPENDITURE_TOTALS, ("amount",), "expenditure",
                                                             "expenditure_by_use"))),
    MetricKey.budget_income_total: (None, _chain(_totals(TableKey.income, ("合计", "收入总计", "总计"), ("total", "amount")),
                                         _totals(SUMMARY, _INCOME_TOTALS, ("amount",), "income"))),
    MetricKey.budget_expenditure_total: (None, _chain(_totals(TableKey.expenditure, ("合计", "支出总计", "总计"), ("total",)),
                                              _totals(SUMMARY, _EXPENDITURE_TOTALS, ("amount",), "expenditure",
                                                      "expenditure_by_use"))),
    MetricKey.budget_income_item: (None, _income_item),
    MetricKey.budget_expenditure_item: (None, _use),
    MetricKey.budget_expenditure_class: (None, _class_rows(SUMMARY, ("amount",), "expenditure", coded=False)),
    MetricKey.budget_fiscal_total: (None, _chain(_totals(FISCAL, _INCOME_TOTALS, ("amount",), "income"),
                                         _totals(FISCAL, _EXPENDITURE_TOTALS, ("total", "amount"), "expenditure",
                                                 "expenditure_by_use"))),
    MetricKey.budget_fiscal_expenditure: (None, _chain(_totals(TableKey.fiscal_appropriation_expenditure, ("合计",), ("amount",)),
                                               _totals(FISCAL, _EXPENDITURE_TOTALS, ("total", "amount"), "expenditure",
                                                       "expenditure_by_use"))),
    MetricKey.budget_gpb_expenditure: (None, _chain(_totals(GPB, ("合计", "总计"), ("total", "amount")),
                                            _totals(FISCAL, _EXPENDITURE_TOTALS, ("general_public_budget",),
                                                    "expenditure"))),
    MetricKey.budget_gpb_class: (None, _chain(_class_rows(GPB, ("total", "amount")),
                                      _class_rows(FISCAL, ("general_public_budget",), "expenditure", coded=False))),
    MetricKey.budget_gpb_item: (None, _item),
    MetricKey.budget_government_fund_expenditure: (TableKey.government_fund, _totals(TableKey.government_fund, ("合计",),
                                                                      ("total", "amount"))),
    MetricKey.budget_basic_expenditure: (None, _basic),
    MetricKey.budget_gpb_project: (None, lambda ctx, f: [ctx.total_cell(GPB, "project")]),
    MetricKey.budget_basic_personnel: (None, _basic_part("personnel")),
    MetricKey.budget_basic_public: (None, _basic_part("public")),
    MetricKey.budget_three_public: (THREE, _three("total_budget")),
    MetricKey.budget_three_public_item: (THREE, _three_item),
    MetricKey.budget_meeting: (THREE, _three("meeting_budget")),
    MetricKey.budget_training: (THREE, _three("training_budget")),
    MetricKey.budget_operating_costs: (None, _chain(_three("agency_operating_budget"),
                                            _totals(TableKey.agency_operating_expenses, ("合计",), ("amount",)))),
    MetricKey.budget_procurement_total: (None, _totals(TableKey.government_procurement, ("合计", "总计"), ("amount",))),
}


def disclosure(ctx: DocContext, corpus: list[DocContext]) -> list[DocContext]:
    """This document first, then the other documents of its disclosure (its table PDF)."""
    did = ctx.doc.disclosure_id
    return [ctx] + [o for o in corpus if did and o.doc.doc_id != ctx.doc.doc_id and o.doc.disclosure_id == did]


def compare(stated: Decimal, cell: Decimal, extra: Decimal) -> SumCheck:
    """A stated figure against a table cell: a cell more precise than the text (元 in 万元) agrees
    when it rounds to the stated figure; otherwise each may be rounded once."""
    if unit_of(cell) < unit_of(stated) and round_like(cell, stated) == stated:
        return SumCheck(cell, stated, Decimal(0), Decimal(0), Verdict.OK)
    return check_equal(stated, cell, extra)


def _where(ctx: DocContext, holder: DocContext, cell: TableCell) -> str:
    return "" if holder is ctx else f" ({holder.doc.file_name} p{cell.page})"


@rule("budget.narrative.table", "narrative_table",
      "Every figure of a budget narrative with a table counterpart (totals, sources, basic/project/reserve, fiscal "
      "appropriation, general public budget and each 类 and 项, basic expenditure, 三公, 会议费/培训费, 机关运行经费, "
      "政府采购) equals the cell printed in the budget's tables, in the same document or the table PDF of its "
      "disclosure.", scope="dataset")
def budget_narrative_vs_tables(ctx: DocContext, corpus: list[DocContext], rid: str) -> Iterator[Finding]:
    if ctx.doc.doc_type != DocType.BUDGET or not ctx.facts:
        return
    holders = disclosure(ctx, corpus)
    for metric, (zero_table, lookup) in COUNTERPARTS.items():
        for f in ctx.facts_of(metric):
            value = fact_amount(f)
            if value is None:
                continue
            found = [(h, c) for h in holders for c in lookup(h, f) if c is not None]
            if not found:
                yield from _against_blank(ctx, holders, rid, f, value, zero_table)
                continue
            checks = [(compare(value, c.value, ctx.config.amount_tolerance), h, c) for h, c in found]
            best, holder, cell = min(checks, key=lambda t: closeness(t[0]))
            subject = f" [{f.subject}]" if f.subject else ""
            what = f"narrative {metric}{subject} vs {cell.table} {cell.row}{_where(ctx, holder, cell)}"
            yield from from_check(ctx, rid, best, what, cells=[cell], facts=[f], table=cell.table, row=cell.row,
                                  col=cell.col, metric=metric)


def _against_blank(ctx: DocContext, holders: list[DocContext], rid: str, f: NarrativeFact, value: Decimal,
                   zero_table: str | None) -> Iterator[Finding]:
    """A table of the disclosure that leaves the figure blank (三公) or prints nothing: blank means zero."""
    if zero_table is None or value == 0:
        return
    holder = next((h for h in holders if h.has_table(zero_table)), None)
    if holder is None:
        return
    rec = holder.tables.get(zero_table)
    empty = all(c.value == 0 for c in holder.table_cells(zero_table)) and (rec is None or not rec.has_data)
    if not empty and (zero_table != THREE or not _three_complete(holder)):
        return
    what = "is an empty table" if empty else "leaves this cell blank"
    yield finding(ctx, rid, Severity.ERROR, f"narrative {f.metric} states {f.value} {f.unit} but {zero_table} {what}",
                  facts=[f], table=zero_table, metric=f.metric, expected=Decimal(0), actual=value, difference=value)


def _three_complete(doc: DocContext) -> bool:
    """Whether the 三公 categories printed add up to the printed 三公 total: only then is a blank one zero
    (a category the table reader could not read leaves a blank that is not a zero)."""
    cells = {c.col: c.value for c in doc.table_cells(THREE)}
    total = cells.get("total_budget")
    if total is None:
        return False
    parts = [cells[k] for k in ("overseas_budget", "vehicle_budget", "reception_budget") if k in cells]
    return check_sum(total, parts).verdict != Verdict.MISMATCH


# ---- across years ------------------------------------------------------------------------------------

# a change stated against last year's execution (Shanghai: 比2024年预算执行数增加) is not against its budget
_VS_EXECUTION = re.compile(r"(?:比|较|与)[^，。；]{0,12}执行")
YEARS_POLICY = ROUNDING_POLICY + "; info when several budgets of the department could be last year's (none compared)"


def last_years_budget(ctx: DocContext, corpus: list[DocContext]) -> list[list[DocContext]]:
    """The disclosures (each a list of documents) of the same department's budget of the year before."""
    me = identity(ctx.doc)
    if me is None:
        return []
    region, dept, year = me
    groups: dict[str, list[DocContext]] = {}
    for o in corpus:
        if o.doc.doc_type == DocType.BUDGET and identity(o.doc) == (region, dept, year - 1):
            groups.setdefault(o.doc.disclosure_id or o.doc.doc_id, []).append(o)
    return list(groups.values())


def _last_year_figure(prev: list[DocContext], level: NarrativeFact) -> tuple[Decimal, str] | None:
    """Last year's budget of the level's metric and subject: a table cell of its disclosure, else its narrative."""
    if level.metric in COUNTERPARTS:
        _, lookup = COUNTERPARTS[level.metric]
        for doc in prev:
            cells = [c for c in lookup(doc, level) if c is not None]
            if cells:
                c = cells[0]
                return c.value, f"{doc.doc.file_name} {c.table} p{c.page} {c.row} = {c.value_printed or c.value}"
    for doc in prev:
        for f in doc.facts_of(level.metric):
            if names_match(f.subject or "", level.subject or "") or (not f.subject and not level.subject):
                v = fact_amount(f)
                if v is not None:
                    return v, f"{doc.doc.file_name} p{f.page}: “{f.text[:80]}”"
    return None


@rule("years.budget_change", "years",
      "A budget's change on last year's budget (比上年预算增加 X; 与上年持平 = 0) equals this year's figure minus "
      "last year's budget of the same department, when the dataset holds it.", severity=YEARS_POLICY, scope="dataset")
def budget_changes(ctx: DocContext, corpus: list[DocContext], rid: str) -> Iterator[Finding]:
    if ctx.doc.doc_type != DocType.BUDGET or ctx.doc.fiscal_year is None:  # no year: no last year's budget
        return
    changes = [f for f in ctx.facts if f.metric.startswith("budget_") and f.metric.endswith("_change")
               and not _VS_EXECUTION.search(f.text)]
    if not changes:
        return
    last = last_years_budget(ctx, corpus)
    if len(last) > 1:
        names = "; ".join(sorted(d.doc.file_name for g in last for d in g))
        yield finding(ctx, rid, Severity.INFO, f"{len(last)} budgets of this department for {ctx.doc.fiscal_year - 1}"
                      f" could be last year's; none compared (ambiguous): {names}")
        return
    if not last:
        return
    for change in changes:
        level_metric = change.metric.removesuffix("_change")
        level = next((f for f in ctx.facts_of(level_metric) if (f.subject or "") == (change.subject or "")
                      and f.text == change.text), None) or next(
            (f for f in ctx.facts_of(level_metric) if (f.subject or "") == (change.subject or "")), None)
        if level is None:
            continue
        cur, chg = fact_amount(level), fact_amount(change)
        prior = _last_year_figure(last[0], level)
        if cur is None or chg is None or prior is None:
            continue
        value, where = prior
        implied = cur - chg
        if unit_of(value) < unit_of(implied) and round_like(value, implied) == implied:
            continue  # last year's table in 元 rounds to the implied figure
        check = check_sum(value, [cur, -chg], ctx.config.amount_tolerance)
        subject = f" [{level.subject}]" if level.subject else ""
        for found in from_check(ctx, rid, check, f"{level_metric}{subject}: this year {cur} − change {chg} vs last "
                                f"year's budget", facts=[level, change], metric=level_metric):
            yield found.model_copy(update={"evidence": f"{found.evidence or ''} | last year: {where}"})
