# Werkmaat: `make run` starts the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-test chromium bench lighthouse clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	WERKMAAT_PUBLIC_URL=$${WERKMAAT_PUBLIC_URL:-http://$(HOST):$(PORT)} $(BIN)/werkmaat demo
	WERKMAAT_PUBLIC_URL=$${WERKMAAT_PUBLIC_URL:-http://$(HOST):$(PORT)} $(BIN)/werkmaat serve --host $(HOST) --port $(PORT)

# The browser tests drive the system's Chromium; install it from the system's packages when missing.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

test: install-test chromium
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder

bench: install-test
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.bench.push 10000
	$(BIN)/python -m tests.bench.matcher
	$(BIN)/python -m tests.bench.transit
	$(BIN)/python -m tests.bench.caseload
	$(BIN)/python -m tests.bench.impact

# Lighthouse 12 (mobile, simulated throttling) on the signed-in worker's Home of a demo server of its
# own: cold (empty browser, only the session cookie) and warm, 3 times each; see tests/tools/lighthouse.py.
# Lighthouse is installed from npm into LIGHTHOUSE_DIR (outside the repository) on first use.
LIGHTHOUSE_DIR ?= /tmp/werkmaat-lighthouse-npm
CHROME_PATH    ?= /usr/bin/chromium
lighthouse: install-test chromium
	@test -x $(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse || \
	  npm install --prefix $(LIGHTHOUSE_DIR) --no-audit --no-fund --silent lighthouse@12
	CHROME_PATH=$(CHROME_PATH) LIGHTHOUSE=$(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse \
	  $(BIN)/python tests/tools/lighthouse.py

clean:
	rm -rf $(VENV) data .pytest_cache
