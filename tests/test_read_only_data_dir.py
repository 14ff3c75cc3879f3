"""A data dir that cannot be written (a write-protected USB stick, a read-only mount or
share): the CLI says so on one line, and the app in one dialog, instead of SQLite's
"unable to open database file" and a traceback of the log file's OSError.

The processes run in a mount namespace of their own (util-linux's unshare) where the data
dir is bind-mounted read-only: root too is stopped there (a folder's mode does not stop
root, and SQLite reads a folder it may not write differently)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from primedist.config import resolve_settings
from primedist.db.engine import masked_url
from tests.cli_support import INIT_ARGS

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PRIMEDIST_TEST_DATABASE_URL")) or sys.platform != "linux",
    reason="a SQLite data dir's folder; Linux mount namespaces",
)

READ_ONLY = ("The shop's data file cannot be written (it or its folder is read-only): "
             "nothing was saved.")  # fmt: skip

#: The app, its dialogs answered by printing them (offscreen, nobody to click).
GUI = """
import sys
from PySide6.QtWidgets import QMessageBox
def critical(_parent, _title, text, *_rest):
    print("critical:", text, flush=True)
    return QMessageBox.StandardButton.Ok
QMessageBox.critical = critical
from primedist.cli import main
sys.exit(main(["--data-dir", sys.argv[1]]))
"""


def on_read_only(folder: Path, *command: str) -> list[str]:
    """`command` in a mount namespace where `folder` is read-only (root's own, else one
    of the user's own namespace, mapped to root there)."""
    unshare = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "-rm"]
    where = shlex.quote(str(folder))
    script = (f"mount --bind {where} {where} && mount -o remount,bind,ro {where} && "
              f"exec {shlex.join(command)}")  # fmt: skip
    return [*unshare, "sh", "-c", script]


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The app's Python with `args`, `folder` read-only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIMEDIST_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(on_read_only(folder, sys.executable, *args), env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


@pytest.fixture
def read_only_shop(tmp_path: Path) -> Path:
    """A set-up shop's data dir, closed cleanly (no -wal or -shm beside the database, as
    a shop's USB stick is left), that `run` sees read-only."""
    data = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "primedist", "--data-dir", str(data), "init",
                    *INIT_ARGS], check=True, capture_output=True)  # fmt: skip
    assert not list(data.glob("primedist.db-*"))
    (data / "ui.ini").write_text("[General]\nlanguage=en\n", encoding="utf-8")
    try:
        probe = subprocess.run(on_read_only(data, "true"), capture_output=True, timeout=60)
    except OSError:
        probe = None
    if probe is None or probe.returncode != 0:
        pytest.skip("no read-only mount here (no unshare, or no mount namespace allowed)")
    return data


def test_the_cli_says_the_data_dir_is_read_only(read_only_shop: Path) -> None:
    done = run(read_only_shop, "-m", "primedist", "--data-dir", str(read_only_shop), "audit")
    url = masked_url(resolve_settings(read_only_shop).database_url)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"primedist: error: The database at {url} cannot be opened: {READ_ONLY}"
    ]


def test_the_app_says_so_in_a_dialog_and_logs_to_stderr(read_only_shop: Path) -> None:
    done: Any = run(read_only_shop, "-c", GUI, str(read_only_shop))
    url = masked_url(resolve_settings(read_only_shop).database_url)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        f"critical: The database at {url} cannot be opened: {READ_ONLY}"
    ]
    assert f"cannot write the log file {read_only_shop / 'logs' / 'primedist.log'}" in done.stderr
    assert "Traceback" not in done.stderr
