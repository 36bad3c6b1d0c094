# Parcours: the two set-up commands of the README, and a few helpers for developers.
# Every target creates (or reuses) the virtual environment in .venv from the lock file.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
UV_VERSION := 0.13.8
export DO_NOT_TRACK := 1

.PHONY: demo test lint typecheck lock clean

$(INSTALLED): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@# --compile-bytecode: with PYTHONDONTWRITEBYTECODE set, every process would otherwise recompile
	@# dlt, pandas, dagster... at import (seconds of fixed cost per ingestion or dbt process).
	@$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --editable .
	@touch $@

## demo: simulate a retail world, run the whole pipeline, publish the app's snapshot.
demo: $(INSTALLED)
	$(BIN)/parcours demo

## test: lint, type-check and run every test.
test: lint typecheck $(INSTALLED)
	$(BIN)/pytest

## lint: ruff, and sqlfluff on the dbt models and tests (dbt templater on the in-memory `lint`
## target of dbt_project/profiles.yml: no warehouse needed; about 1 min of CPU).
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

typecheck: $(INSTALLED)
	$(BIN)/mypy parcours simulator ingestion orchestration apps bench tests

## lock: re-resolve requirements.lock after changing pyproject.toml.
lock: $(INSTALLED)
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs
