#!/usr/bin/env bash
# Installs Debian's PostgreSQL if missing, starts its cluster on 127.0.0.1 only, and makes sure a
# role and database exist for this project (the role may create databases: pytest-django makes
# test_<name>). Safe to run again. Prints the DATABASE_URL on stdout; everything else goes to stderr.
#
# The role's password is generated on first run and kept outside the repository, in
# ${WELLBEING_PG_PASSWORD_FILE:-~/.config/wellbeing/postgres-password} (mode 600).
set -euo pipefail
DB_NAME="${WELLBEING_PG_DB:-wellbeing}"
DB_ROLE="${WELLBEING_PG_ROLE:-wellbeing}"
PASSWORD_FILE="${WELLBEING_PG_PASSWORD_FILE:-$HOME/.config/wellbeing/postgres-password}"

if [ "$(id -u)" -ne 0 ]; then
    echo "Run as root (it installs and starts the PostgreSQL server): sudo $0" >&2
    exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "Installing PostgreSQL from Debian's packages..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
    pg_createcluster "$VERSION" main >&2
fi
# Loopback only: nothing outside this machine can reach the server.
CONF_DIR="/etc/postgresql/$VERSION/main/conf.d"
if [ ! -f "$CONF_DIR/wellbeing.conf" ]; then
    mkdir -p "$CONF_DIR"
    echo "listen_addresses = '127.0.0.1'" >"$CONF_DIR/wellbeing.conf"
    pg_ctlcluster "$VERSION" main restart >&2 || true  # a running server picks the setting up now
fi
PORT="$(pg_conftool -s "$VERSION" main show port)"
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    pg_ctlcluster "$VERSION" main start >&2
fi
for _ in $(seq 30); do
    pg_isready -q -h 127.0.0.1 -p "$PORT" && break
    sleep 1
done
pg_isready -h 127.0.0.1 -p "$PORT" >&2

if [ ! -s "$PASSWORD_FILE" ]; then
    mkdir -p "$(dirname "$PASSWORD_FILE")"
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$PASSWORD_FILE")
fi
PASSWORD="$(cat "$PASSWORD_FILE")"

psql_admin() { runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE'")" ]; then
    psql_admin -c "CREATE ROLE \"$DB_ROLE\" LOGIN CREATEDB" >&2
fi
psql_admin -c "ALTER ROLE \"$DB_ROLE\" LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
    psql_admin -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_ROLE\"" >&2
fi

echo "postgres://$DB_ROLE:$PASSWORD@127.0.0.1:$PORT/$DB_NAME"
