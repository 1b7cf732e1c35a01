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
