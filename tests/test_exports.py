from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.dataset import write_dataset
from pipeline.dictionary import FILES, column_doc
from pipeline.duck import VIEW_NAMES
from pipeline.exports import DATAPACKAGE_FILE, DUCKDB_FILE, EXCEL_DIR, excel_safe, write_exports
from schemas.keys import NINE_TABLES
from schemas.records import RECORD_TYPES
from tests.datasets import DOC_A, DOC_B, small_dataset, write_small_dataset


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return write_small_dataset(tmp_path_factory.mktemp("clean"))


def _rows(path: Path, encoding: str) -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def test_excel_copies_have_bom_and_same_rows(out: Path) -> None:
    for kind in RECORD_TYPES:
        raw = (out / EXCEL_DIR / f"{kind.FILE}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), kind.FILE
        excel = _rows(out / EXCEL_DIR / f"{kind.FILE}.csv", "utf-8-sig")
        canonical = _rows(out / f"{kind.FILE}.csv", "utf-8")
        assert len(excel) == len(canonical)
        assert list(excel[0] if excel else kind.COLUMNS) == list(kind.COLUMNS)
    docs = _rows(out / EXCEL_DIR / "documents.csv", "utf-8-sig")
    b = next(r for r in docs if r["doc_id"] == DOC_B)
    # formula-like text is neutralised, Chinese text is intact
    assert b["file_name"] == "'=cmd.pdf"
    assert b["department"] == "'@武汉市洪山区住房保障和房屋管理局"
    assert b["error"] == "'-scanned image pages 3;4 need OCR"
    cells = _rows(out / EXCEL_DIR / "table_cells.csv", "utf-8-sig")
    # numbers are never touched
    assert "-0.000001" in {r["value"] for r in cells}
    assert "1234.567891" in {r["value"] for r in cells}


def test_excel_safe_keeps_numbers_and_plain_text() -> None:
    assert excel_safe("-56.95") == "-56.95"
    assert excel_safe("+3") == "+3"
    assert excel_safe("上海市") == "上海市"
    assert excel_safe("=SUM(A1:A2)") == "'=SUM(A1:A2)"
    assert excel_safe("-其中") == "'-其中"


def test_duckdb_types_are_exact_decimals(out: Path) -> None:
    con = duckdb.connect(str(out / DUCKDB_FILE), read_only=True)
    try:
        types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                 "where table_name = 'table_cells'").fetchall())
        assert types["value"].startswith("DECIMAL") and types["value"].endswith(",6)")
        assert types["page"] == "INTEGER"
        values = {r[0] for r in con.execute("select value from table_cells where doc_id = ?", [DOC_B]).fetchall()}
        assert values == {Decimal("1234.567891"), Decimal("-0.000001")}
        total = con.execute("select sum(value) from table_cells where doc_id = ?", [DOC_B]).fetchone()[0]
        assert total == Decimal("1234.567890")
        assert con.execute("select has_data from tables where \"table\" = 'state_capital'").fetchone()[0] is False
        assert con.execute("select fiscal_year from documents where doc_id = ?", [DOC_A]).fetchone()[0] == 2024
        found = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        assert set(VIEW_NAMES) | {k.FILE for k in RECORD_TYPES} <= found
    finally:
        con.close()


def test_document_summary_headline_figures(out: Path) -> None:
    con = duckdb.connect(str(out / DUCKDB_FILE), read_only=True)
    try:
        row = con.execute(
            "select total_income_expenditure, income_total, expenditure_total, three_public_total_budget, "
            "three_public_reception_budget, three_public_total_actual, n_findings, n_errors, n_warnings, n_tables, "
            "n_tables_with_data from document_summary where doc_id = ?", [DOC_A]).fetchone()
        assert row == (Decimal("2995.39"), Decimal("2946.25"), Decimal("2940.05"), Decimal("0.95"), Decimal("0.95"),
                       None, 2, 1, 1, 3, 2)
        assert con.execute("select count(*) from document_summary").fetchone()[0] == 2
    finally:
        con.close()


