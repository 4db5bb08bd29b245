#!/usr/bin/env bash
# Load test of the live site on loopback: gunicorn with the production settings (HTTPS enforced, as in
# production; wrk sends X-Forwarded-Proto: https as a TLS proxy would), then wrk for ${DURATION:-30s}
# with ${CONNECTIONS:-50} connections over the home page, a case study and a news release.
# Writes the results into the "## Live site under load" section of docs/performance.md.
# The database is DATABASE_URL's (SQLite by default); the demo content is loaded first.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-50}"
TIMEOUT="${TIMEOUT:-10s}"
THREADS="${THREADS:-$(nproc)}"
PORT="${PORT:-8001}"
export WRK_PATHS="/ /case-studies/using-e-learning-to-tackle-loneliness-in-students/ /news/new-nhs-training-aims-to-address-loneliness-and-social-isolation/"

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "wrk is missing. Install it with: sudo apt-get install -y wrk" >&2
        exit 1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

export DJANGO_SETTINGS_MODULE=cms.settings.production ALLOWED_HOSTS=127.0.0.1 PORT
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py load_demo_content >/dev/null

LOG="$(mktemp)"
ACCESS_LOG=/dev/null ./scripts/serve-production.sh >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 60); do
    curl -fs -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/" && break
    sleep 1
done
for path in $WRK_PATHS; do
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT$path")"
    if [ "$status" != 200 ]; then
        echo "$path answered $status, not 200; server log:" >&2
        cat "$LOG" >&2
        exit 1
    fi
done

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
# wrk gives up on a response after 2 s by default and counts it as a socket error; a visitor waits longer.
RESULT="$(wrk --latency --timeout "$TIMEOUT" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s scripts/load-test.lua "http://127.0.0.1:$PORT")"
echo "$RESULT"
WORKERS="$(grep -c "Booting worker" "$LOG" || true)"
DATABASE="$(.venv/bin/python manage.py shell -c "from django.db import connection as c; cur = c.cursor(); cur.execute('select version()' if c.vendor == 'postgresql' else 'select sqlite_version()'); print(c.vendor, cur.fetchone()[0].split(' on ')[0])" 2>/dev/null | tail -1)"

RESULT="$RESULT" LOAD_BEFORE="$LOAD_BEFORE" WORKERS="$WORKERS" DATABASE="$DATABASE" DURATION="$DURATION" CONNECTIONS="$CONNECTIONS" TIMEOUT="$TIMEOUT" \
    THREADS="$THREADS" .venv/bin/python scripts/load_test_report.py docs/performance.md
