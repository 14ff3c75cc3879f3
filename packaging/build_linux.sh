#!/usr/bin/env bash
# Build the Linux one-folder app (dist/primedist/) and check it with its own --self-test.
#
#   packaging/build_linux.sh            # from the repository root, after setup.sh
#
# Installs PyInstaller into .venv when missing. For the bundled Vietnamese font install
# Debian's fonts-noto-core first (apt install fonts-noto-core); without it the bundle
# uses the fonts of the PC it runs on. Exit code non-zero when the build or the
# self-test fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "no .venv: run setup.sh first" >&2; exit 1; }

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
    echo "Installing PyInstaller into .venv"
    "$PY" -m pip install --quiet "pyinstaller>=6.10"
fi

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" packaging/primedist.spec
built=$(date +%s)

cp packaging/primedist.desktop resources/icons/primedist.png dist/primedist/
echo "Built dist/primedist in $((built - start)) s ($(du -sh dist/primedist | cut -f1))"

# The bundle checks itself: database + migrations, translations, fonts, icons, every tab
# of the main window (offscreen), and printing a PDF. Prints OK.
env -u PRIMEDIST_DATABASE_URL QT_QPA_PLATFORM=offscreen dist/primedist/primedist --self-test
echo "Self-test passed in $(( $(date +%s) - built )) s"
