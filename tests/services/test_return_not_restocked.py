"""A return's units kept off the shelf (defective): they come back on the order and are
written off at once, so on hand is as before for them, the stock history explains it, and
the marketplaces are told only of the units put back on sale. Back to stock is a number of
units per line: 3 cups back with 1 broken puts 2 back on sale."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Channel, StockMoveKind
from primedist.domain.product import StockMovement, Variant
from primedist.errors import ValidationError
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.exchange import ExchangeDraft, exchange_order, quote_exchange
from primedist.services.orders import NOT_RESTOCKED, DraftLine, OrderDraft
from tests.factories import make_product, make_shop
from tests.services.test_stock import list_on, pushes


def on_hand(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(Variant.stock).where(Variant.id == variant_id))
                   .scalar_one())  # fmt: skip


def moves(engine: Engine, variant_id: int) -> list[tuple[str, int, int, str | None]]:
    """(kind, quantity, on hand after, reason) of the variant's movements, oldest first."""
    m = StockMovement
    with engine.connect() as conn:
        rows = conn.execute(sa.select(m.kind, m.quantity, m.stock_after, m.reason)
                            .where(m.variant_id == variant_id).order_by(m.id))  # fmt: skip
        return [(str(k), int(q), int(a), r) for k, q, a, r in rows]


def test_a_line_not_restocked_keeps_on_hand_and_is_written_off(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    shop = make_shop(engine, "Shopee A", Channel.SHOPEE)
    broken, fine = make_product(engine, "Áo thun", [("AO-S", 100_000, 10), ("AO-M", 100_000, 10)])
    listings = list_on(engine, shop, [broken, fine])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(broken, 2),
                                                         DraftLine(fine, 1))))  # fmt: skip
    line_broken, line_fine = (ln.id or 0 for ln in svc.order_detail(owner_ctx, sale.id).lines)
    assert (on_hand(engine, broken), on_hand(engine, fine)) == (8, 9)

    result = svc.return_order(owner_ctx, sale.id, {line_broken: 2, line_fine: 1},
                              reason="Defective", not_restocked={line_broken})  # fmt: skip

    assert (result.items_returned, result.not_restocked) == (3, 2)
    # The defective units stay off the shelf; the other line is back on it.
    assert (on_hand(engine, broken), on_hand(engine, fine)) == (8, 10)
    number = sale.external_id
    assert moves(engine, broken)[-2:] == [
        (StockMoveKind.RETURN, 2, 10, f"{number}: Defective"),
        (StockMoveKind.STOCK_OUT, -2, 8, f"{number}: Defective{NOT_RESTOCKED}"),
    ]
    assert moves(engine, fine)[-1] == (StockMoveKind.RETURN, 1, 10, f"{number}: Defective")
    # The marketplace is told of the units put back on sale only.
    queued = {p["variant_id"]: p["available"] for p in pushes(engine).values()}
    assert len(listings) == 2 and queued == {broken: 8, fine: 10}
    # The order's history says how many were not restocked.
    note = svc.order_detail(owner_ctx, sale.id).history[-1].note
    assert note == "Returned 3 item(s), refund 300,000, 2 not restocked: Defective"


def test_a_return_restocks_every_line_unless_told(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (vid,) = make_product(engine, "Mũ", [("MU-1", 80_000, 5)])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(vid, 2),)))
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    result = svc.return_order(owner_ctx, sale.id, {line: 2}, reason="Wrong item")
    assert on_hand(engine, vid) == 5 and result.not_restocked == 0
    assert [k for k, *_ in moves(engine, vid)][-1] == StockMoveKind.RETURN
    note = svc.order_detail(owner_ctx, sale.id).history[-1].note
    assert note == "Returned 2 item(s), refund 160,000: Wrong item"


def test_an_exchange_can_keep_the_returned_item_off_the_shelf(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    old_size, new_size = make_product(engine, "Áo sơ mi", [("SM-S", 259_000, 5),
                                                           ("SM-M", 259_000, 5)])  # fmt: skip
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(old_size, 1),)))
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    draft = ExchangeDraft(sale.id, {line: 1}, "Defective",
                          OrderDraft(lines=(DraftLine(new_size, 1),)),
                          not_restocked={line})  # fmt: skip
    exchange_order(owner_ctx, draft)
    assert (on_hand(engine, old_size), on_hand(engine, new_size)) == (4, 4)
    assert moves(engine, old_size)[-1][:2] == (StockMoveKind.STOCK_OUT, -1)
    note = svc.order_detail(owner_ctx, sale.id).history[-1].note
    assert note is not None
    assert note.startswith("Returned 1 item(s) for an exchange, credit 259,000, 1 not restocked")


