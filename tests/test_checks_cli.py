"""``juesuan check --data DIR`` re-runs the checks over a stored dataset, with configurable tolerance."""

from __future__ import annotations

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.dataset import read_dataset, write_dataset
from tests.checks_helpers import golden_dataset


def test_check_command_writes_findings(tmp_path):
    write_dataset(golden_dataset(), tmp_path)
    assert read_dataset(tmp_path).findings == []
    result = CliRunner().invoke(app, ["check", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    findings = read_dataset(tmp_path).findings
    assert sum(f.severity == "error" for f in findings) == 2
    wide = CliRunner().invoke(app, ["check", "--data", str(tmp_path), "--tolerance", "5000"])
    assert wide.exit_code == 0
    assert sum(f.severity == "error" for f in read_dataset(tmp_path).findings) == 1  # only the 71.73 % share
    bad = CliRunner().invoke(app, ["check", "--data", str(tmp_path), "--tolerance", "abc"])
    assert bad.exit_code == 2
