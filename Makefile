# Newsroom: the project's vocabulary. `make run` to see the site, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links the site prints and serves (logins, canonical, feeds, Open Graph) follow the dev server's address;
# a wildcard HOST is reached on this machine as 127.0.0.1. Set SITE_URL to override.
SITE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
export SITE_URL

.PHONY: run worker test lint format migrate demo admin bench bench-import soak clean help

help:
	@echo "make run    set everything up and serve $(SITE_URL) (HOST=... PORT=... to change)"
	@echo "make worker run the task worker alone (mail and alerts; make run starts one)"
	@echo "make test   install test dependencies and run the whole suite"
	@echo "make lint   ruff check and format check"
	@echo "make bench  performance benchmark (see docs/performance.md)"
	@echo "make bench-import  Jekyll import benchmark (see docs/import.md)"
	@echo "make soak   64 connections with an editor publishing; then under cache busting; then Redis stopped"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo
	@# Photo renditions are named after their spec: after an upgrade that changes one, make the missing ones.
	$(PY) manage.py generateimages >/dev/null

admin: migrate
	$(PY) manage.py ensure_admin

# The task worker (readers' mail and alerts) runs in the background and stops with the server.
run: demo admin
	@echo "Serving $(SITE_URL)/ (admin at $(SITE_URL)/admin/) with a task worker. Stop with Ctrl-C."
	@$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: migrate
	$(PY) manage.py db_worker

test: $(VENV)/.dev
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/run.py $(BENCH_ARGS)

bench-import: $(VENV)/.runtime
	$(PY) bench/import_bench.py --count $(or $(COUNT),10000)

soak: $(VENV)/.runtime
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	@command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server)
	$(PY) bench/soak.py $(if $(DURATION),--duration $(DURATION)) $(if $(ATTACK_RATE),--attack-rate $(ATTACK_RATE))

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
