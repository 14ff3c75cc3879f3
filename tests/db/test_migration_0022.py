"""Migration 0022 (purchase orders), and what every migration that rebuilds a table must
keep: migrating goods_receipts (rebuilt on SQLite to add a foreign key) down and up again
leaves its lines, the payments made with it and its returns as they were (with foreign
keys on, dropping the old table would have deleted the lines and nulled the payments'
receipt)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.errors import StoreError
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services import supplier_returns as sr
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import make_product


def documents(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        def rows(sql: str) -> list[Any]:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]

        return {
            "lines": rows("SELECT receipt_id, sku, quantity, unit_cost FROM goods_receipt_lines "
                          "ORDER BY id"),
            "payments": rows("SELECT receipt_id, amount FROM supplier_payments ORDER BY id"),
            "returns": rows("SELECT receipt_id, units FROM supplier_returns ORDER BY id"),
            "return_lines": rows("SELECT receipt_line_id, quantity FROM supplier_return_lines"),
        }  # fmt: skip


def test_down_and_up_again_keeps_the_receipts_documents(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    cup, plate = make_product(engine, "Gốm", [("COC-1", 45_000, 0), ("DIA-1", 80_000, 0)])
    order = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(cup, 4)]))
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(cup, 4, 30_000), gr.ReceiptLine(plate, 2, 50_000)], paid=100_000,
        purchase_order_id=order.id))  # fmt: skip
    line = gr.receipt_lines(owner_ctx, receipt.id)[0].id
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {line: 1}, "vỡ"))
    before = documents(engine)
    assert len(before["lines"]) == 2 and before["payments"] == [(receipt.id, 100_000)]

    store.migrate(engine, "0021_suppliers", down=True)
    assert "purchase_orders" not in sa.inspect(engine).get_table_names()
    assert documents(engine) == before
    store.migrate(engine, "0020_goods_receipts", down=True)
    with engine.connect() as conn:
        kept = conn.exec_driver_sql("SELECT COUNT(*) FROM goods_receipt_lines").scalar()
    assert kept == 2
    store.migrate(engine, "0021_suppliers")
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    after = documents(engine)
    assert after["lines"] == before["lines"]
    # 0021 takes the earlier receipts as paid in full with the delivery.
    assert after["payments"] == [(receipt.id, receipt.total_cost)]
    # The orders went with the downgrade; the receipt stands, linked to none.
    assert gr.get_receipt(owner_ctx, receipt.id).lines == 2
    assert po.list_orders(owner_ctx) == []


def test_a_migration_leaving_a_broken_reference_is_refused(engine: Engine) -> None:
    """What `store.migrate` checks before it commits: a row pointing at a missing parent
    names both tables (written here with the keys off, as a migration step runs)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL checks every foreign key as it is written")
    with engine.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        trans = conn.begin()
        try:
            conn.exec_driver_sql(
                "INSERT INTO goods_receipt_lines (receipt_id, sku, product_name, quantity)"
                " VALUES (999, 'X', 'x', 1)")
            with pytest.raises(StoreError, match="goods_receipt_lines .* goods_receipts"):
                store._check_foreign_keys(conn)
        finally:
            trans.rollback()
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
