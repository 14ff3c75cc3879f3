"""The end-of-day dialog driven like a cashier closing the till: opened from the Orders
tab, the day's figures and tables, another day, one staff member, one shop, export to
Excel and print on the receipt printer (a loopback ESC/POS printer)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy.engine import Engine
from sqlmodel import Session

from primedist.core.clock import FixedClock
from primedist.core.money import format_money
from primedist.domain.enums import Module, OrderSource, PaymentMethod, Role
from primedist.domain.user import User
from primedist.printing import store
from primedist.printing.model import DocumentType, default_profile, parse_host_port
from primedist.services import orders as svc
from primedist.services import staff as staff_svc
from primedist.services.auth import actor_for
from primedist.services.context import ServiceContext
from primedist.ui.orders.end_of_day import EndOfDayDialog
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_product, make_shop
from tests.printing.support import Capture, decode_escpos
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture(autouse=True)
def record_differences(monkeypatch: pytest.MonkeyPatch) -> None:
    """A count short or over asks first (test_end_of_day_keys.py): recorded here."""
    monkeypatch.setattr(EndOfDayDialog, "confirm_difference", lambda *_a: True)


def at_local(clock: FixedClock, hour: int, days: int = 0) -> None:
    """2026-11-20 (+ days) at `hour` in the shop's time zone (UTC+7)."""
    clock.set(datetime(2026, 11, 20, hour, tzinfo=UTC) - timedelta(hours=7) + timedelta(days=days))


@pytest.fixture
def sales(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> dict[str, object]:
    """Today: the owner sells 2 × 100.000 ₫ cash and 1 × 120.000 ₫ by transfer, Lan sells
    1 × 100.000 ₫ cash; yesterday: 3 × 100.000 ₫ cash."""
    shirt, cap = make_product(engine, "Áo thun", [("AO-S", 100_000, 50), ("MU-1", 120_000, 50)])
    issued = staff_svc.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                                 modules=[Module.ORDERS])  # fmt: skip
    with Session(engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        lan = owner_ctx.with_actor(actor_for(session, user))

    def sell(ctx: ServiceContext, variant: int, qty: int, pay: PaymentMethod) -> None:
        line = svc.DraftLine(variant, qty)
        draft = svc.OrderDraft(lines=(line,), source=OrderSource.COUNTER, payment_method=pay)
        svc.create_order(ctx, draft)

    at_local(clock, 9, days=-1)
    sell(owner_ctx, shirt, 3, PaymentMethod.CASH)
    at_local(clock, 10)
    sell(owner_ctx, shirt, 2, PaymentMethod.CASH)
    sell(owner_ctx, cap, 1, PaymentMethod.BANK_TRANSFER)
    sell(lan, shirt, 1, PaymentMethod.CASH)
    return {"lan": issued.member.id}


def open_dialog(qtbot, ctx: ServiceContext) -> EndOfDayDialog:
    dialog = show_widget(qtbot, EndOfDayDialog(ctx), width=960, height=640)
    wait_loaded(qtbot, dialog)
    return dialog


def wait_loaded(qtbot, dialog: EndOfDayDialog) -> None:
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.status.text(), timeout=WAIT)


def table_rows(table) -> list[tuple[str, ...]]:
    return [tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]  # fmt: skip


def money(amount: int) -> str:
    return format_money(amount, "en")


def test_opened_from_the_orders_tab(qtbot, owner_ctx, sales):
    page = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    assert page.end_of_day_button.text() == "End of day"
    qtbot.mouseClick(page.end_of_day_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(isinstance(w, EndOfDayDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=WAIT)  # fmt: skip
    dialog = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, EndOfDayDialog) and w.isVisible()
    )  # not an earlier test's
    wait_loaded(qtbot, dialog)
    assert dialog.figures["sales"].text() == money(420_000)
    dialog.close()
    close_page(qtbot, page, lambda: not page.busy and not page.counts_pending)


