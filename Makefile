# Trackbridge. `make run` serves the demo on the embedded default; `make test` runs the
# suite on real PostgreSQL and Redis.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# What `make test` runs against (override for another server).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/trackbridge
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Two pytest workers (xdist), one per core of the reference machine.
TEST_WORKERS ?= 2

.PHONY: install run test lint format migrations-check lock clean bench

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Trackbridge needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

install: $(BIN)/.installed

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	DEBUG=1 DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The benchmark (bench/run.py): its own database, Redis, gunicorn and Celery workers,
# started and stopped by it. BENCH_SCALE=0.1 shrinks the data; results in bench/results.json.
BENCH_SCALE ?= 1
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/trackbridge_bench

bench: install
	BENCH_SCALE=$(BENCH_SCALE) BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Re-pin requirements.lock from pyproject.toml.
lock:
	$(PYTHON) -m venv /tmp/trackbridge-lock && /tmp/trackbridge-lock/bin/pip install --quiet uv
	/tmp/trackbridge-lock/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
