# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Editing an own order from its detail, driven like a user would: Edit… opens the sale
form on the order (prefilled, its own reservation counted as free), a changed line and a
removed one are saved and shown; closing asks only when something changed; a live
shipment or a marketplace order leaves the button out or disabled with the reason. Order
again… opens a new sale like the order, at today's prices."""

from __future__ import annotations

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import Engine

from primedist.services import shipping as ship_svc
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.orders.sale import SaleDialog
from tests.services.test_order_edit import lines as stored_lines
from tests.services.test_order_edit import phone_order
from tests.services.test_orders import customer_id, stock  # noqa: F401  (fixture)
from tests.services.test_shipping import draft as ship_draft
from tests.services.test_shipping import ghn_id, sandbox  # noqa: F401  (fixtures)
from tests.ui.orders.test_order_detail import (  # noqa: F401  (the variants fixture)
    WAIT_MS,
    cell,
    click,
    counter_sale,
    marketplace_order,
    open_detail,
    variants,
)
from tests.ui.orders.test_sale_dialog import Questions, questions, settle  # noqa: F401
from tests.ui.test_translations import vietnamese


def open_edit(qtbot, dialog) -> SaleDialog:
    click(qtbot, dialog.edit_button)
    form = dialog.edit_dialog
    assert form is not None
    qtbot.waitExposed(form)
    settle(qtbot, form)
    return form


def test_edit_is_offered_on_an_own_order_that_has_not_left(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    dialog = open_detail(qtbot, owner_ctx, phone_order(owner_ctx, variants))
    assert dialog.edit_button.isVisible() and dialog.edit_button.isEnabled()
    assert dialog.edit_button.text() == "Edit…"
    for other in (marketplace_order(engine, owner_ctx, variants),
                  counter_sale(owner_ctx, variants)):  # fmt: skip
        assert not open_detail(qtbot, owner_ctx, other).edit_button.isVisible()


def test_the_form_opens_on_the_order_and_saves_the_changes(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id, shipping_fee=20_000)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    form = open_edit(qtbot, dialog)

    number = dialog.detail.order.external_id
    assert form.windowTitle() == f"Edit order {number}"
    assert form.save_button.text() == "Save changes  (F9)"
    assert [(ln.hit.sku, ln.quantity, ln.price) for ln in form.model.lines] == [
        ("AO-S", 2, 99_000), ("AO-M", 1, 120_000)]  # fmt: skip
    assert [ln.available for ln in form.model.lines] == [10, 3]  # its own hold counts as free
    price = form.model.index(0, form.model.PRICE).data(Qt.ItemDataRole.ToolTipRole)
    assert price.startswith("The price on the order")
    assert "Nguyễn Thị Hoa" in form.customer_card.text()
    assert (form.ship_name.text(), form.ship_province.currentText()) == ("Hoa", "Hà Nội")
    assert form.total_values["total"].text() == "338,000 VND"
    assert not any(b.isEnabled() for b in form.type_buttons.values())
    assert form.print_receipt.isHidden()

    form.lines.selectRow(1)
    form.remove_line()  # AO-M off
    form.lines.selectRow(0)
    form.step_quantity(1)  # 3 × AO-S
    settle(qtbot, form)
    assert form.total_values["total"].text() == "317,000 VND"
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, form.save_button)

    assert not form.isVisible()
    assert stored_lines(engine, order_id) == [("AO-S", 3, 99_000)]
    assert stock(engine, variants[0]) == (10, 3) and stock(engine, variants[1]) == (3, 0)
    assert cell(dialog.items_table, 0, 3) == "3" and dialog.items_table.rowCount() == 1
    assert dialog.money_values["total"].text() == "317,000 VND"
    # The edit joins the status history: who, and the totals before and after.
    table = dialog.history_table
    rows = [[cell(table, r, c) for c in range(4)] for r in range(table.rowCount())]
    assert rows[-1][1:] == ["Edited", owner_ctx.actor.name, "Total 338,000 VND → 317,000 VND"]
    assert rows[0][1] == "Confirmed"  # made confirmed, before the edit


def test_closing_asks_only_when_something_changed(
    qtbot, owner_ctx: ServiceContext, variants: list[int], questions: Questions
) -> None:
    dialog = open_detail(qtbot, owner_ctx, phone_order(owner_ctx, variants))
    form = open_edit(qtbot, dialog)
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible() and questions.asked == []

    form = open_edit(qtbot, dialog)
    form.note.setText("Giao buổi chiều")
    questions.answer = questions.answer.No
    form.reject()
    assert form.isVisible() and "not saved" in questions.asked[-1]
    questions.answer = questions.answer.Yes
    form.reject()
    assert not form.isVisible()


def test_a_live_shipment_disables_edit_and_says_why(
    qtbot, owner_ctx: ServiceContext, variants: list[int], ghn_id: int
) -> None:
    order_id = phone_order(owner_ctx, variants)
    ship_svc.request_shipment(owner_ctx, order_id, ship_draft(owner_ctx, order_id, ghn_id))
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert dialog.edit_button.isVisible() and not dialog.edit_button.isEnabled()
    assert "cancel it first" in dialog.edit_button.toolTip()


def test_the_edit_form_speaks_vietnamese(
    qtbot, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    install_language("vi")
    try:
        dialog = open_detail(qtbot, owner_ctx, phone_order(owner_ctx, variants))
        assert dialog.edit_button.text() == vietnamese("OrderDetailDialog", "Edit…")
        form = open_edit(qtbot, dialog)
        title = vietnamese("orders", "Edit order %1")
        assert form.windowTitle() == title.replace("%1", dialog.detail.order.external_id)
        assert form.save_button.text() == vietnamese("orders", "Save changes  (F9)")
    finally:
        install_language("en")
    QApplication.processEvents()


def test_order_again_opens_a_new_sale_like_the_order(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id, shipping_fee=20_000)
    with engine.begin() as conn:  # since then: a new price for AO-S, AO-M no longer sold
        conn.execute(sa.text("UPDATE variants SET price = 89000 WHERE sku = 'AO-S'"))
        conn.execute(sa.text("UPDATE variants SET is_active = false WHERE sku = 'AO-M'"))
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert dialog.again_button.isEnabled() and dialog.again_button.text() == "Order again…"
    click(qtbot, dialog.again_button)
    sale = dialog.again_dialog
    assert sale is not None
    qtbot.waitExposed(sale)
    settle(qtbot, sale)

    assert sale.editing is None and sale.windowTitle() == "Create order"
    assert [(ln.hit.sku, ln.quantity, ln.price) for ln in sale.model.lines] == [
        ("AO-S", 2, 89_000)]  # fmt: skip
    assert sale.saved_label.text() == "1 product of that order is no longer sold: left out."
    assert "Nguyễn Thị Hoa" in sale.customer_card.text()
    assert (sale.ship_address.text(), sale.shipping_fee.text()) == ("12 Lê Lợi", "20,000")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, sale.save_button)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one() == 2
    assert stored_lines(engine, order_id) == [("AO-S", 2, 99_000), ("AO-M", 1, 120_000)]
    sale.close()
