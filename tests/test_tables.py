"""The nine tables of real documents, compared cell by cell with hand-verified golden values."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.extract import extract_document
from schemas.keys import TABLE_KEYS
from tests.conftest import FIXTURES, SHARED, SOCIAL_WORK_PDF

GOLDEN = json.loads((FIXTURES / "上海市普陀区财政局2024年度部门决算.tables.json").read_text(encoding="utf-8"))
TEMPLATE = SHARED / "corpus" / "templates" / "附件2：部门决算模板.pdf"


def _key(table: str, side: str | None, code: str | None, row: str, col: str) -> tuple:
    ident = ("code", code) if code else ("row", row)
    if table == "three_public_expenses":
        ident = ("row", "")
    return (table, side or None, ident, col)


def test_golden_all_nine_tables_found_with_pages(golden_extraction) -> None:
    found = {t.table: t for t in golden_extraction.tables}
    assert set(found) == set(TABLE_KEYS)
    for g in GOLDEN["tables"]:
        t = found[g["table"]]
        assert t.has_data == g["has_data"], g["table"]
        assert list(t.pages) == g["pages"], g["table"]
        assert t.status == "ok" and t.engine == "pdfplumber-lines"
        assert t.unit_printed == "万元"
        assert t.n_cells == sum(1 for c in GOLDEN["cells"] if c["table"] == g["table"])
    assert found["three_public_expenses"].title == "财政拨款“三公”经费支出决算表"
    assert golden_extraction.document.status == "ok"


def test_golden_every_cell_exact_value_and_page(golden_extraction) -> None:
    got = Counter(
        (*_key(c.table, c.side, c.code, c.row, c.col), c.value, c.page) for c in golden_extraction.cells
    )
    want = Counter(
        (*_key(c["table"], c["side"], c["code"], c["row"], c["col"]), Decimal(c["value"]), c["page"])
        for c in GOLDEN["cells"]
    )
    assert got - want == Counter(), "cells not in golden"
    assert want - got == Counter(), "golden cells missed"
    # values keep their printed digits (6.20 stays 6.20) and the printed text is kept
    other = next(c for c in golden_extraction.cells if c.table == "income" and c.col == "other" and c.code is None)
    assert str(other.value) == "6.20" and other.value_printed == "6.20"
    assert all(isinstance(c.value, Decimal) for c in golden_extraction.cells)


def test_golden_rows_are_normalised(golden_extraction) -> None:
    rows = {c.row for c in golden_extraction.cells}
    assert "一般公共预算财政拨款收入" in rows  # 一、 numbering removed
    assert "机关事业单位基本养老保险缴费支出" in rows  # wrapped label joined
    assert not any(r != r.strip() or " " in r or "\n" in r for r in rows)
    basic = [c for c in golden_extraction.cells if c.table == "general_public_budget_basic_expenditure"]
    assert {c.code for c in basic if c.row == "办公费"} == {"30201"}  # second column group, code over 类/款


def test_narrative_pages_are_not_table_pages(golden_extraction) -> None:
    pages: set[int] = set()
    for t in golden_extraction.tables:
        pages.update(t.pages)
    assert pages == set(range(6, 21))


@pytest.fixture(scope="module")
def social_work():
    return extract_document(SOCIAL_WORK_PDF)


def test_social_work_document(social_work) -> None:
    assert social_work.document.status == "ok"
    found = {t.table: t for t in social_work.tables}
    assert set(found) == set(TABLE_KEYS)
    assert not found["three_public_expenses"].has_data  # printed empty with 故本表无数据
    assert not found["government_fund"].has_data and not found["state_capital"].has_data
    cells = {(c.table, c.side, c.code or c.row, c.col): c.value for c in social_work.cells}
    # codes printed in one column
    assert cells[("income", None, "2013901", "fiscal_appropriation")] == Decimal("51.32")
    assert cells[("expenditure", None, "2013999", "project")] == Decimal("202.24")
    assert cells[("general_public_budget_basic_expenditure", None, "30201", "amount")] == Decimal("3.78")
    assert cells[("income_expenditure_summary", "expenditure", "住房保障支出", "amount")] == Decimal("29.42")
    assert cells[("fiscal_appropriation_summary", "expenditure", "总计", "general_public_budget")] == Decimal("307.82")
    # a printed zero is a value, an empty cell is not
    assert cells[("general_public_budget_basic_expenditure", None, "30202", "amount")] == Decimal("0.00")
    assert ("income", None, "2013901", "other") not in cells


@pytest.mark.skipif(not TEMPLATE.exists(), reason="shared corpus not available")
def test_template_has_tables_but_no_invented_values() -> None:
    r = extract_document(Path(TEMPLATE))
    assert r.document.status == "ok", r.document.error
    assert {t.table for t in r.tables} == set(TABLE_KEYS)
    assert r.cells == []
    assert not any(t.has_data for t in r.tables)
