"""The sync write side on a real migrated database: upsert, lines, customers, stock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.base import RemoteAddress, RemoteBuyer, RemoteOrder, RemoteOrderLine
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, OrderStatus, PaymentMethod
from primedist.services.context import ServiceContext
from primedist.services.sync_writer import ShopRef, write_batch
from tests.driver_sql import driver_sql
from tests.factories import make_product, make_shop


def remote(
    sn: str,
    status: OrderStatus,
    clock: FixedClock,
    *,
    minutes: int = 0,
    lines: tuple[tuple[str, int, int], ...] = (("SKU-A", 2, 100_000),),
    buyer: str = "b1",
    phone: str | None = "0912345678",
    name: str = "Nguyễn Văn An",
    created_minutes_ago: int = 60,
) -> RemoteOrder:
    now = clock.now()
    items = tuple(
        RemoteOrderLine(sku=sku, product_name=f"Áo {sku}", variant_name=None, quantity=q,
                        unit_price=p)
        for sku, q, p in lines
    )  # fmt: skip
    subtotal = sum(i.subtotal for i in items)
    return RemoteOrder(
        external_id=sn, status=status, raw_status=status.value.upper(),
        created_at=now - timedelta(minutes=created_minutes_ago),
        updated_at=now + timedelta(minutes=minutes),
        payment_method=PaymentMethod.COD,
        buyer=RemoteBuyer(external_id=buyer, name=name, phone=phone),
        address=RemoteAddress(name=name, phone=phone, address="12 Lê Lợi",
                              province="Hồ Chí Minh"),
        lines=items, subtotal=subtotal, shipping_fee=15_000, total=subtotal + 15_000,
    )  # fmt: skip


def _write(ctx: ServiceContext, shop: ShopRef, orders: list[RemoteOrder], since):  # type: ignore[no-untyped-def]
    with ctx.uow() as session:
        return write_batch(ctx, session.connection(), shop, orders, stock_since=since)


def _stock(engine: Engine, vid: int) -> tuple[int, int]:
    with engine.connect() as conn:
        row = driver_sql(conn, "SELECT stock, reserved FROM variants WHERE id = ?", (vid,))
        stock, reserved = row.one()
        return stock, reserved


def test_upsert_is_idempotent_and_follows_status_with_stock(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    shop = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)
    (vid,) = make_product(engine, "Áo thun", [("SKU-A", 100_000, 10)])
    since = clock.now() - timedelta(days=1)

    first = _write(ctx, shop, [remote("S1", OrderStatus.PENDING, clock)], since)
    assert (first.inserted, first.updated, first.customers_created) == (1, 0, 1)
    assert _stock(engine, vid) == (10, 2)  # reserved by the open order

    again = _write(ctx, shop, [remote("S1", OrderStatus.PENDING, clock)], since)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert _stock(engine, vid) == (10, 2)

    shipped = _write(ctx, shop, [remote("S1", OrderStatus.SHIPPING, clock, minutes=5)], since)
    assert shipped.updated == 1
    assert _stock(engine, vid) == (8, 0)  # consumed

    _write(ctx, shop, [remote("S1", OrderStatus.CANCELLED, clock, minutes=9)], since)
    assert _stock(engine, vid) == (10, 0)  # back on the shelf

    with engine.connect() as conn:
        orders = driver_sql(
            conn, "SELECT count(*), max(status), max(stock_state), max(total) FROM orders"
        ).one()
        lines = driver_sql(conn, "SELECT count(*) FROM order_lines").scalar_one()
        history = ",".join(
            driver_sql(conn, "SELECT to_status FROM order_status_changes ORDER BY id").scalars()
        )
        moves = ",".join(driver_sql(conn, "SELECT kind FROM stock_movements ORDER BY id").scalars())
        customers = driver_sql(conn, "SELECT count(*), max(total_orders) FROM customers").one()
    assert orders == (1, "cancelled", "released", 215_000)
    assert lines == 1
    assert history == "pending,shipping,cancelled"
    assert moves == "reserve,sale,cancel_restock"
    assert customers == (1, 1)


def test_orders_before_the_first_sync_never_move_stock(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    shop = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)
    (vid,) = make_product(engine, "Áo thun", [("SKU-A", 100_000, 10)])
    since = clock.now()  # every order below was placed an hour before
    _write(ctx, shop, [remote("H1", OrderStatus.COMPLETED, clock),
                       remote("H2", OrderStatus.PENDING, clock, buyer="b2")], since)  # fmt: skip
    _write(ctx, shop, [remote("H2", OrderStatus.CANCELLED, clock, buyer="b2", minutes=3)], since)
    assert _stock(engine, vid) == (10, 0)
    with engine.connect() as conn:
        assert driver_sql(conn, "SELECT count(*) FROM stock_movements").scalar_one() == 0


def test_local_confirm_waiting_in_the_outbox_is_not_undone(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    shop = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)
    make_product(engine, "Áo thun", [("SKU-A", 100_000, 10)])
    _write(ctx, shop, [remote("S1", OrderStatus.PENDING, clock)], None)
    with engine.begin() as conn:
        driver_sql(conn, "UPDATE orders SET status = 'confirmed', outbox_pending = TRUE")
    _write(ctx, shop, [remote("S1", OrderStatus.PENDING, clock, minutes=1)], None)
    with engine.connect() as conn:
        assert driver_sql(conn, "SELECT status FROM orders").scalar_one() == "confirmed"


def test_same_buyer_across_orders_is_one_customer_and_unknown_sku_joins_the_catalogue(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    shop = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)
    orders = [
        remote("S1", OrderStatus.COMPLETED, clock, lines=(("NEW-1", 1, 50_000),)),
        remote("S2", OrderStatus.COMPLETED, clock, phone="09******78", name="N***n"),
        remote("S3", OrderStatus.PENDING, clock, buyer="b9", phone="0987654321", name="Lê Thị B"),
    ]
    result = _write(ctx, shop, orders, None)
    assert (result.inserted, result.customers_created) == (3, 2)
    with engine.connect() as conn:
        by_order = dict(conn.execute(sa.text(
            "SELECT o.external_id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id"
        )).all())  # fmt: skip
        sku_variant = driver_sql(
            conn,
            "SELECT count(*) FROM order_lines l JOIN variants v ON v.id = l.variant_id"
            " WHERE v.sku = 'NEW-1'",
        ).scalar_one()
        masked = driver_sql(
            conn, "SELECT buyer_phone FROM orders WHERE external_id = 'S2'"
        ).scalar_one()
    assert by_order == {"S1": "Nguyễn Văn An", "S2": "Nguyễn Văn An", "S3": "Lê Thị B"}
    assert sku_variant == 1
    assert masked == "09******78"


def test_a_sku_the_sync_creates_takes_the_marketplaces_item_weight(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    """Only a new SKU takes it: a variant the shop already has keeps its own (even none)."""
    shop = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)
    make_product(engine, "Áo cũ", [("OLD-1", 90_000, 5)])
    order = remote("S1", OrderStatus.PENDING, clock,
                   lines=(("NEW-1", 1, 50_000), ("NEW-2", 1, 60_000), ("OLD-1", 1, 90_000)))
    weights = {"NEW-1": 450, "NEW-2": None, "OLD-1": 800}
    lines = tuple(replace(ln, weight_g=weights[ln.sku or ""]) for ln in order.lines)
    _write(ctx, shop, [replace(order, lines=lines)], None)
    with engine.connect() as conn:
        got = dict(driver_sql(conn, "SELECT sku, weight_g FROM variants").all())
    assert got == {"NEW-1": 450, "NEW-2": None, "OLD-1": None}
