# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test browser services bench sandbox serve check lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Playwright's own Chromium if present, else Debian's chromium (installed with apt-get when root).
browser: $(STAMP)
	$(BIN)/python -m tests.support.browser ensure-browser

# PostgreSQL and Redis from Debian's packages when missing (apt-get as root); the tests start their own
# throwaway servers on free ports.
services: $(STAMP)
	$(BIN)/python -m tests.production.services ensure

lint: $(STAMP)
	$(BIN)/ruff check .

# The production tests must not skip for want of PostgreSQL or Redis: `services` installed both.
test: $(STAMP) browser services lint
	PANLESS_REQUIRE_SERVICES=1 $(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/panless demo

sandbox: $(STAMP)
	$(BIN)/panless sandbox

serve: $(STAMP)
	$(BIN)/panless serve

check: $(STAMP)
	$(BIN)/panless check

bench: $(STAMP) browser services
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
