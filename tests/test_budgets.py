"""Budgets (部门预算) are a table family of their own: every table of both templates, exact."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from extractors.grid import drop_frames
from extractors.headers import classify_column
from extractors.titles import match_title
from pipeline.assemble import dataset_of, save_dataset
from pipeline.extract import extract_document
from schemas.keys import BUDGET, FAMILIES, FINAL_ACCOUNTS
from tests.conftest import SHARED

BUDGETS = SHARED / "corpus" / "budgets"
SHANGHAI = BUDGETS / "shanghai_putuo" / "上海市普陀区商务委员会25年预算.pdf"
JIANGSU_TABLES = BUDGETS / "jiangsu_province" / "江苏省委办公厅_江苏省委办公厅2019年度部门预算公开表格.pdf"
GOLDEN = SHARED / "golden"


@pytest.fixture(scope="module")
def shanghai():
    return extract_document(SHANGHAI)


@pytest.fixture(scope="module")
def jiangsu():
    return extract_document(JIANGSU_TABLES)


def _score(tmp_path, result, golden_name: str) -> str:
    save_dataset(dataset_of([result]), tmp_path)
    out = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "score.py"), "tables", str(tmp_path), str(GOLDEN / golden_name)],
        capture_output=True, text=True, check=False,
    )
    return out.stdout.strip().splitlines()[-1]


def test_shanghai_budget_matches_its_golden_file(tmp_path, shanghai):
    assert shanghai.document.doc_type == "budget"
    assert _score(tmp_path, shanghai, "上海市普陀区商务委员会25年预算.tables.json") == (
        "tables 9/9 cell recall 1.0000 precision 1.0000 F1 1.0000"
    )


def test_jiangsu_budget_tables_match_their_golden_file(tmp_path, jiangsu):
    assert jiangsu.document.doc_type == "budget"
    line = _score(tmp_path, jiangsu, "江苏省委办公厅_江苏省委办公厅2019年度部门预算公开表格.tables.json")
    assert line == "tables 12/12 cell recall 1.0000 precision 1.0000 F1 1.0000"


def test_yuan_tables_are_converted_exactly_and_keep_their_unit(shanghai):
    cell = next(c for c in shanghai.cells if c.table == "income" and c.code == "2011301" and c.col == "total")
    assert cell.value == Decimal("938.991300") and cell.unit_printed == "元" and cell.value_printed == "9,389,913.00"
    three = {c.col: c for c in shanghai.cells if c.table == "three_public_expenses"}
    assert three["agency_operating_budget"].unit_printed == "万元"


def test_two_summary_groups_take_the_contracts_first_sides(shanghai):
    sides = {c.side for c in shanghai.cells if c.table == "income_expenditure_summary"}
    assert sides == {"income", "expenditure"}


def test_three_column_groups_and_a_label_running_into_the_next_group(jiangsu):
    """支出用途 is its own side, and 支出合计 printed across 功能分类 and 支出用途 belongs to the latter."""
    by_side = {(c.side, c.row): c.value for c in jiangsu.cells if c.table == "income_expenditure_summary"}
    assert by_side[("expenditure_by_use", "支出合计")] == Decimal("27664.22")
    assert by_side[("expenditure_by_use", "单位预留机动经费")] == Decimal("2938.21")
    assert by_side[("expenditure", "住房保障支出")] == Decimal("3894.09")


def test_group_paths_in_list_shaped_tables(jiangsu):
    rows = {c.row for c in jiangsu.cells if c.table == "income"}
    assert rows == {"收入总计", "一般公共预算资金/小计", "一般公共预算资金/公共财政拨款(补助)资金"}


def test_a_table_without_a_label_column_is_its_total_row(jiangsu):
    cells = {(c.row, c.col): c.value for c in jiangsu.cells if c.table == "expenditure"}
    assert cells == {("合计", "total"): Decimal("27664.22"), ("合计", "basic"): Decimal("11700.63"),
                     ("合计", "project"): Decimal("13025.38"), ("合计", "reserve"): Decimal("2938.21")}


def test_only_the_total_of_a_procurement_list_is_a_cell(jiangsu):
    cells = [c for c in jiangsu.cells if c.table == "government_procurement"]
    assert [(c.row, c.col, c.value) for c in cells] == [("合计", "amount", Decimal("1422.50"))]


def test_grand_total_beside_the_three_public_subtotal(jiangsu):
    three = {c.col: c.value for c in jiangsu.cells if c.table == "three_public_expenses"}
    assert three["grand_total_budget"] == Decimal("1471.70") and three["total_budget"] == Decimal("508.20")
    assert three["vehicle_budget"] == Decimal("411.20") and "vehicle_purchase_budget" not in three


def test_titles_know_their_family():
    assert match_title("2025年部门财务收支预算总表").family == "budget"  # type: ignore[union-attr]
    assert match_title("表1 收入支出决算总表").family == "final_accounts"  # type: ignore[union-attr]
    assert match_title("七、2017年度一般公共预算支出预算表").key == "general_public_budget_expenditure"  # type: ignore[union-attr]


def test_families_share_keys_where_the_meaning_is_the_same():
    shared = set(BUDGET.keys) & set(FINAL_ACCOUNTS.keys)
    assert {"income_expenditure_summary", "income", "three_public_expenses", "government_fund"} <= shared
    assert set(FAMILIES) == {"budget", "final_accounts"}
    # a budget header word is a budget column, not a final-account one
    assert classify_column(["单位预留机动经费"], "expenditure", "budget").key == "reserve"
    assert classify_column(["单位预留机动经费"], "expenditure", "final_accounts").kind == "other"


def test_a_frame_around_title_and_table_is_not_a_cell():
    frame = (0.0, 0.0, 100.0, 100.0)
    cells = [(10.0, 50.0, 50.0, 60.0), (50.0, 50.0, 90.0, 60.0), (10.0, 60.0, 50.0, 70.0)]
    assert drop_frames([frame, *cells]) == cells
    merged = (10.0, 50.0, 90.0, 60.0)  # a merged cell holds no other cell: kept
    assert drop_frames([merged, (10.0, 60.0, 50.0, 70.0), (50.0, 60.0, 90.0, 70.0)])[0] == merged


def test_frames_found_in_blocks_are_those_found_pair_by_pair(monkeypatch):
    import random

    from extractors import grid

    def holds(outer, inner):  # the definition: inside within the tolerance, and not the same rectangle
        t = grid.FRAME_TOLERANCE
        return (outer != inner and outer[0] - t <= inner[0] and outer[1] - t <= inner[1]
                and inner[2] <= outer[2] + t and inner[3] <= outer[3] + t)

    rng = random.Random(7)
    monkeypatch.setattr(grid, "FRAME_BLOCK", 5)  # several blocks, the last one short
    for _ in range(40):
        boxes = []
        for _ in range(rng.randint(3, 23)):
            x, y = rng.choice([0.0, 10.0, 10.5, 20.0, 30.0]), rng.choice([0.0, 5.0, 5.9, 15.0])
            boxes.append((x, y, x + rng.choice([5.0, 10.0, 11.0, 40.0]), y + rng.choice([4.0, 10.0, 30.0])))
        boxes += rng.sample(boxes, 2)  # a rectangle twice never holds itself
        expected = [b for b in boxes if sum(holds(b, o) for o in boxes) < 2]
        assert drop_frames(boxes) == expected


def test_every_corpus_budget_yields_tables_or_says_why():
    """All budgets of the corpus: each is a budget, and either yields cells or narrative figures (a narrative PDF
    whose tables are a PDF of their own) or its status says what is missing."""
    for pdf in sorted(BUDGETS.rglob("*.pdf")):
        r = extract_document(pdf)
        d = r.document
        assert d.doc_type == "budget", pdf.name
        assert r.cells or r.facts or (d.status != "ok" and d.error), f"{pdf.name}: {d.status} {d.error}"


def test_unit_budget_titles_and_code_headers():
    """A 单位预算 prints 2025年预算单位…; Jiangsu heads its code column 功能科目代码."""
    assert match_title("2025年预算单位财务收支预算总表").key == "income_expenditure_summary"  # type: ignore[union-attr]
    assert classify_column(["功能科目代码"], "government_fund", "budget").kind == "code"
    unit = extract_document(BUDGETS / "shanghai_putuo" / "上海市普陀区商务委员会单位25年预算.pdf")
    assert len({c.table for c in unit.cells}) == 7
    # its summary splits 本年支出's 预算数 into 基本支出 (人员经费, 公用经费) and 项目支出: read as columns of their
    # own (contract extension), never as the 预算数 they sit under
    assert unit.document.status == "ok"
    summary = {(c.row, c.col): c.value for c in unit.cells if c.table == "income_expenditure_summary"}
    assert sum(col == "amount" for _, col in summary) == 11
    assert summary[("一般公共服务支出", "amount")] == Decimal("2160.173300")
    assert (summary[("一般公共服务支出", "personnel")], summary[("一般公共服务支出", "public")],
            summary[("一般公共服务支出", "project")]) == (Decimal("1082.389100"), Decimal("146.784200"), Decimal("931.000000"))


def test_a_sub_label_column_under_a_spanning_header_is_part_of_the_row_label():
    r = extract_document(BUDGETS / "jiangsu_province" / "江苏省政协办公厅_2017年度部门预算公开表.pdf")
    income = {(c.row, c.value) for c in r.cells if c.table == "income"}
    assert ("一般公共预算资金/公共财政拨款(补助)资金", Decimal("9066.79")) in income
    assert ("其他资金/小计", Decimal("80.00")) in income


def _checked(result, table: str, col: str, code: str | None, row: str | None, value: str):
    """The checks over ``result`` with one printed cell changed to ``value``."""
    from pipeline.assemble import check_dataset

    cells = [c.model_copy(update={"value": Decimal(value)})
             if (c.table, c.col, c.code, c.row if code is None else None) == (table, col, code, row if code is None else None)
             else c for c in result.cells]
    return check_dataset(dataset_of([result.__class__(result.document, result.tables, cells, [], [])])).findings


def test_budget_identities_hold_on_the_golden_budgets(shanghai, jiangsu):
    for r in (shanghai, jiangsu):
        errors = [f for f in _checked(r, "", "", None, None, "0") if f.severity == "error"]
        assert not errors, [f.message for f in errors]


def test_summary_sides_must_balance(jiangsu):
    found = _checked(jiangsu, "income_expenditure_summary", "amount", None, "支出合计", "27664.52")
    balance = [f for f in found if f.rule == "table.summary.balance"]
    assert [(f.severity, f.actual) for f in balance] == [("error", Decimal("27664.52"))]


def test_economic_classes_of_every_coded_table_add_up(jiangsu):
    """Jiangsu's 财政拨款基本支出预算表 (公开06表) is a table of 经济分类 codes too."""
    found = _checked(jiangsu, "fiscal_appropriation_basic_expenditure", "amount", "30201", None, "451.00")
    hits = [f for f in found if f.rule == "table.basic.class_items" and f.table == "fiscal_appropriation_basic_expenditure"]
    assert len(hits) == 1 and hits[0].severity == "error" and "302" in (hits[0].row or "")
