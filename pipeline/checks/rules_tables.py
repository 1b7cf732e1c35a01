"""Table arithmetic: every printed total equals the sum of its printed parts."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.checks.context import DocContext
from pipeline.checks.emit import cell_text, evidence_of, finding, from_check
from pipeline.checks.nesting import outline, widest_outline
from pipeline.checks.registry import rule
from pipeline.checks.rows import (
    FISCAL,
    SUMMARY,
    Row,
    basic_rows,
    first_row,
    fiscal_expenditure_rows,
    fiscal_income_rows,
    is_total_label,
    rows_of,
    three_cells,
)
from pipeline.checks.tolerance import SumCheck, Verdict, check_sum
from schemas.keys import RowSum, TableKey, family_of
from schemas.records import Finding, Severity, TableCell


def coded_tables(ctx: DocContext, codes: str) -> tuple[str, ...]:
    """The document's family's tables whose rows carry ``codes`` ("functional": 类 ⊃ 款 ⊃ 项 of 3/5/7
    digits; "economic": class ⊃ item of 3/5), as schemas/families says."""
    family = family_of(ctx.doc.doc_type)
    return tuple(t.key for t in family.tables if t.codes == codes) if family else ()


def _sum_finding(ctx: DocContext, rule_id: str, total: TableCell, parts: list[TableCell], what: str) -> list[Finding]:
    check = check_sum(total.value, [p.value for p in parts], ctx.config.amount_tolerance)
    return _identity_finding(ctx, rule_id, check, what, [total, *parts], table=total.table,
                             row=" ".join(x for x in (total.code, total.row) if x), col=total.col)


def _identity_finding(ctx: DocContext, rule_id: str, check: SumCheck, what: str, cells: list[TableCell],
                      **where: str | None) -> list[Finding]:
    """The finding of a table identity; a likely OCR misread instead when a low-confidence cell is involved."""
    doubtful = [c for c in cells if c.ocr_confidence is not None and c.ocr_confidence < ctx.config.ocr_min_confidence]
    if doubtful and check.verdict == Verdict.MISMATCH:
        return [_misread_finding(ctx, check, what, cells, doubtful, where)]
    return from_check(ctx, rule_id, check, what, cells=cells, **where)


def _misread_finding(ctx: DocContext, check: SumCheck, what: str, cells: list[TableCell], doubtful: list[TableCell],
                     where: dict) -> Finding:
    """A broken identity whose cells include one read by OCR with low confidence: reported as the scan's
    likely misread (its own rule), not as the document's inconsistency."""
    weakest = ", ".join(f"{cell_text(c)} (printed {c.value_printed!r}, OCR confidence {c.ocr_confidence})"
                        for c in sorted(doubtful, key=lambda c: c.ocr_confidence or 0))
    message = (f"likely OCR misread: {what}: expected {check.expected}, read {check.actual} "
               f"(difference {check.difference}); low-confidence cells: {weakest}")
    return finding(ctx, OCR_MISREAD, Severity.WARNING, message, cells=cells, expected=check.expected,
                   actual=check.actual, difference=check.difference,
                   evidence=" | ".join([*(f"OCR confidence {c.ocr_confidence}: {cell_text(c)}" for c in doubtful),
                                        evidence_of(cells)]), **where)


OCR_MISREAD = "table.ocr_misread"


@rule(OCR_MISREAD, "table",
      "A table identity that does not hold where a cell was read by OCR with low confidence (below "
      "CheckConfig.ocr_min_confidence): reported as a likely misread of the scan, in place of the identity rule's "
      "finding (emitted by every table.* identity rule).",
      severity="warning: the figure needs a look at the page crop, it is not the document's own inconsistency")
def ocr_misreads(ctx: DocContext, rid: str) -> Iterator[Finding]:
    """Emitted by the identity rules through ``_sum_finding``; registered for its id and description."""
    return iter(())


@rule("table.sum.row_total", "table",
      "Each row's total column equals the sum of its part columns, as the family's contract lists them "
      "(schemas/families: total = basic + project; income total = sum of sources). A group column printed over "
      "its parts (column_groups: 基本支出 = 人员经费 + 公用经费) stands for them, and equals their sum.")
