"""The golden document's records: every listed problem caught, rounding-size ones only as warnings."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest

from pipeline.checks import run_checks
from pipeline.dataset import Dataset, read_dataset, write_dataset
from tests.checks_helpers import FIXTURES, GOLDEN_FILE, GOLDEN_NAME, golden_dataset
from tests.conftest import SHARED

GOLDEN_FINDINGS = json.loads((FIXTURES / f"{GOLDEN_NAME}.findings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def golden_findings():
    return run_checks(golden_dataset())


def _mentions(f, value: str) -> bool:
    v = Decimal(value)
    return v in (f.expected, f.actual, f.difference) or value in f"{f.message} {f.evidence}"


def test_every_listed_problem_is_caught(golden_findings):
    for item in GOLDEN_FINDINGS["must_flag"]:
        assert any(_mentions(f, v) for f in golden_findings for v in item["values"]), item["what"]


def test_only_the_real_errors_are_errors(golden_findings):
    errors = [f for f in golden_findings if f.severity == "error"]
    assert len(errors) <= GOLDEN_FINDINGS["max_errors"]
    assert {(f.rule, f.actual) for f in errors} == {
        ("narrative.table.match", Decimal("0.3")),  # fiscal total 0.3 万元 in the text vs 2961.68 printed
        ("narrative.share", Decimal("71.73")),  # 2106.66 / 2940.05 = 71.65 %
    }
    fiscal = next(f for f in errors if f.rule == "narrative.table.match")
    assert fiscal.expected == Decimal("2961.68") and fiscal.page == "13;21"


def test_rounding_problems_are_warnings_marked_as_rounding(golden_findings):
    for value in ("326.71", "2940.06", "2993.93", "251.26", "2082.86", "171.09"):
        hits = [f for f in golden_findings if _mentions(f, value)]
        assert hits and all(f.severity == "warning" and f.message.startswith("rounding") for f in hits), value


def test_findings_survive_the_dataset_round_trip(tmp_path):
    ds = golden_dataset()
    write_dataset(Dataset(ds.documents, ds.tables, ds.cells, ds.facts, run_checks(ds)), tmp_path)
    again = read_dataset(tmp_path)
    assert sorted((f.rule, f.message) for f in run_checks(again)) == sorted((f.rule, f.message) for f in again.findings)


@pytest.mark.skipif(not (SHARED / "tools" / "score.py").exists(), reason="../shared scorer not available")
def test_scorer_accepts_the_findings(tmp_path):
    ds = golden_dataset()
    write_dataset(Dataset(ds.documents, ds.tables, ds.cells, ds.facts, run_checks(ds)), tmp_path)
    out = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "score.py"), "findings", str(tmp_path),
         str(FIXTURES / f"{GOLDEN_NAME}.findings.json"), GOLDEN_FILE, "--min", "1.0"],
        capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "findings caught 8/8" in out.stdout
