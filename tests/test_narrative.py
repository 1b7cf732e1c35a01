"""Narrative figures on real documents (Shanghai PDFs, the Hubei text) and template wording."""

from __future__ import annotations

import json
from decimal import Decimal

import pdfplumber
import pytest

from extractors.narrative import extract_facts, pages_from_text
from extractors.text import PageText, page_text
from extractors.vocab import segment
from tests.conftest import FIXTURES, SHARED, SOCIAL_WORK_PDF, WUHAN_TXT

GOLDEN_NARRATIVE = FIXTURES / "上海市普陀区财政局2024年度部门决算.narrative.jsonl"  # a copy of ../shared/golden's
TEMPLATE_PDF = SHARED / "corpus" / "templates" / "附件2：部门决算模板.pdf"


def _key(f) -> tuple[str, str, Decimal]:
    return f.metric, f.subject or "", f.value


@pytest.fixture(scope="module")
def wuhan():
    return extract_facts(pages_from_text(WUHAN_TXT.read_text(encoding="utf-8")), "wuhan")


@pytest.fixture(scope="module")
def social_work():
    with pdfplumber.open(SOCIAL_WORK_PDF) as pdf:
        pages = [page_text(p, i) for i, p in enumerate(pdf.pages, start=1)]
    return pages, extract_facts(pages, "sw")


# Hand-checked against the Wuhan Hongshan housing bureau text (Hubei wording, sections 一–十三).
WUHAN_EXPECTED = [
    ("total_income_expenditure", "", "58381.82"),
    ("total_income_expenditure_change", "", "-16525.54"),
    ("total_income_expenditure_change_pct", "", "-22.06"),
    ("income_total", "", "58381.82"),
    ("income_total_change", "", "-16525.54"),
    ("income_total_change_pct", "", "-22.06"),
    ("income_item", "财政拨款收入", "58381.82"),
    ("income_item_share_pct", "财政拨款收入", "100"),
    ("expenditure_total", "", "58381.82"),
    ("expenditure_item", "基本支出", "2778.03"),
    ("expenditure_item_share_pct", "基本支出", "4.76"),
    ("expenditure_item", "项目支出", "55603.79"),
    ("expenditure_item_share_pct", "项目支出", "95.24"),
    ("fiscal_total", "", "58381.82"),
    ("fiscal_total_change", "", "-16525.54"),
    ("fiscal_total_change_pct", "", "-22.06"),
    ("fiscal_income_by_source", "一般公共预算", "56781.82"),
    ("fiscal_income_by_source", "政府性基金预算", "1600"),
    ("gpb_expenditure", "", "56781.82"),
    ("gpb_expenditure_share_pct", "", "97.26"),
    ("gpb_expenditure_change", "", "30774.46"),
    ("gpb_expenditure_change_pct", "", "118.33"),
    ("gpb_class_amount", "一般公共服务支出", "0.6"),
    ("gpb_class_share_pct", "一般公共服务支出", "0.001"),
    ("gpb_class_amount", "城乡社区支出", "12951.07"),
    ("gpb_class_amount", "住房保障支出", "43527.08"),
    ("gpb_class_share_pct", "住房保障支出", "76.66"),
    ("gpb_budget_initial", "", "18080.64"),
    ("gpb_actual", "", "56781.82"),
    ("gpb_completion_pct", "", "314.05"),
    ("gpb_item_budget_initial", "一般公共服务支出/商贸事务/招商引资", "0"),
    ("gpb_item_actual", "一般公共服务支出/商贸事务/招商引资", "0.60"),
    ("gpb_item_budget_initial", "社会保障和就业支出/行政事业单位养老支出/事业单位离退休", "0"),
    ("gpb_item_actual", "社会保障和就业支出/行政事业单位养老支出/事业单位离退休", "2.86"),
    ("gpb_item_budget_initial", "城乡社区支出/城乡社区管理事务/其他城乡社区管理事务支出", "5444.5"),
    ("gpb_item_actual", "城乡社区支出/城乡社区管理事务/其他城乡社区管理事务支出", "4726.87"),
    ("gpb_item_budget_initial", "住房保障支出/保障性安居工程支出/老旧小区改造", "6674"),
    ("gpb_item_actual", "住房保障支出/保障性安居工程支出/老旧小区改造", "13822.09"),
    ("gpb_item_actual", "住房保障支出/城乡社区住宅/其他城乡社区住宅支出", "1637.44"),
    ("basic_expenditure", "", "2778.03"),
    ("basic_personnel", "", "2254.83"),
    ("basic_public", "", "523.20"),
    ("government_fund_income", "", "1600"),
    ("government_fund_expenditure", "", "1600"),
    ("three_public_budget", "", "41.3"),
    ("three_public_actual", "", "11.94"),
    ("three_public_completion_pct", "", "28.91"),
    ("three_public_change", "", "-1.39"),
    ("three_public_change_pct", "", "-10.43"),
    ("overseas_actual", "", "0"),
    ("overseas_groups", "", "0"),
    ("overseas_persons", "", "0"),
    ("vehicle_actual", "", "11.80"),
    ("vehicle_purchase_actual", "", "0"),
    ("vehicle_operation_actual", "", "11.80"),
    ("vehicles_held", "", "6"),
    ("reception_actual", "", "0.15"),
    ("operating_costs", "", "523.20"),
    ("operating_costs_change", "", "-77.09"),
    ("operating_costs_change_pct", "", "-12.84"),
    ("procurement_total", "", "1721.34"),
    ("procurement_goods", "", "0"),
    ("procurement_works", "", "0"),
    ("procurement_services", "", "1721.34"),
    ("procurement_sme", "", "1270"),
    ("procurement_sme_pct", "", "73.78"),
    ("vehicles_total", "", "6"),
    ("performance_projects", "", "9"),
    ("performance_amount", "", "55603.79"),
]