def row_totals(ctx: DocContext, rid: str) -> Iterator[Finding]:
    family = family_of(ctx.doc.doc_type)
    if family is None:
        return
    groups = [RowSum(t.key, group, parts) for t in family.tables for group, parts in t.column_groups.items()]
    for identity in (*family.row_sums, *groups):  # in the order the family file writes them, then the groups
        column_groups = family.table(identity.table).column_groups
        for row in rows_of(ctx.table_cells(identity.table)):
            total = row.cells.get(identity.total)
            parts = [c for col in identity.parts for c in _parts_of(row, col, column_groups)]
            if total is None or not parts:
                continue
            yield from _sum_finding(ctx, rid, total, parts, f"{identity.table} row {row.code or row.label}: "
                                                            f"{identity.total} = {' + '.join(identity.parts)}")


def _parts_of(row: Row, col: str, groups: dict[str, tuple[str, ...]]) -> list[TableCell]:
    """The cell of ``col`` in the row; a group column not printed: the cells of its parts."""
    if col in row.cells:
        return [row.cells[col]]
    return [c for part in groups.get(col, ()) for c in _parts_of(row, part, groups)]


def _outline_sum(ctx: DocContext, rule_id: str, total: TableCell, rows: list[Row], col: str, what: str) -> list[Finding]:
    """``total`` = the sum of the top-level rows of ``rows`` (printed in outline order, levels unmarked).

    A group row printed over its own parts (一、财政拨款 › 一般公共预算; a 类 › 款 › 项 without codes) is not
    a part of the total: the outline in which every group equals its rows and the top level adds up is
    found from the table's own arithmetic (pipeline/checks/nesting.py) and said in an info finding. When
    none holds, the total is reported against the widest outline (each group counted once). 其中 rows
    ("of which") are never parts."""
    items = [r for r in rows if col in r.cells and not r.label.startswith("其中")]
    values = [r.cells[col].value for r in items]
    shape = outline(values, total.value) or widest_outline(values)
    out = _sum_finding(ctx, rule_id, total, [items[i].cells[col] for i in shape.roots], what)
    if shape.nested:
        groups = sorted({p for p in shape.parent.values()})
        named = "; ".join(f"{items[g].label} ⊃ " + ", ".join(items[c].label for c, p in shape.parent.items() if p == g)
                          for g in groups[:MAX_GROUPS_SHOWN])
        more = f"; … {len(groups) - MAX_GROUPS_SHOWN} more groups" if len(groups) > MAX_GROUPS_SHOWN else ""
        out.append(finding(ctx, rule_id, Severity.INFO,
                           f"{what}: {len(shape.parent)} of {len(items)} rows are printed under group rows that "
                           f"equal their sum; the labels carry no level, so the table's own arithmetic nests them "
                           f"and only the {len(shape.roots)} top-level rows are parts: {named}{more}",
                           cells=[total, *(items[g].cells[col] for g in groups)], table=total.table,
                           row=" ".join(x for x in (total.code, total.row) if x), col=total.col))
    return out


MAX_GROUPS_SHOWN = 4  # group rows named in the info finding of an arithmetic outline


def _children(rows: list[Row], parent: Row, child_len: int) -> list[Row]:
    return [r for r in rows if len(r.code) == child_len and r.code.startswith(parent.code)]


def _hierarchy(ctx: DocContext, rule_id: str, tables: tuple[str, ...], parent_len: int, child_len: int,
               names: tuple[str, str]) -> Iterator[Finding]:
    for table in tables:
        rows = [r for r in rows_of(ctx.table_cells(table)) if r.code]
        for parent in (r for r in rows if len(r.code) == parent_len):
            kids = _children(rows, parent, child_len)
            if not kids:
                continue
            for col, total in parent.cells.items():
                parts = [k.cells[col] for k in kids if col in k.cells]
                if not parts and total.value == 0:
                    continue
                yield from _sum_finding(ctx, rule_id, total, parts,
                                        f"{table} {names[0]} {parent.code} {parent.label} [{col}] = sum of its {names[1]}")


