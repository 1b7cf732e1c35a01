"""An HTML page (a budget explanation published as an article) → its reading text, for the
same narrative reader as a .txt file. Stdlib only (``html.parser``): the process stage must not
pay for an HTTP client or a browser engine.

Only what a reader sees as the article is kept: scripts, styles, navigation, forms and the text
of links (menus, breadcrumbs, footers' link lists, attachment names) are dropped; block
elements end a line, so paragraphs and table rows stay apart.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from extractors.figures import mentions
from extractors.textforms import figure_text

# elements whose content is never article text
_SKIP = frozenset({"script", "style", "noscript", "template", "nav", "select", "option", "button", "iframe",
                   "textarea", "svg", "head"})
# elements that end a line of text
_BLOCK = frozenset({"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                    "article", "header", "footer", "ul", "ol", "dd", "dt", "blockquote", "pre", "hr", "title"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"})
_CELL = frozenset({"td", "th"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)

# money figures (万元 / 亿元 / 元) the article text must state to be a narrative disclosure; a page
# that says "详见附件" states none. Measured on ../shared/portals/pages: the 24 real article and
# listing pages state 0 (INDEX.json amounts_in_text), a 情况说明 states dozens.
NARRATIVE_MIN_MONEY = 3
MONEY_UNITS = frozenset({"万元", "亿元", "元"})


def decode_html(body: bytes, header_charset: str | None) -> str:
    """Header charset, else <meta charset>, else UTF-8 if it decodes, else GB18030 (GBK portals)."""
    m = _META_CHARSET.search(body[:4096])
    for enc in (header_charset, m.group(1).decode("ascii") if m else None):
        if enc:
            try:
                return body.decode("gb18030" if enc.lower() in ("gb2312", "gbk") else enc, errors="replace")
            except LookupError:
                pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._skip = 0
        self._link = 0
        self.title: list[str] = []
        self._in_title = False

    def _break(self) -> None:
        text = " ".join("".join(self._line).split())
        if text:
            self.lines.append(text)
        self._line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _VOID:
            if tag in _BLOCK:
                self._break()
            return
        if tag in _SKIP:
            self._skip += 1
        elif tag == "a":
            self._link += 1
        elif tag in _BLOCK:
            self._break()
        elif tag in _CELL:
            self._line.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "a":
            self._link = max(0, self._link - 1)
        elif tag in _BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        if self._skip or self._link:
            return
        self._line.append(data)


def _parse(html: str) -> _Text:
    p = _Text()
    try:
        p.feed(html)
        p.close()
    except Exception:  # noqa: BLE001 (malformed markup: keep what was parsed)
        pass
    p._break()
    return p


def html_to_text(html: str) -> str:
    """The page's reading text: its title on the first line (it names the department and the year,
    which the metadata reader looks for at the top), then one line per block of article text."""
    p = _parse(html)
    title = " ".join("".join(p.title).split())
    lines = [ln for ln in p.lines if ln != title]
    return "\n".join([title, *lines] if title else lines) + "\n"


def money_figures(text: str) -> int:
    """How many sums of money (万元 / 亿元 / 元) the text states."""
    return sum(1 for m in mentions(figure_text(text)) if m.unit in MONEY_UNITS)


def is_narrative_page(html: str) -> bool:
    """Whether an article page states a budget's figures itself (then it is a disclosure of its
    own), rather than pointing at attachments."""
    return money_figures(html_to_text(html)) >= NARRATIVE_MIN_MONEY
