# Two commands on a fresh machine:  `make sample`  (main job on the bundled samples)  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,dask,ocr]'
	touch $(STAMP)

.PHONY: install sample test lint bench browser
install: $(STAMP)

# Debian's chromium and a CJK font for the report's browser test (without the font every Chinese
# character is drawn as a box, which the test detects); skipped, with its reason, where they cannot be installed
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . ; } || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) || \
	  echo "chromium or a CJK font (fonts-noto-cjk) not installed: the browser test will be skipped or fail"; }

sample: $(STAMP)
	$(BIN)/juesuan extract data/raw/samples --out data/clean

# lint first: a lint failure fails `make test` (and so CI)
test: $(STAMP) browser lint
	$(BIN)/python -m pytest -q

# ruff (style, imports, complexity <= 12) on everything; mypy on the packages ([tool.mypy] in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python scripts/benchmark.py
