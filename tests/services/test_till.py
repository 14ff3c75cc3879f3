"""Closing the till: the count against the day's cash (opening float + cash sales − cash
refunds) for the shops and staff member counted; several counts a day; what is refused;
the audit row; permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.clock import FixedClock
from primedist.domain.enums import Module, PaymentMethod, Role
from primedist.domain.user import User
from primedist.errors import PermissionDenied, ValidationError
from primedist.services import orders as svc
from primedist.services import staff as staff_svc
from primedist.services import till
from primedist.services.auth import actor_for
from primedist.services.context import ServiceContext
from tests.factories import make_product, make_shop
from tests.services.test_end_of_day import DAY, at, sell
from tests.services.test_permissions import staff


@pytest.fixture
def day_of_sales(owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine) -> None:
    """On DAY: cash sales of 2 × 100.000 ₫, 1 × 120.000 ₫ and 4 × 120.000 ₫ (returned in
    full at once), a transfer of 120.000 ₫, and at 15:00 a cash refund of 100.000 ₫;
    a cash sale the day before."""
    shirt, cap = make_product(engine, "Áo", [("AO-S", 100_000, 50), ("MU-1", 120_000, 50)])
    at(clock, 9, days=-1)
    sell(owner_ctx, [(shirt, 1)], PaymentMethod.CASH)
    at(clock, 10)
    first = sell(owner_ctx, [(shirt, 2)], PaymentMethod.CASH)
    sell(owner_ctx, [(cap, 1)], PaymentMethod.CASH)
    sell(owner_ctx, [(cap, 1)], PaymentMethod.BANK_TRANSFER)
    gone = sell(owner_ctx, [(cap, 4)], PaymentMethod.CASH)
    line = svc.order_detail(owner_ctx, gone.id).lines[0]
    svc.return_order(owner_ctx, gone.id, {line.id or 0: 4}, reason="Khách trả hết")
    lines = svc.order_detail(owner_ctx, first.id).lines
    at(clock, 15)
    svc.return_order(owner_ctx, first.id, {lines[0].id or 0: 1}, reason="Lỗi")


def test_a_count_against_the_days_cash(
    owner_ctx: ServiceContext, clock: FixedClock, day_of_sales: None
) -> None:
    at(clock, 21)
    short = till.close_till(owner_ctx, DAY, opening_float=500_000, counted=720_000,
                            note="  thối nhầm  ")  # fmt: skip
    # cash sales 200.000 + 120.000 + 480.000 (returned in full the same day: a sale, and a
    # refund) = 800.000; cash refunds 480.000 + 100.000 = 580.000
    assert (short.cash_sales, short.cash_refunds) == (800_000, 580_000)
    assert short.expected == 500_000 + 800_000 - 580_000 == 720_000
    assert (short.counted, short.difference) == (720_000, 0)
    assert short.note == "thối nhầm" and short.counted_by == "Chủ Thử" and short.staff is None
    assert short.shops == () and short.day == DAY
    at(clock, 21, 30)
    over = till.close_till(owner_ctx, DAY, opening_float=500_000, counted=750_000)
    assert over.difference == 30_000 and over.note is None
    assert [c.id for c in till.till_counts(owner_ctx, DAY)] == [short.id, over.id]
    assert till.till_counts(owner_ctx, DAY - timedelta(days=1)) == []
    with owner_ctx.engine.connect() as conn:
        audit = conn.execute(sa.text(
            "SELECT entity_id, after_json FROM audit_events WHERE action = 'till.close' "
            "ORDER BY id")).all()  # fmt: skip
    assert [a[0] for a in audit] == ["2026-11-20", "2026-11-20"]
    assert '"difference": 30000' in audit[1][1]


def test_a_shop_and_a_cashier(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, day_of_sales: None
) -> None:
    shopee = make_shop(engine, "Shopee Lan")
    at(clock, 21)
    other = till.close_till(owner_ctx, DAY, opening_float=0, counted=0, shop_ids=[shopee])
    assert (other.expected, other.difference, other.shops) == (0, 0, ("Shopee Lan",))
    owner_id = owner_ctx.actor.id
    mine = till.close_till(owner_ctx, DAY, opening_float=0, counted=100_000, staff_id=owner_id)
    assert mine.staff == "Chủ Thử" and mine.expected == 220_000
    assert mine.difference == -120_000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"opening_float": -1, "counted": 0}, "Type an amount from 0"),
        ({"opening_float": 0, "counted": 10**13}, "Type an amount from 0"),
        ({"opening_float": 0, "counted": 0, "note": "x" * 256}, "longer than 255"),
    ],
)
def test_bad_counts_are_refused(
    owner_ctx: ServiceContext, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        till.close_till(owner_ctx, DAY, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="has not come yet"):
        till.close_till(owner_ctx, DAY + timedelta(days=1), opening_float=0, counted=0)
    assert till.till_counts(owner_ctx, DAY) == []


def test_needs_orders_access(owner_ctx: ServiceContext) -> None:
    clerk = staff(owner_ctx, Module.PRODUCTS)
    with pytest.raises(PermissionDenied):
        till.close_till(clerk, DAY, opening_float=0, counted=0)
    with pytest.raises(PermissionDenied):
        till.till_counts(clerk, DAY)
    assert till.till_counts(owner_ctx, DAY) == []


def test_cash_paid_to_suppliers_leaves_the_drawer(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, day_of_sales: None
) -> None:
    """Cash paid to a supplier on the day (with a delivery or against its balance) is out of
    the drawer; a transfer, a cancelled payment or another day's is not; the shop filter
    keeps it (one drawer), a staff member's count takes only what they paid."""
    from primedist.services import end_of_day as eod
    from primedist.services import goods_receipts as gr
    from primedist.services import suppliers as sup

    (cup,) = make_product(engine, "Cốc", [("COC-1", 45_000, 0)])
    shopee = make_shop(engine, "Shopee Lan")
    at(clock, 9, days=-1)
    ncc = sup.create_supplier(owner_ctx, sup.SupplierDraft("Gốm Minh Long")).id
    sup.pay_supplier(owner_ctx, ncc, 40_000)  # yesterday's
    at(clock, 11)
    line = gr.ReceiptLine(cup, 10, 20_000)
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([line], supplier="Gốm Minh Long", paid=150_000))
    sup.pay_supplier(owner_ctx, ncc, 50_000, PaymentMethod.BANK_TRANSFER)
    wrong = sup.pay_supplier(owner_ctx, ncc, 70_000)
    sup.cancel_payment(owner_ctx, wrong.record_id, "nhập nhầm")
    sup.pay_supplier(owner_ctx, ncc, 30_000, note="trả thêm")
    at(clock, 21)
    report = eod.end_of_day(owner_ctx, DAY)
    assert report.supplier_cash == 180_000
    assert report.cash_in_drawer == 800_000 - 580_000 - 180_000
    count = till.close_till(owner_ctx, DAY, opening_float=500_000, counted=540_000)
    assert (count.cash_paid_out, count.expected, count.difference) == (180_000, 540_000, 0)
    assert till.till_counts(owner_ctx, DAY)[-1].cash_paid_out == 180_000
    one_shop = till.close_till(owner_ctx, DAY, opening_float=0, counted=0, shop_ids=[shopee])
    assert (one_shop.cash_paid_out, one_shop.expected) == (180_000, -180_000)
    issued = staff_svc.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                                 modules=[Module.PRODUCTS, Module.ORDERS])  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        lan = owner_ctx.with_actor(actor_for(session, user))
    sup.pay_supplier(lan, ncc, 20_000)
    assert eod.end_of_day(owner_ctx, DAY).supplier_cash == 200_000
    assert eod.end_of_day(owner_ctx, DAY, user_id=owner_ctx.actor.id).supplier_cash == 180_000
    assert eod.end_of_day(owner_ctx, DAY, user_id=issued.member.id).supplier_cash == 20_000
