from __future__ import annotations

import pytest

from extractors.metadata import read_metadata, region_of


@pytest.mark.parametrize(
    "pages, department, region, year, doc_type",
    [
        (["上海市普陀区财政局\n年度部门决算\n2024\n"], "上海市普陀区财政局", "上海市普陀区", 2024, "final_accounts"),
        (["中共上海市普陀区委社会工作部 2024 年度部门决算"], "中共上海市普陀区委社会工作部", "上海市普陀区", 2024, "final_accounts"),
        (["上海市普陀区2025年区级部门预算\n预算主管部门：上海市普陀区人民政府办公室"],
         "上海市普陀区人民政府办公室", "上海市普陀区", 2025, "budget"),
        (["上海市普陀区2025年区级单位预算\n预算单位：上海市普陀区商务委员会"], "上海市普陀区商务委员会", "上海市普陀区", 2025, "budget"),
        ([" 第一部分 武汉市洪山区住房保障和房屋管理局概况\n\n一、部门主要职责\n第二部分 2023 年度部门决算表"],
         "武汉市洪山区住房保障和房屋管理局", "武汉市洪山区", 2023, "final_accounts"),
        (["公开01表\n收支预算总表\n部门：江苏省政协办公厅 单位：万元"], "江苏省政协办公厅", "江苏省", None, "budget"),
    ],
)
def test_read_metadata(pages, department, region, year, doc_type):
    m = read_metadata(pages)
    assert (m.department, m.region, m.fiscal_year, m.doc_type) == (department, region, year, doc_type)


def test_template_placeholder_department_kept_as_printed():
    m = read_metadata(["上海市 XX 局\n2024 年度部门决算"])
    assert m.department == "上海市XX局"


def test_not_a_disclosure():
    m = read_metadata(["关于召开2024年工作会议的通知\n各单位：请准时参加。"])
    assert m.doc_type is None and m.department is None


def test_region_of_party_committee():
    assert region_of("中国共产党江苏省委员会办公厅") == "江苏省"


@pytest.mark.parametrize(
    "title, department, region, year, doc_type",
    [  # PDFs of performance forms only: the type is the family their title's words belong to
        ("广州市政务服务和数据管理局2026年项目支出绩效目标表", "广州市政务服务和数据管理局", "广州市", 2026, "budget"),
        ("长沙市市场监督管理局绩效评价结果", "长沙市市场监督管理局", "长沙市", None, "final_accounts"),
        ("上海市普陀区财政局2024年度部门整体支出绩效自评表", "上海市普陀区财政局", "上海市普陀区", 2024, "final_accounts"),
        ("2022年度长沙市市场监督管理局市场监督专项及部门项目支出绩效评价结果\n为加强财政支出管理，长沙市财政局绩效评价工作组",
         "长沙市市场监督管理局", "长沙市", 2022, "final_accounts"),
        ("中共江苏省委办公厅2019年部门整体支出绩效目标表", "中共江苏省委办公厅", "江苏省", 2019, "budget"),
        ("中共上海市普陀区委社会工作部部门整体支出绩效自评表", "中共上海市普陀区委社会工作部", "上海市普陀区", None, "final_accounts"),
    ],
)
def test_performance_document_titles(title, department, region, year, doc_type):
    m = read_metadata([title])
    assert (m.department, m.region, m.fiscal_year, m.doc_type) == (department, region, year, doc_type)
    assert m.performance_only


def test_a_disclosure_with_a_performance_annex_is_not_performance_only():
    m = read_metadata(["上海市普陀区财政局2024年度部门决算\n附件：部门整体支出绩效自评表"])
    assert m.doc_type == "final_accounts" and not m.performance_only


def test_central_level_organs_are_region_central():
    assert region_of("国家信访局") == "中央"
    assert region_of("中华人民共和国审计署") == "中央"
    assert region_of("江苏省国家保密局") == "江苏省"
    assert read_metadata(["国家信访局2024年度部门决算"]).region == "中央"
