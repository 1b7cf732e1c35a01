"""A budget held against the final accounts of the same department and year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.assemble import check_dataset, dataset_of
from pipeline.dataset import Dataset
from pipeline.disclosures import department_key, link_disclosures
from pipeline.extract import extract_document
from schemas.records import NarrativeFact
from tests.conftest import SAMPLES, SHARED

BUDGET = SAMPLES / "上海市普陀区商务委员会25年预算.pdf"  # the same file as ../shared/corpus/budgets/shanghai_putuo's
JIANGSU = SHARED / "corpus" / "budgets" / "jiangsu_province"


@pytest.fixture(scope="module")
def budget():
    return extract_document(BUDGET)


def _paired(golden_extraction, budget, **changes):
    """The golden final accounts presented as the budget's department and year, its 三公 预算数 set to
    the budget's (one of them changed by ``changes``)."""
    b = budget.document
    doc = golden_extraction.document.model_copy(update={"department": b.department, "region": b.region,
                                                        "fiscal_year": b.fiscal_year})
    planned = {c.col: c.value for c in budget.cells if c.table == "three_public_expenses"}
    cells = []
    for c in golden_extraction.cells:
        if c.table == "three_public_expenses" and c.col.endswith("_budget"):
            if c.col not in planned:
                continue
            c = c.model_copy(update={"value": changes.get(c.col, planned[c.col]), "doc_id": doc.doc_id})
        cells.append(c)
    final = golden_extraction.__class__(doc, golden_extraction.tables, cells, golden_extraction.facts, [])
    return check_dataset(dataset_of([final, budget]))


def test_the_same_three_public_budget_gives_no_finding(golden_extraction, budget):
    ds = _paired(golden_extraction, budget)
    assert not [f for f in ds.findings if f.rule == "budget_final.three_public"]


def test_a_changed_three_public_budget_figure_gives_exactly_that_finding(golden_extraction, budget):
    ds = _paired(golden_extraction, budget, reception_budget=Decimal("1.20"))
    found = [f for f in ds.findings if f.rule == "budget_final.three_public"]
    assert [(f.col, f.severity, f.actual, f.expected) for f in found] == [
        ("reception_budget", "error", Decimal("1.20"), Decimal("1.00"))
    ]
    assert "上海市普陀区商务委员会25年预算.pdf p21" in (found[0].evidence or "")


def test_narrative_initial_budget_against_the_budget_table(golden_extraction, budget):
    b = budget.document
    doc = golden_extraction.document.model_copy(update={"department": b.department, "region": b.region,
                                                        "fiscal_year": b.fiscal_year})
    fact = NarrativeFact(doc_id=doc.doc_id, metric="gpb_item_budget_initial", subject="商贸事务/行政运行",
                         value=Decimal("938.99"), unit="万元", page=9, text="行政运行（项）。年初预算为938.99万元")
    wrong = fact.model_copy(update={"subject": "商贸事务/一般行政管理事务", "value": Decimal("450.00")})
    final = golden_extraction.__class__(doc, [], [], [fact, wrong], [])
    ds = check_dataset(dataset_of([final, budget]))
    found = [f for f in ds.findings if f.rule == "budget_final.gpb_initial"]
    # 938.99 restates 938.9913 rounded to the printed cent: a rounding note, not an error
    assert [(f.severity, f.actual, f.expected) for f in found] == [
        ("warning", Decimal("938.99"), Decimal("938.991300")), ("error", Decimal("450.00"), Decimal("454.500000"))]


def test_two_candidate_budgets_are_reported_never_guessed(golden_extraction, budget):
    twin = budget.document.model_copy(update={"doc_id": "f" * 16, "file_name": "twin.pdf"})
    twin_cells = [c.model_copy(update={"doc_id": twin.doc_id}) for c in budget.cells]
    ds = _paired(golden_extraction, budget)
    ds = check_dataset(Dataset([*ds.documents, twin], ds.tables, [*ds.cells, *twin_cells], ds.facts, []))
    found = [f for f in ds.findings if f.rule == "budget_final.three_public"]
    assert [f.severity for f in found] == ["info"] and "ambiguous" in found[0].message


