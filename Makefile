# The front door. `make run` and `make test` work on a fresh clone with nothing installed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: run test setup migrate demo admin browser lint format archive clean

run: setup demo admin
	$(MANAGE) runserver 127.0.0.1:8000

test: $(STAMP) browser
	$(BIN)/pytest

# Debian's Chromium for the browser tests (installed once; Playwright never downloads a browser).
browser:
	./scripts/install-chromium.sh

# Freeze the site into ./archive (replaced only when the new export is complete).
archive: demo
	$(MANAGE) export_archive --output archive $(if $(BASE_URL),--base-url $(BASE_URL))

setup: migrate

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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles archive archive-report.json build
