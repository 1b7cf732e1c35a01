"""Which documents belong together: one department's disclosure of one year, and its budget
beside its final accounts.

A department is printed in several forms (中共江苏省委办公厅 / 江苏省委办公厅 / 中国共产党江苏省委员会
办公厅): ``department_key`` reduces a name to the form they share. Documents of one region,
department key, year and type are one disclosure when they complement each other (a narrative
PDF and a PDF of its tables); a budget pairs with the final accounts of the same department and
year. A pairing with more than one candidate is reported, never guessed.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

from extractors.metadata import region_of
from extractors.textforms import match_text
from schemas.records import Document

# printed forms of one organisation's name, reduced to one (longest first)
_NAME_FORMS = (("中国共产党", "中共"), ("常务委员会", "常委会"), ("委员会", "委"))


def department_key(name: str | None) -> str | None:
    """The department's name without its region and party prefix, in its short form:
    中国共产党江苏省委员会办公厅 → 委办公厅, 中共江苏省委办公厅 → 委办公厅."""
    if not name:
        return None
    s = match_text(name)
    for long, short in _NAME_FORMS:
        s = s.replace(long, short)
    s = s.removeprefix("中共")
    region = region_of(s)
    if region:
        s = s[len(region):]
    s = re.sub(r"^[省市区县]", "", s)  # 省人大办公厅: the region named by its level only
    return s or None


def identity_of(region: str | None, department: str | None, fiscal_year: int | None) -> tuple[str, str, int] | None:
    """(province-level region, department key, year): what a budget and final accounts of one department
    share (a document may print 江苏省 or 江苏省南京市 for the same department)."""
    key = department_key(department)
    if key is None or fiscal_year is None:
        return None
    return ((region or "")[:3], key, int(fiscal_year))


def identity(doc: Document) -> tuple[str, str, int] | None:
    return identity_of(doc.region, doc.department, doc.fiscal_year)


def _disclosure_id(doc_ids: Iterable[str]) -> str:
    return hashlib.sha256("|".join(sorted(doc_ids)).encode()).hexdigest()[:16]


def link_disclosures(documents: list[Document], with_tables: set[str]) -> list[Document]:
    """Each document with its ``disclosure_id``: shared by a document of tables only and the one
    narrative of the same department, year and type (``with_tables``: doc_ids that yielded tables)."""
    groups: dict[tuple, list[Document]] = defaultdict(list)
    for d in documents:
        ident = identity(d)
        if ident is not None and d.doc_type:
            groups[(*ident, d.doc_type)].append(d)
    ids: dict[str, str] = {}
    for docs in groups.values():
        tables = [d for d in docs if d.doc_id in with_tables]
        narratives = [d for d in docs if d.doc_id not in with_tables]
        if len(tables) == 1 and len(narratives) == 1:
            shared = _disclosure_id(d.doc_id for d in docs)
            ids.update({d.doc_id: shared for d in docs})
    # a link the scrape recorded (an article and its attachments) stands; otherwise the one found here
    return [d.model_copy(update={"disclosure_id": ids.get(d.doc_id) or d.disclosure_id or d.doc_id}) for d in documents]
