from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from pipeline.dataset import Dataset, read_dataset, write_dataset
from schemas.records import Document, Finding, NarrativeFact, TableCell, TableRecord


def _cell(value) -> TableCell:
    return TableCell(doc_id="d", table="income", code="2010601", row="行政运行", col="total", value=value, page=8)


def test_amounts_refuse_floats_and_keep_printed_precision():
    with pytest.raises(ValidationError):
        _cell(2940.05)
    with pytest.raises(ValidationError):
        Finding(doc_id="d", rule="r", severity="error", message="m", expected=0.1)
    assert _cell("2940.50").to_row()["value"] == "2940.50"
    assert _cell(Decimal("29405000").scaleb(-4)).to_row()["value"] == "2940.5000"
    assert _cell(Decimal("1E+1")).to_row()["value"] == "10"  # never scientific notation


def test_unknown_values_are_empty_fields():
    row = Document(doc_id="d", file_name="f.pdf", sha256="0" * 64, status="failed").to_row()
    assert row["region"] == "" and row["fiscal_year"] == "" and row["status"] == "failed"


def test_dataset_round_trip_and_merge_by_document(tmp_path):
    ds = Dataset(
        [Document(doc_id="a", file_name="a.pdf", sha256="a" * 64, status="ok", pages=3),
         Document(doc_id="b", file_name="b.pdf", sha256="b" * 64, status="ok")],
        [TableRecord(doc_id="a", table="income", title="收入决算表", pages=(8, 9), has_data=True, n_cells=1)],
        [_cell("1.10").model_copy(update={"doc_id": "a"})],
        [NarrativeFact(doc_id="a", metric="income_total", value="-56.95", unit="万元", page=21, text="减少56.95万元")],
        [],
    )
    write_dataset(ds, tmp_path)
    back = read_dataset(tmp_path)
    assert back.tables[0].pages == (8, 9) and back.tables[0].has_data is True
    assert back.cells[0].value == Decimal("1.10") and str(back.cells[0].value) == "1.10"
    assert back.facts[0].value == Decimal("-56.95")
    again = back.add(Dataset([Document(doc_id="a", file_name="a2.pdf", sha256="a" * 64, status="partial")]))
    assert sorted(d.doc_id for d in again.documents) == ["a", "b"]
    assert again.cells == [] and again.tables == []  # a's old rows replaced, not duplicated
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))
    assert (tmp_path / "documents.csv").stat().st_mode & 0o044 == 0o044
