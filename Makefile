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
# Ctrl-C, a TERM or the server's end stops them all, through the shell's trap: the server
# (its autoreloader and the child it restarts) and the worker (its pool and beat) each run
# in a process group of their own (set -m), so that Ctrl-C reaches only make and this
# shell, and the trap stops each group in turn (a signal to the worker's pool processes
# would kill them under it, and it would wait forever for a lock one of them held).
# The worker finishes a running job first (warm shutdown) if it can within 20 s; then, or
# at a second Ctrl-C, it stops at once (cold shutdown: the job is queued again); whatever
# is still left 10 s later is killed. The trap ends the shell: a Ctrl-C that comes before
# the worker or the server has started never lets the rest of the recipe start them.
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then broker="Redis ($$REDIS_URL)"; \
	else broker="the embedded broker in .broker/"; fi; \
	echo "Celery worker and beat on $$broker; Ctrl-C stops the server, the worker and beat"; \
	worker=; server=; \
	alive() { [ -n "$$1" ] && kill -0 -- "-$$1" 2>/dev/null; }; \
	settle() { for ((i = 0; i < $$2 * 4; i++)); do alive "$$1" || return 0; sleep 0.25; done; \
		! alive "$$1"; }; \
	stop() { \
		trap 'kill -QUIT $$worker 2>/dev/null' INT; trap '' TERM; trap - EXIT; \
		[ -n "$$worker" ] || worker=$$!; \
		[ -n "$$server" ] || [ "$$!" = "$$worker" ] || server=$$!; \
		alive "$$server" && kill -TERM -- "-$$server" 2>/dev/null; \
		alive "$$worker" && kill -TERM "$$worker" 2>/dev/null; \
		if ! settle "$$worker" 20; then \
			echo "The worker is still busy: cold shutdown (its running job is queued again)"; \
			kill -QUIT "$$worker" 2>/dev/null; settle "$$worker" 10; \
		fi; \
		settle "$$server" 5; \
		for group in $$server $$worker; do \
			alive "$$group" && echo "Killing what is left of process group $$group" && \
				kill -KILL -- "-$$group" 2>/dev/null; \
		done; \
		wait; exit "$$1"; \
	}; \
	trap 'stop 130' INT; trap 'stop 143' TERM; trap 'stop $$?' EXIT; \
	set -m; \
	$(BIN)/celery -A coordination worker --beat --concurrency=2 --loglevel=INFO \
		--without-gossip --without-mingle --without-heartbeat & worker=$$!; \
	$(BIN)/python manage.py runserver $(HOST) & server=$$!; \
	set +m; wait "$$server"

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
