"""Migration 0031: orders that earned points keep the earn rate in force at the upgrade,
so changing the rate afterwards does not re-rate them."""

from __future__ import annotations

import sqlalchemy as sa

import primedist.db.store as store
from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import PointsSettings, save_points_settings
from tests.factories import make_product
from tests.services.loyalty.conftest import customers_with


def test_earned_orders_get_the_rate_in_force(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 100_000, 100)])
    (cid,) = customers_with(engine, [{}])
    save_points_settings(owner_ctx, PointsSettings(earn_per=25_000))
    made = [
        svc.create_order(owner_ctx, svc.OrderDraft(
            lines=(svc.DraftLine(shirt, 5),), customer_id=cid, source=OrderSource.PHONE,
            payment_method=PaymentMethod.COD)).id
        for _ in range(2)
    ]  # fmt: skip
    for status in (OrderStatus.SHIPPING, OrderStatus.COMPLETED):
        svc.change_status(owner_ctx, made[0], status)  # earns 20 points; the other none
    store.migrate(engine, "0030_voucher_uses_follow_orders", down=True)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("orders")}
    assert "points_rate" not in columns
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT points_earned, points_rate FROM orders ORDER BY id"))
        assert [tuple(r) for r in rows] == [(20, 25_000), (0, None)]