def test_some_units_of_a_line_back_to_stock_the_rest_written_off(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    """3 cups come back, 1 broken: 2 go back on sale, 1 is written off."""
    shop = make_shop(engine, "Shopee A", Channel.SHOPEE)
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 50_000, 10)])
    list_on(engine, shop, [cup])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(cup, 3),)))
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    assert on_hand(engine, cup) == 7

    result = svc.return_order(owner_ctx, sale.id, {line: 3}, reason="Vỡ 1",
                              back_to_stock={line: 2})  # fmt: skip

    assert (result.items_returned, result.not_restocked) == (3, 1)
    assert on_hand(engine, cup) == 9  # +2: the broken one stays off the shelf
    number = sale.external_id
    assert moves(engine, cup)[-2:] == [
        (StockMoveKind.RETURN, 3, 10, f"{number}: Vỡ 1"),
        (StockMoveKind.STOCK_OUT, -1, 9, f"{number}: Vỡ 1{NOT_RESTOCKED}"),
    ]
    # The marketplace is told of the 2 back on sale only.
    assert [p["available"] for p in pushes(engine).values()] == [9]
    detail = svc.order_detail(owner_ctx, sale.id)
    assert detail.lines[0].returned_quantity == 3
    assert detail.history[-1].note == "Returned 3 item(s), refund 150,000, 1 not restocked: Vỡ 1"
    with engine.connect() as conn:
        after = conn.execute(sa.select(AuditEvent.after_json)
                             .where(AuditEvent.action == "order.return")).scalar_one()  # fmt: skip
    assert json.loads(after or "{}")["not_restocked"] == {"COC-1": 1}


def test_all_of_a_line_back_to_stock_writes_nothing_off(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 50_000, 10)])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(cup, 3),)))
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    result = svc.return_order(owner_ctx, sale.id, {line: 2}, reason="Đổi ý",
                              back_to_stock={line: 2})  # fmt: skip
    assert result.not_restocked == 0 and on_hand(engine, cup) == 9
    assert moves(engine, cup)[-1][0] == StockMoveKind.RETURN


@pytest.mark.parametrize("back", [4, -1])
def test_more_back_to_stock_than_returned_is_refused_naming_the_line(
    engine: Engine, owner_ctx: ServiceContext, back: int
) -> None:
    cup, plate = make_product(engine, "Cốc sứ", [("COC-1", 50_000, 10), ("DIA-1", 40_000, 10)])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(cup, 3),
                                                         DraftLine(plate, 1))))  # fmt: skip
    line_cup, line_plate = (ln.id or 0 for ln in svc.order_detail(owner_ctx, sale.id).lines)

    with pytest.raises(ValidationError) as refused:
        svc.return_order(owner_ctx, sale.id, {line_cup: 3, line_plate: 1}, reason="Vỡ",
                         back_to_stock={line_plate: 1, line_cup: back})  # fmt: skip
    assert refused.value.user_message == (
        "COC-1: between 0 and 3 can go back to stock (the quantity returned)."
    )
    assert refused.value.field == "back_to_stock"
    # A line not returned has nothing to put back.
    with pytest.raises(ValidationError, match="DIA-1: between 0 and 0 can go back to stock"):
        svc.return_order(owner_ctx, sale.id, {line_cup: 1}, reason="Vỡ",
                         back_to_stock={line_plate: 1})  # fmt: skip
    # Nothing was saved.
    assert (on_hand(engine, cup), on_hand(engine, plate)) == (7, 9)
    assert [ln.returned_quantity for ln in svc.order_detail(owner_ctx, sale.id).lines] == [0, 0]


def test_an_exchange_puts_back_on_sale_only_what_it_is_told(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    cup, bowl = make_product(engine, "Cốc sứ", [("COC-1", 50_000, 10), ("BAT-1", 50_000, 10)])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(cup, 3),)))
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    new_sale = OrderDraft(lines=(DraftLine(bowl, 3),))
    too_many = ExchangeDraft(sale.id, {line: 3}, "Vỡ 1", new_sale, back_to_stock={line: 5})
    # The quote says what is wrong; saving refuses it.
    problem = "COC-1: between 0 and 3 can go back to stock (the quantity returned)."
    assert problem in quote_exchange(owner_ctx, too_many).problems
    with pytest.raises(ValidationError, match="COC-1: between 0 and 3"):
        exchange_order(owner_ctx, too_many)
    assert on_hand(engine, cup) == 7

    exchange_order(owner_ctx, replace(too_many, back_to_stock={line: 2}))
    assert (on_hand(engine, cup), on_hand(engine, bowl)) == (9, 7)
    assert moves(engine, cup)[-1][:2] == (StockMoveKind.STOCK_OUT, -1)
    note = svc.order_detail(owner_ctx, sale.id).history[-1].note
    assert note is not None
    assert note.startswith("Returned 3 item(s) for an exchange, credit 150,000, 1 not restocked")
