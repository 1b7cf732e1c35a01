"""Stage: district portals → PDFs stored by content hash under ``data/raw/``, recorded in the manifest.

A source (see ``pipeline/sources.yaml``) names listing pages; the crawler follows pagination,
opens the listing links whose text or URL marks a disclosure (an article page, or the file
itself), and downloads the documents linked there. Politeness and safety:

- only hosts the source allows are contacted (redirects included); other links are logged as
  ``foreign_host`` and never requested; robots.txt is obeyed (``robots_disallowed``); a host that
  does not answer at all is ``unreachable``;
- per-host rate limit (minimum delay between requests) and concurrency limit;
- timeouts, retries with exponential backoff on network errors, 429 and 5xx;
- conditional GET (ETag / Last-Modified) so an unchanged document is not transferred again, and
  an unchanged listing or article page neither: the manifest keeps each page's validators and
  links, and on ``304 Not Modified`` the crawl goes on from the stored links;
- a file is accepted only if its first bytes say what it is: ``%PDF-`` (or, for the spreadsheet
  types a source downloads, an XLS/XLSX signature); an HTML error page served as .pdf is logged
  ``not_pdf`` and discarded. Attachments of other types (DOC, DOCX, ZIP, OFD, …) are recorded
  with their type (``other_type``), not downloaded;
- attachment links are found in ``<a href>``, in ``onclick`` / ``data-*`` attributes and in
  scripts that write the attachment list (real portals' CMSs do all three);
- an article page that states a budget's figures itself (a 情况说明 published as HTML) is a
  document too: stored like a download (``.html``), its attachments linked to it in the manifest;
- bytes are streamed to ``data/raw/.partial/`` while hashed, then moved atomically to
  ``data/raw/sha256/<2 hex>/<sha256>/<file name>``; the same bytes at a second URL are stored once.

Nothing is ever written outside the raw folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import httpx
import yaml

from extractors.html_text import decode_html, is_narrative_page
from pipeline.file_names import file_name_for
from pipeline.manifest import DOWNLOADED, FetchOutcome, FetchStatus, Manifest, StoredPage

__all__ = ["decode_html"]  # re-exported: the HTML decoding rule lives with the HTML reader

log = logging.getLogger("juesuan.scrape")

USER_AGENT = "juesuan/0.1 (+https://github.com/juesuan/juesuan; open-data research crawler)"
STORE = "sha256"
PARTIAL = ".partial"
LOCAL_SUFFIXES = (".pdf", ".txt", ".html", ".htm", ".xls", ".xlsx")
DEFAULT_DOCUMENT_PATTERNS = (r"\.pdf(?:$|[?#])",)
DEFAULT_NEXT_TEXT = (r"^\s*(下一页|下页|后一页|next)\s*[>»]*\s*$",)
MAX_REDIRECTS = 5
# attachment file types recognised by the URL's extension; only ``Source.download_types`` are fetched
ATTACHMENT_TYPES = ("pdf", "xls", "xlsx", "doc", "docx", "wps", "et", "ofd", "zip", "rar", "7z")
_ATTACHMENT_URL = re.compile(r"\.(" + "|".join(ATTACHMENT_TYPES) + r")$", re.IGNORECASE)
DEFAULT_DOWNLOAD_TYPES = ("pdf", "xls", "xlsx")
# first bytes of each downloadable type (XLSX is a ZIP container, XLS an OLE2 compound file)
MAGIC = {"pdf": b"%PDF-", "xlsx": b"PK\x03\x04", "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}
DEFAULT_SOURCES = Path(__file__).resolve().parent / "sources.yaml"


@dataclass(frozen=True)
class Source:
    """One portal to crawl; field meanings are documented in pipeline/sources.yaml."""

    name: str
    listing_urls: tuple[str, ...]
    region: str | None = None
    link_text: tuple[str, ...] = ()  # regexes on anchor text of listing links to follow / download
    url_patterns: tuple[str, ...] = ()  # regexes on absolute URL of listing links to follow / download
    document_patterns: tuple[str, ...] = DEFAULT_DOCUMENT_PATTERNS  # which URLs are files to download
    next_text: tuple[str, ...] = DEFAULT_NEXT_TEXT  # anchor text of the "next page" link
    page_template: str | None = None  # e.g. "index_{n}.html", relative to the first listing URL
    max_pages: int = 20
    follow_articles: bool = True  # open article pages and download their attachments
    allowed_hosts: tuple[str, ...] = ()  # default: the listing URLs' hosts
    delay: float = 1.0  # seconds between two requests to one host
    concurrency: int = 2  # simultaneous requests to one host
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0  # first retry waits this long, then doubles
    max_bytes: int = 200 * 1024 * 1024
    verified: bool = False
    seen: str | None = None  # provenance of the entry, e.g. "2026-03, 26 PDFs" (who saw the portal publish what)
    download_types: tuple[str, ...] = DEFAULT_DOWNLOAD_TYPES  # attachment types fetched; others recorded only
    keep_articles: bool = True  # store article pages that state the figures themselves (HTML disclosures)
    note: str | None = None

    def hosts(self) -> tuple[str, ...]:
        return self.allowed_hosts or tuple(sorted({host_of(u) for u in self.listing_urls}))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def host_allowed(url: str, allowed: Iterable[str]) -> bool:
    """Exact host, or a ``*.example.gov.cn`` wildcard (which also matches example.gov.cn)."""
    host = host_of(url)
    for a in allowed:
        a = a.lower().strip()
        if a.startswith("*."):
            if host == a[2:] or host.endswith(a[1:]):
                return True
        elif host == a:
            return True
    return False


def _tuple(v: object) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    if isinstance(v, Iterable):
        return tuple(str(x) for x in v)
    raise ValueError(f"expected a text or a list of texts, got {v!r}")


_TUPLE_FIELDS = ("listing_urls", "link_text", "url_patterns", "document_patterns", "next_text", "allowed_hosts",
                 "download_types")


def source_from_dict(d: dict, defaults: dict | None = None) -> Source:
    data = {**(defaults or {}), **d}
    known = set(Source.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"source {data.get('name')!r}: unknown keys {sorted(unknown)}")
    for k in _TUPLE_FIELDS:
        if k in data:
            data[k] = _tuple(data[k])
    if not data.get("listing_urls"):
        raise ValueError(f"source {data.get('name')!r}: listing_urls is required")
    for k in ("link_text", "url_patterns", "document_patterns", "next_text"):
        for p in data.get(k, ()):
            re.compile(p)
    bad = set(data.get("download_types", ())) - set(MAGIC)
    if bad:
        raise ValueError(f"source {data.get('name')!r}: download_types {sorted(bad)} not downloadable "
                         f"(known: {sorted(MAGIC)})")
    return Source(**data)


def load_sources(path: Path, only: Iterable[str] | None = None) -> list[Source]:
    """Read a sources file: ``defaults:`` (optional) and ``sources:`` (a list of portals)."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    defaults = doc.get("defaults") or {}
    sources = [source_from_dict(s, defaults) for s in doc.get("sources") or []]
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ValueError("source names must be unique")
    if only:
        wanted = set(only)
        missing = wanted - set(names)
        if missing:
            raise ValueError(f"no such source: {sorted(missing)}")
        sources = [s for s in sources if s.name in wanted]
    return sources


