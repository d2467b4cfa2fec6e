# Onderbouwd developer tasks.
#
# Needs only a Python 3.11, 3.12 or 3.13 interpreter: `make install` creates .venv, puts a
# pinned uv into it and syncs the locked dependencies (dev group included).
# Every other target installs first; once installed, that step is a no-op
# until pyproject.toml or uv.lock change.

SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
VENV       := .venv
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.install-stamp

# Prefer python3.11 where present (what CI runs); fall back to python3 (checked below).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)

# uv always works on the project's own .venv and never downloads a Python.
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(CURDIR)/$(BIN)/python

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
# Only the folders that exist (git keeps no empty folders).
LINT_PATHS := $(wildcard app tests benchmarks examples)

.PHONY: help install run test lint openapi bench fuzz up down clean distclean

help:
	@echo "make install    create .venv and install the locked dependencies (dev included)"
	@echo "make run        start the API on http://$(HOST):$(PORT) with the demo organisation"
	@echo "make test       lint, type-check and run the test suite"
	@echo "make lint       ruff check + mypy"
	@echo "make openapi    regenerate openapi/openapi.json"
	@echo "make bench      our solve against HiGHS alone on the benchmark corpus (see docs/performance.md;"
	@echo "               BENCH_ARGS=--quick for a short look)"
	@echo "make fuzz       schemathesis against every operation, FUZZ_EXAMPLES (500) each"
	@echo "make up         start the production shape with docker compose (WORKERS=2 workers)"
	@echo "make down       stop it (the data volumes stay)"
	@echo "make clean      remove caches and build artefacts"
	@echo "make distclean  clean, and also remove .venv and var/"

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@if [ ! -x "$(BIN)/python" ]; then \
	  "$(PYTHON)" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' \
	    || { echo "error: Python 3.11, 3.12 or 3.13 is required ($(PYTHON) is $$("$(PYTHON)" -V 2>&1)); run: make install PYTHON=/path/to/python3" >&2; exit 1; }; \
	  echo "+ $(PYTHON) -m venv $(VENV)"; \
	  "$(PYTHON)" -m venv "$(VENV)"; \
	fi
	@"$(BIN)/python" -m pip --version >/dev/null 2>&1 || "$(BIN)/python" -m ensurepip --upgrade >/dev/null
	@if ! "$(BIN)/uv" --version 2>/dev/null | grep -qE '^uv $(subst .,\.,$(UV_VERSION))( |$$)'; then \
	  echo "+ $(BIN)/pip install uv==$(UV_VERSION)"; \
	  "$(BIN)/python" -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; \
	fi
	$(BIN)/uv sync --frozen --python $(BIN)/python --compile-bytecode
	@# Compiled once here, the modules load from bytecode on every run, also where Python may not
	@# write it (PYTHONDONTWRITEBYTECODE): the DESIGN example solves in 0.5 s instead of 1.0-1.1.
	@"$(BIN)/python" -m compileall -q app
	@touch $@

run: install
	$(BIN)/python -m app.cli.main serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --durations=20

openapi: install
	@mkdir -p openapi
	$(BIN)/python -m app.cli.main openapi > openapi/openapi.json.tmp || { rm -f openapi/openapi.json.tmp; exit 1; }
	@mv openapi/openapi.json.tmp openapi/openapi.json
	@echo "wrote openapi/openapi.json"

bench: install
	$(BIN)/python -m benchmarks.solve_corpus $(BENCH_ARGS)

# The schemathesis test of `make test` (50 examples per operation) run longer, on SQLite and
# PostgreSQL.
FUZZ_EXAMPLES ?= 500
fuzz: install
	ONDERBOUWD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q \
	  tests/api/service/test_schemathesis.py

WORKERS ?= 2

up:
	docker compose up --build --detach --scale worker=$(WORKERS)

down:
	docker compose down

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info openapi/openapi.json.tmp
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) var
