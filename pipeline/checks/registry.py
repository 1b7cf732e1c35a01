"""The rules registry: every rule has a stable id, a description and a severity policy.

The id is written once, in ``@rule``: the decorator hands it to the rule as its ``rid`` argument
(``def check(ctx, rid)``, or ``def check(ctx, corpus, rid)`` for a dataset rule), which the rule
puts on its findings. ``Rule.check`` is the function with its id bound: ``check(ctx)`` /
``check(ctx, corpus)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from schemas.records import Finding

ROUNDING_POLICY = "error when the difference exceeds rounding at the printed precision; warning (rounding) within it"


@dataclass(frozen=True)
class Rule:
    id: str
    family: str  # structure / table / cross / narrative_table / narrative / years
    description: str
    severity: str  # the severity policy, in words
    check: Callable[..., Iterable[Finding]]  # the rule function with its id bound (see the module's docstring)
    scope: str = "document"  # "document": check(ctx); "dataset": check(ctx, corpus)


RULES: dict[str, Rule] = {}


def rule(id: str, family: str, description: str, severity: str = ROUNDING_POLICY, scope: str = "document"):
    """Register a check function under a stable id, which it receives as its ``rid`` argument."""

    def register(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        if "rid" not in inspect.signature(fn).parameters:
            raise TypeError(f"rule {id}: {fn.__name__} must take its id as a `rid` argument")
        RULES[id] = Rule(id, family, description, severity, partial(fn, rid=id), scope)
        return fn

    return register
