"""The normal forms text is compared in: each folds what its comparisons need and nothing more."""

from __future__ import annotations

import pytest

from extractors.textforms import figure_text, folded, header_key, label_key, match_text, record_label


def test_folded_turns_full_width_into_ascii_and_keeps_spacing() -> None:
    assert folded("２０１ ０６　０１") == "201 06 01"
    assert folded("（Ｘ）") == "(X)"
    assert folded(None) == ""


def test_match_text_is_folded_without_whitespace() -> None:
    assert match_text(" 单 位：万 元\n") == "单位:万元"
    assert match_text("㎡") == match_text("m²") == "m2"
    assert match_text(None) == ""


def test_figure_text_keeps_ascii_digits_and_full_width_chinese_punctuation() -> None:
    assert figure_text("支出１２３．４５万元(增长5％)") == "支出123.45万元（增长5%）"
    assert figure_text("2024 2995.39万元") == "2024 2995.39万元"  # two figures stay two
    assert figure_text("1,234.5万元, 较上年") == "1,234.5万元，较上年"  # a thousands comma stays, a clause comma is Chinese
    assert figure_text("一 般 公 共") == "一般公共"


@pytest.mark.parametrize(("printed", "label"), [
    ("一、一般公共服务支出", "一般公共服务支出"),
    ("（一）人大事务", "人大事务"),
    ("1. 行政运行", "行政运行"),
    ("、基本支出", "基本支出"),
    ("2024.年度", "2024.年度"),
    ("1.5倍", "1.5倍"),
])
def test_record_label_drops_spacing_and_numbering_only(printed: str, label: str) -> None:
    assert record_label(printed) == label


def test_record_label_keeps_characters_as_printed() -> None:
    assert record_label("（１）人员经费") == "人员经费"
    assert record_label("其他（类）支出") == "其他（类）支出"  # the record keeps the level mark; the key drops it


def test_label_key_folds_and_drops_level_marks() -> None:
    assert label_key("一般公共服务（类）") == label_key("一般公共服务") == "一般公共服务"
    assert label_key("（一）基本支出：") == "基本支出"
    assert label_key(None) == ""
    assert label_key("ＡＢ 费") == "AB费"


def test_header_key_drops_unit_note_year_brackets_and_weihu() -> None:
    assert header_key("2026年预算数（万元）") == "预算数"
    assert header_key("“三公”经费") == "三公经费"
    assert header_key("公务用车运行(维护)费") == header_key("公务用车运行费")
