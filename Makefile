# QI Academy: `make run` to serve, `make test` to test. Needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 8000
BIN    := $(VENV)/bin
export QIA_ENV ?= dev

.PHONY: run test install install-test migrate content demo lint typecheck bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (looked for $(PYTHON)); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

# The independent credential verifiers (tests/credentials/test_data_integrity.py): pinned by the lock.
VERIFIER := tests/verifier
$(VERIFIER)/node_modules/.installed: $(VERIFIER)/package.json $(VERIFIER)/package-lock.json
	npm ci --prefix $(VERIFIER) --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test $(VERIFIER)/node_modules/.installed

migrate: install
	$(BIN)/qi-academy db upgrade

content: install
	$(BIN)/qi-academy content check
	$(BIN)/qi-academy content sync

demo: install
	$(BIN)/qi-academy demo

run: migrate content demo
	@echo "QI Academy: http://$(HOST):$(PORT)"
	$(BIN)/uvicorn app.main:create_app --factory --host $(HOST) --port $(PORT) --no-proxy-headers

test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports
	QIA_ENV=test $(BIN)/python -m pytest -n 2 -q

lint: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
