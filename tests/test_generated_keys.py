"""schemas/generated_keys.py (the keys as enums the type checker sees) is the YAML contracts' keys, no more, no less."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from schemas import generated_keys
from schemas.keys import ALL_COLUMN_KEYS, ALL_TABLE_KEYS, GENERATED_KEYS, NARRATIVE_METRICS, generated_source

ROOT = Path(__file__).resolve().parent.parent


def test_checked_in_module_is_up_to_date():
    # fails when a key was added to (or removed from) schemas/spec or schemas/families without
    # running `python scripts/generate_keys.py`
    assert GENERATED_KEYS.read_text(encoding="utf-8") == generated_source(), \
        "schemas/generated_keys.py is stale: run python scripts/generate_keys.py"


@pytest.mark.parametrize(("enum", "keys"), [(generated_keys.TableKey, ALL_TABLE_KEYS),
                                            (generated_keys.ColumnKey, ALL_COLUMN_KEYS),
                                            (generated_keys.MetricKey, tuple(NARRATIVE_METRICS))])
def test_enums_hold_the_yaml_keys(enum, keys):
    assert [m.value for m in enum] == list(keys)
    assert all(enum[k] == k and isinstance(enum[k], str) for k in keys)  # members compare equal to the strings


def test_a_misspelt_key_fails():
    with pytest.raises(AttributeError):
        _ = generated_keys.TableKey.income_expenditure_sumary  # type: ignore[attr-defined]


def test_check_mode_catches_a_key_added_to_the_yaml(tmp_path):
    # a copy of the schemas with one more table in the final-accounts contract: the checked-in
    # module no longer matches, and --check says so (exit 1) until it is regenerated
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    contract = tmp_path / "schemas" / "spec" / "nine_tables.yaml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(text.replace("\ntables:\n", "\ntables:\n  - key: new_table\n    titles: [新表]\n"
                                     "    columns: {amount: 金额}\n", 1), encoding="utf-8")
    script = [sys.executable, str(tmp_path / "scripts" / "generate_keys.py")]
    check = subprocess.run([*script, "--check"], capture_output=True, text=True, cwd=tmp_path)
    assert check.returncode == 1 and "stale" in check.stderr
    assert subprocess.run(script, capture_output=True, text=True, cwd=tmp_path).returncode == 0
    assert 'new_table = "new_table"' in (tmp_path / "schemas" / "generated_keys.py").read_text(encoding="utf-8")
    assert subprocess.run([*script, "--check"], capture_output=True, text=True, cwd=tmp_path).returncode == 0
