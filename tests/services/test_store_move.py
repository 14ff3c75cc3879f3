"""`primedist migrate --to URL`: a demo shop (with a linked marketplace shop's encrypted
tokens) copied from SQLite into an empty SQLite file and, when
PRIMEDIST_TEST_DATABASE_URL is set, into an empty PostgreSQL database on that server.
Then every row is compared, the app works on the copy (orders list, customer search, a
new sale, the shop's tokens on another PC with the key file), non-empty targets are
refused, and a failure mid-copy leaves the target as it was."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.domain  # noqa: F401  (registers every table)
from primedist.config import Settings, resolve_settings
from primedist.connectors.base import AuthError, TokenPair
from primedist.core.clock import FixedClock, shop_tz
from primedist.core.security import FileKeyStore, KeyringKeyStore, forget_secret_boxes
from primedist.db import transfer
from primedist.db.engine import make_engine
from primedist.db.store import HEAD_REVISION, current_revision, open_store, upgrade
from primedist.domain.base import metadata
from primedist.domain.enums import Role
from primedist.errors import PermissionDenied, StoreError
from primedist.queries import customers as customer_queries
from primedist.queries import orders as order_queries
from primedist.queries.spec import fetch_keys
from primedist.services import auth, channels, demo, store_move
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft, create_order
from tests.conftest import FIXED_NOW, PG_URL

PARTNER_KEY = "shpk4d6f5a6b4c6f4e6c6e6a78784f6f"
TOKENS = ("access-token-move-0001", "refresh-token-move-0001")
TARGETS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not PG_URL, reason="set PRIMEDIST_TEST_DATABASE_URL to copy into PostgreSQL"
        ),
    ),
]


# The source: a demo shop in a SQLite data dir, built once -----------------------------
@pytest.fixture(scope="module")
def source_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir (database + secret.key) with a demo shop, a linked Shopee shop and a
    customer whose referrer comes after them (a forward self reference)."""
    folder = tmp_path_factory.mktemp("move-source")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PRIMEDIST_NO_KEYRING", "1")
        settings = resolve_settings(folder, f"sqlite:///{folder / 'primedist.db'}")
        engine = open_store(settings)
        ctx = ServiceContext(engine, clock=FixedClock(FIXED_NOW), settings=settings)
        owner = ctx.with_actor(demo.ensure_demo_owner(ctx))
        demo.generate_demo(owner, orders=250, customers=60, seed=3)
        shop_id = channels.add_shopee_shop(owner, name="Shopee Chuyển", partner_id="2001887",
                                           partner_key=PARTNER_KEY)  # fmt: skip
        with engine.begin() as conn:
            conn.exec_driver_sql(
                f"UPDATE shops SET external_shop_id = '777', status = 'active' WHERE id = {shop_id}"
            )
            conn.exec_driver_sql(
                "UPDATE customers SET referrer_id = (SELECT max(id) FROM customers) "
                "WHERE id = (SELECT min(id) FROM customers)"
            )
        now = FIXED_NOW
        channels.ShopTokenStore(owner, shop_id).save(
            TokenPair(
                TOKENS[0], TOKENS[1], now + timedelta(hours=4), now + timedelta(days=30), "777"
            )  # fmt: skip
        )
        engine.dispose()  # checkpoints the WAL: the file alone is the database
    forget_secret_boxes()
    yield folder


@pytest.fixture
def source(
    source_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ServiceContext]:
    """This PC: a copy of the template data dir, opened as the owner."""
    monkeypatch.setenv("PRIMEDIST_NO_KEYRING", "1")
    folder = tmp_path / "this-pc"
    shutil.copytree(source_template, folder)
    settings = resolve_settings(folder, f"sqlite:///{folder / 'primedist.db'}")
    engine = open_store(settings, migrate=False)
    ctx = ServiceContext(engine, clock=FixedClock(FIXED_NOW), settings=settings)
    yield ctx.with_actor(auth.owner_actor(ctx))
    engine.dispose()
    forget_secret_boxes()


