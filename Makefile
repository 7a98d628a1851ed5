# One entry point for people and CI. Everything runs inside .venv (created on demand).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DB ?= demo.db
CUSTOMERS ?= 2000
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: setup run test test-fast lint bench neo4j-start neo4j-stop clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null || { echo "need $(PY) on PATH"; exit 1; }
	@test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

## run: set up, load the demo community into $(DB) (if empty) and serve the API and dashboard
run: setup
	$(BIN)/graph-engine serve --db $(DB) --demo --demo-customers $(CUSTOMERS) --port $(PORT)

## test: set up and run the whole test suite
test: setup
	bash scripts/test.sh

lint: setup
	$(BIN)/ruff format --check graph_engine api tests bench
	$(BIN)/ruff check graph_engine api tests bench

bench: setup
	$(BIN)/python -m bench

neo4j-start:
	bash scripts/neo4j-server.sh start

neo4j-stop:
	bash scripts/neo4j-server.sh stop

clean:
	rm -rf $(VENV) build dist *.egg-info demo.db*
