"""Migration 0038 (orders.external_status): an existing database gets the column, its
orders stay without a marketplace status (not known: Confirm is not held back), and the
downgrade drops it with the orders kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.domain.enums import OrderStatus
from primedist.services import orders
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import make_orders, make_shop

BEFORE = "0037_product_search_options"


def order_columns(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns("orders")}


def test_an_existing_database_gets_the_column_its_orders_none(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Mall", "shopee")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM orders"))
    # Orders made by today's writers (their summaries need today's columns), then the
    # schema taken back to before 0038: they are the orders kept before the upgrade.
    ids = make_orders(engine, shop, 3, start=datetime(2026, 11, 1, tzinfo=UTC),
                      step=timedelta(hours=1))  # fmt: skip
    store.migrate(engine, BEFORE, down=True)
    assert "external_status" not in order_columns(engine)

    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    with engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT count(*) FROM orders WHERE external_status IS NULL"))
        assert kept.scalar_one() == 3
    details = [orders.order_detail(owner_ctx, i).order for i in ids]
    pending = [o.id for o in details if o.status == OrderStatus.PENDING and o.id is not None]
    assert orders.confirm_orders(owner_ctx, pending).skipped == []  # not known: not held back

    store.migrate(engine, BEFORE, down=True)
    assert "external_status" not in order_columns(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one() == 3
