# curagraph: the README's commands. Everything installs from this repository's own files.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# re-install when the package definition changes
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint format bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Build a catalog from the shipped demo sample (embedded engine) and show what it holds.
demo: $(STAMP)
	$(BIN)/curagraph demo --db demo-catalog

## Run the whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest -q

## Lint and type-check.
lint: $(STAMP)
	$(BIN)/ruff check catalog api ontology tests bench scripts
	$(BIN)/ruff format --check catalog api ontology tests bench scripts
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix catalog api ontology tests bench scripts
	$(BIN)/ruff format catalog api ontology tests bench scripts

## Benchmarks (figures go to docs/benchmarks.md by hand, with the machine they ran on).
bench: $(STAMP)
	$(BIN)/python bench/ingest.py --million

bench-quick: $(STAMP)
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) demo-catalog bench/.work .pytest_cache .mypy_cache .ruff_cache
