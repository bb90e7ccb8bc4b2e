# Hội Tụ — two commands: `make run` (demo site on SQLite) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: install system-deps bench-deps run test lint check bandit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Vietnamese for what Wagtail's, wagtailmedia's and Django's own catalogues leave in
# English: locale/vi/*.po (the whole admin) and newsroom/locale/vi/*.po (the publishing
# workflow's wording) compiled to the .mo files Django reads (not kept in git).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po newsroom/locale/*/LC_MESSAGES/*.po))

%.mo: %.po | system-deps
	msgfmt --check-format -o $@ $<

install: $(VENV)/.installed $(MO_FILES)

# ffmpeg, Debian's chromium and fonts: needed by media processing and browser tests;
# gettext (msgfmt) compiles the translations.
system-deps:
	bash scripts/install-system-deps.sh

# What the benchmarks in bench/ need on top: gunicorn (pip extra), nginx and wrk (Debian).
bench-deps: install system-deps
	$(BIN)/pip install --quiet -e '.[test,bench]'
	bash scripts/install-system-deps.sh --bench

run: install system-deps
	DJANGO_SETTINGS_MODULE=config.settings.dev $(MANAGE) migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.dev $(MANAGE) load_initial_data --once
	DJANGO_SETTINGS_MODULE=config.settings.dev $(MANAGE) rundev 127.0.0.1:$(PORT)

# Two test processes (pytest-xdist) by default, one per core of the CI machine;
# PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2

test: install system-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

# Security linter over the project's code: any high-severity finding fails (CI).
bandit: install
	$(BIN)/bandit -c pyproject.toml -r config newsroom paywall distribution search analytics audit staffsecurity twofactor -lll -q

clean:
	rm -rf $(VENV) db.sqlite3 media-dev static-collected
