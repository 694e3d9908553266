# Two commands do everything on a fresh machine:
#   make run   - virtual environment, install, SQLite database with the demo network if empty, serve on :8000
#   make test  - the same environment plus test tools, lint, type check and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck unit bench clean catalogs lock

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("werkkring needs Python 3.11 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The exact versions in the lock files (made by `make lock`), then werkkring itself without resolving again.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/python -c 'import weasyprint' 2>/dev/null || echo "note: PDF reports need Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0 (Debian/Ubuntu) or brew install pango (macOS)" >&2
	@touch $@

$(VENV)/.installed-test: pyproject.toml requirements-test.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-test.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

# Pin every dependency again (after a change in pyproject.toml): the newest versions that fit, for Python 3.11+.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --no-header -q -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --no-header -q -o requirements-test.lock

run: $(VENV)/.installed
	$(BIN)/werkkring db upgrade
	$(BIN)/werkkring demo --if-empty
	$(BIN)/werkkring serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

unit: $(VENV)/.installed-test
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck unit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Translations: extract the strings from the code and templates, merge them into each catalog, compile to .mo.
# Edit src/werkkring/locale/<lang>/LC_MESSAGES/messages.po, then run `make catalogs` again.
LOCALE_DIR := src/werkkring/locale
catalogs: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k translate:2 -k translate_count:2,3 --no-location --omit-header -w 110 -o $(LOCALE_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) -w 110 --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE_DIR) --statistics
