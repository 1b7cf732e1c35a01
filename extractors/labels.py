"""Row labels and subjects as comparable keys (the spec's row identity when there is no code)."""

from __future__ import annotations

import re

# 一、 （一） (1) 1. 1、 — but not "2024." or "1.5"
_NUMBERING = re.compile(r"^(?:[(（]?[一二三四五六七八九十百]+[)）、.．]|[(（]?\d{1,2}[)）、.．](?!\d)|[(（][一二三四五六七八九十\d]+[)）])")


def normalise_label(text: str) -> str:
    """Row label without whitespace, line breaks or numbering (一、 （一） 1.)."""
    s = re.sub(r"\s+", "", text or "")
    s = _NUMBERING.sub("", s)
    # a label never starts with a list separator: it is what is left of numbering whose 一 was not read
    # (a scan's "一、" is one short stroke and a mark, OCR may return only "、" or "，")
    return s.lstrip("、，,.．").strip("：:")
