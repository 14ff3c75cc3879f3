"""The sync writer's re-sync path: only what changed is written, lines only when they differ,
and orders whose only news is the platform's update time move nothing derived."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OrderStatus
from primedist.domain.order import Order
from primedist.queries.search import search_filter
from primedist.services.context import ServiceContext
from primedist.services.sync_writer import ShopRef
from tests.driver_sql import driver_sql
from tests.factories import make_product, make_shop
from tests.services.test_sync_writer import _stock, _write, remote

orders_t = table_of(Order)


def _order(engine: Engine, sn: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = driver_sql(
            conn,
            "SELECT o.id, o.status, o.tracking_number, o.updated_at, o.external_updated_at, "
            "c.updated_at AS customer_updated_at, "
            "(SELECT count(*) FROM order_status_changes WHERE order_id = o.id) AS history "
            "FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.external_id = ?",
            (sn,),
        ).one()
        lines = driver_sql(
            conn, "SELECT id, quantity FROM order_lines WHERE order_id = ? ORDER BY id", (row.id,)
        ).all()
    line_ids, qty = ",".join(str(i) for i, _q in lines), ",".join(str(q) for _i, q in lines)
    return {**row._mapping, "line_ids": line_ids, "qty": qty}


def _found(engine: Engine, text: str) -> set[int]:
    with engine.connect() as conn:
        where = search_filter(orders_t, text, conn.dialect.name)
        assert where is not None
        return set(conn.scalars(sa.select(orders_t.c.id).where(where)))


def test_resync_writes_only_what_changed(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    shop = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)
    make_product(engine, "Áo thun", [("SKU-A", 100_000, 10), ("SKU-B", 90_000, 10)])
    since = clock.now() - timedelta(days=1)
    two_lines = (("SKU-A", 2, 100_000), ("SKU-B", 1, 90_000))
    s1 = remote("S1", OrderStatus.COMPLETED, clock, lines=two_lines)
    s2 = remote("S2", OrderStatus.COMPLETED, clock, buyer="b2", phone="0987654321",
                name="Trần Thị Bình")  # fmt: skip
    s3 = remote("S3", OrderStatus.PENDING, clock, buyer="b3", phone=None, name="Lê Văn Cường")
    _write(ctx, shop, [s1, s2, s3], since)  # S3 last: a replaced line would get a new id
    before = {sn: _order(engine, sn) for sn in ("S1", "S2")}

    clock.advance(timedelta(hours=1))
    later = timedelta(minutes=30)
    same = dataclasses.replace(s1, updated_at=s1.updated_at + later)  # only the update time
    tracked = dataclasses.replace(s2, updated_at=s2.updated_at + later, tracking_number="SPX9")
    result = _write(ctx, shop, [same, tracked], since)
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 0)

    a, b = _order(engine, "S1"), _order(engine, "S2")
    # S1: the platform's update time is stored (so the next sync skips it), nothing else.
    assert a["external_updated_at"] > before["S1"]["external_updated_at"]
    assert a["updated_at"] == before["S1"]["updated_at"]
    assert a["customer_updated_at"] == before["S1"]["customer_updated_at"]
    assert a["line_ids"] == before["S1"]["line_ids"]
    assert a["history"] == before["S1"]["history"] == 1
    # S2: the tracking number is written; its lines stay; its customer is refreshed.
    assert b["tracking_number"] == "SPX9"
    assert b["updated_at"] > before["S2"]["updated_at"]
    assert b["customer_updated_at"] > before["S2"]["customer_updated_at"]
    assert b["line_ids"] == before["S2"]["line_ids"]
    assert b["history"] == 1
    # The search index still finds both (no rewrite of an unchanged search text).
    assert _found(engine, "S1") == {a["id"]}
    assert _found(engine, "binh") == {b["id"]}

    again = _write(ctx, shop, [same, tracked], since)
    assert (again.updated, again.unchanged) == (0, 2)


def test_lines_are_replaced_only_when_they_differ_and_stock_follows(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    shop = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)
    (vid,) = make_product(engine, "Áo thun", [("SKU-A", 100_000, 10)])
    (other,) = make_product(engine, "Quần", [("SKU-Z", 50_000, 10)])
    since = clock.now() - timedelta(days=1)
    _write(ctx, shop, [remote("S1", OrderStatus.PENDING, clock)], since)
    # Another order's lines after S1's: a replaced line of S1 gets a new id.
    _write(ctx, shop, [remote("S9", OrderStatus.PENDING, clock, buyer="b9", minutes=1,
                              lines=(("SKU-Z", 1, 50_000),))], since)  # fmt: skip
    assert _stock(engine, vid) == (10, 2) and _stock(engine, other) == (10, 1)
    first = _order(engine, "S1")

    three = (("SKU-A", 3, 100_000),)
    _write(ctx, shop, [remote("S1", OrderStatus.PENDING, clock, minutes=5, lines=three)], since)
    changed = _order(engine, "S1")
    assert changed["line_ids"] != first["line_ids"] and changed["qty"] == "3"
    assert _stock(engine, vid) == (10, 3)

    _write(ctx, shop, [remote("S1", OrderStatus.CONFIRMED, clock, minutes=9, lines=three)], since)
    confirmed = _order(engine, "S1")
    assert confirmed["status"] == "confirmed"
    assert confirmed["line_ids"] == changed["line_ids"]  # same lines: kept
    assert confirmed["history"] == 2
    assert _stock(engine, vid) == (10, 3)

    _write(ctx, shop, [remote("S1", OrderStatus.SHIPPING, clock, minutes=12, lines=three)], since)
    assert _stock(engine, vid) == (7, 0)