def test_the_days_figures_another_day_and_one_cashier(qtbot, owner_ctx, sales):
    dialog = open_dialog(qtbot, owner_ctx)
    assert dialog.windowTitle() == "End of day"
    assert dialog.day.date() == QDate(2026, 11, 20)
    assert dialog.figures["sales"].text() == money(420_000)
    assert dialog.figure_notes["sales"].text() == "3 orders · 4 items"
    assert dialog.figures["cash"].text() == money(300_000)
    assert dialog.figures["net"].text() == money(420_000)
    assert table_rows(dialog.payments) == [
        ("Cash", "2", money(300_000), "0", money(0), money(300_000), money(0)),
        ("Bank transfer", "1", money(120_000), "0", money(0), money(120_000), money(0)),
    ]
    assert table_rows(dialog.products)[0] == ("AO-S", "Áo thun (V1)", "3", money(300_000))
    assert dialog.note.isHidden()

    dialog.day.setDate(QDate(2026, 11, 19))
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.day.day == 19,
                    timeout=WAIT)  # fmt: skip
    assert dialog.figures["cash"].text() == money(300_000)
    assert dialog.figure_notes["sales"].text() == "1 order · 3 items"

    dialog.day.setDate(QDate(2026, 11, 18))
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.day.day == 18,
                    timeout=WAIT)  # fmt: skip
    assert dialog.figures["sales"].text() == money(0) and dialog.note.isVisible()
    assert dialog.payments.rowCount() == 0

    dialog.day.setDate(QDate(2026, 11, 20))
    index = dialog.staff.findData(sales["lan"])
    assert dialog.staff.itemText(0) == "All staff" and index > 0
    dialog.staff.setCurrentIndex(index)
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.staff == "Lan",
                    timeout=WAIT)  # fmt: skip
    assert dialog.figures["cash"].text() == money(100_000)
    assert dialog.report.day.day == 20


def test_one_shop(qtbot, owner_ctx, engine, sales):
    make_shop(engine, "Shopee Lan")
    dialog = open_dialog(qtbot, owner_ctx)
    assert dialog.shops_button.text() == "All shops"
    menu = dialog.shops_button.menu().actions()
    shopee = next(a.data() for a in menu if a.text() == "Shopee Lan")
    dialog.shops_button.tick_shops({shopee})
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.shops == ("Shopee Lan",),
                    timeout=WAIT)  # fmt: skip
    assert dialog.shops_button.text() == "1 shop(s)"
    assert dialog.figures["sales"].text() == money(0)


def test_export_and_print(qtbot, owner_ctx, sales, tmp_path: Path):
    dialog = open_dialog(qtbot, owner_ctx)
    target = tmp_path / "end-of-day.xlsx"
    dialog.export_to(target)
    qtbot.waitUntil(lambda: "Exported to" in dialog.status.text(), timeout=WAIT)
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
             and w.isVisible()]  # fmt: skip
    assert boxes and "The end-of-day report is in" in boxes[0].text()
    for box in boxes:
        box.close()
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["End of day", "Payment methods", "Shops", "Products sold"]
    summary = dict(book["End of day"].iter_rows(values_only=True))
    assert summary["Cash in drawer"] == 300_000 and summary["Sales"] == 420_000
    assert list(book["Payment methods"].iter_rows(values_only=True))[1] == (
        "Cash", 2, 300_000, 0, 0, 300_000, 0)  # fmt: skip

    printer = Capture()
    try:
        escpos = parse_host_port(f"127.0.0.1:{printer.port}")
        store.save_profile(owner_ctx, replace(default_profile(DocumentType.RECEIPT), target=escpos))
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Printed to" in dialog.status.text(), timeout=WAIT)
        job = decode_escpos(printer.wait(1)[0])
        assert job.cuts == 1 and job.images[0].width == 576
    finally:
        printer.close()
    assert dialog.print_button.isEnabled()


def test_vietnamese(qtbot, owner_ctx, sales, vietnamese):
    dialog = open_dialog(qtbot, owner_ctx)
    assert dialog.windowTitle() == "Cuối ngày"
    assert dialog.figure_names["cash"].text() == "Tiền mặt trong két"
    assert dialog.figures["cash"].text() == format_money(300_000, "vi")
    assert dialog.payments.item(0, 0).text() == "Tiền mặt"


