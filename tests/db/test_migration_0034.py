"""Migration 0034 (orders.cash_received): an existing database gets the column, its orders
stay with no cash kept (what was handed over was never stored), and new cash sales keep it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.domain.enums import PaymentMethod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import make_product

BEFORE = "0033_customer_not_duplicates"


def order_columns(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns("orders")}


def cash_sale(ctx: ServiceContext, variant: int) -> int:
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 1),), payment_method=PaymentMethod.CASH,
                           cash_received=100_000)  # fmt: skip
    return svc.create_order(ctx, draft).id


def test_an_existing_database_gets_the_column(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 20)])
    before = cash_sale(owner_ctx, cup)
    store.migrate(engine, BEFORE, down=True)
    assert "cash_received" not in order_columns(engine)
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    after = cash_sale(owner_ctx, cup)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, total, cash_received FROM orders ORDER BY id"))
        assert [tuple(r) for r in rows] == [(before, 45_000, None), (after, 45_000, 100_000)]
