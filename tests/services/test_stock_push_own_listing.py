"""The stock push of a marketplace order's own listing.

Its marketplace counted the order's sale (or cancel) itself: no push is queued for it, but
one already waiting was worked out before the order and must carry the new figure, or the
marketplace is set back above what is left (oversold). Goods back on the shelf (a return,
a shipped order cancelled) it does not add back: every listing is told of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.base import RemoteOrder
from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OrderStatus, OutboxStatus, StockMoveKind
from primedist.domain.order import Order, OrderLine
from primedist.domain.sync import OutboxMessage
from primedist.services import orders as orders_svc
from primedist.services import stock as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.sync_writer import ShopRef, write_batch
from tests.factories import make_product, make_shop
from tests.services.test_stock import list_on, pushes
from tests.services.test_sync_writer import remote

outbox_t = table_of(OutboxMessage)


@dataclass(frozen=True)
class Market:
    """A variant listed on a Shopee and a Lazada shop; `sp`, `lz`: its push intent keys."""

    vid: int
    shopee: int
    sp: str
    lz: str


@pytest.fixture
def market(engine: Engine, owner_ctx: ServiceContext) -> Market:
    """SKU-A (10 on hand) listed on a Shopee and a Lazada shop."""
    shopee = make_shop(engine, "Shopee A", Channel.SHOPEE)
    lazada = make_shop(engine, "Lazada B", Channel.LAZADA)
    (vid,) = make_product(engine, "Áo thun", [("SKU-A", 100_000, 10)])
    (sp,) = list_on(engine, shopee, [vid])
    (lz,) = list_on(engine, lazada, [vid])
    return Market(vid, shopee, f"stock:{shopee}:{sp}", f"stock:{lazada}:{lz}")


def sync(ctx: ServiceContext, market: Market, *orders: RemoteOrder) -> None:
    """Write Shopee orders as its sync does (placed after the shop's first sync)."""
    shop = ShopRef(market.shopee, "Shopee A", Channel.SHOPEE)
    since = ctx.clock.now() - timedelta(days=1)
    with ctx.uow(write=True) as session:
        write_batch(ctx, session.connection(), shop, list(orders), stock_since=since)


def figures(engine: Engine) -> dict[str, tuple[object, object]]:
    """intent key → (available, status) of the stock pushes."""
    return {k: (p["available"], p["status"]) for k, p in pushes(engine).items()}


def set_status(engine: Engine, key: str, status: OutboxStatus) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(outbox_t).where(outbox_t.c.intent_key == key)
                     .values(status=status))  # fmt: skip


def counter_sale(ctx: ServiceContext, vid: int) -> None:
    orders_svc.create_order(ctx, OrderDraft(lines=(DraftLine(vid, 1),)))


def order_of(engine: Engine, sn: str) -> tuple[int, int]:
    """(order id, line id) of a synced order."""
    with engine.connect() as conn:
        order_id, line_id = conn.execute(
            sa.select(table_of(Order).c.id, table_of(OrderLine).c.id)
            .join(table_of(OrderLine), table_of(OrderLine).c.order_id == table_of(Order).c.id)
            .where(table_of(Order).c.external_id == sn)
        ).one()  # fmt: skip
    return int(order_id), int(line_id)


PENDING, DONE = OutboxStatus.PENDING, OutboxStatus.DONE


def test_a_synced_order_gives_the_push_waiting_for_its_own_listing_the_new_figure(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock, market: Market
) -> None:
    counter_sale(owner_ctx, market.vid)  # 9 left: queued for both listings
    assert figures(engine) == {market.sp: (9, PENDING), market.lz: (9, PENDING)}
    # Shopee sold 2 meanwhile (and counted them): sent as 9, Shopee would sell 2 too many.
    sync(owner_ctx, market, remote("S1", OrderStatus.PENDING, clock))
    assert figures(engine) == {market.sp: (7, PENDING), market.lz: (7, PENDING)}


