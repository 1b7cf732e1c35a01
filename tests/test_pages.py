from __future__ import annotations

import pdfplumber
from pdfminer.pdftypes import PDFStream

from extractors.pages import iter_pages
from tests.conftest import SOCIAL_WORK_PDF


def test_iter_pages_releases_decoded_streams_and_font_programs():
    with pdfplumber.open(SOCIAL_WORK_PDF) as pdf:
        seen = []
        for page_no, page in iter_pages(pdf):
            assert page.chars is not None
            seen.append(page_no)
        assert seen == list(range(1, len(pdf.pages) + 1))
        assert not [o for o, _ in pdf.doc._cached_objs.values() if isinstance(o, PDFStream)]
        assert all(getattr(f, "fontfile", None) is None for f in pdf.rsrcmgr._cached_fonts.values())
        assert any(p.page_obj.contents and all(s.data is None for s in p.page_obj.contents) for p in pdf.pages)
