"""`primedist --self-test` in a real process: OK on a sound installation, and the failed
check named (exit 1) when a part a bundle could lose is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Runs the CLI after breaking one part of the installation (the `{}` is filled in).
BROKEN_RUN = """
import sys
{}
from primedist.cli import main
raise SystemExit(main(["--self-test"]))
"""


def run(
    code: list[str], data_dir: Path, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRIMEDIST_DATA_DIR": str(data_dir)}
    env.pop("QT_QPA_PLATFORM", None)  # the self-test chooses offscreen by itself
    env.pop("PRIMEDIST_DATABASE_URL", None)
    if database_url:
        env["PRIMEDIST_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, *code], env=env, capture_output=True, text=True, timeout=120
    )


def run_broken(patch: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run(["-c", BROKEN_RUN.format(patch)], data_dir)


def test_sound_installation_prints_ok_and_leaves_the_shop_data_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "shop"
    # The configured database (a dead server here) is not the one the check uses.
    dead_server = "postgresql+psycopg://nobody@127.0.0.1:9/none"
    proc = run(["-m", "primedist", "--self-test"], data_dir, dead_server)
    assert (proc.returncode, proc.stdout) == (0, "OK\n"), proc.stderr
    assert not data_dir.exists()  # the check ran in a temporary dir of its own


def test_missing_print_templates_fail_the_printing_check(tmp_path: Path) -> None:
    patch = """
import primedist.printing.store as store
def gone(name):
    raise FileNotFoundError(f"templates/{name}.html")
store.default_template = gone
import primedist.ui.self_test as st
st.default_template = gone
"""
    proc = run_broken(patch, tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip().startswith(
        "primedist: self-test failed: printing: FileNotFoundError: templates/"
    ), proc.stderr


def test_missing_icons_fail_the_icons_check(tmp_path: Path) -> None:
    patch = f"""
from pathlib import Path
import primedist.ui.widgets as widgets
widgets.ICONS = Path({str(tmp_path / "no-icons")!r})
"""
    proc = run_broken(patch, tmp_path)
    assert proc.returncode == 1
    assert "self-test failed: icons: the icon 'logo' cannot be drawn" in proc.stderr


def test_a_tab_that_cannot_be_built_fails_the_main_window_check(tmp_path: Path) -> None:
    patch = """
import primedist.ui.main_window as mw
def broken(self):
    raise RuntimeError("customers page lost its module")
mw.MainWindow._customers_page = broken
"""
    proc = run_broken(patch, tmp_path)
    assert proc.returncode == 1
    assert (
        "self-test failed: main window: RuntimeError: customers page lost its module" in proc.stderr
    ), proc.stderr


def test_a_font_without_a_needed_glyph_fails_the_fonts_check(tmp_path: Path) -> None:
    patch = """
import primedist.ui.self_test as st
st.VIETNAMESE_SAMPLE += "\\ue000"  # private use: no font draws it
"""
    proc = run_broken(patch, tmp_path)
    assert proc.returncode == 1
    assert "self-test failed: fonts: the font " in proc.stderr
    assert proc.stderr.rstrip().endswith("has no glyph for \ue000"), proc.stderr
