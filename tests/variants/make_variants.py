"""Generate final-account PDFs in the layouts real disclosures use, from the golden table values.

The hidden acceptance runs on documents nobody here has: other departments, provinces and
layouts (no ruling lines, codes in one column, 表1 / 附表一 / 公开01表 titles, Hubei table
order, /Rotate pages, tables split over pages with repeated headers, 单位：元, scanned pages).
Each variant prints the nine standard tables with the golden document's values in one such
layout, and records the cells the extractor must return (in 万元) with the page each row
landed on, so tests compare exactly, never by eye.

Run ``python -m tests.variants.make_variants OUT_DIR [--score]`` to write the PDFs and their
expected JSON, and with --score to print each variant's recall and precision.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_TABLES = ROOT / "tests" / "fixtures" / "上海市普陀区财政局2024年度部门决算.tables.json"
FONT = "STSong-Light"  # reportlab's built-in CID font: no file to ship, text extracts as Unicode
YEAR = 2024

NATIONAL_ORDER = (
    "income_expenditure_summary", "income", "expenditure", "fiscal_appropriation_summary",
    "general_public_budget_expenditure", "general_public_budget_basic_expenditure", "three_public_expenses",
    "government_fund", "state_capital",
)
# Hubei prints the 三公 table after the two fund tables
HUBEI_ORDER = (*NATIONAL_ORDER[:6], "government_fund", "state_capital", "three_public_expenses")


@dataclass(frozen=True)
class Variant:
    name: str
    department: str
    about: str
    ruled: bool = True
    split_codes: bool = True  # codes over 类/款/项 columns, else one 7-digit column
    title_style: str = "plain"  # plain | 表1 | 附表一 | 公开01表
    order: tuple[str, ...] = NATIONAL_ORDER
    rotate_landscape: bool = False  # landscape tables on portrait media with /Rotate 90
    repeat_header: bool = False  # header rows printed again on each continuation page
    spill_empty_row: bool = False  # the 财政拨款 summary ends with one empty row alone on a page
    yuan: bool = False  # 单位：元, values printed x10000
    alt_headers: bool = False  # other title and header wording of the same meaning
    row_numbers: bool = False  # 行次 columns and 栏次 rows (1, 2, 3…) of the 财政部 template
    font_size: float = 9.0
    image_pages: str = ""  # "" | "all" (no text layer at all) | "tables" (text cover, scanned tables)
    value_align: str = "R"  # L | C | R: how amounts sit in their cells (Word tables often leave them left-aligned)
    zero_funds: bool = False  # the two fund tables print 0.00 in their 合计 row and no note (决算 software)
    glyph_order: str = "stream"  # stream | scrambled: each glyph placed on its own, lines drawn reversed or shuffled


VARIANTS: tuple[Variant, ...] = (
    Variant("ruled_onecol_hubei", "湖北省荆江市民政局",
            "ruled grid, codes in one column, titles 表1…, 三公 last, lines-only spill page",
            split_codes=False, title_style="表1", order=HUBEI_ORDER, spill_empty_row=True),
    Variant("unruled_split_codes", "浙江省东湖市嘉禾区司法局",
            "no ruling lines (whitespace aligned), codes over 类/款/项, titles 附表一…",
            ruled=False, title_style="附表一"),
    Variant("rotated_landscape", "四川省锦江市档案局",
            "landscape tables on portrait media turned by /Rotate 90", rotate_landscape=True),
    Variant("split_repeated_header", "上海市滨海区水务局",
            "larger print: tables split over pages with header rows repeated, spill page with one empty row",
            repeat_header=True, spill_empty_row=True, font_size=11.5),
    Variant("unit_yuan", "江苏省南溪市统计局", "单位：元, values x10000 with thousands separators", yuan=True),
    Variant("row_numbers", "山东省清河市自然资源局",
            "财政部 template: 行次 column in the summary, 栏次 row (1, 2, 3…) under the headers of coded tables",
            row_numbers=True),
    Variant("image_only", "广东省云澳市审计局", "every page a scanned image, no text layer", image_pages="all"),
    Variant("image_tables", "广东省云澳市审计局", "text cover, table pages scanned images", image_pages="tables"),
    Variant("header_wording", "江苏省淮东市文化和旅游局",
            "公开01表 labels, other title/header wording (本年收入, 金额, 小计, (维护)), one-row code header",
            split_codes=False, title_style="公开01表", alt_headers=True),
    Variant("glyphs_scrambled", "河南省伏牛市农业农村局",
            "each glyph positioned on its own, drawn right to left or shuffled (glyph order is not reading order)",
            glyph_order="scrambled"),
)
VARIANTS_BY_NAME = {v.name: v for v in VARIANTS}

TITLES = {
    "income_expenditure_summary": ("收入支出决算总表", "部门收支决算总表"),
    "income": ("收入决算表", "部门收入决算表"),
    "expenditure": ("支出决算表", "部门支出决算表"),
    "fiscal_appropriation_summary": ("财政拨款收入支出决算总表", "财政拨款收支决算总表"),
    "general_public_budget_expenditure": ("一般公共预算财政拨款支出决算表", "一般公共预算财政拨款支出决算明细表"),
    "general_public_budget_basic_expenditure": ("一般公共预算财政拨款基本支出决算表",
                                                "一般公共预算财政拨款基本支出决算明细表"),
    "three_public_expenses": ("财政拨款“三公”经费支出决算表", "一般公共预算财政拨款“三公”经费支出决算表"),
    "government_fund": ("政府性基金预算财政拨款收入支出决算表", "政府性基金预算财政拨款支出决算表"),
    "state_capital": ("国有资本经营预算财政拨款收入支出决算表", "国有资本经营预算财政拨款支出决算表"),
}
LANDSCAPE = {"income", "expenditure", "fiscal_appropriation_summary", "three_public_expenses", "government_fund",
             "state_capital"}

SUMMARY_INCOME = ("一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入",
                  "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入")
FUNCTION_CLASSES = (
    "一般公共服务支出", "外交支出", "国防支出", "公共安全支出", "教育支出", "科学技术支出", "文化旅游体育与传媒支出",
    "社会保障和就业支出", "卫生健康支出", "节能环保支出", "城乡社区支出", "农林水支出", "交通运输支出",
    "资源勘探工业信息等支出", "商业服务业等支出", "金融支出", "援助其他地区支出", "自然资源海洋气象等支出",
    "住房保障支出", "粮油物资储备支出", "国有资本经营预算支出", "灾害防治及应急管理支出", "其他支出", "债务还本支出",
    "债务付息支出", "抗疫特别国债安排的支出",
)
FISCAL_INCOME = ("一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款")
# 经济分类 rows of the basic-expenditure table (national classification, the usual printed subset)
ECONOMIC: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "301": ("工资福利支出", (("01", "基本工资"), ("02", "津贴补贴"), ("03", "奖金"), ("06", "伙食补助费"),
                              ("07", "绩效工资"), ("08", "机关事业单位基本养老保险缴费"), ("09", "职业年金缴费"),
                              ("10", "职工基本医疗保险缴费"), ("11", "公务员医疗补助缴费"), ("12", "其他社会保障缴费"),
                              ("13", "住房公积金"), ("14", "医疗费"), ("99", "其他工资福利支出"))),
    "302": ("商品和服务支出", (("01", "办公费"), ("02", "印刷费"), ("03", "咨询费"), ("04", "手续费"), ("05", "水费"),
                                ("06", "电费"), ("07", "邮电费"), ("08", "取暖费"), ("09", "物业管理费"), ("11", "差旅费"),
                                ("12", "因公出国（境）费用"), ("13", "维修（护）费"), ("14", "租赁费"), ("15", "会议费"),
                                ("16", "培训费"), ("17", "公务接待费"), ("18", "专用材料费"), ("24", "被装购置费"),
                                ("25", "专用燃料费"), ("26", "劳务费"), ("27", "委托业务费"), ("28", "工会经费"),
                                ("29", "福利费"), ("31", "公务用车运行维护费"), ("39", "其他交通费用"),
                                ("40", "税金及附加费用"), ("99", "其他商品和服务支出"))),
    "303": ("对个人和家庭的补助", (("01", "离休费"), ("02", "退休费"), ("03", "退职（役）费"), ("04", "抚恤金"),
                                    ("05", "生活补助"), ("07", "医疗费补助"), ("08", "助学金"), ("09", "奖励金"),
                                    ("10", "个人农业生产补贴"), ("11", "代缴社会保险费"), ("99", "其他对个人和家庭的补助"))),
    "310": ("资本性支出", (("01", "房屋建筑物购建"), ("02", "办公设备购置"), ("03", "专用设备购置"),
                            ("07", "信息网络及软件购置更新"), ("13", "公务用车购置"), ("19", "其他交通工具购置"),
                            ("21", "文物和陈列品购置"), ("22", "无形资产购置"), ("99", "其他资本性支出"))),
}
THREE_PUBLIC_COLS = (
    "total_budget", "total_actual", "overseas_budget", "overseas_actual", "vehicle_budget", "vehicle_actual",
    "vehicle_purchase_budget", "vehicle_purchase_actual", "vehicle_operation_budget", "vehicle_operation_actual",
    "reception_budget", "reception_actual",
)
FUND_COLS = ("carryover_begin", "income", "expenditure_total", "expenditure_basic", "expenditure_project", "carryover_end")
_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 26 → 二十六 (the numbering printed before summary rows)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


# ---------------------------------------------------------------------------------------------
# golden values


def load_golden(path: Path = GOLDEN_TABLES) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class GoldenValues:
    """The golden cells, taken out one by one as the layouts place them (each must be placed once)."""

    def __init__(self, golden: dict) -> None:
        self._cells: dict[tuple, list[dict]] = defaultdict(list)
        self._order: dict[str, list[dict]] = defaultdict(list)
        for c in golden["cells"]:
            self._cells[(c["table"], c["side"], c["code"] or c["row"], c["col"])].append(c)
            self._order[c["table"]].append(c)

    def take(self, table: str, side: str | None, ident: str, col: str) -> dict | None:
        found = self._cells.get((table, side, ident, col))
        return dict(found.pop(0)) if found else None

    def code_rows(self, table: str) -> list[tuple[str, str]]:
        """(code, label) of the table's coded rows, in printed order."""
        seen: dict[str, str] = {}
        for c in self._order[table]:
            if c["code"] and c["code"] not in seen:
                seen[c["code"]] = c["row"]
        return list(seen.items())

    def left_over(self) -> list[dict]:
        return [c for cells in self._cells.values() for c in cells]


