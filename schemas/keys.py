"""Canonical table, column and metric keys, and the table families, loaded once from YAML.

The YAML files in ``schemas/spec`` are verbatim copies of the public contract; code never
spells a key that is not in them. ``schemas/families/*.yaml`` says how each document family
(final accounts, budgets) is read beyond the contract: further printed wordings of titles and
headers, and the identities its tables satisfy. A new family is a new contract plus one file
there, not a branch in the readers.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from schemas.generated_keys import ColumnKey as ColumnKey  # re-exported: the keys as enums
from schemas.generated_keys import MetricKey as MetricKey
from schemas.generated_keys import TableKey as TableKey

SPEC_DIR = Path(__file__).parent / "spec"
FAMILIES_DIR = Path(__file__).parent / "families"


@dataclass(frozen=True)
class TableSpec:
    key: str
    order: int
    titles: tuple[str, ...]
    sides: tuple[str, ...]
    columns: dict[str, tuple[str, ...]] = field(hash=False)
    family: str = "final_accounts"
    # beyond the contract (schemas/families): more printed wordings, and row identities
    extra_titles: tuple[str, ...] = ()
    extra_columns: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    row_sum: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    only_rows: tuple[str, ...] = ()  # a list-shaped table of which only these rows are cells (政府采购: 合计)
    codes: str | None = None  # "functional" / "economic": rows carry subject codes whose levels must add up
    balance_rows: tuple[str, ...] = ()  # a two-sided table's grand-total labels: every side's must be equal
    # a column printed over its own parts (基本支出 = 人员经费 + 公用经费): in a row_sum it stands for them
    column_groups: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    # a table printed transposed (三公: categories as rows, funding sources as columns): the row wordings of
    # each category column beyond its column wordings, and each source's header wordings by key suffix
    category_rows: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    source_columns: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    @property
    def all_titles(self) -> tuple[str, ...]:
        return (*self.titles, *self.extra_titles)

    def column_variants(self) -> list[tuple[str, str]]:
        """(column key, printed variant): each column's contract wordings, then its extra ones."""
        return [(k, v) for k, vs in self.columns.items() for v in (*vs, *self.extra_columns.get(k, ()))]


@dataclass(frozen=True)
class RowSum:
    """One row identity of a table: in each row, the ``total`` column = the sum of the ``parts`` columns."""

    table: str
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Family:
    """One document family: its contract's tables, in printed order, and how they are read."""

    name: str  # equals the documents.doc_type value
    unit: str
    tables: tuple[TableSpec, ...]
    header_words: frozenset[str] = frozenset()
    side_words: dict[str, str] = field(default_factory=dict, hash=False)
    # the tables every template of the family prints (a document lacking one is not fully read)
    expected: tuple[str, ...] = ()
    # every table's row identities (``row_sum``) in the order the family file writes them, which is
    # the order table.sum.row_total checks them and lists its findings in
    row_sums: tuple[RowSum, ...] = ()
    # what a performance document of this family calls itself (绩效目标表 goes with a budget, 绩效自评表 and
    # 绩效评价结果 with final accounts): a PDF of performance forms only takes its type from these words
    performance_titles: tuple[str, ...] = ()
    # the year a "截至 … 年12月31日" statement (assets, staff, vehicles held) names, against the fiscal year:
    # a final account's report date ends its year (0); a budget states what is held at the end of the year before (-1)
    report_date_offset: int = 0

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.tables)

    def table(self, key: str) -> TableSpec:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(f"{self.name} has no table {key!r}")

    def has(self, key: str) -> bool:
        return any(t.key == key for t in self.tables)


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


