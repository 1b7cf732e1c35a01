"""Canonical keys and record types of the juesuan dataset (the public contract in spec/)."""

from schemas.keys import NARRATIVE_METRICS, NINE_TABLES, TableSpec, table_spec
from schemas.records import (
    DocStatus,
    DocType,
    Document,
    Finding,
    NarrativeFact,
    Severity,
    TableCell,
    TableRecord,
)

__all__ = [
    "NARRATIVE_METRICS",
    "NINE_TABLES",
    "DocStatus",
    "DocType",
    "Document",
    "Finding",
    "NarrativeFact",
    "Severity",
    "TableCell",
    "TableRecord",
    "TableSpec",
    "table_spec",
]
