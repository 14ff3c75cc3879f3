"""Migration 0019 (order_refunds): the returns made before it become refund rows, read
from their audit rows (amount, items, who, when); a broken audit row or a deleted order
is skipped; down and up again gives the same rows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import mug_and_plate_sale

BEFORE = "0018_variant_weights"
COLUMNS = "order_id, amount, items, user_id, created_at"


def _refunds(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT {COLUMNS} FROM order_refunds ORDER BY id"))
        return [tuple(r) for r in rows]


def test_returns_before_the_migration_become_refund_rows(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    draft, _mug, _plate = mug_and_plate_sale(engine)
    kept = order_svc.create_order(owner_ctx, draft).id
    gone = order_svc.create_order(owner_ctx, draft).id
    for order_id in (kept, gone):
        lines = order_svc.order_detail(owner_ctx, order_id).lines
        order_svc.return_order(owner_ctx, order_id, {lines[0].id or 0: 2}, reason="Vỡ")
    lines = order_svc.order_detail(owner_ctx, kept).lines
    order_svc.return_order(owner_ctx, kept, {lines[1].id or 0: 1}, reason="Không thích")
    written = _refunds(engine)
    assert [(r[0], r[1], r[2]) for r in written] == [
        (kept, 90_000, 2), (gone, 90_000, 2), (kept, 60_000, 1)
    ]  # fmt: skip

    store.migrate(engine, BEFORE, down=True)
    assert "order_refunds" not in sa.inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM orders WHERE id = :o"), {"o": gone})
        conn.execute(sa.text(
            "INSERT INTO audit_events (action, entity_type, entity_id, after_json, created_at) "
            "VALUES ('order.return', 'order', :o, 'not json', '2026-11-20 03:00:00.000000')"
        ), {"o": str(kept)})  # fmt: skip

    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    assert _refunds(engine) == [written[0], written[2]]
