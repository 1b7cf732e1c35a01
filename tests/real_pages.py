"""The real portal pages of ../shared/portals/pages served from a loopback test portal.

Each page is served at the path of the address it was published at (its ``<meta name="Url">``;
pages without one under ``/portal-pages/<file>/``), with every link to its city's portal hosts
(the municipal site's domain and its sub-domains, from city_budget_portals.json) rewritten to
the loopback server. Links to any other host are left as they are: a crawler must refuse them
(``foreign_host``) without a request. Every attachment the served pages link to on the portal is
served too: a small PDF per PDF address (distinct bytes each), a workbook signature for
spreadsheets; ``/list.html`` lists every page, like a budget column would.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from extractors.html_text import decode_html
from extractors.source import XLS_MAGIC, XLSX_MAGIC
from pipeline import scrape as scr
from tests.mock_portal import Route, Server

ROOT = Path(__file__).resolve().parent.parent
PORTALS = ROOT.parent / "shared" / "portals"
PAGES = PORTALS / "pages"
_META_URL = re.compile(r"""<meta\s+name=["']Url["']\s+content=["']([^"']+)["']""", re.IGNORECASE)


def index() -> list[dict]:
    return json.loads((PAGES / "INDEX.json").read_text(encoding="utf-8"))


def city_domains() -> dict[str, str]:
    """City → its municipal portal's domain (www.cq.gov.cn → cq.gov.cn)."""
    cities = json.loads((PORTALS / "city_budget_portals.json").read_text(encoding="utf-8"))
    return {c["city"]: (urlsplit(c["website"]).hostname or "").removeprefix("www.") for c in cities}


def original_path(html: str, file: str) -> str:
    m = _META_URL.search(html)
    if m:
        return urlsplit("http:" + m.group(1) if m.group(1).startswith("//") else m.group(1)).path
    return f"/portal-pages/{quote(Path(file).stem)}/index.html"


def pdf_bytes(path: str) -> bytes:
    return b"%PDF-1.4\n% juesuan test attachment " + path.encode() + b"\n%%EOF\n"


def attachment_body(path: str) -> tuple[bytes, str]:
    kind = scr.attachment_type(path) or "pdf"
    if kind == "xlsx":
        return XLSX_MAGIC + b"test workbook " + path.encode(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if kind == "xls":
        return XLS_MAGIC + b"test workbook " + path.encode(), "application/vnd.ms-excel"
    if kind == "pdf":
        return pdf_bytes(path), "application/pdf"
    return b"PK\x03\x04 test " + path.encode(), "application/octet-stream"


@dataclass
class RealPortal:
    """The 24 real pages on loopback; ``served[file]`` is the URL a page is served at."""

    server: Server = field(default_factory=Server)
    served: dict[str, str] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)  # file → the page as served (hosts rewritten)

    def __enter__(self) -> RealPortal:
        self.server.__enter__()
        domains = city_domains()
        base = self.server.url("")
        for entry in index():
            file = entry["file"]
            html = decode_html((PAGES / file).read_bytes(), None)
            self.add_page(file, html, domains[entry["city"]])
        items = "".join(f'<li><a href="{urlsplit(u).path}">预算公开</a></li>' for u in self.served.values())
        self.server.routes["/list.html"] = Route(f"<html><body><ul>{items}</ul></body></html>".encode())
        assert base
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__()

    def add_page(self, file: str, html: str, domain: str) -> str:
        """Serve ``html`` (hosts of ``domain`` rewritten) and every attachment it links to on the portal."""
        hosts = re.compile(r"(?:https?:)?//(?:[a-z0-9-]+\.)*" + re.escape(domain) + r"(?![a-z0-9.-])", re.IGNORECASE)
        served = hosts.sub(self.server.url(""), html)
        path = original_path(html, file)
        url = self.server.url(path)
        self.served[file] = url
        self.html[file] = served
        self.server.routes[path] = Route(served.encode("utf-8"))
        for link in scr.find_links(served, url):
            if scr.attachment_type(link.url) and scr.host_of(link.url) == self.server.host:
                body, ctype = attachment_body(urlsplit(link.url).path)
                self.server.routes.setdefault(urlsplit(link.url).path, Route(body, ctype))
        return url

    def source(self, listing: str | None = None, **kw: object) -> scr.Source:
        return scr.source_from_dict({"name": "real-pages", "listing_urls": [listing or self.server.url("/list.html")],
                                     "link_text": ["预算"], "delay": 0.0, "concurrency": 4, "timeout": 5,
                                     "retries": 0, "backoff": 0.01, **kw})
