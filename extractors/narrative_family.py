"""How a document family's narrative is read, loaded from the ``narrative:`` block of
``schemas/families/<family>.yaml``: where the narrative starts and ends, the topic of each
heading, unnumbered part headings, how "no change" is worded, and (budgets) which words before a
figure name its metric. What differs between families is data there, not branches in the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from schemas.keys import FAMILIES_DIR, NARRATIVE_METRICS

SUBJECT_SOURCES = ("item_path", "class", "name", "part", "part_item")


@dataclass(frozen=True)
class MetricRule:
    """A figure whose lead (words just before it) matches ``lead`` is a ``metric``."""

    lead: re.Pattern
    metric: str
    topics: tuple[str, ...] = ()  # empty: every topic that is not exclusive
    sentence: re.Pattern | None = None  # the sentence up to the figure must contain this
    subject: str | None = None  # fixed subject, or one of SUBJECT_SOURCES


@dataclass(frozen=True)
class NarrativeFamily:
    name: str
    reader: str  # which classifier reads the figures (extractors/narrative.py READERS)
    part: re.Pattern  # heading of the part that opens the narrative
    first_section: re.Pattern  # without such a part: the narrative's first section
    end: re.Pattern  # what ends it
    topics: tuple[tuple[str, re.Pattern], ...]
    aspect_topics: frozenset[str]
    read_part_heading: bool = False
    parts: tuple[tuple[str | None, re.Pattern], ...] = ()
    level: re.Pattern = re.compile(r"持平")
    reason: re.Pattern | None = None
    exclusive: frozenset[str] = frozenset()
    no_change_topics: frozenset[str] = frozenset()
    mask: re.Pattern | None = None  # printed text that holds no figure (bracketed 类/款/项 codes)
    rules: tuple[MetricRule, ...] = ()

    def topic_of(self, title: str) -> str | None:
        for topic, pattern in self.topics:
            if pattern.search(title):
                return topic
        return None

    def part_of(self, text: str) -> tuple[str | None, str, re.Match] | None:
        """(topic, name, match) when ``text`` opens an unnumbered part (项目经费情况说明 …)."""
        for topic, pattern in self.parts:
            m = pattern.search(text)
            if m:
                name = m.groupdict().get("name") or ""
                return topic, name, m
        return None

    def break_before(self, line: str) -> bool:
        """A part heading starts a paragraph of its own, whatever the line before it."""
        return any(p.search(line) for _, p in self.parts)


def _rule(raw: dict, where: str) -> MetricRule:
    metric = raw["metric"]
    if metric not in NARRATIVE_METRICS:
        raise ValueError(f"{where}: metric {metric!r} is not in narrative_metrics.yaml")
    sentence = raw.get("sentence")
    return MetricRule(lead=re.compile(raw.get("lead") or ""), metric=metric, topics=tuple(raw.get("topics") or ()),
                      sentence=re.compile(sentence) if sentence else None, subject=raw.get("subject"))


@cache
def narrative_family(name: str) -> NarrativeFamily:
    """The narrative settings of family ``name`` (final_accounts, budget)."""
    path = FAMILIES_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as f:
        raw = (yaml.safe_load(f) or {}).get("narrative")
    if not raw:
        raise ValueError(f"{path.name}: no narrative block")
    level = raw.get("level")
    reason = raw.get("reason")
    return NarrativeFamily(
        name=name, reader=raw["reader"], part=re.compile(raw["part"]), first_section=re.compile(raw["first_section"]),
        end=re.compile(raw["end"]), topics=tuple((t, re.compile(p)) for t, p in raw["topics"]),
        aspect_topics=frozenset(raw.get("aspect_topics") or ()), read_part_heading=bool(raw.get("read_part_heading")),
        parts=tuple((t, re.compile(p)) for t, p in raw.get("parts") or ()),
        level=re.compile(level) if level else re.compile(r"持平"), reason=re.compile(reason) if reason else None,
        mask=re.compile(raw["mask"]) if raw.get("mask") else None,
        exclusive=frozenset(raw.get("exclusive") or ()), no_change_topics=frozenset(raw.get("no_change_topics") or ()),
        rules=tuple(_rule(r, f"{path.name} rule {i}") for i, r in enumerate(raw.get("rules") or ())),
    )


FINAL_ACCOUNTS = "final_accounts"
