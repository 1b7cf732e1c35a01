"""Template text left in: placeholders in table headings and notes, and the template's choice of words
("增加（减少）", "下降（增长）") in the narrative, whose change then has no sign."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.extract import extract_document
from tests.conftest import SHARED, WUHAN_TXT
from tests.variants.make_variants import VARIANTS_BY_NAME, build_variant, load_golden

TEMPLATE = SHARED / "corpus" / "templates" / "附件2：部门决算模板.pdf"


def _table_placeholders(result) -> list:
    return [f for f in result.findings if f.rule == "structure.placeholder.table"]


def test_department_placeholder_in_table_headings_is_flagged(tmp_path):
    v = dataclasses.replace(VARIANTS_BY_NAME["header_wording"], name="xx_heading", department="上海市普陀区XX局")
    pdf, expected = build_variant(v, tmp_path, load_golden())
    result = extract_document(pdf)
    found = _table_placeholders(result)
    table_pages = {p for t in expected.tables.values() for p in t["pages"][:1]}
    assert {int(f.page) for f in found} == table_pages  # once per heading, on its own page
    assert all("XX" in f.message and "上海市普陀区XX局" in f.evidence and f.severity == "error" for f in found)
    # the same document with its department filled in has none
    clean, _ = build_variant(dataclasses.replace(v, name="filled", department="上海市普陀区统计局"), tmp_path, load_golden())
    assert not _table_placeholders(extract_document(clean))


def test_template_table_notes_are_flagged():
    result = extract_document(TEMPLATE)
    notes = [f for f in _table_placeholders(result) if "本表无数据" in f.evidence]
    assert {f.page for f in notes} == {"13", "14"}, [(f.page, f.evidence) for f in _table_placeholders(result)]


@pytest.fixture(scope="module")
def hongshan_with_choice(tmp_path_factory):
    text = WUHAN_TXT.read_text(encoding="utf-8")
    sentence = "收、支总计各减少 16525.54 万元，下降 22.06 %"
    assert sentence in text
    path = tmp_path_factory.mktemp("choice") / WUHAN_TXT.name
    path.write_text(text.replace(sentence, "收、支总计各减少（增加） 16525.54 万元，下降（增长） 22.06 %", 1), encoding="utf-8")
    return extract_document(WUHAN_TXT), extract_document(path)


def test_template_choice_leaves_the_change_unsigned(hongshan_with_choice):
    original, chosen = hongshan_with_choice
    before = {f.metric: str(f.value) for f in original.facts if f.metric.startswith("total_income_expenditure_change")}
    assert before == {"total_income_expenditure_change": "-16525.54", "total_income_expenditure_change_pct": "-22.06"}
    assert not [f for f in chosen.facts if f.metric.startswith("total_income_expenditure_change")]
    unsigned = [f for f in chosen.facts if "direction not stated" in (f.subject or "") and "16525.54" in f.text]
    assert sorted(str(f.value) for f in unsigned) == ["16525.54", "22.06"]  # as printed, never negated
    assert all(f.metric == "other" for f in unsigned)
    flagged = {f.message.split("”")[0].split("“")[1]: f for f in chosen.findings if f.rule == "structure.placeholder.text"}
    assert set(flagged) == {"减少(增加)", "下降(增长)", "增加(减少)"}
    assert all("no sign assigned" in f.message for f in flagged.values())
    assert flagged["减少(增加)"].severity == flagged["下降(增长)"].severity == "error"


def test_choice_before_zero_in_the_published_text_is_a_warning(hongshan_with_choice):
    """The Hongshan document itself prints "比全年预算增加（减少）0万元": true either way, a warning; the 0 unsigned."""
    original, _ = hongshan_with_choice
    flagged = [f for f in original.findings if f.rule == "structure.placeholder.text"]
    assert [(f.severity, "增加(减少)0万元" in f.evidence) for f in flagged] == [("warning", True)]
    zero = [f for f in original.facts if "比全年预算增加（减少）0万元" in f.text]
    assert [(f.metric, str(f.value)) for f in zero] == [("other", "0")]
