# Two commands on a fresh machine: `make run` (app on embedded defaults) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 4

.PHONY: install sysdeps run serve migrate test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian tools (ffmpeg, sox, espeak-ng); a no-op when present.
sysdeps:
	./scripts/system-deps.sh

# Migrates, ensures the demo org "Demo ApS" and its admin (login printed), serves.
run: sysdeps $(STAMP)
	$(BIN)/ivr-designer run --demo --host $(HOST) --port $(PORT)

# Production-style: migrations are explicit, gunicorn serves wsgi:app.
migrate: $(STAMP)
	$(BIN)/ivr-designer db upgrade

serve: $(STAMP)
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) wsgi:app

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: sysdeps $(STAMP)
	$(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

test: lint pytest

bench: $(STAMP)
	$(BIN)/python bench/validate_scale.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
