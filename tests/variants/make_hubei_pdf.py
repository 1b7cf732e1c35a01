"""Typeset the Wuhan Hongshan (Hubei) final account's text layer back into the PDF it came from.

The hidden acceptance reads that document both as PDF and as text, and only its text layer is
bundled (data/raw/samples/wuhan_hongshan_housing_2023.txt). This prints that text the way Hubei
final-account PDFs are printed, so tests can check that the PDF and the .txt give the same facts:

- A4 portrait, body 16pt in a Song/FangSong-like CID font (STSong-Light), 28.9pt line pitch
  (22 lines a page, GB/T 9704 margins), the text's own line breaks kept as printed lines
  (sentences broken mid-word), lines justified to the right margin, headings in fake bold;
- ASCII (digits, %, Latin, brackets) in Times-Roman, another size and a shifted baseline;
  two styles draw those runs after or before the page's Chinese text, in text objects of
  their own (the Shanghai PDFs' numbers come out of the content stream apart from their
  sentences), one places every glyph on its own as some PDF printers do;
- page numbers "- 3 -" or "— 3 —" at the bottom (Hubei alternates them left and right),
  a running header with a rule on the body pages of one style, chart images under 图 N;
- the 第二部分 table pages print only their titles: the tables were lost from the text
  layer and are not invented here. Attachment pages holding more lines than fit are printed
  smaller and, if still too long, over several pages.

The text layer starts each printed page's first line with a space: pages break there.

Run ``python -m tests.variants.make_hubei_pdf OUT_DIR`` to write one PDF per style.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUBEI_TXT = ROOT / "data" / "raw" / "samples" / "wuhan_hongshan_housing_2023.txt"
CJK_FONT = "STSong-Light"  # reportlab's built-in CID font: no file to ship, text extracts as Unicode
LATIN_FONT = "Times-Roman"
PAGE_W, PAGE_H = 595.28, 841.89  # A4 portrait
LEFT, RIGHT, TOP, BOTTOM = 79.4, 73.7, 104.9, 99.2  # GB/T 9704: 28 / 26 / 37 / 35 mm
BODY_SIZE, PITCH = 16.0, 28.9
SMALL_SIZE, SMALL_PITCH = 10.5, 13.0  # attachment pages printed as plain lines (their tables lost)


@dataclass(frozen=True)
class Style:
    name: str
    about: str
    latin_size: float  # Times-Roman size next to the 16pt Chinese
    latin_rise: float  # baseline shift of ASCII runs, negative = below the Chinese baseline
    page_number: str  # format with {n}
    alternate_sides: bool  # page number right on odd pages, left on even ones
    running_header: bool
    latin_apart: str = ""  # "after" / "before": the page's ASCII runs in their own text object
    pitch: float = PITCH  # line pitch of body text
    per_char: bool = False  # every glyph placed on its own (Tm per character), as some PDF printers do
    appendices: bool = True  # False: published without its 附件 part (the self-evaluation reports)


STYLES: tuple[Style, ...] = (
    Style("hubei", "numbers 16.5pt Times-Roman 1pt below the line, '- 3 -' centred, running header",
          latin_size=16.5, latin_rise=-1.0, page_number="- {n} -", alternate_sides=False,
          running_header=True),
    Style("hubei_low_numbers", "numbers 15pt 3.5pt below the line and drawn after the Chinese text, '— 3 —' left/right",
          latin_size=15.0, latin_rise=-3.5, page_number="— {n} —", alternate_sides=True,
          running_header=False, latin_apart="after"),
    Style("hubei_glyphs", "every glyph placed on its own, numbers 15.5pt 3pt below and drawn before the Chinese "
          "text, 24pt pitch, no appendices",
          latin_size=15.5, latin_rise=-3.0, page_number="- {n} -", alternate_sides=True,
          running_header=True, latin_apart="before", pitch=24.0, per_char=True, appendices=False),
)
STYLES_BY_NAME = {s.name: s for s in STYLES}

_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
_BOLD = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
_APPENDIX_PART = re.compile(r"^第[一二三四五六七八九十]+部分\s*附件")
_FIGURE = re.compile(r"^图\s*\d+\s*[:：]")
_FURNITURE = re.compile(r"^[—\-–]\s*\d{1,3}\s*[—\-–]$")  # a page number left in the text layer
_SENTENCE_END = ("。", "：", "！", "？", "；")


def printed_pages(text: str) -> list[list[str]]:
    """The text layer's pages as lists of lines (blank lines and stray page numbers left out)."""
    pages: list[list[str]] = []
    for raw in text.split("\n"):
        line = raw.rstrip()
        if not line.strip() or _FURNITURE.match(line.strip()):
            continue
        if raw.startswith(" ") or not pages:
            pages.append([])
        pages[-1].append(line.strip())
    return pages


