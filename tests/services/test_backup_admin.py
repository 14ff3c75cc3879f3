"""Backups as the admin issue asks: retention setting, the daily backup (scheduler and
catch-up), a backup taken during heavy writes, and restores of good, corrupt and foreign
files."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from primedist.config import Settings
from primedist.core.clock import FixedClock
from primedist.db.backup import validate_backup
from primedist.db.store import HEAD_REVISION
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Channel
from primedist.domain.shop import Shop
from primedist.errors import PermissionDenied, StoreError, ValidationError
from primedist.jobs import backup as backup_job
from primedist.jobs.scheduler import build_scheduler
from primedist.services import backup
from primedist.services.context import Actor, ServiceContext

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(bool(PG_URL), reason="app backups are SQLite files")

SHOPS = Shop.__table__  # type: ignore[attr-defined]


def shop_names(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(SHOPS.c.name)).scalars())


def backup_audits(ctx: ServiceContext) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        stmt = select(AuditEvent).where(AuditEvent.entity_type == "backup")
        return list(session.exec(stmt).all())


def test_keep_setting_prunes_manual_backups(owner_ctx: ServiceContext) -> None:
    assert backup.backup_keep(owner_ctx) == backup.DEFAULT_KEEP
    backup.set_backup_keep(owner_ctx, 2)
    made = [backup.backup_now(owner_ctx) for _ in range(3)]
    listed = backup.list_backups(owner_ctx)
    assert [b.path for b in listed] == [made[2], made[1]]
    assert all(b.reason == "manual" and b.size > 0 for b in listed)
    assert len(backup_audits(owner_ctx)) == 3
    with pytest.raises(ValidationError, match="between 1 and 365"):
        backup.set_backup_keep(owner_ctx, 0)


def test_staff_may_not_list_backups_or_change_the_setting(owner_ctx: ServiceContext) -> None:
    staff = owner_ctx.with_actor(Actor(id=None, name="S", email="s@x.vn", role="staff"))  # type: ignore[arg-type]
    for call in (backup.list_backups, lambda c: backup.set_backup_keep(c, 3),
                 lambda c: backup.check_backup(c, Path("x.db"))):  # fmt: skip
        with pytest.raises(PermissionDenied):
            call(staff)


def test_daily_backup_is_taken_once_a_day_and_kept_n(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    clock = FixedClock(backup.datetime.now(backup.UTC))
    ctx = ServiceContext(owner_ctx.engine, owner_ctx.actor, clock, settings)
    backup.set_backup_keep(ctx, 2)
    assert backup.daily_backup_due(ctx)
    backup_job.catch_up(ctx)
    backup_job.run_daily_backup(ctx)  # an hour later: not due again
    daily = [b for b in backup.list_backups(ctx) if b.reason == "daily"]
    assert len(daily) == 1
    assert validate_backup(daily[0].path) == HEAD_REVISION

    for _ in range(3):
        clock.advance(timedelta(hours=25))
        assert backup.daily_backup_due(ctx)
        backup.daily_backup(ctx)
    assert len([b for b in backup.list_backups(ctx) if b.reason == "daily"]) == 2


def test_the_scheduler_runs_the_backup_job(owner_ctx: ServiceContext) -> None:
    scheduler = build_scheduler(owner_ctx)
    job = scheduler.get_job(backup_job.JOB_ID)
    assert job is not None
    assert job.trigger.interval == timedelta(hours=1)


def test_backup_during_heavy_writes_restores_consistently(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    """A writer thread commits transactions that each add a shop AND bump a counter; any
    consistent snapshot has as many 'W' shops as the counter says."""
    with owner_ctx.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE write_counter (n INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO write_counter VALUES (0)")
    stop = threading.Event()
    written = [0]
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                with owner_ctx.engine.begin() as conn:
                    i = written[0] + 1
                    conn.execute(SHOPS.insert(), [{"name": f"W{i}", "channel": Channel.OFFLINE}])
                    conn.exec_driver_sql("UPDATE write_counter SET n = n + 1")
                written[0] = i
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 50:
            threading.Event().wait(0.005)
        paths = [backup.backup_now(owner_ctx) for _ in range(3)]
        while written[0] < 50 + 100:
            threading.Event().wait(0.005)
    finally:
        stop.set()
        thread.join()
    assert errors == []
    total = written[0]

    counts = []
    for path in paths:
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            n = conn.execute("SELECT n FROM write_counter").fetchone()[0]
            shops = conn.execute("SELECT count(*) FROM shops WHERE name LIKE 'W%'").fetchone()[0]
        finally:
            conn.close()
        assert shops == n
        counts.append(n)
    assert 50 <= counts[0] < total  # taken mid-stream, not before or after the writes

    new_ctx, _safety = backup.restore(owner_ctx, paths[-1])
    try:
        with new_ctx.engine.connect() as conn:
            n = conn.exec_driver_sql("SELECT n FROM write_counter").scalar()
            w = conn.exec_driver_sql("SELECT count(*) FROM shops WHERE name LIKE 'W%'").scalar()
        assert n == w == counts[-1]
    finally:
        new_ctx.engine.dispose()


def foreign_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('ghi chú')")
    conn.commit()
    conn.close()
    return path


def newer_app_db(template: Path, path: Path) -> Path:
    path.write_bytes(template.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("kind", ["text", "truncated", "foreign", "newer", "empty"])
def test_bad_files_are_refused_and_the_data_untouched(
    owner_ctx: ServiceContext, settings: Settings, tmp_path: Path, kind: str
) -> None:
    with owner_ctx.uow() as session:
        session.add(Shop(name="Giữ lại", channel=Channel.OFFLINE))
    good = backup.backup_now(owner_ctx, tmp_path / "good.db")
    bad = tmp_path / f"{kind}.db"
    if kind == "text":
        bad.write_text("mã,tên\n1,Áo\n", encoding="utf-8")
    elif kind == "truncated":
        bad.write_bytes(good.read_bytes()[:8192])
    elif kind == "foreign":
        foreign_db(bad)
    elif kind == "newer":
        newer_app_db(good, bad)
    else:
        bad.write_bytes(b"")
    db_before = settings.db_path.read_bytes() if settings.db_path else b""
    before_files = set(settings.backup_dir.iterdir())

    with pytest.raises(StoreError) as info:
        backup.check_backup(owner_ctx, bad)
    assert bad.name in info.value.user_message
    with pytest.raises(StoreError):
        backup.restore(owner_ctx, bad)

    assert "Giữ lại" in shop_names(owner_ctx.engine)
    assert set(settings.backup_dir.iterdir()) == before_files  # no safety copy was needed
    assert [a.action for a in backup_audits(owner_ctx)] == ["backup.create"]
    assert settings.db_path is not None and len(settings.db_path.read_bytes()) == len(db_before)


def test_good_file_restores(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    good = backup.backup_now(owner_ctx, tmp_path / "good.db")
    with owner_ctx.uow() as session:
        session.add(Shop(name="Sau", channel=Channel.OFFLINE))
    assert backup.check_backup(owner_ctx, good) == HEAD_REVISION
    new_ctx, safety = backup.restore(owner_ctx, good)
    try:
        assert "Sau" not in shop_names(new_ctx.engine)
        assert "Sau" in shop_names_of(safety)
    finally:
        new_ctx.engine.dispose()


def shop_names_of(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM shops")}
    finally:
        conn.close()
