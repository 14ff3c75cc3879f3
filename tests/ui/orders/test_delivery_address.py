# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""Changing an own order's delivery address from its detail, driven like a user would:
the link shows only where it can be used, the form is prefilled, a bad phone is named
where it was typed, a saved address shows at once, a live shipment locks it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.services import shipping as ship_svc
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.orders.delivery_address import DeliveryAddressDialog
from tests.services.test_bulk_shipping import order_to
from tests.services.test_delivery import addresses, customer_order
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    ghn_id,
    order_row,
    sandbox,
)
from tests.ui.orders.test_order_detail import (  # noqa: F401  (the variants fixture)
    WAIT_MS,
    click,
    counter_sale,
    marketplace_order,
    open_detail,
    variants,
)
from tests.ui.test_translations import vietnamese


@pytest.fixture
def phone_order(owner_ctx: ServiceContext, engine: Engine) -> int:
    """A confirmed phone order to 12 Lê Lợi, Hồ Chí Minh, with no ward."""
    return order_to(owner_ctx, engine, province="Hồ Chí Minh", ward=None)


def open_form(qtbot, dialog) -> DeliveryAddressDialog:
    click(qtbot, dialog.address_button)
    form = dialog.address_dialog
    assert form is not None
    qtbot.waitExposed(form)
    return form


def test_only_an_own_order_that_has_not_left_offers_the_change(
    qtbot, engine: Engine, owner_ctx: ServiceContext, phone_order: int, variants: list[int]
) -> None:
    dialog = open_detail(qtbot, owner_ctx, phone_order)
    assert dialog.address_button.isVisible() and dialog.address_button.isEnabled()
    assert dialog.address_button.text() == "Change delivery address…"
    for other in (marketplace_order(engine, owner_ctx, variants),
                  counter_sale(owner_ctx, variants)):  # fmt: skip
        assert not open_detail(qtbot, owner_ctx, other).address_button.isVisible()


def test_the_corrected_address_is_saved_and_shown(
    qtbot, engine: Engine, owner_ctx: ServiceContext, phone_order: int
) -> None:
    dialog = open_detail(qtbot, owner_ctx, phone_order)
    form = open_form(qtbot, dialog)
    assert form.edits["name"].text() == "Nguyễn Lan"
    assert form.edits["phone"].text() == "0901234567"
    assert form.edits["address"].text() == "12 Lê Lợi"
    assert form.edits["ward"].text() == ""
    assert "district" not in form.edits  # a 2025 address has none
    assert form.province.currentText() == "Hồ Chí Minh"
    assert not form.for_customer.isVisible()  # no customer to keep it for

    form.edits["ward"].setText("Phường Bến Nghé")
    form.province.setCurrentText("TP. Hồ Chí Minh")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, form.save_button)

    order = order_row(engine, phone_order)
    assert (order.ship_ward, order.ship_province, order.province_code) == (
        "Phường Bến Nghé", "TP. Hồ Chí Minh", "79")  # fmt: skip
    assert dialog.ship_values["address"].text() == "12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh"
    table = dialog.history_table
    last = [table.item(table.rowCount() - 1, c).text() for c in (1, 3)]
    assert last == ["Delivery address changed", "12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh"]


def test_the_address_can_be_kept_as_the_customers_default(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    customer, order_id = customer_order(owner_ctx, engine)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    form = open_form(qtbot, dialog)
    assert form.for_customer.isVisible() and not form.for_customer.isChecked()
    assert form.for_customer.text() == "Also make it Nguyễn Lan's default address"
    form.edits["ward"].setText("Phường Bến Nghé")
    form.for_customer.setChecked(True)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, form.save_button)
    assert addresses(owner_ctx, customer) == [
        ("12 Lê Lợi, Phường Bến Nghé, Hồ Chí Minh", True)]  # fmt: skip


def test_a_bad_phone_is_named_and_nothing_is_saved(
    qtbot, engine: Engine, owner_ctx: ServiceContext, phone_order: int
) -> None:
    dialog = open_detail(qtbot, owner_ctx, phone_order)
    form = open_form(qtbot, dialog)
    form.edits["phone"].setText("090 12x")
    click(qtbot, form.save_button)

    assert form.isVisible()
    assert form.message.isVisible() and "090 12x is not a phone number" in form.message.text()
    assert form.focusWidget() is form.edits["phone"]
    assert order_row(engine, phone_order).ship_phone == "0901234567"
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible()


def test_a_live_shipment_locks_the_address_and_says_why(
    qtbot, engine: Engine, owner_ctx: ServiceContext, ghn_id: int
) -> None:
    order_id = order_to(owner_ctx, engine, province="Hồ Chí Minh", ward="Phường Bến Nghé")
    ship_svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert dialog.address_button.isVisible() and not dialog.address_button.isEnabled()
    assert "cancel it first" in dialog.address_button.toolTip()


def test_the_form_speaks_vietnamese(qtbot, owner_ctx: ServiceContext, phone_order: int) -> None:
    install_language("vi")
    try:
        dialog = open_detail(qtbot, owner_ctx, phone_order)
        assert dialog.address_button.text() == vietnamese(
            "OrderDetailDialog", "Change delivery address…")  # fmt: skip
        form = open_form(qtbot, dialog)
        title = vietnamese("DeliveryAddressDialog", "Delivery address of order %1")
        assert form.windowTitle() == title.replace("%1", order_row_number(dialog))
        form.edits["phone"].setText("abc")
        click(qtbot, form.save_button)
        assert vietnamese("service", "{phone} is not a phone number").replace(
            "{phone}", "abc") in form.message.text()  # fmt: skip
    finally:
        install_language("en")


def order_row_number(dialog) -> str:
    assert dialog.detail is not None
    return dialog.detail.order.external_id