@rule("table.sum.class_items", "table", "Every 类 row equals the sum of its 款 rows (by code prefix), per column.")
def class_items(ctx: DocContext, rid: str) -> Iterator[Finding]:
    yield from _hierarchy(ctx, rid, coded_tables(ctx, "functional"), 3, 5, ("类", "款"))


@rule("table.sum.item_subitems", "table", "Every 款 row equals the sum of its 项 rows (by code prefix), per column.")
def item_subitems(ctx: DocContext, rid: str) -> Iterator[Finding]:
    yield from _hierarchy(ctx, rid, coded_tables(ctx, "functional"), 5, 7, ("款", "项"))


@rule("table.sum.grand_total", "table", "The 合计 row equals the sum of the 类 rows, per column.")
def grand_total(ctx: DocContext, rid: str) -> Iterator[Finding]:
    for table in coded_tables(ctx, "functional"):
        rows = rows_of(ctx.table_cells(table))
        classes = [r for r in rows if len(r.code) == 3]
        if not classes:
            continue
        total_row = next((r for r in rows if not r.code and r.label in ("合计", "总计", "本年收入合计", "本年支出合计")), None)
        if total_row is None:
            continue
        for col, total in total_row.cells.items():
            parts = [r.cells[col] for r in classes if col in r.cells]
            if not parts and total.value == 0:
                continue
            yield from _sum_finding(ctx, rid, total, parts,
                                    f"{table} 合计 [{col}] = sum of 类 rows")


# ---- summary tables -----------------------------------------------------------------------------



def _summary_sides(ctx: DocContext, table: str) -> dict[str, list[Row]]:
    return {side: rows_of(ctx.table_cells(table, side)) for side in ("income", "expenditure")}




def _income_extra(label: str) -> bool:
    return "年初" in label or label.startswith("使用") or "弥补" in label


def _expenditure_extra(label: str) -> bool:
    return label == "结余分配" or "年末" in label


@rule("table.summary.identity", "table",
      "收入支出决算总表: 本年收入合计 = sum of sources; 本年支出合计 = sum of 类; "
      "本年收入合计 + 使用非财政拨款结余 + 年初结转和结余 = 总计 = 本年支出合计 + 结余分配 + 年末结转和结余.")
def summary_identity(ctx: DocContext, rid: str) -> Iterator[Finding]:
    table = SUMMARY
    sides = _summary_sides(ctx, table)
    totals: dict[str, TableCell] = {}
    for side, year_total_label, is_extra in (("income", "本年收入合计", _income_extra),
                                             ("expenditure", "本年支出合计", _expenditure_extra)):
        rows = sides[side]
        year = first_row(rows, lambda s, t=year_total_label: s == t)
        grand = first_row(rows, lambda s: s == "总计")
        items = [r for r in rows if not is_total_label(r.label) and not is_extra(r.label)
                 and "结余" not in r.label and "结转" not in r.label]
        extras = [r for r in rows if is_extra(r.label)]
        if year is not None and "amount" in year.cells and any("amount" in r.cells for r in items):
            yield from _outline_sum(ctx, rid, year.cells["amount"], items, "amount",
                                    f"{table} {side}: {year_total_label} = sum of its rows")
        if grand is not None and year is not None and "amount" in grand.cells and "amount" in year.cells:
            parts = [year.cells["amount"]] + [r.cells["amount"] for r in extras if "amount" in r.cells]
            yield from _sum_finding(ctx, rid, grand.cells["amount"], parts,
                                    f"{table} {side}: 总计 = {year_total_label} + carry-overs")
        if grand is not None and "amount" in grand.cells:
            totals[side] = grand.cells["amount"]
    if len(totals) == 2:
        yield from _sum_finding(ctx, rid, totals["expenditure"], [totals["income"]],
                                f"{table}: income 总计 = expenditure 总计")






@rule("table.fiscal_summary.identity", "table",
      "财政拨款收入支出决算总表: 本年收入合计 = sum of sources; 本年支出合计 = sum of 类 per column; "
      "总计 = 本年 + 结转和结余 on each side; income 总计 = expenditure 总计.")
