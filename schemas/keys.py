"""Canonical table, column and metric keys, loaded once from the bundled spec YAML.

The YAML files in ``schemas/spec`` are verbatim copies of the public contract; code never
spells a key that is not in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

SPEC_DIR = Path(__file__).parent / "spec"


@dataclass(frozen=True)
class TableSpec:
    key: str
    order: int
    titles: tuple[str, ...]
    sides: tuple[str, ...]
    columns: dict[str, tuple[str, ...]] = field(hash=False)


@dataclass(frozen=True)
class MetricSpec:
    key: str
    unit: str
    cue: str = ""
    subject: str = ""


@cache
def _load(name: str) -> dict:
    with (SPEC_DIR / name).open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _nine_tables() -> tuple[TableSpec, ...]:
    raw = _load("nine_tables.yaml")
    return tuple(
        TableSpec(
            key=t["key"],
            order=int(t["order"]),
            titles=tuple(t["titles"]),
            sides=tuple(t.get("sides") or ()),
            columns={k: tuple(v) for k, v in t["columns"].items()},
        )
        for t in raw["tables"]
    )


def _metrics() -> dict[str, MetricSpec]:
    raw = _load("narrative_metrics.yaml")
    return {
        k: MetricSpec(key=k, unit=str(v.get("unit", "")), cue=str(v.get("cue", "")), subject=str(v.get("subject", "")))
        for k, v in raw["metrics"].items()
    }


NINE_TABLES: tuple[TableSpec, ...] = _nine_tables()
TABLE_KEYS: tuple[str, ...] = tuple(t.key for t in NINE_TABLES)
NARRATIVE_METRICS: dict[str, MetricSpec] = _metrics()
SPEC_UNIT: str = _load("nine_tables.yaml")["unit"]


def table_spec(key: str) -> TableSpec:
    for t in NINE_TABLES:
        if t.key == key:
            return t
    raise KeyError(key)
