# The two commands in README.md: `make run` and `make test`. Everything else supports them.
VENV := .venv
PYTHON := $(VENV)/bin/python
PIP := $(PYTHON) -m pip install --quiet --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is the local development server: DEBUG on, SQLite under var/ unless DATABASE_URL says otherwise.
RUN_ENV := DEBUG=true

.PHONY: run test lint format install

run: $(VENV)/.installed var/secret_key
	$(RUN_ENV) $(PYTHON) manage.py migrate --noinput
	@$(RUN_ENV) $(PYTHON) manage.py ensure_admin --url http://$(HOST):$(PORT)/admin/
	@echo "Site: http://$(HOST):$(PORT)/   (Ctrl-C stops the server)"
	$(RUN_ENV) $(PYTHON) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev var/secret_key
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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

# A random key for this checkout only; git ignores var/. Production sets SECRET_KEY instead.
var/secret_key:
	@mkdir -p var
	@python3 -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@
