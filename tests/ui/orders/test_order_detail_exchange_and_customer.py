"""The order detail on a real migrated database: what an exchange's credit paid and what
the shop gave back; return notes in the reader's money words, old "đ" notes included; a
deleted customer, or one the user may not see, is no link; and the main window says why
it cannot show a customer instead of showing an empty Customers list."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.domain.enums import Module, OrderSource, PaymentMethod, Role
from primedist.services import orders as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.customer_delete import delete_customers
from primedist.services.exchange import ExchangeDraft, exchange_order
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.app import ui_settings_for
from primedist.ui.main_window import MainWindow
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_customers, make_product

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def shirts(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """Size S (259,000 đ) and size M (299,000 đ), 5 of each."""
    return make_product(engine, "Áo sơ mi lụa", [("SM-S", 259_000, 5), ("SM-M", 299_000, 5)])


@pytest.fixture
def buyer(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_customers(engine, 1, names=["Trần Thu Hà"])[0]


def open_detail(qtbot, ctx: ServiceContext, order_id: int) -> OrderDetailDialog:
    dialog = OrderDetailDialog(ctx, order_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def sale(ctx: ServiceContext, variant: int, customer_id: int | None) -> int:
    return svc.create_order(ctx, OrderDraft(lines=(DraftLine(variant, 1),),
                                            customer_id=customer_id)).id  # fmt: skip


def history_notes(dialog: OrderDetailDialog) -> list[str]:
    table = dialog.history_table
    return [table.item(r, 3).text() for r in range(table.rowCount()) if table.item(r, 3)]


# --------------------------------------------------------------------------- exchanges


def test_a_cheaper_exchange_says_what_the_credit_paid_and_what_went_back(
    qtbot, owner_ctx: ServiceContext, shirts: list[int], buyer: int
) -> None:
    """A 299,000 shirt for a 259,000 one by phone: the new order's detail said the items
    "paid 299,000 VND of it", more than its total."""
    old = sale(owner_ctx, shirts[1], buyer)
    line = svc.order_detail(owner_ctx, old).lines[0].id or 0
    new_sale = OrderDraft(lines=(DraftLine(shirts[0], 1),), source=OrderSource.PHONE,
                          payment_method=PaymentMethod.COD, ship_name="Hà",
                          ship_phone="0901234567", ship_address="12 Lê Lợi",
                          ship_province="Hồ Chí Minh")  # fmt: skip
    new = exchange_order(owner_ctx, ExchangeDraft(old, {line: 1}, "Đổi mẫu", new_sale)).created
    number = svc.order_detail(owner_ctx, old).order.external_id
    detail = open_detail(qtbot, owner_ctx, new.id)
    assert detail.exchange_note.isVisible()
    assert detail.exchange_note.text() == (
        f"Items returned from order {number} paid 259,000 VND of it; 40,000 VND was given "
        "back to the customer."
    )
    # The old sale's detail names the exchange and the items' whole value.
    before = open_detail(qtbot, owner_ctx, old)
    assert before.exchange_note.text() == (
        f"Items of this order were exchanged for order {new.external_id} (299,000 VND)."
    )


# --------------------------------------------------------------------------- notes


def test_return_notes_new_and_old_show_no_dong_sign_in_english(
    qtbot, engine: Engine, owner_ctx: ServiceContext, shirts: list[int], buyer: int
) -> None:
    """A note written before (with "đ") reads as today's: the English says no "đ"."""
    order_id = sale(owner_ctx, shirts[0], buyer)
    line = svc.order_detail(owner_ctx, order_id).lines[0].id or 0
    svc.return_order(owner_ctx, order_id, {line: 1}, reason="Hàng lỗi")
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE order_status_changes SET note = :old WHERE order_id = :o "
                    "AND to_status = 'returned'"),
            {"old": "Returned 1 item(s), refund 259,000 đ: Hàng lỗi: size sai", "o": order_id},
        )  # fmt: skip
    other = sale(owner_ctx, shirts[1], buyer)
    other_line = svc.order_detail(owner_ctx, other).lines[0].id or 0
    svc.return_order(owner_ctx, other, {other_line: 1}, reason="Đổi ý")

    old_notes = history_notes(open_detail(qtbot, owner_ctx, order_id))
    assert "Returned 1 item(s), refund 259,000: Hàng lỗi: size sai" in old_notes, old_notes
    new_notes = history_notes(open_detail(qtbot, owner_ctx, other))
    assert "Returned 1 item(s), refund 299,000: Đổi ý" in new_notes, new_notes
    assert not any("đ" in note for note in old_notes + new_notes)


