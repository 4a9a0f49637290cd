# The two commands in README.md: `make run` and `make test`. Everything else supports them.
VENV := .venv
PYTHON := $(VENV)/bin/python
PIP := $(PYTHON) -m pip install --quiet --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is the local development server: DEBUG on, SQLite under var/ unless DATABASE_URL says otherwise.
RUN_ENV := DEBUG=true

.PHONY: run serve edge test bench loadtest lint format install vnu icons lighthouse

run: $(VENV)/.installed var/secret_key
	$(RUN_ENV) $(PYTHON) manage.py migrate --noinput
	$(RUN_ENV) $(PYTHON) manage.py rerender
	@$(RUN_ENV) $(PYTHON) manage.py ensure_admin --url http://$(HOST):$(PORT)/admin/
	@echo "Site: http://$(HOST):$(PORT)/   (Ctrl-C stops the server)"
	$(RUN_ENV) $(PYTHON) manage.py runserver $(HOST):$(PORT)

# The production stack: gunicorn (WEB_CONCURRENCY workers, 2 by default) with whitenoise,
# DEBUG off, settings from the environment (DATABASE_URL, REDIS_URL, SECRET_KEY, ...).
# Over plain HTTP on a laptop: SECURE_SSL_REDIRECT=false make serve
serve: $(VENV)/.installed var/secret_key
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0
	$(PYTHON) manage.py migrate --noinput
	$(VENV)/bin/gunicorn mgsite.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} \
		--no-control-socket --access-logfile -

# Varnish in front of `make serve` (run that first, in another terminal): an HTTP cache that
# keeps visitors' pages until the app purges them (deploy/varnish/default.vcl). Needs Debian's
# varnish and varnish-modules (apt-get install varnish varnish-modules). Its working files
# go under var/varnish, so it needs no root; the backend is HOST:PORT, written to
# var/edge/site.vcl, which is found before deploy/varnish/site.vcl on vcl_path.
EDGE_PORT ?= 6081
EDGE_MEMORY ?= 256m
edge:
	@command -v varnishd >/dev/null || { echo "varnishd not found: apt-get install varnish varnish-modules"; exit 1; }
	@mkdir -p var/edge var/varnish
	@printf 'backend default {\n    .host = "%s";\n    .port = "%s";\n}\nacl purgers {\n    "127.0.0.1";\n    "::1";\n}\n' \
		'$(HOST)' '$(PORT)' > var/edge/site.vcl
	@echo "Varnish: http://$(HOST):$(EDGE_PORT)/ in front of http://$(HOST):$(PORT)/ (make serve)."
	@echo "For the app to purge it: EDGE_CACHE_URLS=http://$(HOST):$(EDGE_PORT) make serve"
	@echo "Hits and misses: varnishstat -n $(abspath var/varnish) -1 -f MAIN.cache_hit -f MAIN.cache_miss"
	@echo "(Ctrl-C stops it.)"
	varnishd -F -n $(abspath var/varnish) -a $(HOST):$(EDGE_PORT) -f $(abspath deploy/varnish/default.vcl) \
		-p vcl_path=$(abspath var/edge):$(abspath deploy/varnish) -s malloc,$(EDGE_MEMORY)

test: lint var/secret_key
	$(VENV)/bin/pytest

# Speed against a static file, at 10, 1,000 and 10,000 articles (needs wrk: apt-get install wrk).
# BENCH_ARGS="--smoke" for a quick check, or "--database-url ... --redis-url ..." for production.
bench: $(VENV)/.installed var/secret_key
	$(PYTHON) -m bench.benchmark $(BENCH_ARGS)

# 64 connections for 60 s while an editor saves and Redis is stopped half way (needs wrk).
loadtest: $(VENV)/.installed var/secret_key
	$(PYTHON) -m bench.loadtest $(LOAD_ARGS)

# ruff, then the import contracts in pyproject.toml (layers, no circles).
lint: $(VENV)/.installed-dev var/secret_key
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(VENV)/.installed

$(PYTHON):
	python3 -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PYTHON)
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(PYTHON)
	$(PIP) -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# The W3C Nu HTML checker for tests/test_html_validity.py (it needs Java: apt-get install -y
# default-jre-headless). Pinned; under var/, which git ignores. Installed again when this
# Makefile (the pin) changes.
VNU_VERSION := 26.9.27
VNU_JAR := var/vnu/node_modules/vnu-jar/build/dist/vnu.jar
vnu: $(VNU_JAR)
$(VNU_JAR): Makefile
	npm install --prefix var/vnu --no-save --no-audit --no-fund --loglevel=error vnu-jar@$(VNU_VERSION)
	touch $@

# The logo, favicons and manifest icons (static/, static/root/favicon.ico), drawn by Pillow from
# the geometry in bench/icons.py. The results are committed; run again after changing it.
icons: $(VENV)/.installed
	$(PYTHON) -m bench.icons

# Lighthouse (npm, pinned to 12: 13 needs Node 22) against a throwaway gunicorn site with
# the system Chromium: home and article, phone and desktop, median of 3 runs
# (bench/lighthouse.py; LIGHTHOUSE_ARGS="--runs 1" for a quick look). Installed under var/.
LIGHTHOUSE_VERSION := 12.8.2
LIGHTHOUSE_BIN := var/lighthouse/node_modules/.bin/lighthouse
lighthouse: $(LIGHTHOUSE_BIN) $(VENV)/.installed var/secret_key
	$(PYTHON) -m bench.lighthouse $(LIGHTHOUSE_ARGS)
$(LIGHTHOUSE_BIN): Makefile
	npm install --prefix var/lighthouse --no-save --no-audit --no-fund --loglevel=error lighthouse@$(LIGHTHOUSE_VERSION)
	touch $@

# A random key for this checkout only; git ignores var/. Production sets SECRET_KEY instead.
var/secret_key:
	@mkdir -p var
	@python3 -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@
