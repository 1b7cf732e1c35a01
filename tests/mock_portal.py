"""A mock district portal on 127.0.0.1, built from the bundled sample PDFs, and helpers for the flow tests.

The portal looks like a Chinese district's 财政预决算 column: paginated listing pages, article
pages with attachments, a broken link, an HTML error page served as .pdf, a slow response, the
same bytes re-published at a second URL, a robots.txt-disallowed file, a link to a foreign host,
and a notice that is not a disclosure. ``change_document`` re-publishes new bytes at an old URL;
``publish`` adds a new document to a listing page. Every route, HTML page or document, answers
conditional GETs (ETag or Last-Modified) like a real web server, unless it is told to ignore them
(``Route.conditional``); the server logs every request with its validators and the status sent.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL_PDF = ROOT / "data" / "raw" / "samples" / "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"

SLOW_SECONDS = 0.4


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    etag: bool = True
    last_modified: bool = True
    version: int = 1
    location: str | None = None  # for redirects
    headers: dict[str, str] | None = None
    conditional: bool = True  # False: validators sent, but never a 304 (a server that ignores them)


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    path: str
    if_none_match: str | None
    if_modified_since: str | None
    status: int

    @property
    def conditional(self) -> bool:
        return bool(self.if_none_match or self.if_modified_since)


def variant(pdf: bytes, tag: str) -> bytes:
    """Same PDF, other bytes: a comment after %%EOF (PDF readers ignore it)."""
    return pdf + f"\n% juesuan test variant {tag}\n".encode()


class _Handler(BaseHTTPRequestHandler):
    """Answers from ``outer``'s routes (each Server makes a subclass naming itself as ``outer``)."""

    protocol_version = "HTTP/1.1"
    outer: Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        with self.outer.lock:
            self.outer.hits[path] += 1
            route = self.outer.routes.get(path)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if route is None:
            self._log(path, inm, ims, 404)
            return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
        if route.delay:
            time.sleep(route.delay)
        etag = f'"{hashlib.md5(route.body).hexdigest()}"'
        lm = formatdate(1_700_000_000 + route.version * 86400, usegmt=True)
        headers = {"Location": route.location} if route.location else {}
        headers.update(route.headers or {})
        if route.etag:
            headers["ETag"] = etag
        if route.last_modified:
            headers["Last-Modified"] = lm
        fresh = (route.etag and inm == etag) or (not route.etag and route.last_modified and ims == lm)
        if route.status == 200 and route.conditional and fresh:
            self._log(path, inm, ims, 304)
            return self._send(304, b"", None, headers)
        self._log(path, inm, ims, route.status)
        self._send(route.status, route.body, route.content_type, headers)

    def _log(self, path: str, inm: str | None, ims: str | None, status: int) -> None:
        with self.outer.lock:
            self.outer.requests.append(Request(path, inm, ims, status))

    def _send(self, status: int, body: bytes, ctype: str | None, headers: dict | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


class Server:
    """A threaded HTTP server on loopback serving ``routes``; counts requests per path."""

    def __init__(self, routes: dict[str, Route] | None = None, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = routes or {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, 0), type("Handler", (_Handler,), {"outer": self}))
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _html(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{body}</body></html>").encode()


def _listing(items: list[tuple[str, str]], prev: str | None, nxt: str | None) -> bytes:
    lis = "".join(f'<li><a href="{href}" target="_blank">{text}</a><span>2025-09-30</span></li>' for href, text in items)
    pager = ""
    if prev:
        pager += f'<a href="{prev}">上一页</a> '
    if nxt:
        pager += f'<a href="{nxt}">下一页</a>'
    return _html("部门决算", f'<ul class="list">{lis}</ul><div class="page">{pager}</div>')


class DistrictPortal:
    """The portal plus a 'foreign' server on another host name (localhost) that must never be hit."""

    def __init__(self, pdf: bytes | None = None) -> None:
        base = pdf if pdf is not None else SMALL_PDF.read_bytes()
        self.pdfs = {k: variant(base, k) for k in ("A", "B", "C")}
        self.foreign = Server({"/gk/other_2024.pdf": Route(self.pdfs["A"], "application/pdf")}, host="localhost")
        self.server = Server()


    def statuses(self, report) -> dict[str, str]:  # noqa: ANN001 (a pipeline.scrape.ScrapeReport)
        """Fetch status by path on this portal, from a scrape report."""
        base = self.server.url("")
        return {o.url.replace(base, ""): o.status for _, o in report.outcomes}
    def __enter__(self) -> DistrictPortal:
        self.foreign.__enter__()
        self.server.__enter__()
        self._build()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__()
        self.foreign.__exit__()

    @property
    def listing(self) -> str:
        return self.server.url("/czyjs/index.html")

    def _build(self) -> None:
        pdf = "application/pdf"
        foreign = self.foreign.url("/gk/other_2024.pdf")
        r = self.server.routes
        r["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
        r["/czyjs/index.html"] = Route(_listing([
            ("/art/2025/101.html", "上海市普陀区某局2024年度部门决算"),
            ("/files/social_2024.pdf", "区委社会工作部2024年度部门决算"),
            ("/art/2025/notice.html", "关于开展节能宣传周活动的通知"),
        ], None, "index_1.html"))
        r["/czyjs/index_1.html"] = Route(_listing([
            ("/files/missing_2024.pdf", "某街道2024年度部门决算（附件）"),
            ("/files/error_2024.pdf", "某中心2024年度部门决算"),
            ("/files/slow_2024.pdf", "某委员会2024年度部门决算"),
            (foreign, "兄弟区2024年度部门决算（外部链接）"),
            ("/private/internal_2024.pdf", "内部2024年度部门决算"),
        ], "index.html", "index_2.html"))
        r["/czyjs/index_2.html"] = Route(_listing([
            ("/art/2025/103.html", "区委社会工作部2024年度部门决算（重新发布）"),
        ], "index_1.html", None))
        r["/art/2025/101.html"] = Route(_html("某局2024年度部门决算", (
            '<p>现将2024年度部门决算公开如下。</p><p>附件：<a href="/files/101/ptj_2024_js.pdf">2024年度部门决算.pdf</a></p>'
            '<p><a href="/img/banner.png">banner</a></p>')))
        r["/art/2025/103.html"] = Route(_html("重新发布", (
            '<p>附件：<a href="../../upload/2025/10/social_2024_v2.pdf" title="区委社会工作部决算">下载</a></p>')))
        r["/art/2025/notice.html"] = Route(_html("通知", '<a href="/files/notice.pdf">通知.pdf</a>'))
        r["/files/notice.pdf"] = Route(self.pdfs["C"], pdf)
        r["/files/101/ptj_2024_js.pdf"] = Route(self.pdfs["A"], pdf, etag=False)  # Last-Modified only
        r["/files/social_2024.pdf"] = Route(self.pdfs["B"], pdf, last_modified=False)  # ETag only
        r["/upload/2025/10/social_2024_v2.pdf"] = Route(self.pdfs["B"], pdf)  # same bytes, new URL
        r["/files/error_2024.pdf"] = Route(_html("系统错误", "<p>页面不存在或已删除</p>"), pdf)
        r["/files/slow_2024.pdf"] = Route(self.pdfs["C"], pdf, delay=SLOW_SECONDS)
        r["/private/internal_2024.pdf"] = Route(self.pdfs["C"], pdf)

    def change_document(self) -> bytes:
        """The department corrects its disclosure: new bytes at the old address."""
        route = self.server.routes["/files/101/ptj_2024_js.pdf"]
        new = variant(route.body, "A-corrected")
        self.server.routes["/files/101/ptj_2024_js.pdf"] = Route(new, route.content_type, etag=False,
                                                                 version=route.version + 1)
        return new

    def publish(self, page_path: str, href: str, text: str, body: bytes) -> None:
        """A new document at ``href``, linked from a listing or article page (which changes with it)."""
        self.server.routes[href] = Route(body, "application/pdf")
        page = self.server.routes[page_path]
        link = f'<p><a href="{href}" target="_blank">{text}</a></p></body>'.encode()
        self.server.routes[page_path] = replace(page, body=page.body.replace(b"</body>", link),
                                                version=page.version + 1)

    def ignore_validators(self) -> None:
        """The HTML pages are served in full whatever the request says (documents still answer 304)."""
        for path in PAGE_PATHS:
            self.server.routes[path] = replace(self.server.routes[path], conditional=False)

    def sources_yaml(self, path: Path, **extra: object) -> Path:
        """A sources file for this portal, polite settings shrunk to test size."""
        import yaml

        src = {"name": "mock-district", "region": "测试区", "listing_urls": [self.listing],
               "link_text": ["决算"], "delay": 0.0, "concurrency": 2, "timeout": 5, "retries": 1, "backoff": 0.05,
               **extra}
        path.write_text(yaml.safe_dump({"sources": [src]}, allow_unicode=True), encoding="utf-8")
        return path


# the listing and article pages a crawl of the portal reads (the notice is not a disclosure: never opened)
PAGE_PATHS = ("/czyjs/index.html", "/czyjs/index_1.html", "/czyjs/index_2.html", "/art/2025/101.html",
              "/art/2025/103.html")

# documents the portal publishes under distinct contents (A, B, C via the slow URL)
EXPECTED_DOCUMENT_URLS = ("/files/101/ptj_2024_js.pdf", "/files/social_2024.pdf",
                          "/upload/2025/10/social_2024_v2.pdf", "/files/slow_2024.pdf")


# --- a cheap stand-in for the extractor, for tests of the scraping/incremental mechanics -----

FAKE_CALLS: list[str] = []


def fake_extract_document(path: Path, source_url: str | None = None, sleep: float = 0.0):
    """Same contract as pipeline.extract.extract_document, no PDF parsing: one document row and
    one narrative fact whose value is the file size."""
    from decimal import Decimal

    import pipeline
    from extractors.source import doc_id_for, sha256_of
    from pipeline.document_records import DocumentRecords
    from schemas.records import DocStatus, Document, NarrativeFact

    path = Path(path)
    FAKE_CALLS.append(path.name)
    if sleep:
        time.sleep(sleep)
    sha = sha256_of(path)
    doc_id = doc_id_for(sha)
    doc = Document(doc_id=doc_id, file_name=path.name, sha256=sha, source_url=source_url, status=DocStatus.OK,
                   extractor_version=pipeline.EXTRACTOR_VERSION, department="测试局", fiscal_year=2024)
    # the text does not name the stored file: which of two addresses of the same bytes finished
    # downloading first is a race, and the dataset must not depend on it (the real extractor's doesn't)
    fact = NarrativeFact(doc_id=doc_id, metric="file_size", value=Decimal(path.stat().st_size), unit="字节",
                         page=1, text=f"文件共 {path.stat().st_size} 字节")
    return DocumentRecords(doc, facts=[fact])


def drive(data: str, sources: str, sleep: str = "0") -> None:
    """Subprocess entry for the kill test: the real flow, the fake extractor slowed down."""
    import pipeline.process

    def slow_fake(path: Path, source_url: str | None = None):
        return fake_extract_document(path, source_url, sleep=float(sleep))

    pipeline.process.extract_bounded = slow_fake  # type: ignore[assignment]
    import flows

    flows.run(data=data, sources=sources)


if __name__ == "__main__":
    drive(*sys.argv[1:])
