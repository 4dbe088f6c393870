# QI Academy: `make run` to serve, `make test` to test. Needs only Python (3.11, 3.12 or 3.13) and make.
# The newest of python3.13, python3.12 and python3.11 on the PATH is used; PYTHON=/path/to/python overrides.
SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do $$p -c '$(SUPPORTED)' 2>/dev/null && { echo $$p; break; }; done)
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 8000
BIN    := $(VENV)/bin
export QIA_ENV ?= dev

.PHONY: run test install install-test migrate content demo lint typecheck bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11, 3.12 or 3.13 is needed and none is on the PATH. Install one, or run: make run PYTHON=/path/to/python3"; exit 1; }
	@$(PYTHON) -c '$(SUPPORTED)' || { echo "$(PYTHON) is not Python 3.11 to 3.13. Run: make run PYTHON=/path/to/python3.13 (or 3.12, 3.11)"; exit 1; }
	@echo "Making $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip >$(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing QI Academy's dependencies (log: $(VENV)/pip.log)"
	@$(BIN)/pip install --quiet -e . >$(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "Installing QI Academy's dependencies and test tools (log: $(VENV)/pip.log)"
	@$(BIN)/pip install --quiet -e '.[test]' >$(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $@ $(VENV)/.installed

# The independent credential verifiers (tests/credentials/test_data_integrity.py): pinned by the lock.
VERIFIER := tests/verifier
$(VERIFIER)/node_modules/.installed: $(VERIFIER)/package.json $(VERIFIER)/package-lock.json
	npm ci --prefix $(VERIFIER) --no-audit --no-fund --loglevel=error
	@touch $@

# Ralph, the learning record store the xAPI tests start (tests/xapi): a venv of its own, because
# its LRS extra pins a FastAPI, Starlette and uvicorn older than ours. Pinned by the requirements.
RALPH_VENV := .venv-ralph
RALPH_REQS := tests/xapi/ralph-requirements.txt
$(RALPH_VENV)/.installed: $(RALPH_REQS) | $(BIN)/python
	@echo "Installing Ralph for the xAPI tests (log: $(RALPH_VENV)/pip.log)"
	@$(PYTHON) -m venv $(RALPH_VENV)
	@$(RALPH_VENV)/bin/pip install --quiet -r $(RALPH_REQS) >$(RALPH_VENV)/pip.log 2>&1 || { cat $(RALPH_VENV)/pip.log; exit 1; }
	@touch $@

# The Nu HTML Checker (vnu.jar, run on the machine's Java 17) over every page the browser tests visit.
# --ignore-scripts: its postinstall would download a Java runtime when none is found; Java comes from apt.
VNU := tests/tools/vnu
$(VNU)/node_modules/.installed: $(VNU)/package.json $(VNU)/package-lock.json
	npm ci --prefix $(VNU) --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test $(VERIFIER)/node_modules/.installed $(VNU)/node_modules/.installed \
  $(RALPH_VENV)/.installed

# Links the app signs or emails (credentials, QR codes, invitations) use QIA_BASE_URL: unless it is
# set, it follows HOST and PORT.
migrate content demo run: export QIA_BASE_URL ?= http://$(HOST):$(PORT)

migrate: install
	@$(BIN)/qi-academy db upgrade

content: install
	@out=$$($(BIN)/qi-academy content check 2>&1) || { echo "$$out"; exit 1; }
	@$(BIN)/qi-academy content sync

demo: install
	@$(BIN)/qi-academy demo

run: migrate content demo
	@echo "QI Academy: $(QIA_BASE_URL)  (emails go to the outbox: $(QIA_BASE_URL)/dev/outbox; stop with Ctrl+C)"
	@$(BIN)/uvicorn app.main:create_app --factory --host $(HOST) --port $(PORT) --no-proxy-headers --log-level warning

test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports
	QIA_ENV=test $(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(RALPH_VENV) var .pytest_cache .mypy_cache .ruff_cache
