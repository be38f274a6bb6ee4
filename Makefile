# The two commands of the README: `make demo` (the main job on an embedded default) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup demo test lint bench migrate dist clean up down

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml odoo_test_server/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The package editable (odoo_sync only), the loopback test server (its own distribution) and the tools.
	$(PY) -m pip install --quiet -c constraints.txt -r requirements-dev.txt -e .
	touch $(STAMP)

setup: $(STAMP)
	./scripts/ensure-postgres.sh

demo: setup
	$(PY) -m scripts.demo

# Two workers, each running its group serially (tests/conftest.py): the wait-dominated live-Airflow tests beside
# the rest. A plain `pytest path` runs serially in one process.
test: setup
	$(PY) -m pytest -n 2 --dist loadgroup

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

# The release: sdist and wheel in dist/ (the wheel is odoo_sync alone; tests/install installs and runs it).
dist: setup
	rm -rf dist
	$(PY) -m build --outdir dist .

clean:
	rm -rf $(VENV) .airflow .pytest_cache .mypy_cache .ruff_cache dist
