"""One rule for a raw document's file name, used when a download is stored (scrape) and when the
dataset says which file a document came from (process). Stdlib only: the process stage must not
pay for importing the HTTP client."""

from __future__ import annotations

import re
from email.message import Message
from urllib.parse import unquote, urlsplit

_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')
MAX_NAME = 150


def _disposition_name(content_disposition: str) -> str:
    m = Message()
    m["content-disposition"] = content_disposition
    return m.get_filename() or ""


# the kinds of raw document a name may end in; the stored (or sniffed) kind decides which
KINDS = (".pdf", ".xls", ".xlsx", ".html", ".htm", ".txt")


def _kind_of(name: str) -> str:
    low = name.lower()
    return next((k for k in KINDS if low.endswith(k)), ".pdf")


def file_name_for(url: str | None, fallback: str = "document.pdf", content_disposition: str | None = None) -> str:
    """Content-Disposition's filename, else the URL path's last segment (percent-decoded), made
    safe for a file system and ending in the fallback's kind (.pdf unless the fallback says .xlsx,
    .html, …); else ``fallback`` (a stored name) unchanged.

    Without a Content-Disposition the name depends only on the address, so several addresses of
    the same bytes each show their own name, whichever of them was stored first."""
    name = _disposition_name(content_disposition) if content_disposition else ""
    if not name and url:
        name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip(" ._")
    if not name:
        return fallback
    kind = _kind_of(fallback)
    if not name.lower().endswith(kind) and not (kind == ".html" and name.lower().endswith(".htm")):
        name += kind
    return name[-MAX_NAME:]
