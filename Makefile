# THADS event platform. `make run` brings everything up; `make test` runs every test.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
THADS := $(BIN)/thads

.PHONY: run test test-unit test-integration test-e2e bench down clean distclean venv system-deps bench-deps infra-up infra-down asyncapi schemas

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Debian's docker-compose validates docker-compose.yml (no engine needed); Debian's chromium opens
# every service's /docs headless with the network cut off (tests/integration/test_docs_offline.py).
system-deps:
	@command -v docker-compose >/dev/null || { \
	  echo "installing docker-compose (Debian package) to validate docker-compose.yml"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null) \
	  || echo "WARNING: could not install docker-compose; the compose validation test will fail"; }
	@command -v chromium >/dev/null || { \
	  echo "installing chromium (Debian package) to test the offline /docs pages"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium; the offline docs test will fail"; }

# Debian's wrk (a C load generator) drives the HTTP benchmarks.
bench-deps:
	@command -v wrk >/dev/null || { \
	  echo "installing wrk (Debian package) for the HTTP benchmarks"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	  || { echo "ERROR: could not install wrk"; exit 1; }; }

infra-up: venv
	$(THADS) up --no-services

infra-down:
	@test -x $(THADS) && $(THADS) down || true

run: venv system-deps
	$(THADS) up --demo

down: infra-down

# Tests get their own empty PostgreSQL and Kafka (own folder and ports), so a running `make run`
# stack is never touched and every run starts from nothing. Each of these may be set in the
# environment (or on the make command line), so several checkouts can test at once, e.g.
#   TEST_PG_PORT=55464 TEST_KAFKA_PORT=19540 TEST_CLUSTER_PORT_BASE=39092 make test
TEST_RUN_DIR ?= $(CURDIR)/.run/test
TEST_PG_PORT ?= 55442
TEST_KAFKA_PORT ?= 19392
TEST_CLUSTER_PORT_BASE ?= 29092
TEST_ENV := THADS_RUN_DIR=$(TEST_RUN_DIR) THADS_PG_PORT=$(TEST_PG_PORT) THADS_KAFKA_PORT=$(TEST_KAFKA_PORT) \
	THADS_CLUSTER_PORT_BASE=$(TEST_CLUSTER_PORT_BASE)
define with_test_infra
	@export $(TEST_ENV); $(THADS) clean >/dev/null; $(THADS) up --no-services && \
	  { $(1); status=$$?; $(THADS) down; exit $$status; }
endef

test: venv system-deps
	$(call with_test_infra,$(BIN)/pytest $(PYTEST_ARGS))

test-unit: venv
	$(BIN)/pytest -m "not integration" $(PYTEST_ARGS)

test-integration: venv system-deps
	$(call with_test_infra,$(BIN)/pytest -m integration $(PYTEST_ARGS))

test-e2e: venv
	$(call with_test_infra,$(BIN)/pytest tests/e2e $(PYTEST_ARGS))

BENCH_RUN_DIR ?= $(CURDIR)/.run/bench
BENCH_PG_PORT ?= 55452
BENCH_KAFKA_PORT ?= 19492
BENCH_ENV := THADS_RUN_DIR=$(BENCH_RUN_DIR) THADS_PG_PORT=$(BENCH_PG_PORT) THADS_KAFKA_PORT=$(BENCH_KAFKA_PORT)
bench: venv bench-deps
	@export $(BENCH_ENV); $(THADS) clean >/dev/null; $(THADS) up --no-services && \
	  { $(BIN)/python -m bench.run $(BENCH_ARGS); status=$$?; $(THADS) down; exit $$status; }

asyncapi: venv
	$(BIN)/python -m thads_infra.asyncapi docs/asyncapi

schemas: venv
	$(BIN)/python -m thads_contracts.schema docs/schemas

clean: infra-down
	rm -rf .run .pytest_cache
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .cache
