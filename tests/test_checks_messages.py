"""Finding messages are for people: the document's words, not internal keys; no self-contradicting ranges."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pipeline.checks import run_checks
from pipeline.checks.labels import humanize, metric_label
from pipeline.dataset import Dataset
from schemas.keys import NARRATIVE_METRICS, NINE_TABLES
from tests.checks_helpers import golden_dataset
from tests.conftest import SOCIAL_WORK_PDF, WUHAN_TXT

_KEYS = set(NARRATIVE_METRICS) | {t.key for t in NINE_TABLES if "_" in t.key}
_RANGE = re.compile(r"(-?\d+\.\d+)…(-?\d+\.\d+)")


@pytest.fixture(scope="module")
def findings():
    from pipeline.extract import extract_document

    out = list(run_checks(golden_dataset()))
    for path in (WUHAN_TXT, SOCIAL_WORK_PDF):
        r = extract_document(path)
        out += run_checks(Dataset([r.document], r.tables, r.cells, r.facts))
    assert len(out) > 20
    return out


def test_messages_name_no_internal_keys(findings) -> None:
    for f in findings:
        words = set(re.findall(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", f.message))
        assert not words & _KEYS, f.message
        assert not re.search(r"\[(amount|total|basic|project|fiscal_appropriation)\]", f.message), f.message
    assert any("占比" in f.message for f in findings)  # gpb_class_share_pct, in words


def test_a_rounding_message_never_states_a_range_that_excludes_the_printed_value(findings) -> None:
    shares = [f for f in findings if f.rule == "narrative.share"]
    assert shares
    for f in findings:
        m = _RANGE.search(f.message)
        if not m:
            continue
        low, high = Decimal(m.group(1)), Decimal(m.group(2))
        if f.message.startswith("rounding"):
            assert "admissible" not in f.message and "one last digit off" in f.message, f.message
        else:  # an error: the printed value is outside what the printed figures allow, and it says so
            assert not (low <= f.actual <= high), f.message


def test_labels() -> None:
    assert metric_label("gpb_class_share_pct") == "一般公共预算财政拨款支出各类占比（%）"
    assert metric_label("total_income_expenditure_change_pct") == "收入支出总计增减幅度（%）"
    assert metric_label("not_a_metric") == "not_a_metric"
    assert all(metric_label(k) != k for k in NARRATIVE_METRICS)
    assert humanize("rounding: income 合计 [total] = sum of 类 rows", "income") == \
        "rounding: 收入决算表 合计 [本年收入合计] = sum of 类 rows"
    # a side name is not a table: left alone
    assert humanize("fiscal_appropriation_summary income: 总计", "fiscal_appropriation_summary") == \
        "财政拨款收入支出决算总表 income: 总计"
    assert humanize("see wuhan_hongshan_housing_2023.txt") == "see wuhan_hongshan_housing_2023.txt"


def test_a_budget_finding_names_the_budget_table() -> None:
    """A budget's finding speaks of its own 预算 tables, not the final accounts' 决算 ones."""
    assert humanize("general_public_budget_expenditure 住房公积金", "general_public_budget_expenditure", "budget") == \
        "一般公共预算支出功能分类预算表 住房公积金"
    assert humanize("general_public_budget_expenditure 住房公积金", "general_public_budget_expenditure",
                    "final_accounts") == "一般公共预算财政拨款支出决算表 住房公积金"

