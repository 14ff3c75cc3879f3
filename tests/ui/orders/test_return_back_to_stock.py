"""The return dialog's "Back to stock" ticks: on by default, off for a defective reason
(the ticks not changed by hand follow the reason), carried to the stock; and a long order
with the points lines showing still fits: no line goes under the form below it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy.engine import Engine

from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.sale_lookup import variant_hits
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.exchange import ExchangeSaleDialog
from primedist.ui.orders.returns import ReturnDialog
from tests.factories import make_customers, make_product
from tests.ui.orders.test_returns import on_hand, open_returns, submit

pytestmark = pytest.mark.usefixtures("quiet")


def ticks(dialog: ReturnDialog) -> list[bool]:
    return [box.isChecked() for box in dialog.restock.values()]


def test_the_reason_sets_the_ticks_not_changed_by_hand_and_the_stock_follows(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    a, b = make_product(engine, "Áo thun", [("AO-S", 99_000, 10), ("AO-M", 99_000, 10)])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(a, 2), DraftLine(b, 1))))
    dialog = open_returns(qtbot, owner_ctx, sale.id)
    assert ticks(dialog) == [True, True]  # back to stock unless said otherwise
    dialog.reason.setCurrentIndex(1)
    assert dialog.reason_text() == "Defective"
    assert ticks(dialog) == [False, False]
    dialog.reason.setCurrentIndex(2)  # Wrong item
    assert ticks(dialog) == [True, True]
    box_b = list(dialog.restock.values())[1]
    qtbot.mouseClick(box_b, Qt.MouseButton.LeftButton)  # B is broken, whatever the reason
    assert ticks(dialog) == [True, False]
    dialog.reason.setCurrentIndex(3)  # changed their mind: B stays as ticked by hand
    assert ticks(dialog) == [True, False]
    dialog.reason.setEditText("defective")  # typed: as chosen from the list
    assert ticks(dialog) == [False, False]
    qtbot.mouseClick(box_b, Qt.MouseButton.LeftButton)
    assert ticks(dialog) == [False, True]

    dialog.return_everything()
    submit(qtbot, dialog)
    assert dialog.outcome is not None and dialog.outcome.not_restocked == 2
    assert (on_hand(engine, a), on_hand(engine, b)) == (8, 10)  # A written off, B restocked


def test_vietnamese_hang_loi_unticks_back_to_stock(
    qtbot, engine: Engine, owner_ctx: ServiceContext, vietnamese: None
) -> None:
    (a,) = make_product(engine, "Váy", [("VAY-S", 199_000, 3)])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(a, 1),)))
    dialog = open_returns(qtbot, owner_ctx, sale.id)
    dialog.reason.setCurrentIndex(1)
    assert dialog.reason_text() == "Hàng lỗi" and ticks(dialog) == [False]


def _rect(widget: QWidget, dialog: QWidget) -> QRect:
    return QRect(widget.mapTo(dialog, widget.rect().topLeft()), widget.size())


@pytest.mark.parametrize("exchange", [False, True])
def test_a_long_order_with_the_points_lines_shows_every_line_clear_of_the_form(
    qtbot, engine: Engine, owner_ctx: ServiceContext, exchange: bool
) -> None:
    skus = [(f"SM-{n}", 229_000, 5) for n in range(5)]
    variants = make_product(engine, "Áo sơ mi linen phong cách Hàn Quốc", skus)
    cid = make_customers(engine, 1, names=["Khách Thân Thiết"])[0]
    draft = OrderDraft(lines=tuple(DraftLine(v, 1) for v in variants), customer_id=cid)
    sale = svc.create_order(owner_ctx, draft)
    dialog = ReturnDialog(owner_ctx, svc.order_detail(owner_ctx, sale.id), exchange=exchange)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    list(dialog.spins.values())[1].setValue(1)
    QApplication.processEvents()
    assert dialog.points_taken.isVisible()  # the line that used to squeeze the table

    table = dialog.table
    # All five lines shown, none scrolled out of sight.
    assert table.viewport().height() >= 5 * table.rowHeight(0)
    assert not table.verticalScrollBar().isVisible()
    shown = [w for w in (table, dialog.reason, dialog.refund, dialog.points_taken,
                         dialog.problem, dialog.buttons) if w.isVisible()]  # fmt: skip
    for i, first in enumerate(shown):
        for second in shown[i + 1 :]:
            overlap = _rect(first, dialog).intersects(_rect(second, dialog))
            assert not overlap, (first.objectName(), second.objectName())
    # The last line's quantity box is where a click lands on it.
    spin = list(dialog.spins.values())[-1]
    centre = spin.mapTo(dialog, spin.rect().center())
    assert dialog.childAt(centre) in (spin, *spin.findChildren(QWidget))


def test_an_exchange_of_a_defective_item_keeps_it_off_the_shelf(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    old_size, new_size = make_product(engine, "Áo sơ mi", [("SM-S", 259_000, 5),
                                                           ("SM-M", 259_000, 5)])  # fmt: skip
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(old_size, 1),)))
    first = ReturnDialog(owner_ctx, svc.order_detail(owner_ctx, sale.id), exchange=True)
    qtbot.addWidget(first)
    first.show()
    next(iter(first.spins.values())).setValue(1)
    first.reason.setCurrentIndex(1)  # Defective
    qtbot.mouseClick(first.ok, Qt.MouseButton.LeftButton)
    start = first.exchange_start
    assert start is not None and start.not_restocked == frozenset(start.returned)

    screen = ExchangeSaleDialog(owner_ctx, start)
    qtbot.addWidget(screen)
    screen.show()
    screen.add_product(variant_hits(owner_ctx, [new_size])[0])
    screen.print_receipt.setChecked(False)
    with qtbot.waitSignal(screen.orderCreated, timeout=10_000):
        qtbot.keyClick(screen, Qt.Key.Key_F9)
    assert (on_hand(engine, old_size), on_hand(engine, new_size)) == (4, 4)

    detail = OrderDetailDialog(owner_ctx, sale.id)
    qtbot.addWidget(detail)
    detail.show()
    qtbot.waitUntil(lambda: detail.history_table.rowCount() > 1, timeout=10_000)
    notes = [detail.history_table.item(r, 3).text()
             for r in range(detail.history_table.rowCount())]  # fmt: skip
    assert any("1 not restocked: Defective" in note for note in notes), notes
