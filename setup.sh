#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine that has only python3:
#   bash setup.sh app [--demo] [primedist args...]   set up, then start the app
#   bash setup.sh test [pytest args...]              set up, then run the whole test suite
# Set-up = the system libraries Qt needs (installed when run as root, named otherwise),
# a virtualenv in .venv, and the package with its test and postgres extras. Repeated runs
# are quick. `test` runs the whole suite on SQLite (with the pytest args) and, beside it,
# the store, service, sync and job tests again on a throwaway PostgreSQL
# (tests/pg_server.sh); without PostgreSQL that second pass is skipped with a note, except
# in CI (CI=true), where it fails.
set -euo pipefail
cd "$(dirname "$0")"

# Qt's xcb/offscreen platforms, fonts with Vietnamese glyphs, python3-venv, and printing.
SYSTEM_PACKAGES=(
  python3-venv libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-shape0 libxcb-image0 libxcb-render-util0 libxcb-randr0 libxcb-xfixes0
  libxcb-xkb1 libxrender1 libx11-xcb1 fonts-noto-core
  # Printing: CUPS (Qt's print plugin links libcups; the tests start cupsd with a capture
  # queue) and poppler's pdftotext/pdfinfo to read printed PDFs back.
  cups cups-client poppler-utils
)
# The test command's second pass runs on a local PostgreSQL server (Debian's postgresql
# brings postgresql-client: pg_dump and pg_restore, which the backup tests run).
TEST_SYSTEM_PACKAGES=(postgresql zbar-tools)
#: The tests that run on PostgreSQL too (everything that touches the store).
PG_TESTS=(tests/db tests/services tests/pg tests/jobs)
#: The Qt-driven tests that run on PostgreSQL too, in a process of their own (as on SQLite).
PG_QT_TESTS=(tests/ui/settings/test_backup_on_server.py)

missing_packages() {
  command -v dpkg-query >/dev/null || return 0
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_system_packages() {
  local missing
  missing=$(missing_packages "$@" | tr '\n' ' ')
  [ -z "${missing// }" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: $missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "setup: please install these system packages (as root): apt-get install $missing" >&2
  fi
}

EXTRAS="test,postgres"

python_env() {
  local stamp=.venv/.primedist-installed hash
  hash=$( (cat pyproject.toml; echo "$EXTRAS") | sha256sum | cut -c1-16)
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
    echo "setup: installing Python packages into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[$EXTRAS]"
    echo "$hash" > "$stamp"
  fi
}

have_postgresql() {
  command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1
}

# The PostgreSQL pass: a throwaway server (stopped and deleted on exit), PG_TESTS on it.
pg_pass() {
  if ! have_postgresql; then
    if [ "${CI:-}" = true ]; then
      echo "setup: CI needs PostgreSQL for the second test pass: apt-get install postgresql" >&2
      return 1
    fi
    echo "== pytest on PostgreSQL: skipped (PostgreSQL is not installed: apt-get install postgresql)"
    return 0
  fi
  PG_DIR=$(mktemp -u /tmp/primedist-test-pg.XXXXXX)
  trap 'tests/pg_server.sh stop "$PG_DIR" >/dev/null 2>&1; rm -rf "$PG_DIR"' EXIT
  local url rc=0 started=$SECONDS
  url=$(tests/pg_server.sh start "$PG_DIR" 2>"$PG_DIR.log") || { cat "$PG_DIR.log" >&2; return 1; }
  rm -f "$PG_DIR.log"
  echo "== pytest on PostgreSQL (${PG_TESTS[*]})"
  # (set -e does not act inside a function called from `||`: keep pytest's status.)
  PRIMEDIST_TEST_DATABASE_URL="$url" .venv/bin/pytest -q -p no:cacheprovider \
    --basetemp="$PG_DIR-tmp" "${PG_TESTS[@]}" || rc=$?
  echo "== pytest on PostgreSQL (${PG_QT_TESTS[*]})"
  PRIMEDIST_TEST_DATABASE_URL="$url" .venv/bin/pytest -q -p no:cacheprovider \
    --basetemp="$PG_DIR-tmp-qt" "${PG_QT_TESTS[@]}" || rc=$?
  rm -rf "$PG_DIR-tmp" "$PG_DIR-tmp-qt"
  echo "== PostgreSQL pass: $((SECONDS - started)) s"
  return "$rc"
}

cmd=${1:-}
shift || true
case "$cmd" in
  app)
    install_system_packages "${SYSTEM_PACKAGES[@]}"
    python_env
    exec .venv/bin/primedist "$@"
    ;;
  test)
    install_system_packages "${SYSTEM_PACKAGES[@]}" "${TEST_SYSTEM_PACKAGES[@]}"
    python_env
    export QT_QPA_PLATFORM=offscreen
    echo "== ruff"; .venv/bin/ruff check .
    echo "== mypy"; .venv/bin/mypy
    status=0
    # The two passes run side by side (two cores: about 20 min instead of 30); the
    # PostgreSQL pass's output follows the SQLite pass's.
    pg_log=$(mktemp /tmp/primedist-pg-pass.XXXXXX)
    pg_pass >"$pg_log" 2>&1 &
    pg_pid=$!
    if [ $# -eq 0 ]; then
      # The Qt-driven tests (tests/ui, tests/printing) in a process of their own: in one
      # process after the ~1,600 others, one of them twice met a segfault inside Qt's
      # QMainWindow constructor (not reproduced alone, nor under gdb; see the README).
      echo "== pytest (all but the Qt-driven tests)"
      .venv/bin/pytest -q --ignore=tests/ui --ignore=tests/printing || status=$?
      echo "== pytest (the Qt-driven tests: tests/printing, tests/ui)"
      .venv/bin/pytest -q tests/printing tests/ui || status=$?
    else
      echo "== pytest"; .venv/bin/pytest -q "$@" || status=$?
    fi
    wait "$pg_pid" || status=$?
    cat "$pg_log"; rm -f "$pg_log"
    exit "$status"
    ;;
  *)
    echo "usage: bash setup.sh app [--demo] | bash setup.sh test" >&2
    exit 2
    ;;
esac
