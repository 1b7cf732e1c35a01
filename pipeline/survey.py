"""Before trusting a new province: how well a folder of its documents reads, per family and per city.

``juesuan survey DIR`` extracts and checks every document (as ``extract`` does) and summarises the
quality columns of documents.csv (pipeline/quality.py): the share of documents fully read, the share
whose table identities all hold, the doubtful tables, and the slowest documents.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from schemas.records import Document

_CITY = re.compile(r"^(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?[\u4e00-\u9fff]{1,7}?市|^[\u4e00-\u9fff]{2,7}?(?:省|自治区)")
NO_REGION = "(no region: central or unknown)"


def city_of(region: str | None) -> str:
    """The city (or province) a region belongs to: 上海市普陀区 → 上海市, 江苏省南京市 → 江苏省南京市."""
    if not region:
        return NO_REGION
    m = _CITY.match(region)
    return m.group(0) if m else region


@dataclass(frozen=True)
class Group:
    name: str
    documents: int
    fully_read: int
    with_cells: int  # documents with any table cell (those whose identities could be checked)
    identities_hold: int  # of those, documents without an error-level identity finding
    doubtful: int  # documents with a doubtful table

    @property
    def fully_read_share(self) -> float:
        return self.fully_read / self.documents if self.documents else 0.0

    @property
    def identity_pass_rate(self) -> float | None:
        return self.identities_hold / self.with_cells if self.with_cells else None


def group(docs: list[Document], key) -> list[Group]:
    by: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        by[key(d)].append(d)
    out = []
    for name, ds in sorted(by.items()):
        checked = [d for d in ds if d.cells_read]
        out.append(Group(
            name=name, documents=len(ds), fully_read=sum(1 for d in ds if d.fully_read), with_cells=len(checked),
            identities_hold=sum(1 for d in checked if not d.identity_errors),
            doubtful=sum(1 for d in ds if d.doubtful_tables),
        ))
    return out


def survey_lines(docs: list[Document], seconds: dict[str, float], slowest: int = 5) -> list[str]:
    """The survey as printed: per family, per city, then the slowest documents."""
    lines: list[str] = []
    for title, key in (("family", lambda d: str(d.doc_type or "(not recognised)")), ("city", lambda d: city_of(d.region))):
        lines.append(f"{'per ' + title:34s} {'docs':>5s} {'fully read':>11s} {'identities hold':>16s} {'doubtful':>9s}")
        for g in group(docs, key):
            rate = "-" if g.identity_pass_rate is None else f"{g.identity_pass_rate:.0%} of {g.with_cells}"
            lines.append(f"  {g.name[:32]:32s} {g.documents:5d} {g.fully_read_share:10.0%} {rate:>16s} {g.doubtful:9d}")
        lines.append("")
    lines.append("slowest documents")
    for d in sorted(docs, key=lambda d: -seconds.get(d.doc_id, 0.0))[:slowest]:
        pages = f"{d.pages} pages" if d.pages else ""
        lines.append(f"  {seconds.get(d.doc_id, 0.0):7.1f} s  {pages:>9s}  {d.status:9s} {d.file_name}")
    missing = [d for d in docs if d.tables_missing]
    if missing:
        lines += ["", "expected tables not located"]
        lines += [f"  {d.file_name}: {d.tables_missing}" for d in missing]
    return lines
