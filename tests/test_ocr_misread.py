"""The OCR misread normaliser and the likely-misread rule (no OCR engine needed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.misread import normalise_numbers, suspect_tokens
from extractors.numbers import parse_amount
from pipeline.checks import run_checks
from schemas.records import Severity, TextSource, source_fields
from tests.checks_helpers import cell, dataset


@pytest.mark.parametrize(("read", "meant"), [
    ("２，９４０．０５", "2,940.05"),  # full-width digits and punctuation
    ("2O1O6", "20106"),  # O for 0 in a subject code
    ("〇.5", "0.5"),
    ("l,234.5o", "1,234.50"),  # l for 1, o for 0
    ("I5.00", "15.00"),
    ("2.940.05", "2,940.05"),  # commas read as dots: groups of three before a two-digit decimal part
    ("12.345.678.9", "12,345,678.9"),
    ("2,940,05", "2,940.05"),  # a final two-digit group can only be the decimal part
    ("比2O23年增长l2.5%", "比2023年增长12.5%"),
])
def test_misreads_in_numbers_are_undone(read: str, meant: str) -> None:
    assert normalise_numbers(read) == meant
    assert len(normalise_numbers(read)) == len(read)  # one character for one: each keeps its box


@pytest.mark.parametrize("text", [
    "2.940",  # one dot: a decimal point or a thousands separator, nobody can tell
    "1.234.567",  # the last group has three digits: 1,234,567 or 1,234.567
    "ISO9001", "No.1", "O", "PPP项目", "2023-2024", "8:30", "1、",  # words and non-amounts are not touched
])
def test_nothing_is_guessed(text: str) -> None:
    assert normalise_numbers(text) == text


def test_unreadable_numbers_are_reported_and_do_not_parse() -> None:
    assert suspect_tokens("合计 2B4.56 万元") == ["2B4.56"]
    assert parse_amount(normalise_numbers("2B4.56")) is None
    assert suspect_tokens("ISO9001 认证, 2,940.05") == []
    assert parse_amount(normalise_numbers("2O4.56")) == Decimal("204.56")


def _row(total: str, basic: str, project: str, conf: float | None) -> list:
    """A general-public-budget row total = basic + project, the basic cell read with ``conf``."""
    t, p = (cell("general_public_budget_expenditure", k, v, code="2010601", row="行政运行", page=2)
            for k, v in (("total", total), ("project", project)))
    b = cell("general_public_budget_expenditure", "basic", basic, code="2010601", row="行政运行", page=2)
    b = b.model_copy(update=source_fields(conf))
    t, p = (c.model_copy(update=source_fields(None if conf is None else 0.9998)) for c in (t, p))
    return [t, b, p]


def test_low_confidence_cell_breaking_an_identity_is_a_likely_misread() -> None:
    cells = _row("1511.90", "1571.89", "0.01", conf=0.41)  # 1511.89 with its 1 misread as 7
    findings = [f for f in run_checks(dataset(cells)) if f.table == "general_public_budget_expenditure"]
    assert [(f.rule, f.severity) for f in findings] == [("table.ocr_misread", Severity.WARNING)]
    assert "0.41" in findings[0].message and "1571.89" in findings[0].evidence
    assert findings[0].page == "2"


@pytest.mark.parametrize("conf", [0.9993, None])
def test_confident_or_text_layer_break_is_the_documents_own(conf: float | None) -> None:
    cells = _row("1511.90", "1571.89", "0.01", conf=conf)
    rules = {f.rule for f in run_checks(dataset(cells)) if f.table == "general_public_budget_expenditure"}
    assert rules == {"table.sum.row_total"}


def test_low_confidence_cell_in_a_holding_identity_is_not_reported() -> None:
    cells = _row("1511.90", "1511.89", "0.01", conf=0.41)
    assert not [f for f in run_checks(dataset(cells)) if f.table == "general_public_budget_expenditure"]


def test_source_fields() -> None:
    assert source_fields(None) == {"source": TextSource.TEXT_LAYER, "ocr_confidence": None}
    assert source_fields(0.987654) == {"source": TextSource.OCR, "ocr_confidence": Decimal("0.9877")}
