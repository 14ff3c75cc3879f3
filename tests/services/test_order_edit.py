# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Editing an own order before it leaves, on a real migrated store: the stock it reserved,
its voucher use and redeemed points are freed and taken again for the new items, the
customer's statistics and the dashboards follow, all in one transaction; a marketplace
order, one that left and one with a live shipment are refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.customer import Customer
from primedist.domain.enums import DiscountKind, Module, OrderSource, OrderStatus, PaymentMethod
from primedist.domain.loyalty import PointsEntry, Voucher
from primedist.domain.order import OrderLine
from primedist.domain.product import StockMovement
from primedist.errors import Conflict, PermissionDenied, ValidationError
from primedist.services import order_edit as edit
from primedist.services import orders as svc
from primedist.services import reports
from primedist.services import shipping as ship_svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, StockShortage
from tests.factories import make_orders, make_shop
from tests.services.test_orders import (
    count,
    customer_id,  # noqa: F401  (fixture)
    load,
    order_of,
    stock,
    variants,  # noqa: F401  (fixture)
)
from tests.services.test_permissions import staff
from tests.services.test_shipping import draft as ship_draft
from tests.services.test_shipping import ghn_id, sandbox  # noqa: F401  (fixtures)


def phone_order(ctx: ServiceContext, variants: list[int], **kw: object) -> int:
    """2 × AO-S + 1 × AO-M, COD, confirmed."""
    draft = svc.OrderDraft(
        lines=(DraftLine(variants[0], 2), DraftLine(variants[1], 1)),
        source=OrderSource.PHONE, payment_method=PaymentMethod.COD, ship_name="Hoa",
        ship_phone="0939921717", ship_address="12 Lê Lợi", ship_province="Hà Nội", **kw,
    )  # type: ignore[arg-type]  # fmt: skip
    return svc.create_order(ctx, draft).id


def lines(engine: Engine, order_id: int) -> list[tuple[str, int, int]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(OrderLine.sku, OrderLine.quantity, OrderLine.unit_price)
            .where(OrderLine.order_id == order_id).order_by(OrderLine.id))]  # fmt: skip


def customer(engine: Engine, customer_id: int) -> Customer:
    obj = load(engine, Customer, customer_id)
    assert isinstance(obj, Customer)
    return obj


def test_the_draft_is_the_order_as_stored(owner_ctx, engine, variants, customer_id):
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id, shipping_fee=20_000,
                           order_discount=5_000, note="Giao giờ hành chính")  # fmt: skip
    draft = edit.order_draft(owner_ctx, order_id)
    assert draft.lines == (
        DraftLine(variants[0], 2, 99_000, 0),
        DraftLine(variants[1], 1, 120_000, 0),
    )
    assert (draft.customer_id, draft.shipping_fee, draft.order_discount, draft.note) == (
        customer_id, 20_000, 5_000, "Giao giờ hành chính")  # fmt: skip
    assert (draft.source, draft.status, draft.ship_province) == (
        OrderSource.PHONE, OrderStatus.CONFIRMED, "Hà Nội")  # fmt: skip
    # Saved unchanged: the same order.
    assert edit.update_order(owner_ctx, order_id, draft).total == order_of(engine, order_id).total
    assert stock(engine, variants[0]) == (10, 2) and stock(engine, variants[1]) == (3, 1)


def test_items_change_and_the_stock_follows(owner_ctx, engine, variants, customer_id):
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id)
    draft = edit.order_draft(owner_ctx, order_id)
    new = replace(draft, lines=(DraftLine(variants[0], 5, 99_000),))  # AO-M taken off

    # The form's quote counts the order's own reservation as free: 10 AO-S, none held.
    quote = edit.quote_edit(owner_ctx, order_id, new)
    assert quote.lines[0].available == 10 and not quote.problems and not quote.shortages
    saved = edit.update_order(owner_ctx, order_id, new)

    assert saved.total == 5 * 99_000
    order = order_of(engine, order_id)
    assert (order.item_count, order.subtotal, order.total, order.status) == (
        5, 495_000, 495_000, OrderStatus.CONFIRMED)  # fmt: skip
    assert lines(engine, order_id) == [("AO-S", 5, 99_000)]
    (event,) = svc.order_detail(owner_ctx, order_id).events  # the detail lists the edit
    assert (event.action, event.before["total"], event.after["total"]) == (
        "order.edit", 318_000, 495_000)  # fmt: skip
    assert stock(engine, variants[0]) == (10, 5) and stock(engine, variants[1]) == (3, 0)
    assert customer(engine, customer_id).total_orders == 1
    day = reports.today(owner_ctx)
    products = reports.ranking(owner_ctx, "product", day, day)
    assert [(p.label, p.units.current) for p in products] == [("Áo thun cotton", 5)]
    with engine.connect() as conn:
        kinds = conn.execute(
            sa.select(StockMovement.kind).where(StockMovement.order_id == order_id)
            .order_by(StockMovement.id)).scalars().all()  # fmt: skip
    assert [str(k) for k in kinds] == ["reserve", "reserve", "release", "release", "reserve"]
    # Cancelling afterwards releases what the edited order holds.
    svc.cancel_orders(owner_ctx, [order_id], "Khách đổi ý")
    assert stock(engine, variants[0]) == (10, 0)


