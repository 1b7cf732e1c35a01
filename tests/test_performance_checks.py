"""Each performance rule on real rows of the Hongshan 2023 forms: a case that must fail, one that must pass.

Where the document itself holds no failing case, a real row is changed in one field (named in the test)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.checks import run_checks
from pipeline.checks.context import DocContext
from pipeline.checks.registry import RULES
from pipeline.dataset import Dataset
from pipeline.extract import extract_document
from schemas.records import DocType, Finding, PerformanceForm, PerformanceIndicator

HONGSHAN = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "text" / "000_5941b0c3484b8a45.txt"


@pytest.fixture(scope="module")
def ds() -> Dataset:
    r = extract_document(HONGSHAN)
    return Dataset([r.document], r.tables, r.cells, r.facts, [], r.forms, r.indicators)


def _form(ds: Dataset, annex: str) -> PerformanceForm:
    return next(f for f in ds.forms if f.annex == annex)


def _row(ds: Dataset, annex: str, name: str) -> PerformanceIndicator:
    fid = _form(ds, annex).form_id
    return next(r for r in ds.indicators if r.form_id == fid and r.indicator == name)


def _run(ds: Dataset, rule: str) -> list[Finding]:
    ctx = DocContext.build_all(ds, ds.documents)
    r = RULES[rule]
    return [f for c in ctx for f in (r.check(c, ctx) if r.scope == "dataset" else r.check(c))]


def _replace_row(ds: Dataset, row: PerformanceIndicator, **update) -> Dataset:
    return Dataset(ds.documents, forms=ds.forms, indicators=[r.model_copy(update=update) if r is row else r for r in ds.indicators])


def _replace_form(ds: Dataset, form: PerformanceForm, **update) -> Dataset:
    return Dataset(ds.documents, forms=[f.model_copy(update=update) if f is form else f for f in ds.forms], indicators=ds.indicators)


def _about(found: list[Finding], form: PerformanceForm, text: str = "") -> list[Finding]:
    return [f for f in found if form.form_id in (f.row or "") and text in f.message]


def test_score_above_weight(ds: Dataset) -> None:
    found = _run(ds, "performance.score_above_weight")
    hit = _about(found, _form(ds, "2"), "小区物业行政监管巡查住宅小区社区个数")  # printed 20 for a 2-point indicator
    assert len(hit) == 1 and hit[0].severity == "error" and (hit[0].expected, hit[0].actual) == (Decimal(2), Decimal(20))
    assert not _about(found, _form(ds, "3"))  # every score of 附件 3 within its weight


def test_score_formula(ds: Dataset) -> None:
    found = _run(ds, "performance.score_formula")
    occupancy = _about(found, _form(ds, "8"), "分配入住率")  # ≥60%, 52.86%, 5 points: the formula gives 4.41, printed 0
    assert len(occupancy) == 1 and occupancy[0].severity == "error" and occupancy[0].expected == Decimal(4)
    assert not _about(found, _form(ds, "1"), "商品房销售面积")  # 10 × 137.33 / 155 = 8.86 as printed
    assert not _about(found, _form(ds, "3"), "租金收入")  # 10 × 67.49 / 96.58 = 6.99 as printed


def test_execution(ds: Dataset) -> None:
    found = _run(ds, "performance.execution")
    assert not _about(found, _form(ds, "6"))  # 535.6 / 578.2 = 92.63%, 20 × 92.63% = 18.53
    city = _about(found, _form(ds, "9"))  # 20 × 99.88% = 19.976, printed 19.97 (truncated)
    assert [f.severity for f in city] == ["warning"] and city[0].actual == Decimal("19.97")
    wrong = _replace_form(ds, _form(ds, "6"), execution_score=Decimal("17.53"))
    assert [f.severity for f in _about(_run(wrong, "performance.execution"), _form(ds, "6"))] == ["error"]


def test_total(ds: Dataset) -> None:
    found = _run(ds, "performance.total")
    safety = _about(found, _form(ds, "2"))  # 20.0 + 20 + 78 (the 20 printed for a 2-point row) ≠ 100
    assert len(safety) == 1 and safety[0].severity == "error" and safety[0].expected == Decimal("118.0")
    assert not _about(found, _form(ds, "1")) and not _about(found, _form(ds, "3"))  # 95.75 and 96.39 add up


def test_unexplained_result(ds: Dataset) -> None:
    rent = _row(ds, "3", "租金收入")  # 96.58万元 → 67.49万元, 6.99 of 10 points, reason printed on the form
    assert not _run(ds, "performance.unexplained_result")
    full = _replace_row(ds, rent, score=Decimal(10))
    silent = _replace_form(full, _form(ds, "3"), deviation_reason=None)
    hit = _run(silent, "performance.unexplained_result")
    assert len(hit) == 1 and hit[0].severity == "warning" and "not met" in hit[0].message
    assert not _run(full, "performance.unexplained_result")  # the same full marks, but the reason is printed
    party = _row(ds, "6", "检查党委组织党建活动次数")  # ≥3次 met with 3次: a deduction needs a reason
    hit = _run(_replace_row(ds, party, score=Decimal("0.5")), "performance.unexplained_result")
    assert len(hit) == 1 and "met" in hit[0].message


def test_narrative_against_forms(ds: Dataset) -> None:
    found = _run(ds, "performance.narrative")
    rent = _about(found, _form(ds, "5"))  # section 十三 says 5599.4 万元, the form 5599.43
    assert {f.col for f in rent} == {"funds_total", "executed"} and {f.severity for f in rent} == {"warning"}
    assert not _about(found, _form(ds, "3"))  # 96.39 分, 568.48 / 564.29 / 99.26%, 15 set and 13 met: all agree
    assert not _about(found, _form(ds, "1"))  # 35 indicators, 27 met
    counted = _replace_form(ds, _form(ds, "3"), stated_indicators_met=14)
    hit = _about(_run(counted, "performance.narrative"), _form(ds, "3"))
    assert [(f.col, f.severity, f.expected, f.actual) for f in hit] == [("n_met", "error", Decimal(13), Decimal(14))]


def test_annexes(ds: Dataset, tmp_path: Path) -> None:
    found = _run(ds, "performance.annex")
    assert [f.row for f in found] == [_form(ds, "4").form_id]  # 附件 4 prints the 房管事务服务管理 form under another title
    text = HONGSHAN.read_text(encoding="utf-8")
    cut = tmp_path / "without_annex_10.txt"
    cut.write_text(text[: text.index(" 附件 10")], encoding="utf-8")
    r = extract_document(cut)
    short = Dataset([r.document], forms=r.forms, indicators=r.indicators)
    missing = [f for f in _run(short, "performance.annex") if f.severity == "error"]
    assert len(missing) == 1 and "附件 10" in missing[0].message
    assert [f.status for f in r.forms if f.annex == "10"] == ["missing"]


def test_target_changed(ds: Dataset) -> None:
    doc = ds.documents[0]
    budget_doc = doc.model_copy(update={"doc_id": "budget2023", "file_name": "budget.pdf", "doc_type": DocType.BUDGET})
    form = _form(ds, "3")
    target_form = form.model_copy(update={"doc_id": "budget2023", "form_id": "budget2023-01", "kind": "target"})
    rows = [r.model_copy(update={"doc_id": "budget2023", "form_id": "budget2023-01"}) for r in ds.indicators if r.form_id == form.form_id]
    both = Dataset([doc, budget_doc], forms=ds.forms + [target_form], indicators=ds.indicators + rows)
    assert not _run(both, "performance.target_changed")  # the same targets in both
    moved = [r.model_copy(update={"target_text": "≥150万元", "target_op": ">=", "target_value": Decimal(150), "target_unit": "万元"})
             if r.indicator == "租金收入" else r for r in rows]
    changed = Dataset([doc, budget_doc], forms=ds.forms + [target_form], indicators=ds.indicators + moved)
    hit = _run(changed, "performance.target_changed")
    assert len(hit) == 1 and hit[0].doc_id == doc.doc_id and (hit[0].expected, hit[0].actual) == (Decimal(150), Decimal("96.58"))


def test_run_checks_keeps_forms(ds: Dataset) -> None:
    rules = {f.rule for f in run_checks(ds)}
    assert {"performance.score_above_weight", "performance.total", "performance.annex"} <= rules


def test_view_claims_vs_numbers(ds: Dataset) -> None:
    import duckdb

    from pipeline.duck import load_dataset

    def rows(data: Dataset) -> list[tuple]:
        con = duckdb.connect(":memory:")
        load_dataset(con, data)
        return con.execute("SELECT indicator, target_text, actual_text, score FROM performance_claims_vs_numbers").fetchall()

    assert rows(ds) == []  # every missed target of the ten forms lost points
    full = _replace_row(ds, _row(ds, "3", "租金收入"), score=Decimal(10))
    assert rows(full) == [("租金收入", "96.58万元", "67.49万元", Decimal(10))]
