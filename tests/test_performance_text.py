"""Performance forms read from text lines: the ten Hongshan 2023 self-evaluation forms against a
hand-written expected file (scored with ../shared/tools/score.py performance), and the row
patterns of the text layer on real rows copied from that text."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from extractors.perf_values import parse_value
from extractors.performance_rows import RowReader, split_labels
from pipeline.dataset import Dataset, read_dataset, write_dataset
from pipeline.extract import extract_document
from tests.perf_golden import FIXTURES, read_expected, write_golden

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
HONGSHAN = SHARED / "corpus" / "text" / "000_5941b0c3484b8a45.txt"
EXPECTED = FIXTURES / "hongshan_2023_forms.txt"
SCORE = SHARED / "tools" / "score.py"
MIN_F1 = Decimal("1")  # every form and row of the expected file, as printed


@pytest.fixture(scope="module")
def hongshan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    r = extract_document(HONGSHAN)
    out = tmp_path_factory.mktemp("hongshan")
    write_dataset(Dataset([r.document], r.tables, r.cells, r.facts, r.findings, r.forms, r.indicators), out)
    return out


def _score(out: Path, golden: Path) -> tuple[Decimal, str]:
    run = subprocess.run([sys.executable, str(SCORE), "performance", str(out), str(golden)],
                         capture_output=True, text=True, check=False)
    last = run.stdout.strip().splitlines()[-1]
    return Decimal(last.rsplit("F1", 1)[1].strip()), run.stdout


def test_hongshan_ten_forms_score(hongshan: Path, tmp_path: Path) -> None:
    golden = write_golden(HONGSHAN.name, EXPECTED, tmp_path / "golden.json")
    f1, text = _score(hongshan, golden)
    assert "forms 10/10" in text, text
    assert f1 >= MIN_F1, text


def test_hongshan_forms_as_printed(hongshan: Path) -> None:
    ds = read_dataset(hongshan)
    expected = read_expected(EXPECTED)
    assert len(ds.forms) == 10 and len(ds.indicators) == 138
    by_annex = {f.annex: f for f in ds.forms}
    assert [f.annex for f in ds.forms] == [str(i) for i in range(1, 11)]
    dept = by_annex["1"]
    assert (dept.scope, dept.funds_total, dept.executed, dept.execution_rate_pct, dept.execution_score, dept.total_score) == (
        "department", Decimal("59751.89"), Decimal("58381.81"), Decimal("97.71"), Decimal("19.54"), Decimal("95.75"))
    assert dept.overall_target and dept.overall_target.count("年度目标") == 5
    city = by_annex["9"]
    assert (city.project, city.execution_weight, city.overall_weight, city.overall_score) == (
        "城建项目", Decimal(20), Decimal(20), Decimal(20))
    assert city.overall_target.endswith("改善湖泊水环境质量。") and city.overall_result.startswith("完成了第五立面整治工程")
    assert "南湖连通渠片" in (city.deviation_reason or "") and city.improvement.startswith("进一步推进优化整改城建工作")
    # the narrative's restatement joined to its form (附件 5: 5599.4 in section 十三, 5599.43 on the form)
    rent = by_annex["5"]
    assert (rent.stated_funds_total, rent.funds_total, rent.stated_indicators_set, rent.stated_indicators_met) == (
        Decimal("5599.4"), Decimal("5599.43"), 10, 9)
    assert by_annex["4"].announced_title == "2023年度大学毕业生租赁专项自评表"
    assert sum(1 for r in expected["indicators"] if r["form"] == 0) == 35 == dept.stated_indicators_set


def test_values_parsed_from_real_rows(hongshan: Path) -> None:
    rows = {(r.form_id[-2:], r.indicator): r for r in read_dataset(hongshan).indicators}
    sales = rows[("01", "商品房销售面积")]
    assert (sales.target_text, sales.target_op, sales.target_value, sales.target_unit) == ("155 万平方米", None, Decimal(155), "万平方米")
    assert (sales.actual_value, sales.actual_unit, sales.score, sales.group) == (Decimal("137.33"), "万平方米", Decimal("8.86"), "年度目标1")
    error_rate = rows[("03", "窗口业务受理工作错误率")]
    assert (error_rate.target_op, error_rate.target_value, error_rate.target_unit) == ("<=", Decimal("0.2"), "%")
    report = rows[("02", "物业巡查报告及时提交")]
    assert (report.target_text, report.target_value, report.target_op) == ("按季提交", None, None)
    bond = rows[("10", "改造老旧小区数量")]
    assert (bond.weight, bond.weight_from, bond.level2, bond.level2_weight) == (Decimal(10), "level2", "数量指标", Decimal(10))


@pytest.mark.parametrize("text, op, number, unit", [
    ("≥2次", ">=", "2", "次"), ("100%", "", "100", "%"), ("155 万平方米", "", "155", "万平方米"),
    ("≤0.2%", "<=", "0.2", "%"), ("79016.42m²", "", "79016.42", "m²"), ("≧4次", ">=", "4", "次"),
    ("＜3191170元", "<", "3191170", "元"), ("≤29.91元/件", "<=", "29.91", "元/件"), ("不低于95%", ">=", "95", "%"),
    ("0", "", "0", None),
])
def test_parse_quantitative(text: str, op: str, number: str, unit: str | None) -> None:
    v = parse_value(text)
    assert (v.text, v.op, v.number, v.unit) == (text, op, Decimal(number), unit)


@pytest.mark.parametrize("text", ["按季提交", "有提升", "无事故", "每月 2次", "收缴率为 85%", "有下降，下降6.73%", "全市党风廉政建设责任制考核名次靠前"])
def test_parse_qualitative(text: str) -> None:
    v = parse_value(text)
    assert (v.text, v.number, v.op, v.unit) == (text, None, None, None)


def _read(lines: str, uses_weights: bool = True) -> list[tuple]:
    reader = RowReader(uses_weights=uses_weights)
    for line in lines.split("\n"):
        reader.feed(line, 7)
    return [(r.level1, r.level2, r.name, r.weight, r.target, r.actual, r.score) for r in reader.finish()]


def test_row_values_one_fragment_per_line() -> None:
    # 附件 1: a narrow actual-value column wraps "137.33万平方米" over three lines, the score alone below
    rows = _read("产出指\n标（10\n分）\n数量指标\n（10分）\n商品房销售面积\n（10 分）\n155 万平方米\n137.33\n万平方\n米\n8.86")
    assert rows == [("产出指标", "数量指标", "商品房销售面积", "10", "155 万平方米", "137.33万平方米", "8.86")]


def test_row_labels_of_other_columns_on_the_value_line() -> None:
    # 附件 4: level 1, level 2 and name fragments share the baseline of the values; their tails follow
    rows = _read("效益指标 社会效益 有助于保障人才公 有助于 有助于 10\n （20分） 指标（20\n分）\n寓的运营管理（10\n分）\n"
                 "有助于提高人才留\n汉意愿（10分）\n有助于 有助于 10")
    assert rows == [("效益指标", "社会效益指标", "有助于保障人才公寓的运营管理", "10", "有助于", "有助于", "10"),
                    ("效益指标", "社会效益指标", "有助于提高人才留汉意愿", "10", "有助于", "有助于", "10")]


def test_row_weight_after_the_values() -> None:
    # 附件 8: "开工目标完成率（5 100% 100% 5" and the weight's "分）" on the next line
    rows = _read("时效指标\n（5分）\n补贴发放目标完成\n率（5分）\n100% 100% 5\n开工目标完成率（5 100% 100% 5\n 分）")
    assert [r[2:4] for r in rows] == [("补贴发放目标完成率", "5"), ("开工目标完成率", "5")]


def test_row_actual_with_words_before_a_number() -> None:
    rows = _read("区内优保建筑巡查次\n数（2分）\n2次 每月 2次 2\n按时完成租金收缴\n（3分）\n按时完成 收缴率为 85% 2.55")
    assert [r[4:] for r in rows] == [("2次", "每月 2次", "2"), ("按时完成", "收缴率为 85%", "2.55")]


def test_level_word_alone_is_not_a_name() -> None:
    assert split_labels("质量指标（2分）").name == "质量指标"  # alone it stays (a row would say more)
    lab = split_labels("项目年度绩效指标（60分）产出指标（30分）数量指标（20分）合同范围内全部小区专项巡查次数（2分）")
    assert (lab.level1, lab.level1_weight, lab.level2, lab.level2_weight, lab.name, lab.weight) == (
        "产出指标", "30", "数量指标", "20", "合同范围内全部小区专项巡查次数", "2")


def test_row_label_columns_interleaved() -> None:
    # 附件 1's last row: the 一级 label's weight is left open ("指标（2"), the 二级 label and the name's
    # head follow before the values, and the open weight's "分）" shares a line with the name's tail after them
    rows = _read("满意度\n指标（2\n满意度指标\n（2分） 劳务外包服务满\n≥95% ≥95% 2\n 分） 意度（2分）")
    assert rows == [("满意度指标", "满意度指标", "劳务外包服务满意度", "2", "≥95%", "≥95%", "2")]
    # the same fragments without an interrupted weight stay one column of labels
    assert _read("满意度指标（2分）\n满意度指标（2分）\n劳务外包服务满意度（2分）\n≥95% ≥95% 2")[0][2] == "劳务外包服务满意度"