def test_more_than_in_stock_needs_consent_and_nothing_changes_until_then(
    owner_ctx, engine, variants
):
    order_id = phone_order(owner_ctx, variants)
    new = replace(edit.order_draft(owner_ctx, order_id), lines=(DraftLine(variants[1], 4),))
    with pytest.raises(StockShortage):
        edit.update_order(owner_ctx, order_id, new)
    assert lines(engine, order_id) == [("AO-S", 2, 99_000), ("AO-M", 1, 120_000)]
    assert stock(engine, variants[0]) == (10, 2) and stock(engine, variants[1]) == (3, 1)
    edit.update_order(owner_ctx, order_id, new, allow_negative_stock=True)
    assert stock(engine, variants[1]) == (3, 4) and stock(engine, variants[0]) == (10, 0)


def test_points_and_voucher_are_taken_again(owner_ctx, engine, variants, customer_id):
    with engine.begin() as conn:
        conn.execute(sa.update(Customer).where(Customer.id == customer_id)
                     .values(points_balance=30))  # fmt: skip
        conn.execute(sa.insert(Voucher).values(
            code="GIAM10", name="Giảm 10%", discount_kind=DiscountKind.PERCENT,
            discount_value=10, max_discount=50_000, min_order_value=100_000, usage_limit=1,
            used_count=0, is_active=True, free_shipping=False,
            created_at=sa.func.now()))  # fmt: skip
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id, voucher_code="GIAM10",
                           points=20)  # fmt: skip
    assert customer(engine, customer_id).points_balance == 10
    draft = edit.order_draft(owner_ctx, order_id)
    assert (draft.voucher_code, draft.points) == ("GIAM10", 20)

    # Same voucher (used up, but by this very order) and points: the totals are repriced.
    same = replace(draft, lines=(DraftLine(variants[0], 3, 99_000),))
    assert not edit.quote_edit(owner_ctx, order_id, same).problems
    edit.update_order(owner_ctx, order_id, same)
    order = order_of(engine, order_id)
    assert (order.voucher_discount, order.points_discount) == (29_700, 20_000)
    assert order.total == 297_000 - 29_700 - 20_000 and order.money_adds_up()
    assert customer(engine, customer_id).points_balance == 10
    assert count(engine, PointsEntry, PointsEntry.order_id == order_id) == 1  # no churn

    # Fewer points, no voucher: 15 points come back in a ledger row; the voucher is free.
    fewer = replace(same, points=5, voucher_code=None)
    edit.update_order(owner_ctx, order_id, fewer)
    assert customer(engine, customer_id).points_balance == 25
    with engine.connect() as conn:
        ledger = conn.execute(sa.select(PointsEntry.delta, PointsEntry.balance_after)
                              .where(PointsEntry.order_id == order_id)
                              .order_by(PointsEntry.id)).all()  # fmt: skip
    assert [tuple(r) for r in ledger] == [(-20, 10), (20, 30), (-5, 25)]
    voucher = load(engine, Voucher, 1)
    assert isinstance(voucher, Voucher) and voucher.used_count == 0
    assert svc.quote_order(owner_ctx, svc.OrderDraft(
        lines=(DraftLine(variants[0], 2),), voucher_code="GIAM10")).voucher_discount  # fmt: skip


def test_bad_drafts_are_refused_with_the_reason(owner_ctx, engine, variants):
    order_id = phone_order(owner_ctx, variants)
    draft = edit.order_draft(owner_ctx, order_id)
    with pytest.raises(ValidationError, match="at least one product"):
        edit.update_order(owner_ctx, order_id, replace(draft, lines=()))
    with pytest.raises(ValidationError, match="discount"):
        edit.update_order(owner_ctx, order_id, replace(draft, order_discount=10**9))
    assert lines(engine, order_id) == [("AO-S", 2, 99_000), ("AO-M", 1, 120_000)]


