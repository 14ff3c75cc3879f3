"""The return and exchange dialogs keep air between the amount box and the suggestion
beside it (visual hunt: "gợi ý 0 ₫, tối đa 527.000 ₫" touched the "Giá trị trừ" box)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.orders.returns import ReturnDialog
from tests.factories import make_product

pytestmark = pytest.mark.usefixtures("quiet", "app_style")

#: At least this much between the box's border and the suggestion's first letter.
GAP = 6


@pytest.mark.parametrize("exchange", [True, False])
def test_the_suggestion_does_not_touch_the_amount_box(
    qtbot: QtBot, owner_ctx: ServiceContext, exchange: bool
) -> None:
    shirt = make_product(owner_ctx.engine, "Áo thun cotton", [("AO-S", 99_000, 10)])[0]
    order = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(shirt, 2),)))
    dialog = ReturnDialog(owner_ctx, svc.order_detail(owner_ctx, order.id), exchange=exchange)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: bool(dialog.suggested.text()))
    box, hint = dialog.refund.geometry(), dialog.suggested.geometry()
    assert abs(box.center().y() - hint.center().y()) <= 4  # on the same row
    assert hint.left() - box.right() - 1 >= GAP