def test_count_the_cash_then_print_it(qtbot, owner_ctx, sales, tmp_path: Path, monkeypatch):
    dialog = open_dialog(qtbot, owner_ctx)
    assert not dialog.close_till_button.isEnabled()  # nothing counted yet
    qtbot.keyClicks(dialog.float_edit, "500000")
    assert dialog.expected_label.text() == money(800_000)  # float + 300.000 cash
    qtbot.keyClicks(dialog.counted_edit, "790.000")
    assert dialog.difference_label.text() == f"{money(10_000)} short"
    assert "#B91C1C" in dialog.difference_label.styleSheet()
    dialog.counted_edit.setText("abc")
    assert dialog.difference_label.text() == "—" and not dialog.close_till_button.isEnabled()
    dialog.counted_edit.setText("800000")
    assert dialog.difference_label.text() == "Exact"
    dialog.count_note.setText("Két ca sáng")  # (keyClicks aborts on non-ASCII text)
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    # Recorded, then the report read again (the status says so once it is shown).
    qtbot.waitUntil(lambda: dialog.status.text() == "Till counted: Exact", timeout=WAIT)
    assert "counted by Chủ Thử: float " + money(500_000) in dialog.counts_label.text()
    assert dialog.count_note.text() == "Két ca sáng"  # the form shows what was recorded
    count = dialog.last_count
    assert (count.expected, count.counted, count.difference, count.note) == (
        800_000, 800_000, 0, "Két ca sáng")  # fmt: skip

    printed: list[object] = []
    from primedist.ui.printing import jobs

    def fake_print(ctx, report, *, lang, till=None, **_kw):  # the printer's own tests above
        printed.append((report.day, lang, till))
        return jobs.PrintResult(1, 1, "PDF")

    monkeypatch.setattr(jobs, "print_end_of_day", fake_print)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(printed), timeout=WAIT)
    assert printed[0][2] == count and printed[0][1] == "en"

    dialog.day.setDate(QDate(2026, 11, 19))  # another day: its own counts (none)
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.day.day == 19,
                    timeout=WAIT)  # fmt: skip
    assert dialog.counts_label.text() == ""


def test_a_count_recorded_is_not_recorded_twice(qtbot, owner_ctx, sales):
    """After Close the till the form still shows the count, and the button is off until
    something changes: a second click does not record the same count again."""
    from primedist.services import till

    dialog = open_dialog(qtbot, owner_ctx)
    dialog.float_edit.setText("500000")
    dialog.counted_edit.setText("790000")
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_count is not None, timeout=WAIT)
    day = dialog.chosen_day()
    assert len(till.till_counts(owner_ctx, day)) == 1
    assert (dialog.float_edit.text(), dialog.counted_edit.text()) == ("500000", "790000")
    assert dialog.difference_label.text() == f"{money(10_000)} short"
    assert not dialog.close_till_button.isEnabled()
    assert "This count is recorded" in dialog.close_till_button.toolTip()
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    dialog.close_till()  # nor when asked directly
    qtbot.wait(200)
    assert len(till.till_counts(owner_ctx, day)) == 1

    dialog.counted_edit.setText("800000")  # counted again: a new count
    assert dialog.close_till_button.isEnabled()
    dialog.counted_edit.setText("790000")  # back to what is recorded
    assert not dialog.close_till_button.isEnabled()
    dialog.count_note.setText("Đếm lại")
    assert dialog.close_till_button.isEnabled()
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.counts) == 2, timeout=WAIT)
    assert [c.note for c in till.till_counts(owner_ctx, day)] == [None, "Đếm lại"]
    assert not dialog.close_till_button.isEnabled()


def test_cash_paid_to_a_supplier_leaves_the_drawer(qtbot, owner_ctx, sales, clock):
    from primedist.services import suppliers as sup

    at_local(clock, 11)
    ncc = sup.create_supplier(owner_ctx, sup.SupplierDraft("Gốm Minh Long")).id
    sup.pay_supplier(owner_ctx, ncc, 120_000)
    dialog = open_dialog(qtbot, owner_ctx)
    assert dialog.figures["cash"].text() == money(300_000 - 120_000)
    assert dialog.figure_notes["cash"].text() == (
        f"Cash sales − cash refunds − {money(120_000)} paid to suppliers"
    )
    dialog.float_edit.setText("500,000")
    dialog.counted_edit.setText("680,000")
    qtbot.waitUntil(lambda: dialog.expected_label.text() == money(680_000), timeout=WAIT)


def test_a_sale_on_account_and_a_debt_paid_in_cash(qtbot, owner_ctx, engine, clock, sales):
    """Sold on account is a payment line of its own, not cash; a debt paid in cash that day
    goes into the drawer, said in the cash figure's note."""
    from primedist.services import customer_account as account
    from tests.factories import make_customers

    buyer = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])[0]
    shirt = svc.order_detail(owner_ctx, 1).lines[0].variant_id
    assert shirt is not None
    at_local(clock, 11)
    svc.create_order(owner_ctx, svc.OrderDraft(
        lines=(svc.DraftLine(shirt, 2),), customer_id=buyer,
        payment_method=PaymentMethod.ON_ACCOUNT, paid_now=50_000))  # fmt: skip
    account.receive_payment(owner_ctx, buyer, 30_000)
    dialog = open_dialog(qtbot, owner_ctx)
    assert dialog.figures["cash"].text() == money(300_000 + 50_000 + 30_000)
    assert dialog.figure_notes["cash"].text() == (
        f"Cash sales − cash refunds + {money(80_000)} debts collected"
    )
    rows = table_rows(dialog.payments)
    assert rows[0] == ("Cash", "2", money(300_000), "0", money(0), money(300_000), money(80_000))
    assert rows[-1] == ("On account", "1", money(200_000), "0", money(0), money(200_000), money(0))
    dialog.close()