def test_what_cannot_be_edited_is_refused(owner_ctx, engine, variants, ghn_id):
    counter = svc.create_order(owner_ctx, svc.OrderDraft(lines=(DraftLine(variants[0], 1),))).id
    shipped = phone_order(owner_ctx, variants)
    svc.change_status(owner_ctx, shipped, OrderStatus.SHIPPING)
    with_parcel = phone_order(owner_ctx, variants)
    ship_svc.request_shipment(owner_ctx, with_parcel, ship_draft(owner_ctx, with_parcel, ghn_id))
    for order_id, words in ((counter, "is completed"), (shipped, "is shipping"),
                            (with_parcel, "cancel it first")):  # fmt: skip
        lock = edit.edit_lock(owner_ctx, order_id)
        assert lock is not None and words in lock
        draft = svc.OrderDraft(lines=(DraftLine(variants[0], 1),))
        with pytest.raises(Conflict, match=words):
            edit.update_order(owner_ctx, order_id, draft)


def test_staff_need_the_orders_module(owner_ctx, variants):
    order_id = phone_order(owner_ctx, variants)
    draft = edit.order_draft(owner_ctx, order_id)
    for call in (lambda c: edit.update_order(c, order_id, draft),
                 lambda c: edit.quote_edit(c, order_id, draft),
                 lambda c: edit.order_draft(c, order_id)):  # fmt: skip
        with pytest.raises(PermissionDenied):
            call(staff(owner_ctx, Module.CUSTOMERS))
    assert edit.update_order(staff(owner_ctx, Module.ORDERS), order_id, draft).id == order_id


def test_an_order_whose_product_is_gone_is_not_edited(owner_ctx, engine, variants):
    order_id = phone_order(owner_ctx, variants)
    with engine.begin() as conn:  # what a line keeps when its variant row goes
        conn.execute(sa.update(OrderLine).where(OrderLine.sku == "AO-M").values(variant_id=None))
    lock = edit.edit_lock(owner_ctx, order_id)
    assert lock is not None and "was deleted since" in lock
    with pytest.raises(Conflict, match="was deleted since"):
        edit.update_order(owner_ctx, order_id, edit.order_draft(owner_ctx, order_id))
    assert len(lines(engine, order_id)) == 2


def test_an_sku_group_holds_the_edited_quantities(owner_ctx, engine):
    from primedist.domain.product import SkuGroup
    from tests.factories import make_grouped_pair

    group_id, a, b = make_grouped_pair(engine)
    order_id = svc.create_order(owner_ctx, svc.OrderDraft(
        lines=(DraftLine(a, 3),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD)).id  # fmt: skip

    def group() -> tuple[int, int]:
        row = load(engine, SkuGroup, group_id)
        assert isinstance(row, SkuGroup)
        return row.stock, row.reserved

    assert group() == (4, 3)
    draft = edit.order_draft(owner_ctx, order_id)
    # All four of the group: its own three count as free, so nothing is short.
    both = replace(draft, lines=(DraftLine(a, 1), DraftLine(b, 3)))
    assert not edit.quote_edit(owner_ctx, order_id, both).shortages
    edit.update_order(owner_ctx, order_id, both)
    assert group() == (4, 4)
    with pytest.raises(StockShortage):  # five of four
        edit.update_order(owner_ctx, order_id, replace(draft, lines=(DraftLine(b, 5),)))
    assert group() == (4, 4)


def test_order_again_starts_a_new_sale_like_the_order(owner_ctx, engine, variants, customer_id):
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id, shipping_fee=20_000,
                           order_discount=5_000, note="Giao chiều")  # fmt: skip
    again = edit.repeat_draft(owner_ctx, order_id)
    # Today's prices (no price kept), no discount, voucher, points or note.
    assert again.lines == (DraftLine(variants[0], 2), DraftLine(variants[1], 1))
    assert (again.order_discount, again.voucher_code, again.points, again.note) == (
        0,
        None,
        0,
        None,
    )
    assert (again.customer_id, again.source, again.shipping_fee, again.ship_province) == (
        customer_id, OrderSource.PHONE, 20_000, "Hà Nội")  # fmt: skip
    created = svc.create_order(owner_ctx, again)
    assert created.id != order_id and stock(engine, variants[0]) == (10, 4)

    shop = make_shop(engine, "Shopee Mall", "shopee")
    market = make_orders(engine, shop, 1, start=datetime(2026, 11, 1, tzinfo=UTC),
                         step=timedelta(0))[0]  # fmt: skip
    from_market = edit.repeat_draft(owner_ctx, market)
    assert (from_market.source, from_market.ship_phone, from_market.payment_method) == (
        OrderSource.PHONE,
        None,
        PaymentMethod.COD,
    )  # the marketplace's masked data stays there
