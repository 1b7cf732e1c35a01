"""The raw-document manifest: which URL gave which bytes when, and what was done with them.

One SQLite file under ``data/raw/`` (``manifest.sqlite``). Every change is committed at once,
so a run killed at any point leaves a manifest that describes exactly what is on disk
(a blob is written before its row, a partition before its ``processed`` row).

Tables:

- ``urls``: one row per URL ever seen: the content (sha256) last accepted from it, the outcome
  of the last attempt (``status``), the HTTP validators used for conditional GET, first/last seen.
- ``url_versions``: every (url, sha256) pair ever accepted, with first/last seen: the history of
  a document replaced at the same address.
- ``blobs``: one row per distinct content: where it is stored under ``data/raw/``.
- ``processed``: which content was extracted by which extractor version, with the status.
- ``pages``: one row per listing / article page read: its HTTP validators and the links found on
  it, so the next run asks with a conditional GET and, on ``304 Not Modified``, crawls on from the
  stored links; ``status`` says how the last run got it (``read``, ``not_modified``, ``error``).
  Added after the first release: an older manifest gets the (empty) table when opened.
- ``runs`` and ``fetch_log``: every run and every fetch attempt in it, so a run can say what it
  downloaded (the nightly report and the tests read these).

``urls.file_type`` / ``fetch_log.file_type`` say what an address holds (``pdf``, ``xlsx``, ``html``
for an article page kept as a disclosure, ``docx`` / ``zip`` / ``ofd`` … for attachments recorded
but not downloaded); added later: an older manifest gets the columns (empty) when opened.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

MANIFEST_NAME = "manifest.sqlite"

class FetchStatus(StrEnum):
    """How one fetch of a document URL ended (manifest ``fetch_log.status``; docs/scraping.md)."""

    NEW = "new"  # bytes never seen before
    CHANGED = "changed"  # the URL now serves other bytes
    DUPLICATE = "duplicate"  # bytes already stored under another URL
    UNCHANGED = "unchanged"  # downloaded again, same bytes (the server sent no validators)
    NOT_MODIFIED = "not_modified"  # HTTP 304: nothing transferred
    LOCAL = "local"  # a file put into raw/ by hand, registered by a run without scraping
    HTTP_ERROR = "http_error"
    ERROR = "error"
    NOT_PDF = "not_pdf"  # asked for a PDF, got something else (an HTML error page)
    WRONG_TYPE = "wrong_type"  # asked for a spreadsheet, got something else
    TOO_LARGE = "too_large"
    UNREACHABLE = "unreachable"  # the host did not answer (DNS, refused, timeout)
    ROBOTS_DISALLOWED = "robots_disallowed"
    FOREIGN_HOST = "foreign_host"  # a link to a host the source does not allow: never requested
    OTHER_TYPE = "other_type"  # an attachment of another type (DOC, ZIP, OFD): recorded, never requested


# fetch statuses that mean "new bytes were transferred"
DOWNLOADED = (FetchStatus.NEW, FetchStatus.CHANGED, FetchStatus.DUPLICATE, FetchStatus.UNCHANGED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    source TEXT,
    sha256 TEXT,
    status TEXT NOT NULL,
    message TEXT,
    http_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_changed TEXT
);
CREATE TABLE IF NOT EXISTS url_versions (
    url TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (url, sha256)
);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    first_url TEXT
);
CREATE TABLE IF NOT EXISTS processed (
    sha256 TEXT NOT NULL,
    extractor_version TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    status TEXT,
    error TEXT,
    processed_at TEXT NOT NULL,
    run_id INTEGER,
    PRIMARY KEY (sha256, extractor_version)
);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    source TEXT,
    status TEXT NOT NULL,
    http_status INTEGER,
    message TEXT,
    etag TEXT,
    last_modified TEXT,
    links TEXT NOT NULL,
    run_id INTEGER,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_changed TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT
);
CREATE TABLE IF NOT EXISTS fetch_log (
    run_id INTEGER,
    url TEXT NOT NULL,
    source TEXT,
    status TEXT NOT NULL,
    http_status INTEGER,
    sha256 TEXT,
    bytes INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    at TEXT NOT NULL
);
"""


