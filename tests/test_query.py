from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.dataset import Dataset, write_dataset
from pipeline.exports import DUCKDB_FILE, write_exports
from pipeline.query import run_query
from schemas.records import Finding
from tests.datasets import DOC_A, DOC_B, write_small_dataset

ACCEPTANCE = "select department, fiscal_year, count(*) from findings join documents using (doc_id) group by all"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_small_dataset(tmp_path_factory.mktemp("q"))


def test_query_over_csv_folder_matches_the_shipped_database(folder: Path) -> None:
    sql = "select doc_id, sum(value) as s, count(*) as n from table_cells group by doc_id order by doc_id"
    from_csv = run_query(sql, folder)
    con = duckdb.connect(str(folder / DUCKDB_FILE), read_only=True)
    try:
        from_db = con.execute(sql).fetchall()
    finally:
        con.close()
    assert from_csv.rows == from_db
    assert from_csv.columns == ["doc_id", "s", "n"]
    assert dict((r[0], r[1]) for r in from_csv.rows)[DOC_B] == Decimal("1234.567890")


def test_acceptance_query_counts_findings_per_department(folder: Path) -> None:
    rows = run_query(ACCEPTANCE, folder).rows
    assert sorted(rows) == [("@武汉市洪山区住房保障和房屋管理局", 2023, 1), ("上海市普陀区财政局", 2024, 2)]


def test_cli_prints_a_table(folder: Path) -> None:
    result = CliRunner().invoke(app, ["query", ACCEPTANCE, "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert "上海市普陀区财政局" in result.output and "2024" in result.output


def test_cli_writes_csv_with_exact_decimals(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["query", "select doc_id, value from table_cells order by value",
                                      "--data", str(folder), "--csv", str(target)])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["doc_id", "value"]
    assert rows[1] == [DOC_B, "-0.000001"]
    assert [DOC_B, "1234.567891"] in rows
    assert [DOC_A, "2995.390000"] in rows  # the column's common scale; the decimal value is unchanged


def test_cli_reports_bad_sql_and_missing_data(folder: Path, tmp_path: Path) -> None:
    bad = CliRunner().invoke(app, ["query", "select nope from nowhere", "--data", str(folder)])
    assert bad.exit_code == 1 and "query failed" in bad.output
    missing = CliRunner().invoke(app, ["query", "select 1", "--data", str(tmp_path / "absent")])
    assert missing.exit_code == 2 and "documents.csv" in missing.output


def test_acceptance_query_on_a_real_extraction(golden_extraction, tmp_path: Path) -> None:
    r = golden_extraction
    finding = Finding(doc_id=r.document.doc_id, rule="demo", severity="error", message="m", page="21")
    ds = Dataset([r.document], r.tables, r.cells, r.facts, [finding])
    write_dataset(ds, tmp_path)
    write_exports(ds, tmp_path)
    result = CliRunner().invoke(app, ["query", ACCEPTANCE, "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert run_query(ACCEPTANCE, tmp_path).rows == [("上海市普陀区财政局", 2024, 1)]
    summary = run_query("select department, fiscal_year, pages, n_findings from document_summary", tmp_path).rows
    assert summary == [("上海市普陀区财政局", 2024, 25, 1)]


def test_cli_prints_brackets_as_text(folder: Path) -> None:
    result = CliRunner().invoke(app, ["query", "select '[/bold] [red]x' as \"[/c]\"", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert "[/bold] [red]x" in result.output
    bad = CliRunner().invoke(app, ["query", "select [/x] from documents", "--data", str(folder)])
    assert bad.exit_code == 1 and "query failed" in bad.output


@pytest.mark.parametrize("sql", ["delete from findings", "drop table findings", "create table x as select 1",
                                 "select 1; delete from documents", "copy findings to 'x.csv'",
                                 "insert into documents (doc_id) values ('x')"])
def test_writes_are_refused_with_a_clear_message(folder: Path, sql: str) -> None:
    before = (folder / "findings.csv").read_bytes()
    result = CliRunner().invoke(app, ["query", sql, "--data", str(folder)])
    assert result.exit_code == 2, result.output
    assert "only reads" in result.output and "refused" in result.output
    assert "Count" not in result.output and "Success" not in result.output
    assert (folder / "findings.csv").read_bytes() == before


def test_reading_statements_still_run(folder: Path) -> None:
    for sql in ("describe findings", "explain select 1", "pragma table_info('documents')", "show tables"):
        assert CliRunner().invoke(app, ["query", sql, "--data", str(folder)]).exit_code == 0, sql


def test_wide_results_are_shown_as_records(folder: Path) -> None:
    result = CliRunner().invoke(app, ["query", "select * from document_summary order by doc_id desc", "--data", str(folder)],
                                env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "── row 1 ──" in out and "── row 2 ──" in out
    # every column name with its value on one line, readable at 100 columns
    line = next(x for x in out.splitlines() if x.startswith("total_income_expenditure "))
    assert Decimal(line.split()[-1]) == Decimal("2995.39")  # row 1 is DOC_A
    assert max(len(x) for x in out.splitlines() if "──" not in x and "CSV" not in x) <= 100
    assert "--csv" in out
    narrow = CliRunner().invoke(app, ["query", "select doc_id, status from documents", "--data", str(folder)],
                                env={"COLUMNS": "100"})
    assert "── row" not in narrow.output and "partial" in narrow.output
    forced = CliRunner().invoke(app, ["query", "select doc_id from documents", "--data", str(folder), "--records"])
    assert "── row 1 ──" in forced.output


def test_csv_with_bom_for_excel(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    sql = "select department from documents order by doc_id"
    result = CliRunner().invoke(app, ["query", sql, "--data", str(folder), "--csv", str(target), "--bom"])
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfdepartment\r\n") and "上海市普陀区财政局".encode() in raw
    plain = CliRunner().invoke(app, ["query", sql, "--data", str(folder), "--csv", str(target)])
    assert plain.exit_code == 0 and target.read_bytes().startswith(b"department")
    assert CliRunner().invoke(app, ["query", sql, "--data", str(folder), "--bom"]).exit_code == 2
