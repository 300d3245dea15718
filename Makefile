# curagraph: the README's commands. Everything installs from this repository's own files.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# re-install when the package definition changes
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# where scripts/neo4j.sh keeps the Neo4j it fetches from Maven Central (shared by clones)
CACHE  ?= $(HOME)/.cache/curagraph
export CURAGRAPH_CACHE := $(CACHE)

.PHONY: demo test test-fast lint docs format bench bench-quick clean neo4j-start neo4j-stop

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Build a catalog from the shipped demo sample (embedded engine) and show what it holds.
demo: $(STAMP)
	$(BIN)/curagraph demo --db demo-catalog

## Run the whole test suite, against the embedded engine and a real Neo4j 5.26 that it starts
## (or the one CURAGRAPH_NEO4J_URI/USER/PASSWORD name). Without a Neo4j, its tests fail in CI and skip elsewhere.
## Lint, format check, type check and the generated docs' check come first: CI fails on them.
test: lint
	@scripts/browser.sh || echo "make test: chromium is not available; the browser tests fail in CI and skip elsewhere" >&2
	@if [ -n "$$CURAGRAPH_NEO4J_URI" ]; then \
	  $(BIN)/python -m pytest -q; \
	else \
	  scripts/neo4j.sh start || echo "make test: Neo4j did not start; its tests fail in CI and skip elsewhere" >&2; \
	  if [ -f "$(CACHE)/neo4j/env" ]; then set -a; . "$(CACHE)/neo4j/env"; set +a; fi; \
	  $(BIN)/python -m pytest -q; status=$$?; \
	  scripts/neo4j.sh stop; \
	  exit $$status; \
	fi

## The ten-second loop (well, under three minutes): no Neo4j, no browser, no ../shared; the embedded
## engine on disk and in memory, the shipped demo sample and in-repo fixtures.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not neo4j and not shared and not browser and not slow"

## Start / stop the development Neo4j (settings in $(CACHE)/neo4j/env).
neo4j-start:
	scripts/neo4j.sh start
neo4j-stop:
	scripts/neo4j.sh stop

## Lint, format check, type check, and the generated docs are current.
lint: $(STAMP)
	$(BIN)/ruff check catalog api ontology tests bench scripts
	$(BIN)/ruff format --check catalog api ontology tests bench scripts
	$(BIN)/mypy
	$(BIN)/python scripts/gen_docs.py --check

## Regenerate docs/configuration.md and docs/cli.md from the Settings class and the CLI.
docs: $(STAMP)
	$(BIN)/python scripts/gen_docs.py

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
