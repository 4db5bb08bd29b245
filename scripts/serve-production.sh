#!/usr/bin/env bash
# Serves the site the way production does: cms.settings.production, collected and fingerprinted static
# files served by whitenoise, gunicorn on 127.0.0.1:${PORT:-8001}, and the worker that runs background
# tasks (`manage.py db_worker`), both started by honcho from Procfile.production and stopped by Ctrl-C.
#
# For a local run it fills in what a real server's environment provides: a SECRET_KEY generated for
# this run only (never stored) and ALLOWED_HOSTS=127.0.0.1,localhost. DATABASE_URL, SECRET_KEY and
# ALLOWED_HOSTS from the environment win. `make serve-production` also sets DJANGO_INSECURE_LOCAL_HTTP=1
# so a browser can use plain http://127.0.0.1:8001/; without it the site insists on HTTPS (requests
# must arrive with X-Forwarded-Proto: https from a proxy on loopback, as behind a real TLS proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=cms.settings.production
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
if [ -z "${SECRET_KEY:-}" ]; then
    SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    export SECRET_KEY
fi
PORT="${PORT:-8001}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-$((2 * $(nproc) + 1))}"

.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py collectstatic --no-input -v0
echo "Serving http://127.0.0.1:$PORT/ with $WEB_CONCURRENCY gunicorn workers and a task worker (cms.settings.production)" >&2
# honcho gives the first process (web) the port given with -p.
PATH="$PWD/.venv/bin:$PATH" exec .venv/bin/honcho -f Procfile.production start -p "$PORT"
