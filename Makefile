# Two commands do everything:  make run   and   make test   (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
MANAGE := $(BIN)/python manage.py
STATIC_SOURCES := $(shell find static templates -type f 2>/dev/null)
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test test-sqlite test-services lint messages makemessages clean help
.DEFAULT_GOAL := help

help:
	@echo "make run    run the platform with demo data on http://127.0.0.1:$(PORT)"
	@echo "make test   run the whole test suite (SQLite, then PostgreSQL + Redis)"
	@echo "make lint   ruff and mypy"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-base: pyproject.toml | $(BIN)/python
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml $(VENV)/.stamp-base
	$(PIP) install -e '.[dev]'
	@touch $@

# Compiled catalogues are build output, never committed.
locale/%.mo: locale/%.po
	msgfmt --check-format -o $@ $<

messages: $(MO_FILES)

makemessages: $(VENV)/.stamp-base
	$(MANAGE) makemessages -l zh_Hans --no-obsolete -i '.venv/*' -i 'var/*' -i 'tests/*'

var/staticfiles/staticfiles.json: $(STATIC_SOURCES) $(VENV)/.stamp-base
	$(MANAGE) collectstatic --noinput -v0

run: $(VENV)/.stamp-base
	@scripts/system-deps.sh run
	@$(MAKE) --no-print-directory messages var/staticfiles/staticfiles.json
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) seed_demo
	@echo
	@echo "Serving http://127.0.0.1:$(PORT)  (Ctrl-C stops web, worker and beat)"
	@echo
	@PATH="$(CURDIR)/$(BIN):$$PATH" PORT=$(PORT) SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" \
		exec $(BIN)/honcho -f Procfile start -p $(PORT)

test: $(VENV)/.stamp-dev
	@scripts/system-deps.sh test
	@$(MAKE) --no-print-directory messages var/staticfiles/staticfiles.json
	@$(MAKE) --no-print-directory test-sqlite test-services

# Part 1: embedded defaults (SQLite, file-system broker), every test that needs no server.
test-sqlite:
	@echo "=== Part 1/2: SQLite and embedded broker ==="
	env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL $(BIN)/python -m pytest -m "not services" $(PYTEST_ARGS)

# Part 2: the production path, real PostgreSQL and Redis started for this run.
test-services:
	@echo "=== Part 2/2: PostgreSQL and Redis ==="
	$(BIN)/python scripts/services.py -- $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf var $(VENV)