def test_wuhan_text_hand_checked_figures(wuhan):
    got = [_key(f) for f in wuhan]
    for metric, subject, value in WUHAN_EXPECTED:
        assert (metric, subject, Decimal(value)) in got, (metric, subject, value)


def test_wuhan_each_metric_figure_stated_once(wuhan):
    """Specific metrics appear exactly as often as the text states them (no figure read twice)."""
    got = [_key(f) for f in wuhan]
    assert got.count(("reception_actual", "", Decimal("0.15"))) == 1  # 国内公务接待 is a part of it: other
    assert got.count(("total_income_expenditure", "", Decimal("58381.82"))) == 1
    assert sum(1 for f in wuhan if f.metric == "vehicles_total") == 1


def test_wuhan_other_figures_kept_with_their_clause(wuhan):
    others = {(f.value, f.unit): f for f in wuhan if f.metric == "other"}
    assert (Decimal("-47300"), "万元") in others  # 政府性基金收入 比上年减少: no metric, still kept
    vs_budget = [f for f in wuhan if f.metric == "other" and f.value == Decimal("-19.50")]
    assert vs_budget and "比全年预算减少19.50万元" in vs_budget[0].text
    assert any(f.unit == "台（套）" and f.value == 0 for f in wuhan)


def test_wuhan_years_dates_numbering_thresholds_are_not_figures(wuhan):
    values = {f.value for f in wuhan}
    assert Decimal("2023") not in values and Decimal("2022") not in values
    assert Decimal("31") not in values  # 12 月 31 日
    assert not any(f.value == 100 and f.unit == "万元" for f in wuhan)  # 单位价值 100 万元以上设备
    assert not any("第四部分" in f.text or "名词解释" in f.text for f in wuhan)


def test_wuhan_sections_follow_hubei_numbering(wuhan):
    by_metric = {f.metric: f for f in wuhan}
    assert by_metric["three_public_budget"].section == "九（一）"
    assert by_metric["operating_costs"].section == "十"
    assert by_metric["gpb_item_actual"].section == "五（三）"
    assert all(f.page is None for f in wuhan)


def test_golden_document_matches_hand_verified_facts(golden_extraction):
    golden = [json.loads(line) for line in GOLDEN_NARRATIVE.read_text(encoding="utf-8").splitlines() if line.strip()]
    facts = golden_extraction.facts
    got = {(f.metric, f.value, f.page) for f in facts}
    for g in golden:
        if g["metric"] != "other":
            assert (g["metric"], Decimal(g["value"]), g["page"]) in got, g
    assert len(facts) == len(golden)


def test_golden_document_key_figures(golden_extraction):
    got = {_key(f): f for f in golden_extraction.facts}
    assert got[("total_income_expenditure", "", Decimal("2995.39"))].page == 21
    assert got[("fiscal_total_change", "", Decimal("0"))].text == "与2023年度相比，财政拨款收入支出总计持平"
    item = got[("gpb_item_budget_initial", "住房保障支出/住房改革支出/购房补贴", Decimal("258.50"))]
    assert (item.page, item.section) == (22, "五（三）")
    assert ("gpb_class_amount", "社会保障和就业支出", Decimal("326.72")) in got


