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
# zh-hant is written from zh_Hans (OpenCC and the reviewed locale/zh_Hant/overrides.toml):
# build output like the .mo files, so it is listed whether or not it exists yet.
HANS_PO := $(wildcard locale/zh_Hans/LC_MESSAGES/*.po)
HANT_PO := $(HANS_PO:locale/zh_Hans/%=locale/zh_Hant/%)
PO_FILES := $(sort $(wildcard locale/*/LC_MESSAGES/*.po) $(HANT_PO))
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test test-sqlite test-services bench lint lock messages makemessages clean help
.DEFAULT_GOAL := help

help:
	@echo "make run    run the platform with demo data on http://127.0.0.1:$(PORT)"
	@echo "make test   run the whole test suite (SQLite, then PostgreSQL + Redis)"
	@echo "make lint   ruff and mypy"
	@echo "make bench  run every benchmark (BENCH_QUICK=1: a short run of each)"
	@echo "make lock   refresh requirements/*.txt to the newest versions pyproject.toml allows"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)

# Both commands install exact versions from the lock files, every file checked by its hash;
# the project itself goes in last, without resolving anything more. The build backend
# (setuptools) is in the lock too, so the editable install builds without isolation.
$(VENV)/.stamp-base: requirements/base.txt pyproject.toml | $(BIN)/python
	$(PIP) install --upgrade pip
	$(PIP) install --require-hashes -r requirements/base.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.stamp-dev: requirements/dev.txt $(VENV)/.stamp-base
	$(PIP) install --require-hashes -r requirements/dev.txt
	@touch $@

# The lock is resolved for CPython 3.11 on Linux x86_64 (what CI runs): markers would pin
# other packages for another interpreter. dev.txt is held to base.txt's pins so that
# `make run` and `make test` run the same runtime versions.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --upgrade \
	--generate-hashes --allow-unsafe --strip-extras --build-deps-for editable \
	--no-emit-index-url --no-emit-find-links

lock: | $(BIN)/python
	@$(BIN)/python -c 'import platform, sys; sys.exit(0 if sys.version_info[:2] == (3, 11) \
		and sys.platform == "linux" and platform.machine() == "x86_64" else \
		"make lock resolves for CPython 3.11 on Linux x86_64; this venv runs another Python")'
	$(PIP) install 'pip-tools>=7.5,<8'
	$(PIP_COMPILE) --output-file requirements/base.txt pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements/base.txt \
		--output-file requirements/dev.txt pyproject.toml

# Compiled catalogues are build output, never committed.
locale/%.mo: locale/%.po
	msgfmt --check-format -o $@ $<

$(HANT_PO): $(HANS_PO) locale/zh_Hant/overrides.toml core/hant.py core/hant_catalogue.py | $(VENV)/.stamp-base
	$(MANAGE) messages_hant

messages: $(MO_FILES)

makemessages: $(VENV)/.stamp-base
	$(MANAGE) makemessages -l zh_Hans --no-obsolete -i '.venv/*' -i 'var/*' -i 'tests/*'

var/staticfiles/staticfiles.json: $(STATIC_SOURCES) $(VENV)/.stamp-base
	$(MANAGE) collectstatic --noinput -v0

# The light process set (scripts/run.py: one web process, one worker with beat); the
# production topology is the Procfile.
run: $(VENV)/.stamp-base
	@scripts/system-deps.sh run
	@$(MAKE) --no-print-directory messages var/staticfiles/staticfiles.json
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) seed_demo
	@echo
	@echo "Serving http://127.0.0.1:$(PORT)  (Ctrl-C stops web, worker and beat)"
	@echo
	@PATH="$(CURDIR)/$(BIN):$$PATH" DJANGO_SETTINGS_MODULE="$${DJANGO_SETTINGS_MODULE:-config.settings.dev}" PORT=$(PORT) SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" \
		exec $(BIN)/python scripts/run.py

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

# Every benchmark, one after the other, each with throwaway PostgreSQL and Redis (a script
# that needs neither ignores them). A new benchmark: add its file here; one not written yet
# is skipped. BENCH_QUICK=1 makes each run short (smaller sizes, fewer seconds). Every
# benchmark runs; the target fails at the end if one missed its target or failed.
BENCHES := $(wildcard $(addprefix bench/,run.py cpu.py campaign_exports.py reach_stats.py \
	memory.py day.py check.py))

bench: $(VENV)/.stamp-dev
	@scripts/system-deps.sh bench
	@$(MAKE) --no-print-directory messages var/staticfiles/staticfiles.json
	@failed=""; for script in $(BENCHES); do \
		echo "=== $$script ==="; \
		BENCH_QUICK="$${BENCH_QUICK:-}" $(BIN)/python scripts/services.py -- $(BIN)/python $$script \
			|| failed="$$failed $$script"; \
	done; \
	if [ -n "$$failed" ]; then echo "Missed a target or failed:$$failed"; exit 1; fi

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf var $(VENV)