def fiscal_summary_identity(ctx: DocContext, rid: str) -> Iterator[Finding]:
    table = FISCAL
    sides = _summary_sides(ctx, table)
    sources, year_in, begin, grand_in = fiscal_income_rows(sides["income"])
    if year_in is not None and "amount" in year_in.cells:
        if any("amount" in r.cells for r in sources):
            yield from _outline_sum(ctx, rid, year_in.cells["amount"], sources, "amount",
                                    f"{table} income: 本年收入合计 = sum of sources")
        if grand_in is not None and "amount" in grand_in.cells:
            parts = [year_in.cells["amount"]] + ([begin.cells["amount"]] if begin and "amount" in begin.cells else [])
            yield from _sum_finding(ctx, rid, grand_in.cells["amount"], parts, f"{table} income: 总计 = 本年收入合计 + 年初结转和结余")
    if begin is not None and "amount" in begin.cells:
        after = sides["income"][sides["income"].index(begin) + 1:]
        breakdown = [r.cells["amount"] for r in after if "amount" in r.cells and not is_total_label(r.label)]
        if breakdown:
            yield from _sum_finding(ctx, rid, begin.cells["amount"], breakdown,
                                    f"{table} income: 年初财政拨款结转和结余 = sum of its sources")
    rows = sides["expenditure"]
    year_out, end, grand_out = fiscal_expenditure_rows(rows)
    classes = [r for r in rows if not is_total_label(r.label) and "结转" not in r.label and "结余" not in r.label
               and "财政拨款" not in r.label]
    cols = ("total", "general_public_budget", "government_fund", "state_capital")
    for col in cols:
        if year_out is not None and col in year_out.cells:
            what = f"{table} expenditure: 本年支出合计 [{col}] = sum of 类"
            if any(col in r.cells for r in classes):
                yield from _outline_sum(ctx, rid, year_out.cells[col], classes, col, what)
            elif year_out.cells[col].value != 0:
                yield from _sum_finding(ctx, rid, year_out.cells[col], [], what)
        if grand_out is not None and year_out is not None and col in grand_out.cells and col in year_out.cells:
            parts = [year_out.cells[col]] + ([end.cells[col]] if end and col in end.cells else [])
            yield from _sum_finding(ctx, rid, grand_out.cells[col], parts, f"{table} expenditure: 总计 [{col}] = 本年支出合计 + 年末结转和结余")
    if grand_in is not None and grand_out is not None and "amount" in grand_in.cells and "total" in grand_out.cells:
        yield from _sum_finding(ctx, rid, grand_out.cells["total"], [grand_in.cells["amount"]], f"{table}: income 总计 = expenditure 总计")


@rule("table.rollforward", "table",
      "Carry-over roll-forward: 年初结转和结余 + 本年收入 − 本年支出 = 年末结转和结余 (fiscal summary; 政府性基金 and "
      "国有资本经营 tables per row).")
def rollforward(ctx: DocContext, rid: str) -> Iterator[Finding]:
    table = FISCAL
    sides = _summary_sides(ctx, table)
    _, year_in, begin, _ = fiscal_income_rows(sides["income"])
    year_out, end, _ = fiscal_expenditure_rows(sides["expenditure"])
    if year_in and year_out and end and "amount" in year_in.cells and "total" in year_out.cells and "total" in end.cells:
        begin_cell = begin.cells.get("amount") if begin else None
        in_cell, out_cell, end_cell = year_in.cells["amount"], year_out.cells["total"], end.cells["total"]
        expected_parts = [in_cell, *( [begin_cell] if begin_cell else [])]
        check = check_sum(end_cell.value, [p.value for p in expected_parts] + [-out_cell.value], ctx.config.amount_tolerance)
        yield from _identity_finding(ctx, rid, check, f"{table}: 年初 + 本年收入合计 − 本年支出合计 = 年末结转和结余",
                                     [*expected_parts, out_cell, end_cell], table=table, row=end_cell.row, col="total")
    for fund in (TableKey.government_fund, TableKey.state_capital):
        for row in rows_of(ctx.table_cells(fund)):
            c = row.cells
            if "carryover_end" not in c or not ({"carryover_begin", "income", "expenditure_total"} & c.keys()):
                continue
            plus = [c[k] for k in ("carryover_begin", "income") if k in c]
            minus = c.get("expenditure_total")
            values = [p.value for p in plus] + ([-minus.value] if minus else [])
            check = check_sum(c["carryover_end"].value, values, ctx.config.amount_tolerance)
            cells = [*plus, *([minus] if minus else []), c["carryover_end"]]
            yield from _identity_finding(ctx, rid, check, f"{fund} row {row.code or row.label}: 年初 + 本年收入 − 本年支出 = 年末",
                                         cells, table=fund, row=row.code or row.label, col="carryover_end")


