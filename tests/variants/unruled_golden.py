"""The golden document with the ruling lines of some of its tables taken out (as provinces that type
their tables in Word print them): the same text at the same positions, no grid to lean on.

Every vector path (rules, cell borders) on the chosen pages is removed with pdfium; text objects are
kept untouched, so the expected cells are exactly the golden ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, GOLDEN_PDF

GOLDEN_TABLES = json.loads((FIXTURES / "上海市普陀区财政局2024年度部门决算.tables.json").read_text(encoding="utf-8"))


def table_pages(*tables: str) -> list[int]:
    """1-based pages the golden file says these tables are printed on."""
    return sorted({p for t in GOLDEN_TABLES["tables"] if t["table"] in tables for p in t["pages"]})


def strip_rules(out: Path, pages: list[int], src: Path = GOLDEN_PDF) -> Path:
    """Write ``src`` to ``out`` with every path object removed from ``pages`` (1-based)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(src))
    try:
        for n in pages:
            page = doc[n - 1]
            for obj in list(page.get_objects()):
                if obj.type == raw.FPDF_PAGEOBJ_PATH:
                    page.remove_obj(obj)
            page.gen_content()
            page.close()
        doc.save(str(out))
    finally:
        doc.close()
    return out
