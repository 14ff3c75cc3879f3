"""Online backups of the SQLite store: consistency under a concurrent writer, retention
(the safety copies too), the user's target, validation of what is about to be restored,
restore with a safety copy, and restore over a damaged or missing database."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.db.backup import (
    backup_to,
    create_backup,
    find_damage,
    known_revisions,
    list_backups,
    prune_backups,
    restore_backup,
    restore_over_damaged,
    validate_backup,
)
from primedist.db.engine import make_engine
from primedist.db.store import HEAD_REVISION
from primedist.domain.enums import Channel, Role
from primedist.domain.shop import Shop
from primedist.domain.user import User
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
USERS = User.__table__  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _an_owner(engine: Engine) -> None:
    """Every store here has its owner (the tests add its shops): a backup without a shop
    and its owner is refused (test_backup_fixes.py)."""
    with engine.begin() as conn:
        conn.execute(USERS.insert(), [{"name": "Owner", "email": "o@shop.vn",
                                       "password_hash": "x", "role": Role.OWNER}])  # fmt: skip


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
    target.parent.mkdir()  # a missing folder is refused (test_backup_clock_ahead)
    assert backup_to(engine, target) == target
    assert shop_names_in_file(target) == {"Only"}


@pytest.mark.parametrize("name", ["mybackup.sqlite", "backup-monday", "copy.db.bak"])
def test_backup_to_a_file_of_any_name(engine: Engine, tmp_path: Path, name: str) -> None:
    add_shops(engine, "Only")
    target = tmp_path / "usb" / name
    target.parent.mkdir()
    assert backup_to(engine, target) == target
    assert target.is_file()
    assert shop_names_in_file(target) == {"Only"}
    assert validate_backup(target) == HEAD_REVISION


def test_backup_to_an_existing_folder_goes_inside_it(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "usb.db"  # a folder, whatever its name
    folder.mkdir()
    path = backup_to(engine, folder)
    assert path.parent == folder
    assert path.name.startswith("primedist-") and path.name.endswith("-manual.db")
    assert list_backups(folder) == [path]


def test_backup_to_an_existing_file_is_refused_and_the_file_kept(
    engine: Engine, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    for name, content in (("notes.txt", b"keep me"), ("older.db", b"an older backup")):
        existing = usb / name
        existing.write_bytes(content)
        with pytest.raises(StoreError) as info:
            backup_to(engine, existing)
        assert info.value.user_message == (
            f"{existing} already exists: give the name of a new file, or a folder to write "
            "the backup in."
        )
        assert existing.read_bytes() == content
    assert sorted(p.name for p in usb.iterdir()) == ["notes.txt", "older.db"]


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
    size, full = len(data) // 2, len(data)
    assert info.value.user_message == (
        f"truncated.db is incomplete ({size:,} of {full:,} bytes): a copy that did not "
        "finish? Copy it again from where the backup is kept."
    )


def _copy_with_a_broken_page(engine: Engine, tmp_path: Path) -> Path:
    """A backup of the full size whose table pages were overwritten (a bad sector)."""
    add_shops(engine, *(f"Shop {i}" for i in range(50)))
    good = create_backup(engine, tmp_path / "backups")
    data = bytearray(good.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for start in range(page, len(data), page):  # every page but the first (the schema)
        data[start : start + 64] = b"\xff" * 64
    broken = tmp_path / "broken.db"
    broken.write_bytes(bytes(data))
    return broken


def test_validate_tells_a_damaged_backup_from_one_that_is_not_a_backup(
    engine: Engine, tmp_path: Path
) -> None:
    broken = _copy_with_a_broken_page(engine, tmp_path)
    with pytest.raises(StoreError) as info:
        validate_backup(broken)
    message = info.value.user_message
    assert message.startswith("broken.db is damaged or incomplete (")
    assert message.endswith(
        "): copy it again from where the backup is kept, or choose another backup."
    )
    assert "not a Prime Distribution backup" not in message
    assert "\n" not in message  # SQLite's first finding, on one line

    cut = tmp_path / "cut.db"  # the header whole, the rest missing
    cut.write_bytes(broken.read_bytes()[:100])
    with pytest.raises(StoreError, match=r"cut.db is incomplete \(100 of "):
        validate_backup(cut)
    stub = tmp_path / "stub.db"  # cut inside the header
    stub.write_bytes(broken.read_bytes()[:40])
    with pytest.raises(StoreError, match=r"stub.db is damaged or incomplete \(only 40 bytes\)"):
        validate_backup(stub)

    zeros = tmp_path / "zeros.db"
    zeros.write_bytes(b"\x00" * 8192)
    with pytest.raises(StoreError, match=r"zeros.db is not a Prime Distribution backup \(not"):
        validate_backup(zeros)


def test_validate_rejects_a_sqlite_file_that_is_not_ours(tmp_path: Path) -> None:
    foreign = tmp_path / "other-app.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO contacts (name) VALUES ('x')")
    conn.commit()
    conn.close()

    with pytest.raises(StoreError) as caught:
        validate_backup(foreign)
    # In the owner's words, not SQLite's ("…: no such table: alembic_version").
    assert caught.value.user_message == (
        "other-app.db is not a Prime Distribution backup (another app's database)."
    )


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
    with pytest.raises(StoreError, match="orders.csv' does not exist"):
        backup_to(engine, blocker / "b.db")  # no folder is made for a backup FILE
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
    source.parent.mkdir()
    backup_to(engine, source)
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


# Safety copies: kept as many as the setting says ----------------------------------------
def store_keep(engine: Engine, keep: int) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO app_settings (key, value_json, updated_at) "
            "VALUES ('backup.keep', ?, '2026-12-05 00:00:00')",
            (str(keep),),
        )


def test_restores_keep_the_newest_safety_copies_as_the_setting_says(
    engine: Engine, settings: Settings
) -> None:
    assert settings.db_path is not None
    store_keep(engine, 2)
    add_shops(engine, "Shop")
    saved = create_backup(engine, settings.backup_dir, reason="manual")

    made = [restore_backup(engine, settings.db_path, saved, settings.backup_dir)
            for _ in range(4)]  # fmt: skip

    assert list_backups(settings.backup_dir, reason="pre-restore") == [made[3], made[2]]
    assert list_backups(settings.backup_dir, reason="manual") == [saved]  # another kind


def test_upgrades_keep_the_newest_safety_copies_as_the_setting_says(
    engine: Engine, settings: Settings
) -> None:
    from primedist.db.store import migrate, migrate_store

    store_keep(engine, 2)
    add_shops(engine, "Shop")
    previous = sorted(known_revisions())[-2]  # one migration behind, as after an update
    made: list[Path] = []
    for _ in range(3):
        migrate(engine, previous, down=True)
        backup = migrate_store(settings, engine, from_revision=previous)
        assert backup is not None
        made.append(backup)

    assert list_backups(settings.backup_dir, reason="pre-migrate") == [made[2], made[1]]
    assert validate_backup(made[2]) == previous


def test_a_safety_copy_is_kept_even_when_the_clock_went_back(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    future = folder / "primedist-29991231-000000-000000-pre-restore.db"  # a wrong clock's
    future.write_bytes(b"x")
    store_keep(engine, 1)
    made = create_backup(engine, folder, reason="pre-restore")
    assert made.is_file()
    # Dated in the future: ranks as the oldest (test_backup_clock_ahead), and goes.
    assert not future.exists()


def test_undoing_a_restore_keeps_the_safety_copy_it_restores(
    engine: Engine, settings: Settings
) -> None:
    """Restoring the oldest safety copy (undo a restore) takes a new safety copy first:
    its pruning deleted the very copy chosen, and the restore then failed with the data
    the owner wanted back gone for good."""
    assert settings.db_path is not None
    store_keep(engine, 1)
    add_shops(engine, "Before the restore")
    backup = create_backup(engine, settings.backup_dir, reason="manual")
    add_shops(engine, "Sold since")
    undo = restore_backup(engine, settings.db_path, backup, settings.backup_dir)
    assert shop_names(engine) == {"Before the restore"}

    safety = restore_backup(engine, settings.db_path, undo, settings.backup_dir)

    assert shop_names(engine) == {"Before the restore", "Sold since"}
    assert undo.is_file()  # still there: the restore's own safety copy did not push it out
    assert list_backups(settings.backup_dir, reason="pre-restore") == [safety, undo]


# Restore over a damaged or missing database ---------------------------------------------
def test_a_damaged_database_is_set_aside_with_its_side_files_and_the_backup_put_in(
    engine: Engine, settings: Settings
) -> None:
    db = settings.db_path
    assert db is not None
    add_shops(engine, "From the backup")
    saved = create_backup(engine, settings.backup_dir, reason="manual")
    engine.dispose()
    damaged = saved.read_bytes()[:50_000]  # as `head -c` leaves it
    db.write_bytes(damaged)
    Path(f"{db}-wal").write_bytes(b"old wal")
    Path(f"{db}-shm").write_bytes(b"old shm")
    assert find_damage(db) is not None

    moved = restore_over_damaged(db, saved)

    main = moved[0]
    assert main.parent == db.parent
    assert main.name.startswith("primedist.db.damaged-")
    assert main.read_bytes() == damaged  # set aside as it was, not copied through SQLite
    assert [p.name for p in moved[1:]] == [f"{main.name}-wal", f"{main.name}-shm"]
    assert Path(f"{main}-wal").read_bytes() == b"old wal"
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()
    assert find_damage(db) is None
    assert shop_names_in_file(db) == shop_names_in_file(saved)
    assert list_backups(settings.backup_dir, reason="pre-restore") == []


def test_a_second_damaged_database_in_the_same_second_gets_its_own_name(
    engine: Engine, settings: Settings
) -> None:
    db = settings.db_path
    assert db is not None
    add_shops(engine, "Shop")
    saved = create_backup(engine, settings.backup_dir, reason="manual")
    engine.dispose()
    names = set()
    for content in (b"\x00" * 4096, b"\x01" * 4096):
        db.write_bytes(content)
        (aside,) = restore_over_damaged(db, saved)
        assert aside.read_bytes() == content
        names.add(aside.name)
    assert len(names) == 2


def test_a_bad_backup_leaves_the_damaged_database_where_it_was(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    db = settings.db_path
    assert db is not None
    engine.dispose()
    db.write_bytes(b"\x00" * 4096)
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(StoreError):
        restore_over_damaged(db, bogus)
    assert db.read_bytes() == b"\x00" * 4096
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith("primedist.db")) == [
        "primedist.db"
    ]


def test_a_missing_database_just_receives_the_backup(engine: Engine, tmp_path: Path) -> None:
    add_shops(engine, "Moved to a new PC")
    saved = create_backup(engine, tmp_path / "usb")
    db = tmp_path / "new-pc" / "data" / "primedist.db"

    assert restore_over_damaged(db, saved) == []

    assert shop_names_in_file(db) == shop_names_in_file(saved)
    assert [p.name for p in db.parent.iterdir()] == ["primedist.db"]
