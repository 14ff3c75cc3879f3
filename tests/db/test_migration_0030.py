"""Migration 0030: a voucher use of a customer merged before merges moved uses names its
order's customer again, so the per-customer limit counts it for the survivor."""

from __future__ import annotations

import sqlalchemy as sa

import primedist.db.store as store
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.customers import CustomerDraft, add_customer
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher
from tests.factories import make_product


def uses(ctx: ServiceContext) -> list[tuple[int, int | None]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT order_id, customer_id FROM voucher_uses ORDER BY 1"))
        return [(int(o), c) for o, c in rows]


def test_uses_follow_their_orders_customer(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 100_000, 100)])
    save_voucher(owner_ctx, VoucherDraft("GIAM10", value=10_000))
    a, b = (add_customer(owner_ctx, CustomerDraft(name=n)).customer_id for n in ("An", "Bình"))
    made = [
        order_svc.create_order(owner_ctx, order_svc.OrderDraft(
            lines=(order_svc.DraftLine(shirt, 1),), customer_id=cid, voucher_code="GIAM10",
            source=OrderSource.PHONE, payment_method=PaymentMethod.COD)).id
        for cid in (a, b)
    ]  # fmt: skip
    store.migrate(engine, "0029_unlinked_listings", down=True)
    with engine.begin() as conn:  # An merged into Bình by the app before 0030
        conn.execute(sa.text("UPDATE orders SET customer_id = :b WHERE customer_id = :a"),
                     {"a": a, "b": b})  # fmt: skip
    assert uses(owner_ctx) == [(made[0], a), (made[1], b)]
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert uses(owner_ctx) == [(made[0], b), (made[1], b)]
