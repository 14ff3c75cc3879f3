"""Migrations: the migrated schema is exactly the models', up/down round-trips, FTS stays in
step, and `open_store` backs up before migrating and reports failures as StoreError.

Runs on SQLite by default and on PostgreSQL with PRIMEDIST_TEST_DATABASE_URL; the SQLite-only
parts (FTS5, file backups, unreadable files) skip there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session

import primedist.db.backup as db_backup
import primedist.db.store as store
from primedist.config import Settings, resolve_settings
from primedist.core.text import fold, fts_match_query
from primedist.db.backup import list_backups, validate_backup
from primedist.db.engine import make_engine
from primedist.db.pg_backup import is_dump
from primedist.db.search import FTS_TABLES
from primedist.domain.base import metadata
from primedist.domain.customer import Customer
from primedist.errors import StoreError

# The `engine` fixture (tests/conftest.py) runs on this URL when set, else on SQLite.
PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
sqlite_only = pytest.mark.skipif(
    DIALECT != "sqlite", reason=f"SQLite only: the engine fixture runs on {DIALECT}"
)

USER_TABLES = set(metadata.tables)


# --- helpers -------------------------------------------------------------------------------


def _reset_pg_schema(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database (a new SQLite file, or an emptied PG schema)."""
    if PG_URL:
        engine = make_engine(PG_URL)
        _reset_pg_schema(engine)
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    yield engine
    engine.dispose()


def _alembic_cfg(engine: Engine, conn: sa.Connection | None = None) -> Any:
    return store.alembic_config(str(engine.url), conn)


def env_include_object(engine: Engine) -> Callable[..., bool]:
    """The `include_object` filter env.py configures (captured by running env.py itself)."""
    cfg = _alembic_cfg(engine)
    script = ScriptDirectory.from_config(cfg)
    captured: dict[str, Any] = {}

    def fn(_rev: Any, context: MigrationContext) -> list[Any]:
        captured.update(context.opts)
        return []

    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        with EnvironmentContext(cfg, script, fn=fn):
            script.run_env()
    assert callable(captured.get("include_object"))
    return captured["include_object"]


def schema_diff(engine: Engine, target: sa.MetaData = metadata) -> list[Any]:
    include_object = env_include_object(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        return compare_metadata(ctx, target)


def downgrade(engine: Engine, revision: str = "base") -> None:
    store.migrate(engine, revision, down=True)


def table_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def sqlite_objects(engine: Engine, type_: str) -> set[str]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = ?", (type_,)
        ).scalars()
        return set(rows)


# --- schema ----------------------------------------------------------------------------------


def test_upgrade_head_on_empty_database_produces_the_models_schema(
    empty_engine: Engine,
) -> None:
    assert table_names(empty_engine) == set()
    store.upgrade(empty_engine)

    assert store.current_revision(empty_engine) == store.HEAD_REVISION
    # Every model table is there (FTS tables are SQLite extras and filtered out below).
    base_tables = {t for t in table_names(empty_engine) if "_fts" not in t}
    assert base_tables == USER_TABLES | {"alembic_version"}
    # Tables, columns, types, nullability, indexes, unique constraints, foreign keys.
    assert schema_diff(empty_engine) == []


def test_check_constraints_match_the_models(engine: Engine) -> None:
    expected_any = False
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for table in metadata.sorted_tables:
            expected = {str(c.name) for c in table.constraints if isinstance(c, sa.CheckConstraint)}
            actual = {str(c["name"]) for c in inspector.get_check_constraints(table.name)}
            assert actual == expected, table.name
            expected_any = expected_any or bool(expected)
    assert expected_any
    assert "ck_orders_total_adds_up" in {str(c.name) for c in metadata.tables["orders"].constraints}


def test_schema_comparison_notices_drift(engine: Engine) -> None:
    """Control: the diff the schema test asserts empty does report a model change."""
    drifted = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["orders"].append_column(sa.Column("gift_wrap", sa.Boolean, nullable=True))
    sa.Index(None, drifted.tables["customers"].c.email)

    diff = schema_diff(engine, drifted)
    kinds = {(d[0], d[2]) if d[0] == "add_column" else (d[0],) for d in diff}
    assert ("add_column", "orders") in kinds
    assert ("add_index",) in kinds
    assert len(diff) == 2


def test_env_filter_leaves_out_only_fts_tables(engine: Engine) -> None:
    include_object = env_include_object(engine)
    for fts in FTS_TABLES.values():
        assert not include_object(None, fts, "table", True, None)
        assert not include_object(None, f"{fts}_data", "table", True, None)
    for name in USER_TABLES:
        assert include_object(None, name, "table", True, None)