def test_text_layer_gives_the_same_facts_as_the_pdf(golden_extraction):
    """The PDF's rebuilt text saved as one .txt file reads to the same figures."""
    from tests.conftest import GOLDEN_PDF

    with pdfplumber.open(GOLDEN_PDF) as pdf:
        text = "\n".join(page_text(p, i).text for i, p in enumerate(pdf.pages, start=1))
    from_text = [(_key(f), f.section) for f in extract_facts(pages_from_text(text), "t")]
    from_pdf = [(_key(f), f.section) for f in golden_extraction.facts]
    assert from_text == from_pdf


def test_social_work_department(social_work):
    pages, facts = social_work
    got = [_key(f) for f in facts]
    assert ("gpb_budget_initial", "", Decimal("0")) in got
    assert ("gpb_item_budget_initial", "一般公共服务支出/社会工作事务/其他社会工作事务支出", Decimal("202.24")) in got
    assert ("gpb_class_amount", "一般公共服务支出", Decimal("264.87")) in got
    assert not any(f.metric.startswith("three_public") for f in facts)  # 无“三公”经费财政拨款支出
    # a sentence continued on the next page keeps the page each figure is printed on
    share = next(f for f in facts if f.metric == "gpb_expenditure_share_pct")
    assert (share.page, share.value) == (18, Decimal("100.00"))


def test_table_of_contents_and_tables_give_no_facts(social_work):
    pages, facts = social_work
    assert min(f.page for f in facts) == 17  # the narrative starts on page 17; tables and 目录 precede it


def test_template_placeholders_give_no_figures():
    if not TEMPLATE_PDF.exists():
        pytest.skip("shared corpus not available")
    with pdfplumber.open(TEMPLATE_PDF) as pdf:
        pages = [page_text(p, i) for i, p in enumerate(pdf.pages, start=1)]
    assert extract_facts(pages, "tpl") == []


def _facts(text: str):
    return extract_facts([PageText(1, text)], "x")


def test_template_wording_three_public_breakdown():
    """The Shanghai template's 三公 wording with figures filled in."""
    facts = _facts(
        "七、财政拨款“三公”经费支出决算情况说明\n（一）“三公”经费财政拨款支出决算总体情况说明。\n"
        "“三公”经费财政拨款支出年初预算为 20.5 万元，支出决算为 18.2 万元，完成预算的 88.78%，其中：因公出国（境）费决算为"
        " 5 万元，完成预算的 100%；公务用车购置及运行维护费支出决算为 10.2 万元，完成预算的 85%；公务接待费支出决算为 3 万"
        "元，完成预算的 85.71%。\n2024 年度“三公”经费财政拨款支出决算数比 2023 年度减少 1.8 万元，下降 9%，其中：因公出国"
        "（境）费支出决算增加 1 万元，增长 25%；公务用车购置及运行维护费支出决算减少 2.8 万元，下降 21.54%；公务接待费支出"
        "决算持平。\n（二）“三公”经费财政拨款支出决算具体情况说明。\n1、因公出国（境）费支出 5 万元。全年安排因公出国（境）"
        "团组 2 个、累计 6 人次。\n2、公务用车购置及运行维护费支出 10.2 万元。其中：\n公务用车购置支出为 0 万元。\n公务用车"
        "运行维护支出 10.2 万元。2024 年，上海市 XX 局所属各预算单位开支财政拨款的公务用车保有量为 3 辆。\n"
        "3、公务接待费支出 3 万元。其中：\n国内公务接待支出 3 万（含外宾接待支出 0 万元）。共接待 12 批次、96 人次。\n"
    )
    got = [_key(f) for f in facts]
    for key in [
        ("three_public_budget", "", "20.5"), ("three_public_actual", "", "18.2"),
        ("three_public_completion_pct", "", "88.78"), ("overseas_actual", "", "5"), ("vehicle_actual", "", "10.2"),
        ("reception_actual", "", "3"), ("three_public_change", "", "-1.8"), ("three_public_change_pct", "", "-9"),
        ("overseas_groups", "", "2"), ("overseas_persons", "", "6"), ("vehicle_purchase_actual", "", "0"),
        ("vehicle_operation_actual", "", "10.2"), ("vehicles_held", "", "3"), ("reception_batches", "", "12"), ("reception_persons", "", "96"),
    ]:
        assert (key[0], key[1], Decimal(key[2])) in got, key
    overseas_change = next(f for f in facts if f.value == 1 and f.unit == "万元")
    assert overseas_change.metric == "other"  # a category's change has no metric of its own
    level = [f for f in facts if "公务接待费支出决算持平" in f.text]
    assert [(f.metric, f.value) for f in level] == [("other", 0)]


