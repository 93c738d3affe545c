# orderlake: `make run` runs a local day of the pipeline, `make test` runs the tests.
# Both create .venv and install the project first when needed.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATE ?= $(shell date -u -d yesterday +%F 2>/dev/null || date -u -v-1d +%F)
ROWS ?= 1000

.PHONY: setup run test bench test-slow lint format clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "orderlake needs Python 3.11 ($(PYTHON) not found): install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	@command -v java >/dev/null || { echo "orderlake needs Java 17 for Spark: sudo apt-get install openjdk-17-jre-headless (Debian/Ubuntu) or brew install openjdk@17 (macOS)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/orderlake run --date $(DATE) --rows $(ROWS)

test: $(STAMP)
	$(BIN)/ruff check .
	scripts/run_tests.sh

# Benchmark: Spark jobs vs the DuckDB reference (docs/performance.md); 1M rows unless ROWS is given.
REPS ?= 3
bench: $(STAMP)
	$(BIN)/python -m bench --rows $(if $(filter command line,$(origin ROWS)),$(ROWS),1000000) --reps $(REPS)

test-slow: $(STAMP)
	$(BIN)/pytest -m slow

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .

clean:
	rm -rf .orderlake spark-warehouse .pytest_cache .ruff_cache

# AWS deployment (docs/deploy.md). infra-test is the emulator cycle `make test` runs too.
.PHONY: deploy plan destroy smoke-test infra-test checkov
CHECKOV_VENV := .checkov-venv

# make deploy: build + terraform apply (asks to confirm). make plan saves and prints the plan;
# make deploy PLAN=infra/orderlake.tfplan then applies exactly that plan (CI: buildspec.yml).
PLAN ?=
deploy: $(STAMP)
	scripts/deploy.sh $(if $(PLAN),--apply $(PLAN))

plan: $(STAMP)
	scripts/deploy.sh --plan infra/orderlake.tfplan

destroy:
	scripts/destroy.sh

smoke-test: $(STAMP)
	$(BIN)/python scripts/smoke_test.py $(if $(SMOKE_DATE),--date $(SMOKE_DATE))

infra-test: $(STAMP)
	scripts/infra_test.sh

# checkov in its own virtualenv: its pinned dependencies would clash with the project's.
$(CHECKOV_VENV)/bin/checkov:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet checkov

checkov: $(CHECKOV_VENV)/bin/checkov
	$(CHECKOV_VENV)/bin/checkov --directory infra --framework terraform --compact --quiet
