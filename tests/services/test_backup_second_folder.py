"""The second backup folder (Settings → Backup & restore, "Also copy the daily backup to"):
the daily backup and Back up now are copied there, only our own old copies are pruned,
and a folder that is gone (the USB stick not plugged in) leaves the backup made and the
failure recorded once; Home's notice counts the days without a backup outside this PC."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from primedist.core.clock import FixedClock
from primedist.db import backup as store_backup
from primedist.domain.audit import ActivityEvent, AuditEvent
from primedist.domain.enums import ActivityKind, Channel
from primedist.errors import ValidationError
from primedist.services import backup as svc
from primedist.services.context import ServiceContext
from tests.factories import make_orders, make_shop

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
needs_sqlite = pytest.mark.skipif(
    DIALECT != "sqlite", reason="the app's own backups of a SQLite store (pg_dump otherwise)"
)

#: Files of the owner's own in the USB stick's folder: never touched.
THEIRS = (
    "notes.txt",
    "primedist-my-notes-daily.db",  # our prefix and reason, not our name
    "primedist-20200101-000000-000000-daily.db.bak",
    "shop.db",
)


def copy_failures(ctx: ServiceContext) -> list[ActivityEvent]:
    with Session(ctx.engine) as session:
        rows = session.exec(
            select(ActivityEvent).where(ActivityEvent.kind == ActivityKind.BACKUP_COPY)
        )
        return list(rows.all())


def audit_actions(ctx: ServiceContext, action: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_the_daily_backup_is_copied_and_only_our_old_copies_pruned(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """On PostgreSQL the same with the daily pg_dump file (`.dump`)."""
    usb = tmp_path / "usb"
    usb.mkdir()
    for name in THEIRS:
        (usb / name).write_text("the owner's")
    end = ".db" if DIALECT == "sqlite" else ".dump"
    old = [f"primedist-2020010{d}-000000-000000-daily{end}" for d in (1, 2, 3)]
    manual = f"primedist-20200101-000000-000000-manual{end}"
    for name in (*old, manual):
        (usb / name).write_bytes(b"old copy")
    svc.set_backup_keep(owner_ctx, 2)
    svc.set_backup_also_to(owner_ctx, usb)

    path = svc.daily_backup(owner_ctx)

    copy = usb / path.name
    assert copy.read_bytes() == path.read_bytes()
    left = sorted(p.name for p in usb.iterdir())
    # The newest 2 daily copies (this one and the newest old one); the manual copy is of
    # another kind, and the owner's files are all there.
    assert left == sorted([*THEIRS, old[2], manual, path.name])
    assert not list(usb.glob("*.part"))
    (row,) = audit_actions(owner_ctx, "backup.copy")
    assert row.entity_id == path.name and row.summary == str(copy)
    status = svc.outside_copy(owner_ctx)
    assert status.folder == usb and status.last_file == str(copy) and status.failure is None


@needs_sqlite
def test_back_up_now_is_copied_too(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    svc.set_backup_also_to(owner_ctx, usb)
    path = svc.backup_now(owner_ctx)
    assert (usb / path.name).is_file() and path.name.endswith("-manual.db")


def test_a_dump_is_copied_and_pruned_by_its_own_kind(tmp_path: Path) -> None:
    """A PostgreSQL database's .dump backups: copied the same way, and the .db backups
    taken before a move to the server are another kind (never pruned with them)."""
    usb, backups = tmp_path / "usb", tmp_path / "backups"
    usb.mkdir()
    backups.mkdir()
    earlier_db = usb / "primedist-20200101-000000-000000-daily.db"
    earlier_db.write_bytes(b"sqlite")
    dumps = [usb / f"primedist-2020010{d}-000000-000000-daily.dump" for d in (1, 2)]
    for dump in dumps:
        dump.write_bytes(b"PGDMP old")
    new = backups / "primedist-20261120-030000-000000-daily.dump"
    new.write_bytes(b"PGDMP new")

    copy = store_backup.copy_backup(new, usb, keep=2)

    assert copy == usb / new.name and copy.read_bytes() == b"PGDMP new"
    assert sorted(p.name for p in usb.iterdir()) == sorted(
        [earlier_db.name, dumps[1].name, new.name]
    )


@needs_sqlite
def test_a_missing_folder_leaves_the_backup_made_and_is_said_once(
    owner_ctx: ServiceContext, tmp_path: Path, clock: FixedClock
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    svc.set_backup_also_to(owner_ctx, usb)
    usb.rmdir()  # the stick was pulled out

    path = svc.daily_backup(owner_ctx)  # no exception: the backup itself worked

    assert path.is_file() and path.parent == owner_ctx.settings.backup_dir  # type: ignore[union-attr]
    assert not usb.exists()  # never made on this PC's disk in the stick's place
    (event,) = copy_failures(owner_ctx)
    status = svc.outside_copy(owner_ctx)
    assert status.last_at is None and status.failure is not None
    assert status.failure.folder == str(usb)
    assert str(status.failure.reason).startswith("The folder is not there")
    clock.advance(timedelta(days=1))
    svc.daily_backup(owner_ctx)
    svc.backup_now(owner_ctx)
    assert len(copy_failures(owner_ctx)) == 1  # the same failure is not posted again

    usb.mkdir()  # plugged in again
    path = svc.backup_now(owner_ctx)
    assert (usb / path.name).is_file()
    assert svc.outside_copy(owner_ctx).failure is None


@needs_sqlite
def test_the_second_folder_is_checked_and_audited(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    backups = owner_ctx.settings.backup_dir  # type: ignore[union-attr]
    backups.mkdir(parents=True, exist_ok=True)
    with pytest.raises(ValidationError):
        svc.set_backup_also_to(owner_ctx, backups)
    with pytest.raises(ValidationError):
        svc.set_backup_also_to(owner_ctx, tmp_path / "not-plugged-in")
    usb = tmp_path / "usb"
    usb.mkdir()
    svc.set_backup_also_to(owner_ctx, usb)
    assert svc.backup_also_to(owner_ctx) == usb
    svc.set_backup_also_to(owner_ctx, None)
    assert svc.backup_also_to(owner_ctx) is None
    changes = [r for r in audit_actions(owner_ctx, "settings.change")
               if r.entity_id == svc.ALSO_TO_KEY]  # fmt: skip
    assert [r.after_json for r in changes] == [f'"{usb}"', '""']


@needs_sqlite
def test_home_notice_counts_the_days_without_a_backup_outside(
    owner_ctx: ServiceContext, tmp_path: Path, clock: FixedClock
) -> None:
    assert svc.outside_notice(owner_ctx) is None  # a new shop: nothing to lose yet
    shop = make_shop(owner_ctx.engine, "Quầy", Channel.OFFLINE)
    make_orders(owner_ctx.engine, shop, 1, start=clock.now(), step=timedelta(hours=1))
    advice = svc.outside_notice(owner_ctx)
    assert advice is not None and advice.days is None and not advice.folder_set

    usb = tmp_path / "usb"
    usb.mkdir()
    svc.set_backup_also_to(owner_ctx, usb)
    svc.backup_now(owner_ctx)
    assert svc.outside_notice(owner_ctx) is None
    clock.advance(timedelta(days=6))
    assert svc.outside_notice(owner_ctx) is None
    shutil.rmtree(usb)  # the stick left at home
    clock.advance(timedelta(days=2))
    svc.daily_backup(owner_ctx)
    late = svc.outside_notice(owner_ctx)
    assert late is not None and late.days == 8 and late.folder_set
    assert late.failure is not None and late.failure.folder == str(usb)
