"""Online backups of the SQLite store: consistency under a concurrent writer, retention,
validation of what is about to be restored, and restore with a safety copy."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.db.backup import (
    create_backup,
    list_backups,
    prune_backups,
    restore_backup,
    validate_backup,
)
from primedist.db.engine import make_engine
from primedist.db.store import HEAD_REVISION
from primedist.domain.enums import Channel
from primedist.domain.shop import Shop
from primedist.errors import StoreError
from tests.factories import shop_names_in_file

# The `engine` fixture (tests/conftest.py) runs on this URL when set, else on SQLite.
PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
pytestmark = pytest.mark.skipif(
    DIALECT != "sqlite",
    reason=f"SQLite only ({DIALECT}): app backups are SQLite files (pg_dump for a server)",
)

SHOPS = Shop.__table__  # type: ignore[attr-defined]


def add_shops(bind: Engine | sa.Connection, *names: str) -> None:
    rows = [{"name": n, "channel": Channel.OFFLINE} for n in names]
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            conn.execute(SHOPS.insert(), rows)
    else:
        bind.execute(SHOPS.insert(), rows)


def shop_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(SHOPS.c.name)).scalars())


def test_backup_during_open_write_transaction_is_consistent(engine: Engine, tmp_path: Path) -> None:
    add_shops(engine, "Committed 1", "Committed 2")
    with engine.connect() as writer:
        writer.begin()
        add_shops(writer, *(f"Uncommitted {i}" for i in range(500)))
        writer.execute(SHOPS.update().where(SHOPS.c.name == "Committed 1").values(region="XX"))
        # The writer really holds its transaction: it sees its own rows.
        assert writer.execute(sa.select(sa.func.count()).select_from(SHOPS)).scalar() == 502

        backup = create_backup(engine, tmp_path / "backups", reason="manual")
        writer.rollback()

    assert backup.is_file()
    assert shop_names_in_file(backup) == {"Committed 1", "Committed 2"}
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT region FROM shops WHERE name = 'Committed 1'").fetchone() == (
            "VN",
        )
    finally:
        conn.close()
    assert validate_backup(backup) == HEAD_REVISION
    assert not list(backup.parent.glob("*.part"))


def test_backup_to_an_explicit_file_path(engine: Engine, tmp_path: Path) -> None:
    add_shops(engine, "Only")
    target = tmp_path / "exports" / "my-copy.db"
    assert create_backup(engine, target) == target
    assert shop_names_in_file(target) == {"Only"}


def test_keep_retains_the_newest_backups_of_that_reason(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    manual = create_backup(engine, folder, reason="manual")
    made = [create_backup(engine, folder, reason="daily", keep=3) for _ in range(5)]

    daily = list_backups(folder, reason="daily")
    assert daily == sorted(made[-3:], reverse=True)  # newest first
    for old in made[:2]:
        assert not old.exists()
    # Other reasons are untouched by the daily retention.
    assert list_backups(folder, reason="manual") == [manual]
    assert set(list_backups(folder)) == {manual, *made[-3:]}

    assert prune_backups(folder, reason="daily", keep=1) == sorted(made[-3:-1], reverse=True)
    assert list_backups(folder, reason="daily") == [made[-1]]


def test_validate_rejects_a_text_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("Danh sách khách hàng\n" * 100, encoding="utf-8")
    with pytest.raises(StoreError, match="not a Prime Distribution backup"):
        validate_backup(text)


def test_validate_rejects_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        validate_backup(tmp_path / "nope.db")


def test_validate_rejects_a_truncated_copy(engine: Engine, tmp_path: Path) -> None:
    add_shops(engine, *(f"Shop {i}" for i in range(50)))
    good = create_backup(engine, tmp_path / "backups")
    data = good.read_bytes()
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(data[: len(data) // 2])

    with pytest.raises(StoreError) as info:
        validate_backup(truncated)
    message = str(info.value)
    assert "truncated.db" in message
    assert "malformed" in message or "damaged" in message


def test_validate_rejects_a_sqlite_file_that_is_not_ours(tmp_path: Path) -> None:
    foreign = tmp_path / "other-app.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO contacts (name) VALUES ('x')")
    conn.commit()
    conn.close()

    with pytest.raises(StoreError, match="other-app.db is not a Prime Distribution backup"):
        validate_backup(foreign)


def test_validate_rejects_a_database_without_schema_version(tmp_path: Path) -> None:
    odd = tmp_path / "odd.db"
    conn = sqlite3.connect(odd)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("CREATE TABLE shops (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="no schema version"):
        validate_backup(odd)


def test_restore_replaces_the_data_and_keeps_a_safety_copy(
    engine: Engine, settings: Settings
) -> None:
    assert settings.db_path is not None
    add_shops(engine, "Before")
    backup = create_backup(engine, settings.backup_dir, reason="manual")
    add_shops(engine, "After")
    with engine.begin() as conn:
        conn.execute(SHOPS.update().where(SHOPS.c.name == "Before").values(region="XX"))
    assert shop_names(engine) == {"Before", "After"}

    safety = restore_backup(engine, settings.db_path, backup, settings.backup_dir)

    # A new engine sees the backup's rows.
    fresh = make_engine(settings.database_url)
    try:
        assert shop_names(fresh) == {"Before"}
        with fresh.connect() as conn:
            region = conn.execute(sa.select(SHOPS.c.region)).scalar_one()
            assert region == "VN"
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        fresh.dispose()
    # The disposed engine reconnects to the restored file, not the replaced one.
    assert shop_names(engine) == {"Before"}

    # The safety copy holds what was there before the restore.
    assert safety.name.endswith("-pre-restore.db")
    assert safety.parent == settings.backup_dir
    assert shop_names_in_file(safety) == {"Before", "After"}
    assert validate_backup(safety) == HEAD_REVISION


def test_restore_of_an_invalid_file_leaves_the_database_alone(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    assert settings.db_path is not None
    add_shops(engine, "Keep me")
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)

    with pytest.raises(StoreError):
        restore_backup(engine, settings.db_path, bogus, settings.backup_dir)

    assert shop_names(engine) == {"Keep me"}
    assert list_backups(settings.backup_dir, reason="pre-restore") == []


def test_a_backup_that_cannot_be_written_says_why_and_leaves_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    blocker = tmp_path / "orders.csv"
    blocker.write_text("a file where a folder would go", encoding="utf-8")
    with pytest.raises(StoreError, match="The backup to .* failed: "):
        create_backup(engine, blocker / "b.db")  # the folder cannot be made
    with pytest.raises(StoreError, match="The backup to .* failed: "):
        create_backup(engine, blocker / "sub")
    assert blocker.is_file() and not list(tmp_path.rglob("*.part*"))


def test_a_restore_that_cannot_copy_leaves_the_database_as_it_was(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import primedist.db.backup as backup_module

    assert settings.db_path is not None
    add_shops(engine, "Keep me")
    backup = create_backup(engine, settings.backup_dir, reason="manual")
    add_shops(engine, "Also kept")

    def disk_full(source: Path, tmp: Path) -> None:
        tmp.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_module, "_copy_database_file", disk_full)
    with pytest.raises(StoreError, match="No space left on device. The database was not changed"):
        restore_backup(engine, settings.db_path, backup, settings.backup_dir)
    assert not settings.db_path.with_name(settings.db_path.name + ".restore").exists()
    assert shop_names(engine) == {"Keep me", "Also kept"}


def test_a_restore_brings_the_transactions_still_in_the_files_wal(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    assert settings.db_path is not None
    source = tmp_path / "copy" / "primedist.db"
    create_backup(engine, source)
    writer = sqlite3.connect(source)  # a copy someone opened and wrote to, WAL not folded in
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO shops (name, channel, region, status, timezone, is_active, "
                   "created_at) VALUES ('Only in the WAL', 'offline', 'VN', 'active', "
                   "'Asia/Ho_Chi_Minh', 1, '2026-12-05 00:00:00')")  # fmt: skip
    writer.commit()
    assert Path(f"{source}-wal").stat().st_size > 0
    try:
        restore_backup(engine, settings.db_path, source, settings.backup_dir)
    finally:
        writer.close()
    assert "Only in the WAL" in shop_names(engine)
