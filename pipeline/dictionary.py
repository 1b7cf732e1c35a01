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

from schemas.records import Document, Finding, NarrativeFact, Record, TableCell, TableRecord


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

COLUMNS: dict[str, dict[str, ColumnDoc]] = {
    Document.FILE: {
        "file_name": ColumnDoc("Name of the source file.", "源文件名。"),
        "sha256": ColumnDoc("SHA-256 of the file's bytes.", "文件内容的 SHA-256 校验值。"),
        "source_url": ColumnDoc("Where the file was downloaded from, when known.", "文件下载地址（如已知）。"),
        "region": ColumnDoc("Province / city / district as printed.", "地区（省/市/区，按原文）。"),
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

