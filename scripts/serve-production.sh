#!/usr/bin/env bash
# Serves the site the way production does, started by honcho from Procfile.production and stopped by
# Ctrl-C:
#   web     nginx on 127.0.0.1:${PORT:-8001}: the public pages from the static copy, everything else
#           (admin, logins, private pages, queries, POSTs, URLs the copy lacks) from Django
#           (deploy/nginx.conf.template, written into $NGINX_RUN_DIR by `manage.py nginx_config`);
#   django  gunicorn with cms.settings.production on 127.0.0.1:${DJANGO_PORT:-PORT+1}, behind nginx,
#           collected and fingerprinted static files served by whitenoise;
#   worker  the task worker (`manage.py db_worker`), which keeps the static copy up to date.
# `manage.py start_archiving` turns continuous publishing on (unless someone turned it off) and queues
# the copy's first update; until the copy is written nginx sends every request to Django.
#
# For a local run it fills in what a real server's environment provides: a SECRET_KEY generated for
# this run only (never stored) and ALLOWED_HOSTS=127.0.0.1,localhost. DATABASE_URL, SECRET_KEY and
# ALLOWED_HOSTS from the environment win. `make serve-production` also sets DJANGO_INSECURE_LOCAL_HTTP=1
# so a browser can use plain http://127.0.0.1:8001/; without it the site insists on HTTPS (requests
# must arrive with X-Forwarded-Proto: https from a TLS proxy on loopback, as behind a real one).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${PRODUCTION_SETTINGS:-cms.settings.production}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
if [ -z "${SECRET_KEY:-}" ]; then
    SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    export SECRET_KEY
fi
PORT="${PORT:-8001}"
export DJANGO_PORT="${DJANGO_PORT:-$((PORT + 1))}"
export NGINX_RUN_DIR="${NGINX_RUN_DIR:-$PWD/.run/nginx}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-$((2 * $(nproc) + 1))}"
# nginx appends the visitor's address to X-Forwarded-For: login throttling counts by it. Behind a TLS
# terminator that appends too, set 2.
export AXES_IPWARE_PROXY_COUNT="${AXES_IPWARE_PROXY_COUNT:-1}"
# Debian puts nginx in /usr/sbin, which is not on every user's PATH.
export PATH="$PWD/.venv/bin:$PATH:/usr/sbin"
command -v nginx >/dev/null || ./scripts/install-nginx.sh

case "${ACCESS_LOG:--}" in
    -) NGINX_ACCESS_LOG=/dev/stdout ;;
    /dev/null) NGINX_ACCESS_LOG=off ;;
    *) NGINX_ACCESS_LOG="$ACCESS_LOG" ;;
esac

.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/python manage.py start_archiving
.venv/bin/python manage.py nginx_config --listen "127.0.0.1:$PORT" --upstream "127.0.0.1:$DJANGO_PORT" \
    --run-dir "$NGINX_RUN_DIR" --access-log "$NGINX_ACCESS_LOG" >/dev/null
echo "Serving http://127.0.0.1:$PORT/ (nginx: the static copy, and Django with $WEB_CONCURRENCY gunicorn workers on 127.0.0.1:$DJANGO_PORT) and a task worker ($DJANGO_SETTINGS_MODULE)" >&2
exec honcho -f Procfile.production start
