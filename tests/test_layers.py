"""The import rules of docs/architecture.md: pipeline/ never imports the Prefect wiring (flows.py) but
through the one call of `juesuan run`, and Prefect itself only in the modules that wrap it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFECT_MODULES = {"prefect_server.py"}  # Prefect's server and settings, imported by flows.py only


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at the top level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, id(node) in top))
    return out


def test_pipeline_reaches_flows_only_through_the_run_command() -> None:
    users = {p.name: top for p in (ROOT / "pipeline").rglob("*.py") for m, top in _imports(p) if m == "flows"}
    assert users == {"cli_flows.py": False}  # lazily, inside `run`
    assert "flows.start(" in (ROOT / "pipeline" / "cli_flows.py").read_text(encoding="utf-8")


def test_prefect_stays_out_of_the_stages() -> None:
    users = sorted(p.name for p in (ROOT / "pipeline").rglob("*.py") if p.name not in PREFECT_MODULES
                   for m, top in _imports(p) if top and m.split(".")[0] == "prefect")
    assert users == []
