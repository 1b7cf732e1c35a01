"""The dataset's columns as typed Arrow arrays, for the Parquet files.

Types come from the record annotations (``pipeline.dictionary.logical_type``), as DuckDB's do:
amounts are Arrow ``decimal128`` with the scale the column's values need (never floats), integers
``int32`` (DuckDB ``INTEGER``), booleans ``bool``, dates ``date32``, everything else text. A decimal
column whose values need more than 38 digits (none has yet) stays text, with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

import pyarrow as pa

from pipeline.dictionary import logical_type
from schemas.records import Record

log = logging.getLogger("juesuan.typed")

MAX_PRECISION = 38  # decimal128
NARROW_PRECISION = 18  # what DuckDB (pipeline/duck.py) uses when the values fit: the same types in both


def decimal_type(values: Iterable[Decimal | None]) -> pa.DataType | None:
    """The decimal128 holding every value exactly (the largest scale, the most integer digits); None if none can."""
    int_digits, scale = 1, 0
    for v in values:
        if v is None:
            continue
        sign, digits, exp = v.as_tuple()
        if not isinstance(exp, int):  # NaN or infinity: not an amount
            return None
        scale = max(scale, -exp)
        int_digits = max(int_digits, len(digits) + exp)
    if int_digits + scale > MAX_PRECISION:
        return None
    return pa.decimal128(NARROW_PRECISION if int_digits + scale <= NARROW_PRECISION else MAX_PRECISION, scale)


_SIMPLE = {"integer": pa.int32(), "boolean": pa.bool_(), "date": pa.date32()}


def _text(v: object) -> str | None:
    from schemas.records import cell_text

    text = cell_text(v)
    return text if text != "" else None


def arrow_column(kind: type[Record], column: str, values: list) -> pa.Array:
    t = logical_type(kind, column)
    if t == "decimal":
        dtype = decimal_type(values)
        if dtype is not None:
            return pa.array(values, type=dtype)
        log.warning("%s.%s: values too long for decimal128(38); stored as text", kind.FILE, column)
    elif t in _SIMPLE:
        return pa.array(values, type=_SIMPLE[t])
    return pa.array([_text(v) for v in values], type=pa.string())


def arrow_table(kind: type[Record], rows: list[Record]) -> pa.Table:
    """One typed column per ``kind.COLUMNS`` entry, in that order; unknown values are nulls."""
    columns = {c: arrow_column(kind, c, [getattr(r, c, None) for r in rows]) for c in kind.COLUMNS}
    return pa.table(columns)
