# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Editing an own order from its detail, driven like a user would: an order whose customer
was deleted opens on its buyer (not a walk-in sale) and keeps them on Save; on a later day
than the sale the Edit tooltip says what can still change and the form says at once,
in red with Save off, that the items can no longer change; a customer's Account tab says
in the user's language that a payment was cancelled by an edit."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import QCoreApplication, QTranslator
from sqlalchemy.engine import Engine

from primedist.domain.enums import PaymentMethod
from primedist.services import order_edit as edit
from primedist.services.context import ServiceContext
from primedist.services.customer_delete import delete_customers
from primedist.ui.customers.account_panel import COLUMNS, AccountPanel
from tests.services.test_order_edit import phone_order
from tests.services.test_order_edit_later import buyer, sale
from tests.services.test_orders import customer_id  # noqa: F401  (fixture)
from tests.ui.orders.test_order_detail import (  # noqa: F401  (the variants fixture)
    WAIT_MS,
    click,
    open_detail,
    variants,
)
from tests.ui.orders.test_order_edit_dialog import open_edit
from tests.ui.orders.test_sale_dialog import settle
from tests.ui.support import show_widget

NOTE = COLUMNS.index("note")


def test_an_order_of_a_deleted_customer_opens_on_its_buyer_and_keeps_them(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id)
    before = buyer(engine, order_id)
    delete_customers(owner_ctx, [customer_id])
    dialog = open_detail(qtbot, owner_ctx, order_id)
    form = open_edit(qtbot, dialog)
    assert form.customer is not None and form.customer.id == customer_id
    assert "Nguyễn Thị Hoa" in form.customer_card.text()
    assert "Walk-in" not in form.customer_card.text()
    form.note.setText("Giao buổi chiều")
    settle(qtbot, form)
    assert form.problems == [] and form.save_button.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, form.save_button)
    assert not form.isVisible()
    assert buyer(engine, order_id) == before


def test_on_a_later_day_the_form_says_at_once_what_cannot_change(
    qtbot, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    today = open_detail(qtbot, owner_ctx, order_id)
    assert today.edit_button.toolTip() == "Change the items, prices, discounts and payment"
    owner_ctx.clock.advance(timedelta(days=1))
    dialog = open_detail(qtbot, owner_ctx, order_id)
    tip = dialog.edit_button.toolTip()
    assert dialog.edit_button.isEnabled() and "items" not in tip
    assert tip == ("Sold on an earlier day: only the delivery details, note and customer can "
                   "still change")  # fmt: skip
    form = open_edit(qtbot, dialog)
    assert form.problems == [] and form.save_button.isEnabled()
    form.lines.selectRow(0)
    form.step_quantity(1)
    settle(qtbot, form)
    assert not form.save_button.isEnabled()  # before Save, not after it
    assert form.problems_label.isVisible() and "a day already over" in form.problems_label.text()
    form.step_quantity(-1)  # back as it was: the note may still change
    form.note.setText("Giao buổi chiều")
    settle(qtbot, form)
    assert form.problems == [] and form.save_button.isEnabled()


class Vietnamese(QTranslator):
    """The catalogue's word for the edit's reason (the catalogue gets it with the release)."""

    def translate(self, context, source, disambiguation=None, n=-1):  # type: ignore[no-untyped-def]
        if (context, source) == ("service", "Order edited"):
            return "Đơn hàng đã được sửa"
        return None  # not translated: Qt's own fallback


def test_the_account_tab_says_why_in_the_users_language(
    qtbot, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    order_id = sale(owner_ctx, variants, customer_id=customer_id,
                    payment_method=PaymentMethod.ON_ACCOUNT, paid_now=50_000)  # fmt: skip
    draft = edit.order_draft(owner_ctx, order_id)
    edit.update_order(owner_ctx, order_id, replace(draft, paid_now=0))  # its payment cancelled
    translator = Vietnamese()
    QCoreApplication.installTranslator(translator)
    try:
        panel = show_widget(qtbot, AccountPanel(owner_ctx, customer_id))
        panel.reload()
        notes = [panel.table.item(r, NOTE).text() for r in range(panel.table.rowCount())]
        (cancelled,) = [n for n in notes if n.startswith("Cancelled")]
        assert cancelled.startswith("Cancelled: Đơn hàng đã được sửa")
        assert "Order edited" not in cancelled
        (entry,) = [e for e in panel.entries if not e.standing]
        assert panel.cancelled_text(entry).endswith(": Đơn hàng đã được sửa")
    finally:
        QCoreApplication.removeTranslator(translator)
