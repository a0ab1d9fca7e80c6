# Two commands do everything on a fresh machine: `make run` and `make test` (README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Local development runs with DEBUG on unless the caller says otherwise.
DEV_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

.PHONY: messages install browser run serve serve-edge test test-fast lint format check-faults bench bench-import bench-serve bench-scale bench-cache superuser clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# The page checkers (vnu-jar, axe-core) from package-lock.json; --ignore-scripts: vnu-jar's
# postinstall would fetch a Java runtime, and we use the machine's. Without npm the checks skip
# locally and fail under CI=true (tests/browser/conftest.py: require).
NODE_STAMP := node_modules/.installed-stamp
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: the HTML and accessibility checks will be skipped (failed under CI=true)"; fi

# The browser tests drive chromium. When there is none, get one: Debian's package as root (CI, a
# fresh server), else Playwright's own build (a workstation with internet). When neither works,
# install still succeeds, and the test run's first line says the browser tests are skipped and why.
browser: $(STAMP)
	@if $(BIN)/python -m tests.tooling browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null \
	    || echo "apt-get could not install chromium: the browser tests will be skipped"; \
	else \
	  echo "Downloading Playwright's chromium for the browser tests"; \
	  $(BIN)/playwright install chromium \
	    || echo "No chromium could be installed: the browser tests will be skipped"; \
	fi

install: $(STAMP) $(NODE_STAMP) browser

run: install
	$(DEV_ENV) bin/prepare-site
	$(DEV_ENV) bin/together "$(BIN)/python manage.py runserver 127.0.0.1:8000" "$(BIN)/python manage.py publish_worker"

# Production-style serving on one machine: DEBUG off, gunicorn, WhiteNoise for static files, a file
# cache shared by the workers and the import command (CACHE_URL=redis://… to use Redis), media served
# by Django (DJANGO_SERVE_MEDIA=0 behind a proxy that serves MEDIA_ROOT), and the publish worker that
# delivers publish events (bin/together stops both on Ctrl-C). Needs DJANGO_SECRET_KEY.
SERVE_ENV := DJANGO_DEBUG=0 DJANGO_SERVE_MEDIA=$${DJANGO_SERVE_MEDIA:-1} \
	CACHE_URL=$${CACHE_URL:-filecache://$(CURDIR)/var/cache} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1}
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo "Set DJANGO_SECRET_KEY (make serve runs with DEBUG off)"; exit 2; }
	$(SERVE_ENV) bin/prepare-site
	$(SERVE_ENV) bin/together "$(BIN)/gunicorn -c cms/gunicorn.conf.py cms.wsgi" "$(BIN)/python manage.py publish_worker"

# `make serve` with the publishing worker and Varnish in front on 127.0.0.1:${EDGE_PORT:-8080}
# (deploy/serve-edge.sh; README "Edge cache"). Needs DJANGO_SECRET_KEY and varnishd.
serve-edge: install
	$(SERVE_ENV) deploy/serve-edge.sh

# The whole suite, browser tests included (CI runs this).
test: install
	$(BIN)/python -m pytest

# Ruff, configured in pyproject.toml: lint (Django rules, import order) and the formatter's check.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Rewrites files: the formatter, then the safe lint fixes.
format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Load and outage checks against gunicorn on PostgreSQL (127.0.0.1:5432 and a throwaway cluster), and
# the publish pipeline end to end: the worker, webhooks and the shipped Varnish (tests/faults).
check-faults: install
	$(BIN)/python -m pytest -m faults -s

# Without the slow (browser, load) tests.
test-fast: install
	$(BIN)/python -m pytest -m "not slow and not faults"

# Benchmarks (not part of make test): see bench/README.md.
bench: bench-import bench-serve bench-scale bench-cache

bench-serve: install
	bench/serve.sh

bench-import: install
	$(BIN)/python bench/import_bench.py --articles $${ARTICLES:-10000} $(ARGS)

# Every uncached page at 1,000 articles and at N, SQLite and PostgreSQL (BENCH_PG_URL): make
# bench-scale N=20000; ARGS=--keep keeps the built sites and reuses them next time.
bench-scale: install
	$(BIN)/python bench/scale.py --articles $(or $(N),100000) $(ARGS)

# The page cache under a Zipf-distributed reader load over N articles, Redis (BENCH_REDIS_URL) and the
# file cache at two sizes, then single admin edits (bench/README.md): make bench-cache N=20000
bench-cache: install
	$(BIN)/python bench/cache_load.py --articles $(or $(N),100000) $(ARGS)

# Interactive; or non-interactive with DJANGO_SUPERUSER_USERNAME/_EMAIL/_PASSWORD set and ARGS=--noinput.
superuser: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py createsuperuser $(ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# The site's own words: collect them into locale/<language>/LC_MESSAGES/django.po (translate what is
# new there), then compile django.mo, which is committed (needs GNU gettext: apt-get install gettext).
messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l fr --ignore ".venv/*" --ignore "node_modules/*" --ignore "tests/*" --ignore "bench/*"
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l fr --ignore ".venv/*"
