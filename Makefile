# The two set-up commands of README.md: `make run` serves the demo shop, `make test` runs the tests.
# A fresh machine needs only Python 3.11+: uv is installed into var/tools, the environment into .venv.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
VENV_PYTHON := .venv/bin/python

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: run test lint check install soak cluster-check

run: install  ## Migrate, load the demo data and serve on http://127.0.0.1:8000/
	$(VENV_PYTHON) manage.py serve_demo

test: install  ## The whole test suite, one process per core (DATABASE_URL=postgres://... for PostgreSQL)
	$(VENV_PYTHON) -m pytest -n auto --dist worksteal

lint: install  ## What CI checks before the tests
	$(VENV_PYTHON) -m ruff check .
	$(VENV_PYTHON) -m ruff format --check .
	.venv/bin/lint-imports --no-cache
	$(VENV_PYTHON) manage.py makemigrations --check --dry-run
	$(VENV_PYTHON) manage.py check

cluster-check: install  ## The production shape on 127.0.0.1 (deploy/), its journeys and faults: one table
	$(VENV_PYTHON) -m shop.devtools.cluster

# The soak makes its own database on this PostgreSQL server (and drops it) and keys its cache
# entries apart in this Redis (and deletes them): neither's existing data is touched.
SOAK_SECONDS ?= 600
SOAK_WARMUP ?= 60
SOAK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
SOAK_REDIS_URL ?= redis://127.0.0.1:6379/0

soak: install  ## Two app instances, a task worker and orders for SOAK_SECONDS; fails on a missed target
	DATABASE_URL=$(SOAK_DATABASE_URL) REDIS_URL=$(SOAK_REDIS_URL) \
		$(VENV_PYTHON) manage.py soak --seconds $(SOAK_SECONDS) --warmup $(SOAK_WARMUP) $(SOAK_ARGS)

install: $(UV)
	$(UV) sync --frozen --python $(PYTHON) --quiet

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
