# jad-warehouse: every target works alone on a fresh clone (it creates .venv when missing).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export DO_NOT_TRACK := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: run test test-slow ui lint corpus bench docs report clean

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(INSTALLED)

## run: install, load raw/ through Dagster, publish warehouse/jad.duckdb, print the reconciliation
# GNU make exits 2 whenever a recipe fails, whatever the recipe's own code: `make run` prints
# jadwh's exit code (1: loaded, an operation held back; 2: nothing to load; 3: another load
# runs) and exits with it, but the caller of make sees 2. For the code itself, call
# .venv/bin/jadwh load (or read JADWH_EXIT= in the output).
run: $(INSTALLED)
	@$(BIN)/jadwh load; code=$$?; \
	if [ $$code -ne 0 ]; then \
	  echo "JADWH_EXIT=$$code: jadwh load exited with $$code (1 loaded but an operation was held back, 2 nothing to load or bad arguments, 3 another load is running); make reports any failure as 2" >&2; \
	fi; exit $$code

## test: install, make lint, then run the test suite but the slow modules (installs Debian's chromium for the browser test)
test: lint
	scripts/ensure-chromium
	$(BIN)/python -m pytest -m "not slow" --durations=25

## test-slow: the slow modules (corpora, fuzzing, faults, multi-round loads: tests/conftest.py SLOW_MODULES)
test-slow: $(INSTALLED)
	scripts/ensure-chromium
	$(BIN)/python -m pytest -m slow --durations=25

## ui: the Dagster UI on http://127.0.0.1:3000 (lineage, checks, quarantine)
ui: $(INSTALLED)
	mkdir -p $(DAGSTER_HOME) && cp -n orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml || true
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

## docs: the dbt documentation as one page, warehouse/dbt_docs/index.html (after make run)
docs: $(INSTALLED)
	$(BIN)/jadwh docs

## report: the operation reports, warehouse/reports/<operation_id>.html (after make run)
report: $(INSTALLED)
	$(BIN)/jadwh report

## corpus: regenerate raw/2020-09-se-europe-jad/submissions, its ground truth and tests/fixtures/hostile
corpus: $(INSTALLED)
	$(BIN)/python -m corpus seed
	$(BIN)/python -m corpus hostile

## bench: the benchmark against the limits of the machine (not part of make test); bench/results/latest.json
bench: $(INSTALLED)
	$(BIN)/python -m bench.run --sizes $(or $(SIZES),1,30,300)

## lint: ruff (rules and format) on the Python; the layers of docs/architecture.md (lint-imports,
## contracts in pyproject.toml); sqlfluff on the dbt models and macros (rules in .sqlfluff)
lint: $(INSTALLED)
	$(BIN)/ruff check orchestration corpus tests bench
	$(BIN)/ruff format --check orchestration corpus tests bench
	$(BIN)/lint-imports
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros

clean:
	rm -rf $(VENV) warehouse dbt_project/target dbt_project/logs .dagster .import_linter_cache
