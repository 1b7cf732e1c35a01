"""The words a finding's message uses for a metric, a table or a column: what the document prints.

Keys (``gpb_class_share_pct``, ``general_public_budget_expenditure``, ``[fiscal_appropriation]``) stay
in the finding's own columns (``metric``, ``table``, ``col``) for queries; the message is for people,
so ``humanize`` replaces every key it names with its label (the table's printed title, the column's
printed header, the metric's wording in the 情况说明).
"""

from __future__ import annotations

import re

from schemas.keys import FAMILIES, NARRATIVE_METRICS

_BASE: dict[str, str] = {
    "total_income_expenditure": "收入支出总计",
    "income_total": "本年收入合计",
    "income_item": "收入项目",
    "expenditure_total": "本年支出合计",
    "expenditure_item": "支出项目",
    "fiscal_total": "财政拨款收入支出总计",
    "fiscal_income_by_source": "财政拨款收入（按来源）",
    "gpb_expenditure": "一般公共预算财政拨款支出",
    "gpb_class_amount": "一般公共预算财政拨款支出（类）",
    "gpb_class": "一般公共预算财政拨款支出（类）",
    "gpb_budget_initial": "一般公共预算财政拨款支出年初预算",
    "gpb_actual": "一般公共预算财政拨款支出决算",
    "gpb": "一般公共预算财政拨款支出",
    "gpb_item_budget_initial": "项目年初预算",
    "gpb_item_actual": "项目支出决算",
    "basic_expenditure": "基本支出",
    "basic_personnel": "人员经费",
    "basic_public": "公用经费",
    "government_fund_income": "政府性基金预算财政拨款收入",
    "government_fund_expenditure": "政府性基金预算财政拨款支出",
    "state_capital_expenditure": "国有资本经营预算财政拨款支出",
    "three_public_budget": "“三公”经费预算",
    "three_public_actual": "“三公”经费支出决算",
    "three_public": "“三公”经费",
    "overseas_actual": "因公出国（境）费",
    "overseas_groups": "因公出国（境）团组数",
    "overseas_persons": "因公出国（境）人次",
    "vehicle_actual": "公务用车购置及运行费",
    "vehicle_purchase_actual": "公务用车购置费",
    "vehicle_operation_actual": "公务用车运行维护费",
    "vehicles_held": "公务用车保有量",
    "reception_actual": "公务接待费",
    "reception_batches": "公务接待批次",
    "reception_persons": "公务接待人次",
    "operating_costs": "机关运行经费",
    "procurement_total": "政府采购支出总额",
    "procurement_goods": "货物采购",
    "procurement_works": "工程采购",
    "procurement_services": "服务采购",
    "procurement_sme": "授予中小企业合同金额",
    "vehicles_total": "车辆总数",
    "performance_projects": "绩效评价项目数",
    "performance_amount": "绩效评价资金",
    # budgets (部门预算)
    "budget_total_income_expenditure": "收支预算总计",
    "budget_income_total": "收入预算合计",
    "budget_income_item": "收入预算项目",
    "budget_expenditure_total": "支出预算合计",
    "budget_expenditure_item": "支出预算项目",
    "budget_expenditure_class": "支出预算（类）",
    "budget_fiscal_total": "财政拨款收支预算总计",
    "budget_fiscal_expenditure": "财政拨款支出预算",
    "budget_gpb_expenditure": "一般公共预算支出预算",
    "budget_gpb_class": "一般公共预算支出预算（类）",
    "budget_gpb_item": "一般公共预算支出预算（项）",
    "budget_gpb_item_prior": "上年预算执行数（项）",
    "budget_government_fund_expenditure": "政府性基金预算支出预算",
    "budget_state_capital_expenditure": "国有资本经营预算支出预算",
    "budget_basic_expenditure": "基本支出预算",
    "budget_gpb_project": "一般公共预算项目支出预算",
    "budget_basic_personnel": "人员经费预算",
    "budget_basic_public": "公用经费预算",
    "budget_basic_economic": "基本支出预算（经济分类）",
    "budget_three_public": "“三公”经费预算",
    "budget_three_public_item": "“三公”经费预算（分项）",
    "budget_meeting": "会议费预算",
    "budget_training": "培训费预算",
    "budget_operating_costs": "机关运行经费预算",
    "budget_operating_costs_item": "机关运行经费预算（分项）",
    "budget_procurement_total": "政府采购预算总额",
    "budget_procurement_goods": "货物采购预算",
    "budget_procurement_works": "工程采购预算",
    "budget_procurement_services": "服务采购预算",
    "budget_procurement_sme_reserved": "面向中小企业预留采购份额",
    "budget_procurement_small_micro_reserved": "面向小微企业预留采购份额",
    "budget_vehicles_total": "车辆总数",
    "budget_vehicles_by_type": "车辆数（按类型）",
    "budget_equipment_units": "大型设备数",
    "budget_vehicles_to_purchase": "拟购置车辆数",
    "budget_vehicles_to_purchase_by_type": "拟购置车辆数（按类型）",
    "budget_equipment_to_purchase": "拟购置设备数",
    "budget_performance_projects": "绩效目标项目数",
    "budget_performance_amount": "绩效目标涉及资金",
    "budget_project_amount": "项目经费",
    "budget_project_item": "项目经费（明细）",
}
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_change_pct", "增减幅度（%）"),
    ("_change", "比上年增减"),
    ("_share_pct", "占比（%）"),
    ("_completion_pct", "预算完成率（%）"),
    ("_pct", "占比（%）"),
)


