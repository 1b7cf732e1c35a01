"""The rules registry: every rule has a stable id, a description and a severity policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from schemas.records import Finding

ROUNDING_POLICY = "error when the difference exceeds rounding at the printed precision; warning (rounding) within it"


@dataclass(frozen=True)
class Rule:
    id: str
    family: str  # structure / table / cross / narrative_table / narrative / years
    description: str
    severity: str  # the severity policy, in words
    check: Callable[..., Iterable[Finding]]
    scope: str = "document"  # "document": check(ctx); "dataset": check(ctx, corpus)


RULES: dict[str, Rule] = {}


def rule(id: str, family: str, description: str, severity: str = ROUNDING_POLICY, scope: str = "document"):
    """Register a check function under a stable id."""

    def register(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        RULES[id] = Rule(id, family, description, severity, fn, scope)
        return fn

    return register