# ---------------------------------------------------------------------------------------------
# table layouts (what is printed where, independent of how it is drawn)


@dataclass
class HeaderCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Span:
    text: str
    col: int
    colspan: int = 1
    align: str = "L"  # L | C | R


@dataclass
class BodyRow:
    spans: list[Span]
    cells: list[dict] = field(default_factory=list)  # expected output cells of this row
    break_before: bool = False


@dataclass
class TableLayout:
    key: str
    title: str
    landscape: bool
    widths: list[float]
    header: list[HeaderCell]
    rows: list[BodyRow]
    note: str | None = None
    has_data: bool = True


class Builder:
    """Builds the nine layouts of one variant, taking values from the golden cells."""

    def __init__(self, v: Variant, golden: GoldenValues) -> None:
        self.v = v
        self.g = golden
        self.page_width = 752.0  # usable width, landscape
        self.portrait_width = 515.0

    # ---- values

    def printed(self, cell: dict | None) -> str:
        if cell is None:
            return ""
        value = Decimal(cell["value"])
        if self.v.yuan:
            value = value * 10000
        return format(value, ",")

    def value_span(self, row: BodyRow, col: int, table: str, side: str | None, ident: str, key: str) -> None:
        cell = self.g.take(table, side, ident, key)
        if cell is not None:
            cell["unit_printed"] = "元" if self.v.yuan else "万元"
            row.cells.append(cell)
            row.spans.append(Span(self.printed(cell), col, align=self.v.value_align))

    # ---- codes

    def code_spans(self, code: str, levels: tuple[int, ...]) -> list[Span]:
        if not self.v.split_codes:
            return [Span(code, 0, align="L")]
        parts, at = [], 0
        for n in levels:
            parts.append(code[at:at + n])
            at += n
        return [Span(p, i, align="C" if i else "L") for i, p in enumerate(parts) if p]

    def code_widths(self, levels: tuple[int, ...]) -> list[float]:
        if not self.v.split_codes:
            return [62.0 if len(levels) == 3 else 50.0]
        return [38.0] + [30.0] * (len(levels) - 1)

    def code_header(self, values: list[str], name_width: float, total_width: float,
                    kind: str = "支出功能分类") -> tuple[list[float], list[HeaderCell]]:
        """Widths and header of 编码 | 科目名称 | value columns (values share what is left)."""
        levels = (3, 2, 2)
        widths = self.code_widths(levels) + [name_width]
        n_code = len(widths) - 1
        rest = (total_width - sum(widths)) / len(values)
        widths += [rest] * len(values)
        header: list[HeaderCell] = []
        if self.v.alt_headers:
            if self.v.split_codes:
                header += [HeaderCell(f"{kind}科目编码", 0, 0, colspan=3), HeaderCell("科目名称", 0, 3, rowspan=2)]
                header += [HeaderCell(t, 1, i) for i, t in enumerate("类款项")]
            else:
                header += [HeaderCell(f"{kind[2:]}科目编码", 0, 0), HeaderCell("科目名称", 0, 1)]
            depth = 2 if self.v.split_codes else 1
        elif self.v.split_codes:
            header += [HeaderCell("项目", 0, 0, colspan=n_code + 1), HeaderCell(f"{kind}科目编码", 1, 0, colspan=3),
                       HeaderCell("科目名称", 1, 3, rowspan=2)]
            header += [HeaderCell(t, 2, i) for i, t in enumerate("类款项")]
            depth = 3
        else:
            header += [HeaderCell("项目", 0, 0, colspan=2), HeaderCell(f"{kind}科目编码", 1, 0),
                       HeaderCell("科目名称", 1, 1)]
            depth = 2
        header += [HeaderCell(t, 0, n_code + 1 + i, rowspan=depth) for i, t in enumerate(values)]
        return widths, header

    def label_row(self, text: str, n_code: int) -> BodyRow:
        return BodyRow([Span(text, 0, colspan=n_code + 1, align="C")])

    # ---- the nine tables

    def title(self, key: str) -> str:
        return TITLES[key][1 if self.v.alt_headers else 0]

    def summary(self) -> TableLayout:
        key = "income_expenditure_summary"
        amount = "金额" if self.v.alt_headers else "决算数"
        numbered = self.v.row_numbers  # 项目 | 行次 | 决算数 on each side (财政部 template)
        widths = [170.0, 30.0, 57.0, 170.0, 30.0, 58.0] if numbered else [190.0, 68.0, 190.0, 67.0]
        half = len(widths) // 2
        inc_amt, exp_label, exp_amt = half - 1, half, 2 * half - 1
        header = [HeaderCell("收入", 0, 0, colspan=half), HeaderCell("支出", 0, half, colspan=half)]
        for at in (0, half):
            header += [HeaderCell("项目", 1, at), HeaderCell(amount, 1, at + half - 1)]
            header += [HeaderCell("行次", 1, at + 1)] if numbered else []
        rows = []
        lines = [(f"{cn_number(i + 1)}、{SUMMARY_INCOME[i]}" if i < len(SUMMARY_INCOME) else "", f"{cn_number(i + 1)}、{e}")
                 for i, e in enumerate(FUNCTION_CLASSES)]
        lines += [("本年收入合计", "本年支出合计"), ("使用非财政拨款结余（含专用结余）", "结余分配"),
                  ("年初结转和结余", "年末结转和结余"), ("总计", "总计")]
        for i, (inc, exp) in enumerate(lines):
            centred = "C" if i >= len(FUNCTION_CLASSES) else "L"
            row = BodyRow([Span(exp, exp_label, align=centred)])
            if inc:
                row.spans.append(Span(inc, 0, align=centred))
                self.value_span(row, inc_amt, key, "income", re.sub(r"^.+?、", "", inc), "amount")
            self.value_span(row, exp_amt, key, "expenditure", re.sub(r"^.+?、", "", exp), "amount")
            if numbered:
                row.spans += [Span(str(i + 1), 1, align="C"), Span(str(i + 1 + len(lines)), half + 1, align="C")]
            rows.append(row)
        return TableLayout(key, self.title(key), False, widths, header, rows)

    def coded(self, key: str, values: list[tuple[str, str]], landscape: bool, total_first: bool) -> TableLayout:
        width = self.page_width if landscape else self.portrait_width
        widths, header = self.code_header([t for t, _ in values], 170.0 if landscape else 175.0, width)
        n_code = len(widths) - len(values) - 1
        total = self.label_row("合计", n_code)
        for i, (_, col) in enumerate(values):
            self.value_span(total, n_code + 1 + i, key, None, "合计", col)
        rows = []
        for code, label in self.g.code_rows(key):
            row = BodyRow(self.code_spans(code, (3, 2, 2)) + [Span(label, n_code)])
            for i, (_, col) in enumerate(values):
                self.value_span(row, n_code + 1 + i, key, None, code, col)
            rows.append(row)
        rows = [total, *rows] if total_first else [*rows, total]
        if self.v.row_numbers:
            rows.insert(0, self.column_numbers(n_code, len(values)))
        return TableLayout(key, self.title(key), landscape, widths, header, rows)

    def column_numbers(self, n_label: int, n_values: int, first: int = 1) -> BodyRow:
        """The 栏次 row of the 财政部 template: 1, 2, 3… under the value columns (numbers that are no values)."""
        spans = [Span("栏次", 0, colspan=n_label + 1, align="C")] if n_label >= 0 else []
        return BodyRow(spans + [Span(str(first + i), n_label + 1 + i, align="C") for i in range(n_values)])

    def income(self) -> TableLayout:
        first = "本年收入" if self.v.alt_headers else "本年收入合计"
        cols = [(first, "total"), ("财政拨款收入", "fiscal_appropriation"), ("上级补助收入", "superior_subsidy"),
                ("事业收入", "business"), ("经营收入", "operating"), ("附属单位上缴收入", "affiliated_remittance"),
                ("其他收入", "other")]
        return self.coded("income", cols, True, True)

    def expenditure(self) -> TableLayout:
        first = "合计" if self.v.alt_headers else "本年支出合计"
        cols = [(first, "total"), ("基本支出", "basic"), ("项目支出", "project"), ("上缴上级支出", "remit_to_superior"),
                ("经营支出", "operating"), ("对附属单位补助支出", "subsidy_to_affiliated")]
        return self.coded("expenditure", cols, True, True)

    def general_public_budget(self) -> TableLayout:
        cols = [("合计", "total"), ("基本支出", "basic"), ("项目支出", "project")]
        return self.coded("general_public_budget_expenditure", cols, False, False)

    def fiscal_summary(self) -> TableLayout:
        key = "fiscal_appropriation_summary"
        widths = [150.0, 70.0, 170.0, 70.0, 95.0, 95.0, 102.0]
        total = "小计" if self.v.alt_headers else "合计"
        header = [HeaderCell("收入", 0, 0, colspan=2), HeaderCell("支出", 0, 2, colspan=5),
                  HeaderCell("项目", 1, 0), HeaderCell("决算数", 1, 1), HeaderCell("项目", 1, 2), HeaderCell(total, 1, 3),
                  HeaderCell("一般公共预算财政拨款", 1, 4), HeaderCell("政府性基金预算财政拨款", 1, 5),
                  HeaderCell("国有资本经营预算财政拨款", 1, 6)]
        exp_cols = ("total", "general_public_budget", "government_fund", "state_capital")
        rows = []
        for i, exp in enumerate(FUNCTION_CLASSES):
            row = BodyRow([Span(f"{cn_number(i + 1)}、{exp}", 2)])
            if i < len(FISCAL_INCOME):
                row.spans.append(Span(f"{cn_number(i + 1)}、{FISCAL_INCOME[i]}", 0))
                self.value_span(row, 1, key, "income", FISCAL_INCOME[i], "amount")
            for j, col in enumerate(exp_cols):
                self.value_span(row, 3 + j, key, "expenditure", exp, col)
            rows.append(row)
        pairs = [("本年收入合计", "本年支出合计"), ("年初财政拨款结转和结余", "年末财政拨款结转和结余")]
        pairs += [(f"{cn_number(i + 1)}、{t}", "") for i, t in enumerate(FISCAL_INCOME)] + [("总计", "总计")]
        for inc, exp in pairs:
            plain_inc = re.sub(r"^[一二三]、", "", inc)
            row = BodyRow([Span(inc, 0, align="L" if plain_inc != inc else "C")])
            self.value_span(row, 1, key, "income", plain_inc, "amount")
            if exp:
                row.spans.append(Span(exp, 2, align="C"))
                for j, col in enumerate(exp_cols):
                    self.value_span(row, 3 + j, key, "expenditure", exp, col)
            rows.append(row)
        if self.v.spill_empty_row:
            rows.append(BodyRow([], break_before=True))
        return TableLayout(key, self.title(key), True, widths, header, rows)

    def basic(self) -> TableLayout:
        key = "general_public_budget_basic_expenditure"
        code_w = self.code_widths((3, 2))
        amount = "决算数"
        group = code_w + [257.0 - sum(code_w) - 67.0, 67.0]
        n = len(group)
        header: list[HeaderCell] = []
        for g in (0, n):
            if self.v.split_codes:
                header += [HeaderCell("经济分类科目编码", 0, g, colspan=2), HeaderCell("科目名称", 0, g + 2, rowspan=2),
                           HeaderCell(amount, 0, g + 3, rowspan=2), HeaderCell("类", 1, g), HeaderCell("款", 1, g + 1)]
            else:
                header += [HeaderCell("经济分类科目编码", 0, g), HeaderCell("科目名称", 0, g + 1),
                           HeaderCell(amount, 0, g + 2)]

        def entries(classes: tuple[str, ...]) -> list[tuple[str, str]]:
            out = []
            for cls in classes:
                name, items = ECONOMIC[cls]
                out.append((cls, name))
                out += [(cls + k, label) for k, label in items]
            return out

        left, right = entries(("301", "303")), entries(("302", "310"))
        rows = []
        for i in range(max(len(left), len(right))):
            row = BodyRow([])
            for offset, side in ((0, left), (n, right)):
                if i >= len(side):
                    continue
                code, label = side[i]
                for s in self.code_spans(code, (3, 2)):
                    row.spans.append(Span(s.text, s.col + offset, align=s.align))
                row.spans.append(Span(label, offset + n - 2))
                self.value_span(row, offset + n - 1, key, None, code, "amount")
            rows.append(row)
        last = BodyRow([Span("人员经费合计", 0, colspan=n - 1, align="C"), Span("公用经费合计", n, colspan=n - 1, align="C")])
        self.value_span(last, n - 1, key, None, "人员经费合计", "amount")
        self.value_span(last, 2 * n - 1, key, None, "公用经费合计", "amount")
        rows.append(last)
        return TableLayout(key, self.title(key), False, group + group, header, rows)

    def three_public(self) -> TableLayout:
        key = "three_public_expenses"
        alt = self.v.alt_headers
        header = [
            HeaderCell("财政拨款“三公”经费", 0, 0, colspan=12),
            HeaderCell("合计", 1, 0, rowspan=2, colspan=2),
            HeaderCell("因公出国(境)费" if alt else "因公出国（境）费", 1, 2, rowspan=2, colspan=2),
            HeaderCell("公务用车购置及运行(维护)费" if alt else "公务用车购置及运行费", 1, 4, colspan=6),
            HeaderCell("公务接待费", 1, 10, rowspan=2, colspan=2),
            HeaderCell("小计", 2, 4, colspan=2), HeaderCell("公务用车购置费", 2, 6, colspan=2),
            HeaderCell("公务用车运行(维护)费" if alt else "公务用车运行费", 2, 8, colspan=2),
        ]
        header += [HeaderCell("预算数" if i % 2 == 0 else "决算数", 3, i) for i in range(12)]
        row = BodyRow([])
        for i, col in enumerate(THREE_PUBLIC_COLS):
            self.value_span(row, i, key, None, "三公经费", col)
        rows = [self.column_numbers(-1, 12), row] if self.v.row_numbers else [row]
        return TableLayout(key, self.title(key), True, [self.page_width / 12] * 12, header, rows)

    def fund(self, key: str, what: str) -> TableLayout:
        sub_total = "合计" if self.v.alt_headers else "小计"
        values = ["年初结转和结余", "本年收入", sub_total, "基本支出", "项目支出", "年末结转和结余"]
        widths, header = self.code_header(values, 140.0, self.page_width)
        n_code = len(widths) - len(values) - 1
        # 本年支出 spans its three sub-columns: rebuild those header cells
        depth = max(h.row + h.rowspan for h in header)
        grown = max(depth, 2)
        header = [h for h in header if h.col <= n_code + 2 or h.col == n_code + 6]
        for h in header:
            if h.row + h.rowspan == depth:
                h.rowspan += grown - depth
        header += [HeaderCell("本年支出", 0, n_code + 3, colspan=3)]
        header += [HeaderCell(t, 1, n_code + 3 + i, rowspan=grown - 1) for i, t in enumerate(values[2:5])]
        total = self.label_row("合计", n_code)
        note: str | None = f"注：{self.v.department}无{what}，故本表无数据。"
        if self.v.zero_funds:  # printed zeros: cells (value 0), the table still without data
            note = None
            for i, col in enumerate(FUND_COLS):
                total.spans.append(Span("0.00", n_code + 1 + i, align=self.v.value_align))
                total.cells.append({"doc_id": "", "table": key, "side": None, "code": None, "row": "合计", "col": col,
                                    "value": "0.00", "unit_printed": "万元"})
        rows = [BodyRow([]) for _ in range(6)] + [total]
        if self.v.row_numbers:
            rows.insert(0, self.column_numbers(n_code, len(values)))
        return TableLayout(key, self.title(key), True, widths, header, rows, note=note, has_data=False)

    def build(self) -> list[TableLayout]:
        made = {
            "income_expenditure_summary": self.summary, "income": self.income, "expenditure": self.expenditure,
            "fiscal_appropriation_summary": self.fiscal_summary,
            "general_public_budget_expenditure": self.general_public_budget,
            "general_public_budget_basic_expenditure": self.basic, "three_public_expenses": self.three_public,
            "government_fund": lambda: self.fund("government_fund", "政府性基金预算财政拨款支出"),
            "state_capital": lambda: self.fund("state_capital", "国有资本经营预算财政拨款支出"),
        }
        layouts = [made[k]() for k in NATIONAL_ORDER]
        left = self.g.left_over()
        if left:
            raise AssertionError(f"golden cells not placed by any layout: {left[:5]}")
        by_key = {t.key: t for t in layouts}
        return [by_key[k] for k in self.v.order]