def test_head_revision_constant_matches_alembic(engine: Engine) -> None:
    script = ScriptDirectory.from_config(_alembic_cfg(engine))
    assert script.get_heads() == [store.HEAD_REVISION]
    assert script.get_current_head() == store.HEAD_REVISION
    assert store.current_revision(engine) == store.HEAD_REVISION


def test_downgrade_to_base_then_upgrade_head(engine: Engine) -> None:
    assert USER_TABLES <= table_names(engine)

    downgrade(engine, "base")
    assert table_names(engine) == {"alembic_version"}
    assert store.current_revision(engine) is None
    if engine.dialect.name == "sqlite":
        assert sqlite_objects(engine, "trigger") == set()
        assert sqlite_objects(engine, "view") == set()

    store.upgrade(engine)
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []


# --- full-text search (SQLite FTS5) ----------------------------------------------------------

EXPECTED_TRIGGERS = {
    f"{table}_fts_{suffix}"
    for table in ("customers", "products", "orders")
    for suffix in ("ai", "ad", "au")
}


@sqlite_only
def test_fts_tables_and_triggers_exist(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
        ).all()
    sql_by_name = dict(rows)
    for table, fts in FTS_TABLES.items():
        assert "VIRTUAL TABLE" in sql_by_name[fts].upper()
        assert f"content='{table}'" in sql_by_name[fts]
    assert len(EXPECTED_TRIGGERS) == 9
    assert sqlite_objects(engine, "trigger") == EXPECTED_TRIGGERS


def _fts_hits(engine: Engine, query: str) -> list[int]:
    match = fts_match_query(query)
    assert match is not None
    with engine.connect() as conn:
        return list(
            conn.exec_driver_sql(
                "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? ORDER BY rowid",
                (match,),
            ).scalars()
        )


@sqlite_only
def test_customer_changes_keep_fts_in_step(engine: Engine) -> None:
    with Session(engine) as session:
        customer = Customer(
            code="KH0001",
            name="Nguyễn Văn Đạt",
            search_text=fold("Nguyễn Văn Đạt KH0001"),
        )
        session.add(customer)
        session.commit()
        cid = customer.id
    assert cid is not None

    assert _fts_hits(engine, "dat") == [cid]
    assert _fts_hits(engine, "Nguyễn") == [cid]
    assert _fts_hits(engine, "ngu") == [cid]  # prefix query
    assert _fts_hits(engine, "binh") == []

    with Session(engine) as session:
        row = session.get(Customer, cid)
        assert row is not None
        row.name = "Trần Thị Bình"
        row.search_text = fold("Trần Thị Bình KH0001")
        session.add(row)
        session.commit()

    assert _fts_hits(engine, "binh") == [cid]
    assert _fts_hits(engine, "tran thi") == [cid]
    assert _fts_hits(engine, "dat") == []
    assert _fts_hits(engine, "nguyen") == []
    assert _fts_hits(engine, "kh0001") == [cid]

    with Session(engine) as session:
        row = session.get(Customer, cid)
        session.delete(row)
        session.commit()

    assert _fts_hits(engine, "binh") == []
    assert _fts_hits(engine, "kh0001") == []


# --- open_store --------------------------------------------------------------------------


class UpgradeRecorder:
    """Stands in for `store.upgrade`: records the backups present when it is called."""

    def __init__(self, settings: Settings, real: Callable[..., None] | None = None) -> None:
        self.settings = settings
        self.real = real
        self.calls: list[list[Path]] = []

    def __call__(self, engine: Engine, revision: str = "head") -> None:
        self.calls.append(sorted(self.settings.backup_dir.glob("primedist-*")))
        if self.real is not None:
            self.real(engine, revision)


