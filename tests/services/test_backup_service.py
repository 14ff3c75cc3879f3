"""Backup and restore as use-cases: permission, audit, the restored data, bad files."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from primedist.config import Settings
from primedist.core.messages import restored
from primedist.db.backup import list_backups, validate_backup
from primedist.db.store import HEAD_REVISION
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Channel, Role
from primedist.domain.shop import Shop
from primedist.domain.user import User
from primedist.errors import PermissionDenied, StoreError
from primedist.services import auth, backup
from primedist.services.context import Actor, ServiceContext
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.factories import shop_names_in_file

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
pytestmark = pytest.mark.skipif(
    DIALECT != "sqlite",
    reason=f"SQLite only ({DIALECT}): app backups are SQLite files (pg_dump for a server)",
)


def add_shop(ctx: ServiceContext, name: str) -> None:
    with ctx.uow() as session:
        session.add(Shop(name=name, channel=Channel.OFFLINE))


def rename_shop(ctx: ServiceContext, old: str, new: str) -> None:
    with ctx.uow() as session:
        shop = session.exec(select(Shop).where(Shop.name == old)).one()
        shop.name = new
        session.add(shop)


def shop_names(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(Shop.name)).all())


def audits(engine: Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def staff_actor() -> Actor:
    return Actor(id=None, name="Staff", email="staff@example.vn", role=Role.STAFF)


# Backup --------------------------------------------------------------------------------
def test_backup_now_writes_a_file_and_an_audit_row(
    owner_ctx: ServiceContext, settings: Settings, engine: Engine
) -> None:
    path = backup.backup_now(owner_ctx)

    assert path.is_file()
    assert path.parent == settings.backup_dir
    assert path.suffix == ".db"
    assert validate_backup(path) == HEAD_REVISION
    assert shop_names_in_file(path) == {"Cửa hàng Thử"}
    rows = audits(engine, "backup.create")
    assert len(rows) == 1
    assert rows[0].user_id == owner_ctx.actor.id
    assert rows[0].entity_id == path.name
    assert rows[0].summary == str(path)


def test_backup_now_to_an_explicit_file(
    owner_ctx: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere" / "copy.db"
    target.parent.mkdir()
    path = backup.backup_now(owner_ctx, target)
    assert path == target
    assert target.is_file()
    assert list_backups(settings.backup_dir) == []


def test_backup_now_keeps_the_newest(owner_ctx: ServiceContext, settings: Settings) -> None:
    made = [backup.backup_now(owner_ctx, keep=2) for _ in range(4)]
    assert list_backups(settings.backup_dir, reason="manual") == [made[3], made[2]]


def test_staff_may_not_back_up(ctx: ServiceContext, owner: Actor, settings: Settings) -> None:
    with pytest.raises(PermissionDenied):
        backup.backup_now(ctx.with_actor(staff_actor()))
    assert list_backups(settings.backup_dir) == []


def test_staff_may_not_restore(owner_ctx: ServiceContext, engine: Engine) -> None:
    path = backup.backup_now(owner_ctx)
    add_shop(owner_ctx, "After backup")
    with pytest.raises(PermissionDenied):
        backup.restore(owner_ctx.with_actor(staff_actor()), path)
    assert "After backup" in shop_names(engine)


# Restore -------------------------------------------------------------------------------
def test_restore_brings_the_old_data_back(
    owner_ctx: ServiceContext, settings: Settings, engine: Engine
) -> None:
    add_shop(owner_ctx, "Shopee store")
    saved = backup.backup_now(owner_ctx)
    rename_shop(owner_ctx, "Shopee store", "Renamed store")
    add_shop(owner_ctx, "Added later")
    assert shop_names(engine) == {"Cửa hàng Thử", "Renamed store", "Added later"}

    new_ctx, safety = backup.restore(owner_ctx, saved)

    assert shop_names(new_ctx.engine) == {"Cửa hàng Thử", "Shopee store"}
    assert new_ctx.actor == owner_ctx.actor
    assert new_ctx.settings == settings
    # The safety copy holds the data that was replaced.
    assert safety.is_file()
    assert safety.parent == settings.backup_dir
    assert validate_backup(safety) == HEAD_REVISION
    assert shop_names_in_file(safety) == {"Cửa hàng Thử", "Renamed store", "Added later"}
    # The audit row is in the restored database.
    rows = audits(new_ctx.engine, "backup.restore")
    assert len(rows) == 1
    assert rows[0].user_id == owner_ctx.actor.id
    assert rows[0].entity_id == saved.name
    # Two long paths pass the summary column's 255 characters; the stored message keeps all.
    assert str(safety) in restored(rows[0].summary, rows[0].summary_args)
    # The restored store is usable: sign-in and further writes work.
    assert auth.login(new_ctx, OWNER_EMAIL, OWNER_PASSWORD).id == owner_ctx.actor.id
    add_shop(new_ctx, "After restore")
    assert "After restore" in shop_names(new_ctx.engine)
    new_ctx.engine.dispose()


def test_restore_from_before_the_user_existed_audits_as_system(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    saved = backup.backup_now(owner_ctx)  # before the manager's account was made
    with owner_ctx.uow() as session:
        manager = User(name="Manager", email="manager@example.vn", password_hash="x",
                       role=Role.MANAGER)  # fmt: skip
        session.add(manager)
        session.flush()
        manager_actor = auth.actor_for(session, manager)

    new_ctx, _safety = backup.restore(owner_ctx.with_actor(manager_actor), saved)

    assert new_ctx.actor.id is None
    assert not auth.needs_setup(new_ctx.engine)
    rows = audits(new_ctx.engine, "backup.restore")
    assert [r.user_id for r in rows] == [None]
    new_ctx.engine.dispose()


@pytest.mark.parametrize("kind", ["garbage", "truncated", "foreign_sqlite", "missing"])
def test_restoring_a_bad_file_leaves_the_data_intact(
    owner_ctx: ServiceContext, settings: Settings, engine: Engine, tmp_path: Path, kind: str
) -> None:
    bad = tmp_path / "bad.db"
    if kind == "garbage":
        bad.write_bytes(b"this is not a database\n" * 100)
    elif kind == "truncated":
        good = backup.backup_now(owner_ctx, tmp_path / "good.db")
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) // 3])
    elif kind == "foreign_sqlite":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()
        conn.close()
    add_shop(owner_ctx, "Current data")
    before = list_backups(settings.backup_dir)

    with pytest.raises(StoreError) as info:
        backup.restore(owner_ctx, bad)

    assert "bad.db" in info.value.user_message
    assert shop_names(engine) == {"Cửa hàng Thử", "Current data"}
    assert audits(engine, "backup.restore") == []
    assert list_backups(settings.backup_dir) == before  # no safety copy for nothing
    add_shop(owner_ctx, "Still writable")
    assert "Still writable" in shop_names(engine)


def test_restore_with_a_query_string_in_the_database_url(tmp_path: Path) -> None:
    """The file restored is the one the engine opens, not `primedist.db?timeout=5`."""
    from primedist.config import resolve_settings
    from primedist.db.store import open_store

    folder = tmp_path / "q"
    settings = resolve_settings(folder, f"sqlite:///{folder / 'primedist.db'}?timeout=5")
    ctx = ServiceContext(open_store(settings), settings=settings)
    owner = auth.setup_shop(
        ctx,
        shop_name="Shop",
        owner_name="Owner",
        owner_email=OWNER_EMAIL,
        owner_password=OWNER_PASSWORD,
    )
    owner_ctx = ctx.with_actor(owner)
    saved = backup.backup_now(owner_ctx)
    add_shop(owner_ctx, "After backup")

    new_ctx, _safety = backup.restore(owner_ctx, saved)

    assert shop_names(new_ctx.engine) == {"Shop"}
    assert not [p.name for p in folder.iterdir() if "?" in p.name]
    new_ctx.engine.dispose()


def test_backup_now_to_a_file_that_exists_is_refused(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    existing = tmp_path / "mybackup.sqlite"
    existing.write_text("yesterday's copy, by hand")
    with pytest.raises(StoreError, match="mybackup.sqlite already exists"):
        backup.backup_now(owner_ctx, existing)
    assert existing.read_text() == "yesterday's copy, by hand"
    assert audits(engine, "backup.create") == []
    fresh = backup.backup_now(owner_ctx, tmp_path / "new.sqlite")
    assert shop_names_in_file(fresh) == {"Cửa hàng Thử"}


def test_restores_keep_as_many_safety_copies_as_the_setting(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    backup.set_backup_keep(owner_ctx, 2)
    saved = backup.backup_now(owner_ctx)
    ctx, made = owner_ctx, []
    for _ in range(4):
        ctx, safety = backup.restore(ctx, saved)
        made.append(safety)
    assert list_backups(settings.backup_dir, reason="pre-restore") == [made[3], made[2]]
    assert [b.reason for b in backup.list_backups(ctx)].count("pre-restore") == 2
    ctx.engine.dispose()


# Restore where no one can sign in ---------------------------------------------------------
def test_the_state_of_the_store_before_a_restore(
    owner_ctx: ServiceContext, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    from primedist.config import resolve_settings

    assert backup.store_state(settings) == backup.StoreState(backup.READY)
    empty = resolve_settings(tmp_path / "new-pc")
    assert backup.store_state(empty) == backup.StoreState(backup.MISSING)
    assert not empty.data_dir.exists()  # looked at, nothing made
    no_shop = resolve_settings(tmp_path / "no-shop")
    from primedist.db.store import open_store

    open_store(no_shop).dispose()  # the app's first start: a store, no shop yet
    assert backup.store_state(no_shop) == backup.StoreState(backup.NO_SHOP)

    engine.dispose()
    assert settings.db_path is not None
    settings.db_path.write_bytes(settings.db_path.read_bytes()[:60_000])
    found = backup.store_state(settings)
    assert found.state == backup.DAMAGED and "bytes" in found.problem
    settings.db_path.write_bytes(b"\0" * 60_000)
    assert backup.store_state(settings) == backup.StoreState(backup.DAMAGED, "not SQLite")


def test_restore_over_a_damaged_database_sets_it_aside_and_audits_as_the_system(
    owner_ctx: ServiceContext, settings: Settings, engine: Engine
) -> None:
    backup.set_backup_keep(owner_ctx, 3)
    saved = backup.backup_now(owner_ctx)
    engine.dispose()
    db = settings.db_path
    assert db is not None
    damaged = saved.read_bytes()[:200_000]
    db.write_bytes(damaged)
    found = backup.store_state(settings)

    done = backup.restore_without_sign_in(settings, saved, found)

    assert done.safety_copy is None
    assert [p.name.startswith("primedist.db.damaged-") for p in done.set_aside] == [True]
    assert done.set_aside[0].read_bytes() == damaged
    assert list_backups(settings.backup_dir, reason="pre-restore") == []
    assert shop_names(done.ctx.engine) == {"Cửa hàng Thử"}
    assert auth.login(done.ctx, OWNER_EMAIL, OWNER_PASSWORD).email == OWNER_EMAIL
    (row,) = audits(done.ctx.engine, "backup.restore")
    assert row.user_id is None
    text = restored(row.summary, row.summary_args)
    assert text == f"restored {saved}; the damaged database was set aside as {done.set_aside[0]}"
    done.ctx.engine.dispose()


def test_restore_into_a_new_pc_and_over_a_store_without_a_shop(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    from primedist.config import resolve_settings
    from primedist.db.store import open_store

    (tmp_path / "usb").mkdir()
    saved = backup.backup_now(owner_ctx, tmp_path / "usb" / "shop.db")
    new_pc = resolve_settings(tmp_path / "new-pc")
    done = backup.restore_without_sign_in(new_pc, saved, backup.store_state(new_pc))
    assert (done.safety_copy, done.set_aside) == (None, ())
    assert auth.owner_actor(done.ctx).email == OWNER_EMAIL
    assert new_pc.backup_dir.is_dir()
    (row,) = audits(done.ctx.engine, "backup.restore")
    assert restored(row.summary, row.summary_args) == (
        f"restored {saved} into a data dir without a database"
    )
    done.ctx.engine.dispose()

    no_shop = resolve_settings(tmp_path / "no-shop")
    open_store(no_shop).dispose()
    done = backup.restore_without_sign_in(no_shop, saved, backup.store_state(no_shop))
    assert done.safety_copy is not None and done.safety_copy.name.endswith("-pre-restore.db")
    assert done.set_aside == ()
    assert auth.owner_actor(done.ctx).email == OWNER_EMAIL
    done.ctx.engine.dispose()


def test_restore_without_sign_in_refuses_a_store_with_a_shop(
    owner_ctx: ServiceContext, settings: Settings, engine: Engine
) -> None:
    saved = backup.backup_now(owner_ctx)
    add_shop(owner_ctx, "After backup")
    with pytest.raises(PermissionDenied):
        backup.restore_without_sign_in(settings, saved, backup.StoreState(backup.READY))
    assert "After backup" in shop_names(engine)
