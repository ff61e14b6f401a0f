# newsite: `make run` serves the site, `make test` runs the whole suite. See README.md.
PYTHON ?= python3
PORT ?= 8000
export PORT
VENV := .venv
# uv from the PATH, or a private copy installed once into .tools/.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
# Bytecode compiled at install: a cold start (migrate, a new worker) then skips compiling
# Django and every library again, 0.7 s here, where PYTHONDONTWRITEBYTECODE is set.
export UV_COMPILE_BYTECODE := 1
MANAGE := $(VENV)/bin/python manage.py

.PHONY: run dev test bench install install-test lint format setup secret clean

run: install setup ## Install, migrate, load seeds, collect static; serve (gunicorn) and run tasks.
	exec bin/serve

dev: install-test ## Development server and a task worker, DEBUG on (auto-reload).
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput -v0
	DJANGO_DEBUG=1 $(MANAGE) createcachetable -v0
	DJANGO_DEBUG=1 $(MANAGE) load_seeds
	exec env DJANGO_DEBUG=1 bin/serve dev

setup: .secret_key
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) createcachetable -v0
	$(MANAGE) load_seeds
	$(MANAGE) collectstatic --noinput -v0

test: install-test .secret_key ## Install test dependencies and run the whole suite.
	$(VENV)/bin/pytest

bench: install-test .secret_key ## Load-test the site under gunicorn (SQLite; or DATABASE_URL + REDIS_URL).
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(VENV)/bin/python -m benchmarks.run $(BENCH_ARGS)

lint: install-test .secret_key
	$(UV) pip check --python $(VENV)/bin/python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(UV)
	$(UV) sync --frozen --no-dev --inexact -q

install-test: $(UV) node_modules/.package-lock.json .venv-interop/installed
	$(UV) sync --frozen -q

# The remote ActivityPub server of the interoperability tests runs bovine, in an environment of
# its own: it is an implementation we did not write, with dependencies of its own.
.venv-interop/installed: tests/federation/interop/requirements.txt
	$(UV) venv -q --allow-existing .venv-interop
	$(UV) pip sync -q --python .venv-interop/bin/python --require-hashes $<
	touch $@

# Test-only checkers: axe-core (accessibility) and the Nu HTML Checker (needs Java).
node_modules/.package-lock.json: package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

secret: .secret_key

# Generated once, never committed: a fresh machine needs no configuration.
.secret_key:
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install -q uv

clean:
	rm -rf $(VENV) .venv-interop .tools node_modules staticfiles test-results
