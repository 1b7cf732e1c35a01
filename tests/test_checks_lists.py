"""A total explained by a numbered list of its components (其中：1. … 19.) that does not add up to it."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.checks import run_checks
from pipeline.dataset import Dataset
from pipeline.extract import extract_document
from tests.conftest import WUHAN_TXT


def _parts_findings(result) -> list:
    ds = Dataset([result.document], result.tables, result.cells, result.facts, result.findings)
    return [f for f in run_checks(ds) if f.rule == "narrative.parts_sum"]


def test_hongshan_item_list_leaves_spending_undescribed():
    """Hongshan 五（三）: 一般公共预算财政拨款支出决算 56781.82 万元, 其中 19 numbered 项 whose 决算 sum to 36179.35."""
    text = re.sub(r"\s+", "", WUHAN_TXT.read_text(encoding="utf-8"))
    assert "支出决算为56781.82万元" in text  # the stated total, then its items
    result = extract_document(WUHAN_TXT)
    items = [f for f in result.facts if f.metric == "gpb_item_actual"]
    assert len(items) == 19 and sum(f.value for f in items) == Decimal("36179.35")
    errors = [f for f in _parts_findings(result) if f.severity == "error"]
    assert len(errors) == 1
    f = errors[0]
    assert f.metric == "gpb_actual" and f.expected == Decimal("36179.35") and f.actual == Decimal("56781.82")
    assert f.difference == Decimal("20602.47") and "19 items" in f.message


def test_item_list_within_rounding_stays_a_warning(golden_extraction):
    """The golden document's 项 list sums to 2940.06 against 2940.05: rounding, a warning naming its pages."""
    found = [f for f in _parts_findings(golden_extraction) if f.metric == "gpb_actual"]
    assert [(f.severity, f.difference, f.page) for f in found] == [("warning", Decimal("-0.01"), "21;22")]
    assert "11 items" in found[0].message
