"""Backup files are named with the shop's local time (its offset in the name); the older
names hold UTC. Listing, keeping the newest N and pruning the second folder go by the time
each name means, never by the names, which mix the two."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.core.clock import shop_tz, to_local
from primedist.db.backup import (
    create_backup,
    list_backups,
    prune_backups,
    prune_copies,
    taken_at,
)
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Role
from primedist.domain.shop import Shop
from primedist.domain.user import User
from primedist.services import backup as svc
from primedist.services.context import ServiceContext

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
sqlite_only = pytest.mark.skipif(
    DIALECT != "sqlite",
    reason=f"SQLite only ({DIALECT}): app backups are SQLite files (pg_dump for a server)",
)

#: Newest first by the time they were taken; by name, LOCAL_15 would come before UTC_09.
LOCAL_17 = "primedist-20201207-170000+0700-000000-daily.db"  # 10:00 UTC
UTC_09 = "primedist-20201207-090000-000000-daily.db"  # 09:00 UTC (16:00 in Vietnam)
UNNAMED = "primedist-copy-daily.db"  # no time in its name: its last write, 08:30 UTC
LOCAL_15 = "primedist-20201207-150000+0700-000000-daily.db"  # 08:00 UTC
UTC_06_23 = "primedist-20201206-230000-000000-daily.db"  # 23:00 UTC the day before
NEWEST_FIRST = [LOCAL_17, UTC_09, UNNAMED, LOCAL_15, UTC_06_23]
#: Named where the clock is 5 hours behind UTC: 10:00 UTC as well.
PRE_RESTORE = "primedist-20201207-050000-0500-000000-pre-restore.db"


def mixed_folder(folder: Path) -> Path:
    """The five files above, written in name order (their mtimes say nothing)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in sorted(NEWEST_FIRST):
        (folder / name).write_bytes(b"x")
    at = datetime(2020, 12, 7, 8, 30, tzinfo=UTC).timestamp()
    os.utime(folder / UNNAMED, (at, at))
    return folder


@sqlite_only
def test_a_backup_is_named_with_the_shops_local_time(engine: Engine, tmp_path: Path) -> None:
    owner = {"name": "Owner", "email": "o@shop.vn", "password_hash": "x", "role": Role.OWNER}
    with engine.begin() as conn:  # a backup needs a shop and its owner
        conn.execute(sa.insert(table_of(User)), [owner])
        conn.execute(sa.insert(table_of(Shop)), [{"name": "Shop", "channel": Channel.OFFLINE}])
    before = datetime.now(UTC)
    path = create_backup(engine, tmp_path, reason="manual")
    after = datetime.now(UTC)

    match = re.fullmatch(r"primedist-(\d{8}-\d{6})\+0700-\d{6}-manual\.db", path.name)
    assert match, path.name
    taken = taken_at(path)
    assert taken is not None and before - timedelta(seconds=1) <= taken <= after
    assert match[1] == f"{to_local(taken, shop_tz()):%Y%m%d-%H%M%S}"  # 10:00 in Vietnam


def test_the_time_in_a_name_is_read_as_local_or_utc() -> None:
    at = datetime(2020, 12, 7, 10, 0, tzinfo=UTC)
    assert taken_at(Path(LOCAL_17)) == at
    assert taken_at(Path("primedist-20201207-100000-000000-daily.db")) == at  # an older name
    assert taken_at(Path(PRE_RESTORE)) == at
    assert taken_at(Path(UNNAMED)) is None


def test_listing_and_keeping_the_newest_go_by_time_across_utc_and_local_names(
    tmp_path: Path,
) -> None:
    folder = mixed_folder(tmp_path / "backups")
    assert [p.name for p in list_backups(folder, reason="daily")] == NEWEST_FIRST

    gone = prune_backups(folder, reason="daily", keep=3)

    assert sorted(p.name for p in gone) == sorted([LOCAL_15, UTC_06_23])
    assert sorted(p.name for p in folder.iterdir()) == sorted(NEWEST_FIRST[:3])


def test_the_second_folder_keeps_the_newest_copies_by_time(tmp_path: Path) -> None:
    usb = mixed_folder(tmp_path / "usb")
    newest = usb / LOCAL_17

    gone = prune_copies(usb, reason="daily", keep=2, suffix=".db", spare=newest)

    # Only our names are pruned (the unnamed file is not ours), the oldest ones.
    assert sorted(p.name for p in gone) == sorted([LOCAL_15, UTC_06_23])
    assert sorted(p.name for p in usb.iterdir()) == sorted([LOCAL_17, UTC_09, UNNAMED])


@sqlite_only
def test_the_backups_page_lists_both_kinds_of_names_by_time(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    mixed_folder(settings.backup_dir)
    (settings.backup_dir / PRE_RESTORE).write_bytes(b"x")
    listed = [(b.path.name, b.reason, b.utc_name) for b in svc.list_backups(owner_ctx)]
    assert listed == [
        (LOCAL_17, "daily", False),
        (PRE_RESTORE, "pre-restore", False),
        (UTC_09, "daily", True),
        (UNNAMED, "", False),
        (LOCAL_15, "daily", False),
        (UTC_06_23, "daily", True),
    ]
