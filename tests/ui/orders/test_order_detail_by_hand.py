"""The order detail for a channel the app cannot tell about a confirm/cancel: no "waiting
to be sent" banner, a note to repeat the step in the channel's seller center instead."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod
from primedist.domain.sync import OutboxMessage
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.orders import detail as detail_module
from tests.factories import make_product, make_shop
from tests.ui.orders.test_order_detail import WAIT_MS, click, open_detail, order_of


def pending_order(engine: Engine, ctx: ServiceContext, channel: Channel) -> int:
    (variant, _) = make_product(engine, "Áo thun", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)])
    shop = make_shop(engine, f"{channel.value} shop", channel)
    draft = OrderDraft(
        lines=(DraftLine(variant, 1),), source=OrderSource.PHONE, shop_id=shop,
        status=OrderStatus.PENDING, payment_method=PaymentMethod.COD,
    )  # fmt: skip
    return svc.create_order(ctx, draft).id


def queued(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage.kind)).all())


def test_confirming_a_lazada_order_asks_to_confirm_it_in_seller_center(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    order_id = pending_order(engine, owner_ctx, Channel.LAZADA)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert not dialog.by_hand_note.isVisible()  # pending: nothing to repeat yet

    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.confirm_button)

    assert order_of(engine, order_id).status == OrderStatus.CONFIRMED
    assert queued(engine) == []
    assert dialog.status_pill.text() == "Confirmed"
    assert not dialog.outbox_banner.isVisible()
    assert dialog.by_hand_note.isVisible()
    assert dialog.by_hand_note.text().startswith("Confirm it in Lazada Seller Center too")


def test_cancelling_a_tiki_order_asks_to_cancel_it_there(
    qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext
) -> None:
    order_id = pending_order(engine, owner_ctx, Channel.TIKI)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    monkeypatch.setattr(detail_module, "ask_cancel_reason", lambda _parent, **_kw: "Hết hàng")

    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.cancel_button)

    assert order_of(engine, order_id).status == OrderStatus.CANCELLED
    assert queued(engine) == []
    assert not dialog.outbox_banner.isVisible()
    assert dialog.by_hand_note.text().startswith("Cancel it in Tiki Seller Center too")


def test_a_shopee_confirm_waits_to_be_sent_and_needs_nothing_by_hand(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    order_id = pending_order(engine, owner_ctx, Channel.SHOPEE)
    dialog = open_detail(qtbot, owner_ctx, order_id)

    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.confirm_button)

    assert queued(engine) == ["order.confirm"]
    assert dialog.outbox_banner.isVisible() and not dialog.by_hand_note.isVisible()
