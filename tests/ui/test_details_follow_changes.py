"""An open order detail and customer detail follow what another PC changes in the shared
database (`ui.detail_follow`): on each change the main window's watch sees, the detail
reads its record's stamp (off the UI thread) and, when the record changed, reads it again
in place — its status and buttons as they are now, a muted line saying so —, or, with a
note typed and not saved, says so in a banner and keeps the text until Reload. Nothing is
read again while the record did not change, nor answered to a detail closed meanwhile.
The other PC is a context with an engine of its own on the same database, named KHO-PC in
the audit rows it writes: the detail names it ("on KHO-PC"); a change it cannot name (a
sync, another window of this PC) was made "elsewhere"."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from primedist.config import Settings
from primedist.core.clock import FixedClock, shop_tz, to_local
from primedist.domain.base import table_of
from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.domain.order import Order, OrderStatusChange
from primedist.services import customer_detail as customer_svc
from primedist.services import orders as svc
from primedist.services.changes import RecordStamp, order_stamp
from primedist.services.context import ServiceContext
from primedist.services.customer_stats import refresh_customer_stats
from primedist.services.customers import CustomerDraft, update_customer
from primedist.ui.customers import detail as customer_detail_module
from primedist.ui.customers.detail import CustomerDetailDialog
from primedist.ui.list_tools import alive
from primedist.ui.main_window import MainWindow
from primedist.ui.orders import detail as detail_module
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_customers, make_product
from tests.ui.support import WAIT, assert_db_worker_idle, reads_after, show_widget, watched_window

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def quiet(quiet: list[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The details' own error boxes recorded too (there must be none)."""
    for module in (detail_module, customer_detail_module):
        monkeypatch.setattr(module, "show_error", lambda _p, message: quiet.append(message))
    return quiet


@pytest.fixture
def variant(owner_ctx: ServiceContext) -> int:
    return make_product(owner_ctx.engine, "Áo thun cotton", [("AT-1", 150_000, 50)])[0]


@pytest.fixture
def customer(owner_ctx: ServiceContext) -> int:
    return make_customers(owner_ctx.engine, 1, names=["Phạm Thu"])[0]


@pytest.fixture
def window(qtbot: QtBot, owner_ctx: ServiceContext, settings: Settings,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # fmt: skip
    """The main window, its watch reading every 50 ms (5 s in the app)."""
    with watched_window(qtbot, owner_ctx, settings, monkeypatch) as w:
        yield w


def phone_order(pc: ServiceContext, variant: int, customer: int | None = None) -> int:
    """A pending phone order saved at `pc`; its id."""
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
                           status=OrderStatus.PENDING, payment_method=PaymentMethod.COD,
                           customer_id=customer)  # fmt: skip
    return svc.create_order(pc, draft).id


def open_order(qtbot: QtBot, window: MainWindow, order_id: int) -> OrderDetailDialog:
    """The order's detail over the Orders tab, as a double-click opens it (once the watch
    saw what was written before: only what changes from now on is a change)."""
    page = window.select_tab("orders")
    assert isinstance(page, OrdersPage)
    reads_after(qtbot, window, 1)
    dialog = page.open_order(order_id)
    qtbot.waitExposed(dialog)
    return dialog


