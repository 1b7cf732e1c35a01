"""Every rule family on small constructed records: firing, not firing, and rounding at the boundary."""

from __future__ import annotations

import inspect
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from pipeline.checks import RULES, run_checks
from pipeline.checks.config import CheckConfig
from pipeline.checks.registry import rule
from pipeline.dataset import Dataset
from schemas.keys import FAMILIES, FAMILIES_DIR, TABLE_KEYS
from schemas.records import DocType
from tests.checks_helpers import cell, dataset, document, fact


def found(ds: Dataset, rule: str, config: CheckConfig | None = None) -> list[tuple[str, D | None, D | None]]:
    return [(f.severity, f.expected, f.actual) for f in run_checks(ds, config) if f.rule == rule]


def severities(ds: Dataset, rule: str) -> list[str]:
    return [s for s, _, _ in found(ds, rule)]


def test_registry_rules_have_ids_descriptions_and_policies():
    assert len(RULES) >= 20
    for r in RULES.values():
        assert r.id.count(".") >= 1 and r.description and r.severity
    families = {r.family for r in RULES.values()}
    assert {"structure", "table", "cross", "narrative_table", "narrative", "years"} <= families


def test_each_rule_id_is_written_once():
    # the decorator hands the rule its id (``rid``): the literal is in ``@rule(...)`` (or the one
    # constant it names) and nowhere else in the package, so the two can never disagree
    sources = {inspect.getsourcefile(r.check.func): "" for r in RULES.values()}
    sources = {path: Path(path).read_text(encoding="utf-8") for path in sources}
    text = "\n".join(sources.values()) + Path(inspect.getsourcefile(run_checks)).with_name("text.py").read_text("utf-8")
    for r in RULES.values():
        assert len(re.findall(f"[\"']{re.escape(r.id)}[\"']", text)) == 1, r.id


def test_a_rule_receives_its_id_and_must_take_it():
    with pytest.raises(TypeError, match="rid"):
        rule("test.no_rid", "table", "a rule that cannot be told its id")(lambda ctx: iter(()))
    assert "test.no_rid" not in RULES
    assert all(r.check.keywords == {"rid": r.id} for r in RULES.values())


# ---- table arithmetic -------------------------------------------------------------------------

def expenditure_rows(total: str = "30.00", basic: str = "10.00", project: str = "20.00") -> list:
    return [cell("expenditure", "total", total, code="2010601", row="行政运行"),
            cell("expenditure", "basic", basic, code="2010601", row="行政运行"),
            cell("expenditure", "project", project, code="2010601", row="行政运行")]


def test_row_total_equals_basic_plus_project():
    assert severities(dataset(expenditure_rows()), "table.sum.row_total") == []
    assert severities(dataset(expenditure_rows(total="30.01")), "table.sum.row_total") == ["warning"]  # ±0.015
    assert severities(dataset(expenditure_rows(total="30.02")), "table.sum.row_total") == ["error"]
    assert found(dataset(expenditure_rows(total="31.00")), "table.sum.row_total") == [("error", D("30.00"), D("31.00"))]



def test_rows_of_one_code_by_economic_class_are_rows_of_their_own():
    # a table by function and economic class prints one function code on many rows (Beijing 预算03表): the second
    # row's project cell is its own, not the first row's missing one
    first = [cell("expenditure", "total", "10.00", code="2010801", row="行政运行/30101-基本工资"),
             cell("expenditure", "basic", "10.00", code="2010801", row="行政运行/30101-基本工资")]
    second = [cell("expenditure", "total", "7.00", code="2010801", row="行政运行/30299-其他商品和服务支出"),
              cell("expenditure", "basic", "4.00", code="2010801", row="行政运行/30299-其他商品和服务支出"),
              cell("expenditure", "project", "3.00", code="2010801", row="行政运行/30299-其他商品和服务支出")]
    assert severities(dataset(first + second), "table.sum.row_total") == []
    # the same code and label printed again (a unit block per unit) is still a new row once its columns are filled
    assert severities(dataset(expenditure_rows() + expenditure_rows()), "table.sum.row_total") == []
    assert severities(dataset(expenditure_rows() + expenditure_rows(total="31.00")), "table.sum.row_total") == ["error"]


