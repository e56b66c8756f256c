# Newsroom: `make run` (demo site on SQLite) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint check clean bench worker scheduler axe

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# axe-core for the accessibility test (tests/test_browser_axe.py), from npm into
# build/axe (git-ignored; never committed). The test injects this file into each page.
AXE_VERSION := 4.11.0
AXE_JS := build/axe/node_modules/axe-core/axe.min.js
$(AXE_JS):
	npm install --prefix build/axe --no-audit --no-fund --silent axe-core@$(AXE_VERSION)

axe: $(AXE_JS)

# The demo site: SQLite, local-memory cache, demo content and an editor login;
# background jobs run in the web process when their transaction commits (eager).
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo_content
	@echo "Newsroom is at http://$(HOST):$(PORT)/"
	DEBUG=1 $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

# Production-style background processes (README, "Jobs"): set JOBS_BROKER_URL first.
worker: install
	$(BIN)/celery -A jobs worker -l info

scheduler: install
	$(BIN)/celery -A jobs beat -l info --schedule /tmp/newsroom-celerybeat-schedule

# SQLite by default; set DATABASE_URL=postgres://... to run on PostgreSQL.
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	SECRET_KEY=check-only $(BIN)/python manage.py check
	SECRET_KEY=check-only $(BIN)/python manage.py makemigrations --check --dry-run

# The page benchmark (issue 6): PostgreSQL, Redis, gunicorn and wrk; see bench/README.md.
# Options: make bench BENCH_ARGS="--articles 20000 --quick"; --survival adds bench/survival.py
# (the share of cached pages that survive a publication; issue 16).
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
