# Two commands for a newcomer: `make demo` (install + serve the sample organization on
# http://127.0.0.1:8000) and `make test` (install + lint + type-check + the whole test suite).
# Set DATABASE_URL=postgres://… to run the tests on PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo tour test pytest lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/trellis demo

tour: $(STAMP)
	rm -rf .demo && $(BIN)/trellis init .demo
	$(BIN)/trellis check .demo/scorecard
	$(BIN)/trellis score .demo/scorecard --data .demo/actuals.csv --level unit --period $$($(BIN)/trellis latest-period .demo/scorecard --data .demo/actuals.csv)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint pytest

pytest: $(STAMP)
	TRELLIS_DATA_DIR=$(CURDIR)/.test-data $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
