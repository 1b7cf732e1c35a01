"""Expected performance forms written by hand as text (tests/fixtures/performance/*.txt) → score.py golden."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.dataset import Dataset, write_dataset
from schemas.records import Document

FIXTURES = Path(__file__).parent / "fixtures" / "performance"
FORM_KEYS = ("kind", "scope", "name", "funds_total", "executed", "execution_rate_pct", "total_score")
ROW_KEYS = ("indicator", "weight", "target_text", "actual_text", "score")


def read_expected(path: Path) -> dict:
    """Forms and indicator rows of an expected-values file; its first comment line names the document."""
    forms: list[dict] = []
    rows: list[dict] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.lstrip("@").split("|")]
        if line.startswith("@"):
            f = dict(zip(FORM_KEYS, parts, strict=True))
            f["project" if f["scope"] == "project" else "department"] = f.pop("name")
            forms.append({k: v for k, v in f.items() if v != ""})
        else:
            r = dict(zip(ROW_KEYS, parts, strict=True))
            rows.append({"form": len(forms) - 1, **r})
    return {"forms": forms, "indicators": rows}


def golden(doc: str, path: Path) -> dict:
    return {"doc": doc, **read_expected(path)}


def write_golden(doc: str, path: Path, out: Path) -> Path:
    out.write_text(json.dumps(golden(doc, path), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def score_expected_forms(document: Document, forms: list, indicators: list, expected: Path, tmp: Path) -> str:
    """``score.py performance`` on the forms an expected file covers (the others left out, so precision
    counts too); fails unless it scores 1. Returns score.py's output."""
    gold = golden(document.file_name, expected)
    names = {f.get("project") or f.get("department") for f in gold["forms"]}
    kept = [f for f in forms if (f.project or f.department) in names]
    ids = {f.form_id for f in kept}
    write_dataset(Dataset([document], forms=kept, indicators=[i for i in indicators if i.form_id in ids]), tmp)
    (tmp / "golden.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    score = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score.py"
    run = subprocess.run([sys.executable, str(score), "performance", str(tmp), str(tmp / "golden.json"), "--min", "1"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout
    return run.stdout
