"""The customer detail's Account tab (sales on account, *công nợ*): what is owed and the
entries behind it, Receive payment… (a refusal said in the dialog, nothing written),
Cancel payment… with a reason (struck out, owed again; the owner or a manager only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.customer import CustomerPayment
from primedist.domain.enums import Module, PaymentMethod, Role
from primedist.services import customer_account as account
from primedist.services import orders
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.customers.account_panel import COLUMNS, AccountPanel
from primedist.ui.customers.detail import CustomerDetailDialog
from primedist.ui.i18n import install_language
from tests.factories import make_customers, make_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")
payments_t = table_of(CustomerPayment)
WHAT, DOC, AMOUNT, NOTE = (COLUMNS.index(c) for c in ("what", "document", "amount", "note"))


@pytest.fixture
def hoa(engine: Engine, owner_ctx: ServiceContext, clock: FixedClock) -> dict[str, object]:
    """Hoa bought 2 shirts on account (198,000, 30,000 paid at once), an hour later one
    more (99,000): she owes 267,000."""
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 99_000, 50)])
    (cid,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    numbers = []
    for qty, paid_now in ((2, 30_000), (1, 0)):
        draft = OrderDraft(lines=(DraftLine(shirt, qty),), customer_id=cid,
                           payment_method=PaymentMethod.ON_ACCOUNT, paid_now=paid_now)  # fmt: skip
        created = orders.create_order(owner_ctx, draft)
        numbers.append(_external_id(engine, created.id))
        clock.advance(timedelta(hours=1))
    return {"id": cid, "orders": numbers}


def _external_id(engine: Engine, order_id: int) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT external_id FROM orders WHERE id = :i"),
                                {"i": order_id}).scalar_one())  # fmt: skip


def open_detail(qtbot, ctx: ServiceContext, cid: int) -> CustomerDetailDialog:
    dialog = show_widget(qtbot, CustomerDetailDialog(ctx, cid), 1100, 760)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    dialog.tabs.setCurrentWidget(dialog.account_panel)
    return dialog


def cells(panel: AccountPanel, row: int) -> list[str]:
    return [panel.table.item(row, c).text() for c in range(len(COLUMNS))]


def row_of(panel: AccountPanel, reference: str) -> int:
    refs = [panel.table.item(r, DOC).text() for r in range(panel.table.rowCount())]
    return refs.index(reference)


def payments(engine: Engine) -> list[tuple[int, bool]]:
    """(amount, standing) of every payment, by id."""
    p = payments_t.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(p.amount, p.cancelled_at).order_by(p.id)).all()
    return [(int(r[0]), r[1] is None) for r in rows]


def test_what_is_owed_and_the_entries(qtbot, owner_ctx: ServiceContext, hoa) -> None:
    dialog = open_detail(qtbot, owner_ctx, hoa["id"])
    panel = dialog.account_panel
    assert dialog.tabs.tabText(dialog.tabs.indexOf(panel)) == "Account"
    assert (panel.owed_caption.text(), panel.owed_value.text()) == ("Owes", "267,000 VND")
    assert panel.owed_detail.text() == ("2 sales on account · sold 297,000 VND · paid 30,000 VND")
    assert dialog.owed_label.isVisible() and dialog.owed_label.text() == "Owes 267,000 VND"
    first, second = hoa["orders"]
    assert panel.table.rowCount() == 3
    # newest first: the second sale, then the first one and the part paid with it
    assert cells(panel, 0)[1:5] == [second, "Sale on account", "+99,000 VND", "Chủ Thử"]
    assert cells(panel, row_of(panel, first))[2:4] == ["Sale on account", "+198,000 VND"]
    paid = cells(panel, row_of(panel, account.payment_code(1)))
    assert paid[2:] == ["Payment (cash)", "−30,000 VND", "Chủ Thử", first]
    assert panel.receive_button.isEnabled() and not panel.cancel_button.isEnabled()
    with qtbot.waitSignal(dialog.openOrder, timeout=WAIT) as opened:
        panel.table.cellDoubleClicked.emit(0, 0)
    assert opened.args == [panel.entries[0].entity_id]


def test_a_payment_received(qtbot, engine: Engine, owner_ctx: ServiceContext, hoa) -> None:
    dialog = open_detail(qtbot, owner_ctx, hoa["id"])
    panel = dialog.account_panel
    qtbot.mouseClick(panel.receive_button, Qt.MouseButton.LeftButton)
    box = panel.dialog
    assert box is not None and box.isVisible()
    assert box.windowTitle() == "Receive payment from Nguyễn Thị Hoa"
    assert box.amount.text() == "267,000" and box.owed_label.text() == "267,000 VND"
    assert [box.method.itemText(i) for i in range(box.method.count())] == [
        "Cash", "Bank transfer", "Card", "E-wallet", "Other"]  # fmt: skip
    box.amount.setText("100000")
    assert box.after.text() == "Owes after: 167,000 VND"
    box.method.setCurrentIndex(box.method.findData(PaymentMethod.BANK_TRANSFER.value))
    box.note.setText("CK Vietcombank")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    assert account.get_balance(owner_ctx, hoa["id"]).owed == 167_000
    assert payments(engine) == [(30_000, True), (100_000, True)]
    assert panel.owed_value.text() == "167,000 VND"
    assert dialog.owed_label.text() == "Owes 167,000 VND"
    assert cells(panel, 0)[1:] == ["PT000002", "Payment (bank transfer)", "−100,000 VND",
                                   "Chủ Thử", "CK Vietcombank"]  # fmt: skip
    assert panel.message.text() == "100,000 VND received (PT000002)."


def test_too_much_is_refused_and_nothing_written(
    qtbot, engine: Engine, owner_ctx: ServiceContext, hoa
) -> None:
    dialog = open_detail(qtbot, owner_ctx, hoa["id"])
    panel = dialog.account_panel
    box = panel.receive_payment()
    assert box is not None
    box.amount.setText("abc")
    assert not box.save_button.isEnabled() and "amount of money" in box.status.text()
    box.amount.setText("300000")
    assert box.after.text() == "That is 33,000 VND more than is owed."
    assert box.save_button.isEnabled()
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be more" in box.status.text(), timeout=WAIT)
    assert box.status.isVisible() and "Nguyễn Thị Hoa owes" in box.status.text()
    assert box.isVisible() and box.save_button.isEnabled()
    assert payments(engine) == [(30_000, True)]
    assert panel.owed_value.text() == "267,000 VND"
    box.reject()


def test_a_payment_cancelled_with_a_reason(
    qtbot, engine: Engine, owner_ctx: ServiceContext, hoa
) -> None:
    entry = account.receive_payment(owner_ctx, hoa["id"], 50_000, PaymentMethod.CASH)
    dialog = open_detail(qtbot, owner_ctx, hoa["id"])
    panel = dialog.account_panel
    assert panel.owed_value.text() == "217,000 VND"
    assert panel.ask_cancel_payment() is None  # nothing selected
    panel.table.selectRow(row_of(panel, hoa["orders"][0]))
    assert not panel.cancel_button.isEnabled()  # a sale is not a payment
    panel.table.selectRow(row_of(panel, entry.reference))
    assert panel.cancel_button.isEnabled()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    box = panel.cancel_box
    assert box is not None and box.windowTitle() == "Cancel PT000002"
    assert "50,000 VND will no longer count as paid" in box.labelText()
    box.textValueSelected.emit("  ")  # no reason: refused, said in the panel
    qtbot.waitUntil(lambda: "Say why" in panel.message.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)
    assert payments(engine)[-1] == (50_000, True)

    panel.table.selectRow(row_of(panel, entry.reference))
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        panel.ask_cancel_payment().textValueSelected.emit("Nhập nhầm")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)
    assert payments(engine)[-1] == (50_000, False)
    assert panel.owed_value.text() == "267,000 VND"
    assert dialog.owed_label.text() == "Owes 267,000 VND"
    assert panel.message.text() == "PT000002 cancelled: 50,000 VND is owed again."
    row = row_of(panel, entry.reference)
    item = panel.table.item(row, AMOUNT)
    assert item.font().strikeOut() and "Nhập nhầm" in item.toolTip()
    assert panel.table.item(row, NOTE).text() == "Cancelled: Nhập nhầm"
    assert item.toolTip() == "Cancelled 20/11/2026 12:00: Nhập nhầm"
    panel.table.selectRow(row)
    assert not panel.cancel_button.isEnabled()  # cancelled already


def test_staff_receive_but_cannot_cancel(
    qtbot, engine: Engine, owner_ctx: ServiceContext, hoa
) -> None:
    staff = owner_ctx.with_actor(Actor(id=None, name="Lan", email="lan@shop.vn",
                                       role=Role.STAFF,
                                       modules=frozenset({Module.CUSTOMERS})))  # fmt: skip
    dialog = open_detail(qtbot, staff, hoa["id"])
    panel = dialog.account_panel
    assert panel.receive_button.isEnabled()
    panel.table.selectRow(row_of(panel, account.payment_code(1)))
    assert not panel.cancel_button.isEnabled()
    assert panel.cancel_button.toolTip() == "Only the owner or a manager cancels a payment."
    assert panel.ask_cancel_payment() is None
    assert payments(engine) == [(30_000, True)]


def test_a_customer_who_owes_nothing(qtbot, engine: Engine, owner_ctx: ServiceContext) -> None:
    (cid,) = make_customers(engine, 1, names=["Trần Văn Bình"])
    dialog = open_detail(qtbot, owner_ctx, cid)
    panel = dialog.account_panel
    assert panel.owed_caption.text() == "Owes nothing"
    assert not panel.owed_value.isVisible() and not panel.owed_detail.isVisible()
    assert not dialog.owed_label.isVisible()
    assert panel.empty.isVisible() and not panel.table.isVisible()
    assert not panel.receive_button.isEnabled() and panel.receive_payment() is None
    assert not panel.remind_button.isEnabled()


def test_a_reminder_copied_for_the_customers_chat(qtbot, owner_ctx: ServiceContext, hoa) -> None:
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().clear()
    panel = open_detail(qtbot, owner_ctx, hoa["id"]).account_panel
    assert panel.remind_button.isEnabled()
    qtbot.mouseClick(panel.remind_button, Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text().splitlines()
    assert text[0] == "Hello Nguyễn Thị Hoa,"
    assert [line.split(" — ")[0] for line in text[2:4]] == [
        f"• {n}" for n in reversed(hoa["orders"])
    ]
    assert text[-4:] == ["Paid: 30,000 VND", "Owed: 267,000 VND", "", "Thank you!"]
    assert panel.message.text() == "Copied: paste it into the chat with the customer."


def test_the_panel_follows_the_language(qtbot, owner_ctx: ServiceContext, hoa) -> None:
    dialog = open_detail(qtbot, owner_ctx, hoa["id"])
    panel = dialog.account_panel
    row = row_of(panel, account.payment_code(1))
    install_language("vi")
    try:
        qtbot.waitUntil(lambda: panel.owed_value.text() == "267.000 ₫", timeout=WAIT)
        assert dialog.owed_label.text().endswith("267.000 ₫")
        assert panel.table.item(row, AMOUNT).text() == "−30.000 ₫"
        assert panel.table.item(row, WHAT).text().endswith("(tiền mặt)")
        box = panel.receive_payment()
        assert box is not None and box.method.itemText(0) == "Tiền mặt"
        box.reject()
    finally:
        install_language("en")


def test_a_payment_receipt_printed(qtbot, owner_ctx: ServiceContext, hoa, tmp_path) -> None:
    from tests.printing.support import has_phrase, pdf_text

    panel = open_detail(qtbot, owner_ctx, hoa["id"]).account_panel
    assert not panel.print_button.isEnabled()  # nothing chosen
    panel.table.selectRow(row_of(panel, hoa["orders"][0]))
    assert not panel.print_button.isEnabled()  # a sale is no payment
    panel.table.selectRow(row_of(panel, account.payment_code(1)))
    assert panel.print_button.isEnabled()
    out = tmp_path / "pt.pdf"
    panel.print_payment(pdf=out)
    qtbot.waitUntil(lambda: panel.message.text().startswith("Printed"), timeout=WAIT)
    assert panel.message.text() == f"Printed PT000001 to {out}."
    text = pdf_text(out)
    assert has_phrase(text, "Amount received 30,000 VND")
    # Right after it (198,000 − 30,000), not today's 267,000: the later sale came after.
    assert has_phrase(text, "Still owed 168,000 VND") and "267,000" not in text


def test_an_opening_debt_adjusted_by_hand(qtbot, engine: Engine, owner_ctx: ServiceContext
                                          ) -> None:  # fmt: skip
    (cid,) = make_customers(engine, 1, names=["Trần Văn Bình"])
    dialog = open_detail(qtbot, owner_ctx, cid)
    panel = dialog.account_panel
    box = panel.adjust_balance()
    assert box is not None and not box.save_button.isEnabled()
    box.amount.setText("500,000")
    assert box.status.text() == "Say why the balance changes."
    box.reason.setText("Nợ cũ trong sổ")
    assert box.fields.after.text() == "Owes after: 500,000 VND" and box.save_button.isEnabled()
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.owed_value.text() == "500,000 VND", timeout=WAIT)
    assert panel.message.text() == "DCK000001 saved: +500,000 VND."
    assert cells(panel, 0)[DOC : AMOUNT + 1] == ["DCK000001", "Adjustment", "+500,000 VND"]
    assert cells(panel, 0)[NOTE] == "Nợ cũ trong sổ"
    assert "adjusted +500,000 VND" in panel.owed_detail.text()
    down = panel.adjust_balance()
    assert down is not None
    down.fields.direction.setCurrentIndex(1)
    down.amount.setText("100,000")
    down.reason.setText("Bớt")
    assert down.fields.after.text() == "Owes after: 400,000 VND"
    down.save()
    qtbot.waitUntil(lambda: panel.owed_value.text() == "400,000 VND", timeout=WAIT)
    assert panel.receive_button.isEnabled()


def test_staff_cannot_adjust(qtbot, owner_ctx: ServiceContext, hoa) -> None:
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF,
                                       frozenset({Module.CUSTOMERS, Module.ORDERS})))  # fmt: skip
    panel = open_detail(qtbot, staff, hoa["id"]).account_panel
    assert not panel.adjust_button.isEnabled() and panel.adjust_balance() is None
    assert panel.adjust_button.toolTip() == ("Only the owner or a manager adjusts what a "
                                             "customer owes.")  # fmt: skip