# ---------------------------------------------------------------------------------------------
# drawing


@dataclass
class Expected:
    variant: str
    department: str
    fiscal_year: int
    pages: int = 0
    status: str = "ok"
    image_pages: list[int] = field(default_factory=list)
    tables: dict[str, dict] = field(default_factory=dict)  # key -> pages, has_data, unit_printed, title
    cells: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Expected:
        return cls(**json.loads(text))


class Drawer:
    """Draws layouts with reportlab, page by page, recording the page of every expected cell."""

    TOP, BOTTOM, PAD_X, PAD_Y = 50.0, 40.0, 3.0, 3.0

    def __init__(self, path: Path, v: Variant) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        self._width = pdfmetrics.stringWidth
        self.c = canvas.Canvas(str(path), pageCompression=1, invariant=1)
        self.v = v
        self.size = v.font_size
        self.line = v.font_size * 1.35
        self.page_no = 0
        self.scrambled = 0  # strings drawn glyph by glyph so far (glyph_order "scrambled")
        self.W = self.H = 0.0

    def new_page(self, landscape: bool) -> None:
        c = self.c
        if self.page_no:
            c.showPage()
        self.page_no += 1
        if landscape and self.v.rotate_landscape:
            c.setPageSize((842, 595))  # reportlab takes the displayed size and writes MediaBox [0 0 595 842]
            c.setPageRotation(90)
            c.transform(0, 1, -1, 0, 595, 0)  # draw in landscape coordinates; viewers turn the page upright
        else:
            c.setPageSize((842, 595) if landscape else (595, 842))
            c.setPageRotation(0)
        self.W, self.H = (842.0, 595.0) if landscape else (595.0, 842.0)
        c.setLineWidth(0.6)

    def text(self, x: float, y: float, s: str, size: float | None = None, align: str = "L") -> None:
        size = size or self.size
        self.c.setFont(FONT, size)
        if self.v.glyph_order == "scrambled" and len(s) > 1:
            self._scrambled(x, y, s, size, align)
        elif align == "C":
            self.c.drawCentredString(x, y, s)
        elif align == "R":
            self.c.drawRightString(x, y, s)
        else:
            self.c.drawString(x, y, s)

    def _scrambled(self, x: float, y: float, s: str, size: float, align: str) -> None:
        """Each glyph at its printed position, drawn in reverse order (every other string) or shuffled:
        what some exporters write, so a reader that follows the content stream reads "计合", "00.001"."""
        import random

        width = self._width(s, FONT, size)
        x = x - width / 2 if align == "C" else x - width if align == "R" else x
        at = [x + self._width(s[:i], FONT, size) for i in range(len(s))]
        order = list(range(len(s)))[::-1]
        self.scrambled += 1
        if self.scrambled % 2 == 0:
            random.Random(self.scrambled).shuffle(order)
        for i in order:
            self.c.drawString(at[i], y, s[i])

    def wrap(self, s: str, width: float) -> list[str]:
        lines, cur = [], ""
        for ch in s:
            if cur and self._width(cur + ch, FONT, self.size) > width - 2 * self.PAD_X:
                lines.append(cur)
                cur = ""
            cur += ch
        return [*lines, cur] if cur else lines or [""]

    def need(self, s: str, width: float) -> float:
        return len(self.wrap(s, width)) * self.line + 2 * self.PAD_Y

    def cell(self, x: float, y_top: float, w: float, h: float, s: str, align: str, rule: bool) -> None:
        if rule and self.v.ruled:
            self.c.rect(x, y_top - h, w, h, stroke=1, fill=0)
        if not s:
            return
        lines = self.wrap(s, w)
        block = len(lines) * self.line
        first = y_top - (h - block) / 2 - self.line + (self.line - self.size) / 2 + self.size * 0.12
        for i, ln in enumerate(lines):
            y = first - i * self.line
            if align == "C":
                self.text(x + w / 2, y, ln, align="C")
            elif align == "R":
                self.text(x + w - self.PAD_X, y, ln, align="R")
            else:
                self.text(x + self.PAD_X, y, ln)

    def header_heights(self, t: TableLayout) -> list[float]:
        depth = max(h.row + h.rowspan for h in t.header)
        heights = [self.line + 2 * self.PAD_Y + 4] * depth
        for h in sorted(t.header, key=lambda h: h.rowspan):
            w = sum(t.widths[h.col:h.col + h.colspan])
            need = self.need(h.text, w) + 2
            have = sum(heights[h.row:h.row + h.rowspan])
            if need > have:
                heights[h.row + h.rowspan - 1] += need - have
        return heights

    def draw_header(self, t: TableLayout, x0: float, y: float) -> float:
        heights = self.header_heights(t)
        for h in t.header:
            x = x0 + sum(t.widths[:h.col])
            top = y - sum(heights[:h.row])
            self.cell(x, top, sum(t.widths[h.col:h.col + h.colspan]), sum(heights[h.row:h.row + h.rowspan]),
                      h.text, "C", True)
        return y - sum(heights)

    def row_height(self, t: TableLayout, row: BodyRow) -> float:
        base = self.line + 2 * self.PAD_Y + 2
        return max([base] + [self.need(s.text, sum(t.widths[s.col:s.col + s.colspan])) for s in row.spans])

    def draw_row(self, t: TableLayout, row: BodyRow, x0: float, y: float, h: float) -> None:
        covered: set[int] = set()
        for s in row.spans:
            covered.update(range(s.col, s.col + s.colspan))
            self.cell(x0 + sum(t.widths[:s.col]), y, sum(t.widths[s.col:s.col + s.colspan]), h, s.text, s.align, True)
        for col in range(len(t.widths)):
            if col not in covered:
                self.cell(x0 + sum(t.widths[:col]), y, t.widths[col], h, "", "L", True)

    def cover(self, department: str) -> None:
        self.new_page(False)
        self.text(self.W / 2, self.H - 300, f"{department}{YEAR}年度部门决算", size=20, align="C")

    def table(self, t: TableLayout, position: int, expected: Expected) -> None:
        v = self.v
        self.new_page(t.landscape)
        pages = [self.page_no]
        x0 = (self.W - sum(t.widths)) / 2
        y = self.H - self.TOP
        title = t.title
        if v.title_style == "表1":
            title = f"表{position} {title}"
        elif v.title_style == "附表一":
            title = f"附表{cn_number(position)} {title}"
        elif v.title_style == "公开01表":
            self.text(x0, y, f"公开{position:02d}表", size=self.size + 1)
            y -= 24
        self.text(self.W / 2, y - 12, title, size=15, align="C")
        y -= 36
        unit = "元" if v.yuan else "万元"
        if v.title_style == "公开01表":
            self.text(x0, y, f"部门：{v.department}")
        self.text(x0 + sum(t.widths), y, f"单位：{unit}", align="R")
        y -= 10
        y = self.draw_header(t, x0, y)
        for row in t.rows:
            h = self.row_height(t, row)
            if row.break_before or y - h < self.BOTTOM:
                self.new_page(t.landscape)
                pages.append(self.page_no)
                y = self.H - self.TOP
                if v.repeat_header:
                    y = self.draw_header(t, x0, y)
            self.draw_row(t, row, x0, y, h)
            expected.cells += [{**c, "page": self.page_no} for c in row.cells]
            y -= h
        if t.note:
            self.text(x0, y - 20, t.note)
        expected.tables[t.key] = {"pages": pages, "has_data": t.has_data, "unit_printed": unit, "title": title}

    def save(self) -> None:
        self.c.save()


