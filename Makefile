# Two commands on a fresh machine: `make run` (app on embedded defaults) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 4

.PHONY: install sysdeps editor frontend-test run serve migrate test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian tools (ffmpeg, sox, espeak-ng); a no-op when present.
sysdeps:
	./scripts/system-deps.sh

# The web editor (frontend/, Vite + React): node packages from the committed lockfile,
# built into ivr_designer/static/editor; both steps are skipped when up to date.
EDITOR_OUT  = ivr_designer/static/editor/index.html
NODE_STAMP  = frontend/node_modules/.installed
EDITOR_SRC  = $(shell find frontend/src -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts frontend/tsconfig.json

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

$(EDITOR_OUT): $(NODE_STAMP) $(EDITOR_SRC)
	cd frontend && npm run build

editor: $(EDITOR_OUT)

# Type check and Vitest unit tests of the editor.
frontend-test: $(NODE_STAMP)
	cd frontend && npm run typecheck && npm test

# Migrates, ensures the demo org "Demo ApS" and its admin (login printed), serves, and runs
# the scheduled jobs and notification delivery in the same process.
run: sysdeps $(STAMP) editor
	$(BIN)/ivr-designer run --demo --scheduler --host $(HOST) --port $(PORT)

# Production-style: migrations are explicit, gunicorn serves wsgi:app.
migrate: $(STAMP)
	$(BIN)/ivr-designer db upgrade

serve: $(STAMP)
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) wsgi:app

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: sysdeps $(STAMP) editor
	$(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

test: lint frontend-test pytest

bench: $(STAMP)
	$(BIN)/python bench/validate_scale.py

clean:
	rm -rf $(VENV) frontend/node_modules ivr_designer/static/editor .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
