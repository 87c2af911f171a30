# Two commands matter: `make run` (a working demo) and `make test` (the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app portal
export PORTAL_ENV ?= development

.PHONY: run install migrate seed serve test lint clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) portal seed-demo

run: seed
	$(FLASK) run --host 127.0.0.1 --port 5000

serve: install
	PORTAL_ENV=production $(VENV)/bin/gunicorn --workers 2 --bind 127.0.0.1:8000 'portal:create_app()'

test: install
	PORTAL_ENV=testing $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check portal tests migrations

clean:
	rm -rf $(VENV) instance/*.db instance/mail