def _is_latin(ch: str) -> bool:
    return ch.isascii() or ch in "²"


def _segments(line: str) -> list[tuple[str, bool]]:
    """(text, latin) runs: ASCII in the Latin font, everything else in the Chinese one."""
    out: list[tuple[str, bool]] = []
    for ch in line:
        if ch == "\u2003":
            ch = " "
        latin = _is_latin(ch)
        if out and out[-1][1] == latin:
            out[-1] = (out[-1][0] + ch, latin)
        else:
            out.append((ch, latin))
    return out


@dataclass
class _Line:
    text: str
    size: float
    pitch: float
    bold: bool = False
    centred: bool = False
    indent: bool = False
    justify: bool = False
    figure: bool = False  # a chart image is printed above this caption


class HubeiPdf:
    def __init__(self, path: Path, style: Style, header: str) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        self.width = pdfmetrics.stringWidth
        self.style = style
        self.header = header
        self.c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1)
        self.c.setTitle(header)
        self.page_no = 0

    # ---- measuring -----------------------------------------------------------------------------
    def natural_width(self, line: str, size: float) -> float:
        latin_size = size * self.style.latin_size / BODY_SIZE
        return sum(self.width(s, LATIN_FONT, latin_size) if latin else self.width(s, CJK_FONT, size)
                   for s, latin in _segments(line))

    # ---- drawing -------------------------------------------------------------------------------
    def draw_line(self, line: _Line, y: float, part: str = "all") -> None:
        """Print a line; ``part`` "cjk" or "latin" prints only those runs (at their places)."""
        size = line.size
        latin_size = size * self.style.latin_size / BODY_SIZE
        rise = self.style.latin_rise * size / BODY_SIZE
        room = PAGE_W - LEFT - RIGHT
        x = LEFT + (2 * size if line.indent else 0)
        natural = self.natural_width(line.text, size)
        if line.centred:
            x = max(LEFT, (PAGE_W - natural) / 2)
        segments = _segments(line.text)
        n_cjk = sum(len(s) for s, latin in segments if not latin) - (0 if segments[-1][1] else 1)
        spacing = 0.0
        free = LEFT + room - x - natural
        if n_cjk > 0 and (free < 0 or (line.justify and free < 3 * size)):
            spacing = max(-0.12 * size, min(free / n_cjk, 0.25 * size))  # squeeze punctuation or justify
        t = self.c.beginText(x, y)
        t.setTextRenderMode(2 if line.bold else 0)  # fill + stroke: Word's fake bold (the mode persists)
        if line.bold:
            self.c.setLineWidth(0.35)
        for s, latin in segments:
            if latin:
                w = self.width(s, LATIN_FONT, latin_size)
                if part != "cjk":
                    t.setTextOrigin(x, y)
                    t.setFont(LATIN_FONT, latin_size)
                    t.setCharSpace(0)
                    t.setRise(rise)
                    t.textOut(s)
                    t.setRise(0)
            else:
                w = self.width(s, CJK_FONT, size) + spacing * len(s)
                if part != "latin":
                    self._cjk(t, s, x, y, size, spacing)
            x += w
        self.c.drawText(t)
        if line.bold:
            self.c.setLineWidth(1)

    def _cjk(self, t, s: str, x: float, y: float, size: float, spacing: float) -> None:
        t.setFont(CJK_FONT, size)
        if self.style.per_char:
            t.setCharSpace(0)
            for ch in s:
                t.setTextOrigin(x, y)
                t.textOut(ch)
                x += self.width(ch, CJK_FONT, size) + spacing
        else:
            t.setTextOrigin(x, y)
            t.setCharSpace(spacing)
            t.textOut(s)

    def chart(self, y_top: float, height: float) -> None:
        """A bar chart as a raster image (the text layer has no labels for it: it was a picture)."""
        from PIL import Image, ImageDraw
        from reportlab.lib.utils import ImageReader

        img = Image.new("RGB", (400, 200), "white")
        draw = ImageDraw.Draw(img)
        draw.line([(30, 180), (390, 180)], fill="black", width=2)
        for i, h in enumerate((150, 110, 60, 130)):
            draw.rectangle([60 + i * 85, 180 - h, 110 + i * 85, 180], fill=(70, 110, 170))
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        buf.seek(0)
        width = height * 2
        self.c.drawImage(ImageReader(buf), (PAGE_W - width) / 2, y_top - height, width, height)

    def page(self, lines: list[_Line], running_header: bool) -> None:
        passes = {"": ("all",), "after": ("cjk", "latin"), "before": ("latin", "cjk")}[self.style.latin_apart]
        for part in passes:
            y = PAGE_H - TOP
            for line in lines:
                if line.figure:
                    if part != "latin":
                        self.chart(y, 150)
                    y -= 150 + 0.4 * line.pitch
                self.draw_line(line, y - line.size * 0.88, part)
                y -= line.pitch
        self.page_number(running_header)
        self.c.showPage()

    def page_number(self, running_header: bool) -> None:
        self.page_no += 1
        n = self.page_no
        number = self.style.page_number.format(n=n)
        size = 14.0
        w = self.natural_width(number, size)
        centre = (PAGE_W - w) / 2
        x = (PAGE_W - RIGHT - w if n % 2 else LEFT + size) if self.style.alternate_sides else centre
        t = self.c.beginText(x, 52)
        for s, latin in _segments(number):
            t.setFont(LATIN_FONT if latin else CJK_FONT, size)
            t.textOut(s)
        self.c.drawText(t)
        if running_header and self.style.running_header:
            self.c.setFont(CJK_FONT, 10.5)
            self.c.drawCentredString(PAGE_W / 2, PAGE_H - 52, self.header)
            self.c.setLineWidth(0.5)
            self.c.line(LEFT, PAGE_H - 58, PAGE_W - RIGHT, PAGE_H - 58)
            self.c.setLineWidth(1)

    def save(self) -> None:
        self.c.save()


