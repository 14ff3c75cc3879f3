"""A goods receipt made in the dialog against a purchase order, its lines imported from
a delivery list without costs: saved, they cost what the order expected (as the lines
the order's own "Receive goods…" fills in), not nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services import suppliers as sup
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.ui.products.receipts import GoodsReceiptDialog
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def ordered_cups(owner_ctx):
    """A purchase order of 10 cups at 30,000: (the order made, its row, what is to come)."""
    create_product(owner_ctx, ProductDraft(
        name="Cốc sứ Bát Tràng", category=None, features=None, description=None,
        option1_name=None, option2_name=None, images=[], shop_ids=[],
        variants=[VariantDraft(sku="COC-1", price=45_000, stock=0)]))  # fmt: skip
    with owner_ctx.engine.connect() as conn:
        cup = int(conn.execute(sa.select(table_of(Variant).c.id)).scalar_one())
    made = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long",
                                                    [po.OrderLine(cup, 10, 30_000)]))  # fmt: skip
    order, to_come = po.to_receive(owner_ctx, made.id)
    return made, order, to_come


def test_imported_lines_without_costs_cost_what_the_order_expected(qtbot, owner_ctx, tmp_path):
    made, order, to_come = ordered_cups(owner_ctx)
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx, order=order, to_come=to_come))
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost) for ln in dialog.lines] == [
        ("COC-1", 10, 30_000)]  # fmt: skip
    # The delivery list brings the quantities: the lines filled in make way for it.
    dialog.table.selectRow(0)
    dialog.remove_current()
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity\nCOC-1,10\n", encoding="utf-8")
    dialog.import_from(path)
    qtbot.waitUntil(lambda: len(dialog.lines) == 1, timeout=WAIT)
    # Shown at the order's cost, as it is saved (the amount paid following it).
    qtbot.waitUntil(lambda: dialog.totals.text() == "1 line · 10 units · cost 300,000 VND",
                    timeout=WAIT)  # fmt: skip
    assert dialog.paid_amount() == 300_000
    dialog.method.setCurrentIndex(dialog.method.findData("bank_transfer"))  # asked, not assumed
    with qtbot.waitSignal(dialog.received, timeout=WAIT) as saved:
        dialog.save()
    row = saved.args[0]
    assert (row.total_cost, row.paid, row.owed) == (300_000, 300_000, 0)
    assert [ln.unit_cost for ln in gr.receipt_lines(owner_ctx, row.id)] == [30_000]
    assert sup.get_supplier(owner_ctx, made.supplier_id).bought == 300_000


def test_lines_typed_before_choosing_the_order_join_its_lines(qtbot, owner_ctx):
    """Scanned without a cost, then the purchase order chosen: its lines come in (the typed
    units take the order's cost), not "a unit cost on one side only, nothing added"."""
    _made, order, to_come = ordered_cups(owner_ctx)
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx))
    assert dialog.prefill([(to_come[0].hit, 2, None)]) == ""  # two scanned
    dialog._order_loaded(order, to_come)  # what choosing the order brings
    assert [(ln.hit.sku, ln.quantity) for ln in dialog.lines] == [("COC-1", 12)]
    # The 2 scanned and the order's 10: 2 more than it awaits, which the totals point out.
    qtbot.waitUntil(lambda: dialog.totals.text() == "1 line · 12 units · cost 360,000 VND · "
                    f"2 units more than {order.code} still awaits", timeout=WAIT)  # fmt: skip
