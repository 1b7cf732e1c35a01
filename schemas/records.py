"""Record types of the clean dataset, one class per file of spec/outputs.md.

Amounts are ``Decimal`` throughout; ``to_row`` renders them as plain decimals (never
scientific notation) and unknown values as empty fields.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, computed_field


class DocStatus(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    NEEDS_OCR = "needs_ocr"
    FAILED = "failed"


class DocType(StrEnum):
    FINAL_ACCOUNTS = "final_accounts"
    BUDGET = "budget"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def format_decimal(value: Decimal) -> str:
    """Plain decimal text, exactly as held: no exponent, no rounding."""
    text = format(value, "f")
    return "0" if text in ("-0", "-0.0") else text


def cell_text(value: Any) -> str:
    """A value as the CSVs print it: exact decimals, empty for unknown, true/false, pages joined by ';'."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return str(value)


def _reject_float(v: Any) -> Any:
    if isinstance(v, float):
        raise ValueError("amounts must be Decimal or str, never float")
    return v


# an amount: exact, from Decimal or its printed text, never from a float
Amount = Annotated[Decimal, BeforeValidator(_reject_float)]


class Record(BaseModel):
    """A row of one output file; ``COLUMNS`` is the file's column order."""

    model_config = ConfigDict(frozen=True, use_enum_values=True)
    FILE: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def to_row(self) -> dict[str, str]:
        data = self.model_dump()
        return {c: cell_text(data.get(c)) for c in self.COLUMNS}


QUALITY_COLUMNS: tuple[str, ...] = (
    "tables_expected", "tables_found", "tables_missing", "tables_fully_read", "cells_read", "identity_errors",
    "doubtful_tables", "narrative_figures", "narrative_matched", "fully_read",
)


class Document(Record):
    FILE: ClassVar[str] = "documents"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "doc_id", "file_name", "sha256", "source_url", "region", "department", "fiscal_year",
        "doc_type", "pages", "status", "error", "extractor_version", "disclosure_id",
        "budget_scope", "parent_department", "performance_only", *QUALITY_COLUMNS,
    )
    doc_id: str
    file_name: str
    sha256: str
    source_url: str | None = None
    region: str | None = None
    department: str | None = None
    fiscal_year: int | None = None
    doc_type: DocType | None = None
    pages: int | None = None
    status: DocStatus
    error: str | None = None
    extractor_version: str | None = None
    # one id for the documents of one disclosure: an HTML article and its attachments (from the scrape),
    # or a narrative PDF and the PDF of its tables (pipeline/disclosures.py); a document alone: its doc_id
    disclosure_id: str | None = None
    # budgets: 部门预算 (department: the consolidation of its units) or 单位预算 (unit), and a unit's 主管部门
    budget_scope: str | None = None
    parent_department: str | None = None
    # a PDF of performance forms only (绩效目标表 with a budget; 绩效自评表, 绩效评价结果 with final accounts):
    # its family's tables are not expected in it
    performance_only: bool = False
    # how far the document can be trusted without a golden file (pipeline/quality.py, after the checks)
    tables_expected: int | None = None  # tables the family's template always prints
    tables_found: int | None = None  # of those, located
    tables_missing: str | None = None  # the expected ones not located, ";"-joined keys
    tables_fully_read: int | None = None  # tables located whose every value was read (status ok)
    cells_read: int | None = None
    identity_errors: int | None = None  # error-level table/cross identity findings (published inconsistencies)
    doubtful_tables: str | None = None  # tables whose identities fail where the reading itself is in doubt
    narrative_figures: int | None = None
    narrative_matched: int | None = None  # narrative figures equal to a table cell (same amount)
    fully_read: bool | None = None  # every expected table located and read, no doubtful table


class TableRecord(Record):
    FILE: ClassVar[str] = "tables"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "doc_id", "table", "title", "pages", "has_data", "n_cells", "engine", "unit_printed", "status", "note",
    )
    doc_id: str
    table: str
    title: str
    pages: tuple[int, ...]
    has_data: bool
    n_cells: int
    engine: str | None = None  # pdfplumber-lines, pdfplumber-text, camelot-lattice, ...
    unit_printed: str | None = None
    status: str = "ok"  # ok / partial / unparsed
    note: str | None = None


class TextSource(StrEnum):
    TEXT_LAYER = "text_layer"  # the PDF's own characters
    OCR = "ocr"  # read from a scanned page image


def source_fields(confidence: float | None) -> dict[str, Any]:
    """``source`` and ``ocr_confidence`` of a value read from characters with this OCR confidence
    (None: the text layer). Kept to 4 decimal places, as a Decimal like every number of the dataset."""
    if confidence is None:
        return {"source": TextSource.TEXT_LAYER, "ocr_confidence": None}
    return {"source": TextSource.OCR, "ocr_confidence": Decimal(f"{float(confidence):.4f}")}


class TableCell(Record):
    FILE: ClassVar[str] = "table_cells"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "doc_id", "table", "side", "code", "row", "col", "value", "unit_printed", "page", "value_printed",
        "sheet", "cell", "source", "ocr_confidence",
    )
    doc_id: str
    table: str
    side: str | None = None
    code: str | None = None
    row: str
    col: str
    value: Amount
    unit_printed: str = "万元"
    page: int
    value_printed: str | None = None  # the cell text as printed, before normalisation
    sheet: str | None = None  # spreadsheet attachments: the sheet's name (page is its number in the workbook)
    cell: str | None = None  # spreadsheet attachments: the cell's A1 reference
    source: TextSource = TextSource.TEXT_LAYER
    ocr_confidence: Decimal | None = None  # lowest OCR confidence of the cell's characters (0…1); empty for text