def test_template_wording_funds_and_level():
    facts = _facts(
        "四、财政拨款收入支出决算总体情况说明\n上海市某局 2024 年度财政拨款收入支出总计 100 万元。与 2023 年度相比，"
        "财政拨款收入支出总计持平。\n八、政府性基金预算财政拨款收入支出决算情况说明\n政府性基金预算财政拨款收入 50 万元，"
        "支出 40 万元，支出具体情况如下：\n1、城乡社区支出（类）国有土地使用权出让收入安排的支出（款）其他国有土地使用权出让"
        "收入安排的支出（项）。主要用于：绿化。年初预算为 45 万元，支出决算为 40 万元。决算数与预算数基本持平。\n"
        "九、国有资本经营预算财政拨款收入支出决算情况说明\n国有资本经营预算财政拨款收入 7 万元，支出 6 万元。\n"
    )
    got = [_key(f) for f in facts]
    assert ("fiscal_total", "", Decimal("100")) in got
    assert ("fiscal_total_change", "", Decimal("0")) in got
    assert ("government_fund_income", "", Decimal("50")) in got
    assert ("government_fund_expenditure", "", Decimal("40")) in got
    assert ("state_capital_expenditure", "", Decimal("6")) in got
    assert not any(f.metric.startswith("gpb_") for f in facts)  # fund items are not general-budget items
    assert sum(1 for f in facts if f.value == 0) == 1  # "决算数与预算数基本持平" is not a change figure


def test_budget_vocabulary_keeps_terms_whole():
    words = segment("其中：财政拨款收入占本年收入一般公共服务支出公务用车购置及运行维护费")
    assert "财政拨款收入" in words and "一般公共服务支出" in words and "公务用车购置及运行维护费" in words


def test_running_header_does_not_split_a_sentence_across_pages():
    header = "武汉市洪山区某局2023年度部门决算"
    pages = [
        PageText(1, f"{header}\n第三部分 2023 年度部门决算情况说明\n一、收入支出决算总体情况说明\n2023 年度收、支总计均为 100 万元。与 2022 年度相比，收\n- 1 -"),
        PageText(2, f"{header}\n、支总计各减少 20 万元，下降 16.67%。\n二、收入决算情况说明\n本年收入合计 100 万元。\n- 2 -"),
        PageText(3, f"{header}\n三、支出决算情况说明\n本年支出合计 90 万元。\n- 3 -"),
    ]
    facts = extract_facts(pages, "h")
    got = {(f.metric, f.value, f.page) for f in facts}
    assert ("total_income_expenditure_change", Decimal("-20"), 2) in got
    change = next(f for f in facts if f.metric == "total_income_expenditure_change")
    assert change.text == "与2022年度相比，收、支总计各减少20万元，下降16.67%"
    assert ("total_income_expenditure_change_pct", Decimal("-16.67"), 2) in got
    assert ("expenditure_total", Decimal("90"), 3) in got


def test_item_named_in_the_same_sentence_and_other_change_words():
    facts = _facts(
        "五、一般公共预算财政拨款支出决算情况说明\n（三）一般公共预算财政拨款支出决算具体情况\n"
        "其中：教育支出（类）普通教育（款）初中教育（项）年初预算为 30 万元，支出决算为 28.5 万元。\n"
        "十、机关运行经费支出说明\n本部门机关运行经费支出 12 万元，同比降幅 4.5%。\n"
    )
    got = [_key(f) for f in facts]
    assert ("gpb_item_budget_initial", "教育支出/普通教育/初中教育", Decimal("30")) in got
    assert ("gpb_item_actual", "教育支出/普通教育/初中教育", Decimal("28.5")) in got
    assert ("operating_costs", "", Decimal("12")) in got
    assert ("operating_costs_change_pct", "", Decimal("-4.5")) in got  # the change of the amount just stated


def test_per_vehicle_average_is_not_the_vehicle_amount():
    """国家信访局 2024 决算 p. 25 wording: the amount, then its average per vehicle in the same sentence."""
    facts = _facts(
        "七、财政拨款“三公”经费支出决算情况说明\n（二）“三公”经费财政拨款支出决算具体情况说明\n"
        "2.公务用车购置及运行维护情况\n2024 年度，某局没有购置车辆，年末实际保有量为 15 辆，全年公务用车运行维护费支出"
        " 40.61 万元，平均每辆 2.71 万元。\n3.公务接待情况\n全年公务接待费支出 0.9 万元，人均 0.01 万元。\n"
    )
    got = [_key(f) for f in facts]
    assert ("vehicle_operation_actual", "", Decimal("40.61")) in got
    assert ("vehicles_held", "", Decimal("15")) in got
    assert ("reception_actual", "", Decimal("0.9")) in got
    averages = [f for f in facts if f.value in (Decimal("2.71"), Decimal("0.01"))]
    assert [f.metric for f in averages] == ["other", "other"]
