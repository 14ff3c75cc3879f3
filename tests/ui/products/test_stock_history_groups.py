"""The stock history of a SKU that left a SKU group: the movements it made in the group
show the group's figure as the group's, its own figures start again at "Left group", and
deleting the (emptied) group keeps them; the groups page no longer promises to delete
that history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.domain.product import Variant
from primedist.services import orders as orders_svc
from primedist.services import sku_groups as groups_svc
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.products import groups as groups_ui
from primedist.ui.products.groups import SkuGroupsPage
from primedist.ui.products.stock_dialogs import StockHistoryDialog
from tests.factories import make_product
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("quiet")

#: Movement, SKU, quantity, on hand after, reason of a history table row.
SHOWN = (1, 2, 3, 5, 6)


def product_of(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        stmt = sa.select(Variant.product_id).where(Variant.id == variant_id)
        return int(conn.execute(stmt).scalar_one())


def history(qtbot, ctx: ServiceContext, variant_id: int) -> StockHistoryDialog:
    dialog = StockHistoryDialog(ctx, product_of(ctx.engine, variant_id), variant_id=variant_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def rows(dialog: StockHistoryDialog) -> list[list[str]]:
    table = dialog.table
    return [[table.item(r, c).text() for c in SHOWN] for r in range(table.rowCount())]


def test_a_sku_that_left_shows_its_group_time_figures_as_the_groups(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (sp,) = make_product(engine, "Bình nước Shopee", [("BN-SP", 150_000, 10)])
    (lz,) = make_product(engine, "Bình nước Lazada", [("BN-LZ", 155_000, 4)])
    gid = groups_svc.create_group(owner_ctx, "PS-1", "Bình", variant_ids=[sp, lz])
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(lz, 2),)))
    groups_svc.remove_from_group(owner_ctx, gid, [lz])

    dialog = history(qtbot, owner_ctx, lz)
    assert rows(dialog) == [
        ["Adjustment", "BN-LZ", "", "0", "Left group PS-1"],
        ["Sale", "BN-LZ", "-2", "12 (group PS-1)", ""],
        ["Adjustment", "BN-LZ", "+4", "14 (group PS-1)", "Joined group PS-1"],
        ["Adjustment", "BN-LZ", "-4", "0", "Joined group PS-1"],
    ]
    assert dialog.note.isVisibleTo(dialog)
    assert dialog.note.text() == (
        "BN-LZ has been in a SKU group: for the movements it made there (before 'Left "
        "group'), 'on hand after' is the group's stock."
    )
    # A member still in the group: its group's rows need no label (the note says so).
    member = history(qtbot, owner_ctx, sp)
    assert all("(group" not in row[3] for row in rows(member))
    assert member.note.text().startswith("BN-SP shares the stock of group PS-1")

    # Emptied and deleted, the group leaves the SKU's movements in its history.
    stock_svc.adjust_stock(owner_ctx, sp, 0, reason="Hết hàng")
    groups_svc.remove_from_group(owner_ctx, gid, [sp])
    groups_svc.delete_group(owner_ctx, gid)
    dialog.load()
    assert [row[:3] for row in rows(dialog)] == [
        ["Adjustment", "BN-LZ", ""],
        ["Sale", "BN-LZ", "-2"],
        ["Adjustment", "BN-LZ", "+4"],
        ["Adjustment", "BN-LZ", "-4"],
    ]
    assert dialog.note.text().startswith("BN-LZ has been in a SKU group:")


def test_deleting_a_group_asks_without_promising_to_delete_history(
    qtbot, engine: Engine, owner_ctx: ServiceContext, monkeypatch
) -> None:
    groups_svc.create_group(owner_ctx, "PS-2", "Đèn bàn")
    page = show_widget(qtbot, SkuGroupsPage(owner_ctx))
    asked: list[str] = []
    monkeypatch.setattr(groups_ui, "ask_confirm", lambda _p, _t, text: asked.append(text) or True)
    page.select_row(0)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0 and not page.busy, timeout=WAIT)
    assert asked == [
        "Delete group PS-2? The SKUs that were in it keep the stock movements they made there."
    ]
    close_page(qtbot, page)