def metric_label(key: str) -> str:
    """``gpb_class_share_pct`` → ``一般公共预算财政拨款支出（类）占比（%）``; an unknown key stays as it is."""
    if key in _BASE:
        return _BASE[key]
    for suffix, words in _SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in _BASE:
            base = _BASE[key[: -len(suffix)]]
            if suffix == "_share_pct" and key.startswith("gpb_class"):
                return "一般公共预算财政拨款支出各类占比（%）"
            return base + words
    return key


# per family: a budget's 收入预算总表 is not its final accounts' 收入决算表
_TITLES: dict[str, dict[str, str]] = {f.name: {t.key: t.titles[0] for t in f.tables} for f in FAMILIES.values()}
_HEADERS: dict[str, dict[str, dict[str, str]]] = {
    f.name: {t.key: {c: h[0] for c, h in t.columns.items() if h} for t in f.tables} for f in FAMILIES.values()
}
_TABLE_TITLES: dict[str, str] = _TITLES["final_accounts"]
_IDENT = re.compile(r"(?<![\w.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w])")
_BRACKET = re.compile(r"\[([a-z][a-z0-9_]*)\]")


def humanize(message: str, table: str | None = None, family: str | None = None) -> str:
    """Every metric key, multi-word table key and ``[column]`` key in ``message`` in the document's words.

    Single-word table keys (``income``, ``expenditure``) are also English words and the names of the two
    sides of a table, so they are replaced only where a message starts with the finding's own table.
    """
    titles = _TITLES.get(family or "", _TABLE_TITLES)
    lead = re.match(rf"((?:rounding: )?){re.escape(table)}\b(?!:)", message) if table and "_" not in table else None
    if lead and table in titles:
        message = lead.group(1) + titles[table] + message[lead.end():]
    headers = _HEADERS.get(family or "", _HEADERS["final_accounts"]).get(table or "", {})

    def bracket(m: re.Match[str]) -> str:
        key = m.group(1)
        if key in headers:
            return f"[{headers[key]}]"
        if key in NARRATIVE_METRICS:
            return f"[{metric_label(key)}]"
        return m.group(0)

    def ident(m: re.Match[str]) -> str:
        key = m.group(0)
        if key in NARRATIVE_METRICS or key in _BASE:
            return metric_label(key)
        return titles.get(key, key)

    return _IDENT.sub(ident, _BRACKET.sub(bracket, message))