def test_wide_views(out: Path) -> None:
    con = duckdb.connect(str(out / DUCKDB_FILE), read_only=True)
    try:
        wide = con.execute("select side, \"row\", page, amount from wide_income_expenditure_summary "
                           "where doc_id = ? order by page, side", [DOC_A]).fetchall()
        assert (("expenditure", "本年支出合计", 6, Decimal("2940.05")) in wide
                and ("income", "总计", 7, Decimal("2995.39")) in wide)
        assert len(wide) == 4
        cols = [r[0] for r in con.execute("describe wide_three_public_expenses").fetchall()]
        spec = next(t for t in NINE_TABLES if t.key == "three_public_expenses")
        assert cols[5:] == list(spec.columns)
        per_doc = con.execute("select income_expenditure_summary_pages, income_expenditure_summary_cells, "
                              "state_capital_cells, income_pages from document_tables where doc_id = ?",
                              [DOC_A]).fetchone()
        assert per_doc == ("6;7", 4, 0, None)
    finally:
        con.close()


def test_datapackage_describes_every_file_and_column(out: Path) -> None:
    package = json.loads((out / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    by_path = {r["path"]: r for r in package["resources"]}
    for kind in RECORD_TYPES:
        assert kind.FILE in FILES
        for path in (f"{kind.FILE}.csv", f"{kind.FILE}.parquet", f"{EXCEL_DIR}/{kind.FILE}.csv"):
            resource = by_path[path]
            assert (out / path).exists(), path
            assert resource["description"] and resource["description_zh"]
            names = [f["name"] for f in resource["schema"]["fields"]]
            assert names == list(kind.COLUMNS)
        header = next(csv.reader((out / f"{kind.FILE}.csv").open(encoding="utf-8")))
        assert header == [f["name"] for f in by_path[f"{kind.FILE}.csv"]["schema"]["fields"]]
        assert list(pd.read_parquet(out / f"{kind.FILE}.parquet").columns) == list(kind.COLUMNS)
    assert (out / by_path[DUCKDB_FILE]["path"]).exists()
    fields = {f["name"]: f for f in by_path["table_cells.csv"]["schema"]["fields"]}
    assert fields["value"]["type"] == "number" and fields["value"]["unit"] == "万元"
    assert fields["page"]["type"] == "integer"
    docs = {f["name"]: f for f in by_path["documents.csv"]["schema"]["fields"]}
    assert docs["status"]["constraints"]["enum"] == ["ok", "partial", "needs_ocr", "failed"]


@pytest.mark.parametrize("kind", RECORD_TYPES, ids=lambda k: k.FILE)
def test_every_record_column_has_a_bilingual_description(kind) -> None:
    missing = [c for c in kind.COLUMNS if not (column_doc(kind.FILE, c) and column_doc(kind.FILE, c).zh)]
    assert not missing, f"describe these columns in pipeline/dictionary.py: {missing}"


def test_writes_leave_no_temporary_files(out: Path) -> None:
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]


def test_rewrite_replaces_the_database(tmp_path: Path) -> None:
    ds = small_dataset()
    write_dataset(ds, tmp_path)
    write_exports(ds, tmp_path)
    smaller = ds.without({DOC_B})
    write_dataset(smaller, tmp_path)
    write_exports(smaller, tmp_path)
    con = duckdb.connect(str(tmp_path / DUCKDB_FILE), read_only=True)
    try:
        assert con.execute("select count(*) from documents").fetchone()[0] == 1
    finally:
        con.close()
    assert len(_rows(tmp_path / EXCEL_DIR / "documents.csv", "utf-8-sig")) == 1


def test_check_command_rewrites_the_exports(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    write_dataset(small_dataset(), tmp_path)
    assert not (tmp_path / DUCKDB_FILE).exists()
    result = CliRunner().invoke(app, ["check", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / DUCKDB_FILE).exists() and (tmp_path / DATAPACKAGE_FILE).exists()
    canonical = _rows(tmp_path / "findings.csv", "utf-8")
    excel = _rows(tmp_path / EXCEL_DIR / "findings.csv", "utf-8-sig")
    assert [r["rule"] for r in excel] == [r["rule"] for r in canonical]


def test_parquet_columns_are_typed(out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cells = pq.read_table(out / "table_cells.parquet")
    assert cells.schema.field("value").type == pa.decimal128(18, 6)  # the scale the 元-shifted values need
    assert cells.schema.field("page").type == pa.int32()
    assert cells.schema.field("row").type == pa.string()
    frame = pd.read_parquet(out / "table_cells.parquet")
    b = frame[frame["doc_id"] == DOC_B]
    assert b["value"].sum() == Decimal("1234.567890")  # a sum, not concatenated digits
    assert all(isinstance(v, Decimal) for v in frame["value"])
    tables = pq.read_table(out / "tables.parquet")
    assert tables.schema.field("has_data").type == pa.bool_()
    assert tables.schema.field("n_cells").type == pa.int32()
    assert tables.column("pages").to_pylist()[0] in {"6;7", "18", "20", "8"}  # pages of a table: as in the CSV
    docs = pq.read_table(out / "documents.parquet").to_pydict()
    assert sorted(docs["fiscal_year"]) == [2023, 2024] and sorted(docs["pages"]) == [25, 30]
    findings = pq.read_table(out / "findings.parquet")
    assert pa.types.is_decimal(findings.schema.field("expected").type)
    assert Decimal("-2961.38") in findings.column("difference").to_pylist()
    # the same types as the DuckDB tables
    con = duckdb.connect(str(out / DUCKDB_FILE), read_only=True)
    try:
        assert con.execute("select data_type from information_schema.columns where table_name = 'table_cells' "
                           "and column_name = 'value'").fetchone()[0] == "DECIMAL(18,6)"
        assert con.execute("select data_type from information_schema.columns where table_name = 'findings' "
                           "and column_name = 'expected'").fetchone()[0].startswith("DECIMAL")
    finally:
        con.close()


def test_empty_parquet_files_are_typed_too(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.dataset import Dataset

    write_dataset(Dataset(), tmp_path)
    schema = pq.read_table(tmp_path / "tables.parquet").schema
    assert schema.field("has_data").type == pa.bool_() and schema.field("n_cells").type == pa.int32()


def test_narrative_values_keep_their_printed_digits(tmp_path: Path) -> None:
    from schemas.records import NarrativeFact

    ds = small_dataset()
    facts = [NarrativeFact(doc_id=DOC_A, metric="gpb_expenditure", value=Decimal("56781.82"), unit="万元", text="a"),
             NarrativeFact(doc_id=DOC_A, metric="gpb_class_share_pct", value=Decimal("0.001"), unit="%", text="b"),
             NarrativeFact(doc_id=DOC_A, metric="gpb_completion_pct", value=Decimal("100.00"), unit="%", text="c")]
    ds.facts = facts
    write_dataset(ds, tmp_path)
    write_exports(ds, tmp_path)
    con = duckdb.connect(str(tmp_path / DUCKDB_FILE), read_only=True)
    try:
        rows = dict(con.execute("select metric, value_text from narrative_facts").fetchall())
        exact = dict(con.execute("select metric, value from narrative_facts").fetchall())
    finally:
        con.close()
    assert rows == {"gpb_expenditure": "56781.82", "gpb_class_share_pct": "0.001", "gpb_completion_pct": "100.00"}
    assert exact["gpb_expenditure"] == Decimal("56781.82")  # the exact value beside it, at the column's scale
    parquet = pd.read_parquet(tmp_path / "narrative_facts.parquet")
    assert list(parquet["value_text"]) == ["56781.82", "0.001", "100.00"]
    assert list(_rows(tmp_path / "narrative_facts.csv", "utf-8")[0]) == list(NarrativeFact.COLUMNS)
    assert [r["value"] for r in _rows(tmp_path / "narrative_facts.csv", "utf-8")] == ["56781.82", "0.001", "100.00"]


def test_document_summary_falls_back_to_the_narrative_for_text_documents(tmp_path: Path) -> None:
    from pipeline.dataset import Dataset
    from pipeline.extract import extract_document
    from pipeline.query import run_query
    from tests.conftest import WUHAN_TXT

    r = extract_document(WUHAN_TXT)
    assert not r.cells
    ds = small_dataset()
    write_dataset(ds.add(Dataset([r.document], facts=r.facts)), tmp_path)
    rows = run_query("select doc_id, total_income_expenditure, general_public_budget_expenditure, income_total, "
                     "three_public_total_actual, headlines_from_narrative from document_summary order by doc_id",
                     tmp_path).rows
    by_doc = {row[0]: row[1:] for row in rows}
    # printed in its text: 收、支总计均为58381.82万元; 一般公共预算财政拨款支出56781.82万元; “三公” 11.94
    total, gpb, income, three, told = by_doc[r.document.doc_id]
    assert (total, gpb, income, three) == (Decimal("58381.82"), Decimal("56781.82"), Decimal("58381.82"),
                                           Decimal("11.94"))
    assert {"total_income_expenditure", "general_public_budget_expenditure"} <= set(told.split(";"))
    # a document whose tables give the figures keeps them, and says nothing came from the text
    a = by_doc[DOC_A]
    assert a[0] == Decimal("2995.39") and a[4] is None
