"""The install prints none of our own setuptools warnings and ships every package and spec file."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_an_spdx_string_with_a_backend_that_reads_it() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"  # the table form is deprecated: a warning per build step
    (req,) = [r for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    assert int(re.search(r">=(\d+)", req).group(1)) >= 77  # PEP 639 strings


def test_every_package_and_data_folder_is_configured() -> None:
    setuptools_cfg = PYPROJECT["tool"]["setuptools"]
    assert isinstance(setuptools_cfg["packages"], dict)  # found, not a hand-written list (it forgot pipeline.checks)
    include = setuptools_cfg["packages"]["find"]["include"]
    found = set(find_namespace_packages(where=str(ROOT), include=include))
    on_disk = {p.parent.relative_to(ROOT).as_posix().replace("/", ".")
               for top in ("pipeline", "extractors", "schemas") for p in (ROOT / top).rglob("*")
               if p.suffix in (".py", ".yaml", ".md", ".txt") and "__pycache__" not in p.parts}
    assert on_disk <= found, on_disk - found
    data = setuptools_cfg["package-data"]
    for top in ("pipeline", "extractors", "schemas"):
        for f in (ROOT / top).rglob("*"):
            if f.suffix in (".yaml", ".md", ".txt") and "__pycache__" not in f.parts:
                package = f.parent.relative_to(ROOT).as_posix().replace("/", ".")
                assert any(f.match(p) for p in data.get(package, [])), f"{f} is not in package-data"


@pytest.mark.slow
def test_building_the_wheel_prints_no_warning_of_ours(tmp_path: Path) -> None:
    """Builds a copy in an isolated environment (needs the package registry for setuptools)."""
    import shutil

    src = tmp_path / "src"
    for name in ("pyproject.toml", "README.md", "flows.py"):
        src.mkdir(exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    for top in ("pipeline", "extractors", "schemas"):
        shutil.copytree(ROOT / top, src / top, ignore=shutil.ignore_patterns("__pycache__"))
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(src)],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout + run.stderr
    assert "BuildBackendWarning" not in out and "SetuptoolsDeprecationWarning" not in out
    assert "absent from the `packages` configuration" not in out
    (wheel,) = tmp_path.glob("juesuan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"pipeline/checks/__init__.py", "schemas/spec/nine_tables.yaml", "schemas/families/budget.yaml",
            "pipeline/sources.yaml"} <= names
