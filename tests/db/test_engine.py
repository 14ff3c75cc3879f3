"""The engine: SQLite pragmas on every pooled connection, constraints enforced by the
database, and the raw timestamp format matching what the ORM writes and reads."""

from __future__ import annotations

import os
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from primedist.db.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    db_timestamp,
    make_engine,
    session_scope,
    sqlite_timestamp,
)
from primedist.domain.enums import Channel
from primedist.domain.order import Order
from primedist.domain.shop import Shop

# The `engine` fixture (tests/conftest.py) runs on this URL when set, else on SQLite.
PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
sqlite_only = pytest.mark.skipif(
    DIALECT != "sqlite", reason=f"SQLite only: the engine fixture runs on {DIALECT}"
)

ORDERS = Order.__table__  # type: ignore[attr-defined]
SHOPS = Shop.__table__  # type: ignore[attr-defined]
ICT = timezone(timedelta(hours=7))


def _pragmas(conn: sa.Connection) -> dict[str, Any]:
    return {
        name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
    }


def _add_shop(conn: sa.Connection, name: str = "Shop A") -> int:
    return conn.execute(
        SHOPS.insert().values(name=name, channel=Channel.OFFLINE).returning(SHOPS.c.id)
    ).scalar_one()


def _order_values(shop_id: int, **kw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "shop_id": shop_id,
        "external_id": "DH0001",
        "subtotal": 200_000,
        "shipping_fee": 30_000,
        "voucher_discount": 20_000,
        "total": 210_000,
    }
    values.update(kw)
    return values


@sqlite_only
def test_pragmas_on_every_pooled_connection(engine: Engine) -> None:
    # More connections at once than pool_size, so overflow connections are checked too.
    with ExitStack() as stack:
        conns = [stack.enter_context(engine.connect()) for _ in range(6)]
        raw_ids = {id(c.connection.driver_connection) for c in conns}
        assert len(raw_ids) == 6
        for conn in conns:
            pragmas = _pragmas(conn)
            assert pragmas["journal_mode"] == "wal"
            assert pragmas["foreign_keys"] == 1
            assert pragmas["busy_timeout"] == SQLITE_BUSY_TIMEOUT_MS > 0
            assert pragmas["synchronous"] == 1  # NORMAL
    # And on connections made after the pool was emptied.
    engine.dispose()
    with engine.connect() as conn:
        assert _pragmas(conn)["foreign_keys"] == 1


@sqlite_only
def test_new_database_file_is_created_in_wal_mode(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        with engine.connect() as conn:
            assert _pragmas(conn)["journal_mode"] == "wal"
    finally:
        engine.dispose()
    # WAL is persistent: a plain connection sees it in the file header.
    import sqlite3

    plain = sqlite3.connect(tmp_path / "new.db")
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        plain.close()


def test_foreign_key_violation_is_refused(engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(ORDERS.insert().values(**_order_values(shop_id=424242)))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ORDERS)).scalar() == 0


def test_restrict_foreign_key_keeps_a_shop_with_orders(engine: Engine) -> None:
    with engine.begin() as conn:
        shop_id = _add_shop(conn)
        conn.execute(ORDERS.insert().values(**_order_values(shop_id)))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(SHOPS.delete().where(SHOPS.c.id == shop_id))
    with engine.connect() as conn:
        assert conn.execute(sa.select(SHOPS.c.name)).scalars().all() == ["Shop A"]


def test_order_total_check_constraint(engine: Engine) -> None:
    with engine.begin() as conn:
        shop_id = _add_shop(conn)
        # 200 000 + 30 000 - 20 000 = 210 000: accepted.
        conn.execute(ORDERS.insert().values(**_order_values(shop_id)))

    with pytest.raises(sa.exc.IntegrityError, match="total_adds_up"), engine.begin() as conn:
        conn.execute(
            ORDERS.insert().values(**_order_values(shop_id, external_id="DH0002", total=230_000))
        )
    with pytest.raises(sa.exc.IntegrityError, match="total_adds_up"), engine.begin() as conn:
        conn.execute(ORDERS.update().where(ORDERS.c.external_id == "DH0001").values(shipping_fee=0))
    with pytest.raises(sa.exc.IntegrityError, match="money_parts_not_negative"):
        with engine.begin() as conn:
            conn.execute(
                ORDERS.insert().values(
                    **_order_values(
                        shop_id,
                        external_id="DH0003",
                        subtotal=-10,
                        total=-10,
                        shipping_fee=0,
                        voucher_discount=0,
                    )
                )
            )

    with engine.connect() as conn:
        rows = conn.execute(sa.select(ORDERS.c.external_id, ORDERS.c.total)).all()
    assert [tuple(r) for r in rows] == [("DH0001", 210_000)]


