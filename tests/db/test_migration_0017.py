"""Migration 0017 on a store whose app-made orders have a province name but no code (as
`create_order` left them): they get the code, and the summaries end up exactly as a full
rebuild from the corrected orders would write them; a name that is no province stays
without a code."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.queries.reports import rebuild_summaries
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import make_product

BEFORE = "0016_customer_list_filters"
SUMMARY = ("report_order_days", "report_daily_groups", "report_daily",
           "report_daily_products", "report_order_products")  # fmt: skip


def _rows(engine: Engine, table: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table}")))


def _codes(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT ship_province, province_code FROM orders"))
        return {str(name): code for name, code in rows}


def _phone_order(ctx: ServiceContext, variant: int, province: str, qty: int = 1) -> int:
    draft = order_svc.OrderDraft(
        lines=(order_svc.DraftLine(variant, qty),), source=OrderSource.PHONE,
        status=OrderStatus.CONFIRMED, payment_method=PaymentMethod.COD, ship_name="Lan",
        ship_phone="0901234567", ship_address="12 Lê Lợi", ship_province=province,
    )  # fmt: skip
    return order_svc.create_order(ctx, draft).id


def test_app_made_orders_get_their_province_and_the_summaries_follow(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    variant = make_product(engine, "Áo thun", [("AT-1", 150_000, 50)])[0]
    _phone_order(owner_ctx, variant, "TP. Hồ Chí Minh")
    _phone_order(owner_ctx, variant, "tp hồ chí minh", qty=2)
    _phone_order(owner_ctx, variant, "Hà Nội")
    gone = _phone_order(owner_ctx, variant, "Thành phố Đà Nẵng")
    order_svc.cancel_orders(owner_ctx, [gone], "Khách đổi ý")  # not counted: moves nothing
    _phone_order(owner_ctx, variant, "Atlantis")  # no province of ours
    # The store as the old create_order left it (summarised by today's code, which knows
    # today's summary columns, before going down to the schema of then).
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET province_code = NULL"))
        rebuild_summaries(conn)
    store.migrate(engine, BEFORE, down=True)
    assert ("province", "") in {(r[2], r[3]) for r in _rows(engine, "report_daily_groups")}

    store.migrate(engine, "head")

    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    assert _codes(engine) == {"TP. Hồ Chí Minh": "79", "tp hồ chí minh": "79", "Hà Nội": "01",
                              "Thành phố Đà Nẵng": "48", "Atlantis": None}  # fmt: skip
    migrated = {table: _rows(engine, table) for table in SUMMARY}
    groups = {(r[2], r[3]): (r[4], r[5]) for r in migrated["report_daily_groups"]}
    assert groups[("province", "79")] == (2, 450_000)
    assert groups[("province", "")] == (1, 150_000)  # Atlantis alone
    assert ("province", "48") not in groups  # the cancelled order
    with engine.begin() as conn:
        rebuild_summaries(conn)
    assert {table: _rows(engine, table) for table in SUMMARY} == migrated
