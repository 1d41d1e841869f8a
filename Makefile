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

## Serve the portal with the demo data on http://127.0.0.1:8000
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker with beat beside the server"; \
		trap 'kill 0' EXIT; \
		$(BIN)/celery -A coordination worker --beat --loglevel=INFO & \
		$(BIN)/python manage.py runserver $(HOST); \
	else \
		$(BIN)/python manage.py runserver $(HOST); \
	fi

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