def test_a_synced_order_queues_no_push_for_its_own_listing_nor_edits_one_being_sent(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock, market: Market
) -> None:
    counter_sale(owner_ctx, market.vid)
    set_status(engine, market.sp, OutboxStatus.IN_PROGRESS)  # claimed: being sent
    sync(owner_ctx, market, remote("S1", OrderStatus.PENDING, clock))
    assert figures(engine) == {market.sp: (9, OutboxStatus.IN_PROGRESS),
                               market.lz: (7, PENDING)}  # fmt: skip
    set_status(engine, market.sp, DONE)  # sent: Shopee counts its own orders from there
    sync(owner_ctx, market, remote("S2", OrderStatus.PENDING, clock, buyer="b2"))
    assert figures(engine) == {market.sp: (9, DONE), market.lz: (5, PENDING)}


def test_a_synced_cancel_of_an_open_order_is_not_pushed_to_its_own_listing(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock, market: Market
) -> None:
    sync(owner_ctx, market, remote("S1", OrderStatus.PENDING, clock))
    set_status(engine, market.lz, DONE)
    sync(owner_ctx, market, remote("S1", OrderStatus.CANCELLED, clock, minutes=5))
    assert figures(engine) == {market.lz: (10, PENDING)}  # Shopee gave its 2 back itself


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [(OrderStatus.COMPLETED, OrderStatus.RETURNED, "return"),
     (OrderStatus.SHIPPING, OrderStatus.CANCELLED, "cancel_restock")],
)  # fmt: skip
def test_goods_a_synced_order_brings_back_are_pushed_to_its_own_listing(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock, market: Market,
    before: OrderStatus, after: OrderStatus, kind: str,
) -> None:  # fmt: skip
    sync(owner_ctx, market, remote("S1", before, clock))
    assert figures(engine) == {market.lz: (8, PENDING)}
    set_status(engine, market.lz, DONE)
    sync(owner_ctx, market, remote("S1", after, clock, minutes=5))
    assert figures(engine) == {market.sp: (10, PENDING), market.lz: (10, PENDING)}
    with engine.connect() as conn:
        kinds = conn.execute(sa.text("SELECT kind FROM stock_movements ORDER BY id")).scalars()
        assert list(kinds)[-1] == kind


def test_a_local_return_of_a_marketplace_order_is_pushed_to_its_own_listing(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock, market: Market
) -> None:
    sync(owner_ctx, market, remote("S1", OrderStatus.COMPLETED, clock))
    set_status(engine, market.lz, DONE)
    order_id, line_id = order_of(engine, "S1")
    orders_svc.return_order(owner_ctx, order_id, {line_id: 2}, reason="Hàng lỗi")
    assert figures(engine) == {market.sp: (10, PENDING), market.lz: (10, PENDING)}


def test_goods_a_cancelled_marketplace_order_puts_back_are_pushed_to_its_own_listing(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock, market: Market
) -> None:
    sync(owner_ctx, market, remote("S1", OrderStatus.SHIPPING, clock))
    set_status(engine, market.lz, DONE)
    order_id, _line = order_of(engine, "S1")
    with owner_ctx.uow(write=True) as session:
        svc.move_stock(owner_ctx, session, market.vid, StockMoveKind.CANCEL_RESTOCK,
                       quantity=2, order_id=order_id)  # fmt: skip
    assert figures(engine) == {market.sp: (10, PENDING), market.lz: (10, PENDING)}


def test_a_local_cancel_leaves_the_push_waiting_for_its_own_listing_to_the_cancel(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock, market: Market
) -> None:
    sync(owner_ctx, market, remote("S1", OrderStatus.PENDING, clock))
    counter_sale(owner_ctx, market.vid)  # 7 left: queued for both listings
    order_id, _line = order_of(engine, "S1")
    orders_svc.change_status(owner_ctx, order_id, OrderStatus.CANCELLED, reason="Khách hủy")
    # Shopee puts the 2 back itself once the cancel (queued after the push) reaches it:
    # the push stays 7, or they would count twice.
    assert figures(engine) == {market.sp: (7, PENDING), market.lz: (9, PENDING)}
    with engine.connect() as conn:
        kinds = conn.execute(
            sa.select(outbox_t.c.kind).where(outbox_t.c.shop_id == market.shopee)
            .order_by(outbox_t.c.id)
        ).scalars()  # fmt: skip
        assert list(kinds) == ["stock.push", "order.cancel"]
