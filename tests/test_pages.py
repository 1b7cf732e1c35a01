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


def test_boxes_of_a_font_without_usable_widths_are_cut_at_the_next_glyph():
    from extractors.baselines import repair_advances

    def glyph(text: str, x0: float, font: str, width: float = 13.7) -> dict:
        return {"text": text, "x0": x0, "x1": x0 + width, "width": width, "size": 13.7, "fontname": font,
                "upright": True, "matrix": (13.7, 0, 0, 13.7, x0, 500.0)}

    digits = [glyph(t, x, "E-BZ") for t, x in zip("890.97", (259.2, 266.2, 273.2, 278.4, 287.1, 294.1), strict=True)]
    assert repair_advances(digits) == 5
    assert [round(g["x1"], 1) for g in digits] == [266.2, 273.2, 278.4, 287.1, 294.1, 307.8]  # the last keeps its box
    # two figures in neighbouring cells, 4.5 pt apart: the first's last glyph is cut at the advance "4" has
    # inside a figure (7.0), not at the next figure's first glyph, so it ends before the second starts
    cells = [glyph(t, 100.0 + 7.0 * i, "E-HZ") for i, t in enumerate("16.64")]
    cells += [glyph(t, 139.5 + 7.0 * i, "E-HZ") for i, t in enumerate("23.10")]
    repair_advances(cells)
    assert cells[4]["x1"] == 135.0 < cells[5]["x0"]
    # a blank is not cut at an advance (it would be at 27.0): it stands for the gap a label is joined over
    label = [glyph("合", 10.0, "E-HZ"), glyph(" ", 20.0, "E-HZ"), glyph("计", 32.0, "E-HZ")]
    label += [glyph(t, 60.0 + 7.0 * i, "E-HZ") for i, t in enumerate("1234")]
    repair_advances(label)
    assert label[1]["x1"] == 20.0 + 13.7
    # a text font whose full-width punctuation Word compresses on one pair of many: left alone
    text = [glyph(t, 100 + 15 * i, "SimSun", 15.0) for i, t in enumerate("收入支出总计情况说明")]
    text += [glyph("，", 250.0, "SimSun", 15.0), glyph("国", 257.5, "SimSun", 15.0)]
    assert repair_advances(text) == 0