@pytest.fixture(params=TARGETS)
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new database on the test PG server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'target.db'}"
        return
    url = pg_database(f"{sa.make_url(PG_URL).database}_move")
    yield url
    drop_pg_database(url)


def _pg_admin() -> Engine:
    admin = sa.make_url(PG_URL).set(database="postgres")
    return sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


def pg_database(name: str) -> str:
    """A new, empty database `name` on the test server; returns its URL."""
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')
    admin.dispose()


# Helpers ------------------------------------------------------------------------------
def app_tables() -> list[sa.Table]:
    return sorted(metadata.tables.values(), key=lambda t: t.name)


def all_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every app table, read through the app's own column types."""
    out = {}
    with engine.connect() as conn:
        for table in app_tables():
            pk = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*pk))]
    return out


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in app_tables()}  # fmt: skip


def db_file_digest(ctx: ServiceContext) -> str:
    assert ctx.settings is not None and ctx.settings.db_path is not None
    return hashlib.sha256(ctx.settings.db_path.read_bytes()).hexdigest()


def other_pc(tmp_path: Path, url: str, key_from: Path | None) -> ServiceContext:
    """Another PC on the new database: its own data dir, with the key file copied there."""
    settings = Settings(tmp_path / "other-pc", url)
    settings.ensure_dirs()
    if key_from is not None:
        shutil.copyfile(key_from, settings.secret_key_path)
    engine = open_store(settings, migrate=False)
    ctx = ServiceContext(engine, clock=FixedClock(FIXED_NOW), settings=settings)
    return ctx.with_actor(auth.owner_actor(ctx))


def orders_page(engine: Engine, search: str = "") -> list[int]:
    state = order_queries.list_state(order_queries.OrderFilter(), "all", shop_tz(), search=search)
    with engine.connect() as conn:
        return fetch_keys(conn, order_queries.ORDERS_SPEC, state, after=None, limit=50).keys


def found_customers(engine: Engine, text: str) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in customer_queries.search_customers(conn, text, limit=500)]