def _strings(value: object) -> tuple[str, ...]:
    """A YAML list of wordings (or one wording) as a tuple of strings."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _family(path: Path) -> Family:
    with path.open(encoding="utf-8") as f:
        ext = yaml.safe_load(f)
    contract = _load(ext["contract"])
    extras: dict = ext.get("tables") or {}
    unknown = set(extras) - {t["key"] for t in contract["tables"]}
    if unknown:
        raise ValueError(f"{path.name}: tables not in {ext['contract']}: {sorted(unknown)}")
    tables = []
    for i, t in enumerate(contract["tables"], start=1):
        more = extras.get(t["key"]) or {}
        columns = {k: _strings(v) for k, v in t["columns"].items()}
        named = [*(more.get("extra_columns") or {})]
        named += [c for k, v in (more.get("row_sum") or {}).items() for c in (k, *_strings(v))]
        named += [c for k, v in (more.get("column_groups") or {}).items() for c in (k, *_strings(v))]
        named += [*(more.get("category_rows") or {})]
        bad = sorted({c for c in named if c not in columns})
        if bad:
            raise ValueError(f"{path.name}: {t['key']} names columns not in {ext['contract']}: {bad}")
        tables.append(TableSpec(
            key=t["key"], order=int(t.get("order", i)), titles=_strings(t["titles"]), sides=_strings(t.get("sides")),
            columns=columns, family=ext["family"], extra_titles=_strings(more.get("extra_titles")),
            extra_columns={k: _strings(v) for k, v in (more.get("extra_columns") or {}).items()},
            row_sum={k: _strings(v) for k, v in (more.get("row_sum") or {}).items()},
            only_rows=_strings(more.get("only_rows")),
            codes=more.get("codes"), balance_rows=_strings(more.get("balance_rows")),
            column_groups={k: _strings(v) for k, v in (more.get("column_groups") or {}).items()},
            category_rows={k: _strings(v) for k, v in (more.get("category_rows") or {}).items()},
            source_columns={str(k or ""): _strings(v) for k, v in (more.get("source_columns") or {}).items()},
        ))
    expected = _strings(ext.get("expected_tables"))
    if set(expected) - {t.key for t in tables}:
        raise ValueError(f"{path.name}: expected_tables not in {ext['contract']}: {sorted(set(expected) - {t.key for t in tables})}")
    return Family(name=ext["family"], unit=str(contract["unit"]), tables=tuple(tables),
                  header_words=frozenset(_strings(ext.get("header_words"))),
                  side_words={str(k): str(v) for k, v in (ext.get("side_words") or {}).items()},
                  expected=expected, performance_titles=_strings(ext.get("performance_titles")),
                  report_date_offset=int(ext.get("report_date_offset") or 0),
                  row_sums=tuple(RowSum(key, total, _strings(parts)) for key, more in extras.items()
                                 for total, parts in ((more or {}).get("row_sum") or {}).items()))


def _families() -> dict[str, Family]:
    out = {}
    for path in sorted(FAMILIES_DIR.glob("*.yaml")):
        fam = _family(path)
        out[fam.name] = fam
    return out


def _metrics() -> dict[str, MetricSpec]:
    raw = _load("narrative_metrics.yaml")
    return {
        k: MetricSpec(key=k, unit=str(v.get("unit", "")), cue=str(v.get("cue", "")), subject=str(v.get("subject", "")))
        for k, v in raw["metrics"].items()
    }


FAMILIES: dict[str, Family] = _families()
FINAL_ACCOUNTS: Family = FAMILIES["final_accounts"]
BUDGET: Family = FAMILIES["budget"]
NINE_TABLES: tuple[TableSpec, ...] = FINAL_ACCOUNTS.tables
TABLE_KEYS: tuple[str, ...] = FINAL_ACCOUNTS.keys
ALL_TABLE_KEYS: tuple[str, ...] = tuple(dict.fromkeys(k for f in FAMILIES.values() for k in f.keys))
NARRATIVE_METRICS: dict[str, MetricSpec] = _metrics()
ALL_COLUMN_KEYS: tuple[str, ...] = tuple(dict.fromkeys(c for f in FAMILIES.values() for t in f.tables for c in t.columns))
SPEC_UNIT: str = FINAL_ACCOUNTS.unit


def family_of(doc_type: str | None) -> Family | None:
    """The family a documents.doc_type names (None for a document of no known type)."""
    return FAMILIES.get(str(doc_type)) if doc_type else None


def table_spec(key: str, family: str = "final_accounts") -> TableSpec:
    return FAMILIES[family].table(key)



# ---- the keys as enums, written to schemas/generated_keys.py ----------------------------------------
# Code names a key as ``TableKey.income_expenditure_summary`` (``MetricKey.gpb_expenditure``,
# ``ColumnKey.total``), so a misspelt key fails in mypy and at import instead of matching nothing.
# The enums are a checked-in module (mypy cannot see members made at run time), regenerated from the
# YAML by ``python scripts/generate_keys.py``; tests/test_generated_keys.py fails when it is stale.
GENERATED_KEYS = Path(__file__).with_name("generated_keys.py")


def generated_source(tables: tuple[str, ...] = ALL_TABLE_KEYS, columns: tuple[str, ...] = ALL_COLUMN_KEYS,
                     metrics: tuple[str, ...] = tuple(NARRATIVE_METRICS)) -> str:
    """The text schemas/generated_keys.py must hold for these keys (by default the YAML's as it is now)."""
    enums = (("TableKey", "Every table key of every family's contract (schemas/spec).", tables),
             ("ColumnKey", "Every column key of every table of those contracts.", columns),
             ("MetricKey", "Every narrative metric key (schemas/spec/narrative_metrics.yaml).", metrics))
    out = ['"""Table, column and metric keys of the YAML contracts as enums, for the type checker.',
           "",
           "GENERATED from schemas/spec/*.yaml and schemas/families/*.yaml by `python scripts/generate_keys.py`:",
           "do not edit; regenerate after changing a contract (tests/test_generated_keys.py fails until then).",
           '"""',
           "",
           "from enum import StrEnum"]
    for name, doc, keys in enums:
        bad = [k for k in keys if not k.isidentifier() or keyword.iskeyword(k) or k.startswith("_")]
        if bad:
            raise ValueError(f"{name}: keys that cannot be enum members: {bad}")
        out += ["", "", f"class {name}(StrEnum):", f'    """{doc}"""', ""]
        out += [f'    {k} = "{k}"' for k in keys]
    return "\n".join(out) + "\n"
