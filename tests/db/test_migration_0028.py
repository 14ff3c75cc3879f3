"""Migration 0028 (gross profit): the order lines already there get their variant's cost
of the day of the upgrade, and the product summaries' profits are worked out from them,
as a rebuild from the orders would; down and up again keeps every order and line."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import orders as svc
from primedist.services import reports
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import make_product


def summaries(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t: sorted(tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t}"))
            for t in ("report_order_products", "report_daily_products")
        }


def test_upgrade_costs_the_lines_and_fills_the_profits(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    shirt, dress = make_product(engine, "Áo", [("AO-1", 100_000, 10), ("VAY-1", 250_000, 5)])
    for variant, quantity in ((shirt, 2), (dress, 1), (shirt, 1)):
        draft = svc.OrderDraft(
            lines=(svc.DraftLine(variant, quantity),),
            source=OrderSource.COUNTER,
            payment_method=PaymentMethod.CASH,
        )
        sale = svc.create_order(owner_ctx, draft)  # fmt: skip
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    svc.return_order(owner_ctx, sale.id, {line: 1}, reason="đổi ý")  # the last comes back
    store.migrate(engine, "0027_price_schedules", down=True)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("order_lines")}
    assert "unit_cost" not in columns
    with engine.begin() as conn:  # the costs typed before the upgrade
        conn.execute(sa.text("UPDATE variants SET cost = 60000 WHERE id = :v"), {"v": shirt})
        conn.execute(sa.text("UPDATE variants SET cost = 150000 WHERE id = :v"), {"v": dress})

    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    with engine.connect() as conn:
        costs = conn.exec_driver_sql(
            "SELECT variant_id, unit_cost FROM order_lines ORDER BY id").all()  # fmt: skip
    assert [tuple(c) for c in costs] == [(shirt, 60_000), (dress, 150_000), (shirt, 60_000)]
    today = reports.today(owner_ctx)
    # 2 shirts (2 × 40.000 ₫) and a dress (100.000 ₫); the returned shirt is no profit.
    assert reports.analytics(owner_ctx, today, today).profit.current == 180_000
    migrated = summaries(engine)
    reports.rebuild(owner_ctx)
    assert summaries(engine) == migrated
