# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test browser bench sandbox serve lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Playwright's own Chromium if present, else Debian's chromium (installed with apt-get when root).
browser: $(STAMP)
	$(BIN)/python -m tests.support.browser ensure-browser

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) browser lint
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/panless demo

sandbox: $(STAMP)
	$(BIN)/panless sandbox

serve: $(STAMP)
	$(BIN)/panless serve

bench: $(STAMP) browser
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
