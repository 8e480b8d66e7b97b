# Minsheng 民生 — the two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
# uv: on PATH, or installed with pip on first use and run as a module.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PEOPLE ?= 20000
DEMO_SEED ?= 1
# Two workers (pytest-xdist; the machine has two cores); `make test PYTEST_ARGS=` runs serially.
# Work stealing keeps both busy to the end (the route matrix is one 40–80 s test per database);
# the slowest tests are listed so the run's length stays in view (CI's budget is 20 minutes).
PYTEST_ARGS ?= -n 2 --dist worksteal --durations=25

.PHONY: run test sync uv assets migrate seed serve lint fmt pytest i18n-extract i18n-update bench clean

run: sync assets migrate seed serve  ## start on SQLite with demo data at http://127.0.0.1:8000

test: sync assets lint pytest  ## the whole suite: lint, types, tests (SQLite, and PostgreSQL when configured)

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
	  python3 -m pip install --quiet --user uv || \
	  python3 -m pip install --quiet --user --break-system-packages uv || \
	  python3 -m pip install --quiet uv

sync: uv
	$(UV) sync --frozen --quiet

VENDOR = src/minsheng/web/static/vendor
# The analyst's charts: only the ECharts modules the bench uses (src/minsheng/web/assets/charts.js),
# bundled by esbuild — 1.14 MB of the whole echarts.min.js was most of the result page's weight.
assets: $(VENDOR)/charts.min.js  ## front-end libraries from npm (build time; never committed)

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the analyst's charts need it (apt-get install npm); tables still work"; fi

$(VENDOR)/charts.min.js: node_modules/.installed src/minsheng/web/assets/charts.js
	@if [ -x node_modules/.bin/esbuild ]; then \
	  mkdir -p $(VENDOR) && \
	  node_modules/.bin/esbuild src/minsheng/web/assets/charts.js --bundle --minify \
	    --format=iife --target=es2017 --legal-comments=none --log-level=warning --outfile=$@ && \
	  cp node_modules/echarts/LICENSE $(VENDOR)/echarts.LICENSE; \
	fi

migrate:
	$(UV) run minsheng db upgrade

seed:
	$(UV) run minsheng demo seed --people $(DEMO_PEOPLE) --seed $(DEMO_SEED) --if-empty
	$(UV) run minsheng demo users --if-missing

serve:
	$(UV) run minsheng serve --host $(HOST) --port $(PORT)

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

fmt:
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

pytest:
	$(UV) run pytest $(PYTEST_ARGS)

i18n-extract:  ## refresh the message template from code and templates
	$(UV) run pybabel extract -F babel.cfg -k N_ --no-location --omit-header -o src/minsheng/locale/messages.pot .

i18n-update: i18n-extract  ## merge new messages into the zh_CN / bo / en catalogues
	$(UV) run pybabel update -i src/minsheng/locale/messages.pot -d src/minsheng/locale -D messages --ignore-obsolete --no-fuzzy-matching --width 100

bench:
	$(UV) run python benchmarks/foundation.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache tests/artifacts
