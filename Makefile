# llmstrategy: `make report` renders the HTML reports, `make test` runs every check.
# Both create .venv with pip on first use (later runs reuse it): the exact versions of
# requirements.lock, then the project itself. `make lock` regenerates the lock.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
PIP_VERSION := 26.3
UV_VERSION := 0.13.9
# The lock is resolved for CPython 3.11 on Linux x86_64; .7 is the patch release the
# machines have (soupsieve 4.1.3 needs >= 3.11.5).
LOCK_PYTHON := 3.11.7
# Extra `uv pip compile` options for `make lock`, e.g. LOCK_ARGS=--upgrade (every package to its
# newest release) or LOCK_ARGS='--upgrade-package numpy'. Without them the lock keeps its versions.
LOCK_ARGS ?=
PROFILES := $(wildcard data/profiles/*.yaml)
JOBS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install report test lint lab bench clean lock

help: ## Show the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

# The lock has a hash for every file, so pip installs it in hash-checking mode. The project
# goes in last, without dependencies; the -W filter hides only setuptools' informational
# "Editable installation" notice (every flat-layout editable install prints it).
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -W 'ignore:Editable installation:UserWarning' -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## Create .venv: the exact versions of requirements.lock, then the project (editable)

report: $(STAMP) ## Render the HTML report for every profile in data/profiles/ into reports/
	$(BIN)/llmstrategy render $(PROFILES) --out reports --jobs $(JOBS)

test: $(STAMP) ## Lint, type-check and run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff and mypy only
	$(BIN)/ruff check .
	$(BIN)/mypy

lab: $(STAMP) ## Open JupyterLab on the notebooks (adds --allow-root when run as root)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

bench: $(STAMP) ## Run the benchmarks in bench/
	@for b in bench/bench_*.py; do [ -f "$$b" ] && $(BIN)/python "$$b"; done; true

# uv runs from a throwaway venv and asks PyPI (set UV_INDEX_URL for another index); it reads
# the versions already in $(LOCK) and keeps them unless LOCK_ARGS says otherwise. Then
# environment.yml's conda pins are set to the lock's versions.
lock: ## Re-resolve requirements.lock (runtime + dev, hashed) with uv; LOCK_ARGS=--upgrade for newest
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet uv==$(UV_VERSION) && \
	"$$tmp/venv/bin/uv" pip compile pyproject.toml --extra dev \
		--python-version $(LOCK_PYTHON) --python-platform x86_64-unknown-linux-gnu \
		--generate-hashes --custom-compile-command 'make lock' $(LOCK_ARGS) -o $(LOCK) >/dev/null
	$(PYTHON) tools/pin_environment.py

clean: ## Remove generated reports and caches (keeps .venv)
	rm -rf reports/*.html reports/*.csv reports/.build .pytest_cache .mypy_cache .ruff_cache artifacts
