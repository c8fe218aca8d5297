# Yingji developer and operator entry points. `make run` and `make test` are the whole set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.dev-installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck check-migrations install install-dev screenshots messages clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(DEV_STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

## run: install, migrate, load the demo organisation into an empty database, serve on :8000
run: $(STAMP)
	$(BIN)/yingji demo --if-empty
	$(BIN)/yingji serve

## test: install the dev dependencies and run the whole suite (SQLite, then PostgreSQL when asked)
test: $(DEV_STAMP)
	$(BIN)/python scripts/run_tests.py

lint: $(DEV_STAMP)
	$(BIN)/ruff check yingji tests scripts bench
	$(BIN)/ruff format --check yingji tests scripts bench
	$(BIN)/lint-imports --no-cache

typecheck: $(DEV_STAMP)
	$(BIN)/mypy yingji tests scripts

check-migrations: $(DEV_STAMP)
	YINGJI_DATA_DIR=$$(mktemp -d) $(BIN)/yingji manage makemigrations --check --dry-run

## messages: re-extract translatable strings (needs GNU gettext) and recompile the catalogues
messages: $(DEV_STAMP)
	cd yingji && ../$(BIN)/yingji manage makemessages -l zh_Hans -l zh_Hant -l en --no-obsolete --ignore 'tests/*'
	$(BIN)/yingji manage compiletranslations

## screenshots: documentation screenshots from a running demo (make run in another terminal)
screenshots: $(DEV_STAMP)
	$(BIN)/python scripts/screenshots.py http://127.0.0.1:8000 docs/img

clean:
	rm -rf $(VENV) var build *.egg-info
