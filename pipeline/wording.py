"""Small helpers for the words the CLI prints: counts with the right plural."""

from __future__ import annotations

_IRREGULAR = {"is": "are", "was": "were", "this": "these", "entry": "entries", "query": "queries"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 document``, ``2 documents``, ``0 documents``; ``many`` for irregular plurals."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {many or _IRREGULAR.get(word) or word + 's'}"
