# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Create order on the customer's account (*bán ghi nợ*): "On account" asks what is paid
now instead of the cash received, shows what the sale leaves owed and what the customer
owes already; without a customer it cannot be saved. The edit form keeps what was paid."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.domain.enums import Module, OrderSource, OrderStatus, PaymentMethod, Role
from primedist.services import customer_account as account
from primedist.services import orders as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.orders.sale import SaleDialog
from tests.factories import make_customers
from tests.ui.orders.test_sale_dialog import (  # noqa: F401  (fixtures)
    SHIRT_M,
    SHIRT_S,
    dialog,
    field,
    products,
    questions,
    save_with_f9,
    saved_order,
    scan,
    settle,
)

pytestmark = pytest.mark.usefixtures("english")


def choose_on_account(dialog: SaleDialog) -> None:
    combo = dialog.payment
    index = combo.findData(PaymentMethod.ON_ACCOUNT)
    assert index >= 0 and combo.itemText(index) == "On account"
    combo.setCurrentIndex(index)


def pick_customer(qtbot, dialog: SaleDialog, typed: str, customer_id: int) -> None:
    product = field(dialog, "productSearch")
    qtbot.keyClick(product, Qt.Key.Key_F3)
    search = field(dialog, "customerSearch")
    qtbot.keyClicks(search, typed)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dialog.customer is not None and dialog.customer.id == customer_id


def shown(dialog: SaleDialog, key: str) -> str | None:
    """A totals row's value, None when the row is hidden."""
    value = dialog.total_values[key]
    return value.text() if value.isVisible() else None


def earlier_debt(ctx: ServiceContext, products: dict[str, int], customer_id: int) -> None:
    """An earlier counter sale on account: 99,000 owed."""
    svc.create_order(ctx, OrderDraft(lines=(DraftLine(products["AO-S"], 1),),
                                     customer_id=customer_id,
                                     payment_method=PaymentMethod.ON_ACCOUNT))  # fmt: skip


def test_a_sale_on_account_with_part_paid_now(
    qtbot, dialog: SaleDialog, engine: Engine, owner_ctx: ServiceContext,
    products: dict[str, int],
) -> None:  # fmt: skip
    (hoa,) = make_customers(engine, 1, names=["Nguyễn Thị Hòa"])
    earlier_debt(owner_ctx, products, hoa)
    scan(qtbot, dialog, SHIRT_M)
    scan(qtbot, dialog, SHIRT_M)  # 240,000
    pick_customer(qtbot, dialog, "hoa", hoa)
    assert dialog.paid_now_cell.isHidden() and shown(dialog, "owed") is None  # cash so far
    choose_on_account(dialog)
    assert dialog.cash_cell.isHidden() and dialog.paid_now_cell.isVisible()
    assert shown(dialog, "change") is None
    # F4 goes to what is paid now (the cash of a sale on account).
    qtbot.keyClick(field(dialog, "productSearch"), Qt.Key.Key_F4)
    paid = field(dialog, "paidNow")
    assert dialog.focusWidget() is paid
    settle(qtbot, dialog)
    assert shown(dialog, "owed") == "240,000 VND"  # nothing paid yet: all of it
    assert shown(dialog, "already") == "99,000 VND"
    assert dialog.total_captions["owed"].text() == "Owed for this sale"
    assert dialog.total_captions["already"].text() == "Already owes"
    qtbot.keyClicks(paid, "40000")
    settle(qtbot, dialog)
    assert shown(dialog, "total") == "240,000 VND"
    assert shown(dialog, "owed") == "200,000 VND"
    assert dialog.save_button.isEnabled() and not dialog.problems_label.isVisible()
    order, _ = saved_order(engine, save_with_f9(qtbot, dialog))

    assert (order.status, order.source, order.payment_method) == (
        OrderStatus.COMPLETED, OrderSource.COUNTER, PaymentMethod.ON_ACCOUNT)  # fmt: skip
    assert (order.customer_id, order.total, order.paid_amount) == (hoa, 240_000, 40_000)
    assert account.get_balance(owner_ctx, hoa).owed == 99_000 + 240_000 - 40_000
    assert dialog.saved_label.text() == f"Saved {order.external_id} — owed 200,000 VND"
    # The next sale starts as a cash sale of a walk-in customer.
    assert dialog.payment.currentData() == PaymentMethod.CASH and paid.text() == ""
    assert dialog.paid_now_cell.isHidden() and shown(dialog, "owed") is None


