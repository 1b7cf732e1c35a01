"""Cross-checks over the dataset (placeholder until issue 4 lands)."""

from __future__ import annotations

from pipeline.dataset import Dataset
from schemas.records import Finding


def run_checks(ds: Dataset) -> list[Finding]:
    return []
