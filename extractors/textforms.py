"""The normal forms printed text is compared in: one function per form, named for what it is for.

Documents print the same words with full-width or ASCII digits and brackets, stray spaces and line
breaks, numbering (一、 （一） 1.) and unit notes（万元）. Each comparison folds exactly what it must and
nothing more; every module takes its form from here instead of spelling its own.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# 一、 （一） (1) 1. 1、 — but not "2024." or "1.5"
_NUMBERING = re.compile(r"^(?:[(（]?[一二三四五六七八九十百]+[)）、.．]|[(（]?\d{1,2}[)）、.．](?!\d)|[(（][一二三四五六七八九十\d]+[)）])")
_LEVEL_MARK = re.compile(r"[(（](类|款|项)[)）]")

_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "．": ".",
                             "(": "（", ")": "）", ":": "：", ";": "；", "﹪": "%"})
_COMMA = re.compile(r",(?!\d{3}(?!\d))")

_HEADER_DROP = re.compile(r"[\s\"'“”‘’「」『』()（）\[\]【】<>《》:：]")
_YEAR = re.compile(r"^(?:19|20)\d{2}年度?")  # 2026年预算数 = 预算数: the year says nothing about the column


def folded(text: str | None) -> str:
    """NFKC (full-width digits, letters, brackets → ASCII), spacing kept: subject codes split on spaces, a printed
    performance value's number, one character's misread, placeholder snippets quoted to readers."""
    return unicodedata.normalize("NFKC", text or "")


def match_text(text: str | None) -> str:
    """``folded`` without any whitespace: amounts, unit statements, titles, metadata and performance lines
    matched by pattern; units (㎡ = m²) and department names compared."""
    return _SPACES.sub("", folded(text))


def figure_text(text: str) -> str:
    """Narrative text for finding figures and section headings: ASCII digits and %, full-width Chinese punctuation,
    no spaces except between two numbers or words ("2024 2995.39" stays two figures)."""
    text = text.translate(_FULL_WIDTH)
    text = _COMMA.sub("，", text)

    def space(m: re.Match) -> str:
        a = text[m.start() - 1] if m.start() else ""
        b = text[m.end()] if m.end() < len(text) else ""
        return " " if a.isascii() and a.isalnum() and b.isascii() and b.isalnum() else ""

    return _SPACES.sub(space, text)


def record_label(text: str | None) -> str:
    """The row label a table record keeps: no whitespace, line breaks or numbering (一、 （一） 1.), characters as
    printed (not folded)."""
    s = _SPACES.sub("", text or "")
    s = _NUMBERING.sub("", s)
    # a label never starts with a list separator: it is what is left of numbering whose 一 was not read
    # (a scan's "一、" is one short stroke and a mark, OCR may return only "、" or "，")
    return s.lstrip("、，,.．").strip("：:")


def label_key(text: str | None) -> str:
    """Row label / subject as the checks compare it: ``record_label`` of the folded text, no 类/款/项 marks."""
    s = record_label(folded(text))
    return _LEVEL_MARK.sub("", s).strip("：:")


def header_key(text: str) -> str:
    """Header text as column variants are matched: ``match_text`` without unit note（万元）, year, quotes,
    brackets or 维护 (公务用车运行(维护)费 = 公务用车运行费)."""
    from extractors.numbers import drop_unit  # numbers builds on match_text: imported here, not at the top

    s = _YEAR.sub("", _HEADER_DROP.sub("", drop_unit(text)))
    return s.replace("维护", "")
