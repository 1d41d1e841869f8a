# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Django 6 needs Python 3.12+ (.python-version selects 3.12 through pyenv).
PYTHON ?= $(shell pyenv which python3.12 2>/dev/null || command -v python3.12 || command -v python3)
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format install messages clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

## Serve the portal with the demo data on http://$(HOST), a Celery worker and beat beside it
# The worker and beat run the jobs as in production: on Redis with REDIS_URL, otherwise on
# the embedded broker in .broker/ (no server needed; see coordination/settings/dev.py).
# Ctrl-C, a TERM or the server's end stops them all: `kill 0` signals the recipe's process
# group (from a script, start `make run` in a session of its own: setsid). The worker has
# a process group of its own (set -m) and is stopped through its main process: a signal
# to its pool processes would kill them under it, and it would wait forever for a lock
# one of them held. It finishes a running job first (warm shutdown); a second Ctrl-C
# stops it at once (cold shutdown: the job is queued again).
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then broker="Redis ($$REDIS_URL)"; \
	else broker="the embedded broker in .broker/"; fi; \
	echo "Celery worker and beat on $$broker; Ctrl-C stops the server, the worker and beat"; \
	trap 'trap "kill -QUIT $$worker 2>/dev/null" INT; trap "" TERM; trap - EXIT; \
		kill -TERM $$worker 2>/dev/null; kill 0; wait; wait' EXIT INT TERM; \
	set -m; $(BIN)/celery -A coordination worker --beat --concurrency=2 --loglevel=INFO \
		--without-gossip --without-mingle --without-heartbeat & worker=$$!; set +m; \
	$(BIN)/python manage.py runserver $(HOST) & wait $$!

## Lint, types, import layers, templates, migrations check, system check and the whole suite
test: install lint
	DJANGO_SETTINGS_MODULE=coordination.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=coordination.settings.test $(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## ruff, mypy (django-stubs), the import-linter layers contract and djLint on the templates
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/djlint templates coordination hotspots taskforces reporting --lint

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Refresh the translation catalogues after changing strings, then compile them
messages: install
	$(BIN)/python manage.py makemessages -l fr -l nl -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=benchmarks
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles portal.sqlite3 .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
