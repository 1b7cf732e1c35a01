"""A table whose identities fail is read again: a misreading is repaired, readings that disagree make the
table doubtful, a figure every engine reads the same stays the document's own inconsistency.

Real material: the golden document's 收入决算表 (pages 8-9, ruled). The misreading is made on purpose in
one engine's grid (a digit of its 合计 changed in the cells that engine reads); the misprint is made in
the page's characters, so that every engine reads it, as it would a figure the PDF really prints.
"""

from __future__ import annotations

from decimal import Decimal

import pdfplumber
import pytest

import extractors.tables as tables_module
from extractors.pages import iter_pages
from extractors.tables import TableExtraction, TableReader
from pipeline.assemble import check_dataset
from pipeline.dataset import Dataset
from pipeline.quality import DOUBTFUL_RULE
from pipeline.second_reading import DISAGREE, SECOND_READING, UNCONFIRMED, identity_failures, read_again
from schemas.records import DocStatus, DocType, Document, Severity
from tests.conftest import GOLDEN_PDF

INCOME_PAGES = {8, 9}  # the golden document's 收入决算表
PRINTED = "2,946.25"  # its 合计 [本年收入合计], as printed (the sum of its sources and of its 类 rows)
DOC = Document(doc_id="0123456789abcdef", file_name=GOLDEN_PDF.name, sha256="0" * 64, status=DocStatus.OK,
               doc_type=DocType.FINAL_ACCOUNTS)


def _misread(real, wrong: str):
    """``real`` (a grid engine) with the cell printed PRINTED read as ``wrong``."""
    def engine(page, chars):
        grids = real(page, chars)
        for g in grids:
            for cell in g.cells:
                if cell.lines == [PRINTED]:
                    cell.lines = [wrong]
        return grids
    return engine


def _first_reading() -> TableExtraction:
    reader = TableReader(DOC.doc_id)
    with pdfplumber.open(GOLDEN_PDF) as pdf:
        for page_no, page in iter_pages(pdf, only=INCOME_PAGES):
            reader.feed(page_no, page)
    return reader.finish("final_accounts")


def _income(ex: TableExtraction):
    (record,) = [t for t in ex.tables if t.table == "income"]
    return record, [c for c in ex.cells if c.table == "income"]


def _total(cells) -> Decimal:
    (value,) = [c.value for c in cells if c.row == "合计" and c.col == "total"]
    return value


def _checked(ex: TableExtraction, doc: Document = DOC):
    return check_dataset(Dataset(documents=[doc], tables=ex.tables, cells=ex.cells)).findings


def test_misread_cell_is_repaired_by_another_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables_module, "ruled_grids", _misread(tables_module.ruled_grids, "3,946.25"))
    first = _first_reading()
    record, cells = _income(first)
    assert record.engine == "pdfplumber-lines" and _total(cells) == Decimal("3946.25")
    assert identity_failures(DOC, record, cells)  # the misreading breaks the table's own sums

    again = read_again(GOLDEN_PDF, DOC, first, "final_accounts")
    record, cells = _income(again)
    assert record.engine == "camelot-lattice" + SECOND_READING
    assert _total(cells) == Decimal("2946.25") and len(cells) == len(_income(first)[1])
    assert "as read by pdfplumber-lines" in record.note and "3946.25 → 2946.25" in record.note
    assert record.status == "ok" and not identity_failures(DOC, record, cells)
    findings = _checked(again)
    assert not [f for f in findings if f.table == "income" and f.severity == Severity.ERROR]
    assert not [f for f in findings if f.rule == DOUBTFUL_RULE]


def test_readings_that_disagree_make_the_table_doubtful(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables_module, "ruled_grids", _misread(tables_module.ruled_grids, "3,946.25"))
    monkeypatch.setattr(tables_module, "camelot_grids", _misread(tables_module.camelot_grids, "4,946.25"))
    again = read_again(GOLDEN_PDF, DOC, _first_reading(), "final_accounts")
    record, cells = _income(again)
    assert record.engine == "pdfplumber-lines" and _total(cells) == Decimal("3946.25")  # the first reading stays
    assert DISAGREE in record.note and "3946.25 → 4946.25" in record.note
    findings = _checked(again)
    assert [f.table for f in findings if f.rule == DOUBTFUL_RULE] == ["income"]
    income = [f for f in findings if f.table == "income" and f.rule.startswith("table.sum")]
    assert not [f for f in income if f.severity == Severity.ERROR]
    assert [f for f in income if f.message.startswith("doubtful reading") and "3946.25" in f.message]


def test_a_figure_every_engine_reads_stays_a_published_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_feed = TableReader._feed

    def misprinted(self, page_no, page):  # the PDF itself prints 3,946.25: every engine reads these characters
        chars = page.chars
        text = "".join(c["text"] for c in chars)
        at = text.find(PRINTED)
        if at >= 0:
            chars[at]["text"] = "3"
        return real_feed(self, page_no, page)

    monkeypatch.setattr(TableReader, "_feed", misprinted)
    first = _first_reading()
    again = read_again(GOLDEN_PDF, DOC, first, "final_accounts")
    record, cells = _income(again)
    assert record.engine == "pdfplumber-lines" and _total(cells) == Decimal("3946.25")
    assert "camelot-lattice reads the same figures" in record.note and DISAGREE not in record.note
    findings = _checked(again)
    assert not [f for f in findings if f.rule == DOUBTFUL_RULE]
    assert [f for f in findings if f.table == "income" and f.severity == Severity.ERROR and f.rule.startswith("table.sum")]


def test_consistent_tables_are_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _first_reading()

    def never(*a, **k):
        raise AssertionError("a table whose identities hold was read again")

    monkeypatch.setattr("pipeline.second_reading._read", never)
    assert read_again(GOLDEN_PDF, DOC, first, "final_accounts") is first


def test_a_reading_that_lost_cells_does_not_replace_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reading whose identities hold only because it read fewer distinct cells (row labels lost, every
    value under one 合计 key) is no repair and no witness."""
    monkeypatch.setattr(tables_module, "ruled_grids", _misread(tables_module.ruled_grids, "3,946.25"))
    first = _first_reading()
    record, cells = _income(first)

    def collapsed(path, doc_id, table, family, strategy):
        merged = [c.model_copy(update={"side": None, "code": None, "row": "合计", "col": "total"}) for c in cells]
        return table.model_copy(update={"engine": "pdfplumber-text"}), merged

    monkeypatch.setattr("pipeline.second_reading._read", collapsed)
    again = read_again(GOLDEN_PDF, DOC, first, "final_accounts")
    kept, kept_cells = _income(again)
    assert kept.engine == record.engine and kept_cells == cells and UNCONFIRMED in kept.note


def test_a_table_no_other_engine_reads_is_doubtful(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing confirms the figures of a table only one engine can read: doubtful, not a published error."""
    monkeypatch.setattr(tables_module, "ruled_grids", _misread(tables_module.ruled_grids, "3,946.25"))
    monkeypatch.setattr(tables_module, "camelot_grids", lambda page, chars: [])
    again = read_again(GOLDEN_PDF, DOC, _first_reading(), "final_accounts")
    record, cells = _income(again)
    assert record.engine == "pdfplumber-lines" and UNCONFIRMED in record.note  # whitespace columns read less
    findings = _checked(again)
    assert [f.table for f in findings if f.rule == DOUBTFUL_RULE] == ["income"]
    assert not [f for f in findings if f.table == "income" and f.severity == Severity.ERROR]
