"""Common OCR misreads in numbers, undone before any amount is parsed; nothing is guessed.

Only a token that is plainly a number is touched: a run of digits, separators and look-alike
letters, delimited by anything else, holding at least one real digit. In it, full-width digits
and punctuation become ASCII, 〇 / O / o become 0, l / I / | become 1, and dots that separate
groups of exactly three digits before a final decimal part (``2.940.05``) become the thousands
commas they are. Every replacement is one character for one, so each character keeps its box.
A token that still mixes digits with other letters (``2B4.56``) is left as read and reported by
``suspect_tokens``: the table reader will not parse it, and the document says why.
"""

from __future__ import annotations

import re

from extractors.textforms import folded

_LOOKALIKE = {"〇": "0", "O": "0", "o": "0", "l": "1", "I": "1", "|": "1"}
# a number-like run: ASCII/full-width digits, look-alikes, separators; letters inside make it a word
_RUN = re.compile(r"[0-9０-９A-Za-z〇|,.，．、:：%％\-－]+")
_NUMBER_LIKE = re.compile(r"^[-+]?[\d,.]*\d[\d,.]*%?$")
# separators whose role is certain from the digits around them: dots between groups of three before a final
# one- or two-digit decimal part are thousands commas; a comma before a final one- or two-digit part is the
# decimal point (a thousands group always has three digits). A last group of three digits is ambiguous: left.
_DOTS_AS_COMMAS = re.compile(r"^([-+]?\d{1,3}(?:\.\d{3})+)(\.\d{1,2}%?)$")
_COMMA_AS_DOT = re.compile(r"^([-+]?\d{1,3}(?:,\d{3})*),(\d{1,2}%?)$")
SUSPECT_MAX_LETTERS = 2  # "2B4.56" is a misread number; "ISO9001" is a word with digits


def _ascii(ch: str) -> str:
    """Full-width digit or punctuation → ASCII, one character for one."""
    flat = folded(ch)
    return flat if len(flat) == 1 else ch


def _normalise_run(run: str) -> str:
    flat = "".join(_ascii(ch) for ch in run)
    if not any(ch.isdigit() for ch in flat):
        return run
    core = "".join(_LOOKALIKE.get(ch, ch) for ch in flat)
    if not _NUMBER_LIKE.match(core):
        return flat
    if m := _DOTS_AS_COMMAS.match(core):
        return m.group(1).replace(".", ",") + m.group(2)
    if m := _COMMA_AS_DOT.match(core):
        return f"{m.group(1)}.{m.group(2)}"
    return core


def normalise_numbers(text: str) -> str:
    """``text`` with every number-like token's misreads undone (same length as ``text``)."""
    out = _RUN.sub(lambda m: _normalise_run(m.group()), text)
    return out if len(out) == len(text) else text


def suspect_tokens(text: str) -> list[str]:
    """Tokens that still mix digits with a letter or two after normalisation: meant as numbers, not readable."""
    found = []
    for m in _RUN.finditer(normalise_numbers(text)):
        token = m.group()
        digits = sum(ch.isdigit() for ch in token)
        letters = sum(ch.isascii() and ch.isalpha() for ch in token)
        if digits >= 3 and 0 < letters <= SUSPECT_MAX_LETTERS:
            found.append(token)
    return found
