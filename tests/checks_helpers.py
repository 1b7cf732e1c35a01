"""Build small datasets for the checks tests: the golden records, and hand-made cells and facts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from pipeline.dataset import Dataset
from schemas.keys import table_spec
from schemas.records import DocStatus, DocType, Document, NarrativeFact, TableCell, TableRecord

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN_NAME = "上海市普陀区财政局2024年度部门决算"
GOLDEN_FILE = f"{GOLDEN_NAME}.pdf"


def document(doc_id: str = "d1", department: str = "上海市某测试局", year: int = 2024,
             file_name: str | None = None) -> Document:
    return Document(doc_id=doc_id, file_name=file_name or f"{doc_id}.pdf", sha256=doc_id.ljust(64, "0"),
                    department=department, region=None, fiscal_year=year, doc_type=DocType.FINAL_ACCOUNTS,
                    status=DocStatus.OK)


def golden_dataset(doc_id: str = "golden0000000000") -> Dataset:
    """The golden document's records exactly as the extractors are specified to produce them."""
    tables_json = json.loads((FIXTURES / f"{GOLDEN_NAME}.tables.json").read_text(encoding="utf-8"))
    doc = document(doc_id, "上海市普陀区财政局", 2024, GOLDEN_FILE).model_copy(update={"region": "上海市普陀区"})
    cells = [TableCell(doc_id=doc_id, table=c["table"], side=c.get("side"), code=c.get("code"), row=c["row"],
                       col=c["col"], value=c["value"], page=c["page"]) for c in tables_json["cells"]]
    tables = [TableRecord(doc_id=doc_id, table=t["table"], title=table_spec(t["table"]).titles[0],
                          pages=tuple(t["pages"]), has_data=t["has_data"],
                          n_cells=sum(1 for c in cells if c.table == t["table"])) for t in tables_json["tables"]]
    facts = []
    for line in (FIXTURES / f"{GOLDEN_NAME}.narrative.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            f = json.loads(line)
            facts.append(NarrativeFact(doc_id=doc_id, section=f.get("section"), metric=f["metric"],
                                       subject=f.get("subject") or None, value=f["value"], unit=f["unit"],
                                       page=f.get("page"), text=f["text"]))
    return Dataset([doc], tables, cells, facts, [])


def cell(table: str, col: str, value: str, *, code: str | None = None, row: str = "", side: str | None = None,
         page: int = 1, doc_id: str = "d1") -> TableCell:
    return TableCell(doc_id=doc_id, table=table, side=side, code=code, row=row or (code or ""), col=col,
                     value=Decimal(value), page=page)


def fact(metric: str, value: str, unit: str = "万元", *, subject: str | None = None, text: str = "",
         page: int = 20, doc_id: str = "d1") -> NarrativeFact:
    return NarrativeFact(doc_id=doc_id, metric=metric, subject=subject, value=Decimal(value), unit=unit, page=page,
                         text=text or f"{metric} {value}{unit}")


def dataset(cells: list[TableCell] = (), facts: list[NarrativeFact] = (), doc: Document | None = None,
            tables: list[str] | None = None) -> Dataset:
    """One document holding ``cells`` and ``facts``; every table they use is recorded as found."""
    doc = doc or document()
    keys = tables if tables is not None else sorted({c.table for c in cells})
    recs = [TableRecord(doc_id=doc.doc_id, table=k, title=table_spec(k).titles[0], pages=(1,),
                        has_data=any(c.table == k for c in cells), n_cells=sum(1 for c in cells if c.table == k))
            for k in keys]
    return Dataset([doc], recs, list(cells), list(facts), [])
