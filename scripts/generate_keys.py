#!/usr/bin/env python3
"""Write schemas/generated_keys.py (TableKey, ColumnKey, MetricKey) from the YAML contracts.

Run after adding or renaming a key in schemas/spec/*.yaml or schemas/families/*.yaml:

  .venv/bin/python scripts/generate_keys.py          # rewrite the module
  .venv/bin/python scripts/generate_keys.py --check  # exit 1 when it is stale (what the test checks)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas.keys import GENERATED_KEYS, generated_source  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only say whether the module is up to date")
    args = ap.parse_args()
    text = generated_source()
    current = GENERATED_KEYS.read_text(encoding="utf-8") if GENERATED_KEYS.exists() else ""
    if args.check:
        if current != text:
            print(f"{GENERATED_KEYS} is stale: run python scripts/generate_keys.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        tmp = GENERATED_KEYS.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(GENERATED_KEYS)
        print(f"wrote {GENERATED_KEYS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
