#!/usr/bin/env bash
# Load test of the live site on loopback, as deployed (scripts/serve-production.sh): nginx serving the
# public pages from the static copy, in front of gunicorn with the production settings (HTTPS
# enforced, as in production; wrk sends X-Forwarded-Proto: https as a TLS proxy would). It waits
# until the task worker has brought the static copy up to date and has nothing else to do, checks the
# pages come from the copy, then runs wrk for ${DURATION:-30s} with ${CONNECTIONS:-50} connections
# over the home page, a case study and a news release: once against nginx, once against gunicorn
# directly (every page rendered by Django, as before nginx). Writes both into the
# "## Live site under load" section of docs/performance.md.
# The database is DATABASE_URL's (SQLite by default); the demo content is loaded first.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-50}"
TIMEOUT="${TIMEOUT:-10s}"
THREADS="${THREADS:-$(nproc)}"
PORT="${PORT:-8001}"
DJANGO_PORT="${DJANGO_PORT:-$((PORT + 1))}"
export WRK_PATHS="/ /case-studies/using-e-learning-to-tackle-loneliness-in-students/ /news/new-nhs-training-aims-to-address-loneliness-and-social-isolation/"
export PATH="$PATH:/usr/sbin"

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "wrk is missing. Install it with: sudo apt-get install -y wrk" >&2
        exit 1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
./scripts/install-nginx.sh

# localhost: the demo Site's host name, for which the worker renders the static copy's pages.
export DJANGO_SETTINGS_MODULE=cms.settings.production ALLOWED_HOSTS=127.0.0.1,localhost PORT DJANGO_PORT
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py load_demo_content >/dev/null

LOG="$(mktemp)"
ACCESS_LOG=/dev/null ./scripts/serve-production.sh >"$LOG" 2>&1 &
SERVER=$!
stop() {
    status=$?
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    rm -f "$LOG"
    exit "$status"
}
trap stop EXIT
fail() {
    echo "$1; server log:" >&2
    cat "$LOG" >&2
    exit 1
}
for _ in $(seq 120); do
    curl -fs -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$DJANGO_PORT/" && break
    sleep 1
done
# The copy's update (and, the first time, the first snapshot start_archiving queues) must be over:
# the worker would otherwise share the CPUs with the measurement.
.venv/bin/python manage.py wait_for_static_copy --idle --timeout "${COPY_TIMEOUT:-900}" || fail "The static copy is not ready"
COPY="$(.venv/bin/python manage.py shell -c "from static_export.models import StaticPublishing; print(StaticPublishing.objects.first().folder_path())" 2>/dev/null | tail -1)"
for path in $WRK_PATHS; do
    [ -f "$COPY${path}index.html" ] || fail "$COPY${path}index.html is missing from the static copy"
    # Only nginx serving a file of the copy sends Cache-Control: no-cache with a page.
    headers="$(curl -s -D - -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT$path")"
    grep -q "^HTTP/1.1 200" <<<"$headers" || fail "nginx answered $path with: $(head -1 <<<"$headers")"
    grep -qi "^Cache-Control: no-cache" <<<"$headers" || fail "nginx did not answer $path from the static copy"
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-Proto: https" "http://127.0.0.1:$DJANGO_PORT$path")"
    [ "$status" = 200 ] || fail "gunicorn answered $path with $status, not 200"
done

# wrk gives up on a response after 2 s by default and counts it as a socket error; a visitor waits longer.
run_wrk() {
    wrk --latency --timeout "$TIMEOUT" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s scripts/load-test.lua "$1"
}
LOAD_BEFORE_STATIC="$(cut -d' ' -f1-3 /proc/loadavg)"
RESULT_STATIC="$(run_wrk "http://127.0.0.1:$PORT")"
echo "Static copy (nginx):"
echo "$RESULT_STATIC"
sleep 5
LOAD_BEFORE_DJANGO="$(cut -d' ' -f1-3 /proc/loadavg)"
RESULT_DJANGO="$(run_wrk "http://127.0.0.1:$DJANGO_PORT")"
echo "Django (gunicorn):"
echo "$RESULT_DJANGO"
WORKERS="$(grep -c "Booting worker" "$LOG" || true)"
NGINX_WORKERS="$(pgrep -c -P "$(cat "${NGINX_RUN_DIR:-$PWD/.run/nginx}/nginx.pid")" || true)"
NGINX_VERSION="$(nginx -v 2>&1 | sed 's/^nginx version: //')"
DATABASE="$(.venv/bin/python manage.py shell -c "from django.db import connection as c; cur = c.cursor(); cur.execute('select version()' if c.vendor == 'postgresql' else 'select sqlite_version()'); print(c.vendor, cur.fetchone()[0].split(' on ')[0])" 2>/dev/null | tail -1)"

RESULT_STATIC="$RESULT_STATIC" RESULT_DJANGO="$RESULT_DJANGO" LOAD_BEFORE_STATIC="$LOAD_BEFORE_STATIC" \
    LOAD_BEFORE_DJANGO="$LOAD_BEFORE_DJANGO" WORKERS="$WORKERS" NGINX_WORKERS="$NGINX_WORKERS" \
    NGINX_VERSION="$NGINX_VERSION" DATABASE="$DATABASE" DURATION="$DURATION" CONNECTIONS="$CONNECTIONS" \
    TIMEOUT="$TIMEOUT" THREADS="$THREADS" .venv/bin/python scripts/load_test_report.py docs/performance.md
