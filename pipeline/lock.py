"""One juesuan run per data folder at a time.

A nightly run still going blocks the next one, and `juesuan scrape` by hand blocks a flow run on
the same folder: two runs writing the same raw store and manifest would each see the other's
half-finished downloads.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".run.lock"


class RunLocked(RuntimeError):
    """Another run holds the data folder."""


@contextmanager
def run_lock(raw: Path) -> Iterator[None]:
    """Held for the whole run; released by the OS if the process dies (even on SIGKILL)."""
    raw = Path(raw)
    raw.mkdir(parents=True, exist_ok=True)
    fd = os.open(raw / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise RunLocked(f"another juesuan run is using {raw.parent}") from e
        yield
    finally:
        os.close(fd)
