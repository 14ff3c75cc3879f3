"""Migration 0018 (variants.weight_g) on a store with products that were sold: going down
and up again keeps every variant and every order line that points at one (the column is
dropped in place, not by copying the variants table, which would cascade)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import mug_and_plate_sale

BEFORE = "0017_own_order_provinces"
KEPT = ("variants", "order_lines", "stock_movements", "product_listings")


def _rows(engine: Engine, table: str, columns: str = "*") -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.text(f"SELECT {columns} FROM {table}")))


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("variants")}


def test_down_and_up_keeps_variants_and_their_order_lines(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    draft, mug, plate = mug_and_plate_sale(engine)
    order_svc.create_order(owner_ctx, draft)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE variants SET weight_g = 350 WHERE id = :v"), {"v": mug})
    lines = _rows(engine, "order_lines", "id, variant_id, quantity")
    assert sorted(v for _i, v, _q in lines) == sorted([mug, plate])
    kept = {t: _rows(engine, t, "id") for t in KEPT}

    store.migrate(engine, BEFORE, down=True)
    assert "weight_g" not in _columns(engine)
    assert {t: _rows(engine, t, "id") for t in KEPT} == kept
    assert _rows(engine, "order_lines", "id, variant_id, quantity") == lines

    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    assert _rows(engine, "variants", "id, weight_g") == sorted([(mug, None), (plate, None)])
    # No variant has a weight: the product is listed under "No weight yet".
    assert [bool(flag) for (flag,) in _rows(engine, "products", "weight_missing")] == [True]
    assert _rows(engine, "order_lines", "id, variant_id, quantity") == lines
