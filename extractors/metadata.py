"""Document metadata (region, department, year, document type) from the cover and headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.textforms import match_text
from schemas.keys import FAMILIES
from schemas.records import DocType

_NAME = r"[\u4e00-\u9fffXx×（）()]{2,40}?"
_YEAR = r"(20\d{2})\s*年?度?"
_KIND = r"(?:区级|市级|省级|县级)?(?:部门|单位)?(决\s*算|预\s*算)"
# "上海市普陀区财政局2024年度部门决算", "中共上海市普陀区委社会工作部 2024 年度部门决算"
_TITLE = re.compile(rf"({_NAME})\s*{_YEAR}\s*{_KIND}")
_TITLE_YEAR_APART = re.compile(rf"({_NAME})年?度?{_KIND}")  # the year printed elsewhere (own line, own font)
_LABELLED = re.compile(rf"(?:预算主管部门|决算主管部门|主管部门|预算单位|决算单位|部门名称|单位名称|编制部门|编制单位|部门)[:：]\s*({_NAME})(?=单位[:：]|$|\s|\d)")
# 单位预算 (one unit's own budget) or 部门预算 (the department's, consolidating its units), as the cover says
_SCOPE = re.compile(r"(部门|单位)(?:综合)?预\s*算(?!单位)")
SCOPES = {"部门": "department", "单位": "unit"}
_PARENT = re.compile(rf"(?:预算|决算)?主管部门[:：]\s*({_NAME})(?=单位[:：]|$|\s|\d)")
# a PDF of performance forms only ("X2026年项目支出绩效目标表", "X绩效评价结果"): each family's words for it
# (schemas/families/*.yaml performance_titles) give its type
_PERFORMANCE_TYPES = {word: DocType(f.name) for f in FAMILIES.values() for word in f.performance_titles}
_PERFORMANCE_WORD = re.compile("|".join(map(re.escape, _PERFORMANCE_TYPES)))
_LEAD_YEAR = re.compile(r"^(?:目录|附件\d*[:：]?)?(?:关于)?(20\d{2})年度?")
# between the organisation and the performance word: a year, and what was evaluated (部门整体支出, a project)
_PERFORMANCE_GAP = re.compile(
    r"^(?:关于)?(?:(20\d{2})年度?)?(?:部门整体支出|整体支出|部门整体|[\u4e00-\u9fff、（）()]{0,20}?(?:项目|专项)(?:资金)?(?:支出)?)?$"
)
# the central level prints no place: its organs are named 国家… / 中华人民共和国… / 中央… / 国务院… / 全国…
CENTRAL_REGION = "中央"
_CENTRAL = re.compile(r"^(?:中共中央|中央|国家|中华人民共和国|国务院|全国)")
_PART_ONE = re.compile(rf"第一部分\s*({_NAME})(?:部门|单位)?概况")
# an organisation's name ends with what it is
ORG_END = re.compile(
    r"(?:局|厅|委|办|部|院|会|室|处|所|中心|馆|站|队|团|社|校|署|府|办公厅|委员会|办事处|协会|联合会|集团|公司|法院|检察院|党校|医院|学校|大学|学院)$"
)
_REGION = re.compile(
    r"^(?:中共|中国共产党)?((?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{1,7}?市)?(?:[\u4e00-\u9fff]{1,7}?(?:区|县|旗))?)"
)
_REGION_ONLY = re.compile(r"^(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{1,7}?市)?(?:[\u4e00-\u9fff]{1,7}?(?:区|县|旗))?$")


@dataclass(frozen=True)
class DocumentMetadata:
    region: str | None
    department: str | None
    fiscal_year: int | None
    doc_type: DocType | None
    budget_scope: str | None = None  # budgets: "department" (部门预算) or "unit" (单位预算)
    parent_department: str | None = None  # the 主管部门 a unit reports to, where printed
    performance_only: bool = False  # a PDF of performance forms only: its title names it so, not 决算/预算

    @property
    def is_complete(self) -> bool:
        return None not in (self.region, self.department, self.fiscal_year, self.doc_type)

    def filled_from(self, other: DocumentMetadata) -> DocumentMetadata:
        """These fields, each missing one taken from ``other`` (a later, weaker source)."""
        return DocumentMetadata(
            region=self.region or other.region, department=self.department or other.department,
            fiscal_year=self.fiscal_year or other.fiscal_year, doc_type=self.doc_type or other.doc_type,
            budget_scope=self.budget_scope or other.budget_scope,
            parent_department=self.parent_department or other.parent_department,
            performance_only=self.performance_only or (self.doc_type is None and other.performance_only),
        )


def region_of(name: str) -> str | None:
    """The administrative prefix of a name: 上海市普陀区财政局 → 上海市普陀区; 中共江苏省委办公厅 → 江苏省;
    an organ of the central level (国家信访局) → 中央."""
    m = _REGION.match(name)
    region = m.group(1) if m else ""
    if not region and _CENTRAL.match(name):
        return CENTRAL_REGION
    return region or None


def _performance_title(lines: list[str]) -> tuple[str | None, int | None, DocType | None]:
    """Department, year and type of a PDF of performance forms only, from its title: the shortest
    organisation name before the performance word that leaves only a year and what was evaluated
    ("2022年度长沙市市场监督管理局市场监督专项及部门项目支出绩效评价结果")."""
    for line in lines:
        for word in _PERFORMANCE_WORD.finditer(line):
            before = line[:word.start()]
            lead = _LEAD_YEAR.match(before)
            name_and_gap = before[lead.end():] if lead else before
            for end in range(2, len(name_and_gap) + 1):
                gap = _PERFORMANCE_GAP.match(name_and_gap[end:])
                if gap and _is_org(name_and_gap[:end]):
                    year = (lead.group(1) if lead else None) or gap.group(1)
                    return name_and_gap[:end], int(year) if year else None, _PERFORMANCE_TYPES[word.group()]
    return None, None, None


def _is_org(name: str) -> bool:
    return bool(ORG_END.search(name)) and not _REGION_ONLY.match(name)


HEAD_CHARS = 2500  # printed characters read: a cover, a contents page and the first headings


def printed_chars(text: str) -> int:
    """The characters that count toward a document's head: the printed (non-blank) ones."""
    return sum(1 for ch in text if not ch.isspace())


