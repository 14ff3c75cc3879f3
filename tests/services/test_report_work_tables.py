"""The summaries' work tables (temporary, per connection) survive what a connection goes
through: created once, found again by the next refresh, and re-created when the
transaction that created them rolled back (SQLite and PostgreSQL drop them with it)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel, OrderStatus
from primedist.queries import reports as q
from tests.factories import make_shop
from tests.services.report_data import add_order


def temp_tables(conn: sa.Connection) -> set[str]:
    """This connection's temporary tables."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_temp_master WHERE type = 'table'"
    else:  # PostgreSQL: only this session's temporary schema is visible
        sql = ("SELECT relname FROM pg_class WHERE relpersistence = 't' AND relkind = 'r' "
               "AND pg_table_is_visible(oid)")  # fmt: skip
    rows = conn.exec_driver_sql(sql)
    return {name for (name,) in rows}


def daily(conn: sa.Connection) -> list[tuple[object, ...]]:
    rows = conn.execute(sa.text("SELECT shop_id, day, status, orders, revenue FROM report_daily"))
    return sorted(tuple(r) for r in rows)


def test_a_rolled_back_first_refresh_leaves_the_next_one_working(engine: Engine) -> None:
    shop = make_shop(engine, "Shop A", Channel.SHOPEE)
    with engine.connect() as conn:
        with conn.begin() as tx:  # the connection's first refresh, then rolled back
            first = add_order(conn, shop, "A-1", datetime(2026, 11, 3, 10), OrderStatus.COMPLETED,
                              total=100_000)  # fmt: skip
            assert q.refresh_summaries(conn, [first]) == 1
            assert {"report_touched_orders", "report_old_days"} <= temp_tables(conn)
            tx.rollback()
        with conn.begin():
            assert "report_touched_orders" not in temp_tables(conn)  # gone with the rollback
            second = add_order(conn, shop, "A-2", datetime(2026, 11, 3, 11),
                               OrderStatus.COMPLETED, total=70_000)  # fmt: skip
            assert q.refresh_summaries(conn, [second]) == 1
        with conn.begin():  # found again: recomputed with the same statements
            conn.execute(sa.text("UPDATE orders SET status = 'cancelled' WHERE id = :i"),
                         {"i": second})  # fmt: skip
            assert q.refresh_summaries(conn, [second]) == 1
            assert [r[2:] for r in daily(conn)] == [("cancelled", 1, 70_000)]
