# Two commands matter: `make run` (a working demo) and `make test` (the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app portal
export PORTAL_ENV ?= development

.PHONY: run install migrate seed serve test e2e bench lint clean

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
	PORTAL_ENV=testing $(VENV)/bin/pytest -n 2 --ignore=tests/browser $(PYTEST_ARGS)
	$(MAKE) e2e

# Browser tests (Playwright + Debian's Chromium, axe-core, vnu.jar): one gunicorn and one browser
# in one process, as the HTML check needs every page the journeys saw (tests/browser/conftest.py).
e2e: install node_modules/vnu-jar/build/dist/vnu.jar
	PORTAL_ENV=testing $(VENV)/bin/pytest -p no:xdist tests/browser $(E2E_ARGS)

# The Nu Html Checker; its postinstall script (a Java downloader) is not needed: Java is the system's.
node_modules/vnu-jar/build/dist/vnu.jar: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Throughput and latency against hello-world, memory growth, certificate rendering (needs wrk).
bench: install
	$(PY) benchmarks/run.py $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check portal tests migrations

clean:
	rm -rf $(VENV) instance/*.db instance/mail
