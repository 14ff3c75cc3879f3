#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine that has only python3:
#   bash setup.sh app [--demo] [primedist args...]   set up, then start the app
#   bash setup.sh test [pytest args...]              set up, then run the whole test suite
# Set-up = the system libraries Qt needs (installed when run as root, named otherwise),
# a virtualenv in .venv, and the package with its test extras. Repeated runs are quick.
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

missing_packages() {
  command -v dpkg-query >/dev/null || return 0
  local pkg
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_system_packages() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
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

python_env() {
  local stamp=.venv/.primedist-installed hash
  hash=$(sha256sum pyproject.toml | cut -c1-16)
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
    echo "setup: installing Python packages into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test]"
    echo "$hash" > "$stamp"
  fi
}

cmd=${1:-}
shift || true
case "$cmd" in
  app)
    install_system_packages
    python_env
    exec .venv/bin/primedist "$@"
    ;;
  test)
    install_system_packages
    python_env
    export QT_QPA_PLATFORM=offscreen
    echo "== ruff"; .venv/bin/ruff check .
    echo "== mypy"; .venv/bin/mypy
    echo "== pytest"; exec .venv/bin/pytest -q "$@"
    ;;
  *)
    echo "usage: bash setup.sh app [--demo] | bash setup.sh test" >&2
    exit 2
    ;;
esac
