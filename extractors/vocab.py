"""Budget vocabulary and jieba segmentation with it, loaded lazily once per process.

``budget_vocab.txt`` lists the terms of the national template (functional-classification 类
names, income and expenditure items, metric cue words) with a tag saying what each names.
jieba runs with that list as its whole dictionary: segmentation then finds the longest
budget terms in a phrase, and loading takes milliseconds instead of the ~1.2 s of jieba's
general dictionary, which keeps the narrative stage cheap.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache
from pathlib import Path

VOCAB_FILE = Path(__file__).with_name("budget_vocab.txt")


@cache
def vocabulary() -> dict[str, str]:
    """term → tag, read from the bundled dictionary."""
    tags: dict[str, str] = {}
    for line in VOCAB_FILE.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and not line.startswith("#"):
            tags[parts[0]] = parts[2]
    return tags


@cache
def _tokenizer():
    import jieba  # imported here: importing this module must stay cheap

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer(dictionary=str(VOCAB_FILE))
    tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=4096)
def segment(text: str) -> tuple[str, ...]:
    """Words of ``text``, budget terms kept whole."""
    return tuple(_tokenizer().lcut(text, HMM=False))


def terms(text: str) -> list[tuple[str, str]]:
    """The budget terms in ``text`` in order, each with its tag."""
    vocab = vocabulary()
    return [(w, vocab[w]) for w in segment(text) if w in vocab]


def last_term(text: str, *tags: str) -> tuple[str, str] | None:
    """The last budget term in ``text`` whose tag is one of ``tags`` (or starts with one ending in '_')."""
    for word, tag in reversed(terms(text)):
        if tag in tags or any(t.endswith("_") and tag.startswith(t) for t in tags):
            return word, tag
    return None