@pytest.mark.usefixtures("owner")  # a copy of a store without a shop is no backup
def test_open_store_backs_up_before_upgrading_an_older_schema(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert list_backups(settings.backup_dir) == []
    recorder = UpgradeRecorder(settings)
    monkeypatch.setattr(store, "upgrade", recorder)
    monkeypatch.setattr(store, "current_revision", lambda _engine: "0000_older")

    opened = store.open_store(settings)
    try:
        assert len(recorder.calls) == 1
        backups_at_upgrade = recorder.calls[0]
        # The backup was already on disk when the upgrade started.
        assert len(backups_at_upgrade) == 1
        backup = backups_at_upgrade[0]
        if settings.is_sqlite:
            assert backup.name.endswith("-pre-migrate.db")
            assert validate_backup(backup) == store.HEAD_REVISION
            assert list_backups(settings.backup_dir) == [backup]
        else:  # a server database: pg_dump's file, as Backup & restore writes it
            assert backup.name.endswith("-pre-migrate.dump") and is_dump(backup)
            assert list_backups(settings.backup_dir, suffix=".dump") == [backup]
    finally:
        opened.dispose()


def test_open_store_at_head_does_not_migrate(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = UpgradeRecorder(settings)
    monkeypatch.setattr(store, "upgrade", recorder)
    opened = store.open_store(settings)
    opened.dispose()
    assert recorder.calls == []
    assert list_backups(settings.backup_dir) == []


def test_open_store_without_migrate_refuses_an_older_schema(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = UpgradeRecorder(settings)
    monkeypatch.setattr(store, "upgrade", recorder)
    monkeypatch.setattr(store, "current_revision", lambda _engine: "0000_older")
    with pytest.raises(StoreError, match=r"0000_older.*primedist migrate"):
        store.open_store(settings, migrate=False)
    assert recorder.calls == []


def test_open_store_migrates_a_fresh_data_dir_without_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if PG_URL:
        engine = make_engine(PG_URL)
        _reset_pg_schema(engine)
        engine.dispose()
    fresh = resolve_settings(tmp_path / "fresh", PG_URL or None)
    assert not fresh.data_dir.exists()
    recorder = UpgradeRecorder(fresh, real=store.upgrade)
    monkeypatch.setattr(store, "upgrade", recorder)

    engine = store.open_store(fresh)
    try:
        assert recorder.calls == [[]]
        assert store.current_revision(engine) == store.HEAD_REVISION
        assert USER_TABLES <= table_names(engine)
        assert fresh.backup_dir.is_dir()
        assert list(fresh.backup_dir.iterdir()) == []
        if fresh.is_sqlite:
            assert fresh.db_path is not None and fresh.db_path.is_file()
    finally:
        engine.dispose()


@sqlite_only
@pytest.mark.usefixtures("owner")
def test_no_upgrade_when_its_backup_fails_unless_the_owner_says_so(
    cli: Callable[..., Any], engine: Engine, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    store.migrate(engine, "-1", down=True)  # an app update finds one migration pending
    older = store.current_revision(engine)
    engine.dispose()

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(db_backup, "_copy_database", full_disk)
    with pytest.raises(StoreError) as refused:
        store.open_store(settings)
    assert str(refused.value).startswith("The database was not upgraded: the backup made before")
    assert "No space left on device" in str(refused.value)
    assert "primedist migrate --without-backup" in str(refused.value)
    assert store.current_revision(engine) == older
    engine.dispose()

    done = cli("--data-dir", str(settings.data_dir), "migrate", "--without-backup", "--json")
    assert done.code == 0, done.err
    assert done.json() == {"from": older, "to": store.HEAD_REVISION, "backup": None}
    assert list_backups(settings.backup_dir) == []


@sqlite_only
@pytest.mark.usefixtures("owner")  # a copy of a store without a shop is no backup
def test_failed_upgrade_raises_store_error_naming_the_backup(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_upgrade(_engine: Engine, _revision: str = "head") -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "upgrade", broken_upgrade)
    monkeypatch.setattr(store, "current_revision", lambda _engine: "0000_older")

    with pytest.raises(StoreError) as info:
        store.open_store(settings)

    message = str(info.value)
    assert "disk on fire" in message
    backups = list_backups(settings.backup_dir, reason="pre-migrate")
    assert len(backups) == 1
    assert str(backups[0]) in message
    assert info.value.user_message == message
    assert validate_backup(backups[0]) == store.HEAD_REVISION


@sqlite_only
def test_unreadable_database_file_gives_store_error(tmp_path: Path) -> None:
    settings = resolve_settings(tmp_path / "data")
    settings.ensure_dirs()
    assert settings.db_path is not None
    settings.db_path.write_bytes(b"this is not a database at all\n" * 300)

    with pytest.raises(StoreError, match="cannot be opened") as info:
        store.open_store(settings)
    assert str(settings.db_path) in str(info.value)
    assert "damaged" in str(info.value) and "primedist restore FILE" in str(info.value)
    # Nothing was migrated or backed up over the damaged file.
    assert list(settings.backup_dir.iterdir()) == []
    assert settings.db_path.read_bytes().startswith(b"this is not a database")


def test_an_unreachable_server_is_named_without_its_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://shop:s3cret-pw@127.0.0.1:1/primedist?connect_timeout=2"
    settings = resolve_settings(tmp_path / "data", url)

    with pytest.raises(StoreError, match="cannot be opened") as info:
        store.open_store(settings)
    assert "shop:***@127.0.0.1:1/primedist" in str(info.value)
    assert "s3cret-pw" not in str(info.value)
