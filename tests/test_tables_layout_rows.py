"""栏次 rows and 行次 columns are layout, never cells; a table of printed zeros has no data but keeps its cells
(the clarified ../shared/spec/nine_tables.yaml), ruled or unruled."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from pipeline.extract import extract_document
from tests.variants.make_variants import FUND_COLS, VARIANTS_BY_NAME, build_variant, load_golden, score_cells

CASES = {
    "ruled": dict(base="row_numbers", zero_funds=True),
    "unruled": dict(base="unruled_split_codes", row_numbers=True, zero_funds=True),
    "unruled_left": dict(base="unruled_split_codes", row_numbers=True, zero_funds=True, value_align="L"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_column_numbers_are_layout_and_zero_tables_have_no_data(case, tmp_path):
    changes = dict(CASES[case])
    v = dataclasses.replace(VARIANTS_BY_NAME[changes.pop("base")], name=f"layout_{case}", **changes)
    pdf, expected = build_variant(v, tmp_path, load_golden())
    result = extract_document(pdf)
    score = score_cells(expected.cells, [c.model_dump(mode="json") for c in result.cells])
    assert score.recall == 1.0 and score.precision == 1.0, f"missed {score.missed[:6]} extra {score.extra[:6]}"
    assert not [c for c in result.cells if "栏次" in (c.row or "") or "行次" in (c.row or "")]
    assert result.document.status == "ok", result.document.error
    found = {t.table: t for t in result.tables}
    for key in ("government_fund", "state_capital"):
        t = found[key]
        zeros = [c for c in result.cells if c.table == key]
        assert not t.has_data and t.n_cells == len(FUND_COLS), t
        assert {c.col for c in zeros} == set(FUND_COLS) and all(c.value == Decimal(0) for c in zeros)
    assert all(found[k].has_data for k in found if k not in ("government_fund", "state_capital"))