def test_row_totals_follow_the_order_the_family_file_writes_them():
    # the identities are the family files' row_sum entries, in the order written there
    for path in sorted(FAMILIES_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        written = [(k, total, tuple(parts)) for k, t in raw["tables"].items() for total, parts in (t or {}).get("row_sum", {}).items()]
        assert [(r.table, r.total, r.parts) for r in FAMILIES[raw["family"]].row_sums] == written
    # and the findings come in that order, whatever the order of the cells
    broken = [cell("fiscal_appropriation_summary", "total", "9", code="201", side="expenditure"),
              cell("fiscal_appropriation_summary", "general_public_budget", "1", code="201", side="expenditure"),
              cell("general_public_budget_expenditure", "total", "9", code="201"),
              cell("general_public_budget_expenditure", "basic", "1", code="201"),
              cell("income", "total", "9", code="201"), cell("income", "fiscal_appropriation", "1", code="201")]
    tables = [f.table for f in run_checks(dataset(broken)) if f.rule == "table.sum.row_total"]
    order = [r.table for r in FAMILIES["final_accounts"].row_sums]
    assert tables == sorted(set(tables), key=order.index) and len(tables) == 3


def hierarchy(class_total: str, items: tuple[str, ...], code_len: int = 5) -> list:
    cells = [cell("general_public_budget_expenditure", "total", class_total, code="201", row="一般公共服务支出")]
    for i, v in enumerate(items, start=1):
        code = "201" + f"{i:02d}" if code_len == 5 else "20101" + f"{i:02d}"
        cells.append(cell("general_public_budget_expenditure", "total", v, code=code, row=f"款{i}"))
    return cells


def test_class_equals_sum_of_its_kuan_by_code_prefix():
    ok = hierarchy("30.00", ("10.00", "20.00"))
    assert severities(dataset(ok), "table.sum.class_items") == []
    # two parts + total: ±0.015 → 0.01 off is rounding, 0.02 an error
    assert severities(dataset(hierarchy("30.01", ("10.00", "20.00"))), "table.sum.class_items") == ["warning"]
    assert severities(dataset(hierarchy("30.02", ("10.00", "20.00"))), "table.sum.class_items") == ["error"]
    # a row of another class is not a child
    other = ok + [cell("general_public_budget_expenditure", "total", "5.00", code="20801", row="其他")]
    assert severities(dataset(other), "table.sum.class_items") == []


def test_kuan_equals_sum_of_its_xiang():
    cells = [cell("income", "total", "7.00", code="20101", row="款"),
             cell("income", "total", "3.00", code="2010101", row="项1"),
             cell("income", "total", "5.00", code="2010102", row="项2")]
    assert found(dataset(cells), "table.sum.item_subitems") == [("error", D("8.00"), D("7.00"))]


def test_grand_total_equals_sum_of_classes():
    cells = [cell("expenditure", "total", "2940.05", row="合计"),
             cell("expenditure", "total", "2106.66", code="201", row="一般公共服务支出"),
             cell("expenditure", "total", "833.40", code="208", row="社会保障和就业支出")]
    assert found(dataset(cells), "table.sum.grand_total") == [("warning", D("2940.06"), D("2940.05"))]
    cells[0] = cell("expenditure", "total", "2950.05", row="合计")
    assert severities(dataset(cells), "table.sum.grand_total") == ["error"]


def summary(income_total: str = "100.00", grand_in: str = "110.00", grand_out: str = "110.00") -> list:
    t = "income_expenditure_summary"
    return [cell(t, "amount", "90.00", row="一般公共预算财政拨款收入", side="income"),
            cell(t, "amount", "10.00", row="其他收入", side="income"),
            cell(t, "amount", "100.00", row="一般公共服务支出", side="expenditure"),
            cell(t, "amount", income_total, row="本年收入合计", side="income"),
            cell(t, "amount", "100.00", row="本年支出合计", side="expenditure"),
            cell(t, "amount", "10.00", row="年初结转和结余", side="income"),
            cell(t, "amount", "10.00", row="年末结转和结余", side="expenditure"),
            cell(t, "amount", grand_in, row="总计", side="income"),
            cell(t, "amount", grand_out, row="总计", side="expenditure")]


def test_summary_table_identities():
    assert severities(dataset(summary()), "table.summary.identity") == []
    assert "error" in severities(dataset(summary(income_total="101.00")), "table.summary.identity")
    assert severities(dataset(summary(grand_in="111.00", grand_out="111.00")), "table.summary.identity") == ["error", "error"]


def fiscal(begin: str = "20.00", end: str = "20.00") -> list:
    t = "fiscal_appropriation_summary"
    return [cell(t, "amount", "100.00", row="一般公共预算财政拨款", side="income"),
            cell(t, "total", "100.00", row="一般公共服务支出", side="expenditure"),
            cell(t, "general_public_budget", "100.00", row="一般公共服务支出", side="expenditure"),
            cell(t, "amount", "100.00", row="本年收入合计", side="income"),
            cell(t, "total", "100.00", row="本年支出合计", side="expenditure"),
            cell(t, "amount", begin, row="年初财政拨款结转和结余", side="income"),
            cell(t, "amount", begin, row="一般公共预算财政拨款", side="income"),
            cell(t, "total", end, row="年末财政拨款结转和结余", side="expenditure")]


def test_fiscal_roll_forward():
    assert severities(dataset(fiscal()), "table.rollforward") == []
    assert found(dataset(fiscal(end="25.00")), "table.rollforward") == [("error", D("20.00"), D("25.00"))]


def test_fiscal_summary_carryover_breakdown_and_repeated_labels():
    cells = fiscal()
    assert severities(dataset(cells), "table.fiscal_summary.identity") == []
    cells[6] = cell("fiscal_appropriation_summary", "amount", "21.00", row="一般公共预算财政拨款", side="income")
    assert found(dataset(cells), "table.fiscal_summary.identity") == [("error", D("21.00"), D("20.00"))]


def test_government_fund_roll_forward_per_row():
    t = "government_fund"
    cells = [cell(t, "carryover_begin", "5.00", row="合计"), cell(t, "income", "100.00", row="合计"),
             cell(t, "expenditure_total", "90.00", row="合计"), cell(t, "carryover_end", "15.00", row="合计")]
    assert severities(dataset(cells), "table.rollforward") == []
    cells[3] = cell(t, "carryover_end", "16.00", row="合计")
    assert severities(dataset(cells), "table.rollforward") == ["error"]


def basic(c301: str = "90.00", personnel: str = "100.00", public: str = "50.00") -> list:
    t = "general_public_budget_basic_expenditure"
    return [cell(t, "amount", c301, code="301", row="工资福利支出"),
            cell(t, "amount", "60.00", code="30101", row="基本工资"),
            cell(t, "amount", "30.00", code="30102", row="津贴补贴"),
            cell(t, "amount", "10.00", code="303", row="对个人和家庭的补助"),
            cell(t, "amount", "45.00", code="302", row="商品和服务支出"),
            cell(t, "amount", "5.00", code="310", row="资本性支出"),
            cell(t, "amount", personnel, row="人员经费合计"),
            cell(t, "amount", public, row="公用经费合计")]


def test_basic_table_personnel_public_and_items():
    assert severities(dataset(basic()), "table.basic.personnel_public") == []
    assert severities(dataset(basic()), "table.basic.class_items") == []
    assert found(dataset(basic(personnel="101.00")), "table.basic.personnel_public") == [("error", D("100.00"), D("101.00"))]
    assert found(dataset(basic(public="50.02")), "table.basic.personnel_public") == [("error", D("50.00"), D("50.02"))]
    # 301 printed 90.01 against items 90.00: two items + total → ±0.015, rounding
    assert found(dataset(basic(c301="90.01", personnel="100.01")), "table.basic.class_items") == [
        ("warning", D("90.00"), D("90.01"))]


def three(total: str = "10.00") -> list:
    t = "three_public_expenses"
    return [cell(t, "total_actual", total, row="三公经费"), cell(t, "overseas_actual", "2.00", row="三公经费"),
            cell(t, "vehicle_actual", "5.00", row="三公经费"), cell(t, "vehicle_purchase_actual", "1.00", row="三公经费"),
            cell(t, "vehicle_operation_actual", "4.00", row="三公经费"), cell(t, "reception_actual", "3.00", row="三公经费")]


def test_three_public_total_and_vehicle():
    assert severities(dataset(three()), "table.three_public.total") == []
    assert found(dataset(three("11.00")), "table.three_public.total") == [("error", D("10.00"), D("11.00"))]


# ---- across tables ----------------------------------------------------------------------------

def test_summary_against_expenditure_table_classes():
    cells = summary() + [cell("expenditure", "total", "100.00", code="201", row="一般公共服务支出"),
                         cell("expenditure", "total", "100.00", row="合计")]
    assert severities(dataset(cells), "cross.summary_vs_detail") == []
    cells[-2] = cell("expenditure", "total", "100.01", code="201", row="一般公共服务支出")
    assert ("warning", D("100.01"), D("100.00")) in found(dataset(cells), "cross.summary_vs_detail")
    cells[-2] = cell("expenditure", "total", "103.00", code="201", row="一般公共服务支出")
    assert "error" in severities(dataset(cells), "cross.summary_vs_detail")


def test_fiscal_summary_against_gpb_table():
    gpb = [cell("general_public_budget_expenditure", "total", "100.00", code="201", row="一般公共服务支出"),
           cell("general_public_budget_expenditure", "total", "100.00", row="合计")]
    cells = fiscal() + [cell("fiscal_appropriation_summary", "general_public_budget", "100.00", row="本年支出合计",
                             side="expenditure")] + gpb
    assert severities(dataset(cells), "cross.fiscal_vs_gpb") == []
    cells[-1] = cell("general_public_budget_expenditure", "total", "99.00", row="合计")
    assert severities(dataset(cells), "cross.fiscal_vs_gpb") == ["error"]


def test_basic_table_against_gpb_basic_total():
    cells = basic() + [cell("general_public_budget_expenditure", "basic", "150.00", row="合计")]
    assert severities(dataset(cells), "cross.basic_vs_gpb") == []
    cells[-1] = cell("general_public_budget_expenditure", "basic", "151.00", row="合计")
    assert severities(dataset(cells), "cross.basic_vs_gpb") == ["error"]


def test_three_public_against_basic_items():
    t = "general_public_budget_basic_expenditure"
    cells = three() + [cell(t, "amount", "3.00", code="30217", row="公务接待费")]
    assert severities(dataset(cells), "cross.three_public_vs_basic") == []
    cells += [cell(t, "amount", "2.50", code="30212", row="因公出国（境）费用")]  # above 2.00 printed in 三公
    assert found(dataset(cells), "cross.three_public_vs_basic") == [("error", D("2.50"), D("2.00"))]


# ---- structure --------------------------------------------------------------------------------

def test_missing_table_is_an_error_empty_table_is_not():
    nine = dataset([], tables=list(TABLE_KEYS))
    assert severities(nine, "structure.table.missing") == []
    eight = dataset([], tables=[k for k in TABLE_KEYS if k != "three_public_expenses"])
    f = [x for x in run_checks(eight) if x.rule == "structure.table.missing"]
    assert [(x.severity, x.table) for x in f] == [("error", "three_public_expenses")]
    assert "missing" in f[0].message
    narrative_only = dataset([], [fact("income_total", "1.00")], tables=[])
    assert severities(narrative_only, "structure.table.missing") == ["info"]


def test_placeholders_anywhere():
    clean = dataset([], [fact("income_total", "1.00", text="本年收入合计1.00万元，与2023年度相比增加0.5万元")])
    assert severities(clean, "structure.placeholder") == []
    for text in ("收入支出总计XXX万元", "上海市ＸＸ局2024年度", "收入支出总计增加（减少）3.00万元", "某某单位", "{部门}2024年度"):
        ds = dataset([], [fact("income_total", "3.00", text=text)])
        assert severities(ds, "structure.placeholder") == ["error"], text
    zero = dataset([], [fact("income_total", "0", text="比全年预算增加（减少）0万元")])
    assert severities(zero, "structure.placeholder") == ["warning"]
    labelled = dataset([cell("expenditure", "total", "1.00", code="201", row="XX支出")])
    assert severities(labelled, "structure.placeholder") == ["error"]
    named = dataset([], doc=document(department="上海市XX局"))
    assert severities(named, "structure.placeholder") == ["error"]


def test_years_agree_with_the_fiscal_year():
    ok = dataset([], [fact("vehicles_total", "0", "辆", text="截至2024年12月31日，共有车辆0辆"),
                      fact("income_total_change", "1", text="与2023年度相比，增加1万元")])
    assert severities(ok, "structure.year") == []
    bad = dataset([], [fact("vehicles_total", "0", "辆", text="截至2023年12月31日，共有车辆0辆"),
                       fact("income_total_change", "1", text="与2022年度相比，增加1万元")])
    assert severities(bad, "structure.year") == ["error", "error"]


def test_a_budget_states_what_is_held_at_the_end_of_the_year_before():
    budget = document(year=2026).model_copy(update={"doc_type": DocType.BUDGET})
    held = [fact("vehicles_total", "94", "辆", text="截至2025年12月31日，本部门共有车辆94辆")]
    assert severities(dataset([], held, doc=budget), "structure.year") == []
    wrong = [fact("vehicles_total", "94", "辆", text="截至2026年12月31日，本部门共有车辆94辆")]
    assert severities(dataset([], wrong, doc=budget), "structure.year") == ["error"]


# ---- narrative against tables -----------------------------------------------------------------

def test_narrative_total_against_fiscal_summary():
    cells = [cell("fiscal_appropriation_summary", "amount", "2961.68", row="总计", side="income")]
    assert severities(dataset(cells, [fact("fiscal_total", "2961.68")]), "narrative.table.match") == []
    assert severities(dataset(cells, [fact("fiscal_total", "2961.7")]), "narrative.table.match") == ["warning"]
    assert found(dataset(cells, [fact("fiscal_total", "0.3")]), "narrative.table.match") == [
        ("error", D("2961.68"), D("0.3"))]


def test_narrative_class_and_item_matched_by_name_only_when_unambiguous():
    t = "general_public_budget_expenditure"
    cells = [cell(t, "total", "326.72", code="208", row="社会保障和就业支出"),
             cell(t, "total", "326.72", code="20805", row="行政事业单位养老支出"),
             cell(t, "total", "84.65", code="2080501", row="行政单位离退休"),
             cell(t, "total", "242.07", code="2080505", row="机关事业单位基本养老保险缴费支出")]
    ok = [fact("gpb_class_amount", "326.72", subject="社会保障和就业（类）支出"),
          fact("gpb_item_actual", "84.65", subject="社会保障和就业支出/行政事业单位养老支出/行政单位离退休")]
    assert severities(dataset(cells, ok), "narrative.table.match") == []
    bad = [fact("gpb_class_amount", "330.72", subject="社会保障和就业支出"),
           fact("gpb_item_actual", "85.65", subject="社会保障和就业支出/行政事业单位养老支出/行政单位离退休")]
    assert severities(dataset(cells, bad), "narrative.table.match") == ["error", "error"]
    unknown = [fact("gpb_class_amount", "1.00", subject="外交支出"), fact("gpb_item_actual", "1.00", subject="其他支出")]
    assert severities(dataset(cells, unknown), "narrative.table.match") == []


def test_narrative_three_public_against_an_empty_table():
    empty = dataset([], [fact("three_public_actual", "0.00")], tables=["three_public_expenses"])
    assert severities(empty, "narrative.table.match") == []
    stated = dataset([], [fact("three_public_actual", "5.00")], tables=["three_public_expenses"])
    assert severities(stated, "narrative.table.match") == ["error"]


def test_narrative_income_item_maps_to_income_table_column():
    cells = [cell("income", "fiscal_appropriation", "2940.05", row="合计"), cell("income", "other", "6.20", row="合计")]
    ok = [fact("income_item", "2940.05", subject="财政拨款收入"), fact("income_item", "6.2", subject="其他收入")]
    assert severities(dataset(cells, ok), "narrative.table.match") == []
    bad = [fact("income_item", "6.5", subject="其他收入")]
    assert severities(dataset(cells, bad), "narrative.table.match") == ["error"]


# ---- narrative arithmetic ---------------------------------------------------------------------

def share_facts(share: str) -> list:
    return [fact("gpb_expenditure", "2940.05"),
            fact("gpb_class_amount", "2106.66", subject="一般公共服务支出", text="一般公共服务支出（类）2106.66万元"),
            fact("gpb_class_share_pct", share, "%", subject="一般公共服务支出", text="一般公共服务支出（类）2106.66万元")]


def test_stated_share():
    assert severities(dataset([], share_facts("71.65")), "narrative.share") == []
    assert severities(dataset([], share_facts("71.66")), "narrative.share") == ["warning"]
    assert found(dataset([], share_facts("71.73")), "narrative.share") == [("error", D("71.65"), D("71.73"))]


def change_facts(change: str, pct: str) -> list:
    text = f"与2023年度相比，减少{change}万元，下降{pct}%"
    return [fact("total_income_expenditure", "2995.39"),
            fact("total_income_expenditure_change", f"-{change}", text=text),
            fact("total_income_expenditure_change_pct", f"-{pct}", "%", text=text)]


def test_change_and_change_pct():
    assert severities(dataset([], change_facts("56.95", "1.87")), "narrative.change") == []
    assert severities(dataset([], change_facts("56.95", "1.88")), "narrative.change") == ["warning"]
    assert severities(dataset([], change_facts("56.95", "1.97")), "narrative.change") == ["error"]
    new_unit = [fact("gpb_expenditure", "307.82"), fact("gpb_expenditure_change", "307.82"),
                fact("gpb_expenditure_change_pct", "100.00", "%")]
    assert severities(dataset([], new_unit), "narrative.change") == ["info"]  # no prior year to divide by


def test_direction_words():
    opposite = [fact("gpb_expenditure_change", "63.14"), fact("gpb_expenditure_change_pct", "-2.10", "%")]
    assert severities(dataset([], opposite), "narrative.direction") == ["error"]
    text = "年初预算为1560.05万元，支出决算为1511.89万元。决算数{}预算数的主要原因"
    for word, expect in (("小于", []), ("大于", ["error"])):
        t = text.format(word)
        facts = [fact("gpb_item_budget_initial", "1560.05", subject="a/b/c", text=t),
                 fact("gpb_item_actual", "1511.89", subject="a/b/c", text=t)]
        assert severities(dataset([], facts), "narrative.direction") == expect, word
    t = "年初预算为10.00万元，支出决算为9.99万元。决算数与预算数基本持平"  # "roughly equal" claims nothing exact
    facts = [fact("gpb_item_budget_initial", "10.00", subject="a", text=t), fact("gpb_item_actual", "9.99", subject="a", text=t)]
    assert severities(dataset([], facts), "narrative.direction") == []


def completion_facts(budget: str, pct: str) -> list:
    text = f"年初预算为{budget}万元，支出决算为2940.05万元，完成年初预算的{pct}%"
    return [fact("gpb_budget_initial", budget, text=text), fact("gpb_actual", "2940.05", text=text),
            fact("gpb_completion_pct", pct, "%", text=text)]


def test_completion_pct():
    assert severities(dataset([], completion_facts("2993.92", "98.20")), "narrative.completion") == []
    assert severities(dataset([], completion_facts("2993.92", "98.21")), "narrative.completion") == ["warning"]
    assert severities(dataset([], completion_facts("2993.92", "99.20")), "narrative.completion") == ["error"]
    assert severities(dataset([], completion_facts("0", "95.89")), "narrative.completion") == ["warning"]


def test_item_completion_pct_from_the_clause():
    t = "全年预算为52.00万元，支出决算为51.32万元，完成全年预算数的{}%"
    ok = [fact("gpb_item_budget_initial", "52.00", subject="x", text=t.format("98.69")),
          fact("gpb_item_actual", "51.32", subject="x", text=t.format("98.69"))]
    assert severities(dataset([], ok), "narrative.item_completion") == []
    bad = [fact("gpb_item_budget_initial", "52.00", subject="x", text=t.format("96.69")),
           fact("gpb_item_actual", "51.32", subject="x", text=t.format("96.69"))]
    assert severities(dataset([], bad), "narrative.item_completion") == ["error"]


def test_parts_sum_to_stated_totals():
    parts = [fact("procurement_total", "251.25"), fact("procurement_goods", "4.79"), fact("procurement_works", "0"),
             fact("procurement_services", "246.47")]
    assert found(dataset([], parts), "narrative.parts_sum") == [("warning", D("251.26"), D("251.25"))]
    parts[0] = fact("procurement_total", "252.25")
    assert severities(dataset([], parts), "narrative.parts_sum") == ["error"]
    # a listing of the main 类 only may fall short of the total, never exceed it
    short = [fact("gpb_expenditure", "100.00"), fact("gpb_class_amount", "50.00", subject="a"),
             fact("gpb_class_amount", "30.00", subject="b")]
    assert severities(dataset([], short), "narrative.parts_sum") == []
    over = short + [fact("gpb_class_amount", "30.00", subject="c")]
    assert severities(dataset([], over), "narrative.parts_sum") == ["error"]


def test_item_budgets_sum_only_when_the_listing_is_complete():
    base = [fact("gpb_budget_initial", "30.00"), fact("gpb_actual", "25.00")]
    items = [fact("gpb_item_budget_initial", "10.00", subject="a"), fact("gpb_item_actual", "10.00", subject="a"),
             fact("gpb_item_budget_initial", "21.00", subject="b"), fact("gpb_item_actual", "15.00", subject="b")]
    assert found(dataset([], base + items), "narrative.parts_sum") == [("error", D("31.00"), D("30.00"))]
    partial = items[:2]  # actuals do not reach the total: not every item is listed
    assert severities(dataset([], base + partial), "narrative.parts_sum") == []


def test_same_figure_stated_twice():
    ok = [fact("gpb_expenditure", "2940.05"), fact("gpb_actual", "2940.05")]
    assert severities(dataset([], ok), "narrative.consistency") == []
    bad = [fact("gpb_expenditure", "2940.05"), fact("gpb_actual", "2904.05")]
    assert severities(dataset([], bad), "narrative.consistency") == ["error"]


# ---- across years -------------------------------------------------------------------------------

def two_years(prior_total: str) -> Dataset:
    this = document("y2024", "上海市某测试局", 2024)
    last = document("y2023", "上海市某测试局", 2023)
    facts = [fact("total_income_expenditure", "2995.39", doc_id="y2024"),
             fact("total_income_expenditure_change", "-56.95", doc_id="y2024")]
    cells = [cell("income_expenditure_summary", "amount", prior_total, row="总计", side="income", doc_id="y2023")]
    return Dataset([this, last], [], cells, facts, [])


def test_prior_year_figure_against_last_years_document():
    assert severities(two_years("3052.34"), "years.prior_figure") == []
    assert severities(two_years("3052.35"), "years.prior_figure") == ["warning"]
    f = [x for x in run_checks(two_years("3062.34")) if x.rule == "years.prior_figure"]
    assert [(x.severity, x.doc_id, x.expected, x.actual) for x in f] == [("error", "y2024", D("3052.34"), D("3062.34"))]
    alone = Dataset([document("y2024", "上海市某测试局", 2024)], [], [], two_years("1").facts, [])
    assert severities(alone, "years.prior_figure") == []


# ---- configuration --------------------------------------------------------------------------------

def test_tolerance_is_configurable():
    ds = dataset(expenditure_rows(total="30.10"))
    assert severities(ds, "table.sum.row_total") == ["error"]
    wide = CheckConfig(amount_tolerance=D("0.1"))
    assert [s for s, _, _ in found(ds, "table.sum.row_total", wide)] == ["warning"]
    quiet = CheckConfig(report_rounding=False)
    assert found(dataset(expenditure_rows(total="30.01")), "table.sum.row_total", quiet) == []


def test_findings_carry_pages_and_evidence():
    ds = dataset([cell("fiscal_appropriation_summary", "amount", "2961.68", row="总计", side="income", page=13)],
                 [fact("fiscal_total", "0.3", text="财政拨款收入支出总计0.3万元", page=21)])
    f = next(x for x in run_checks(ds) if x.rule == "narrative.table.match")
    assert f.page == "13;21"
    assert "0.3万元" in f.evidence and "2961.68" in f.evidence
    assert f.metric == "fiscal_total" and f.table == "fiscal_appropriation_summary"
    assert f.difference == D("0.3") - D("2961.68")
