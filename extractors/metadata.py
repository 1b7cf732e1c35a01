"""Document metadata (region, department, year, document type) from the cover and headings."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from schemas.records import DocType

_YEAR = r"(20\d{2})\s*年?度?"
_FINAL = re.compile(r"决\s*算")
_BUDGET = re.compile(r"预\s*算")
# "上海市普陀区财政局2024年度部门决算", "中共上海市普陀区委社会工作部 2024 年度部门决算"
_TITLE = re.compile(r"([\u4e00-\u9fff（）()]{2,40}?)\s*" + _YEAR + r"\s*(?:部门|单位)?\s*(决\s*算|预\s*算)")
_REGION = re.compile(
    r"^(?:中共|中国共产党)?((?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{1,7}?市)?(?:[\u4e00-\u9fff]{1,7}?(?:区|县|旗))?)"
)


@dataclass(frozen=True)
class DocumentMetadata:
    region: str | None
    department: str | None
    fiscal_year: int | None
    doc_type: DocType | None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[ \t\u3000]+", "", text)


def region_of(department: str) -> str | None:
    """The administrative prefix of a department name: 上海市普陀区财政局 → 上海市普陀区."""
    m = _REGION.match(department)
    region = m.group(1) if m else ""
    if not region or region == department:
        return None
    return region


def read_metadata(first_pages: list[str]) -> DocumentMetadata:
    """Read from the first pages' text: the first title naming a year and 决算/预算 wins.

    Years printed on their own line (another font, another baseline) are rejoined by reading
    the whole cover with line breaks removed.
    """
    joined = _clean("".join(first_pages[:3]).replace("\n", ""))
    joined = re.sub(r"^(?:目录|目錄)", "", joined)
    department = year = None
    doc_type = None
    m = _TITLE.search(joined)
    if m:
        department = m.group(1).strip("（）()")
        department = re.sub(r"^(?:目录|附件\d*[:：]?)", "", department)
        year = int(m.group(2))
        doc_type = DocType.FINAL_ACCOUNTS if _FINAL.search(m.group(3)) else DocType.BUDGET
    else:
        # the year may be printed after the title word ("部门决算 2024"): fall back to parts
        y = re.search(_YEAR, joined)
        year = int(y.group(1)) if y else None
        if _FINAL.search(joined[:400]):
            doc_type = DocType.FINAL_ACCOUNTS
        elif _BUDGET.search(joined[:400]):
            doc_type = DocType.BUDGET
        d = re.match(r"([\u4e00-\u9fff（）()]{2,40}?)(?:20\d{2}|年度|部门)", joined)
        department = d.group(1) if d else None
    part_one = re.search(r"第一部分([\u4e00-\u9fff（）()]{2,40}?)(?:部门|单位)?概况", joined)
    if part_one and (department is None or not region_of(department)):
        department = part_one.group(1)
    region = region_of(department) if department else None
    return DocumentMetadata(region=region, department=department or None, fiscal_year=year, doc_type=doc_type)
