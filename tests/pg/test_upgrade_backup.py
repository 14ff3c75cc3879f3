"""A PostgreSQL database is backed up with pg_dump before its schema is upgraded (PostgreSQL
pass only): the dump is the `…-pre-migrate.dump` of the data dir's backups folder, taken
before the first migration runs; when it cannot be taken nothing is upgraded, unless the
owner asks for it with `primedist migrate --without-backup`."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import Settings
from primedist.db import pg_backup
from primedist.db.backup import list_backups
from primedist.errors import StoreError
from primedist.services import backup
from primedist.services.context import ServiceContext
from tests.cli_support import Run
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: pg_dump of a server")

DUMP = pg_backup.DUMP_SUFFIX


def _one_step_older(engine: Engine) -> str:
    """Take the shop's database back one migration (an app update then finds one pending);
    returns that older revision."""
    store.migrate(engine, "-1", down=True)
    older = store.current_revision(engine)
    assert older is not None and older != store.HEAD_REVISION
    return older


def _pg_restore(*args: str) -> str:
    program = pg_backup.find_pg_restore()
    assert program is not None, "the PostgreSQL pass needs pg_restore beside pg_dump"
    done = subprocess.run([str(program), *args], capture_output=True, text=True, check=True)
    return done.stdout


def _failing_pg_dump(folder: Path) -> Path:
    """A pg_dump that fails as one does when the server refuses it."""
    script = folder / "pg_dump"
    script.write_text(
        "#!/bin/sh\n"
        'echo "pg_dump: error: connection to server failed: FATAL: too many clients" >&2\n'
        "exit 1\n"
    )
    script.chmod(0o755)
    return script


@pytest.mark.usefixtures("owner")  # a shop's data: the dump must hold its tables
def test_an_upgrade_dumps_the_older_database_first(engine: Engine, settings: Settings) -> None:
    older = _one_step_older(engine)

    opened = store.open_store(settings)  # what the app's start and every command do
    try:
        assert store.current_revision(opened) == store.HEAD_REVISION
    finally:
        opened.dispose()

    dumps = list_backups(settings.backup_dir, reason="pre-migrate", suffix=DUMP)
    assert len(dumps) == 1 and pg_backup.is_dump(dumps[0])
    assert [p.name for p in settings.backup_dir.iterdir()] == [dumps[0].name]  # no .part left
    listing = _pg_restore("--list", str(dumps[0]))
    assert "TABLE DATA public alembic_version" in listing
    assert "TABLE DATA public orders" in listing
    # Taken before the first migration ran: the dump holds the older schema's revision.
    versions = _pg_restore("--data-only", "--table=alembic_version", "--file=-", str(dumps[0]))
    assert older in versions and store.HEAD_REVISION not in versions


@pytest.mark.parametrize("pg_dump", ["fails", "missing"])
@pytest.mark.usefixtures("owner")
def test_no_upgrade_without_its_dump(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    pg_dump: str,
) -> None:  # fmt: skip
    older = _one_step_older(engine)
    if pg_dump == "fails":
        monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(_failing_pg_dump(tmp_path)))
        cause = "too many clients"
    else:
        monkeypatch.delenv(pg_backup.PG_DUMP_ENV, raising=False)
        monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
        cause = "pg_dump was not found on this PC"

    with pytest.raises(StoreError) as refused:
        store.open_store(settings)

    text = str(refused.value)
    assert text.startswith("The database was not upgraded: the backup made before an upgrade")
    assert cause in text and "primedist migrate --without-backup" in text
    assert store.current_revision(engine) == older  # nothing migrated
    assert list(settings.backup_dir.iterdir()) == []  # nothing half-written left


@pytest.mark.usefixtures("owner")
def test_primedist_migrate_without_backup_is_the_owners_choice(
    cli: Callable[..., Run], engine: Engine, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    older = _one_step_older(engine)
    monkeypatch.setenv("PRIMEDIST_DATABASE_URL", settings.database_url)
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(_failing_pg_dump(tmp_path)))
    data_dir = str(settings.data_dir)

    refused = cli("--data-dir", data_dir, "migrate")
    assert refused.code == EXIT_ERROR
    assert "too many clients" in refused.error_line()
    assert store.current_revision(engine) == older

    done = cli("--data-dir", data_dir, "migrate", "--without-backup", "--json")
    assert done.code == EXIT_OK, done.err
    assert done.json() == {"from": older, "to": store.HEAD_REVISION, "backup": None}
    assert list(settings.backup_dir.iterdir()) == []


@pytest.mark.usefixtures("owner")
def test_primedist_migrate_names_the_dump(
    cli: Callable[..., Run], engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = _one_step_older(engine)
    monkeypatch.setenv("PRIMEDIST_DATABASE_URL", settings.database_url)

    done = cli("--data-dir", str(settings.data_dir), "migrate", "--json")

    assert done.code == EXIT_OK, done.err
    dump = Path(done.json()["backup"])
    assert done.json()["from"] == older and done.json()["to"] == store.HEAD_REVISION
    assert dump.parent == settings.backup_dir and dump.name.endswith("-pre-migrate.dump")
    assert "TABLE DATA public alembic_version" in _pg_restore("--list", str(dump))


def test_the_upgrade_dumps_keep_the_shops_setting(
    owner_ctx: ServiceContext, engine: Engine, settings: Settings
) -> None:
    backup.set_backup_keep(owner_ctx, 1)
    earlier = settings.backup_dir / f"primedist-20260101-000000-000000-pre-migrate{DUMP}"
    earlier.write_bytes(pg_backup.DUMP_MAGIC)
    _one_step_older(engine)

    store.open_store(settings).dispose()

    kept = list_backups(settings.backup_dir, reason="pre-migrate", suffix=DUMP)
    assert len(kept) == 1 and kept[0] != earlier and not earlier.exists()


@pytest.mark.usefixtures("owner")
def test_a_pc_starting_during_anothers_upgrade_waits_and_dumps_nothing(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _one_step_older(engine)
    # This PC's pg_dump would fail: it must not be run at all.
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(_failing_pg_dump(tmp_path)))
    other_pc = engine.connect()  # the PC that started first, dumping then upgrading
    other_pc.exec_driver_sql(
        f"SELECT pg_advisory_lock({store.MIGRATION_SPACE}, {store.BACKUP_THEN_MIGRATE_KEY})"
    )
    other_pc.commit()
    outcome: dict[str, object] = {}

    def start() -> None:
        try:
            store.open_store(settings).dispose()
            outcome["ok"] = True
        except BaseException as exc:  # said in the assertion below
            outcome["error"] = exc

    starting = threading.Thread(target=start)
    starting.start()
    try:
        time.sleep(1.0)
        assert starting.is_alive() and outcome == {}  # waiting for the first PC
        store.upgrade(engine)  # the first PC's upgrade
    finally:
        other_pc.execute(
            sa.text("SELECT pg_advisory_unlock(:space, :key)"),
            {"space": store.MIGRATION_SPACE, "key": store.BACKUP_THEN_MIGRATE_KEY},
        )
        other_pc.commit()
        other_pc.close()
        starting.join(60)

    assert outcome == {"ok": True}
    assert list(settings.backup_dir.iterdir()) == []
