"""Tables printed without ruling lines: the golden document re-laid out unruled, and generated layouts.

The golden 财政拨款收入支出决算总表 (income | expenditure with 合计 / 一般公共预算 / 政府性基金 / 国有资本经营)
with its rules taken out sets each row's amounts a few points below its labels; every cell must still
land in its row and column (cell F1 = 1 with ../shared/tools/score.py's cell identity).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pdfplumber
import pytest

from pipeline.extract import extract_document
from tests.variants.make_variants import VARIANTS_BY_NAME, build_variant, load_golden, score_cells
from tests.variants.unruled_golden import GOLDEN_TABLES, strip_rules, table_pages

FISCAL = "fiscal_appropriation_summary"


def _f1(score) -> float:
    r, p = score.recall, score.precision
    return 2 * r * p / (r + p) if r + p else 0.0


@pytest.fixture(scope="module")
def unruled_fiscal(tmp_path_factory):
    pages = table_pages(FISCAL)
    pdf = strip_rules(tmp_path_factory.mktemp("unruled") / "golden_unruled_fiscal.pdf", pages)
    return pdf, pages, extract_document(pdf)


def test_stripped_pages_have_no_rules_left(unruled_fiscal):
    pdf, pages, _ = unruled_fiscal
    with pdfplumber.open(pdf) as doc:
        for n in pages:
            assert not doc.pages[n - 1].edges, n
        assert "财政拨款收入支出决算总表" in doc.pages[pages[0] - 1].extract_text()
        assert doc.pages[pages[0] - 2].edges  # the table before keeps its rules


def test_unruled_fiscal_summary_cells_exact(unruled_fiscal):
    _, _, result = unruled_fiscal
    want = [{**c, "unit_printed": "万元"} for c in GOLDEN_TABLES["cells"]]
    got = [c.model_dump(mode="json") for c in result.cells]
    score = score_cells(want, got)
    assert _f1(score) == 1.0, f"missed {score.missed[:6]} extra {score.extra[:6]}"
    assert not score.wrong_page
    fiscal = next(t for t in result.tables if t.table == FISCAL)
    assert fiscal.status == "ok" and "pdfplumber-text" in (fiscal.engine or ""), fiscal
    sides = {(c.side, c.col) for c in result.cells if c.table == FISCAL}
    assert sides == {("income", "amount"), ("expenditure", "total"), ("expenditure", "general_public_budget")}


# generated unruled layouts where whitespace alone misplaced columns: amounts left-aligned in their cells
# (a value column then sits left of its centred header, next to an empty column's header), small type
# (a short 支出 over the expenditure side names only the column under it), large type (header cells of
# neighbouring columns nearly touch: 一般公共预算财政 政府性基金预算财)
@pytest.mark.parametrize("changes", [
    {"value_align": "L"}, {"value_align": "L", "font_size": 8.0}, {"font_size": 8.0}, {"font_size": 11.0},
    {"value_align": "C"},
], ids=str)
def test_unruled_layouts_cells_exact(changes, tmp_path: Path):
    v = dataclasses.replace(VARIANTS_BY_NAME["unruled_split_codes"], name="unruled_x", **changes)
    pdf, expected = build_variant(v, tmp_path, load_golden())
    result = extract_document(pdf)
    score = score_cells(expected.cells, [c.model_dump(mode="json") for c in result.cells])
    assert score.recall == 1.0 and score.precision == 1.0, f"{changes}: missed {score.missed[:6]} extra {score.extra[:6]}"