def test_one_department_in_its_printed_forms():
    forms = ["中共江苏省委办公厅", "江苏省委办公厅", "中国共产党江苏省委员会办公厅"]
    assert {department_key(f) for f in forms} == {"委办公厅"}
    assert department_key("江苏省人大常委会办公厅") == department_key("江苏省人大常务委员会办公厅")
    assert department_key("上海市普陀区商务委员会") != department_key("上海市普陀区财政局")


def test_a_narrative_and_its_table_pdf_are_one_disclosure():
    narrative = extract_document(JIANGSU / "江苏省委办公厅_江苏省委办公厅2019年度部门预算公开文件.pdf")
    tables = extract_document(JIANGSU / "江苏省委办公厅_江苏省委办公厅2019年度部门预算公开表格.pdf")
    other_year = extract_document(JIANGSU / "江苏省委办公厅_江苏省委办公厅2018年度部门预算公开表.pdf")
    docs = link_disclosures([narrative.document, tables.document, other_year.document],
                            {tables.document.doc_id, other_year.document.doc_id})
    ids = [d.disclosure_id for d in docs]
    assert ids[0] == ids[1] and ids[2] == other_year.document.doc_id


def test_budget_vs_final_view_and_csv(tmp_path, golden_extraction, budget):
    """The view pairs the budget's figures with the final accounts' by table, code and column, and rates
    execution exactly; its CSV is written beside the dataset."""
    import csv
    from decimal import ROUND_HALF_UP

    from pipeline.assemble import save_dataset

    ds = _paired(golden_extraction, budget)
    save_dataset(ds, tmp_path)
    rows = list(csv.DictReader((tmp_path / "budget_vs_final.csv").open(encoding="utf-8")))
    from_budget = [r for r in rows if r["budget_source"] == "budget_document"]
    gpb = next(r for r in from_budget if r["table"] == "general_public_budget_expenditure" and r["code"] == "201"
               and r["budget_col"] == "total")
    final = next(c for c in golden_extraction.cells
                 if c.table == "general_public_budget_expenditure" and c.code == "201" and c.col == "total")
    assert Decimal(gpb["budget_value"]) == Decimal("2160.1733") and Decimal(gpb["final_value"]) == final.value
    rate = (final.value * 100 / Decimal("2160.1733")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(gpb["execution_rate_pct"]) == rate
    assert Decimal(gpb["difference"]) == final.value - Decimal("2160.1733")
    three = [r for r in from_budget if r["table"] == "three_public_expenses"]
    assert {(r["budget_col"], r["final_col"]) for r in three} >= {("reception_budget", "reception_actual")}
    # the final accounts' own 预算数 rows are there too, whatever the pairing
    assert any(r["budget_source"] == "final_accounts" for r in rows)


def test_budget_vs_final_has_a_typed_parquet_twin(tmp_path, golden_extraction, budget):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.assemble import save_dataset

    save_dataset(_paired(golden_extraction, budget), tmp_path)
    table = pq.read_table(tmp_path / "budget_vs_final.parquet")
    assert pa.types.is_decimal(table.schema.field("budget_value").type)
    assert table.num_rows == len((tmp_path / "budget_vs_final.csv").read_text(encoding="utf-8").splitlines()) - 1


def test_a_name_printed_on_its_own_line_then_in_the_title_is_one_name():
    from extractors.metadata import read_metadata

    meta = read_metadata(["江苏省政协办公厅\n江苏省政协办公厅2019年度部门预算\n"])
    assert meta.department == "江苏省政协办公厅" and meta.fiscal_year == 2019
    wrapped = read_metadata(["中共上海市普陀区委\n社会工作部2024年度部门决算"])  # one name over two lines stays whole
    assert wrapped.department == "中共上海市普陀区委社会工作部"