def _rasterize(text_pdf: Path, out: Path, keep_text_cover: bool, department: str) -> list[int]:
    """Re-print a PDF as page images (a scan): no text layer except, optionally, the cover."""
    import pypdfium2
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(out), pageCompression=1, invariant=1)
    image_pages = []
    src = pypdfium2.PdfDocument(str(text_pdf))
    try:
        for i in range(len(src)):
            page = src[i]
            w, h = page.get_size()
            if page.get_rotation() in (90, 270):
                w, h = h, w
            c.setPageSize((w, h))
            if i == 0 and keep_text_cover:
                from reportlab.pdfbase import pdfmetrics
                from reportlab.pdfbase.cidfonts import UnicodeCIDFont

                if FONT not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
                c.setFont(FONT, 20)
                c.drawCentredString(w / 2, h - 300, f"{department}{YEAR}年度部门决算")
            else:
                image = page.render(scale=1.4, grayscale=True).to_pil()
                c.drawImage(ImageReader(image), 0, 0, width=w, height=h)
                image_pages.append(i + 1)
            page.close()
            c.showPage()
    finally:
        src.close()
    c.save()
    return image_pages


def build_variant(v: Variant, out_dir: Path, golden: dict | None = None) -> tuple[Path, Expected]:
    """Write ``<name>.pdf`` and ``<name>.expected.json`` into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    golden = golden or load_golden()
    layouts = Builder(v, GoldenValues(golden)).build()
    expected = Expected(v.name, v.department, YEAR)
    pdf = out_dir / f"{v.name}.pdf"
    text_pdf = out_dir / f"{v.name}.text.pdf" if v.image_pages else pdf
    drawer = Drawer(text_pdf, v)
    drawer.cover(v.department)
    for position, t in enumerate(layouts, start=1):
        drawer.table(t, position, expected)
    drawer.save()
    expected.pages = drawer.page_no
    if v.image_pages:
        expected.image_pages = _rasterize(text_pdf, pdf, v.image_pages == "tables", v.department)
        text_pdf.unlink()
        expected.status, expected.tables, expected.cells = "needs_ocr", {}, []
    (out_dir / f"{v.name}.expected.json").write_text(expected.to_json(), encoding="utf-8")
    return pdf, expected


# ---------------------------------------------------------------------------------------------
# scoring (the same cell identity as ../shared/tools/score.py)

SINGLE_ROW_TABLES = {"three_public_expenses"}
_NUMBERING = re.compile(r"^[（(]?[一二三四五六七八九十百]+[）)、.．]|^[（(]?\d+[）)、.．]")


def norm_label(s: str | None) -> str:
    s = unicodedata.normalize("NFKC", s or "")
    s = re.sub(r"\s+", "", s)
    return _NUMBERING.sub("", s).strip("：:")


def cell_key(c: dict) -> tuple:
    code = re.sub(r"\D", "", c.get("code") or "")
    ident = ("code", code) if code else ("row", norm_label(c.get("row")))
    if c.get("table") in SINGLE_ROW_TABLES:
        ident = ("row", "")
    side = (c.get("side") or "").lower() or None
    return (c.get("table"), side, ident, c.get("col"), Decimal(str(c.get("value"))))


@dataclass
class Score:
    recall: float
    precision: float
    missed: list[tuple]
    extra: list[tuple]
    wrong_page: list[tuple]  # matched cells printed on another page than the extractor says
    wrong_unit: list[tuple]  # matched cells whose unit_printed differs

    def line(self, name: str) -> str:
        return (f"{name:24s} recall {self.recall:.4f} precision {self.precision:.4f} "
                f"missed {len(self.missed)} extra {len(self.extra)} wrong page {len(self.wrong_page)} "
                f"wrong unit {len(self.wrong_unit)}")


def score_cells(expected: Iterable[dict], got: Iterable[dict]) -> Score:
    expected, got = list(expected), list(got)
    tables = {c["table"] for c in expected}
    own = [g for g in got if g.get("table") in tables]
    want = Counter(cell_key(c) for c in expected)
    have = Counter(cell_key(c) for c in own)
    hit = want & have
    missed = sorted((want - have).elements(), key=str)
    extra = sorted((have - want).elements(), key=str)
    got_pages: dict[tuple, set[int]] = defaultdict(set)
    got_units: dict[tuple, set[str]] = defaultdict(set)
    for g in own:
        got_pages[cell_key(g)].add(int(g.get("page") or 0))
        got_units[cell_key(g)].add(str(g.get("unit_printed") or ""))
    wrong_page = [cell_key(c) + (c["page"],) for c in expected if cell_key(c) in hit
                  and c["page"] not in got_pages[cell_key(c)]]
    wrong_unit = [cell_key(c) + (c["unit_printed"],) for c in expected if cell_key(c) in hit
                  and c["unit_printed"] not in got_units[cell_key(c)]]
    n_hit = sum(hit.values())
    return Score(
        recall=n_hit / len(expected) if expected else 1.0,
        precision=n_hit / len(own) if own else (1.0 if not expected else 0.0),
        missed=missed, extra=extra, wrong_page=wrong_page, wrong_unit=wrong_unit,
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    out = Path(argv[0])
    golden = load_golden()
    for v in VARIANTS:
        pdf, expected = build_variant(v, out, golden)
        line = f"{v.name:24s} {expected.pages:3d} pages  {v.about}"
        if "--score" in argv:
            from pipeline.extract import extract_document

            result = extract_document(pdf)
            got = [c.model_dump(mode="json") for c in result.cells]
            status = result.document.status
            line = score_cells(expected.cells, got).line(v.name) + f" status {status} (want {expected.status})"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