def head_is_complete(printed: int, budget: int = HEAD_CHARS) -> bool:
    """Whether pages holding ``printed`` printed characters already give the whole document_head:
    any later page is cut off, so the metadata can be read before the rest of the document."""
    return printed >= budget


def document_head(pages: list[str], budget: int = HEAD_CHARS) -> list[str]:
    """The opening text of a document, the same whether it comes as PDF pages or as one text
    file: pages until ``budget`` printed (non-blank) characters, the last one cut there. A
    fixed page count would not do: table pages are read apart, and a PDF whose 第二部分 pages
    hold only tables shows fewer of its headings in three pages than its text layer does."""
    out: list[str] = []
    used = 0
    for page in pages:
        if head_is_complete(used, budget):
            break
        cut, n = len(page), 0
        for i, ch in enumerate(page):
            if not ch.isspace():
                n += 1
                if used + n > budget:
                    cut = i
                    break
        out.append(page[:cut])
        used += n
    return out


def _joined(pages: list[str]) -> tuple[str, set[int]]:
    """Lines joined without breaks (covers print the year on its own line), pages kept apart,
    with the offsets where printed lines start."""
    parts: list[str] = []
    starts: set[int] = set()
    at = 0
    for page in pages:
        for line in page.splitlines():
            text = match_text(line)
            if text:
                starts.add(at)
                parts.append(text)
                at += len(text)
        parts.append("|")
        at += 1
    return "".join(parts), starts


