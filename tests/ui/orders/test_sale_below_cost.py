"""The sale screen says when a line sells below its cost: the price and subtotal in amber
with the reason, and a line under the totals; the cost figures only for Analytics users.
Save stays possible (a clearance sale is the owner's choice)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Module, Role
from primedist.domain.product import Variant
from primedist.services.context import Actor, ServiceContext
from primedist.ui.orders.sale import AMBER, LinesModel, SaleDialog
from tests.factories import make_product
from tests.ui.orders.test_sale_dialog import (
    SHIRT_M,
    SHIRT_S,
    save_with_f9,
    saved_order,
    scan,
    settle,
)

pytestmark = pytest.mark.usefixtures("english")
variants_t = table_of(Variant)


@pytest.fixture(autouse=True)
def no_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a sale with lines asks first: the answer is Yes."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)


def open_sale(qtbot, ctx: ServiceContext, engine: Engine) -> SaleDialog:
    ids = make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)],
                       barcodes=[SHIRT_S, SHIRT_M])  # fmt: skip
    with engine.begin() as conn:
        for vid, cost in zip(ids, (85_000, 70_000), strict=True):
            conn.execute(variants_t.update().where(variants_t.c.id == vid).values(cost=cost))
    dialog = SaleDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def cell(dialog: SaleDialog, row: int, col: int, role: int) -> object:
    return dialog.model.data(dialog.model.index(row, col), role)


def test_a_price_below_cost_is_shown_in_amber_with_the_loss(
    qtbot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    dialog = open_sale(qtbot, owner_ctx, engine)
    scan(qtbot, dialog, SHIRT_S)
    scan(qtbot, dialog, SHIRT_M)
    settle(qtbot, dialog)
    assert not dialog.cost_warning.isVisibleTo(dialog)
    assert cell(dialog, 0, LinesModel.PRICE, Qt.ItemDataRole.ForegroundRole) is None
    assert dialog.model.setData(dialog.model.index(0, LinesModel.QTY), "2")
    assert dialog.model.setData(dialog.model.index(0, LinesModel.PRICE), "80.000")
    settle(qtbot, dialog)
    brush = cell(dialog, 0, LinesModel.SUBTOTAL, Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color() == AMBER  # type: ignore[attr-defined]
    assert cell(dialog, 0, LinesModel.PRICE, Qt.ItemDataRole.ToolTipRole) == (
        "Below cost: the unit cost is 85,000; this line loses 10,000"
    )
    assert cell(dialog, 1, LinesModel.PRICE, Qt.ItemDataRole.ForegroundRole) is None
    assert dialog.cost_warning.isVisibleTo(dialog)
    assert dialog.cost_warning.text() == "⚠ Sold below cost: AO-S 80,000 < 85,000"
    assert dialog.save_button.isEnabled()
    order, saved = saved_order(engine, save_with_f9(qtbot, dialog))
    assert [(ln.sku, ln.unit_price) for ln in saved] == [("AO-S", 80_000), ("AO-M", 120_000)]
    assert order.total == 280_000
    assert not dialog.cost_warning.isVisibleTo(dialog)  # the next sale starts clean


def test_a_cashier_is_warned_without_the_cost(
    qtbot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    cashier = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.ORDERS}))
    )
    dialog = open_sale(qtbot, cashier, engine)
    scan(qtbot, dialog, SHIRT_M)
    assert dialog.model.setData(dialog.model.index(0, LinesModel.DISCOUNT), "60.000")
    settle(qtbot, dialog)
    assert cell(dialog, 0, LinesModel.PRICE, Qt.ItemDataRole.ToolTipRole) == (
        "Sold below the cost price"
    )
    assert dialog.cost_warning.text() == "⚠ Sold below cost: AO-M"
