"""Spreadsheet attachments into the table contract: exact amounts, sheet and cell as provenance.
Workbooks are built here with openpyxl (no committed binaries)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl  # noqa: E402  (a core dependency: its absence is a failure, not a skip)

from extractors.spreadsheet import column_letter, number_text, read_tables, read_xlsx
from pipeline.extract import extract_document


def _income_workbook(path: Path, unit: str = "单位：万元") -> Path:
    """表2 收入决算表 as departments publish it in Excel: title, unit line, a two-row header with a
    merged 科目编码 / 科目名称 group, codes as text, amounts as numbers (one stored as text)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表2"
    ws.append(["某区财政局2024年度收入决算表"])
    ws.append([unit])
    ws.append(["项目", None, "本年收入合计", "财政拨款收入", "事业收入", "其他收入"])
    ws.append(["科目编码", "科目名称", None, None, None, None])
    ws.merge_cells("A3:B3")
    for col in "CDEF":
        ws.merge_cells(f"{col}3:{col}4")
    ws.append([None, "合计", 2940.5, 2900.1, 0, "40.40"])
    ws.append(["201", "一般公共服务支出", 0.1 + 0.2, 0.3, None, None])  # a computed sum's float noise
    ws.append(["2010601", "行政运行", 1234567.89, 1234567.89, None, None])
    for row in ws.iter_rows(min_row=5, min_col=3, max_col=5):
        for c in row:
            c.number_format = "#,##0.00"
    ws2 = wb.create_sheet("说明")
    ws2.append(["本表由财务科编制"])
    wb.save(path)
    return path


def test_number_text_is_exact_and_keeps_the_printed_decimals():
    assert number_text(2940.5, "#,##0.00") == "2940.50"
    assert number_text(0.1 + 0.2, "0.00") == "0.30"  # 0.30000000000000004 is float noise, not a value
    assert number_text(0.1 + 0.2) == "0.3"
    assert number_text(1234567.89) == "1234567.89"
    assert number_text(12, "0.00") == "12.00" and number_text(12) == "12"
    assert number_text(1e-7) == "0.0000001"  # never scientific notation
    assert number_text(2.675, "0.00") == "2.675"  # more decimals than the format shows: the stored value
    assert [column_letter(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]


def test_an_xlsx_table_is_read_with_the_pdf_readers_titles_and_headers(tmp_path):
    book = _income_workbook(tmp_path / "收入决算表.xlsx")
    found = read_tables(read_xlsx(book), "d1")
    (table,) = found.tables
    assert (table.table, table.pages, table.engine, table.unit_printed, table.status) == (
        "income", (1,), "spreadsheet", "万元", "ok")
    got = {(c.code, c.row, c.col): (c.value, c.value_printed, c.sheet, c.cell, c.page) for c in found.cells}
    assert got == {
        (None, "合计", "total"): (Decimal("2940.50"), "2940.50", "表2", "C5", 1),
        (None, "合计", "fiscal_appropriation"): (Decimal("2900.10"), "2900.10", "表2", "D5", 1),
        (None, "合计", "business"): (Decimal("0.00"), "0.00", "表2", "E5", 1),
        (None, "合计", "other"): (Decimal("40.40"), "40.40", "表2", "F5", 1),  # a number stored as text
        ("201", "一般公共服务支出", "total"): (Decimal("0.30"), "0.30", "表2", "C6", 1),
        ("201", "一般公共服务支出", "fiscal_appropriation"): (Decimal("0.30"), "0.30", "表2", "D6", 1),
        ("2010601", "行政运行", "total"): (Decimal("1234567.89"), "1234567.89", "表2", "C7", 1),
        ("2010601", "行政运行", "fiscal_appropriation"): (Decimal("1234567.89"), "1234567.89", "表2", "D7", 1),
    }
    assert all(type(c.value) is Decimal for c in found.cells)
    assert found.problems == ["sheet '说明': no table title recognised"]


def test_amounts_in_yuan_are_converted_exactly(tmp_path):
    book = _income_workbook(tmp_path / "b.xlsx", unit="单位：元")
    cells = {(c.code, c.col): c for c in read_tables(read_xlsx(book), "d").cells}
    c = cells[("2010601", "total")]
    assert c.unit_printed == "元" and c.value == Decimal("123.456789") and c.value_printed == "1234567.89"


def test_a_workbook_is_a_document_of_the_dataset(tmp_path):
    result = extract_document(_income_workbook(tmp_path / "某区财政局2024年度收入决算表.xlsx"))
    doc = result.document
    assert doc.pages == 2 and doc.status == "partial" and "说明" in (doc.error or "")
    assert (doc.fiscal_year, doc.doc_type) == (2024, "final_accounts")
    assert len(result.cells) == 8 and {c.doc_id for c in result.cells} == {doc.doc_id}
    row = result.cells[0].to_row()
    assert row["sheet"] == "表2" and row["cell"] == "C5" and row["page"] == "1"


def test_a_damaged_workbook_fails_alone(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    doc = extract_document(bad).document
    assert doc.status == "failed" and "unreadable XLSX workbook" in (doc.error or "")


def _budget_xls(path: Path) -> Path:
    """A budget's 支出预算总表 as an Excel 97-2003 workbook (xlwt): title merged over the columns, the
    unit line, codes as text, amounts as numbers formatted to two decimals."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("公开03表")
    money = xlwt.easyxf(num_format_str="#,##0.00")
    sheet.write_merge(0, 0, 0, 5, "2019年度支出预算总表")
    sheet.write(1, 0, "单位：万元")
    for c, head in enumerate(["科目编码", "科目名称", "合计", "基本支出", "项目支出", "单位预留机动经费"]):
        sheet.write(2, c, head)
    rows = [("", "合计", 27664.22, 11700.63, 13025.38, 2938.21),
            ("201", "一般公共服务支出", 22395.5, 9370.12, 13025.38, None),
            ("2013101", "行政运行", 9370.12, 9370.12, None, None)]
    for r, (code, label, *amounts) in enumerate(rows, start=3):
        sheet.write(r, 0, code)
        sheet.write(r, 1, label)
        for c, v in enumerate(amounts, start=2):
            if v is not None:
                sheet.write(r, c, v, money)
    book.save(str(path))
    return path


def test_an_xls_budget_sheet_reads_exactly_with_its_cells_as_provenance(tmp_path):
    book = _budget_xls(tmp_path / "预算公开表.xls")
    result = extract_document(book)
    assert result.document.doc_type == "budget"
    got = {(c.code, c.row, c.col): (c.value, c.cell) for c in result.cells}
    assert got[(None, "合计", "reserve")] == (Decimal("2938.21"), "F4")
    assert got[("201", "一般公共服务支出", "total")] == (Decimal("22395.50"), "C5")  # 22395.5 stored, 0.00 format
    assert got[("2013101", "行政运行", "basic")] == (Decimal("9370.12"), "D6")
    assert {c.sheet for c in result.cells} == {"公开03表"} and len(result.cells) == 9
