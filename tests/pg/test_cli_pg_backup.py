"""`primedist backup` and `restore` on a PostgreSQL database (PostgreSQL pass only): the
backup is a pg_dump file in the data dir's backups folder; the restore is refused with the
pg_restore command to run when every PC has closed the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import Settings
from primedist.db import pg_backup
from tests.cli_support import Run
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: pg_dump of a server")


@pytest.mark.usefixtures("owner")  # the shop is set up: the CLI acts as its owner
def test_primedist_backup_writes_a_dump_and_restore_gives_the_command(
    cli: Callable[..., Run], settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("PRIMEDIST_DATABASE_URL", settings.database_url)
    data_dir = tmp_path / "counter-pc"

    done = cli("--data-dir", str(data_dir), "backup", "--json")

    assert done.code == EXIT_OK, done.err
    dump = Path(done.json()["backup"])
    assert dump.parent == data_dir / "backups" and dump.name.endswith("-manual.dump")
    assert pg_backup.is_dump(dump) and done.json()["bytes"] == dump.stat().st_size

    refused = cli("--data-dir", str(data_dir), "restore", str(dump))
    assert refused.code == EXIT_ERROR
    line = refused.error_line()
    database = sa.make_url(settings.database_url).database
    assert "When every PC has closed the app, run: pg_restore --clean --if-exists" in line
    assert line.endswith(f'-d {database} "{dump}"')
