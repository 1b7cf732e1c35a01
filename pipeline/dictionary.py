"""The data dictionary: every file and column of the clean dataset, in English and Chinese.

Column types come from the record types in ``schemas/records.py`` (so a new column gets its
type for free); the words come from here. ``tests/test_exports.py`` fails when a column has
no description, so the dictionary cannot silently fall behind the records.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from schemas.records import (
    Document,
    Finding,
    NarrativeFact,
    PerformanceForm,
    PerformanceIndicator,
    Record,
    TableCell,
    TableRecord,
)


@dataclass(frozen=True)
class ColumnDoc:
    en: str
    zh: str
    unit: str | None = None


@dataclass(frozen=True)
class FileDoc:
    en: str
    zh: str


FILES: dict[str, FileDoc] = {
    Document.FILE: FileDoc("One row per source file (PDF or text): who published it, which year, and whether it could be read.",
                           "每个源文件一行：发布部门、年度、文件类型以及能否读取。"),
    TableRecord.FILE: FileDoc("One row per standard table found in a document.", "每份文件中找到的每张标准表一行。"),
    TableCell.FILE: FileDoc("One row per non-empty numeric cell of the nine standard tables, in 万元.",
                            "九张标准表中每个非空数值单元格一行，单位万元。"),
    NarrativeFact.FILE: FileDoc("One row per figure stated in the explanatory text (情况说明).",
                                "情况说明文字中出现的每个数字一行。"),
    Finding.FILE: FileDoc("One row per cross-check that did not hold: published figures that contradict each other.",
                          "每条未通过的交叉核对一行：相互矛盾的公开数字。"),
    PerformanceForm.FILE: FileDoc("One row per performance form (绩效目标表 / 绩效自评表), see performance.yaml; "
                                  "also a row per form the narrative announces but the document does not print.",
                                  "每张绩效目标表或绩效自评表一行（见 performance.yaml）；情况说明提及但文件未附的表也列一行。"),
    PerformanceIndicator.FILE: FileDoc("One row per indicator row of a performance form, values as printed.",
                                       "绩效表中每个指标一行，数值按原文。"),
}

_SHARED: dict[str, ColumnDoc] = {
    "doc_id": ColumnDoc("Document id: the first 16 hex digits of the file's SHA-256.", "文件编号：文件 SHA-256 的前 16 位十六进制。"),
    "table": ColumnDoc("Canonical key of the standard table (nine_tables.yaml).", "标准表的规范键名（见 nine_tables.yaml）。"),
    "page": ColumnDoc("1-based page of the PDF the value was printed on.", "数值所在的 PDF 页码（从 1 开始）。"),
    "unit_printed": ColumnDoc("The unit the table states on the page (万元, 元, ...).", "表格页面上标明的单位（万元、元等）。"),
    "row": ColumnDoc("Row label as printed, whitespace and numbering removed.", "行标签（去除空白和序号）。"),
    "col": ColumnDoc("Canonical column key (nine_tables.yaml).", "规范列键名（见 nine_tables.yaml）。"),
    "metric": ColumnDoc("Canonical narrative metric key (narrative_metrics.yaml), or 'other'.",
                        "情况说明指标的规范键名（见 narrative_metrics.yaml），或 other。"),
    "status": ColumnDoc("Processing status.", "处理状态。"),
}

_SOURCE = ColumnDoc("Where the text was read: text_layer (the PDF's characters) or ocr (a scanned page image, see docs/ocr.md).",
                    "文字来源：text_layer（PDF 文字层）或 ocr（扫描页图像识别，见 docs/ocr.md）。")

COLUMNS: dict[str, dict[str, ColumnDoc]] = {
    Document.FILE: {
        "file_name": ColumnDoc("Name of the source file.", "源文件名。"),
        "sha256": ColumnDoc("SHA-256 of the file's bytes.", "文件内容的 SHA-256 校验值。"),
        "source_url": ColumnDoc("Where the file was downloaded from, when known.", "文件下载地址（如已知）。"),
        "region": ColumnDoc("Province / city / district as printed; 中央 for an organ of the central level (国家…, 中华人民共和国…).",
                            "地区（省/市/区，按原文）；中央部门为“中央”。"),
        "department": ColumnDoc("Publishing department as printed.", "发布部门（按原文）。"),
        "fiscal_year": ColumnDoc("Fiscal year the accounts are for.", "决算所属年度。"),
        "doc_type": ColumnDoc("final_accounts (决算) or budget (预算).", "文件类型：final_accounts（决算）或 budget（预算）。"),
        "pages": ColumnDoc("Number of pages.", "页数。"),
        "status": ColumnDoc("ok, partial, needs_ocr or failed.", "处理状态：ok、partial、needs_ocr 或 failed。"),
        "error": ColumnDoc("What went wrong or was skipped, when status is not ok.", "状态非 ok 时的问题说明。"),
        "extractor_version": ColumnDoc("Version of the extractor that produced the rows.", "生成数据的提取程序版本。"),
        "disclosure_id": ColumnDoc(
            "One id for the documents of one disclosure: an HTML article and its attachments, or a narrative PDF and "
            "the PDF of its tables (same department, year and type); a document alone keeps its doc_id.",
            "同一公开事项的各文件共用的编号：网页正文及其附件，或同一部门、年度、类型的说明 PDF 与表格 PDF；单独的文档沿用其 doc_id。"),
        "budget_scope": ColumnDoc(
            "Budgets: department (部门预算, the department with its units) or unit (单位预算, one unit's own), as printed.",
            "预算文件：department（部门预算，含所属单位）或 unit（单位预算），按原文。"),
        "parent_department": ColumnDoc("Budgets: the 主管部门 a unit reports to, where printed.", "预算文件：单位的主管部门（如有印出）。"),
        "performance_only": ColumnDoc(
            "A PDF of performance forms only (绩效目标表 published with a budget; 绩效自评表 or 绩效评价结果 with final "
            "accounts): its title says so, and the family's tables are not expected in it (tables_expected is empty).",
            "仅含绩效表的文件（预算的绩效目标表；决算的绩效自评表、绩效评价结果）：标题如此，不要求其含有该类文件的公开表格。"),
        "tables_expected": ColumnDoc("Tables every template of the document's family prints (schemas/families).",
                                     "该类文件各地模板均公开的表格数（见 schemas/families）。"),
        "tables_found": ColumnDoc(
            "Of the expected tables, how many were located: in this document or in another document of its disclosure "
            "(same disclosure_id and doc_type: a narrative PDF whose tables are a PDF of their own).",
            "应有表格中找到的表格数（本文件或同一公开事项的其他同类文件中，如说明 PDF 的表格 PDF）。"),
        "tables_missing": ColumnDoc("Expected tables not located, ';'-separated keys.", "未找到的应有表格（键名，以分号分隔）。"),
        "tables_fully_read": ColumnDoc("Tables located whose every printed value was read (status ok).",
                                       "所有数值均已读取（状态 ok）的表格数。"),
        "cells_read": ColumnDoc("Numeric cells read from the document's tables.", "从表格读取的数值单元格数。"),
        "identity_errors": ColumnDoc(
            "Error-level table and cross-table identity findings: figures the document prints inconsistently.",
            "表内及表间勾稽关系的错误级核对结果数：文件自身不一致的数字。"),
        "doubtful_tables": ColumnDoc(
            "Tables whose identities fail although they were not read in full: the reading, not the document, is in "
            "doubt (findings table.doubtful).", "勾稽不平且未完整读取的表格：存疑的是读取而非文件本身（见 table.doubtful）。"),
        "narrative_figures": ColumnDoc("Amounts stated in the explanatory text.", "情况说明中的金额数。"),
        "narrative_matched": ColumnDoc("Of those, amounts printed in one of the document's tables too.",
                                       "其中在本文件表格中也出现的金额数。"),
        "fully_read": ColumnDoc(
            "true when every expected table was located (here or in its disclosure) and read in full and none is doubtful; "
            "for a performance_only document, when its forms were read.",
            "应有表格均已找到（本文件或同一公开事项中）并完整读取、且无存疑表格时为 true；仅含绩效表的文件，读出绩效表时为 true。"),
    },
    TableRecord.FILE: {
        "title": ColumnDoc("Table title as printed.", "表格标题（按原文）。"),
        "pages": ColumnDoc("Pages the table spans, ';'-separated (e.g. 6;7).", "表格所在页码，以分号分隔（如 6;7）。"),
        "has_data": ColumnDoc("false when the table is printed empty (e.g. 本表无数据).", "表格为空表（如“本表无数据”）时为 false。"),
        "n_cells": ColumnDoc("Number of numeric cells read from the table.", "从该表读取的数值单元格数。"),
        "engine": ColumnDoc("Table extraction engine used.", "使用的表格提取引擎。"),
        "status": ColumnDoc("ok, partial or unparsed.", "表格处理状态：ok、partial 或 unparsed。"),
        "note": ColumnDoc("Remark about the table (e.g. why it is empty).", "表格备注（如为空表的原因）。"),
    },
    TableCell.FILE: {
        "side": ColumnDoc("income or expenditure for two-sided tables, else empty.", "两栏式表格的收入（income）或支出（expenditure）栏，否则为空。"),
        "code": ColumnDoc("Subject code (功能/经济分类科目编码), digits only.", "科目编码（功能分类或经济分类），仅数字。"),
        "value": ColumnDoc("Amount in 万元, exact as printed (converted by decimal shift when printed in 元).",
                           "金额（万元），与原文一致；原文以元等为单位时按小数点移位精确换算。", "万元"),
        "value_printed": ColumnDoc("The cell text as printed, before normalisation.", "单元格原文（规范化之前）。"),
        "sheet": ColumnDoc("Spreadsheet attachments: the sheet's name (page is the sheet's number).",
                           "电子表格附件：工作表名称（page 为工作表序号）。"),
        "cell": ColumnDoc("Spreadsheet attachments: the cell's A1 reference.", "电子表格附件：单元格位置（如 C5）。"),
        "source": _SOURCE,
        "ocr_confidence": ColumnDoc("Lowest OCR confidence (0-1) of the cell's characters; empty for text_layer.",
                                    "单元格各字符 OCR 置信度的最小值（0-1）；text_layer 时为空。"),
    },
    NarrativeFact.FILE: {
        "section": ColumnDoc("Section of the explanatory text the figure is in.", "数字所在的情况说明章节。"),
        "subject": ColumnDoc("What the figure is about (科目 or item), empty when none.", "数字所指的科目或项目，无则为空。"),
        "value": ColumnDoc("The figure; changes stated as 减少/下降 are negative, shares are percent numbers.",
                           "数值；减少/下降记为负数，占比以百分数记（如 22.06）。", "see column unit / 见 unit 列"),
        "unit": ColumnDoc("Unit of value (万元, %, 个, 辆, ...).", "数值单位（万元、%、个、辆等）。"),
        "text": ColumnDoc("The clause the figure was read from.", "数字所在的原文语句。"),
        "value_text": ColumnDoc("value as text with exactly the digits printed (100.00 stays 100.00); Parquet and "
                                "DuckDB hold value at the column's common scale.",
                                "数值的文本形式，保留原文的小数位数（如 100.00）；Parquet 与 DuckDB 中 value 列按统一小数位存储。"),
        "source": _SOURCE,
        "ocr_confidence": ColumnDoc("Lowest OCR confidence (0-1) of the figure's characters; empty for text_layer.",
                                    "该数字各字符 OCR 置信度的最小值（0-1）；text_layer 时为空。"),
    },
    Finding.FILE: {
        "rule": ColumnDoc("Stable id of the cross-check rule.", "核对规则的固定编号。"),
        "severity": ColumnDoc("error, warning or info.", "严重程度：error、warning 或 info。"),
        "message": ColumnDoc("Human-readable explanation.", "说明文字。"),
        "row": ColumnDoc("Row label of the table value involved, if any.", "涉及的表格行标签（如有）。"),
        "col": ColumnDoc("Column key of the table value involved, if any.", "涉及的表格列键名（如有）。"),
        "expected": ColumnDoc("Value the check expected (e.g. the sum of the parts).", "核对期望值（如各分项之和）。", "万元 or %"),
        "actual": ColumnDoc("Value as published.", "公开的实际数值。", "万元 or %"),
        "difference": ColumnDoc("actual minus expected.", "实际值减期望值。", "万元 or %"),
        "page": ColumnDoc("Page or pages involved, ';'-separated.", "涉及的页码，以分号分隔。"),
        "evidence": ColumnDoc("The printed figures and where they are.", "相关原文数字及其位置。"),
    },
}


_PTS = "points / 分"
COLUMNS[PerformanceForm.FILE] = {
    "form_id": ColumnDoc("Stable id of the form within the document (doc_id and its order).", "表在文件内的固定编号（文件编号加序号）。"),
    "kind": ColumnDoc("target (绩效目标表, budget year) or self_evaluation (绩效自评表, after the year).",
                      "target（绩效目标表）或 self_evaluation（绩效自评表）。"),
    "scope": ColumnDoc("project, or department for a 部门整体 form.", "project（项目）或 department（部门整体）。"),
    "project": ColumnDoc("项目名称 as printed (empty for department scope).", "项目名称（部门整体表为空）。"),
    "department": ColumnDoc("主管部门 / 单位名称 as printed.", "主管部门或单位名称（按原文）。"),
    "implementing_unit": ColumnDoc("项目实施单位 as printed.", "项目实施单位（按原文）。"),
    "fiscal_year": ColumnDoc("Year evaluated or budgeted (from the title, else the document's).", "评价或预算年度（取自表题，否则取文件年度）。"),
    "funds_total": ColumnDoc("年度资金总额 / 预算数（A）: the budget execution is measured on.", "年度资金总额或预算数（A）。", "万元"),
    "funds_fiscal": ColumnDoc("其中：财政拨款, when printed as its own row.", "其中：财政拨款（单独列示时）。", "万元"),
    "executed": ColumnDoc("执行数（B）.", "执行数（B）。", "万元"),
    "execution_rate_pct": ColumnDoc("执行率 as printed, a percentage number.", "执行率（按原文，百分数）。", "%"),
    "execution_weight": ColumnDoc("Points for budget execution (分值).", "预算执行分值。", _PTS),
    "execution_score": ColumnDoc("Points given for budget execution.", "预算执行得分。", _PTS),
    "total_score": ColumnDoc("自评得分 / 总分 as printed on the form.", "表上的自评得分或总分。", _PTS),
    "overall_target": ColumnDoc("年度总体目标 / 年初设定目标, text.", "年度总体目标或年初设定目标（文字）。"),
    "overall_result": ColumnDoc("全年实际完成情况, text.", "全年实际完成情况（文字）。"),
    "deviation_reason": ColumnDoc("偏差大或目标未完成原因分析, text.", "偏差大或目标未完成原因分析（文字）。"),
    "improvement": ColumnDoc("改进措施及结果应用方案, text.", "改进措施及结果应用方案（文字）。"),
    "pages": ColumnDoc("Pages the form covers, ';'-separated (empty for a text source without pages).", "表所在页码，以分号分隔。"),
    "title": ColumnDoc("The form's title as printed.", "表题（按原文）。"),
    "annex": ColumnDoc("The 附件 number the form is printed under.", "表所在的附件序号。"),
    "announced_title": ColumnDoc("The title the narrative gives for that 附件 (见附件 N).", "情况说明中该附件的名称。"),
    "funds_initial": ColumnDoc("年初预算数, when printed beside the full-year budget.", "年初预算数（与全年预算数并列时）。", "万元"),
    "overall_weight": ColumnDoc("Points of the overall target (项目绩效总目标).", "项目绩效总目标分值。", _PTS),
    "overall_score": ColumnDoc("Points given for the overall target.", "项目绩效总目标得分。", _PTS),
    "n_indicators": ColumnDoc("Number of indicator rows read from the form.", "从表中读取的指标行数。"),
    "stated_score": ColumnDoc("The score the narrative states for this form (自评得分为 X 分).", "情况说明所述该表得分。", _PTS),
    "stated_funds_total": ColumnDoc("The budget the narrative states for it (全年预算数 / 预算总额).", "情况说明所述预算数。", "万元"),
    "stated_executed": ColumnDoc("The executed amount the narrative states (执行数).", "情况说明所述执行数。", "万元"),
    "stated_rate_pct": ColumnDoc("The execution rate the narrative states (执行率 / 完成预算).", "情况说明所述执行率。", "%"),
    "stated_indicators_set": ColumnDoc("共设置 N 项绩效指标: N as stated.", "情况说明所述设置的指标数。"),
    "stated_indicators_met": ColumnDoc("…M 项实现: M as stated.", "情况说明所述实现的指标数。"),
    "stated_pages": ColumnDoc("Pages of the restating clauses.", "相关情况说明所在页码。"),
    "stated_text": ColumnDoc("The clauses the stated_* values were read from.", "stated_* 数值所在原文。"),
    "score_rule": ColumnDoc("The scoring rule the form prints in its notes (备注: 得分=权重*B/A …), when it does; "
                            "the score-formula check applies only then.", "表中备注所印计分规则（如有）；仅此时核对计分公式。"),
    "source": ColumnDoc("How the form was read: text-lines, pdf-grid or pdf-text.", "读取方式：text-lines、pdf-grid 或 pdf-text。"),
    "status": ColumnDoc("ok, partial, or missing (announced by the narrative, not printed).", "ok、partial 或 missing（情况说明提及但未附）。"),
    "note": ColumnDoc("Remark about the form (what could not be read).", "备注（未能读取的内容）。"),
}
COLUMNS[PerformanceIndicator.FILE] = {
    "form_id": ColumnDoc("The form the row belongs to (performance_forms.form_id).", "所属绩效表编号。"),
    "order": ColumnDoc("Position of the row within its form.", "指标在表内的顺序。"),
    "level1": ColumnDoc("一级指标 (产出指标, 效益指标, ...), points removed.", "一级指标（去除分值）。"),
    "level2": ColumnDoc("二级指标 (数量指标, 质量指标, ...), points removed.", "二级指标（去除分值）。"),
    "indicator": ColumnDoc("三级指标 / 指标名称, points removed.", "三级指标或指标名称（去除分值）。"),
    "weight": ColumnDoc("The indicator's points (分值, or the （5分） after its name).", "指标分值。", _PTS),
    "target_text": ColumnDoc("年初目标值 / 年度指标值 exactly as printed.", "年初目标值或年度指标值（原文）。"),
    "target_op": ColumnDoc(">=, <=, =, >, < or empty (no operator printed, or qualitative).", "比较符；未印比较符或定性指标为空。"),
    "target_value": ColumnDoc("Number parsed from target_text; empty when qualitative.", "目标值中的数字；定性指标为空。"),
    "target_unit": ColumnDoc("Unit parsed from target_text (次, %, 万平方米, ...).", "目标值单位。"),
    "actual_text": ColumnDoc("实际完成值 exactly as printed.", "实际完成值（原文）。"),
    "actual_op": ColumnDoc("Operator printed with the actual value, if any.", "实际值所带比较符。"),
    "actual_value": ColumnDoc("Number parsed from actual_text; empty when qualitative.", "实际值中的数字；定性为空。"),
    "actual_unit": ColumnDoc("Unit parsed from actual_text.", "实际值单位。"),
    "score": ColumnDoc("得分 as printed.", "得分（原文）。", _PTS),
    "deviation_reason": ColumnDoc("The row's own 偏差原因 when printed.", "该指标的偏差原因（如有）。"),
    "page": ColumnDoc("Page of the row (empty for a text source without pages).", "指标所在页码。"),
    "level1_weight": ColumnDoc("Points printed with the 一级指标.", "一级指标分值。", _PTS),
    "level2_weight": ColumnDoc("Points printed with the 二级指标.", "二级指标分值。", _PTS),
    "weight_from": ColumnDoc("Empty: weight printed with the indicator; level2: the points of its 二级 group, of which it is the only row.",
                             "为空：分值印在指标上；level2：取其所在二级指标（仅此一项）的分值。"),
    "group": ColumnDoc("The 年度目标 or sub-table the row belongs to, in forms that have several.", "所属年度目标（多目标表）。"),
    "source": _SOURCE,
    "ocr_confidence": ColumnDoc("Lowest OCR confidence (0-1) of the characters of the row's cells; empty for text_layer.",
                                "该指标行各单元格字符 OCR 置信度的最小值（0-1）；text_layer 时为空。"),
}


def column_doc(file: str, column: str) -> ColumnDoc | None:
    return COLUMNS.get(file, {}).get(column) or _SHARED.get(column)


def _unwrap(annotation: object) -> object:
    """``X | None`` → ``X``; ``Annotated[X, ...]`` (e.g. ``Amount``) → ``X``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else str
    if typing.get_origin(annotation) is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation


def logical_type(kind: type[Record], column: str) -> str:
    """'decimal', 'integer', 'boolean', 'date' or 'string', from the record field's annotation."""
    field = kind.model_fields.get(column)
    if field is None:
        return "string"
    t = _unwrap(field.annotation)
    if t is Decimal:
        return "decimal"
    if t is bool:
        return "boolean"
    if t is int:
        return "integer"
    if t is date:
        return "date"
    if isinstance(t, type) and issubclass(t, Enum):
        return "string"
    return "string"


def enum_values(kind: type[Record], column: str) -> list[str] | None:
    field = kind.model_fields.get(column)
    t = _unwrap(field.annotation) if field else None
    if isinstance(t, type) and issubclass(t, Enum):
        return [str(m.value) for m in t]
    return None


# the budget_vs_final view (DuckDB) and its CSV export, column by column
BUDGET_VS_FINAL: dict[str, ColumnDoc] = {
    "region": ColumnDoc("Region of the final accounts.", "决算文件所属地区。"),
    "department": ColumnDoc("Department as the final accounts print it.", "部门（按决算原文）。"),
    "fiscal_year": ColumnDoc("The year budgeted and accounted for.", "预算与决算所属年度。"),
    "table": ColumnDoc("Table key shared by both families (budget_tables.yaml / nine_tables.yaml).", "两类文件共用的表键名。"),
    "side": ColumnDoc("Side of a two-sided table, else empty.", "双栏表的栏别，否则为空。"),
    "code": ColumnDoc("Subject code (digits), or empty.", "科目编码（纯数字）或空。"),
    "row": ColumnDoc("Row label as the budget prints it.", "行名称（按预算原文）。"),
    "budget_col": ColumnDoc("Column of the planned figure.", "预算数所在列键名。"),
    "final_col": ColumnDoc("Column of the final figure (三公: X_budget → X_actual).", "决算数所在列键名（三公：X_budget → X_actual）。"),
    "budget_value": ColumnDoc("Planned figure (万元, exact).", "预算数（万元，精确值）。", "万元"),
    "final_value": ColumnDoc("Final figure (万元, exact); empty when the final accounts print none.", "决算数（万元）；决算未列示时为空。", "万元"),
    "difference": ColumnDoc("final − budget (万元, exact).", "决算数减预算数（万元，精确值）。", "万元"),
    "execution_rate_pct": ColumnDoc("final / budget × 100, rounded half up to 0.01 from the exact decimals.",
                                    "执行率：决算数 ÷ 预算数 × 100，由精确值四舍五入至 0.01。", "%"),
    "budget_source": ColumnDoc("budget_document (the department's budget of that year) or final_accounts (the budget "
                               "as the final accounts restate it).", "预算数来源：budget_document（同年部门预算）或 "
                               "final_accounts（决算中列示的预算数）。"),
    "budget_doc_id": ColumnDoc("Document the planned figure is printed in.", "预算数所在文件。"),
    "budget_page": ColumnDoc("Page of the planned figure.", "预算数所在页码。"),
    "final_doc_id": ColumnDoc("The final accounts.", "决算文件。"),
    "final_page": ColumnDoc("Page of the final figure.", "决算数所在页码。"),
}

