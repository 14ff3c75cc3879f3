"""Migration 0023 (a return to a supplier can be cancelled): supplier_returns, rebuilt on
SQLite to add the cancelling user's foreign key, keeps its rows and their lines down and
up again."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.services import goods_receipts as gr
from primedist.services import supplier_returns as sr
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import make_product


def returns(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT r.code, r.units, r.total, l.quantity FROM supplier_returns r "
            "JOIN supplier_return_lines l ON l.return_id = r.id ORDER BY l.id")]  # fmt: skip


def test_down_and_up_again_keeps_the_returns(engine: Engine, owner_ctx: ServiceContext) -> None:
    (cup,) = make_product(engine, "Gốm", [("COC-1", 45_000, 0)])
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 9, 30_000)],
                                                          supplier="Gốm Minh Long"))  # fmt: skip
    line = gr.receipt_lines(owner_ctx, receipt.id)[0].id
    wrong = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {line: 2}, "vỡ"))
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {line: 3}, "sai mẫu"))
    sr.cancel_return(owner_ctx, wrong.id, "nhầm")
    before = returns(engine)
    assert before == [("TH000001", 2, 60_000, 2), ("TH000002", 3, 90_000, 3)]

    store.migrate(engine, "0022_purchase_orders", down=True)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("supplier_returns")}
    assert "cancelled_at" not in columns and "cancel_reason" not in columns
    assert returns(engine) == before
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    assert returns(engine) == before
    # Migrated down, the cancelling was forgotten: both returns stand again.
    assert [r.cancelled_at for r in sr.receipt_returns(owner_ctx, receipt.id)] == [None, None]
