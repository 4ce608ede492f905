# `make run` and `make test` each set up everything they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
REDIS_SERVER := /usr/bin/redis-server

.PHONY: run test setup setup-test browser redis lint bench

# make run PORT=8001 (or CONVLENS_PORT=8001 make run) serves on another port.
run: setup
	$(BIN)/convlens serve $(if $(PORT),--port $(PORT))

test: setup-test browser redis
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium first: sudo apt-get install chromium" >&2; exit 1; fi; }

# The scaled-out queue's tests start Debian's redis-server themselves (skipped without it).
redis:
	@test -x $(REDIS_SERVER) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; \
	  else echo "No redis-server: the Redis queue tests will be skipped (sudo apt-get install redis-server)" >&2; fi; }

bench: setup-test
	$(BIN)/python bench/convolution.py
	$(BIN)/python bench/endpoint.py
	$(BIN)/python bench/models.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/import_model.py
	$(BIN)/python bench/explain.py
	$(BIN)/python bench/training.py
