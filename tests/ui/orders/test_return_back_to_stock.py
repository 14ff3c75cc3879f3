"""The return dialog's "Back to stock": per line, how many of the units returned go back
on sale (the rest are written off). It follows the quantity returned, is 0 for a defective
reason (the boxes not set by hand follow the reason), and a number set by hand stays; it
is carried to the stock, in a return and in an exchange. A long order with the points
lines showing still fits: no line goes under the form below it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QSpinBox, QWidget
from sqlalchemy.engine import Engine

from primedist.domain.order import OrderLine
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.sale_lookup import variant_hits
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.exchange import ExchangeSaleDialog
from primedist.ui.orders.returns import STOCK_COLUMN, ReturnDialog
from tests.factories import make_customers, make_product
from tests.ui.orders.test_returns import on_hand, open_returns, submit

pytestmark = pytest.mark.usefixtures("quiet")


def backs(dialog: ReturnDialog) -> list[int]:
    return [box.value() for box in dialog.restock.values()]


def type_into(qtbot, box: QSpinBox, text: str) -> None:
    """As the owner does: click in the box, select what is there, type."""
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)


def test_back_to_stock_follows_the_quantity_returned_and_the_reason(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    a, b = make_product(engine, "Cốc sứ", [("COC-1", 50_000, 10), ("COC-2", 50_000, 10)])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(a, 3), DraftLine(b, 2))))
    dialog = open_returns(qtbot, owner_ctx, sale.id)
    spin_a, spin_b = dialog.spins.values()
    back_a, back_b = dialog.restock.values()
    assert backs(dialog) == [0, 0] and not back_a.isEnabled()  # nothing returned yet
    spin_a.setValue(3)
    assert backs(dialog) == [3, 0] and back_a.isEnabled() and back_a.maximum() == 3
    spin_a.setValue(2)  # follows the quantity returned
    assert backs(dialog) == [2, 0] and back_a.maximum() == 2
    dialog.reason.setCurrentIndex(1)
    assert dialog.reason_text() == "Defective"
    assert backs(dialog) == [0, 0]  # a defective item is not put back on sale
    spin_b.setValue(2)
    assert backs(dialog) == [0, 0] and back_b.maximum() == 2
    dialog.reason.setCurrentIndex(2)  # Wrong item: all of them back
    assert backs(dialog) == [2, 2]
    dialog.reason.setEditText("defective")  # typed: as chosen from the list
    assert backs(dialog) == [0, 0]
    spin_a.setValue(0)
    assert not back_a.isEnabled() and back_a.value() == 0


def test_a_number_set_by_hand_stays_and_the_stock_follows(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    """3 cups back, 1 broken: 2 back on sale, 1 written off."""
    cup, mug = make_product(engine, "Cốc sứ", [("COC-1", 50_000, 10), ("COC-2", 50_000, 10)])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(cup, 3),
                                                         DraftLine(mug, 1))))  # fmt: skip
    dialog = open_returns(qtbot, owner_ctx, sale.id)
    spin_cup, spin_mug = dialog.spins.values()
    back_cup, back_mug = dialog.restock.values()
    spin_cup.setValue(3)
    type_into(qtbot, back_cup, "2")
    assert backs(dialog) == [2, 0]
    dialog.reason.setCurrentIndex(1)  # Defective: the one set by hand stays
    assert backs(dialog) == [2, 0]
    dialog.reason.setCurrentIndex(3)  # changed their mind: still 2
    spin_mug.setValue(1)
    assert backs(dialog) == [2, 1]
    spin_cup.setValue(1)  # never more than come back
    assert back_cup.value() == 1
    spin_cup.setValue(3)  # the hand-set box does not follow any more
    assert back_cup.value() == 1
    type_into(qtbot, back_cup, "2")
    line_cup, line_mug = dialog.spins
    assert dialog.back_to_stock() == {line_cup: 2, line_mug: 1}

    submit(qtbot, dialog)
    assert dialog.outcome is not None
    assert (dialog.outcome.items_returned, dialog.outcome.not_restocked) == (4, 1)
    assert (on_hand(engine, cup), on_hand(engine, mug)) == (9, 10)  # +2 of 3, +1 of 1
    note = svc.order_detail(owner_ctx, sale.id).history[-1].note
    assert note is not None and ", 1 not restocked: " in note


def test_vietnamese_hang_loi_puts_none_back_to_stock(
    qtbot, engine: Engine, owner_ctx: ServiceContext, vietnamese: None
) -> None:
    (a,) = make_product(engine, "Váy", [("VAY-S", 199_000, 3)])
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(a, 2),)))
    dialog = open_returns(qtbot, owner_ctx, sale.id)
    dialog.return_everything()
    assert backs(dialog) == [2]
    dialog.reason.setCurrentIndex(1)
    assert dialog.reason_text() == "Hàng lỗi" and backs(dialog) == [0]


def test_a_line_without_stock_has_no_back_to_stock(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    tracked, other = make_product(engine, "Cốc sứ", [("COC-1", 50_000, 10),
                                                     ("COC-2", 50_000, 10)])  # fmt: skip
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(tracked, 1),
                                                         DraftLine(other, 1))))  # fmt: skip
    with engine.begin() as conn:  # as an imported line whose SKU the shop does not stock
        conn.execute(sa.update(OrderLine).where(OrderLine.variant_id == other)
                     .values(variant_id=None))  # fmt: skip
    dialog = open_returns(qtbot, owner_ctx, sale.id)
    dialog.return_everything()
    assert len(dialog.restock) == 1 and backs(dialog) == [1]
    cell = dialog.table.cellWidget(1, STOCK_COLUMN)
    (box,) = cell.findChildren(QSpinBox)
    assert not box.isEnabled() and box.text() == "—"
    assert list(dialog.back_to_stock().values()) == [1]


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


def test_an_exchange_puts_back_to_stock_what_the_first_step_says(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    old_size, new_size = make_product(engine, "Áo sơ mi", [("SM-S", 259_000, 5),
                                                           ("SM-M", 259_000, 5)])  # fmt: skip
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(old_size, 3),)))
    first = ReturnDialog(owner_ctx, svc.order_detail(owner_ctx, sale.id), exchange=True)
    qtbot.addWidget(first)
    first.show()
    next(iter(first.spins.values())).setValue(3)
    (back,) = first.restock.values()
    first.reason.setCurrentIndex(1)  # Defective: none back …
    assert back.value() == 0
    type_into(qtbot, back, "2")  # … but 2 of the 3 are fine
    qtbot.mouseClick(first.ok, Qt.MouseButton.LeftButton)
    start = first.exchange_start
    assert start is not None
    assert start.back_to_stock == dict.fromkeys(start.returned, 2)

    screen = ExchangeSaleDialog(owner_ctx, start)
    qtbot.addWidget(screen)
    screen.show()
    screen.add_product(variant_hits(owner_ctx, [new_size])[0])
    screen.print_receipt.setChecked(False)
    with qtbot.waitSignal(screen.orderCreated, timeout=10_000):
        qtbot.keyClick(screen, Qt.Key.Key_F9)
    assert (on_hand(engine, old_size), on_hand(engine, new_size)) == (4, 4)  # 2 +2, 1 off

    detail = OrderDetailDialog(owner_ctx, sale.id)
    qtbot.addWidget(detail)
    detail.show()
    qtbot.waitUntil(lambda: detail.history_table.rowCount() > 1, timeout=10_000)
    notes = [detail.history_table.item(r, 3).text()
             for r in range(detail.history_table.rowCount())]  # fmt: skip
    assert any("1 not restocked: Defective" in note for note in notes), notes
