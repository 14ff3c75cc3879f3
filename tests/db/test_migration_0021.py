"""Migration 0021 (suppliers): the suppliers named on earlier receipts become records, one
per folded name (the first spelling), linked from their receipts; the standing receipts
are taken as paid with the delivery, so nobody is owed money out of nowhere."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.services import goods_receipts as gr
from primedist.services import suppliers as sup
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import make_product

BEFORE = "0020_goods_receipts"


def test_earlier_receipts_name_supplier_records(engine: Engine, owner_ctx: ServiceContext) -> None:
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 50)])
    store.migrate(engine, BEFORE, down=True)
    assert "suppliers" not in sa.inspect(engine).get_table_names()
    receipts = [  # supplier, total cost, cancelled
        ("Công ty Đức Minh", 300_000, None),
        (None, 50_000, None),
        ("  CÔNG TY ĐỨC MINH", 200_000, None),
        ("Gốm Bát Tràng", 0, None),
        ("Gốm Bát Tràng", 90_000, "2026-11-21 03:00:00.000000"),
    ]
    with engine.begin() as conn:
        for n, (supplier, total, cancelled) in enumerate(receipts, 1):
            conn.execute(sa.text(
                "INSERT INTO goods_receipts (code, supplier, search_text, lines, units,"
                " total_cost, created_at, cancelled_at) VALUES (:code, :supplier, '', 1, 1,"
                " :total, :at, :cancelled)"
            ), {"code": f"PN{n:06d}", "supplier": supplier, "total": total,
                "at": f"2026-11-2{n} 03:00:00.000000", "cancelled": cancelled})  # fmt: skip

    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    rows = {s.name: s for s in sup.list_suppliers(owner_ctx)}
    assert [(s.code, s.name, s.receipts, s.bought, s.paid, s.debt) for s in rows.values()] == [
        ("NCC000001", "Công ty Đức Minh", 2, 500_000, 500_000, 0),
        ("NCC000002", "Gốm Bát Tràng", 1, 0, 0, 0),
    ]  # fmt: skip
    linked = {r.code: (r.supplier_id, r.paid) for r in gr.list_receipts(owner_ctx)}
    duc, gom = rows["Công ty Đức Minh"].id, rows["Gốm Bát Tràng"].id
    assert linked == {"PN000001": (duc, 300_000), "PN000002": (None, 0),
                      "PN000003": (duc, 200_000), "PN000004": (gom, 0),
                      "PN000005": (gom, 0)}  # fmt: skip
    # The records work as any: a new delivery from "duc minh" joins the first.
    draft = gr.ReceiptDraft([gr.ReceiptLine(cup, 1, 10_000)], supplier="cong ty duc minh", paid=0)
    new = gr.receive_goods(owner_ctx, draft)
    assert new.supplier_id == duc and sup.get_supplier(owner_ctx, duc).debt == 10_000

    store.migrate(engine, BEFORE, down=True)
    assert "supplier_payments" not in sa.inspect(engine).get_table_names()
    store.migrate(engine, "head")
    assert schema_diff(engine) == []
