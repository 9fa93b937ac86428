# Two entry points for a fresh machine: `make demo` and `make test` (both install what they need first).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: install browser demo test lint format bench clean

install: $(VENV)/.installed browser

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

browser: $(VENV)/.installed
	@PYTHON=$(BIN)/python bash scripts/install-browser.sh

demo: install
	$(BIN)/supplier-monitor demo --serve

test: install
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/run.py --json

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache
