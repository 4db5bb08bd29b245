# The front door. `make run` and `make test` work on a fresh clone with nothing installed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: run test setup migrate demo admin browser nginx npm lint format archive signing-key clean serve-production loadtest test-postgres bench bench-site bench-store

# The site and admin on http://127.0.0.1:8000/ and the workers that run background tasks (snapshots,
# the static copy, its search index), started together by honcho from the Procfile; Ctrl-C stops them. start_archiving turns on the static copy
# (static-site/) unless someone chose otherwise, and queues its first update and a first snapshot.
run: setup demo admin
	$(MANAGE) start_archiving
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -p 8000

test: $(STAMP) $(NPM_STAMP) browser nginx
	$(BIN)/pytest

# Debian's Chromium for the browser tests (installed once; Playwright never downloads a browser).
browser:
	./scripts/install-chromium.sh

# Freeze the site into ./archive (replaced only when the new export is complete), package it (bag, signed
# WACZ, PREMIS record) and add it to the snapshot store (./store, or STATIC_EXPORT_STORE) as the next
# version. The demo content is loaded only into an empty site, so an edit made in the admin between two
# runs is in the second version.
archive: migrate $(NPM_STAMP) signing-key
	$(MANAGE) load_demo_content --with-closure-notice --if-empty
	$(MANAGE) export_archive --output archive --package --store $(if $(BASE_URL),--base-url $(BASE_URL)) $(if $(CONTACT),--contact "$(CONTACT)")

# The organisation's key for signing WACZ files, made once where STATIC_EXPORT_SIGNING_KEY says
# (~/.config/wellbeing/ by default: never in the repository).
signing-key: $(STAMP)
	$(MANAGE) make_signing_key --if-missing

setup: migrate

# Export benchmark (benchmarks/, docs/performance.md): generates bench/bench.sqlite3 once per BENCH_PAGES,
# then times the export (benchmarks/run.py) and publish → live on the static copy (publish_live.py).
# generate_bench_site is a command of the benchmarks app, installed only by benchmarks.settings.
BENCH_PAGES ?= 10000
BENCH := DJANGO_SETTINGS_MODULE=benchmarks.settings
bench: bench-site
	$(BENCH) $(BIN)/python -m benchmarks.run
	$(BENCH) $(BIN)/python -m benchmarks.publish_live

bench-site: $(STAMP) $(NPM_STAMP) browser
	@if [ ! -f bench/generated-$(BENCH_PAGES) ]; then \
		rm -rf bench && mkdir -p bench && \
		$(BENCH) $(MANAGE) migrate --no-input -v0 && \
		$(BENCH) $(MANAGE) generate_bench_site --pages $(BENCH_PAGES) && \
		touch bench/generated-$(BENCH_PAGES); \
	fi

# What a one-page correction adds to the snapshot store, beside a full copy (docs/performance.md).
bench-store: bench-site
	$(BENCH) $(BIN)/python -m benchmarks.store_size

# The quality gates' tools (vnu.jar, axe-core), pinned in package-lock.json; reinstalled only when it
# changes. --ignore-scripts: vnu-jar's install script would download a Java runtime; we use the system's.
npm: $(NPM_STAMP)
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20 (apt-get install nodejs npm)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NPM_STAMP)

# Reinstall only when a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

migrate: $(STAMP)
	$(MANAGE) migrate --no-input

demo: migrate
	$(MANAGE) load_demo_content --with-closure-notice

admin: migrate
	$(MANAGE) ensure_admin

# Production, locally, on http://127.0.0.1:8001/ (scripts/serve-production.sh, Procfile.production): nginx
# serving the public pages from the static copy and sending the rest to gunicorn (cms.settings.production,
# whitenoise) on 127.0.0.1:8002, and the task worker that keeps the copy up to date. Ctrl-C stops all three.
# A SECRET_KEY is generated for the run; DJANGO_INSECURE_LOCAL_HTTP=1 allows plain HTTP on loopback.
serve-production: $(STAMP) nginx
	DJANGO_INSECURE_LOCAL_HTTP=1 ./scripts/serve-production.sh

# Debian's nginx for serve-production and its tests (installed once).
nginx:
	./scripts/install-nginx.sh

# wrk on loopback (30 s, 50 connections) against nginx serving the static copy, and against gunicorn
# rendering every page; writes both into docs/performance.md.
loadtest: $(STAMP) nginx
	./scripts/load-test.sh

# The whole suite again on PostgreSQL (Debian's, started on 127.0.0.1 by scripts/start-postgres.sh).
test-postgres: $(STAMP) browser nginx
	DATABASE_URL="$$(./scripts/start-postgres.sh)" $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules db.sqlite3 media staticfiles archive archive.* archive-report.json build bench test-artifacts static-site static-site-report.json static-site-state.json .run
	@echo "Snapshots (./snapshots), the snapshot store (./store) and the signing key are kept: remove them by hand if you mean to."
