# The two commands of the README: `make demo` (the main job on an embedded default) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup demo test lint bench migrate clean up down

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -r requirements-dev.txt -e .
	touch $(STAMP)

setup: $(STAMP)
	./scripts/ensure-postgres.sh

demo: setup
	$(PY) -m scripts.demo

test: setup
	$(PY) -m pytest

# A local Airflow (api-server, scheduler, dag-processor, triggerer; LocalExecutor) with the demo tenant: scripts/local_airflow.py
up: setup
	$(PY) -m scripts.local_airflow up

down:
	$(PY) -m scripts.local_airflow down

lint: setup
	$(VENV)/bin/ruff check odoo_sync odoo_test_server dags plugins tests bench scripts
	$(VENV)/bin/mypy

bench: setup
	$(PY) -m bench.run

migrate: setup
	$(PY) -m odoo_sync.store.migrate

clean:
	rm -rf $(VENV) .airflow .pytest_cache .mypy_cache .ruff_cache