def _layout(page: list[str], body_pitch: float) -> list[list[_Line]]:
    """A text page as one or more printed pages of lines."""
    room = PAGE_H - TOP - BOTTOM
    if len(page) * PITCH <= room + 1:
        size, pitch = BODY_SIZE, body_pitch
    else:  # an attachment's table, lost from the text layer: its cells printed as small plain lines
        size, pitch = SMALL_SIZE, SMALL_PITCH
    lines: list[_Line] = []
    for i, text in enumerate(page):
        prev = page[i - 1] if i else ""
        nxt = page[i + 1] if i + 1 < len(page) else ""
        part = bool(_PART.match(text))
        lines.append(_Line(
            text, 22.0 if part else size, max(pitch, 30.0) if part else pitch,
            bold=bool(_BOLD.match(text)), centred=part or bool(_FIGURE.match(text)),
            indent=size == BODY_SIZE and not part and (not prev or prev.endswith(_SENTENCE_END)) and not _FIGURE.match(text),
            justify=size == BODY_SIZE and bool(nxt) and not text.endswith(_SENTENCE_END) and not _BOLD.match(nxt),
            figure=bool(_FIGURE.match(text)),
        ))
    out: list[list[_Line]] = [[]]
    used = 0.0
    for line in lines:
        need = line.pitch + (150 + 0.4 * line.pitch if line.figure else 0)
        if out[-1] and used + need > room + 1:
            out.append([])
            used = 0.0
        out[-1].append(line)
        used += need
    return out


def _header(text: str) -> str:
    """Running header: the department (第一部分 X概况) and the year (第二部分 YYYY 年度…)."""
    dept = re.search(r"第一部分\s*(\S+?)概况", text)
    year = re.search(r"第[二三]部分\s*(20\d\d)", text)
    return f"{dept.group(1) if dept else ''}{year.group(1) if year else ''}年度部门决算"


def build(style: Style, out_dir: Path, source: Path = HUBEI_TXT) -> Path:
    """Write ``<style>.pdf`` into out_dir and return its path."""
    text = source.read_text(encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{style.name}.pdf"
    pdf = HubeiPdf(path, style, _header(text))
    in_part = False
    for page in printed_pages(text):
        if not style.appendices and _APPENDIX_PART.match(page[0]):
            break
        part_start = bool(_PART.match(page[0]))
        for printed in _layout(page, style.pitch):
            pdf.page(printed, running_header=in_part and not part_start)
            part_start = False
        in_part = True
    pdf.save()
    return path


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    out = Path(argv[0])
    for style in STYLES:
        path = build(style, out)
        print(f"{path}  ({style.about})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