def test_unique_order_number_per_shop(engine: Engine) -> None:
    with engine.begin() as conn:
        shop_a = _add_shop(conn, "Shop A")
        shop_b = _add_shop(conn, "Shop B")
        conn.execute(ORDERS.insert().values(**_order_values(shop_a)))
        conn.execute(ORDERS.insert().values(**_order_values(shop_b)))  # other shop: fine
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(ORDERS.insert().values(**_order_values(shop_a)))


@sqlite_only
def test_sqlite_timestamp_round_trips_through_the_orm(engine: Engine) -> None:
    placed = datetime(2026, 11, 20, 9, 15, 42, 123456, tzinfo=ICT)
    raw_text = sqlite_timestamp(placed)
    assert raw_text == "2026-11-20 02:15:42.123456"

    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO shops (name, channel, region, status, timezone, is_active, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ("Raw", "offline", "VN", "active", "Asia/Ho_Chi_Minh", 1, raw_text),
        )
    with session_scope(engine) as session:
        session.add(Shop(name="Orm", channel=Channel.OFFLINE, created_at=placed))

    with Session(engine) as session:
        raw = session.exec(select(Shop).where(Shop.name == "Raw")).one()
        assert raw.created_at == placed
        assert raw.created_at.utcoffset() == timedelta(0)
        assert raw.created_at == datetime(2026, 11, 20, 2, 15, 42, 123456, tzinfo=UTC)
        # Comparisons with ORM parameters hit the raw row too (same text format).
        hits = session.exec(select(Shop.name).where(Shop.created_at == placed)).all()
        assert sorted(hits) == ["Orm", "Raw"]

    with engine.connect() as conn:
        stored = dict(conn.exec_driver_sql("SELECT name, created_at FROM shops").all())
    # Byte-for-byte what SQLAlchemy writes, so text ordering and ranges agree.
    assert stored["Raw"] == stored["Orm"] == raw_text


def test_db_timestamp_round_trips_on_this_backend(engine: Engine) -> None:
    placed = datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=ICT)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO shops (name, channel, region, status, timezone, is_active,"
                " created_at) VALUES ('Bulk', 'offline', 'VN', 'active', 'UTC', :t, :at)"
            ),
            {"t": True, "at": db_timestamp(conn, placed)},
        )
    with Session(engine) as session:
        shop = session.exec(select(Shop).where(Shop.name == "Bulk")).one()
    assert shop.created_at == placed
    assert shop.created_at.utcoffset() == timedelta(0)


@pytest.mark.skipif(bool(os.environ.get("PRIMEDIST_TEST_DATABASE_URL")), reason="SQLite only")
def test_ddl_inside_a_transaction_is_rolled_back(engine: Engine) -> None:
    """pysqlite would autocommit DDL; the engine makes SQLAlchemy transactions real."""
    trigger = "customers_fts_ai"

    def has_trigger() -> bool:
        with engine.connect() as conn:
            sql = "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name=:n"
            return bool(conn.execute(sa.text(sql), {"n": trigger}).scalar_one())

    assert has_trigger()
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
        raise RuntimeError("roll back")
    assert has_trigger()


@pytest.mark.skipif(DIALECT != "postgresql", reason="PostgreSQL only: libpq's own settings")
def test_server_connections_give_up_on_a_silent_server(engine: Engine) -> None:
    """Each pooled connection to the server carries the connect timeout and keepalives (a
    server gone silent mid-query fails the query in about a minute, not TCP's 15)."""
    from primedist.db.engine import PG_CONNECT_TIMEOUT_S, PG_KEEPALIVES

    raw = engine.raw_connection()
    try:
        given = raw.driver_connection.info.get_parameters()  # type: ignore[union-attr]
    finally:
        raw.close()
    assert given["connect_timeout"] == str(PG_CONNECT_TIMEOUT_S)
    for name, value in PG_KEEPALIVES.items():
        assert given[name] == str(value), name