def test_the_owner_sees_the_day_s_gross_profit_a_cashier_does_not(qtbot, owner_ctx, engine, sales):
    """No cost was typed for these products: the whole 420.000 ₫ is profit; Lan (Orders
    only) sees the same day without the figure."""
    dialog = open_dialog(qtbot, owner_ctx)
    assert dialog.figures["profit"].isVisible()
    assert dialog.figures["profit"].text() == money(420_000)
    assert dialog.figure_names["profit"].text() == "Gross profit"
    with Session(engine) as session:
        user = session.get(User, sales["lan"])
        assert user is not None
        lan = owner_ctx.with_actor(actor_for(session, user))
    other = open_dialog(qtbot, lan)
    assert other.figures["sales"].text() == money(420_000)
    assert not other.figures["profit"].isVisible()
    assert not other.figure_names["profit"].isVisible()


def test_copy_as_text_for_the_owner_s_chat(qtbot, owner_ctx, sales):
    from primedist.services.auth import shop_profile

    dialog = open_dialog(qtbot, owner_ctx)
    assert dialog.copy_button.text() == "Copy as text" and dialog.copy_button.isEnabled()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Copied: paste it into Zalo or Messenger."
    name = shop_profile(owner_ctx)["name"]
    assert QApplication.clipboard().text().splitlines() == [
        f"{name} — END OF DAY",
        "Day: 20/11/2026 · All shops",
        "Orders: 3 · Items: 4",
        f"Sales: {money(420_000)}",
        f"Refunded (0): {money(0)}",
        f"Net: {money(420_000)}",
        f"Cash in drawer: {money(300_000)}",
        "By payment method:",
        f"• Cash (2): {money(300_000)}",
        f"• Bank transfer (1): {money(120_000)}",
        "Products sold:",
        f"• Áo thun (V1) (AO-S): 3 · {money(300_000)}",
        f"• Áo thun (V2) (MU-1): 1 · {money(120_000)}",
    ]


def test_copy_as_text_in_vietnamese_on_a_day_without_sales(qtbot, owner_ctx, sales, vietnamese):
    dialog = open_dialog(qtbot, owner_ctx)
    dialog.day.setDate(QDate(2026, 11, 18))
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.day.day == 18,
                    timeout=WAIT)  # fmt: skip
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    lines = QApplication.clipboard().text().splitlines()
    assert lines[1:] == ["Ngày: 18/11/2026 · Tất cả gian hàng",
                         "Không có bán hàng, hủy đơn hay hoàn tiền trong ngày."]  # fmt: skip
    assert lines[0].endswith("— BÁO CÁO CUỐI NGÀY")


@pytest.mark.usefixtures("app_style")
def test_millions_typed_as_tr_count_and_what_is_not_money_is_marked(qtbot, owner_ctx, sales):
    """Millions: "1.5tr" is 1.500.000 ₫ as "1500k" is (it used to leave Expected and Difference at
    "—" without a word); an amount the box cannot read turns it red and says so."""
    dialog = open_dialog(qtbot, owner_ctx)
    dialog.float_edit.setText("0.5tr")
    dialog.counted_edit.setText("1tr")
    assert dialog.expected_label.text() == money(800_000)  # float + 300.000 cash
    assert dialog.difference_label.text() == f"{money(200_000)} over"
    assert dialog.close_till_button.isEnabled() and not dialog.count_error.isVisible()
    edit = dialog.counted_edit
    background = edit.grab().toImage().pixelColor(8, edit.height() // 2).name()

    edit.setText("1.5x")
    assert edit.property("invalid") is True
    assert edit.grab().toImage().pixelColor(8, edit.height() // 2).name() != background  # red
    assert dialog.count_error.isVisible()
    assert dialog.count_error.text() == (
        "Cannot read “1.5x” as an amount: type e.g. 1500000, 1500k or 1,5tr."
    )
    assert dialog.difference_label.text() == "—" and not dialog.close_till_button.isEnabled()
    edit.setText("2 triệu")
    assert not dialog.count_error.isVisible() and not edit.property("invalid")
    assert dialog.difference_label.text() == f"{money(1_200_000)} over"
