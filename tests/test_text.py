"""Reading order rebuilt from characters: numbers on a shifted baseline return to their sentence."""

from __future__ import annotations

import pdfplumber
import pytest

from extractors.text import _drop_page_furniture, _PrintedLine, glue, page_text, paragraphs
from tests.conftest import GOLDEN_PDF, SOCIAL_WORK_PDF


@pytest.fixture(scope="module")
def golden_pages() -> dict[int, str]:
    with pdfplumber.open(GOLDEN_PDF) as pdf:
        return {n: page_text(pdf.pages[n - 1], n).text for n in (2, 21, 22, 24)}


def test_naive_text_separates_numbers_from_their_sentence():
    """The defect being fixed: pdfplumber's own line grouping puts the figures on the next line."""
    with pdfplumber.open(GOLDEN_PDF) as pdf:
        naive = pdf.pages[20].extract_text()
    assert "收入支出总计 万元" in naive and "2995.39万元" not in naive


def test_numbers_back_in_their_sentences(golden_pages):
    p21 = golden_pages[21]
    assert "上海市普陀区财政局2024年度收入支出总计2995.39万元。与2023年度相比，收入支出总计减少56.95万元，下降1.87%。" in p21
    assert "其中：财政拨款收入2940.05万元，占99.79%；其他收入6.2万元，占0.21%；" in p21
    # a figure printed at the very end of a line, its unit on the next one
    assert "住房保障支出（类）445.69万元，占15.16%；" in p21
    assert "完成年初预算的98.20%。" in p21


def test_item_numbers_and_split_sentences_rejoined(golden_pages):
    p22 = golden_pages[22].split("\n")
    assert p22[0].startswith("1、一般公共服务支出（类）财政事务（款）行政运行（项）。主要用于：局本部人员经费")
    assert "年初预算为1560.05万元，支出决算为1511.89万元。" in p22[0]
    assert any(line.startswith("10、住房保障支出（类）住房改革支出（款）住房公积金（项）") for line in p22)


def test_table_of_contents_keeps_one_heading_per_line(golden_pages):
    lines = golden_pages[2].split("\n")
    assert "一、收入支出决算总表" in lines
    assert "七、财政拨款“三公”经费支出决算表" in lines


def test_headings_start_paragraphs(golden_pages):
    lines = golden_pages[24].split("\n")
    assert "（二）政府采购支出情况" in lines
    assert any(line.startswith("（三）国有资产占有使用情况说明") for line in lines)


def test_quotes_in_the_body_font_stay_on_their_line():
    with pdfplumber.open(SOCIAL_WORK_PDF) as pdf:
        text = page_text(pdf.pages[20], 21).text
    assert "绩效评级为“优”的项目1个；绩效评级为“良”的项目0个" in text


def _line(text: str, top: float) -> _PrintedLine:
    return _PrintedLine(text, 72.0, 500.0, top, top + 12, 12.0)


def test_page_numbers_in_the_margins_are_dropped():
    lines = [_line("- 3 -", 20), _line("一、收入支出决算总体情况说明", 80), _line("收入支出总计 12 万元。", 100),
             _line("1600", 400), _line("— 44 —", 800)]
    kept = [x.text for x in _drop_page_furniture(lines, 842)]
    assert kept == ["一、收入支出决算总体情况说明", "收入支出总计 12 万元。", "1600"]
    footer = [_line("正文。", 100), _line("第 3 页 共 25 页", 810)]
    assert [x.text for x in _drop_page_furniture(footer, 842)] == ["正文。"]


def test_paragraphs_join_mid_sentence_breaks_only():
    lines = ["一、收入支出决算总体情况说明", "2023 年度收、支总计均为 58381.82 万元。与 2022 年度相", "比，收、支总计各减少",
             "16525.54 万元，下降 22.06 %，主要原", "因是专项债券拨款减少。", "图 1：收、支决算总计变动情况",
             "（二）政府采购支出情况", "本部门政府采购支出总额 10 万元"]
    assert paragraphs(lines) == [
        "一、收入支出决算总体情况说明",
        "2023 年度收、支总计均为 58381.82 万元。与 2022 年度相比，收、支总计各减少16525.54 万元，下降 22.06 %，主要原因是专项债券拨款减少。",
        "图 1：收、支决算总计变动情况",
        "（二）政府采购支出情况",
        "本部门政府采购支出总额 10 万元",
    ]


def test_glue_keeps_two_numbers_apart():
    assert glue("年初结转和结余 0", "1600 万元") == "年初结转和结余 0 1600 万元"
    assert glue("支出决算为", "0.94") == "支出决算为0.94"


def test_margin_lines_stand_apart_from_the_body():
    from extractors.text import _margin_lines

    lines = [_line("某局2023年度部门决算", 30), _line("支出总计 12", 90), _line("万元。", 104), _line("— 7 —", 800)]
    assert _margin_lines(lines, 842) == (1, 1)
    assert _margin_lines(lines[1:3], 842) == (0, 0)