# columns added after the first release: (table, column, type), added to an older manifest on open
_ADDED_COLUMNS = (("urls", "file_type", "TEXT"), ("fetch_log", "file_type", "TEXT"))
# fetch statuses that are a failure worth showing as a source's last error
ERROR_STATUSES = (FetchStatus.HTTP_ERROR, FetchStatus.ERROR, FetchStatus.NOT_PDF, FetchStatus.WRONG_TYPE,
                  FetchStatus.ROBOTS_DISALLOWED, FetchStatus.TOO_LARGE)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Validators:
    """What the last accepted response said about itself, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class StoredPage:
    """A listing or article page as last read: its validators and every link on it (url, text)."""

    url: str
    etag: str | None
    last_modified: str | None
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FetchOutcome:
    """One document URL tried; ``status`` is a ``FetchStatus``."""

    url: str
    status: str
    sha256: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    bytes: int = 0
    message: str | None = None
    file_type: str | None = None  # pdf / xls / xlsx / html / docx / zip / ofd …


@dataclass(frozen=True)
class RawDoc:
    """A document the process stage should hold in the dataset: its content and one address."""

    sha256: str
    path: Path
    source_url: str | None
    disclosure_id: str | None = None  # shared with the other documents of one disclosure (article + attachments)


F = TypeVar("F", bound=Callable[..., Any])


def _locked(fn: F) -> F:
    """Download threads share one connection: one call at a time."""
    @functools.wraps(fn)
    def wrapper(self: Manifest, *a: Any, **kw: Any) -> Any:
        with self._lock:
            return fn(self, *a, **kw)
    return wrapper  # type: ignore[return-value]


class Manifest:
    def __init__(self, raw_dir: Path) -> None:
        self.raw_dir = Path(raw_dir)
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.raw_dir / MANIFEST_NAME
        self._lock = threading.RLock()
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        for table, column, kind in _ADDED_COLUMNS:
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    @_locked
    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # runs ------------------------------------------------------------------------------
    @_locked
    def start_run(self, kind: str) -> int:
        cur = self.db.execute("INSERT INTO runs (kind, started) VALUES (?, ?)", (kind, now()))
        return int(cur.lastrowid or 0)

    @_locked
    def finish_run(self, run_id: int) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE run_id = ?", (now(), run_id))

    # fetching --------------------------------------------------------------------------
    @_locked
    def validators(self, url: str) -> Validators | None:
        row = self.db.execute("SELECT etag, last_modified, sha256 FROM urls WHERE url = ?", (url,)).fetchone()
        return Validators(*row) if row else None

    @_locked
    def blob_path(self, sha256: str) -> Path | None:
        row = self.db.execute("SELECT path FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
        return self.raw_dir / row[0] if row else None

    @_locked
    def add_blob(self, sha256: str, path: Path, size: int, url: str | None) -> None:
        """Record where a content is stored (replacing a stored path whose file is gone)."""
        rel = Path(path).resolve().relative_to(self.raw_dir.resolve()).as_posix()
        self.db.execute(
            "INSERT INTO blobs (sha256, path, size, first_seen, first_url) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, size = excluded.size",
            (sha256, rel, size, now(), url),
        )

    @_locked
    def record_fetch(self, o: FetchOutcome, source: str | None, run_id: int | None) -> None:
        """Log the attempt; update the URL's row. A failed attempt keeps the last good content."""
        t = now()
        with self.db:  # one transaction
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT INTO fetch_log (run_id, url, source, status, http_status, sha256, bytes, message, at, "
                "file_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, o.url, source, o.status, o.http_status, o.sha256, o.bytes, o.message, t, o.file_type),
            )
            old = self.db.execute("SELECT sha256 FROM urls WHERE url = ?", (o.url,)).fetchone()
            accepted = o.sha256 is not None
            if old is None:
                self.db.execute(
                    "INSERT INTO urls (url, source, sha256, status, message, http_status, etag, last_modified, "
                    "first_seen, last_seen, last_changed, file_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (o.url, source, o.sha256, o.status, o.message, o.http_status, o.etag, o.last_modified, t, t,
                     t if accepted else None, o.file_type),
                )
            elif accepted:
                changed = old[0] != o.sha256
                self.db.execute(
                    "UPDATE urls SET source = ?, sha256 = ?, status = ?, message = ?, http_status = ?, etag = ?, "
                    "last_modified = ?, last_seen = ?, last_changed = CASE WHEN ? THEN ? ELSE last_changed END, "
                    "file_type = COALESCE(?, file_type) WHERE url = ?",
                    (source, o.sha256, o.status, o.message, o.http_status, o.etag, o.last_modified, t, changed, t,
                     o.file_type, o.url),
                )
            else:
                self.db.execute(
                    "UPDATE urls SET status = ?, message = ?, http_status = ?, last_seen = ?, "
                    "file_type = COALESCE(?, file_type) WHERE url = ?",
                    (o.status, o.message, o.http_status, t, o.file_type, o.url),
                )
            sha = o.sha256 or (old[0] if old and o.status == FetchStatus.NOT_MODIFIED else None)
            if sha:
                self.db.execute(
                    "INSERT INTO url_versions (url, sha256, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (url, sha256) DO UPDATE SET last_seen = excluded.last_seen",
                    (o.url, sha, t, t),
                )

    @_locked
    def page(self, url: str) -> StoredPage | None:
        row = self.db.execute("SELECT etag, last_modified, links FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return StoredPage(url, row[0], row[1], tuple((u, t) for u, t in json.loads(row[2])))

    @_locked
    def record_page(self, url: str, source: str | None, run_id: int | None, status: str,
                    http_status: int | None = None, etag: str | None = None, last_modified: str | None = None,
                    links: list[tuple[str, str]] | None = None, message: str | None = None) -> None:
        """A page read (``links`` given) replaces the stored entry; a 304 or a failure only notes
        the attempt, keeping the links last read."""
        t = now()
        if links is None:
            self.db.execute("UPDATE pages SET status = ?, http_status = ?, message = ?, run_id = ?, last_seen = ? "
                            "WHERE url = ?", (status, http_status, message, run_id, t, url))
            return
        doc = json.dumps([list(link) for link in links], ensure_ascii=False, separators=(",", ":"))
        self.db.execute(
            "INSERT INTO pages (url, source, status, http_status, message, etag, last_modified, links, run_id, "
            "first_seen, last_seen, last_changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET source = excluded.source, status = excluded.status, "
            "http_status = excluded.http_status, message = excluded.message, etag = excluded.etag, "
            "last_modified = excluded.last_modified, run_id = excluded.run_id, last_seen = excluded.last_seen, "
            "last_changed = CASE WHEN pages.links = excluded.links THEN pages.last_changed ELSE excluded.last_seen "
            "END, links = excluded.links",
            (url, source, status, http_status, message, etag, last_modified, doc, run_id, t, t, t),
        )

    @_locked
    def page_rows(self, run_id: int | None = None) -> list[dict]:
        """The stored pages (those the run ``run_id`` asked for, if given), links decoded."""
        q = "SELECT * FROM pages" + (" WHERE run_id = ?" if run_id is not None else "") + " ORDER BY url"
        cur = self.db.execute(q, (run_id,) if run_id is not None else ())
        keys = [c[0] for c in cur.description]
        rows = [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]
        for r in rows:
            r["links"] = [tuple(link) for link in json.loads(r["links"])]
        return rows

    @_locked
    def forget_url(self, url: str) -> None:
        self.db.execute("DELETE FROM urls WHERE url = ?", (url,))

    @_locked
    def fetches(self, run_id: int | None = None) -> list[dict]:
        q = "SELECT run_id, url, source, status, http_status, sha256, bytes, message, at, file_type FROM fetch_log"
        rows = self.db.execute(q + (" WHERE run_id = ?" if run_id is not None else "") + " ORDER BY rowid",
                               (run_id,) if run_id is not None else ()).fetchall()
        keys = ("run_id", "url", "source", "status", "http_status", "sha256", "bytes", "message", "at", "file_type")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    @_locked
    def url_rows(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM urls ORDER BY url")
        keys = [c[0] for c in cur.description]
        return [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]

    @_locked
    def versions_of(self, url: str) -> list[str]:
        rows = self.db.execute("SELECT sha256 FROM url_versions WHERE url = ? ORDER BY first_seen", (url,))
        return [r[0] for r in rows]

    # processing ------------------------------------------------------------------------
    @_locked
    def current_documents(self) -> list[RawDoc]:
        """Each distinct content some URL currently points at, with the smallest such web URL
        (a deterministic choice, whatever order the crawl met them in; a local file only if no
        web URL has the same bytes)."""
        rows = self.db.execute(
            "SELECT u.sha256, b.path, MIN(CASE WHEN u.url LIKE 'file:%' THEN '~' || u.url ELSE u.url END) "
            "FROM urls u JOIN blobs b ON b.sha256 = u.sha256 "
            "WHERE u.sha256 IS NOT NULL GROUP BY u.sha256 ORDER BY u.sha256"
        ).fetchall()
        disclosures = self._disclosures()
        return [RawDoc(sha, self.raw_dir / path, None if url.startswith("~") else url, disclosures.get(sha))
                for sha, path, url in rows]

    def _disclosures(self) -> dict[str, str]:
        """sha256 → disclosure id, for article pages kept as documents and the attachments they link to:
        the id is the page's document id (its content's hash prefix), shared by all of them."""
        from extractors.source import doc_id_for

        pages = self.db.execute(
            "SELECT u.url, u.sha256, p.links FROM urls u JOIN pages p ON p.url = u.url "
            "WHERE u.file_type = 'html' AND u.sha256 IS NOT NULL ORDER BY u.url").fetchall()
        out: dict[str, str] = {}
        for _url, sha, links in pages:
            did = doc_id_for(sha)
            out.setdefault(sha, did)
            targets = [u for u, _t in json.loads(links)]
            for i in range(0, len(targets), 500):
                chunk = targets[i:i + 500]
                q = ("SELECT sha256 FROM urls WHERE sha256 IS NOT NULL AND COALESCE(file_type, '') != 'html' "
                     f"AND url IN ({','.join('?' * len(chunk))})")
                for (att,) in self.db.execute(q, chunk):
                    out.setdefault(att, did)
        return out

    @_locked
    def source_states(self) -> dict[str, dict]:
        """Per source: when it last ran (last fetch or page attempt), how many documents its addresses
        hold now, and its latest failure (a fetch or a page that could not be read), if any."""
        out: dict[str, dict] = {}

        def state(name: str) -> dict:
            return out.setdefault(name, {"last_run": None, "documents": 0, "last_error": None, "last_error_at": None})

        for name, last in self.db.execute("SELECT source, MAX(at) FROM fetch_log GROUP BY source"):
            state(name)["last_run"] = last
        for name, last in self.db.execute("SELECT source, MAX(last_seen) FROM pages GROUP BY source"):
            st = state(name)
            st["last_run"] = max(filter(None, (st["last_run"], last)), default=None)
        for name, n in self.db.execute("SELECT source, COUNT(DISTINCT sha256) FROM urls WHERE sha256 IS NOT NULL "
                                       "GROUP BY source"):
            state(name)["documents"] = n
        marks = ",".join("?" * len(ERROR_STATUSES))
        errors = self.db.execute(
            f"SELECT source, at, rowid, url, status, message FROM fetch_log WHERE status IN ({marks}) "
            "UNION ALL SELECT source, last_seen, 0, url, status, message FROM pages WHERE status = 'error' "
            "ORDER BY 2, 3", ERROR_STATUSES).fetchall()
        for name, at, _order, url, status, message in errors:
            st = state(name)
            st["last_error"] = f"{status}: {message or ''} ({url})"
            st["last_error_at"] = at
        return out

    @_locked
    def processed_contents(self, extractor_version: str) -> set[str]:
        """The sha256 of every content this extractor version has processed (one query for a run)."""
        rows = self.db.execute("SELECT sha256 FROM processed WHERE extractor_version = ?", (extractor_version,))
        return {r[0] for r in rows.fetchall()}

    @_locked
    def mark_processed(self, sha256: str, extractor_version: str, doc_id: str, status: str | None,
                       error: str | None, run_id: int | None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO processed (sha256, extractor_version, doc_id, status, error, processed_at, run_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sha256, extractor_version, doc_id, status, error, now(), run_id),
        )

    @_locked
    def processed_in(self, run_id: int) -> list[dict]:
        cur = self.db.execute("SELECT * FROM processed WHERE run_id = ? ORDER BY sha256", (run_id,))
        keys = [c[0] for c in cur.description]
        return [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]
