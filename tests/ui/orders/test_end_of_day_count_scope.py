"""End of day's cash count belongs to the view it was made in: Lan's count goes with Lan's
report, never with the whole shop's (Copy as text, Export, Print carried it under the
shop's cash); a sale since the report was shown refuses the count and reads the report
again (the screen said "Exact" while the saved count said short); a count saved reads the
report again; the day's counts say whose drawer, which shops and their figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy.engine import Engine
from sqlmodel import Session

from primedist.core.clock import FixedClock
from primedist.core.money import format_money
from primedist.domain.enums import Module, PaymentMethod, Role
from primedist.domain.user import User
from primedist.services import orders as svc
from primedist.services import staff as staff_svc
from primedist.services import till
from primedist.services.auth import actor_for
from primedist.services.context import ServiceContext
from primedist.ui.orders.end_of_day import EndOfDayDialog
from tests.factories import make_product, make_shop
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture(autouse=True)
def record_differences(monkeypatch: pytest.MonkeyPatch) -> None:
    """A count short or over asks first (test_end_of_day_keys.py): recorded here."""
    monkeypatch.setattr(EndOfDayDialog, "confirm_difference", lambda *_a: True)


def money(amount: int) -> str:
    return format_money(amount, "en")


@pytest.fixture
def day(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> dict[str, object]:
    """2026-11-20, 10:00 local: the owner sells 2 × 100.000 ₫ cash, Lan 1 × 100.000 ₫ cash."""
    clock.set(datetime(2026, 11, 20, 3, tzinfo=UTC))
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 100_000, 50)])
    issued = staff_svc.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                                 modules=[Module.ORDERS])  # fmt: skip
    with Session(engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        lan = owner_ctx.with_actor(actor_for(session, user))
    for ctx, qty in ((owner_ctx, 2), (lan, 1)):
        svc.create_order(ctx, svc.OrderDraft(lines=(svc.DraftLine(shirt, qty),),
                                             payment_method=PaymentMethod.CASH))  # fmt: skip
    clock.set(clock.now() + timedelta(hours=11))  # 21:00 local
    return {"lan": issued.member.id, "lan_ctx": lan, "shirt": shirt}


def open_dialog(qtbot, ctx: ServiceContext) -> EndOfDayDialog:
    dialog = show_widget(qtbot, EndOfDayDialog(ctx), width=1100, height=700)
    wait_loaded(qtbot, dialog)
    return dialog


def wait_loaded(qtbot, dialog: EndOfDayDialog, status: str = "") -> None:
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.status.text() == status,
                    timeout=WAIT)  # fmt: skip


def count(qtbot, dialog: EndOfDayDialog, opening: str, counted: str, then: str) -> None:
    dialog.float_edit.setText(opening)
    dialog.counted_edit.setText(counted)
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    wait_loaded(qtbot, dialog, then)


def copied(qtbot, dialog: EndOfDayDialog) -> str:
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    return QApplication.clipboard().text()


def exported(qtbot, dialog: EndOfDayDialog, target: Path) -> dict[object, object]:
    dialog.export_to(target)
    qtbot.waitUntil(lambda: "Exported to" in dialog.status.text(), timeout=WAIT)
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox) and box.isVisible():
            box.close()
    book = openpyxl.load_workbook(target)
    return dict(book.worksheets[0].iter_rows(values_only=True))


def printed_till(qtbot, dialog: EndOfDayDialog, monkeypatch) -> object:
    from primedist.ui.printing import jobs

    printed: list[object] = []

    def fake_print(ctx, report, *, lang, till=None, **_kw):  # the printer's own tests
        printed.append(till)
        return jobs.PrintResult(1, 1, "PDF")

    monkeypatch.setattr(jobs, "print_end_of_day", fake_print)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(printed), timeout=WAIT)
    qtbot.waitUntil(lambda: "Printed to" in dialog.status.text(), timeout=WAIT)
    return printed[0]


def test_a_cashier_s_count_goes_only_with_her_report(
    qtbot, owner_ctx, day, tmp_path: Path, monkeypatch
):
    dialog = open_dialog(qtbot, owner_ctx)
    dialog.staff.setCurrentIndex(dialog.staff.findData(day["lan"]))
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.staff == "Lan",
                    timeout=WAIT)  # fmt: skip
    assert dialog.report.cash_in_drawer == 100_000
    count(qtbot, dialog, "200000", "300000", "Till counted: Exact")
    lan_count = dialog.last_count
    assert lan_count is not None and lan_count.staff == "Lan"
    assert "Cash count: Counted " + money(300_000) in copied(qtbot, dialog)
    assert exported(qtbot, dialog, tmp_path / "lan.xlsx")["Cash counted"] == 300_000
    assert printed_till(qtbot, dialog, monkeypatch) == lan_count

    dialog.staff.setCurrentIndex(0)  # All staff: 300.000 ₫ in the drawer, nobody counted it
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.staff is None,
                    timeout=WAIT)  # fmt: skip
    wait_loaded(qtbot, dialog)
    assert dialog.report.cash_in_drawer == 300_000
    assert dialog.count_for_view() is None
    text = copied(qtbot, dialog)
    assert "Cash in drawer: " + money(300_000) in text and "Cash count" not in text
    rows = exported(qtbot, dialog, tmp_path / "all.xlsx")
    assert rows["Cash in drawer"] == 300_000
    assert "Cash counted" not in rows and "Opening float" not in rows
    assert printed_till(qtbot, dialog, monkeypatch) is None

    dialog.staff.setCurrentIndex(dialog.staff.findData(day["lan"]))
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.staff == "Lan",
                    timeout=WAIT)  # fmt: skip
    wait_loaded(qtbot, dialog)
    assert dialog.count_for_view() == lan_count  # her view again: her count


def test_a_sale_since_the_report_was_shown_refuses_the_count(qtbot, owner_ctx, day):
    dialog = open_dialog(qtbot, owner_ctx)
    dialog.float_edit.setText("0")
    dialog.counted_edit.setText("300000")
    assert dialog.difference_label.text() == "Exact"
    # Meanwhile Lan sells 99.000 ₫ more in cash at the other till.
    (cap,) = make_product(owner_ctx.engine, "Mũ", [("MU-1", 99_000, 5)])
    svc.create_order(day["lan_ctx"], svc.OrderDraft(lines=(svc.DraftLine(cap, 1),),
                                                    payment_method=PaymentMethod.CASH))  # fmt: skip
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    refused = ("Cash came in or went out since the report was shown: the drawer should now "
               "hold 399,000 đ. Check the count again.")  # fmt: skip
    wait_loaded(qtbot, dialog, refused)
    assert till.till_counts(owner_ctx, dialog.chosen_day()) == []
    assert dialog.last_count is None
    # The report is read again: the screen says what the saved count would.
    assert dialog.figures["cash"].text() == money(399_000)
    assert dialog.expected_label.text() == money(399_000)
    assert dialog.difference_label.text() == f"{money(99_000)} short"
    assert dialog.close_till_button.isEnabled()
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    wait_loaded(qtbot, dialog, f"Till counted: {money(99_000)} short")
    (saved,) = till.till_counts(owner_ctx, dialog.chosen_day())
    assert (saved.expected, saved.difference) == (399_000, -99_000)


def test_a_count_saved_reads_the_report_again(qtbot, owner_ctx, day):
    dialog = open_dialog(qtbot, owner_ctx)
    shown = dialog.report
    count(qtbot, dialog, "500000", "800000", "Till counted: Exact")
    assert dialog.report is not shown  # read again, with the counts
    assert [c.id for c in dialog.counts] == [dialog.last_count.id]
    assert dialog.count_for_view() == dialog.last_count
    assert not dialog.close_till_button.isEnabled()  # this count is recorded


def test_the_day_s_counts_say_whose_drawer_and_its_figures(qtbot, owner_ctx, engine, day):
    make_shop(engine, "Shopee Lan")
    dialog = open_dialog(qtbot, owner_ctx)
    dialog.count_note.setText("Két ca sáng")
    count(qtbot, dialog, "500000", "790000", f"Till counted: {money(10_000)} short")
    dialog.count_note.setText("")
    dialog.staff.setCurrentIndex(dialog.staff.findData(day["lan"]))
    menu = dialog.shops_button.menu().actions()
    counter = next(a.data() for a in menu if a.text() != "Shopee Lan")
    dialog.shops_button.tick_shops({counter})
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.staff == "Lan"
                    and len(dialog.report.shops) == 1, timeout=WAIT)  # fmt: skip
    wait_loaded(qtbot, dialog)
    shop = dialog.report.shops[0]
    count(qtbot, dialog, "200000", "307000", f"Till counted: {money(7_000)} over")
    text = dialog.counts_label.text()
    assert (f"21:00 · All staff, counted by Chủ Thử: float {money(500_000)}, expected "
            f"{money(800_000)}, counted {money(790_000)}, {money(10_000)} short · Két ca sáng"
            ) in text  # fmt: skip
    assert (
        f"21:00 · Lan · {shop}, counted by Chủ Thử: float {money(200_000)}, expected "
        f"{money(300_000)}, counted {money(307_000)}, {money(7_000)} over"
    ) in text


def test_a_count_of_some_shops_goes_with_their_report_whatever_their_order(qtbot, owner_ctx, day):
    # The picker gives the ticked shops by name, a count keeps them by id: the same shops.
    from dataclasses import replace

    dialog = open_dialog(qtbot, owner_ctx)
    dialog.staff.setCurrentIndex(dialog.staff.findData(day["lan"]))
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.staff == "Lan",
                    timeout=WAIT)  # fmt: skip
    count(qtbot, dialog, "200000", "300000", "Till counted: Exact")
    counted = replace(dialog.last_count, shop_ids=(1, 2))
    dialog.last_count, dialog.counts = counted, [counted]
    when, _shops, staff = dialog.report_view
    dialog.report_view = (when, (2, 1), staff)
    assert dialog.count_for_view() == counted
    dialog.report_view = (when, (2,), staff)
    assert dialog.count_for_view() is None
