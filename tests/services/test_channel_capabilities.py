"""Only what a shop's channel can carry out is queued in the outbox (real migrated database).

Lazada and TikTok Shop take stock and price pushes but no order confirm/cancel from the
app (Lazada's listings can be read); Tiki takes nothing yet; Shopee takes all four and has
its listings read. Everything else still happens locally.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors import channel_capabilities
from primedist.connectors.base import Action
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod, StockMoveKind
from primedist.domain.order import Order, OrderStatusChange
from primedist.domain.product import StockMovement
from primedist.domain.sync import OutboxMessage
from primedist.services import catalogue
from primedist.services import orders as svc
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.outbox import channel_can, queue_coalesced
from tests.conftest import FIXED_NOW
from tests.factories import make_product, make_shop
from tests.services.test_catalogue import grid_draft, link_listings
from tests.services.test_stock import list_on, pushes


@pytest.fixture
def variants(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """AO-S (99,000 đ, 10 in stock) and AO-M (120,000 đ, 3 in stock)."""
    return make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)])


def pending_order(ctx: ServiceContext, variants: list[int], shop_id: int) -> int:
    draft = OrderDraft(
        lines=(DraftLine(variants[0], 2),), source=OrderSource.PHONE, shop_id=shop_id,
        status=OrderStatus.PENDING, payment_method=PaymentMethod.COD,
    )  # fmt: skip
    return svc.create_order(ctx, draft).id


def outbox(engine: Engine) -> list[tuple[str, int | None]]:
    t = table_of(OutboxMessage)
    with engine.connect() as conn:
        return [(k, s) for k, s in conn.execute(sa.select(t.c.kind, t.c.shop_id).order_by(t.c.id))]


def order_row(engine: Engine, order_id: int) -> sa.Row:
    t = table_of(Order)
    with engine.connect() as conn:
        return conn.execute(sa.select(t).where(t.c.id == order_id)).one()


# --------------------------------------------------------------------------- capabilities


def test_each_channel_reports_what_its_connector_declares() -> None:
    everything = frozenset({Action.CONFIRM, Action.CANCEL, Action.PUSH_STOCK, Action.PUSH_PRICE,
                            Action.LIST_ITEMS})  # fmt: skip
    pushes_only = frozenset({Action.PUSH_STOCK, Action.PUSH_PRICE})
    assert channel_capabilities(Channel.SHOPEE) == everything
    # Lazada's price push takes the discount (sale) price too.
    assert channel_capabilities("lazada") == pushes_only | {
        Action.LIST_ITEMS,
        Action.PUSH_SALE_PRICE,
    }
    assert channel_capabilities(Channel.TIKTOK) == pushes_only
    assert channel_capabilities(Channel.TIKI) == frozenset()
    assert channel_capabilities(Channel.OFFLINE) == frozenset()  # no connector at all
    assert channel_can(Channel.LAZADA, Action.PUSH_STOCK)
    assert not channel_can(Channel.LAZADA, Action.CONFIRM)
    with pytest.raises(ValueError):
        channel_capabilities("ebay")


# --------------------------------------------------------------------------- orders


def test_a_lazada_confirm_moves_the_order_here_queues_nothing_and_says_so(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    lazada = make_shop(engine, "Lazada Sài Gòn", Channel.LAZADA)
    order_id = pending_order(owner_ctx, variants, lazada)

    svc.change_status(owner_ctx, order_id, OrderStatus.CONFIRMED)

    row = order_row(engine, order_id)
    assert row.status == OrderStatus.CONFIRMED and not row.outbox_pending
    assert outbox(engine) == []
    assert svc.order_detail(owner_ctx, order_id).by_hand == "confirm"


def test_a_tiktok_cancel_queues_nothing_and_asks_to_cancel_there(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    tiktok = make_shop(engine, "TikTok Shop", Channel.TIKTOK)
    order_id = pending_order(owner_ctx, variants, tiktok)

    result = svc.cancel_orders(owner_ctx, [order_id], "Hết hàng")

    assert result.done == [order_id]
    row = order_row(engine, order_id)
    assert row.status == OrderStatus.CANCELLED and not row.outbox_pending
    assert outbox(engine) == []
    assert svc.order_detail(owner_ctx, order_id).by_hand == "cancel"


def test_a_shopee_confirm_still_goes_through_the_outbox(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    shopee = make_shop(engine, "Shopee Quận 1", Channel.SHOPEE)
    order_id = pending_order(owner_ctx, variants, shopee)

    svc.change_status(owner_ctx, order_id, OrderStatus.CONFIRMED)

    assert order_row(engine, order_id).outbox_pending
    assert outbox(engine) == [("order.confirm", shopee)]
    assert svc.order_detail(owner_ctx, order_id).by_hand is None


def test_an_order_the_channel_itself_confirmed_needs_nothing_by_hand(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    lazada = make_shop(engine, "Lazada Sài Gòn", Channel.LAZADA)
    order_id = pending_order(owner_ctx, variants, lazada)
    assert svc.order_detail(owner_ctx, order_id).by_hand is None  # pending: nothing to do
    # The sync engine brings the confirmation from Lazada (its history source is "sync").
    with engine.begin() as conn:
        conn.execute(sa.update(table_of(Order)).where(table_of(Order).c.id == order_id)
                     .values(status=OrderStatus.CONFIRMED))  # fmt: skip
        conn.execute(sa.insert(table_of(OrderStatusChange)),
                     {"order_id": order_id, "from_status": OrderStatus.PENDING,
                      "to_status": OrderStatus.CONFIRMED, "source": "sync",
                      "changed_at": datetime.now().astimezone()})  # fmt: skip

    assert svc.order_detail(owner_ctx, order_id).by_hand is None


# --------------------------------------------------------------------------- stock, listings


def test_a_tiki_listing_gets_no_stock_push_while_tiktok_does(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    tiki = make_shop(engine, "Tiki Hà Nội", Channel.TIKI)
    tiktok = make_shop(engine, "TikTok Shop", Channel.TIKTOK)
    list_on(engine, tiki, [variants[0]])
    (tt_listing,) = list_on(engine, tiktok, [variants[0]])

    stock_svc.stock_in(owner_ctx, variants[0], 5)

    assert list(pushes(engine)) == [f"stock:{tiktok}:{tt_listing}"]
    with engine.connect() as conn:  # the stock itself moved, with its ledger row
        kinds = conn.execute(
            sa.select(StockMovement.kind).where(StockMovement.variant_id == variants[0])
        ).scalars().all()  # fmt: skip
    assert StockMoveKind.STOCK_IN in kinds


def test_a_tiki_only_stock_change_queues_nothing(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    tiki = make_shop(engine, "Tiki Hà Nội", Channel.TIKI)
    list_on(engine, tiki, [variants[1]])

    stock_svc.adjust_stock(owner_ctx, variants[1], 7, reason="Đếm lại")

    assert outbox(engine) == []


def test_a_new_product_on_tiki_queues_no_listing_update(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    shopee = make_shop(engine, "Shopee Quận 1", Channel.SHOPEE)
    tiki = make_shop(engine, "Tiki Hà Nội", Channel.TIKI)

    pid = catalogue.create_product(owner_ctx, grid_draft([shopee, tiki]))
    assert outbox(engine) == []  # neither listing is linked to its item yet
    link_listings(engine, pid)
    draft = catalogue.get_product(owner_ctx, pid).draft
    draft.variants[0].price += 1_000
    catalogue.update_product(owner_ctx, pid, draft)

    queued = outbox(engine)
    assert (catalogue.LISTING_KIND, shopee) in queued
    assert {shop for _kind, shop in queued} == {shopee}


def test_queueing_leaves_out_unsupported_shops_and_keeps_other_kinds(engine: Engine) -> None:
    lazada = make_shop(engine, "Lazada Sài Gòn", Channel.LAZADA)
    shopee = make_shop(engine, "Shopee Quận 1", Channel.SHOPEE)
    rows = {
        f"confirm:{sid}": {"intent_key": f"confirm:{sid}", "shop_id": sid,
                           "payload_json": json.dumps({"external_id": str(sid)})}
        for sid in (lazada, shopee)
    }  # fmt: skip
    with engine.begin() as conn:
        written = queue_coalesced(conn, "order.confirm", rows, FIXED_NOW)
        # A kind that is no marketplace action (e.g. a carrier's) is queued as before.
        other = {"ship:1": {"intent_key": "ship:1", "shop_id": lazada, "payload_json": "{}"}}
        written_other = queue_coalesced(conn, "carrier.test", other, FIXED_NOW)

    assert (written, written_other) == (1, 1)
    assert outbox(engine) == [("order.confirm", shopee), ("carrier.test", lazada)]