def counted(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Every call of `module.name` from now on."""
    calls: list[int] = []
    real: Callable[..., Any] = getattr(module, name)

    def count(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, count)
    return calls


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def hhmm(clock: FixedClock) -> str:
    return f"{to_local(clock.now(), shop_tz()):%H:%M}"


def settled(qtbot: QtBot, dialog: OrderDetailDialog | CustomerDetailDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.follow.reading, timeout=WAIT)


# The order detail ---------------------------------------------------------------------------
def test_an_order_confirmed_then_cancelled_elsewhere_shows_its_status_and_buttons(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, clock: FixedClock, variant: int
) -> None:
    order = phone_order(other_pc, variant)
    detail = open_order(qtbot, window, order)
    assert detail.status_pill.text() == "Pending" and detail.confirm_button.isEnabled()
    assert not detail.followed_note.isVisible()

    clock.advance(timedelta(minutes=42))
    svc.change_status(other_pc, order, OrderStatus.CONFIRMED)
    qtbot.waitUntil(lambda: detail.status_pill.text() == "Confirmed", timeout=WAIT)
    assert not detail.confirm_button.isEnabled() and detail.ship_button.isEnabled()
    assert detail.cancel_button.isEnabled()
    assert detail.followed_note.isVisible()
    assert detail.followed_note.text() == f"Updated with a change made on KHO-PC at {hhmm(clock)}."
    assert not detail.changed_banner.isVisible()

    clock.advance(timedelta(minutes=5))
    svc.change_status(other_pc, order, OrderStatus.CANCELLED, reason="Khách đổi ý")
    qtbot.waitUntil(lambda: detail.status_pill.text() == "Cancelled", timeout=WAIT)
    moves = (detail.confirm_button, detail.ship_button, detail.cancel_button,
             detail.complete_button)  # fmt: skip
    assert not any(b.isEnabled() for b in moves)
    assert detail.cancel_note.text() == "Cancel reason: Khách đổi ý"
    assert detail.followed_note.text() == f"Updated with a change made on KHO-PC at {hhmm(clock)}."
    settled(qtbot, detail)


def test_with_a_note_typed_the_banner_says_so_and_reload_keeps_the_text(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, owner_ctx: ServiceContext,
    clock: FixedClock, variant: int, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    order = phone_order(other_pc, variant)
    detail = open_order(qtbot, window, order)
    detail.note_edit.setFocus()
    QTest.keyClicks(detail.note_edit, "Goi truoc khi giao")
    reads = counted(monkeypatch, svc, "order_detail")

    clock.advance(timedelta(minutes=3))
    svc.change_status(other_pc, order, OrderStatus.CONFIRMED)
    qtbot.waitUntil(detail.changed_banner.isVisible, timeout=WAIT)
    assert detail.changed_banner.label.text() == (
        f"This order was changed on KHO-PC at {hhmm(clock)}."
    )
    assert reads == []  # not read again: the user decides
    assert detail.status_pill.text() == "Pending"
    assert detail.note_edit.toPlainText() == "Goi truoc khi giao"
    reads_after(qtbot, window, 3)  # more changes seen elsewhere: still the user's text
    assert detail.note_edit.toPlainText() == "Goi truoc khi giao" and reads == []

    click(qtbot, detail.changed_banner.reload_button)
    assert reads == [1]
    assert detail.status_pill.text() == "Confirmed" and not detail.confirm_button.isEnabled()
    assert detail.note_edit.toPlainText() == "Goi truoc khi giao"  # never lost
    assert not detail.changed_banner.isVisible()
    assert detail.followed_note.text() == f"Updated with a change made on KHO-PC at {hhmm(clock)}."
    with qtbot.waitSignal(detail.changed, timeout=WAIT):  # and it still saves
        click(qtbot, detail.save_note_button)
    assert svc.order_detail(owner_ctx, order).order.staff_note == "Goi truoc khi giao"
    settled(qtbot, detail)


def test_a_change_the_detail_cannot_name_a_pc_for_was_made_elsewhere(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, owner_ctx: ServiceContext,
    clock: FixedClock, variant: int,
) -> None:  # fmt: skip
    order = phone_order(other_pc, variant)
    detail = open_order(qtbot, window, order)
    clock.advance(timedelta(minutes=2))
    svc.change_status(other_pc, order, OrderStatus.CONFIRMED)
    qtbot.waitUntil(lambda: detail.status_pill.text() == "Confirmed", timeout=WAIT)
    assert detail.followed_note.text() == f"Updated with a change made on KHO-PC at {hhmm(clock)}."

    # A sync shipping it writes its history, no audit row: KHO-PC's row is the newest
    # still, yet not this change's.
    clock.advance(timedelta(minutes=1))
    with owner_ctx.engine.begin() as conn:
        conn.execute(table_of(Order).update().where(table_of(Order).c.id == order)
                     .values(status=OrderStatus.SHIPPING))  # fmt: skip
        conn.execute(table_of(OrderStatusChange).insert().values(
            order_id=order, from_status=OrderStatus.CONFIRMED, to_status=OrderStatus.SHIPPING,
            source="sync", changed_at=clock.now()))  # fmt: skip
    qtbot.waitUntil(lambda: detail.status_pill.text() == "Shipping", timeout=WAIT)
    assert detail.followed_note.text() == f"Updated with a change made elsewhere at {hhmm(clock)}."

    # Another window of this PC: its row names this PC.
    clock.advance(timedelta(minutes=3))
    svc.set_staff_note(owner_ctx, order, "Khách hẹn chiều")
    qtbot.waitUntil(lambda: detail.note_edit.toPlainText() == "Khách hẹn chiều", timeout=WAIT)
    assert detail.followed_note.text() == f"Updated with a change made elsewhere at {hhmm(clock)}."
    settled(qtbot, detail)


def test_nothing_is_read_again_while_the_order_did_not_change(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    order = phone_order(other_pc, variant)
    detail = open_order(qtbot, window, order)
    reads = counted(monkeypatch, svc, "order_detail")
    reads_after(qtbot, window, 5)
    assert detail.follow.reads == 0 and reads == []  # nothing changed: nothing read

    phone_order(other_pc, variant)  # another order: its stamp is read, it is not read again
    qtbot.waitUntil(lambda: detail.follow.reads == 1, timeout=WAIT)
    settled(qtbot, detail)
    reads_after(qtbot, window, 3)
    assert detail.follow.reads == 1 and reads == []
    assert not detail.followed_note.isVisible() and not detail.changed_banner.isVisible()

    svc.set_flag(other_pc, [order], True)  # a flag moves no time of the order's: still seen
    qtbot.waitUntil(detail.flag_marker.isVisible, timeout=WAIT)
    assert reads == [1] and detail.flag_button.text() == "Unflag"
    settled(qtbot, detail)


def test_a_hidden_detail_reads_nothing_until_it_shows_again(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    order = phone_order(other_pc, variant)
    detail = open_order(qtbot, window, order)
    detail.hide()
    svc.change_status(other_pc, order, OrderStatus.CONFIRMED)
    reads_after(qtbot, window, 3)
    assert detail.follow.reads == 0 and detail.status_pill.text() == "Pending"
    detail.show()
    qtbot.waitUntil(lambda: detail.status_pill.text() == "Confirmed", timeout=WAIT)
    settled(qtbot, detail)


def test_a_detail_closed_while_its_read_runs_takes_no_answer(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    order = phone_order(other_pc, variant)
    release = threading.Event()
    real: Callable[[ServiceContext, int], RecordStamp] = order_stamp

    def slow(ctx: ServiceContext, order_id: int) -> RecordStamp:
        if threading.current_thread() is not threading.main_thread():  # the follow's read
            release.wait(WAIT / 1000)
        return real(ctx, order_id)

    monkeypatch.setattr(detail_module, "order_stamp", slow)
    detail = open_order(qtbot, window, order)
    follow = detail.follow
    moved: list[object] = []
    follow.moved.connect(moved.append)
    svc.change_status(other_pc, order, OrderStatus.CONFIRMED)
    qtbot.waitUntil(lambda: follow.reading, timeout=WAIT)
    detail.close()  # WA_DeleteOnClose: deleted while its read still runs
    qtbot.waitUntil(lambda: not alive(detail), timeout=WAIT)
    release.set()
    assert_db_worker_idle()
    qtbot.wait(200)  # the answer comes back to the UI thread: no one takes it
    assert moved == []


# The customer detail ------------------------------------------------------------------------
def open_customer(qtbot: QtBot, window: MainWindow, customer_id: int) -> CustomerDetailDialog:
    page: Any = window.select_tab("customers")
    reads_after(qtbot, window, 1)
    dialog = page.open_customer(customer_id)
    assert isinstance(dialog, CustomerDetailDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    return dialog


def test_a_customer_renamed_elsewhere_shows_the_new_name_and_new_orders(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, clock: FixedClock,
    customer: int, variant: int, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    detail = open_customer(qtbot, window, customer)
    detail.tabs.setCurrentIndex(1)  # the Orders tab
    assert detail.name_label.text() == "Phạm Thu" and detail.orders_table.rowCount() == 0
    assert detail.stat_values["total_orders"].text() == "0"
    reads = counted(monkeypatch, customer_svc, "customer_profile")

    clock.advance(timedelta(minutes=10))
    update_customer(other_pc, customer, CustomerDraft(name="Phạm Thu Hà"))
    qtbot.waitUntil(lambda: detail.name_label.text() == "Phạm Thu Hà", timeout=WAIT)
    assert detail.windowTitle().startswith("Customer Phạm Thu Hà")
    assert detail.followed_note.text() == f"Updated with a change made on KHO-PC at {hhmm(clock)}."
    assert reads == [1] and detail.tabs.currentIndex() == 1  # the tab shown stays

    phone_order(other_pc, variant, customer)  # an order of theirs at the counter PC
    qtbot.waitUntil(lambda: detail.orders_table.rowCount() == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: detail.stat_values["total_orders"].text() == "1", timeout=WAIT)
    settled(qtbot, detail)
    qtbot.waitUntil(lambda: not detail.stats_loading, timeout=WAIT)


def test_an_order_of_theirs_sold_or_confirmed_on_another_pc_names_it(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, owner_ctx: ServiceContext,
    clock: FixedClock, customer: int, variant: int,
) -> None:  # fmt: skip
    """A sale or a confirm of one of their orders is written as the order's audit row:
    the customer's detail names the PC of their most recently changed order's newest row.
    A sync then changing another order of theirs, whose newest row (KHO-PC's too) is
    older, was made "elsewhere"; so was their own change made here since."""
    older = phone_order(other_pc, variant, customer)
    detail = open_customer(qtbot, window, customer)

    def says(where: str) -> Callable[[], bool]:
        line = f"Updated with a change made {where} at {hhmm(clock)}."
        return lambda: detail.followed_note.text() == line

    clock.advance(timedelta(minutes=10))
    sold = phone_order(other_pc, variant, customer)  # a sale of theirs at the counter PC
    qtbot.waitUntil(lambda: detail.stat_values["total_orders"].text() == "2", timeout=WAIT)
    qtbot.waitUntil(says("on KHO-PC"), timeout=WAIT)
    clock.advance(timedelta(minutes=5))
    assert svc.confirm_orders(other_pc, [sold]).done
    qtbot.waitUntil(says("on KHO-PC"), timeout=WAIT)
    settled(qtbot, detail)

    # A sync ships their older order: its history, no audit row, their statistics
    # refreshed; KHO-PC's sale of that order is not this change.
    clock.advance(timedelta(minutes=3))
    orders = table_of(Order)
    with owner_ctx.engine.begin() as conn:
        conn.execute(orders.update().where(orders.c.id == older)
                     .values(status=OrderStatus.SHIPPING, updated_at=clock.now()))  # fmt: skip
        conn.execute(table_of(OrderStatusChange).insert().values(
            order_id=older, from_status=OrderStatus.PENDING, to_status=OrderStatus.SHIPPING,
            source="sync", changed_at=clock.now()))  # fmt: skip
        refresh_customer_stats(conn, [customer], now=clock.now())
    qtbot.waitUntil(says("elsewhere"), timeout=WAIT)

    clock.advance(timedelta(minutes=2))
    update_customer(owner_ctx, customer, CustomerDraft(name="Phạm Thu Hà"))  # here
    qtbot.waitUntil(lambda: detail.name_label.text() == "Phạm Thu Hà", timeout=WAIT)
    assert says("elsewhere")()
    settled(qtbot, detail)
    qtbot.waitUntil(lambda: not detail.stats_loading, timeout=WAIT)


def test_a_customer_changed_elsewhere_keeps_the_note_typed_here(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, customer: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    detail = open_customer(qtbot, window, customer)
    detail.note_edit.setPlainText("Thich mau xanh")
    reads = counted(monkeypatch, customer_svc, "customer_profile")
    update_customer(other_pc, customer, CustomerDraft(name="Phạm Thu Hà"))
    qtbot.waitUntil(detail.changed_banner.isVisible, timeout=WAIT)
    assert reads == [] and detail.name_label.text() == "Phạm Thu"
    click(qtbot, detail.changed_banner.reload_button)
    assert detail.name_label.text() == "Phạm Thu Hà"
    assert detail.note_edit.toPlainText() == "Thich mau xanh"
    assert not detail.changed_banner.isVisible()
    settled(qtbot, detail)
    qtbot.waitUntil(lambda: not detail.stats_loading, timeout=WAIT)


def test_a_customer_changed_on_another_pc_says_which_in_the_banner(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, clock: FixedClock,
    customer: int,
) -> None:  # fmt: skip
    detail = open_customer(qtbot, window, customer)
    detail.note_edit.setPlainText("Thich mau xanh")
    clock.advance(timedelta(minutes=7))
    update_customer(other_pc, customer, CustomerDraft(name="Phạm Thu Hà"))
    qtbot.waitUntil(detail.changed_banner.isVisible, timeout=WAIT)
    assert detail.changed_banner.label.text() == (
        f"This customer was changed on KHO-PC at {hhmm(clock)}."
    )
    settled(qtbot, detail)
    qtbot.waitUntil(lambda: not detail.stats_loading, timeout=WAIT)


def test_a_detail_outside_a_main_window_follows_nothing(
    qtbot: QtBot, owner_ctx: ServiceContext, other_pc: ServiceContext, variant: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    stamps = counted(monkeypatch, detail_module, "order_stamp")
    order = phone_order(other_pc, variant)
    detail = show_widget(qtbot, OrderDetailDialog(owner_ctx, order), 1100, 688)
    assert detail.follow.watch is None
    svc.change_status(other_pc, order, OrderStatus.CONFIRMED)
    detail.follow.check()  # as if told of a change: nothing to follow, nothing read
    qtbot.wait(100)
    assert stamps == [] and detail.follow.reads == 0 and detail.status_pill.text() == "Pending"
