"""A new goods-receipt line starts at the cost a purchase order line would (the last one
a supplier charged, else the product's cost), not at no cost — skipping the column must
not bring goods in at 0; a cost the owner types stays."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.products.receipts import GoodsReceiptDialog
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def cup(owner_ctx: ServiceContext, cost: int = 0) -> int:
    create_product(owner_ctx, ProductDraft(
        name="Cốc sứ Bát Tràng", category=None, features=None, description=None,
        option1_name=None, option2_name=None, images=[], shop_ids=[],
        variants=[VariantDraft(sku="COC-1", price=45_000, stock=0, cost=cost)]))  # fmt: skip
    with owner_ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(table_of(Variant).c.id)).scalar_one())


def delivered_twice(owner_ctx: ServiceContext) -> int:
    """Cups received at 30,000 then 40,000 (their averaged cost 35,000)."""
    variant_id = cup(owner_ctx)
    for cost in (30_000, 40_000):
        gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(variant_id, 1, cost)],
                                                    supplier="Gốm Minh Long"))  # fmt: skip
    return variant_id


def test_a_scanned_line_starts_at_the_last_cost_charged(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    variant_id = delivered_twice(owner_ctx)
    assert po.starting_costs(owner_ctx, [variant_id]) == {variant_id: 40_000}
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx, supplier="Gốm Minh Long"))
    dialog.add(gr.find_variant(owner_ctx, "COC-1"))
    dialog.add(gr.find_variant(owner_ctx, "COC-1"))
    assert [(ln.quantity, ln.unit_cost) for ln in dialog.lines] == [(2, 40_000)]
    cell = dialog.table.item(0, 4)
    assert cell is not None and cell.text() == "40,000 VND"
    dialog.method.setCurrentIndex(dialog.method.findData("bank_transfer"))  # asked, not assumed
    with qtbot.waitSignal(dialog.received, timeout=WAIT) as saved:
        dialog.save()
    assert saved.args[0].total_cost == 80_000


def test_a_cost_typed_stays(qtbot: Any, owner_ctx: ServiceContext) -> None:
    delivered_twice(owner_ctx)
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx, supplier="Gốm Minh Long"))
    dialog.add(gr.find_variant(owner_ctx, "COC-1"))
    dialog.set_cost(0, "42000")
    dialog.add(gr.find_variant(owner_ctx, "COC-1"))  # one more: the typed cost is kept
    assert [(ln.quantity, ln.unit_cost) for ln in dialog.lines] == [(2, 42_000)]


def test_never_delivered_starts_at_the_products_cost(qtbot: Any, owner_ctx: ServiceContext) -> None:
    cup(owner_ctx, cost=25_000)
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx))
    dialog.add(gr.find_variant(owner_ctx, "COC-1"))
    assert [ln.unit_cost for ln in dialog.lines] == [25_000]


def test_the_orders_cost_replaces_the_one_filled_in(qtbot: Any, owner_ctx: ServiceContext) -> None:
    """Scanned (at the last cost), then the purchase order chosen: its lines join at the
    order's cost instead of being refused for another cost."""
    variant_id = delivered_twice(owner_ctx)
    line = po.OrderLine(variant_id, 5, 38_000)
    made = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [line]))
    order, to_come = po.to_receive(owner_ctx, made.id)
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx))
    dialog.add(gr.find_variant(owner_ctx, "COC-1"))
    dialog._order_loaded(order, to_come)
    assert [(ln.quantity, ln.unit_cost) for ln in dialog.lines] == [(6, 38_000)]
