"""README command 1, end to end: the real `primedist` process, offscreen.

A fresh data dir shows the setup form, a set-up one shows sign-in, and `--demo` goes
straight to a filled main window. The start-up probe makes the process say which window
it showed and quit.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from primedist.services.demo import DEMO_OWNER_EMAIL


def run_app(*args: str) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PRIMEDIST_STARTUP_PROBE": "shown"}
    env.pop("PRIMEDIST_DATA_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "primedist", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.splitlines() if line.startswith("primedist-")]


def test_first_start_shows_setup_then_sign_in(tmp_path: Path) -> None:
    data = tmp_path / "shop"
    assert run_app("--data-dir", str(data))[0] == "primedist-welcome setup"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "primedist",
            "--data-dir",
            str(data),
            "init",
            "--shop-name",
            "Tiệm Hoa",
            "--owner-name",
            "Hoa",
            "--owner-email",
            "hoa@example.vn",
            "--owner-password",
            "mat-khau-dai",
        ],
        check=True,
        capture_output=True,
    )
    assert run_app("--data-dir", str(data))[0] == "primedist-welcome sign-in"


def test_demo_goes_straight_to_a_filled_main_window(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    lines = run_app("--data-dir", str(data), "--demo")
    assert lines[0] == (
        "primedist-main Prime Distribution — Prime Demo Shop "
        "[home,analytics,products,orders,customers,settings]"
    )
    assert lines[-1] == "primedist-shown"
    with sqlite3.connect(data / "primedist.db") as db:
        assert db.execute("SELECT count(*) FROM orders").fetchone()[0] == 20_000
        assert db.execute("SELECT email FROM users").fetchall() == [(DEMO_OWNER_EMAIL,)]
    # A second start reuses the filled shop instead of generating again.
    assert run_app("--data-dir", str(data), "--demo")[0].startswith("primedist-main")
    with sqlite3.connect(data / "primedist.db") as db:
        assert db.execute("SELECT count(*) FROM orders").fetchone()[0] == 20_000
