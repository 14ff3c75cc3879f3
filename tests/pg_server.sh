#!/usr/bin/env bash
# Start (or reuse) a throwaway local PostgreSQL for the test suite and print its URL.
#
#   tests/pg_server.sh [start] [DATA_DIR]   initdb DATA_DIR if missing, start, create the db
#   tests/pg_server.sh stop [DATA_DIR]      stop the server (leaves DATA_DIR on disk)
#   tests/pg_server.sh url [DATA_DIR]       print the URL only
#
# Idempotent: running `start` again with the server up only makes sure the database exists.
# Only the URL goes to stdout, so a CI script can do
#   export PRIMEDIST_TEST_DATABASE_URL="$(tests/pg_server.sh start /tmp/primedist-pg)"
#
# Environment (all optional):
#   PG_PORT  (55432)            PG_DB (primedist_test)     PG_SUPERUSER (postgres)
#   PG_BIN   (dir holding initdb/pg_ctl; default: PATH, then /usr/lib/postgresql/*/bin)
#   PG_OS_USER (postgres)       when run as root, the server runs as this OS user
#
# The server trusts every local connection and listens on 127.0.0.1 only: tests only.
# As root, DATA_DIR and its parents must be reachable by PG_OS_USER (/tmp is fine).
set -euo pipefail

cmd="start"
case "${1:-}" in
    start | stop | url) cmd="$1"; shift ;;
esac
DATA_DIR="${1:-${PG_DATA_DIR:-/tmp/primedist-pg}}"
PORT="${PG_PORT:-55432}"
DB="${PG_DB:-primedist_test}"
SUPERUSER="${PG_SUPERUSER:-postgres}"
URL="postgresql+psycopg://${SUPERUSER}@127.0.0.1:${PORT}/${DB}"

log() { echo "pg_server: $*" >&2; }

find_bin() {
    local name="$1" dir
    if [[ -n "${PG_BIN:-}" && -x "${PG_BIN}/${name}" ]]; then
        echo "${PG_BIN}/${name}"
        return
    fi
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        if [[ -x "${dir}/${name}" ]]; then
            echo "${dir}/${name}"
            return
        fi
    done
    log "cannot find ${name}: install PostgreSQL or set PG_BIN"
    exit 1
}

# PostgreSQL refuses to run as root: drop to an unprivileged user when we are root.
as_pg=()
if [[ "$(id -u)" -eq 0 ]]; then
    os_user="${PG_OS_USER:-postgres}"
    if ! id "$os_user" >/dev/null 2>&1; then
        log "creating OS user ${os_user} to run the server"
        useradd --system --no-create-home --shell /usr/sbin/nologin "$os_user"
    fi
    as_pg=(runuser -u "$os_user" --)
fi

if [[ "$cmd" == "url" ]]; then
    echo "$URL"
    exit 0
fi

PG_CTL="$(find_bin pg_ctl)"

running() {
    [[ -f "${DATA_DIR}/PG_VERSION" ]] && "${as_pg[@]}" "$PG_CTL" -D "$DATA_DIR" status >/dev/null 2>&1
}

if [[ "$cmd" == "stop" ]]; then
    if running; then
        "${as_pg[@]}" "$PG_CTL" -D "$DATA_DIR" -m fast -w stop >&2
    else
        log "not running (${DATA_DIR})"
    fi
    exit 0
fi

if [[ ! -f "${DATA_DIR}/PG_VERSION" ]]; then
    INITDB="$(find_bin initdb)"
    mkdir -p "$DATA_DIR"
    if [[ ${#as_pg[@]} -gt 0 ]]; then
        chown "${PG_OS_USER:-postgres}" "$DATA_DIR"
    fi
    chmod 700 "$DATA_DIR"
    log "initdb ${DATA_DIR}"
    "${as_pg[@]}" "$INITDB" -D "$DATA_DIR" -U "$SUPERUSER" --auth=trust \
        --encoding=UTF8 --no-locale >&2
fi

if running; then
    log "already running (${DATA_DIR})"
else
    log "starting on 127.0.0.1:${PORT}"
    # Unix socket in the data dir: /var/run/postgresql may not exist or be writable.
    "${as_pg[@]}" "$PG_CTL" -D "$DATA_DIR" -l "${DATA_DIR}/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p ${PORT} -k ${DATA_DIR} -c fsync=off" start >&2
fi

# Create the database unless it exists (psql if available, else psycopg from the venv).
if command -v psql >/dev/null 2>&1; then
    psql_cmd=(psql -X -q -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres -v ON_ERROR_STOP=1)
    exists="$("${psql_cmd[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB}'")"
    if [[ "$exists" != "1" ]]; then
        log "creating database ${DB}"
        "${psql_cmd[@]}" -c "CREATE DATABASE \"${DB}\"" >&2
    fi
else
    PYTHON="${PYTHON:-$(dirname "$0")/../.venv/bin/python}"
    "$PYTHON" - "$PORT" "$SUPERUSER" "$DB" <<'PY' >&2
import sys

import psycopg

port, user, db = sys.argv[1:4]
with psycopg.connect(host="127.0.0.1", port=port, user=user, dbname="postgres", autocommit=True) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone() is None:
        conn.execute(f'CREATE DATABASE "{db}"')
PY
fi

echo "$URL"
