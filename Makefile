# Hội Tụ — two commands: `make run` (demo site on SQLite) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: install lock system-deps bench-deps run test lint check bandit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exact versions with their hashes: requirements/dev.lock (pyproject's dependencies and
# every extra) for make install and CI, requirements/main.lock (dependencies only) for
# production (docs/deploy.md). The project itself cannot be hashed: installed without deps.
$(VENV)/.installed: pyproject.toml requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Refresh both lock files from pyproject.toml with uv (pinned here), keeping the versions
# already locked; `make lock UPGRADE=1` moves every package to its newest allowed release.
# dev.lock is constrained by main.lock: production runs the versions the suite tested.
UV_VERSION := 0.13.8
LOCK_VENV := .venv-lock
LOCK_ARGS = --quiet --generate-hashes --python $(PYTHON) --python-platform x86_64-manylinux_2_28 \
	--custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade)

$(LOCK_VENV)/bin/uv:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet uv==$(UV_VERSION)

lock: | $(LOCK_VENV)/bin/uv
	mkdir -p requirements
	$(LOCK_VENV)/bin/uv pip compile $(LOCK_ARGS) pyproject.toml -o requirements/main.lock
	$(LOCK_VENV)/bin/uv pip compile $(LOCK_ARGS) --all-extras -c requirements/main.lock \
		pyproject.toml -o requirements/dev.lock

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

# What the benchmarks in bench/ need on top: nginx and wrk (Debian); gunicorn comes with
# requirements/dev.lock.
bench-deps: install system-deps
	bash scripts/install-system-deps.sh --bench

run: install system-deps
	DJANGO_SETTINGS_MODULE=config.settings.dev $(MANAGE) migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.dev $(MANAGE) load_initial_data --once
	DJANGO_SETTINGS_MODULE=config.settings.dev $(MANAGE) rundev 127.0.0.1:$(PORT)

# Two test processes (pytest-xdist) by default, one per core of the CI machine;
# PYTEST_WORKERS=0 runs everything in one process. worksteal: each process starts on its
# half of the suite and an idle one takes tests queued for the other, so the run does not
# end with one process still working through a queue of long (browser) tests.
PYTEST_WORKERS ?= 2

test: install system-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

# Security linter over the project's code: any high-severity finding fails (CI).
bandit: install
	$(BIN)/bandit -c pyproject.toml -r config newsroom paywall distribution search analytics newsletters audit staffsecurity twofactor royalties aiservices assist speech transcripts offline push outbox deploy -lll -q

clean:
	rm -rf $(VENV) $(LOCK_VENV) db.sqlite3 media-dev static-collected
