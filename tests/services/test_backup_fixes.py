"""No backup of a store before its shop is set up, and no restore of one: the first start
of the app used to take its "daily" backup of the empty store, which a restore accepted
(and which then opened the first-run setup to anyone)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.cli import EXIT_ERROR
from primedist.config import Settings, resolve_settings
from primedist.db import backup as store_backup
from primedist.db.store import HEAD_REVISION, open_store
from primedist.errors import StoreError
from primedist.jobs import backup as backup_job
from primedist.services import auth, backup
from primedist.services.context import ServiceContext
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.factories import shop_names_in_file

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
pytestmark = pytest.mark.skipif(
    DIALECT != "sqlite",
    reason=f"SQLite only ({DIALECT}): app backups are SQLite files (pg_dump for a server)",
)

REFUSED = "holds no shop and owner (a backup made before the shop was set up)"


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def empty_store_backup(folder: Path) -> Path:
    """What the app's first start wrote: a copy of a migrated store with no shop."""
    settings = resolve_settings(folder / "first-start")
    engine = open_store(settings)
    try:
        return store_backup.create_backup(engine, folder / "usb", reason="daily")
    finally:
        engine.dispose()


def test_no_daily_backup_before_setup_and_the_first_one_after(
    ctx: ServiceContext, settings: Settings
) -> None:
    assert auth.needs_setup(ctx.engine)
    assert not backup.daily_backup_due(ctx)
    backup_job.catch_up(ctx)  # the app's first start: the setup screen is up
    backup_job.run_daily_backup(ctx)  # the hourly check while nobody has set up yet
    assert files_in(settings.backup_dir) == []

    auth.setup_shop(ctx, shop_name="Shop", owner_name="Owner", owner_email=OWNER_EMAIL,
                    owner_password=OWNER_PASSWORD)  # fmt: skip
    assert backup.daily_backup_due(ctx)
    backup_job.catch_up(ctx)

    (daily,) = store_backup.list_backups(settings.backup_dir, reason="daily")
    assert store_backup.validate_backup(daily) == HEAD_REVISION
    assert shop_names_in_file(daily) == {"Shop"}


def test_a_backup_of_a_store_without_a_shop_is_refused(
    owner_ctx: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    empty = empty_store_backup(tmp_path)
    before = files_in(settings.backup_dir)

    with pytest.raises(StoreError, match=re.escape(REFUSED)) as checked:
        backup.check_backup(owner_ctx, empty)
    assert empty.name in str(checked.value)
    with pytest.raises(StoreError, match=re.escape(REFUSED)):
        backup.restore(owner_ctx, empty)

    # The shop is untouched, signs in as before, and no safety copy was even needed.
    assert not auth.needs_setup(owner_ctx.engine)
    assert auth.login(owner_ctx, OWNER_EMAIL, OWNER_PASSWORD).id == owner_ctx.actor.id
    assert files_in(settings.backup_dir) == before


def test_a_backup_whose_owner_is_disabled_is_refused(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    with owner_ctx.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE users SET is_active = 0 WHERE role = 'owner'")
    path = store_backup.create_backup(owner_ctx.engine, tmp_path, reason="manual")
    with pytest.raises(StoreError, match=re.escape(REFUSED)):
        store_backup.validate_backup(path)


def test_the_cli_refuses_to_restore_an_empty_store(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    empty = empty_store_backup(tmp_path)
    db = data_dir / "primedist.db"

    run = cli("--data-dir", str(data_dir), "restore", str(empty))

    assert run.code == EXIT_ERROR
    assert REFUSED in run.error_line()
    assert shop_names_in_file(db) == {"Cửa hàng CLI"}
    assert store_backup.list_backups(data_dir / "backups", reason="pre-restore") == []
    assert cli("--data-dir", str(data_dir), "staff", "list").code == 0


def test_the_cli_refuses_it_where_no_one_can_sign_in_too(cli: Any, tmp_path: Path) -> None:
    empty = empty_store_backup(tmp_path)
    new_pc = tmp_path / "new-pc"

    run = cli("--data-dir", str(new_pc), "restore", str(empty))

    assert run.code == EXIT_ERROR
    assert REFUSED in run.error_line()
    assert not (new_pc / "primedist.db").exists()