def adhoc_source(listing: str, pattern: str | None = None, **kw: object) -> Source:
    """``juesuan scrape --listing URL --pattern REGEX``: the pattern is tried on link text and URL."""
    pats = (pattern,) if pattern else ()
    return source_from_dict({"name": host_of(listing) or "adhoc", "listing_urls": [listing], "link_text": pats,
                             "url_patterns": pats, **kw})


# --- HTML links --------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    url: str
    text: str
    via: str = "href"  # href | script-href (an <a href> written by a script) | onclick | data | script


# an attachment URL quoted in an attribute or a script: './W0203….pdf', "/u/2026/表.xlsx"
_QUOTED_ATTACHMENT = re.compile(r"""["']([^"'<>\s]+\.(?:""" + "|".join(ATTACHMENT_TYPES) + r"""))["']""",
                                re.IGNORECASE)
_SCRIPT_ANCHOR = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, list[str], str]] = []
        self._open: list[tuple[str, list[str], str]] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self._script = True
        if tag == "a":
            href = (a.get("href") or "").strip()
            title = a.get("title") or ""
            via = "href"
            if not href or href.lower().startswith(("javascript:", "#")):  # downloadFj('name', './W….pdf')
                found = [m.group(1) for m in _QUOTED_ATTACHMENT.finditer(a.get("onclick") or "")]
                paths = [f for f in found if "/" in f] or found  # downloadFj('表.pdf', './W….pdf'): the path
                if paths:
                    href, via = paths[-1], "onclick"
            entry = (href, [title] if title else [], via)
            self.links.append(entry)
            self._open.append(entry)
            return
        for k, v in attrs:  # <div class="js-open-pdf" data-pdf="./W….ofd">
            if k.startswith("data-") and v and _QUOTED_ATTACHMENT.fullmatch(f'"{v.strip()}"'):
                self.links.append((v.strip(), [], "data"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False
        if tag == "a" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._script:  # var hasFJ='<a href="./P0203….pdf">name.pdf</a>'; or a bare './W0203….ofd'
            anchors = list(_SCRIPT_ANCHOR.finditer(data))
            for m in anchors:
                self.links.append((m.group(1).strip(), [_TAGS.sub("", m.group(2))], "script-href"))
            taken = {m.group(1).strip() for m in anchors}
            for m in _QUOTED_ATTACHMENT.finditer(data):
                if m.group(1) not in taken:
                    self.links.append((m.group(1), [], "script"))
            return
        for _, parts, _via in self._open:
            parts.append(data)


def find_links(html: str, base_url: str) -> list[Link]:
    """Every <a href> with absolute http(s) URL (fragment dropped) and its text (or title), then
    attachment URLs named by an ``onclick``, a ``data-*`` attribute or a script (``via``), each
    only if no earlier link on the page names it. ``<a href>`` links are all kept, repeats included."""
    p = _Anchors()
    try:
        p.feed(html)
        p.close()
    except Exception as e:  # malformed HTML: keep what was parsed
        log.warning("%s: HTML parse problem: %s", base_url, e)
    base = base_url
    out: list[Link] = []
    seen: set[str] = set()
    for href, parts, via in p.links:
        if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = urldefrag(urljoin(base, href)).url
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        if via in ("onclick", "data", "script") and url in seen:
            continue
        seen.add(url)
        text = " ".join("".join(parts).split()) or (file_name_of(url) if via != "href" else "")
        out.append(Link(url, text, via))
    return out


def file_name_of(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def attachment_type(url: str) -> str | None:
    """The attachment type a URL names by its extension (``pdf``, ``xlsx``, ``docx``, …), else None."""
    m = _ATTACHMENT_URL.search(urlsplit(url).path)
    return m.group(1).lower() if m else None


def _matches(patterns: Iterable[str], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def is_document(source: Source, url: str) -> bool:
    """A file to download or record: the source's document patterns, or any attachment extension."""
    return _matches(source.document_patterns, url) or attachment_type(url) is not None


def is_relevant(source: Source, link: Link) -> bool:
    """A listing link worth following: its text or URL matches; everything if no rule is set."""
    if not source.link_text and not source.url_patterns:
        return True
    return _matches(source.link_text, link.text) or _matches(source.url_patterns, link.url)


# --- politeness --------------------------------------------------------------------------

class HostGate:
    """Per-host concurrency limit and minimum spacing between request starts."""

    def __init__(self, delay: float, concurrency: int) -> None:
        self.delay = delay
        self.concurrency = max(1, concurrency)
        self._lock = threading.Lock()
        self._sems: dict[str, threading.Semaphore] = {}
        self._next: dict[str, float] = {}

    def _sem(self, host: str) -> threading.Semaphore:
        with self._lock:
            return self._sems.setdefault(host, threading.Semaphore(self.concurrency))

    def wait_turn(self, host: str) -> None:
        with self._lock:
            t = time.monotonic()
            start = max(t, self._next.get(host, t))
            self._next[host] = start + self.delay
        if start > t:
            time.sleep(start - t)

    def __call__(self, host: str) -> _Slot:
        return _Slot(self, host)


class _Slot:
    def __init__(self, gate: HostGate, host: str) -> None:
        self.gate, self.host = gate, host

    def __enter__(self) -> None:
        self.gate._sem(self.host).acquire()
        self.gate.wait_turn(self.host)

    def __exit__(self, *exc: object) -> None:
        self.gate._sem(self.host).release()


# --- fetching ----------------------------------------------------------------------------

UNREACHABLE = FetchStatus.UNREACHABLE  # the host did not answer (DNS, refused, timeout): nothing was asked of it
FAILED_DOWNLOADS = (FetchStatus.HTTP_ERROR, FetchStatus.ERROR, FetchStatus.NOT_PDF, FetchStatus.TOO_LARGE, UNREACHABLE)


class Blocked(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Fetcher:
    """HTTP for one source: allowed hosts, robots.txt, rate limit, retries, manual redirects."""

    source: Source
    client: httpx.Client
    gate: HostGate
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)
    _unreachable: dict[str, str] = field(default_factory=dict)  # scheme://host → why it was not reached
    _robots_lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, url: str) -> None:
        if not host_allowed(url, self.source.hosts()):
            raise Blocked(FetchStatus.FOREIGN_HOST, f"host {host_of(url)!r} is not in allowed_hosts")
        rp = self._robots_for(url)
        parts = urlsplit(url)
        if (why := self._unreachable.get(f"{parts.scheme}://{parts.netloc}")) is not None:
            raise Blocked(UNREACHABLE, f"host not reached (robots.txt: {why}): not crawled in this run")
        if rp is None:
            raise Blocked(FetchStatus.ROBOTS_DISALLOWED, "robots.txt could not be read (server error): not crawling this host")
        if not rp.can_fetch(USER_AGENT, url):
            raise Blocked(FetchStatus.ROBOTS_DISALLOWED, "disallowed by robots.txt")

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if key in self._robots:
                return self._robots[key]
            rp: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser(key + "/robots.txt")
            try:
                r = self._request(key + "/robots.txt", {}, check=False)
                try:
                    body = r.read()
                finally:
                    r.close()
                if r.status_code >= 500:
                    rp = None
                elif r.status_code >= 400:
                    rp.allow_all = True  # type: ignore[union-attr]
                else:
                    rp.parse(body.decode("utf-8", errors="replace").splitlines())  # type: ignore[union-attr]
            except httpx.HTTPError as e:  # no answer at all (DNS, refused, timeout): the host is unreachable
                log.warning("%s: robots.txt unreachable (%s): not crawling this host", key, e)
                self._unreachable[key] = f"{type(e).__name__}: {e}"[:200]
                rp = None
            self._robots[key] = rp
            return rp

    def _request(self, url: str, headers: dict[str, str], check: bool = True) -> httpx.Response:
        """GET with rate limit, retries with backoff, redirects followed only to allowed hosts.
        Returns an open streaming response (caller closes it)."""
        for _ in range(MAX_REDIRECTS + 1):
            if check:
                self.check(url)
            r = self._send_with_retries(url, headers)
            if r.is_redirect and "location" in r.headers:
                r.close()
                url = urldefrag(urljoin(url, r.headers["location"])).url
                continue
            return r
        raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=None)

    def _send_with_retries(self, url: str, headers: dict[str, str]) -> httpx.Response:
        s = self.source
        attempt = 0
        while True:
            wait = s.backoff * (2 ** attempt)
            try:
                with self.gate(host_of(url)):
                    req = self.client.build_request("GET", url, headers=headers)
                    r = self.client.send(req, stream=True)
                if r.status_code == 429 or r.status_code >= 500:
                    if attempt >= s.retries:
                        return r
                    ra = r.headers.get("retry-after", "")
                    if ra.isdigit():
                        wait = max(wait, min(float(ra), 300.0))
                    r.close()
                else:
                    return r
            except httpx.TransportError as e:
                if attempt >= s.retries:
                    raise
                log.info("%s: %s, retrying in %.1fs", url, type(e).__name__, wait)
            attempt += 1
            time.sleep(wait)

    def get_page(self, url: str, headers: dict[str, str] | None = None) -> PageResponse:
        """A listing or article page; ``html`` is None if a conditional request (``headers``)
        was answered 304 Not Modified. Other non-2xx answers raise ``httpx.HTTPStatusError``."""
        r = self._request(url, headers or {})
        try:
            if r.status_code == 304 and headers:
                return PageResponse(None, str(r.url), 304, r.headers.get("etag"), r.headers.get("last-modified"))
            body = r.read()
            r.raise_for_status()
            return PageResponse(decode_html(body, r.charset_encoding), str(r.url), r.status_code,
                                r.headers.get("etag"), r.headers.get("last-modified"), body)
        finally:
            r.close()


@dataclass(frozen=True)
class PageResponse:
    """A page as served: ``final_url`` is where redirects ended (the base for its relative links)."""

    html: str | None
    final_url: str
    http_status: int
    etag: str | None
    last_modified: str | None
    body: bytes | None = None  # the bytes as served (an article page kept as a document is stored as is)


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Ask the server to answer 304 if what it has is still what we got last time."""
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


# --- storing -----------------------------------------------------------------------------

def looks_like_pdf(head: bytes) -> bool:
    return b"%PDF-" in head[:1024]


def sniff_type(head: bytes, accepted: Iterable[str], expected: str | None = None) -> str | None:
    """Which of the ``accepted`` types the first bytes are (the URL's ``expected`` type tried first)."""
    order = sorted(accepted, key=lambda t: t != expected)
    for t in order:
        if (t == "pdf" and looks_like_pdf(head)) or (t != "pdf" and head.startswith(MAGIC[t])):
            return t
    return None


def _describe_non_pdf(head: bytes, content_type: str | None, expected: str = "pdf") -> str:
    start = head.lstrip()[:15].lower()
    kind = "an HTML page" if start.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml")) else \
        f"not a {expected.upper()}"
    what = "no %PDF- header" if expected == "pdf" else f"no {expected.upper()} signature"
    return f"{kind} (content-type {content_type or '?'}): {what}; discarded"


def store_blob(raw_dir: Path, tmp: Path, sha: str, name: str) -> Path:
    """Move a verified download into the content-addressed store (or drop it: already there)."""
    folder = raw_dir / STORE / sha[:2] / sha
    existing = sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []
    if existing:
        tmp.unlink(missing_ok=True)
        return existing[0]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    os.replace(tmp, target)
    return target


@dataclass(frozen=True)
class Fetched:
    """A verified document (PDF, spreadsheet, article page) in ``.partial``, waiting for ``store_download``."""

    url: str
    tmp: Path
    sha256: str
    size: int
    name: str
    prior_sha256: str | None
    http_status: int
    etag: str | None
    last_modified: str | None
    file_type: str = "pdf"


def fetch_document(fetcher: Fetcher, url: str, raw_dir: Path, manifest: Manifest) -> FetchOutcome | Fetched:
    """One document URL → its bytes verified and hashed in ``.partial``, or the outcome saying why not
    (not modified, blocked, HTTP error, not a PDF, too large). Safe to run in many threads."""
    prior = manifest.validators(url)
    headers: dict[str, str] = {}
    stored = manifest.blob_path(prior.sha256) if prior and prior.sha256 else None
    if prior and stored is not None and stored.exists():  # ask for changes only if we still hold the bytes
        headers = conditional_headers(prior.etag, prior.last_modified)
    partial = raw_dir / PARTIAL
    partial.mkdir(parents=True, exist_ok=True)
    try:
        r = fetcher._request(url, headers)
    except Blocked as b:
        return FetchOutcome(url, b.status, message=b.message)
    except httpx.HTTPError as e:
        return FetchOutcome(url, FetchStatus.ERROR, message=f"{type(e).__name__}: {e}"[:300])
    with contextlib.closing(r):
        if r.status_code == 304:
            return FetchOutcome(url, FetchStatus.NOT_MODIFIED, http_status=304, etag=prior.etag if prior else None,
                                last_modified=prior.last_modified if prior else None)
        if r.status_code >= 400:
            return FetchOutcome(url, FetchStatus.HTTP_ERROR, http_status=r.status_code, message=f"HTTP {r.status_code}")
        accepted = fetcher.source.download_types
        expected = attachment_type(url) or "pdf"
        fd, tmp_name = tempfile.mkstemp(dir=partial, prefix="dl-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as f:
                sha256, size, head = _stream(r, f, accepted, expected, fetcher.source.max_bytes)
            ctype = r.headers.get("content-type")
            ftype = sniff_type(head, accepted, expected)
            if ftype is None:
                tmp.unlink(missing_ok=True)
                return FetchOutcome(url, FetchStatus.NOT_PDF if expected == "pdf" else FetchStatus.WRONG_TYPE, http_status=r.status_code,
                                    bytes=size, message=_describe_non_pdf(head, ctype, expected), file_type=expected)
            if size > fetcher.source.max_bytes:
                tmp.unlink(missing_ok=True)
                return FetchOutcome(url, FetchStatus.TOO_LARGE, http_status=r.status_code, bytes=size,
                                    message=f"larger than max_bytes={fetcher.source.max_bytes}")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Fetched(url, tmp, sha256, size,
                       file_name_for(url, f"document.{ftype}", content_disposition=r.headers.get("content-disposition")),
                       prior.sha256 if prior else None, r.status_code, r.headers.get("etag"),
                       r.headers.get("last-modified"), ftype)


def _stream(r: httpx.Response, f: BinaryIO, accepted: tuple[str, ...], expected: str,
            max_bytes: int) -> tuple[str, int, bytes]:
    """Write the body to ``f`` (synced) while hashing it: its sha256, its size and its first 1 KiB.
    Stops early once the first 1 KiB is of no accepted type, or past ``max_bytes`` (the size then
    says so, the bytes are not kept)."""
    h = hashlib.sha256()
    size = 0
    head = b""
    for chunk in r.iter_bytes(1 << 16):
        if len(head) < 1024:
            head += chunk[: 1024 - len(head)]
            if len(head) >= 1024 and sniff_type(head, accepted, expected) is None:
                break
        size += len(chunk)
        if size > max_bytes:
            break
        h.update(chunk)
        f.write(chunk)
    f.flush()
    os.fsync(f.fileno())
    return h.hexdigest(), size, head


def store_download(f: Fetched, raw_dir: Path, manifest: Manifest) -> FetchOutcome:
    """Move a fetched PDF into the store (unless its bytes are there already) and say what it was.
    Called in one thread, in the order of the URLs: which of several addresses of the same bytes
    names the stored file does not depend on which download happened to finish first."""
    try:
        known = manifest.blob_path(f.sha256)
        if known is not None and known.exists():
            f.tmp.unlink(missing_ok=True)
        else:
            manifest.add_blob(f.sha256, store_blob(raw_dir, f.tmp, f.sha256, f.name), f.size, f.url)
    except BaseException:
        f.tmp.unlink(missing_ok=True)
        raise
    if f.prior_sha256 == f.sha256:
        status = FetchStatus.UNCHANGED
    elif f.prior_sha256:
        status = FetchStatus.CHANGED
    elif known is not None:
        status = FetchStatus.DUPLICATE
    else:
        status = FetchStatus.NEW
    return FetchOutcome(f.url, status, sha256=f.sha256, http_status=f.http_status, etag=f.etag,
                        last_modified=f.last_modified, bytes=f.size, file_type=f.file_type)


def keep_article(url: str, body: bytes, raw_dir: Path, manifest: Manifest) -> Fetched:
    """An article page that is a disclosure of its own, as read by the crawl, into ``.partial``
    (then stored like any download: content-addressed, its address in the manifest)."""
    partial = raw_dir / PARTIAL
    partial.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=partial, prefix="page-", suffix=".part")
    with os.fdopen(fd, "wb") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    prior = manifest.validators(url)
    name = file_name_for(url, "article.html")
    if not name.lower().endswith((".html", ".htm")):
        name += ".html"
    return Fetched(url, Path(tmp_name), hashlib.sha256(body).hexdigest(), len(body), name,
                   prior.sha256 if prior else None, 200, None, None, "html")


# --- crawling ----------------------------------------------------------------------------

@dataclass
class Crawl:
    """What one source's listing and article pages pointed at."""

    documents: dict[str, str] = field(default_factory=dict)  # url → link text
    articles: dict[str, bytes] = field(default_factory=dict)  # article pages that state figures: url → bytes
    skipped: dict[str, tuple[str, str]] = field(default_factory=dict)  # url → (status, message)
    pages: list[str] = field(default_factory=list)  # read or not modified
    not_modified: list[str] = field(default_factory=list)  # answered 304: crawled from the stored links
    page_errors: dict[str, str] = field(default_factory=dict)


def crawl(fetcher: Fetcher, manifest: Manifest | None = None, run_id: int | None = None,
          on_page: Callable[[str], None] | None = None) -> Crawl:
    """Listing pages (with pagination) → relevant links → documents and article attachments.
    With a manifest, pages are fetched conditionally and what they link to is remembered;
    ``on_page(url)`` is told of each page tried."""
    out = Crawl()
    seen: set[str] = set()
    articles = _crawl_listings(fetcher, out, seen, manifest, run_id, on_page)
    _crawl_articles(fetcher, articles, out, seen, manifest, run_id, on_page)
    return out


def _listing_queue(s: Source) -> list[str]:
    """The listing URLs, then the numbered pages of the first one (``page_template``)."""
    queue = list(s.listing_urls)
    if s.page_template:
        first = s.listing_urls[0]
        queue += [urljoin(first, s.page_template.format(n=n)) for n in range(1, s.max_pages)]
    return queue


def _crawl_listings(fetcher: Fetcher, out: Crawl, seen: set[str], manifest: Manifest | None, run_id: int | None,
                    on_page: Callable[[str], None] | None) -> list[tuple[str, str]]:
    """Read the listing pages, following next-page links, at most ``max_pages`` per listing URL;
    documents go to ``out``, the article pages to open are returned as (url, link text)."""
    s = fetcher.source
    queue = _listing_queue(s)
    articles: list[tuple[str, str]] = []
    n_listing = 0
    while queue and n_listing < s.max_pages * max(1, len(s.listing_urls)):
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        links = _page_links(fetcher, url, out, manifest, run_id)
        n_listing += 1
        if on_page:
            on_page(url)
        for link in links or []:
            if _matches(s.next_text, link.text):
                if link.url not in seen and _page_ok(fetcher, link.url, out):
                    queue.append(link.url)
            elif not is_relevant(s, link):
                continue
            elif is_document(s, link.url):
                _add_document(fetcher, link, out)
            elif s.follow_articles:
                articles.append((link.url, link.text))
    return articles


def _crawl_articles(fetcher: Fetcher, articles: list[tuple[str, str]], out: Crawl, seen: set[str],
                    manifest: Manifest | None, run_id: int | None, on_page: Callable[[str], None] | None) -> None:
    """Open each article page once for its attachments (named by the article's link text when
    their own is empty); one that states figures is kept when the source says so."""
    s = fetcher.source
    for url, text in articles:
        if url in seen:
            continue
        seen.add(url)
        if not _page_ok(fetcher, url, out):
            continue
        links = _page_links(fetcher, url, out, manifest, run_id, article=s.keep_articles)
        if on_page:
            on_page(url)
        for link in links or []:
            if is_document(s, link.url):
                _add_document(fetcher, Link(link.url, link.text or text), out)


def _page_ok(fetcher: Fetcher, url: str, out: Crawl) -> bool:
    try:
        fetcher.check(url)
        return True
    except Blocked as b:
        out.skipped.setdefault(url, (b.status, b.message))
        return False


def _page_links(fetcher: Fetcher, url: str, out: Crawl, manifest: Manifest | None,
                run_id: int | None, article: bool = False) -> list[Link] | None:
    """Every link on the page: read now, or (304) as stored when it was last read. An ``article``
    page read now that states a budget's figures is kept in ``out.articles``."""
    source = fetcher.source.name
    prior: StoredPage | None = manifest.page(url) if manifest else None
    try:
        page = fetcher.get_page(url, conditional_headers(prior.etag, prior.last_modified) if prior else None)
    except Blocked as b:
        out.skipped.setdefault(url, (b.status, b.message))
        return None
    except httpx.HTTPError as e:
        out.page_errors[url] = f"{type(e).__name__}: {e}"[:300]
        log.warning("%s: page not read: %s", url, e)
        if manifest:
            status = e.response.status_code if isinstance(e, httpx.HTTPStatusError) else None
            manifest.record_page(url, source, run_id, "error", status, message=out.page_errors[url])
        return None
    out.pages.append(url)
    if page.html is None and prior is not None:
        out.not_modified.append(url)
        if manifest:
            manifest.record_page(url, source, run_id, "not_modified", page.http_status)
        return [Link(u, t) for u, t in prior.links]
    links = find_links(page.html or "", page.final_url)
    if article and page.body is not None and is_narrative_page(page.html or ""):
        out.articles[url] = page.body
    if manifest:
        manifest.record_page(url, source, run_id, "read", page.http_status, page.etag, page.last_modified,
                             [(link.url, link.text) for link in links])
    return links


def _add_document(fetcher: Fetcher, link: Link, out: Crawl) -> None:
    if not host_allowed(link.url, fetcher.source.hosts()):
        out.skipped.setdefault(link.url, (FetchStatus.FOREIGN_HOST, f"host {host_of(link.url)!r} is not in allowed_hosts"))
        return
    out.documents.setdefault(link.url, link.text)


# --- the stage ---------------------------------------------------------------------------

@dataclass
class ScrapeReport:
    run_id: int
    outcomes: list[tuple[str, FetchOutcome]] = field(default_factory=list)  # (source, outcome)
    page_errors: dict[str, str] = field(default_factory=dict)
    n_pages: int = 0  # listing and article pages crawled, read or not modified
    n_pages_not_modified: int = 0  # of those, answered 304: nothing transferred

    def counts(self) -> dict[str, int]:
        c: dict[str, int] = {}
        for _, o in self.outcomes:
            c[o.status] = c.get(o.status, 0) + 1
        return dict(sorted(c.items()))

    def downloaded(self) -> list[FetchOutcome]:
        return [o for _, o in self.outcomes if o.status in DOWNLOADED]

    def failure(self) -> str | None:
        """Why this scrape failed as a whole (for a non-zero exit that cron and monitoring see), or None.

        Failed: some pages were tried and not one was read (every portal down, DNS gone, offline), or
        documents were tried and every download failed. A run that found nothing new is no failure.
        """
        attempted = [o for _, o in self.outcomes if o.status != FetchStatus.LOCAL]  # put into raw/ by hand
        if self.n_pages == 0 and (self.page_errors or attempted):
            reasons = sorted({o.status for o in attempted} | ({"page_error"} if self.page_errors else set()))
            return f"no source could be reached: not one listing page was read ({', '.join(reasons)})"
        tried = [o for o in attempted if o.status not in (FetchStatus.FOREIGN_HOST, FetchStatus.ROBOTS_DISALLOWED)]
        if tried and all(o.status in FAILED_DOWNLOADS for o in tried):
            return f"every download failed ({len(tried)} tried: " + ", ".join(
                f"{k} {v}" for k, v in self.counts().items() if k in FAILED_DOWNLOADS) + ")"
        return None

    def add(self, other: ScrapeReport) -> None:
        """Fold one source's report into a run's total."""
        self.outcomes += other.outcomes
        self.page_errors.update(other.page_errors)
        self.n_pages += other.n_pages
        self.n_pages_not_modified += other.n_pages_not_modified


@dataclass
class ScrapeProgress:
    """What a caller is told while a scrape works (``juesuan scrape`` draws progress bars from it)."""

    page: Callable[[str], None] = lambda url: None  # a listing or article page was tried
    found: Callable[[str, int], None] = lambda source, n: None  # a source's crawl found n documents
    stored: Callable[[FetchOutcome], None] = lambda outcome: None  # one of those is done (any status)


def scrape_source(source: Source, raw_dir: Path, manifest: Manifest, run_id: int,
                  client: httpx.Client | None = None, progress: ScrapeProgress | None = None) -> ScrapeReport:
    """Crawl one portal and download its documents; every attempt lands in the manifest."""
    progress = progress or ScrapeProgress()
    report = ScrapeReport(run_id)
    own = client is None
    client = client or httpx.Client(
        timeout=httpx.Timeout(source.timeout), follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept-Language": "zh-CN,zh;q=0.9"},
        limits=httpx.Limits(max_connections=max(4, source.concurrency * 2)),
    )
    try:
        fetcher = Fetcher(source, client, HostGate(source.delay, source.concurrency))
        found = crawl(fetcher, manifest, run_id, on_page=progress.page)
        report.n_pages = len(found.pages)
        report.n_pages_not_modified = len(found.not_modified)
        report.page_errors = dict(found.page_errors)
        for url, (status, message) in sorted(found.skipped.items()):
            o = FetchOutcome(url, status, message=message)
            manifest.record_fetch(o, source.name, run_id)
            report.outcomes.append((source.name, o))
        for url in sorted(found.articles):  # HTML disclosures: the page itself, before its attachments
            o = store_download(keep_article(url, found.articles[url], raw_dir, manifest), raw_dir, manifest)
            manifest.record_fetch(o, source.name, run_id)
            report.outcomes.append((source.name, o))
        urls = []
        for url in sorted(found.documents):
            ftype = attachment_type(url) or "pdf"
            if ftype in source.download_types:
                urls.append(url)
                continue
            o = FetchOutcome(url, FetchStatus.OTHER_TYPE, file_type=ftype,
                             message=f"{ftype} attachment: recorded, not downloaded (download_types: "
                                     f"{', '.join(source.download_types)})")
            manifest.record_fetch(o, source.name, run_id)
            report.outcomes.append((source.name, o))
        progress.found(source.name, len(urls))
        with ThreadPoolExecutor(max_workers=max(1, source.concurrency)) as pool:
            futures = [(u, pool.submit(fetch_document, fetcher, u, raw_dir, manifest)) for u in urls]
            for u, fut in futures:  # stored in URL order, whatever order the downloads finish in
                try:
                    got = fut.result()
                    o = got if isinstance(got, FetchOutcome) else store_download(got, raw_dir, manifest)
                except Exception as e:  # a server nobody anticipated (bad encoding, cut stream): record it
                    log.exception("%s: download failed", u)
                    o = FetchOutcome(u, FetchStatus.ERROR, message=f"{type(e).__name__}: {e}"[:300])
                manifest.record_fetch(o, source.name, run_id)
                report.outcomes.append((source.name, o))
                progress.stored(o)
                log.info("%s: %s%s", o.url, o.status, f" ({o.message})" if o.message else "")
    finally:
        if own:
            client.close()
    return report


def scan_local(raw_dir: Path, manifest: Manifest, run_id: int) -> list[FetchOutcome]:
    """PDFs / .txt files someone put under ``data/raw/`` by hand are raw documents too
    (address ``file:<relative path>``); files that disappeared are forgotten."""
    raw_dir = Path(raw_dir)
    from extractors.source import sha256_of

    outcomes: list[FetchOutcome] = []
    seen: set[str] = set()
    for p in sorted(raw_dir.rglob("*")):
        rel = p.relative_to(raw_dir)
        if rel.parts[0] in (STORE, PARTIAL) or not p.is_file() or p.suffix.lower() not in LOCAL_SUFFIXES:
            continue
        url = "file:" + rel.as_posix()
        seen.add(url)
        sha = sha256_of(p)
        prior = manifest.validators(url)
        if prior and prior.sha256 == sha and manifest.blob_path(sha):
            continue
        if manifest.blob_path(sha) is None:
            manifest.add_blob(sha, p, p.stat().st_size, url)
        o = FetchOutcome(url, FetchStatus.LOCAL, sha256=sha)
        manifest.record_fetch(o, FetchStatus.LOCAL, run_id)
        outcomes.append(o)
    for row in manifest.url_rows():
        if row["url"].startswith("file:") and row["url"] not in seen:
            manifest.forget_url(row["url"])
    return outcomes


def clear_partial_downloads(raw_dir: Path) -> int:
    """Remove what a killed run left half-downloaded in ``.partial/``; call it under the run lock
    (``pipeline.lock``), before any download of this run starts. Returns how many files went."""
    n = 0
    for p in (Path(raw_dir) / PARTIAL).glob("*"):
        if p.is_file():
            p.unlink(missing_ok=True)
            n += 1
    if n:
        log.info("removed %d partial download(s) left by an interrupted run", n)
    return n


def scrape(sources: Iterable[Source], raw_dir: Path, manifest: Manifest | None = None,
           run_id: int | None = None, progress: ScrapeProgress | None = None) -> ScrapeReport:
    """All sources, one after another (each source has its own politeness limits); the caller holds
    the data folder's run lock."""
    raw_dir = Path(raw_dir)
    clear_partial_downloads(raw_dir)
    own = manifest is None
    manifest = manifest or Manifest(raw_dir)
    rid = run_id if run_id is not None else manifest.start_run("scrape")
    total = ScrapeReport(rid)
    try:
        for s in sources:
            total.add(scrape_source(s, raw_dir, manifest, rid, progress=progress))
        if run_id is None:
            manifest.finish_run(rid)
    finally:
        if own:
            manifest.close()
    return total


def plan(source: Source) -> list[str]:
    """What a crawl of ``source`` would do, said without a single request (``juesuan scrape --dry-run``)."""
    s = source
    out = [f"{s.name} ({s.region or 'no region'}): verified {'yes' if s.verified else 'NO'}"
           + (f", seen {s.seen}" if s.seen else "")]
    out += [f"  listing   {u}" for u in s.listing_urls]
    numbered = [urljoin(s.listing_urls[0], s.page_template.format(n=n)) for n in range(1, s.max_pages)] \
        if s.page_template else []
    if numbered:
        out.append(f"  pages     {numbered[0]} … {numbered[-1]} ({len(numbered)} numbered pages)")
    else:
        out.append(f"  pages     the next-page link, at most {s.max_pages} listing pages per listing URL")
    rules = [f"text ~ {p}" for p in s.link_text] + [f"URL ~ {p}" for p in s.url_patterns]
    out.append(f"  follow    {' or '.join(rules) if rules else 'every link'}"
               + ("; article pages opened for their attachments" if s.follow_articles else ""))
    out.append(f"  download  {', '.join(s.download_types)}; other attachments recorded with their type"
               + ("; article pages stating figures kept as HTML" if s.keep_articles else ""))
    out.append(f"  hosts     {', '.join(s.hosts())} only; robots.txt obeyed")
    out.append(f"  polite    {s.delay:g} s between requests to a host, {s.concurrency} at a time, timeout "
               f"{s.timeout:g} s, {s.retries} retries")
    return out


def with_overrides(source: Source, **kw: Any) -> Source:
    """``source`` with the fields given a value replaced (None: keep the source's own)."""
    return replace(source, **{k: v for k, v in kw.items() if v is not None})


def select_sources(sources: Path | str | None = None, only: Iterable[str] | None = None, listing: str | None = None,
                   pattern: str | None = None, delay: float | None = None) -> list[Source]:
    """An ad-hoc listing, else the sources file (default: pipeline/sources.yaml); ``delay`` overrides.
    Shared by ``juesuan scrape`` and the flows."""
    found = [adhoc_source(listing, pattern)] if listing else load_sources(Path(sources or DEFAULT_SOURCES), only)
    return [with_overrides(s, delay=delay) for s in found]