def _name_of(m: re.Match, starts: set[int]) -> str:
    """A title's name; one that runs on from the end of an earlier line ("…补贴和廉" + a running
    header "X局2023年度部门决算") starts at the first line start inside it."""
    a, b = m.span(1)
    if a not in starts:
        a = min((s for s in starts if a < s < b - 1), default=a)
    text = m.string
    # the name on a line of its own, then again in the title line (江苏省政协办公厅 / 江苏省政协办公厅2019年度…)
    a = next((s for s in sorted(starts) if a < s < b and text[a:s] == text[s:b]), a)
    return re.sub(r"^(?:目录|附件\d*[:：]?|第[一二三四]部分)", "", text[a:b])


def budget_scope_of(text: str) -> str | None:
    """department (部门预算) or unit (单位预算): the first of the two the text names."""
    m = _SCOPE.search(match_text(text))
    return SCOPES[m.group(1)] if m else None


def _from_titles(joined: str, starts: set[int]) -> tuple[str | None, str | None, int | None, DocType | None]:
    """Department, region, year and document type from the first titles ("X局2024年度部门决算");
    a title naming only a place gives the region."""
    department: str | None = None
    region: str | None = None
    year: int | None = None
    doc_type: DocType | None = None
    for m in _TITLE.finditer(joined):
        name = _name_of(m, starts)
        year = year or int(m.group(2))
        doc_type = doc_type or (DocType.FINAL_ACCOUNTS if "决" in m.group(3) else DocType.BUDGET)
        if _is_org(name):
            department = name
            break
        if name and _REGION_ONLY.match(name) and region is None:
            region = name
    return department, region, year, doc_type


def _department_elsewhere(lines: list[str], joined: str, starts: set[int]) -> str | None:
    """The department where no title with a year names it: a labelled line (部门名称：…), a title
    with its year printed apart, then the heading of part one (第一部分 X概况)."""
    for line in lines:
        labelled = _LABELLED.search(line)
        if labelled and _is_org(labelled.group(1)):
            return labelled.group(1)
    for m in _TITLE_YEAR_APART.finditer(joined):
        name = _name_of(m, starts)
        if _is_org(name):
            return name
    part_one = _PART_ONE.search(joined)
    if part_one and _is_org(part_one.group(1)):
        return part_one.group(1)
    return None


def _year_of(joined: str) -> int | None:
    """A year next to 决算/预算 anywhere in the opening text."""
    y = re.search(_YEAR + r".{0,12}?(?:决算|预算)", joined) or re.search(r"(?:决算|预算).{0,6}?(20\d{2})", joined)
    return int(y.group(1)) if y else None


def _doc_type_of(joined: str) -> DocType | None:
    """决算 or 预算, whichever the first page or so prints."""
    if re.search(r"决\s*算", joined[:600]):
        return DocType.FINAL_ACCOUNTS
    if re.search(r"预\s*算", joined[:600]):
        return DocType.BUDGET
    return None


def _parent_of(lines: list[str], department: str | None) -> str | None:
    """A unit budget's 主管部门, unless it is the department itself."""
    p = next((m.group(1) for line in lines if (m := _PARENT.search(line)) and _is_org(m.group(1))), None)
    return p if p and p != department else None


def read_metadata(first_pages: list[str]) -> DocumentMetadata:
    """Read from the document's opening text (cover, contents, first headings): see document_head."""
    head = document_head(first_pages)
    joined, starts = _joined(head)
    lines = [match_text(line) for page in head for line in page.splitlines()]
    department, region, year, doc_type = _from_titles(joined, starts)
    performance_only = False
    if department is None and doc_type is None:
        department, year, doc_type = _performance_title(lines)
        performance_only = doc_type is not None
    if department is None:
        department = _department_elsewhere(lines, joined, starts)
    if year is None:
        year = _year_of(joined)
    if doc_type is None:
        doc_type = _doc_type_of(joined)
    if department and region is None:
        region = region_of(department)
    scope = parent = None
    if doc_type == DocType.BUDGET:
        scope = budget_scope_of(joined)
        parent = _parent_of(lines, department)
    return DocumentMetadata(region=region, department=department, fiscal_year=year, doc_type=doc_type,
                            budget_scope=scope, parent_department=parent, performance_only=performance_only)