class NarrativeFact(Record):
    FILE: ClassVar[str] = "narrative_facts"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "doc_id", "section", "metric", "subject", "value", "unit", "page", "text", "value_text", "source", "ocr_confidence",
    )
    doc_id: str
    section: str | None = None
    metric: str
    subject: str | None = None
    value: Amount
    unit: str
    page: int | None = None
    text: str
    source: TextSource = TextSource.TEXT_LAYER
    ocr_confidence: Decimal | None = None  # lowest OCR confidence of the figure's characters (0…1); empty for text

    @computed_field  # type: ignore[prop-decorator]
    @property
    def value_text(self) -> str:
        """``value`` with exactly the digits it was printed with (56781.82, 0.6, 100.00): a typed copy
        (Parquet, DuckDB) holds the column at one common scale and would show 56781.820."""
        return format_decimal(self.value)


class Finding(Record):
    FILE: ClassVar[str] = "findings"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "doc_id", "rule", "severity", "message", "table", "row", "col", "metric",
        "expected", "actual", "difference", "page", "evidence",
    )
    doc_id: str
    rule: str
    severity: Severity
    message: str
    table: str | None = None
    row: str | None = None
    col: str | None = None
    metric: str | None = None
    expected: Amount | None = None
    actual: Amount | None = None
    difference: Amount | None = None
    page: str | None = None  # one page or several, "13;21"
    evidence: str | None = None


class PerformanceForm(Record):
    """One performance form (绩效目标表 / 绩效自评表) per spec/performance.yaml; amounts in 万元.

    Columns after ``pages`` extend the contract: where the form sits (title, 附件 number), the
    points of its overall target, and what the narrative restates about it (``stated_*``)."""

    FILE: ClassVar[str] = "performance_forms"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "doc_id", "form_id", "kind", "scope", "project", "department", "implementing_unit", "fiscal_year",
        "funds_total", "funds_fiscal", "executed", "execution_rate_pct", "execution_weight", "execution_score",
        "total_score", "overall_target", "overall_result", "deviation_reason", "improvement", "pages",
        "title", "annex", "announced_title", "funds_initial", "overall_weight", "overall_score", "n_indicators",
        "stated_score", "stated_funds_total", "stated_executed", "stated_rate_pct", "stated_indicators_set",
        "stated_indicators_met", "stated_pages", "stated_text", "score_rule", "source", "status", "note",
    )
    doc_id: str
    form_id: str
    kind: str  # target | self_evaluation
    scope: str  # project | department
    project: str | None = None
    department: str | None = None
    implementing_unit: str | None = None
    fiscal_year: int | None = None
    funds_total: Amount | None = None
    funds_fiscal: Amount | None = None
    executed: Amount | None = None
    execution_rate_pct: Amount | None = None
    execution_weight: Amount | None = None
    execution_score: Amount | None = None
    total_score: Amount | None = None
    overall_target: str | None = None
    overall_result: str | None = None
    deviation_reason: str | None = None
    improvement: str | None = None
    pages: tuple[int, ...] = ()
    title: str | None = None  # the form's title as printed
    annex: str | None = None  # the 附件 number it is printed under
    announced_title: str | None = None  # the title the narrative announces for that 附件 (见附件 N)
    funds_initial: Amount | None = None  # 年初预算数, when printed beside the full-year budget
    overall_weight: Amount | None = None  # points of the overall target (项目绩效总目标（20分）)
    overall_score: Amount | None = None
    n_indicators: int | None = None
    stated_score: Amount | None = None  # the narrative's 自评得分 for this form
    stated_funds_total: Amount | None = None
    stated_executed: Amount | None = None
    stated_rate_pct: Amount | None = None
    stated_indicators_set: int | None = None  # "共设置 N 项绩效指标"
    stated_indicators_met: int | None = None  # "M 项实现"
    stated_pages: tuple[int, ...] = ()
    stated_text: str | None = None  # the clauses the stated_* values were read from
    score_rule: str | None = None  # the scoring rule the form prints (备注: 得分=权重*B/A …), when it does
    source: str | None = None  # text-lines / pdf-grid / pdf-text
    status: str = "ok"  # ok / partial / missing (announced by the narrative, not printed)
    note: str | None = None


class PerformanceIndicator(Record):
    """One indicator row of a performance form; values as printed, parsed where quantitative."""

    FILE: ClassVar[str] = "performance_indicators"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "doc_id", "form_id", "order", "level1", "level2", "indicator", "weight", "target_text", "target_op",
        "target_value", "target_unit", "actual_text", "actual_op", "actual_value", "actual_unit", "score",
        "deviation_reason", "page", "level1_weight", "level2_weight", "weight_from", "group", "source", "ocr_confidence",
    )
    doc_id: str
    form_id: str
    order: int
    level1: str | None = None
    level2: str | None = None
    indicator: str
    weight: Amount | None = None
    target_text: str | None = None
    target_op: str | None = None
    target_value: Amount | None = None
    target_unit: str | None = None
    actual_text: str | None = None
    actual_op: str | None = None
    actual_value: Amount | None = None
    actual_unit: str | None = None
    score: Amount | None = None
    deviation_reason: str | None = None
    page: int | None = None
    level1_weight: Amount | None = None
    level2_weight: Amount | None = None
    weight_from: str | None = None  # empty: printed with the indicator; level2: its group's points (sole indicator)
    group: str | None = None  # the 年度目标 / sub-table the row belongs to, when a form has several
    source: TextSource = TextSource.TEXT_LAYER
    ocr_confidence: Decimal | None = None  # lowest OCR confidence of the row's cells' characters (0…1); empty for text


RECORD_TYPES: tuple[type[Record], ...] = (
    Document, TableRecord, TableCell, NarrativeFact, Finding, PerformanceForm, PerformanceIndicator,
)
