"""Small hand-made datasets for the export, query and report tests.

Figures are those printed in the golden sample (上海市普陀区财政局2024年度部门决算.pdf), so the
report tests can find them on the real pages.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pipeline.dataset import Dataset, write_dataset
from pipeline.exports import write_exports
from schemas.records import Document, Finding, NarrativeFact, TableCell, TableRecord

DOC_A = "a1b2c3d4e5f60718"
DOC_B = "0000111122223333"


def cell(doc: str, table: str, row: str, col: str, value: str, page: int, side: str | None = None,
         code: str | None = None) -> TableCell:
    return TableCell(doc_id=doc, table=table, side=side, code=code, row=row, col=col, value=Decimal(value), page=page)


def small_dataset(sha256_a: str = "a1b2c3d4e5f60718" + "0" * 48, file_name_a: str = "a.pdf") -> Dataset:
    doc_a = sha256_a[:16]
    docs = [
        Document(doc_id=doc_a, file_name=file_name_a, sha256=sha256_a, region="上海市普陀区",
                 department="上海市普陀区财政局", fiscal_year=2024, doc_type="final_accounts", pages=25, status="ok"),
        Document(doc_id=DOC_B, file_name="=cmd.pdf", sha256=DOC_B + "1" * 48, region="武汉市洪山区",
                 department="@武汉市洪山区住房保障和房屋管理局", fiscal_year=2023, doc_type="final_accounts",
                 pages=30, status="partial", error="-scanned image pages 3;4 need OCR"),
    ]
    tables = [
        TableRecord(doc_id=doc_a, table="income_expenditure_summary", title="收入支出决算总表", pages=(6, 7),
                    has_data=True, n_cells=4),
        TableRecord(doc_id=doc_a, table="three_public_expenses", title="财政拨款“三公”经费支出决算表", pages=(18,),
                    has_data=True, n_cells=2),
        TableRecord(doc_id=doc_a, table="state_capital", title="国有资本经营预算财政拨款收入支出决算表", pages=(20,),
                    has_data=False, n_cells=0, note="本表无数据"),
        TableRecord(doc_id=DOC_B, table="income", title="收入决算表", pages=(8,), has_data=True, n_cells=2,
                    unit_printed="元"),
    ]
    cells = [
        cell(doc_a, "income_expenditure_summary", "本年收入合计", "amount", "2946.25", 6, "income"),
        cell(doc_a, "income_expenditure_summary", "本年支出合计", "amount", "2940.05", 6, "expenditure"),
        cell(doc_a, "income_expenditure_summary", "总计", "amount", "2995.39", 7, "income"),
        cell(doc_a, "income_expenditure_summary", "总计", "amount", "2995.39", 7, "expenditure"),
        cell(doc_a, "three_public_expenses", "三公经费", "total_budget", "0.95", 18),
        cell(doc_a, "three_public_expenses", "三公经费", "reception_budget", "0.95", 18),
        # printed in 元 and shifted exactly: six decimals must survive every export
        cell(DOC_B, "income", "合计", "total", "1234.567891", 8),
        cell(DOC_B, "income", "一般公共服务支出", "total", "-0.000001", 8, code="201"),
    ]
    facts = [
        NarrativeFact(doc_id=doc_a, section="一", metric="total_income_expenditure", value=Decimal("2995.39"),
                      unit="万元", page=21, text="收入支出总计2995.39万元"),
        NarrativeFact(doc_id=doc_a, section="一", metric="total_income_expenditure_change", value=Decimal("-56.95"),
                      unit="万元", page=21, text="收入支出总计减少56.95万元"),
    ]
    findings = [
        Finding(doc_id=doc_a, rule="narrative_vs_table", severity="error",
                message="四 narrative fiscal total 0.3 vs table 总计 2961.68", table="fiscal_appropriation_summary",
                row="总计", col="amount", metric="fiscal_total", expected=Decimal("2961.68"), actual=Decimal("0.3"),
                difference=Decimal("-2961.38"), page="13;21", evidence="p13 总计 2,961.68; p21 0.3万元"),
        Finding(doc_id=doc_a, rule="share_pct", severity="warning", message="share 71.73% vs 71.65%",
                metric="gpb_class_share_pct", expected=Decimal("71.65"), actual=Decimal("71.73"),
                difference=Decimal("0.08"), page="21"),
        Finding(doc_id=DOC_B, rule="sum_of_rows", severity="error", message="+rows do not add up",
                expected=Decimal("1"), actual=Decimal("2"), difference=Decimal("1"), page="8"),
    ]
    return Dataset(docs, tables, cells, facts, findings)


def write_small_dataset(folder: Path) -> Path:
    """``small_dataset`` written as a dataset folder with every export, as ``juesuan extract`` leaves it."""
    ds = small_dataset()
    write_dataset(ds, folder)
    write_exports(ds, folder)
    return folder
