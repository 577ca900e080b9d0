# Two commands: `make run` (demo school on http://127.0.0.1:5000) and `make test` (everything).
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export CLASSROOM_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test lint typecheck pytest pytest-postgres run-deps system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# What `make run` needs (speech); `make test` also needs chromium and postgresql.
run-deps:
	@sh scripts/system-deps.sh run

system-deps:
	@sh scripts/system-deps.sh test

# `make run PORT=5001` serves on another port (links the app prints and emails follow it).
run: export CLASSROOM_BASE_URL ?= http://127.0.0.1:$(PORT)
run: run-deps $(STAMP)
	CLASSROOM_ENV=development $(PY) -m flask --app classroom db upgrade
	CLASSROOM_ENV=development $(PY) -m flask --app classroom demo seed
	CLASSROOM_ENV=development $(PY) -m flask --app classroom worker run & \
	trap 'kill $$!' EXIT INT TERM; \
	CLASSROOM_ENV=development $(PY) -m flask --app classroom run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check classroom tests $(wildcard bench)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(VENV)/bin/pytest -n 2 --dist loadfile --durations=30

# The suite again on a throwaway local PostgreSQL (installed with apt-get if missing, run as the
# postgres user on a unix socket only). Browser and kill -9 tests drive their own SQLite server,
# so they run in the SQLite pass only.
pytest-postgres: $(STAMP)
	bash scripts/postgres-test.sh $(VENV)/bin/pytest -n 2 --dist loadfile \
		--ignore=tests/browser --ignore=tests/reliability -m "not browser"

test: system-deps lint pytest pytest-postgres

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
