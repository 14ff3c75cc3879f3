"""Running the `primedist` CLI in-process in tests (a pytest plugin: see conftest)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, main
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD

#: `primedist init` arguments for a test shop owned by the conftest owner.
INIT_ARGS = ["--shop-name", "Cửa hàng CLI", "--owner-name", "Chủ CLI",
             "--owner-email", OWNER_EMAIL, "--owner-password", OWNER_PASSWORD]  # fmt: skip


class Run:
    """One in-process run of the CLI: exit code and captured output."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)

    def error_line(self) -> str:
        """The single stderr line of a failed run."""
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("primedist: error: "), lines[0]
        assert self.out == ""
        return lines[0]


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No data dir or database URL leaks in; the platform dir is redirected."""
    monkeypatch.delenv("PRIMEDIST_DATA_DIR", raising=False)
    monkeypatch.delenv("PRIMEDIST_DATABASE_URL", raising=False)
    monkeypatch.setattr("primedist.config.default_data_dir", lambda: tmp_path / "platform")


@pytest.fixture
def cli(cli_env: None, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """`cli(*argv)` runs `primedist *argv` and returns its Run."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --version, usage errors
            code = exc.code if isinstance(exc.code, int) else EXIT_ERROR
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


@pytest.fixture
def data_dir(cli: Callable[..., Run], tmp_path: Path, template_db: Path) -> Path:
    """A data dir with a shop set up by `primedist init` (INIT_ARGS), on a copy of the
    session's migrated database (as `settings`: not a second of migrations per test)."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(template_db, folder / "primedist.db")
    assert cli("--data-dir", str(folder), "init", *INIT_ARGS).code == EXIT_OK
    return folder


def table_count(data_dir: Path, table: str) -> int:
    """The number of rows of a table of the data dir's SQLite database."""
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()