def max_id(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT max(id) FROM {table}").scalar_one())


def linked_shop(ctx: ServiceContext) -> int:
    return next(s.id for s in channels.list_channel_shops(ctx) if s.name == "Shopee Chuyển")


# The copy -----------------------------------------------------------------------------
def test_every_row_is_copied_and_the_app_works_on_the_copy(
    source: ServiceContext, target_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH_ROWS", 100)  # several batches per large table
    before = db_file_digest(source)
    done: list[transfer.TableCopied] = []
    report = store_move.move_to(source, target_url, on_table=done.append)

    expected = row_counts(source.engine)
    assert report.copied.tables == expected  # every app table, and only those
    assert report.copied.rows == sum(expected.values()) > 3000
    assert [d.name for d in done] == list(report.copied.tables)
    assert done[-1].index == done[-1].total == len(expected)
    assert report.copied.revision == HEAD_REVISION
    assert report.key.secrets == 2 and report.key.store == "file"  # the app secret, the tokens
    assert report.key.file == source.settings.secret_key_path  # type: ignore[union-attr]
    assert report.switch.startswith("PRIMEDIST_DATABASE_URL=")
    source.engine.dispose()
    assert db_file_digest(source) == before  # the source was only read

    target = make_engine(target_url)
    assert current_revision(target) == HEAD_REVISION
    assert all_rows(target) == all_rows(source.engine)
    target.dispose()

    pc = other_pc(tmp_path, target_url, key_from=source.settings.secret_key_path)  # type: ignore[union-attr]
    try:
        assert orders_page(pc.engine) == orders_page(source.engine)
        assert len(orders_page(pc.engine)) == 50
        some = found_customers(source.engine, "nguyen")
        assert some and found_customers(pc.engine, "nguyen") == some
        assert found_customers(pc.engine, "Nguyễn") == some

        variant = max_id(pc.engine, "variants")
        top_order, top_line = max_id(pc.engine, "orders"), max_id(pc.engine, "order_lines")
        sale = create_order(pc, OrderDraft(lines=(DraftLine(variant, 1),)),
                            allow_negative_stock=True)  # fmt: skip
        assert sale.id == top_order + 1  # the sequences continue after the copied ids
        assert max_id(pc.engine, "order_lines") == top_line + 1
        assert orders_page(pc.engine)[0] == sale.id

        tokens = channels.ShopTokenStore(pc, linked_shop(pc)).load()
        assert tokens is not None and (tokens.access_token, tokens.refresh_token) == TOKENS
    finally:
        pc.engine.dispose()


def test_without_the_key_file_another_pc_cannot_read_the_tokens(
    source: ServiceContext, target_url: str, tmp_path: Path
) -> None:
    store_move.move_to(source, target_url)
    pc = other_pc(tmp_path, target_url, key_from=None)
    try:
        with pytest.raises(AuthError, match="cannot be decrypted"):
            channels.ShopTokenStore(pc, linked_shop(pc)).load()
    finally:
        pc.engine.dispose()


# Refusals -----------------------------------------------------------------------------
def test_a_target_holding_data_is_refused_and_left_alone(
    source: ServiceContext, target_url: str
) -> None:
    store_move.move_to(source, target_url)
    target = make_engine(target_url)
    filled = row_counts(target)
    with pytest.raises(StoreError, match="already holds Prime Distribution data"):
        store_move.move_to(source, target_url)
    assert row_counts(target) == filled
    target.dispose()


def test_a_target_at_another_revision_or_with_other_tables_is_refused(
    source: ServiceContext, tmp_path: Path
) -> None:
    old = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(old, "0008_daily_summaries")
    with pytest.raises(StoreError, match="revision 0008_daily_summaries"):
        store_move.move_to(source, str(old.url))
    assert current_revision(old) == "0008_daily_summaries"
    old.dispose()

    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with other.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreError, match=r"already holds tables \(invoices\)"):
        store_move.move_to(source, str(other.url))
    other.dispose()

    with pytest.raises(StoreError, match="the one the app uses now"):
        store_move.move_to(source, source.settings.database_url)  # type: ignore[union-attr]
    with pytest.raises(StoreError, match="postgresql\\+psycopg://USER"):
        store_move.move_to(source, "mysql://u@h/db")


def test_only_the_owner_moves_the_data(source: ServiceContext, tmp_path: Path) -> None:
    manager = Actor(id=None, name="Quản lý", email="m@example.vn", role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        store_move.move_to(source.with_actor(manager), f"sqlite:///{tmp_path / 't.db'}")
    assert not (tmp_path / "t.db").exists()


# Failures mid-copy --------------------------------------------------------------------
def hostile_target(url: str, failing_line: int) -> None:
    """A migrated, empty target whose order_lines refuse one row (as a full disk or a
    constraint would, in the middle of the copy)."""
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(
                f"CREATE TRIGGER hostile BEFORE INSERT ON order_lines WHEN NEW.id = {failing_line}"
                " BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION hostile() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.id = {failing_line} THEN RAISE EXCEPTION 'disk says no'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER hostile BEFORE INSERT ON order_lines "
                "FOR EACH ROW EXECUTE FUNCTION hostile()"
            )
    engine.dispose()


def test_a_row_failing_mid_copy_rolls_everything_back_and_is_named(
    source: ServiceContext, target_url: str
) -> None:
    failing = max_id(source.engine, "order_lines") - 3  # in the last batch of a late table
    hostile_target(target_url, failing)
    with pytest.raises(StoreError) as err:
        store_move.move_to(source, target_url)
    message = err.value.user_message
    assert f"table order_lines failed at row id={failing}" in message
    assert "disk says no" in message and "Nothing was written" in message
    target = make_engine(target_url)
    assert set(row_counts(target).values()) == {0}  # shops, customers, orders: all gone
    target.dispose()


def test_a_failure_on_a_fresh_target_leaves_not_even_the_tables(
    source: ServiceContext, target_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_table = transfer._copy_table

    def failing_at_orders(src: sa.Connection, dst: sa.Connection, table: Any) -> int:
        if table.name == "orders":
            raise StoreError("the network went away")
        return copy_table(src, dst, table)

    monkeypatch.setattr(transfer, "_copy_table", failing_at_orders)
    with pytest.raises(StoreError, match="network went away"):
        store_move.move_to(source, target_url)
    target = make_engine(target_url)
    with target.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []  # the migration was rolled back too
    target.dispose()


# The secrets' key ---------------------------------------------------------------------
class MemoryRing:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, account: str) -> str | None:
        return self.values.get((service, account))

    def set_password(self, service: str, account: str, value: str) -> None:
        self.values[(service, account)] = value


def test_a_key_only_in_the_keyring_must_be_written_out_for_the_other_pcs(
    source: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert source.settings is not None
    key_file = source.settings.secret_key_path
    key = key_file.read_bytes().strip()
    ring = MemoryRing()
    ring.set_password("primedist", str(key_file), key.decode())
    key_file.unlink()  # this PC keeps its key in the keyring only

    def stores(path: Path) -> list[Any]:
        return [KeyringKeyStore(ring, str(path)), FileKeyStore(path)]

    monkeypatch.setattr(store_move, "default_key_stores", stores)
    target = f"sqlite:///{tmp_path / 'target.db'}"
    with pytest.raises(StoreError, match="keyring.*--key-out FILE"):
        store_move.move_to(source, target)
    assert not (tmp_path / "target.db").exists()

    out = tmp_path / "for-the-other-pcs.key"
    report = store_move.move_to(source, target, key_out=out)
    assert report.key.store == "keyring" and report.key.file == out
    assert out.read_bytes() == key and out.stat().st_mode & 0o077 == 0
    pc = other_pc(tmp_path, target, key_from=out)
    try:
        tokens = channels.ShopTokenStore(pc, linked_shop(pc)).load()
        assert tokens is not None and tokens.refresh_token == TOKENS[1]
    finally:
        pc.engine.dispose()


# The command --------------------------------------------------------------------------
def test_the_command_prints_the_counts_and_how_to_switch(
    cli: Callable[..., Any], source: ServiceContext, tmp_path: Path
) -> None:
    assert source.settings is not None
    data_dir = str(source.settings.data_dir)
    counts = row_counts(source.engine)
    source.engine.dispose()
    target = f"sqlite:///{tmp_path / 'target.db'}"
    run = cli("--data-dir", data_dir, "migrate", "--to", target, "--json")
    assert run.code == 0, run.err
    data = run.json()
    assert data["tables"] == counts and data["tables"]["orders"] == 250
    assert data["rows"] == sum(data["tables"].values())
    assert data["switch"] == f"PRIMEDIST_DATABASE_URL={target}"
    assert data["secret_key"] == {"store": "file", "file": str(source.settings.secret_key_path)}
    progress = run.err.splitlines()
    assert len(progress) == len(data["tables"]) and "orders:" in run.err

    again = cli("--data-dir", data_dir, "migrate", "--to", target)
    assert again.code == 1 and "already holds" in again.error_line()

    second = f"sqlite:///{tmp_path / 'second.db'}"
    text = cli("--data-dir", data_dir, "migrate", "--to", second)
    assert text.code == 0
    assert f"set PRIMEDIST_DATABASE_URL={second}" in text.out
    assert "copy it to every other PC's data dir as secret.key" in text.out

    usage = cli("--data-dir", data_dir, "migrate", "--key-out", str(tmp_path / "k"))
    assert usage.code == 2 and "--key-out goes with --to" in usage.err


def test_the_command_refuses_a_database_behind_the_app(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    data_dir = tmp_path / "old-pc"
    data_dir.mkdir()
    old = make_engine(f"sqlite:///{data_dir / 'primedist.db'}")
    upgrade(old, "0008_daily_summaries")
    run = cli("--data-dir", str(data_dir), "migrate", "--to", f"sqlite:///{tmp_path / 't.db'}")
    assert run.code == 1 and "run `primedist migrate`" in run.error_line()
    assert current_revision(old) == "0008_daily_summaries"  # not upgraded behind the user's back
    old.dispose()
    missing = cli("--data-dir", str(tmp_path / "nothing"), "migrate", "--to", "sqlite:///x.db")
    assert missing.code == 1 and "nothing to copy" in missing.error_line()