# --------------------------------------------------------------------------- customer


def test_a_deleted_customer_is_plain_text_not_a_link(
    qtbot, owner_ctx: ServiceContext, shirts: list[int], buyer: int
) -> None:
    order_id = sale(owner_ctx, shirts[0], buyer)
    delete_customers(owner_ctx, [buyer])
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert dialog.customer_button.text() == "Trần Thu Hà (deleted)"
    assert not dialog.customer_button.isEnabled()
    assert dialog.customer_button.toolTip() == "This customer was deleted."


def test_a_user_without_customers_sees_the_name_but_no_link(
    qtbot, owner_ctx: ServiceContext, shirts: list[int], buyer: int
) -> None:
    order_id = sale(owner_ctx, shirts[0], buyer)
    staff = Actor(id=None, name="Lan", email="lan@x.vn", role=Role.STAFF,
                  modules=frozenset({Module.ORDERS}))  # fmt: skip
    dialog = open_detail(qtbot, owner_ctx.with_actor(staff), order_id)
    assert dialog.customer_button.text() == "Trần Thu Hà"
    assert not dialog.customer_button.isEnabled()
    assert dialog.customer_button.toolTip() == "You have no access to Customers."
    mine = open_detail(qtbot, owner_ctx, order_id)
    assert mine.customer_button.isEnabled() and mine.customer_button.toolTip() == (
        "Open the customer")  # fmt: skip


def test_a_customer_deleted_meanwhile_is_said_and_the_detail_stays(
    qtbot, owner_ctx: ServiceContext, settings, shirts: list[int], buyer: int, quiet: list[str]
) -> None:
    """The detail was opened before another PC deleted the customer: the click says so,
    the Orders tab and the detail stay (it showed an empty Customers list, no word)."""
    sale(owner_ctx, shirts[0], buyer)
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
    qtbot.addWidget(window)
    window.show()
    page = window.select_tab("orders")
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: page.isVisible() and page.model.rowCount() == 1, timeout=WAIT_MS)
    detail = page.open_order(page.model.key_at(0) or 0)
    qtbot.waitExposed(detail)
    assert detail.customer_button.isEnabled()
    delete_customers(owner_ctx, [buyer])  # another PC
    qtbot.mouseClick(detail.customer_button, Qt.MouseButton.LeftButton)
    assert quiet == ["This customer was deleted: there is nothing to open."]
    quiet.clear()
    assert window.tabs.currentWidget().key == "orders"
    qtbot.wait(50)
    assert detail.isVisible()
    detail.close()
    window.close()


def test_no_customers_access_is_said_by_the_main_window(
    qtbot, owner_ctx: ServiceContext, settings, buyer: int, quiet: list[str]
) -> None:
    staff = Actor(id=None, name="Lan", email="lan@x.vn", role=Role.STAFF,
                  modules=frozenset({Module.ORDERS}))  # fmt: skip
    window = MainWindow(owner_ctx.with_actor(staff), ui_settings_for(settings), "Cửa hàng Thử")
    qtbot.addWidget(window)
    window.show()
    before = window.tabs.currentWidget()
    assert window.show_customer(buyer) is False
    assert quiet == ["You have no access to Customers."]
    quiet.clear()
    assert window.tabs.currentWidget() is before
    window.close()


def test_a_customer_who_can_be_shown_still_opens(
    qtbot, owner_ctx: ServiceContext, settings, buyer: int, quiet: list[str]
) -> None:
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
    qtbot.addWidget(window)
    window.show()
    assert window.show_customer(buyer) is True
    assert window.tabs.currentWidget().key == "customers" and quiet == []
    customers = window.tabs.currentWidget().ensure_built()
    qtbot.waitUntil(lambda: customers.last_dialog is not None, timeout=WAIT_MS)
    customers.last_dialog.reject()
    qtbot.wait(50)
    window.close()
