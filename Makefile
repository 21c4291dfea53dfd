# CE+ Services member portal. `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install clean bench

$(BIN)/python:
	@python=$$(scripts/find-python $(PYTHON_VERSION)) && "$$python" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip check
	@touch $@

# axe-core (npm registry) checks the pages' accessibility in the browser tests.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The developer's machine runs with DEBUG=1 (SQLite, no secrets needed); production sets its
# environment itself and has no .env file.
.env:
	printf '# Local settings of a developer machine (git-ignored). See README.md.\nDEBUG=1\n' > $@

install: $(VENV)/.installed .env

## A local site on SQLite with demo data, on http://127.0.0.1:8000
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py demo --base-url http://$(HOST):$(PORT)
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/check_imports.py
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

## Lint, migrations check, then the whole test suite on PostgreSQL (a throwaway server
## unless DATABASE_URL is set).
test: lint node_modules/axe-core/axe.min.js
	scripts/with-postgres $(BIN)/python -m pytest --durations=15 $(PYTEST_ARGS)

## The performance benchmark (a measurement, not a test): gunicorn with the production settings
## on a throwaway PostgreSQL seeded with 100,000 members, driven by wrk. See docs/benchmarks.md.
bench: install
	scripts/with-postgres $(BIN)/python scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
