"""How strict the cross-checks are: the default is exact to the printed precision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CheckConfig:
    """Tolerances on top of what rounding at the printed precision explains.

    ``amount_tolerance`` (万元) and ``pct_tolerance`` (percentage points) widen the band in which
    a difference is reported as a rounding ``warning`` instead of an ``error``. Both default to
    zero: a blanket tolerance hides real errors, so it is opt-in.
    """

    amount_tolerance: Decimal = Decimal(0)
    pct_tolerance: Decimal = Decimal(0)
    report_rounding: bool = True  # emit rounding-size differences as warnings (False: drop them)
    # a broken identity with a cell OCR'd below this confidence is a likely misread (table.ocr_misread). Measured
    # on the scanned golden document (docs/ocr.md): correctly read amounts have a lowest character confidence
    # of 0.9 or more, and the misreads seen were below it.
    ocr_min_confidence: Decimal = Decimal("0.9")


DEFAULT_CONFIG = CheckConfig()