# ---- basic expenditure table ------------------------------------------------------------------



@rule("table.basic.personnel_public", "table",
      "一般公共预算财政拨款基本支出决算表: 人员经费合计 = 301 + 303; 公用经费合计 = 302 + 310 (+ any other class).")
def basic_personnel_public(ctx: DocContext, rid: str) -> Iterator[Finding]:
    classes, personnel, public = basic_rows(ctx)
    if personnel is not None:
        parts = [classes[k] for k in ("301", "303") if k in classes]
        if parts:
            yield from _sum_finding(ctx, rid, personnel, parts, "basic table: 人员经费合计 = 301 + 303")
    if public is not None:
        parts = [c for k, c in classes.items() if k not in ("301", "303")]
        if parts:
            yield from _sum_finding(ctx, rid, public, parts, "basic table: 公用经费合计 = 302 + 310")


@rule("table.basic.class_items", "table",
      "Tables of 经济分类 codes (基本支出表, 机关运行经费表): each class = sum of its items.")
def basic_class_items(ctx: DocContext, rid: str) -> Iterator[Finding]:
    yield from _hierarchy(ctx, rid, coded_tables(ctx, "economic"), 3, 5, ("class", "items"))


@rule("table.summary.balance", "table",
      "A two-sided summary table's grand totals (收入总计 = 支出总计; Jiangsu: 收入合计 = 支出合计 under 支出用途) are "
      "equal on every side, as the family's contract lists them.")
def summary_balance(ctx: DocContext, rid: str) -> Iterator[Finding]:
    family = family_of(ctx.doc.doc_type)
    for spec in family.tables if family else ():
        if not spec.balance_rows:
            continue
        totals: list[TableCell] = []
        for side in spec.sides:
            rows = rows_of(ctx.table_cells(spec.key, side))
            found = next((c for label in spec.balance_rows for r in rows if r.label == label
                          for c in r.cells.values()), None)
            if found is not None:
                totals.append(found)
        for other in totals[1:]:
            yield from _sum_finding(ctx, rid, other, [totals[0]],
                                    f"{spec.key}: {other.side} {other.row} = {totals[0].side} {totals[0].row}")


# ---- 三公 -----------------------------------------------------------------------------------------



@rule("table.three_public.total", "table",
      "“三公”经费表: 合计 = 因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费; 公务用车 = 购置 + 运行维护 "
      "(budget and actual).")
def three_public_total(ctx: DocContext, rid: str) -> Iterator[Finding]:
    cells = three_cells(ctx)
    for kind in ("budget", "actual"):
        vehicle = cells.get(f"vehicle_{kind}")
        vparts = [cells[k] for k in (f"vehicle_purchase_{kind}", f"vehicle_operation_{kind}") if k in cells]
        if vehicle is not None and vparts:
            yield from _sum_finding(ctx, rid, vehicle, vparts, f"三公 {kind}: 公务用车 = 购置 + 运行维护")
        total = cells.get(f"total_{kind}")
        if total is None:
            continue
        parts = [cells[k] for k in (f"overseas_{kind}", f"reception_{kind}") if k in cells]
        parts += [vehicle] if vehicle is not None else vparts
        if parts or total.value != 0:
            yield from _sum_finding(ctx, rid, total, parts, f"三公 {kind}: 合计 = 出国 + 公务用车 + 接待")
