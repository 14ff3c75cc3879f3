"""The customer's points ledger names each entry's order (its number, blue), and a
double-click on it opens the order; an entry made by hand has none."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import PointsKind
from primedist.domain.loyalty import PointsEntry
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import adjust_points
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.customers.detail import POINTS_ORDER_COLUMN, CustomerDetailDialog
from tests.factories import make_product
from tests.services.loyalty.conftest import customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")
points_t = table_of(PointsEntry)


def test_each_points_entry_names_its_order_and_opens_it(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext
) -> None:
    shirt = make_product(engine, "Áo thun", [("AO-1", 125_000, 50)])[0]
    (cid,) = customers_with(engine, [{"points_balance": 40, "points_earned": 40}])
    created = order_svc.create_order(
        owner_ctx, OrderDraft(lines=(DraftLine(shirt, 1),), customer_id=cid, points=10)
    )  # a counter sale: completed, it redeems 10 and earns
    # A ledger written before reasons named the order (the demo's): the column still does.
    with engine.begin() as conn:
        conn.execute(points_t.update().where(points_t.c.kind == PointsKind.EARN.value)
                     .values(reason="Tích điểm đơn hàng"))  # fmt: skip
    adjust_points(owner_ctx, cid, 5, "Khách quen")
    dialog = show_widget(qtbot, CustomerDetailDialog(owner_ctx, cid), 1100, 760)
    table = dialog.points_table
    qtbot.waitUntil(lambda: table.rowCount() == 3, timeout=WAIT)
    assert table.horizontalHeaderItem(POINTS_ORDER_COLUMN).text() == "Order"
    numbers = [table.item(r, POINTS_ORDER_COLUMN).text() for r in range(3)]
    assert numbers == ["", created.external_id, created.external_id]  # newest first
    assert table.item(1, 5).text() == "Tích điểm đơn hàng"
    with qtbot.waitSignal(dialog.openOrder, timeout=WAIT) as opened:
        table.cellDoubleClicked.emit(1, POINTS_ORDER_COLUMN)
    assert opened.args == [created.id]
    with qtbot.assertNotEmitted(dialog.openOrder):
        table.cellDoubleClicked.emit(0, POINTS_ORDER_COLUMN)  # by hand: no order
