"""A total explained by a numbered list of its components (其中：1. … 19.) that does not add up to it.

The list is found from the text's own numbering (consecutive from 1 under the sentence stating
the total), whatever the total is: 项 lists of final accounts, a budget's list of 项, inline
"（一）…（二）…" or "一是…二是…" lists.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pdfplumber

from extractors.enumerations import numbered_lists
from extractors.narrative import pages_from_text
from extractors.text import page_text
from pipeline.checks import run_checks
from pipeline.checks.text_lists import RULE, list_findings
from pipeline.dataset import Dataset
from pipeline.extract import extract_document
from schemas.records import DocStatus, Document
from tests.conftest import SAMPLES, WUHAN_TXT

BUDGET_PDF = SAMPLES / "上海市普陀区商务委员会25年预算.pdf"  # the same file as ../shared/corpus/budgets/shanghai_putuo's
DOC = Document(doc_id="d", file_name="x.txt", sha256="0" * 64, status=DocStatus.OK)


def _parts_findings(result) -> list:
    ds = Dataset([result.document], result.tables, result.cells, result.facts, result.findings)
    return [f for f in run_checks(ds) if f.rule.startswith("narrative.parts_sum")]


def _text_findings(text: str, family: str = "final_accounts") -> list:
    return list_findings(DOC, pages_from_text(text), family)


def test_hongshan_item_list_leaves_spending_undescribed():
    """Hongshan 五（三）: 一般公共预算财政拨款支出决算 56781.82 万元, 其中 19 numbered 项 whose 决算 sum to 36179.35."""
    text = re.sub(r"\s+", "", WUHAN_TXT.read_text(encoding="utf-8"))
    assert "支出决算为56781.82万元" in text  # the stated total, then its items
    result = extract_document(WUHAN_TXT)
    items = [f for f in result.facts if f.metric == "gpb_item_actual"]
    assert len(items) == 19 and sum(f.value for f in items) == Decimal("36179.35")
    found = _parts_findings(result)
    errors = [f for f in found if f.severity == "error"]
    assert len(errors) == 1
    f = errors[0]
    assert f.rule == RULE and f.expected == Decimal("36179.35") and f.actual == Decimal("56781.82")
    assert f.difference == Decimal("20602.47") and "19 items" in f.message and "undescribed" in f.message
    # the 项 budgets of the same list add up (18080.64): no finding; the 5 类 of 五（二） are a rounding warning, once
    assert not [x for x in found if x.actual == Decimal("18080.64")]
    class_sum = [x for x in found if x.expected == Decimal("56781.83")]
    assert [(x.rule, x.severity) for x in class_sum] == [(RULE, "warning")] and "5 items" in class_sum[0].message


def test_item_list_within_rounding_stays_a_warning(golden_extraction):
    """The golden document's 11 项 sum to 2940.06 against 2940.05 (年初预算 2993.93 against 2993.92): rounding,
    a warning each naming its pages, never twice (the facts' own parts check compares the same figures)."""
    found = _parts_findings(golden_extraction)
    listed = [(f.rule, f.severity, f.expected, f.actual, f.page) for f in found if "11 items" in f.message]
    assert listed == [(RULE, "warning", Decimal("2993.93"), Decimal("2993.92"), "21;22"),
                      (RULE, "warning", Decimal("2940.06"), Decimal("2940.05"), "21;22")]
    same = [f for f in found if f.expected in (Decimal("2993.93"), Decimal("2940.06")) and f.rule != RULE]
    assert [(f.severity, f.page) for f in same] == [("warning", "21")]  # the 类 of 五（二）: another comparison
    assert not [f for f in found if f.severity == "error"]


def _edited_hongshan(old: str, new: str) -> list:
    text = WUHAN_TXT.read_text(encoding="utf-8")
    assert text.count(old) == 1
    return _text_findings(text.replace(old, new))


def test_an_item_changed_beyond_rounding_is_an_error():
    """One item's 年初预算 raised by 100 in the Hongshan text: the 19 budgets exceed their total by 100."""
    found = _edited_hongshan("年初预算为 4815.92 万元", "年初预算为 4915.92 万元")
    over = [f for f in found if f.actual == Decimal("18080.64")]
    assert [(f.severity, f.difference) for f in over] == [("error", Decimal("-100.00"))]
    assert "19 items" in over[0].message and "more than the total" in over[0].message


def test_a_partial_list_may_fall_short_but_never_exceed():
    """五（二） lists the 类 "主要用于以下方面": a smaller item is no error, a larger one is."""
    short = _edited_hongshan("城乡社区支出（类）12951.07", "城乡社区支出（类）11951.07")
    assert not [f for f in short if f.actual == Decimal("56781.82") and "5 items" in f.message]
    over = _edited_hongshan("城乡社区支出（类）12951.07", "城乡社区支出（类）13951.07")
    assert [(f.severity, f.difference) for f in over if "5 items" in f.message] == [("error", Decimal("-1000.01"))]


def _budget_pages(edit: tuple[str, str] | None = None):
    with pdfplumber.open(BUDGET_PDF) as pdf:
        pages = [page_text(pdf.pages[n - 1], n) for n in (7, 8)]
    if edit:
        pages = [p.__class__(p.page, p.text.replace(*edit)) for p in pages]
    return pages


def test_budget_list_of_items_under_its_total():
    """A budget's "财政拨款支出主要内容如下：" names its total in the paragraph before (财政拨款支出预算
    37,151.47); its 16 项 sum to 37151.46: rounding. One item raised by 100: an error on pages 7–8."""
    pages = _budget_pages()
    lists = numbered_lists(pages, "budget")
    assert [(len(x.items), [t.value for t in x.totals], x.partial) for x in lists] == [
        (16, [Decimal("37151.47")], True)]
    found = list_findings(DOC, pages, "budget")
    assert [(f.severity, f.expected, f.page) for f in found] == [("warning", Decimal("37151.46"), "7;8")]
    edited = list_findings(DOC, _budget_pages(("1,720.00万元", "1,820.00万元")), "budget")
    assert [(f.severity, f.difference, f.page) for f in edited] == [("error", Decimal("-99.99"), "7;8")]


def test_inline_lists_in_every_numbering_style():
    body = "2024年度项目支出合计100.00万元，其中：{}。"
    for items in ("1.会议费20.00万元；2.培训费30.00万元；3.差旅费40.00万元",
                  "（一）会议费20.00万元；（二）培训费30.00万元；（三）差旅费40.00万元",
                  "一是会议费20.00万元，二是培训费30.00万元，三是差旅费40.00万元"):
        found = _text_findings(body.format(items))
        assert [(f.severity, f.difference) for f in found] == [("error", Decimal("10.00"))], items
        assert "3 items" in found[0].message


def test_not_a_complete_list_no_error():
    """Numbering that skips (1. 3.), an explicitly partial lead-in, and changes are never components."""
    assert not _text_findings("项目支出合计100.00万元，其中：1.会议费20.00万元；3.培训费30.00万元。")
    assert not _text_findings("项目支出合计100.00万元，主要包括：1.会议费20.00万元；2.培训费30.00万元。")
    assert not _text_findings("项目支出合计100.00万元，其中：1.会议费100.00万元，比上年增加20.00万元；"
                              "2.培训费0万元，比上年减少5.00万元。")


def test_items_with_sub_items_are_not_cut_short():
    """Sub-items （1）（2） under item 2 must not end the list before item 3 (30.00 would seem undescribed)."""
    text = ("一、项目支出情况\n2024年度项目支出合计100.00万元，其中：\n1.会议费20.00万元。\n2.培训费50.00万元。\n"
            "{}3.差旅费30.00万元。\n二、其他情况\n无。")
    flat = numbered_lists(pages_from_text(text.format("")))
    assert [(len(x.items), x.totals[0].value) for x in flat] == [(3, Decimal("100.00"))]
    nested = text.format("（1）干部培训30.00万元。\n（2）业务培训20.00万元。\n")
    assert not numbered_lists(pages_from_text(nested))  # nested: not read, never a false shortfall
    assert not _text_findings(nested)


def test_a_bare_lead_in_after_several_figures_names_no_total():
    """"具体情况如下：" after a sentence stating three components (Jiangsu's 三公 paragraph): which figure the list
    explains is not said, so nothing is compared (not the last "；" clause, 28 against 509.20)."""
    text = ("十一、“三公”经费支出预算情况说明\n“三公”经费预算支出中，因公出国（境）费支出70万元，占13.75%；"
            "公务用车购置及运行费支出411.20万元，占80.75%；公务接待费支出28万元，占5.50%。具体情况如下：\n"
            "1.因公出国（境）费用预算支出70万元。\n2.公务用车购置及运行费预算支出411.20万元。\n3.公务接待费预算支出28万元。")
    assert [len(x.items) for x in numbered_lists(pages_from_text(text))] == [3]
    assert not _text_findings(text)