def test_walk_in_on_account_cannot_be_saved(qtbot, dialog: SaleDialog, engine: Engine) -> None:
    (lan,) = make_customers(engine, 1, names=["Lê Thị Lan"])
    scan(qtbot, dialog, SHIRT_S)
    choose_on_account(dialog)
    settle(qtbot, dialog)
    assert not dialog.save_button.isEnabled()
    assert dialog.problems_label.isVisible()
    assert "A sale on account needs a customer: choose who owes it." in (
        dialog.problems_label.text())  # fmt: skip
    assert shown(dialog, "owed") == "99,000 VND" and shown(dialog, "already") is None
    qtbot.keyClick(field(dialog, "productSearch"), Qt.Key.Key_F9)
    assert dialog.last_created is None
    # A customer: it can be saved; paid in full is not a sale on account.
    pick_customer(qtbot, dialog, "lan", lan)
    settle(qtbot, dialog)
    assert dialog.save_button.isEnabled() and shown(dialog, "already") == "0 VND"
    field(dialog, "paidNow").setText("99.000")
    settle(qtbot, dialog)
    assert "Paid now must be less than the total" in dialog.problems_label.text()
    assert not dialog.save_button.isEnabled()
    field(dialog, "paidNow").setText("9 nghìn")
    settle(qtbot, dialog)
    assert "Paid now: “9 nghìn” is not an amount of money." in dialog.problems_label.text()


def test_without_customers_access_the_balance_is_not_shown(
    qtbot, owner_ctx: ServiceContext, engine: Engine, products: dict[str, int]
) -> None:
    (hoa,) = make_customers(engine, 1, names=["Nguyễn Thị Hòa"])
    earlier_debt(owner_ctx, products, hoa)
    cashier = owner_ctx.with_actor(Actor(None, "Mai", "mai@x.vn", Role.STAFF,
                                         frozenset({Module.ORDERS})))  # fmt: skip
    d = SaleDialog(cashier, customer_id=hoa)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    scan(qtbot, d, SHIRT_S)
    choose_on_account(d)
    settle(qtbot, d)
    assert shown(d, "owed") == "99,000 VND" and shown(d, "already") is None
    assert d.save_button.isEnabled()
    order, _ = saved_order(engine, save_with_f9(qtbot, d))
    assert order.payment_method == PaymentMethod.ON_ACCOUNT
    assert account.get_balance(owner_ctx, hoa).owed == 2 * 99_000


def test_the_edit_form_keeps_what_was_paid_now(
    qtbot, owner_ctx: ServiceContext, engine: Engine, products: dict[str, int]
) -> None:
    (hoa,) = make_customers(engine, 1, names=["Nguyễn Thị Hòa"])
    earlier_debt(owner_ctx, products, hoa)
    draft = OrderDraft(
        lines=(DraftLine(products["AO-M"], 1),), customer_id=hoa, source=OrderSource.PHONE,
        payment_method=PaymentMethod.ON_ACCOUNT, paid_now=20_000, ship_name="Hòa",
        ship_phone="0939921717", ship_address="12 Lê Lợi", ship_province="Hà Nội",
    )  # fmt: skip
    created = svc.create_order(owner_ctx, draft)
    form = SaleDialog(owner_ctx, edit_order_id=created.id, edit_number=created.external_id)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    settle(qtbot, form)
    assert form.payment.currentData() == PaymentMethod.ON_ACCOUNT
    assert field(form, "paidNow").text() == "20,000" and form.paid_now_cell.isVisible()
    assert shown(form, "owed") == "100,000 VND"
    assert shown(form, "already") == "99,000 VND"  # this order's own debt not counted twice
    field(form, "paidNow").setText("50,000")
    settle(qtbot, form)
    assert shown(form, "owed") == "70,000 VND"
    with qtbot.waitSignal(form.orderSaved, timeout=10_000):
        qtbot.keyClick(field(form, "paidNow"), Qt.Key.Key_F9)
    assert account.get_balance(owner_ctx, hoa).owed == 99_000 + 70_000
