"""The Orders tab driven like a user: status tabs with counts, search, filter chips, bulk
actions, export/import and the dialogs of other parts, on a real migrated database."""

from __future__ import annotations

import csv
import sys
import threading
import types
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QWidget
from sqlalchemy.engine import Engine

from primedist.core.clock import shop_tz, to_local
from primedist.domain.enums import PaymentMethod
from primedist.queries.orders import STATUS_TABS, OrderFilter, orders
from primedist.queries.reports import refresh_summaries
from primedist.services.context import ServiceContext
from primedist.services.orders import confirm_orders
from primedist.ui import file_dialogs, ops
from primedist.ui.app import ui_settings_for
from primedist.ui.i18n import install_language
from primedist.ui.list_tools import alive
from primedist.ui.main_window import MainWindow
from primedist.ui.orders import tab
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.table_model import PLACEHOLDER
from tests.factories import make_orders, make_shop
from tests.ui.support import WAIT, assert_db_worker_idle, close_page, show_widget

START = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
HOA = "Nguyễn Thị Hoa"
HOA_PHONE = "0912345678"
NAMES = ("Trần Văn An", "Lê Thị Lan", "Phạm Minh Khoa", "Bùi Gia Hương", "Nguyễn Văn Hòa")
TOTALS = (50_000, 150_000, 300_000, 450_000, 800_000, 1_200_000, 99_000)
pytestmark = pytest.mark.usefixtures("english", "shown")


@dataclass
class Data:
    engine: Engine
    mall: int
    laz: int
    tiki: int
    hoa: list[int]

    def rows(self) -> list[dict[str, Any]]:
        """Every order as stored (the independent side of each expectation)."""
        cols = [orders.c[n] for n in ("id", "shop_id", "status", "payment_method", "total",
                                      "created_at", "flagged", "cancel_reason")]  # fmt: skip
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(*cols))]

    def ids(self, keep: Callable[[dict[str, Any]], bool], tab_key: str = "all") -> list[int]:
        """Order ids newest first, as the list sorts them."""
        wanted = {s.value for s in STATUS_TABS[tab_key]}
        rows = [r for r in self.rows() if keep(r) and (not wanted or r["status"] in wanted)]
        rows.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
        return [r["id"] for r in rows]

    def counts(self, keep: Callable[[dict[str, Any]], bool] = lambda _r: True) -> dict[str, int]:
        by = Counter(str(r["status"]) for r in self.rows() if keep(r))
        out = {k: sum(by[s.value] for s in sts) for k, sts in STATUS_TABS.items()}
        out["all"] = sum(by.values())
        return out

    def status(self, order_id: int) -> tuple[str, str | None]:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(orders.c.status, orders.c.cancel_reason).where(orders.c.id == order_id)
            ).one()
        return str(row[0]), row[1]


@pytest.fixture
def data(owner_ctx: ServiceContext) -> Data:
    engine = owner_ctx.engine
    mall = make_shop(engine, "Shopee Mall", "shopee")
    laz = make_shop(engine, "Lazada Kho", "lazada")
    tiki = make_shop(engine, "Tiki Official", "tiki")
    step = timedelta(hours=5)
    for shop, n, offset, seed in ((mall, 60, 0, 3), (laz, 50, 17, 4), (tiki, 40, 41, 5)):
        make_orders(engine, shop, n, start=START + timedelta(minutes=offset), step=step,
                    buyer_names=NAMES, totals=[TOTALS[i % len(TOTALS)] for i in range(n)],
                    seed=seed)  # fmt: skip
    hoa = make_orders(engine, laz, 3, start=START + timedelta(minutes=7), step=timedelta(days=4),
                      buyer_names=(HOA,), buyer_phones=(HOA_PHONE,), seed=6)  # fmt: skip
    return Data(engine, mall, laz, tiki, hoa)


def settle(qtbot, page: OrdersPage) -> None:
    """Wait until no action runs and the counts shown are the latest."""
    qtbot.waitUntil(
        lambda: not page.busy and not page.counts_pending and bool(page.counts), timeout=WAIT
    )


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, data: Data) -> Iterator[OrdersPage]:
    p = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    settle(qtbot, p)
    yield p
    close_page(qtbot, p, lambda: not p.busy and not p.counts_pending)


def keys(page: OrdersPage) -> list[int]:
    page.model.load_all_keys()
    return [page.model.key_at(r) for r in range(page.model.rowCount())]


def cell(page: OrdersPage, row: int, key: str, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return page.model.data(page.model.index(row, page.model.col[key]), role)


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_row(qtbot, page: OrdersPage, row: int, *, ctrl: bool = False) -> None:
    rect = page.view.visualRect(page.model.index(row, 0))
    mods = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, mods, rect.center())


def tab_texts(page: OrdersPage) -> list[str]:
    return [page.status_tabs.tabText(i) for i in range(page.status_tabs.count())]


# Status tabs and counts ---------------------------------------------------------------
def test_status_tabs_show_the_sql_counts(page, data):
    with data.engine.connect() as conn:
        by_status = dict(
            conn.execute(sa.text("SELECT status, count(*) FROM orders GROUP BY status")).all()
        )
    assert sum(by_status.values()) == 153
    assert page.counts["all"] == 153
    assert page.counts["pending"] == by_status.get("pending", 0) > 0
    assert page.counts["return_refund"] == by_status.get("return_refund", 0) + by_status.get(
        "returned", 0
    )
    assert page.counts == data.counts()
    c = page.counts
    assert tab_texts(page) == [
        f"All ({c['all']})", f"Pending ({c['pending']})", f"Confirmed ({c['confirmed']})",
        f"Shipping ({c['shipping']})", f"Completed ({c['completed']})",
        f"Cancelled ({c['cancelled']})", f"Return/Refund ({c['return_refund']})",
    ]  # fmt: skip
    assert page.model.rowCount() == 153 and page.count.text() == "153 orders"
    assert keys(page) == data.ids(lambda _r: True)
    assert page.search.placeholderText() == "Search by order ID, customer name or phone"


def test_counts_use_the_language_number_format(qtbot, page, data, monkeypatch):
    real = tab.count_statuses
    monkeypatch.setattr(tab, "count_statuses", lambda *a: {**real(*a), "all": 1234567})
    page.refresh()
    settle(qtbot, page)
    assert tab_texts(page)[0] == "All (1,234,567)"
    install_language("vi")
    page.retranslate()
    assert tab_texts(page)[0].endswith("(1.234.567)")


def test_the_status_tabs_have_the_whole_row(qtbot, page):
    """The tab bar spans its row, whatever its texts: sized by its own hint, it lagged
    behind texts lengthened by the counts and showed scroll arrows after the fifth tab
    with half the row empty."""
    bar = page.status_tabs
    strip = bar.parentWidget()
    assert strip is not None
    margins = strip.layout().contentsMargins()
    room = strip.contentsRect().width() - margins.left() - margins.right()
    qtbot.waitUntil(lambda: bar.width() >= room)
    assert bar.width() > bar.sizeHint().width()


def test_clicking_a_status_tab_filters_the_rows_and_keeps_the_sort(qtbot, page, data):
    header = page.view.horizontalHeader()
    header.setSortIndicator(page.model.col["total"], Qt.SortOrder.AscendingOrder)
    bar = page.status_tabs
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert page.status_tab == "pending"
    pending = data.ids(lambda _r: True, "pending")
    assert page.model.rowCount() == len(pending) == page.counts["pending"]
    assert {cell(page, r, "status") for r in range(len(pending))} == {"Pending"}
    assert page.model.state.sort_key == "total" and page.model.state.descending is False
    totals = {r["id"]: r["total"] for r in data.rows()}
    assert [totals[k] for k in keys(page)] == sorted(totals[k] for k in pending)

    page.select_status_tab("return_refund")
    shown = {cell(page, r, "status") for r in range(page.model.rowCount())}
    assert (
        shown <= {"Return/Refund", "Returned"}
        and page.model.rowCount() == page.counts["return_refund"]
    )
    page.select_status_tab("all")
    assert page.model.rowCount() == 153
    assert page.counts == data.counts()  # a tab switch does not change the counts


def test_a_late_answer_to_an_older_count_is_ignored(qtbot, page, monkeypatch):
    calls: list[str] = []

    def fake(_engine, _flt, _tz, search):
        calls.append(search)
        return {k: len(search) for k in STATUS_TABS}

    monkeypatch.setattr(tab, "count_statuses", fake)
    shown: list[dict[str, int]] = []
    page.countsChanged.connect(lambda: shown.append(dict(page.counts)))
    page._search = "a"
    page._run_counts()
    page._search = "abc"
    page._run_counts()
    qtbot.waitUntil(lambda: not page.counts_pending, timeout=WAIT)
    assert calls == ["a", "abc"]  # both ran; the first answer came back first...
    assert shown == [dict.fromkeys(STATUS_TABS, 3)]  # ...and was never shown


# Search -------------------------------------------------------------------------------
def test_search_by_folded_name_and_by_phone_in_another_format(qtbot, page, data, monkeypatch):
    runs: list[str] = []
    real = tab.count_statuses
    monkeypatch.setattr(
        tab, "count_statuses", lambda e, f, z, s: runs.append(s) or real(e, f, z, s)
    )
    hoa_newest_first = sorted(data.hoa, reverse=True)
    qtbot.keyClicks(page.search, "nguyen thi hoa")
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=WAIT)
    settle(qtbot, page)
    assert keys(page) == hoa_newest_first
    assert {cell(page, r, "buyer_name") for r in range(3)} == {HOA}
    assert page.counts["all"] == 3 and page.count.text() == "3 orders"
    assert runs == ["nguyen thi hoa"]  # one count after typing paused, not one per key

    page.search.clear()
    qtbot.keyClicks(page.search, "+84 912 345 678")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert keys(page) == hoa_newest_first
    settle(qtbot, page)
    assert page.counts["all"] == 3

    page.search.clear()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.model.rowCount() == 153
    settle(qtbot, page)
    assert page.counts["all"] == 153


def test_phones_read_as_on_the_detail_and_are_searched_as_stored(qtbot, page, data):
    """The phone column shows "0912 345 678" (the sale screen's and the detail's format);
    the stored digits still find the order."""
    qtbot.keyClicks(page.search, HOA_PHONE)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert keys(page) == sorted(data.hoa, reverse=True)
    assert {cell(page, r, "buyer_phone") for r in range(3)} == {"0912 345 678"}
    settle(qtbot, page)


# Filter chips -------------------------------------------------------------------------
def test_chips_narrow_rows_and_counts_and_their_x_widens_again(qtbot, page, data):
    tz = shop_tz()
    laz, mall = data.laz, data.mall

    def check(keep: Callable[[dict[str, Any]], bool]) -> None:
        assert keys(page) == data.ids(keep)
        settle(qtbot, page)
        assert page.counts == data.counts(keep)

    page.set_filter(OrderFilter(shop_ids=(laz, mall)))
    in_shops = lambda r: r["shop_id"] in (laz, mall)  # noqa: E731
    check(in_shops)
    chip = page.chip("shop")
    assert chip is not None and chip.text.text() == "Shop: Lazada Kho, Shopee Mall"
    assert page.chips.isVisible()

    flt = OrderFilter(shop_ids=(laz, mall), min_total=100_000, max_total=500_000)
    page.set_filter(flt)
    valued = lambda r: in_shops(r) and 100_000 <= r["total"] <= 500_000  # noqa: E731
    check(valued)
    assert page.chip("value").text.text() == "Value: 100,000 VND – 500,000 VND"

    paid = (PaymentMethod.COD, PaymentMethod.CASH)
    page.set_filter(OrderFilter(shop_ids=(laz, mall), min_total=100_000, max_total=500_000,
                                payment_methods=paid))  # fmt: skip
    by_cod = lambda r: valued(r) and r["payment_method"] in paid  # noqa: E731
    check(by_cod)
    assert page.chip("payment").text.text() == "Payment: COD, Cash"

    first, last = date(2026, 5, 5), date(2026, 5, 20)
    page.set_filter(replace_filter(page, date_from=first, date_to=last))
    dated = lambda r: by_cod(r) and first <= to_local(r["created_at"], tz).date() <= last  # noqa: E731
    check(dated)
    assert page.chip("date").text.text() == "Date: 05/05/2026 – 20/05/2026"
    assert 0 < page.model.rowCount() < 153

    # The × of a chip removes that filter only.
    click(qtbot, page.chip("value").remove)
    assert page.current_filter().min_total is None and page.chip("value") is None
    check(lambda r: in_shops(r) and r["payment_method"] in paid
          and first <= to_local(r["created_at"], tz).date() <= last)  # fmt: skip
    click(qtbot, page.chip("shop").remove)
    click(qtbot, page.chip("date").remove)
    check(lambda r: r["payment_method"] in paid)
    click(qtbot, page.clear_filters)
    assert page.current_filter() == OrderFilter() and not page.chips.isVisible()
    check(lambda _r: True)


def replace_filter(page: OrdersPage, **changes: Any) -> OrderFilter:
    from dataclasses import replace

    return replace(page.current_filter(), **changes)


def test_open_ended_chips_say_from_and_up_to(page, data):
    page.set_filter(OrderFilter(min_total=1_000_000, date_to=date(2026, 5, 31)))
    assert page.chip("value").text.text() == "Value: from 1,000,000 VND"
    assert page.chip("date").text.text() == "Date: until 31/05/2026"
    page.set_filter(OrderFilter(max_total=99_000, date_from=date(2026, 5, 2)))
    assert page.chip("value").text.text() == "Value: up to 99,000 VND"
    assert page.chip("date").text.text() == "Date: from 02/05/2026"
    assert keys(page) == data.ids(
        lambda r: (
            r["total"] <= 99_000 and to_local(r["created_at"], shop_tz()).date() >= date(2026, 5, 2)
        )
    )


def apply_dialog(qtbot, dialog: QDialog) -> None:
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))


def test_filter_editors_add_chips(qtbot, page, data):
    dialog = page.edit_filter("shop")
    assert dialog.isVisible()
    items = {dialog.list.item(i).text(): dialog.list.item(i) for i in range(dialog.list.count())}
    assert {"Lazada Kho", "Shopee Mall", "Tiki Official"} <= set(items)
    items["Tiki Official"].setCheckState(Qt.CheckState.Checked)
    apply_dialog(qtbot, dialog)
    assert page.current_filter().shop_ids == (data.tiki,)
    assert page.chip("shop").text.text() == "Shop: Tiki Official"

    dialog = page.edit_filter("value")
    dialog.min_edit.setText("150.000")
    dialog.max_edit.setText("abc")
    apply_dialog(qtbot, dialog)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text() == "Enter an amount in đồng, such as 100,000 VND."
    dialog.max_edit.setText("100,000 VND")
    apply_dialog(qtbot, dialog)
    assert dialog.error.text() == "The lower amount is above the upper one."
    dialog.max_edit.setText("450000")
    apply_dialog(qtbot, dialog)
    flt = page.current_filter()
    assert (flt.min_total, flt.max_total, flt.shop_ids) == (150_000, 450_000, (data.tiki,))

    dialog = page.edit_filter("payment")
    labels = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert labels == ["COD", "Cash", "Bank transfer", "E-wallet", "Card", "Other", "On account"]
    dialog.list.item(2).setCheckState(Qt.CheckState.Checked)
    apply_dialog(qtbot, dialog)
    assert page.current_filter().payment_methods == (PaymentMethod.BANK_TRANSFER,)

    dialog = page.edit_filter("date")
    today = date(2026, 11, 20)  # the fixed clock, in the shop's zone
    assert dialog.to_edit.date() == QDate(2026, 11, 20) and dialog.from_check.isChecked()
    assert dialog.from_edit.date() == QDate(2026, 10, 22) and dialog.from_edit.calendarPopup()
    dialog.from_edit.setDate(QDate(2026, 5, 10))
    dialog.to_check.setChecked(False)
    apply_dialog(qtbot, dialog)
    assert (page.current_filter().date_from, page.current_filter().date_to) == (
        date(2026, 5, 10),
        None,
    )
    assert today > date(2026, 5, 10)

    page.filter_actions["flagged"].trigger()
    assert page.current_filter().flagged_only and page.chip("flagged").text.text() == "Flagged"
    assert set(page.chip_texts()) == {"shop", "value", "payment", "date", "flagged"}
    assert keys(page) == []
    settle(qtbot, page)
    assert page.counts["all"] == 0 and tab_texts(page)[0] == "All (0)"
    page.filter_actions["flagged"].trigger()
    assert page.chip("flagged") is None


def test_clear_in_a_filter_editor_removes_that_filter_only(qtbot, page, data):
    dialog = page.edit_filter("value")
    assert not dialog.clear_button.isVisible()  # no value filter to clear yet
    dialog.min_edit.setText("150.000")
    apply_dialog(qtbot, dialog)
    dialog = page.edit_filter("shop")
    dialog.list.item(0).setCheckState(Qt.CheckState.Checked)
    apply_dialog(qtbot, dialog)
    assert set(page.chip_texts()) == {"value", "shop"}

    page.chips.editRequested.emit("value")  # the chip's text clicked: its editor
    dialog = page.filter_dialog
    assert dialog.kind == "value" and dialog.clear_button.isVisible()
    assert dialog.clear_button.text() == "Clear"
    click(qtbot, dialog.clear_button)

    assert not dialog.isVisible()
    flt = page.current_filter()
    assert (flt.min_total, flt.max_total) == (None, None) and flt.shop_ids
    assert set(page.chip_texts()) == {"shop"}


# Bulk actions -------------------------------------------------------------------------
def test_confirm_two_pending_orders(qtbot, page, data):
    page.select_status_tab("pending")
    before = page.counts["pending"]
    assert not page.confirm_button.isEnabled()  # nothing selected
    click_row(qtbot, page, 0)
    click_row(qtbot, page, 1, ctrl=True)
    chosen = [page.model.key_at(0), page.model.key_at(1)]
    assert page.selected_ids() == chosen and page.selection_label.text() == "2 selected"
    assert page.confirm_button.isEnabled() and page.cancel_button.isEnabled()
    click(qtbot, page.confirm_button)
    settle(qtbot, page)
    assert [data.status(i)[0] for i in chosen] == ["confirmed", "confirmed"]
    assert page.counts["pending"] == before - 2 == data.counts()["pending"]
    assert page.model.rowCount() == before - 2 and not set(chosen) & set(keys(page))
    assert page.message.text() == "2 orders confirmed" and page.message_bar.isVisible()


def test_confirm_skips_what_cannot_be_confirmed_and_says_so(qtbot, page, data):
    rows = data.rows()
    done = next(r["id"] for r in rows if r["status"] == "completed")
    pending = next(r["id"] for r in rows if r["status"] == "pending")
    assert page.select_ids([done]) == 1
    assert not page.confirm_button.isEnabled()  # a completed order cannot be confirmed
    assert page.flag_button.isEnabled()
    page.select_ids([done, pending])
    assert page.confirm_button.isEnabled()
    click(qtbot, page.confirm_button)
    settle(qtbot, page)
    with data.engine.connect() as conn:
        number = conn.execute(sa.select(orders.c.external_id).where(orders.c.id == done)).scalar()
    assert page.message.text() == f"1 order confirmed; 1 skipped: {number} (Completed)"
    assert data.status(pending)[0] == "confirmed" and data.status(done)[0] == "completed"


def test_cancel_with_a_reason_and_the_waiting_marker(qtbot, page, data, monkeypatch):
    asked: list[tuple[int, str]] = []
    monkeypatch.setattr(
        tab, "ask_cancel_reason", lambda _p, n, note="": asked.append((n, note)) or "Hết hàng"
    )
    # Pending Shopee orders: one that came confirmed from Shopee is no longer the
    # seller's to cancel (test_sync_consistency).
    page.select_status_tab("pending")
    chosen = data.ids(lambda r: r["shop_id"] == data.mall, "pending")[:2]
    assert page.select_ids(chosen) == 2
    before = page.counts["cancelled"]
    click(qtbot, page.cancel_button)
    settle(qtbot, page)
    assert asked == [(2, "")]  # Shopee: the app cancels there too, nothing more to say
    assert [data.status(i) for i in chosen] == [("cancelled", "Hết hàng")] * 2
    assert page.counts["cancelled"] == before + 2
    assert page.message.text() == "2 orders cancelled"
    # Marketplace orders: the cancel waits in the outbox; the list says so.
    page.select_status_tab("cancelled")
    row = keys(page).index(chosen[0])
    assert isinstance(cell(page, row, "status", Qt.ItemDataRole.DecorationRole), QIcon)
    tip = cell(page, row, "status", Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Waiting to be sent")
    assert page.select_ids([chosen[0]]) == 1  # a cancelled order: nothing more to do
    assert not page.cancel_button.isEnabled() and not page.confirm_button.isEnabled()
    assert page.flag_button.isEnabled()


def test_cancel_kept_when_no_reason_is_given(qtbot, page, data, monkeypatch):
    monkeypatch.setattr(tab, "ask_cancel_reason", lambda _p, _n, **_kw: None)
    page.select_status_tab("pending")
    click_row(qtbot, page, 0)
    key = page.model.key_at(0)
    click(qtbot, page.cancel_button)
    assert not page.busy and data.status(key)[0] == "pending"


def test_flag_then_the_flagged_chip_shows_only_them(qtbot, page, data):
    for row, ctrl in ((0, False), (2, True), (5, True)):
        click_row(qtbot, page, row, ctrl=ctrl)
    chosen = page.selected_ids()
    assert len(chosen) == 3
    assert cell(page, 0, "external_id", Qt.ItemDataRole.DecorationRole) is None
    click(qtbot, page.flag_button)
    settle(qtbot, page)
    assert page.message.text() == "3 orders flagged"
    assert sorted(page.selected_ids()) == sorted(chosen)  # the selection is kept
    flagged = lambda r: bool(r["flagged"])  # noqa: E731
    assert data.ids(flagged) == chosen
    page.filter_actions["flagged"].trigger()
    assert page.chip("flagged").text.text() == "Flagged"
    assert keys(page) == chosen
    settle(qtbot, page)
    assert page.counts["all"] == 3
    assert isinstance(cell(page, 0, "external_id", Qt.ItemDataRole.DecorationRole), QIcon)
    assert cell(page, 0, "external_id", Qt.ItemDataRole.ToolTipRole) == "Flagged"
    page.view.selectAll()
    click(qtbot, page.unflag_button)
    settle(qtbot, page)
    assert page.model.rowCount() == 0 and page.counts["all"] == 0
    assert page.message.text() == "3 orders unflagged"


def test_shop_column_shows_the_channel_badge(page, data):
    page.set_filter(OrderFilter(shop_ids=(data.tiki,)))
    decoration = cell(page, 0, "shop", Qt.ItemDataRole.DecorationRole)
    assert isinstance(decoration, QIcon) and not decoration.isNull()
    assert cell(page, 0, "shop", Qt.ItemDataRole.ToolTipRole) == "Tiki"
    assert cell(page, 0, "shop") == "Tiki Official"
    hidden = [c.key for i, c in enumerate(tab.ORDERS_SPEC.columns) if page.view.isColumnHidden(i)]
    assert hidden == ["channel", "flagged", "outbox_pending", "outbox_failed"]
    assert page.model.data(QModelIndex(), Qt.ItemDataRole.DecorationRole) is None
    assert cell(page, 0, "external_id") not in ("", PLACEHOLDER)


def test_print_needs_a_selection(page):
    assert not page.print_button.isEnabled()  # nothing selected (tests/ui/printing: printing)
    assert page.print_button.toolTip() == "Print the selected orders (Ctrl+P)"


# Export and import --------------------------------------------------------------------
def export_to(monkeypatch, path: Path) -> list[tuple[Any, ...]]:
    asked: list[tuple[Any, ...]] = []

    def fake(dialog: QFileDialog) -> tuple[list[str], str]:
        asked.append((dialog.windowTitle(), dialog.selectedFiles()[0]))
        return [str(path)], ""

    monkeypatch.setattr(file_dialogs, "run_dialog", fake)
    return asked


def sheet_ids(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert rows[0][0] == "Order ID"
    return [r[0] for r in rows[1:]]


def external_ids(data: Data, ids: list[int]) -> list[str]:
    with data.engine.connect() as conn:
        by_id = dict(conn.execute(sa.select(orders.c.id, orders.c.external_id)).all())
    return [by_id[i] for i in ids]


def test_export_of_a_selection(qtbot, page, data, settings, monkeypatch, tmp_path):
    target = tmp_path / "chosen"  # the suffix is added
    asked = export_to(monkeypatch, target)
    click_row(qtbot, page, 1)
    click_row(qtbot, page, 4, ctrl=True)
    chosen = page.selected_ids()
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: page.last_message is not None, timeout=WAIT)
    assert asked[0][1] == str(settings.export_dir / "orders-20261120.xlsx")
    written = tmp_path / "chosen.xlsx"
    assert sheet_ids(written) == external_ids(data, chosen)
    box = page.last_message
    assert box.text() == f"2 orders exported to {written}."
    assert "Open folder" in [b.text() for b in box.buttons()]
    box.close()


def test_export_without_selection_takes_the_whole_view(qtbot, page, data, monkeypatch, tmp_path):
    export_to(monkeypatch, tmp_path / "view.xlsx")
    page.set_filter(OrderFilter(shop_ids=(data.mall,)))
    page.select_status_tab("completed")
    assert page.export_button.toolTip() == "Export every order of this view to Excel"
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: page.last_message is not None, timeout=WAIT)
    expected = data.ids(lambda r: r["shop_id"] == data.mall, "completed")
    assert expected and sheet_ids(tmp_path / "view.xlsx") == external_ids(data, expected)
    page.last_message.close()


def test_a_page_closed_while_counting_awaits_no_counts(qtbot, owner_ctx, data):
    page = OrdersPage(owner_ctx)  # not handed to qtbot: this test deletes it
    page.show()
    qtbot.waitExposed(page)
    settle(qtbot, page)
    gate = threading.Event()
    ops._db_pool.submit(gate.wait, WAIT / 1000)  # holds the counts query in the queue
    page.set_filter(OrderFilter(shop_ids=(data.mall,)))
    qtbot.waitUntil(lambda: page._counts_running > 0, timeout=WAIT)
    page.close()
    page.deleteLater()
    qtbot.waitUntil(lambda: not alive(page), timeout=WAIT)
    gate.set()
    assert_db_worker_idle()
    qtbot.wait(50)  # the answer reaches the UI thread, finds the page gone
    assert not page.counts_pending  # nothing left to wait for (it used to stay True)


def test_import_shows_the_report_and_refreshes(qtbot, page, data, monkeypatch, tmp_path):
    from primedist.services.order_import import COLUMNS

    path = tmp_path / "orders.csv"
    good = {"order_id": "IMP-0001", "order_date": "2026-05-20 10:00", "shop": "Shopee Mall",
            "channel": "shopee", "status": "pending", "payment_method": "cod",
            "customer_name": HOA, "customer_phone": HOA_PHONE, "sku": "AO-S",
            "product_name": "Áo thun", "quantity": "2", "unit_price": "99000"}  # fmt: skip
    bad = {**good, "order_id": "IMP-0002", "quantity": "hai"}
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows([good, bad])
    monkeypatch.setattr(file_dialogs, "run_dialog", lambda _d: ([str(path)], ""))
    click(qtbot, page.import_button)
    qtbot.waitUntil(lambda: page.import_dialog is not None, timeout=10_000)
    settle(qtbot, page)
    dialog = page.import_dialog
    assert dialog.summary.text() == (
        "Orders in orders.csv: 1 new, 0 updated, 0 unchanged, 1 rejected."
    )
    assert dialog.table.rowCount() == 1
    row = [dialog.table.item(0, c).text() for c in range(3)]
    assert row[:2] == ["3", "quantity"] and row[2]
    assert dialog.table.item(0, 2).toolTip() == row[2]  # a long reason whole, on hover
    assert page.model.rowCount() == 154 and page.counts["all"] == 154
    dialog.close()


def test_the_template_button_saves_an_empty_file_in_the_apps_language(
    qtbot, page, monkeypatch, tmp_path
):
    from PySide6.QtWidgets import QMessageBox

    from primedist.services.import_templates import template_headers

    install_language("vi")
    try:
        qtbot.waitUntil(lambda: page.template_button.text() == "Tệp mẫu…")
        offered: list[str] = []

        def choose(dialog):
            offered.append(dialog.selectedFiles()[0])
            return [str(tmp_path / "mau")], ""  # the ending is added

        monkeypatch.setattr(file_dialogs, "run_dialog", choose)
        click(qtbot, page.template_button)
        saved = tmp_path / "mau.xlsx"
        qtbot.waitUntil(lambda: page.findChild(QMessageBox, "templateSaved") is not None,
                        timeout=10_000)  # fmt: skip
        assert offered[0].endswith("mau-nhap-don-hang.xlsx")
        box = page.findChild(QMessageBox, "templateSaved")
        assert str(saved) in box.text() and box.text().startswith("Đã lưu")
        sheet = openpyxl.load_workbook(saved).worksheets[0]
        assert [c.value for c in sheet[1]] == template_headers("orders", "vi")
        box.close()
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: page.template_button.text() == "Template…")


# Dialogs of the other parts (stand-ins with the agreed signatures) ----------------------
class FakeSale(QDialog):
    orderCreated = Signal(int)
    made: list[FakeSale] = []

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        FakeSale.made.append(self)


class FakeDetail(QDialog):
    changed = Signal()
    openCustomer = Signal(int)
    made: list[FakeDetail] = []

    def __init__(self, ctx: ServiceContext, order_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.order_id = order_id
        FakeDetail.made.append(self)


@pytest.fixture
def stand_ins(monkeypatch) -> None:
    FakeSale.made.clear()
    FakeDetail.made.clear()
    sale = types.ModuleType("primedist.ui.orders.sale")
    sale.SaleDialog = FakeSale  # type: ignore[attr-defined]
    detail = types.ModuleType("primedist.ui.orders.detail")
    detail.OrderDetailDialog = FakeDetail  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "primedist.ui.orders.sale", sale)
    monkeypatch.setitem(sys.modules, "primedist.ui.orders.detail", detail)


def test_new_order_opens_the_sale_and_refreshes_on_save(qtbot, page, data, stand_ins):
    assert page.new_button.objectName() == "newOrderButton"
    assert page.new_button.shortcut().toString() == "F2"
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(page.view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: len(FakeSale.made) == 1, timeout=WAIT)  # a shortcut animates a click
    sale = FakeSale.made[0]
    assert sale.parent() is page and sale.isVisible()
    new = make_orders(data.engine, data.mall, 1, start=datetime(2026, 11, 20, tzinfo=UTC),
                      step=timedelta(0), seed=9)  # fmt: skip
    sale.orderCreated.emit(new[0])
    assert page.model.key_at(0) == new[0]
    settle(qtbot, page)
    assert page.counts["all"] == 154
    sale.close()


def test_double_click_or_enter_opens_the_detail(qtbot, page, data, stand_ins):
    rect = page.view.visualRect(page.model.index(2, 1))
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [d.order_id for d in FakeDetail.made] == [page.model.key_at(2)]
    FakeDetail.made[0].close()
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(4, 0))
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert [d.order_id for d in FakeDetail.made][1:] == [page.model.key_at(4)]
    detail = FakeDetail.made[1]
    with data.engine.begin() as conn:
        conn.execute(sa.update(orders).where(orders.c.id == detail.order_id)
                     .values(status="cancelled", cancel_reason="x"))  # fmt: skip
        refresh_summaries(conn, [detail.order_id])  # as the services do (order_effects)
    detail.changed.emit()
    settle(qtbot, page)
    assert page.counts == data.counts()
    detail.close()


def test_the_row_menu_opens_edits_and_acts_on_the_selection(qtbot, page, data, owner_ctx):
    from primedist.domain.enums import OrderSource, OrderStatus
    from primedist.services.orders import DraftLine, OrderDraft, create_order
    from tests.factories import make_product

    variant = make_product(data.engine, "Áo thun", [("AO-1", 100_000, 5)])[0]
    own = create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(variant, 1),), source=OrderSource.PHONE, status=OrderStatus.PENDING,
        payment_method=PaymentMethod.COD)).id  # fmt: skip
    page.refresh()
    settle(qtbot, page)
    click_row(qtbot, page, 3)  # another row selected: the right-clicked one replaces it
    row = keys(page).index(own)
    page._show_context_menu(page.view.visualRect(page.model.index(row, 1)).center())
    menu = page.context_menu
    assert menu is not None and page.selected_ids() == [own]
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert list(actions)[:8] == ["Open…", "Edit…", "Order again…", "Confirm", "Cancel orders",
                                 "Ship…", "Flag", "Unflag"]  # fmt: skip
    assert actions["Edit…"].isEnabled() and actions["Confirm"].isEnabled()
    actions["Confirm"].trigger()
    settle(qtbot, page)
    assert data.status(own)[0] == "confirmed"
    menu.close()

    marketplace = page.model.key_at(0 if row else 1)
    assert not page.build_context_menu(marketplace).actions()[1].isEnabled()  # not ours
    page.context_menu.close()
    page.build_context_menu(own, "PD-1").actions()[1].trigger()  # Edit…
    sale = page.edit_dialog
    assert sale is not None and sale.isVisible() and sale.windowTitle() == "Edit order PD-1"
    sale.close()
    page.context_menu.close()
    page.build_context_menu(own).actions()[2].trigger()  # Order again…
    again = page.edit_dialog
    assert again is not None and again.isVisible() and again.editing is None
    assert [(ln.hit.sku, ln.quantity) for ln in again.model.lines] == [("AO-1", 1)]
    again.done(QDialog.DialogCode.Rejected)  # not close(): it would ask about the lines
    page.context_menu.close()


# Main window --------------------------------------------------------------------------
def test_main_window_orders_tab_is_this_page(qtbot, owner_ctx, settings, data):
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
    qtbot.addWidget(window)
    window.show()
    page = window.select_tab("orders")
    assert isinstance(page, OrdersPage)
    settle(qtbot, page)
    assert page.counts["all"] == 153
    window.close()  # shuts the page down: no more key loading, no count pending
    assert not page.model._timer.isActive() and not page._counts_timer.isActive()


def test_the_real_sale_and_detail_dialogs_open(qtbot, page, data):
    click(qtbot, page.new_button)
    sale = page.findChild(QDialog, "saleDialog")
    assert sale is not None and sale.isVisible() and sale.parent() is page
    sale.close()
    page.select_status_tab("pending")
    click_row(qtbot, page, 0)
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    detail = page.findChild(QDialog, "orderDetail")
    assert detail is not None and detail.isVisible() and detail.order_id == page.model.key_at(0)
    detail.close()
    qtbot.waitUntil(lambda: ops._db_pool.submit(lambda: None).result(timeout=20) is None)


def test_customer_link_in_the_detail_opens_the_customers_tab(qtbot, owner_ctx, settings):
    from tests.factories import make_customers

    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Mall", "shopee")
    cid = make_customers(engine, 3, names=["Lê Văn Tám", "Phạm Thu", "Ngô Lan"])[1]
    make_orders(engine, shop, 1, start=START, step=timedelta(hours=1), customer_ids=[cid],
                buyer_names=["Phạm Thu"])  # fmt: skip
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
    qtbot.addWidget(window)
    window.show()
    page = window.select_tab("orders")
    assert isinstance(page, OrdersPage)
    settle(qtbot, page)
    page.open_detail(page.model.index(0, 0))
    detail = page.findChild(QDialog, "orderDetail")
    assert detail is not None
    click(qtbot, detail.customer_button)
    customers = window.tabs.currentWidget().ensure_built()
    assert window.tabs.currentWidget().key == "customers"
    listed = customers.list
    assert listed.search.text() == f"KH{cid:06d}"
    qtbot.waitUntil(lambda: listed.model.rowCount() == 1, timeout=WAIT)
    assert listed.model.data(listed.model.index(0, listed.model.col["name"])) == "Phạm Thu"
    # The customer's own detail opens on top of the list.
    from primedist.ui.customers.detail import CustomerDetailDialog

    assert isinstance(customers.last_dialog, CustomerDetailDialog)
    qtbot.waitUntil(lambda: not detail.isVisible(), timeout=WAIT)
    customers.last_dialog.reject()
    window.close()


# Keeping the user's place on a refresh -------------------------------------------------
def current_row(page: OrdersPage) -> int:
    return page.view.currentIndex().row()


def put_cursor(page: OrdersPage, row: int) -> int:
    """Row `row` current and selected, as a click or the arrow keys leave it; its key."""
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(row, 1))
    assert current_row(page) == row and page.selected_ids() == [page.model.key_at(row)]
    return page.model.key_at(row)  # type: ignore[return-value]


def test_a_confirmed_order_leaving_the_tab_leaves_the_cursor_on_the_next_one(
    qtbot, page: OrdersPage, data: Data, owner_ctx: ServiceContext
) -> None:
    page.select_status_tab("pending")
    settle(qtbot, page)
    listed = keys(page)
    assert len(listed) >= 6
    chosen = put_cursor(page, 3)
    confirm_orders(owner_ctx, [chosen])  # as the order's detail does, then the list refreshes
    page.refresh()
    settle(qtbot, page)
    assert chosen not in keys(page)
    assert current_row(page) == 3 and page.model.key_at(3) == listed[4]  # took its place
    assert page.view.currentIndex().column() == 1
    assert page.selected_ids() == [listed[4]]  # highlighted: Enter opens what is seen
    qtbot.keyClick(page.view, Qt.Key.Key_Down)
    assert current_row(page) == 4 and page.selected_ids() == [listed[5]]

    # Several chosen: a bulk action's leftovers are not replaced by rows nobody chose.
    page.view.setCurrentIndex(page.model.index(1, 1))
    first, second = page.model.key_at(1), page.model.key_at(2)
    page.select_ids([first, second])
    confirm_orders(owner_ctx, [first, second])
    page.refresh()
    settle(qtbot, page)
    assert page.selected_ids() == []

    # The bulk Confirm button: the last row leaves, the cursor stays on the new last row.
    last = page.model.rowCount() - 1
    chosen = put_cursor(page, last)
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page)
    assert chosen not in keys(page)
    assert current_row(page) == last - 1 == page.model.rowCount() - 1


def test_the_cursor_follows_its_order_and_the_scroll_stays(
    qtbot, page: OrdersPage, data: Data, owner_ctx: ServiceContext
) -> None:
    bar = page.view.verticalScrollBar()
    assert bar.maximum() > 40
    bar.setValue(30)
    top = page.view.rowAt(0)
    assert top >= 30
    chosen = put_cursor(page, top + 5)
    # Two newer orders come in (a sync, a sale): the chosen order moves down by two.
    later = START + timedelta(days=400)
    make_orders(data.engine, data.mall, 2, start=later, step=timedelta(hours=1))
    page.refresh()
    settle(qtbot, page)
    assert current_row(page) == top + 7 and page.model.key_at(top + 7) == chosen
    assert page.selected_ids() == [chosen]
    assert bar.value() == 32 and page.view.rowAt(0) == top + 2  # the same rows, not the top
    qtbot.keyClick(page.view, Qt.Key.Key_Down)
    assert current_row(page) == top + 8

    # A selection of several rows keeps the cursor where it was in it.
    page.view.selectionModel().select(
        page.model.index(top + 2, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    picked = page.selected_ids()
    page.refresh()
    assert page.selected_ids() == picked and current_row(page) == top + 8


def test_a_list_without_a_current_row_keeps_its_scroll(qtbot, page: OrdersPage) -> None:
    bar = page.view.verticalScrollBar()
    page.view.selectionModel().clearCurrentIndex()
    bar.setValue(25)
    page.refresh()
    assert bar.value() == 25 and not page.view.currentIndex().isValid()


def test_the_message_bar_closes_when_the_language_changes(qtbot, page):
    """What the last action said is in the language it was said in: switching the language
    closes it rather than leave, say, "Đã in 3 chứng từ ra …" on an English screen."""
    page.show_message("3 documents printed to RAW_CAPTURE")
    assert page.message_bar.isVisible()
    install_language("vi")
    try:
        qtbot.waitUntil(lambda: not page.message_bar.isVisible(), timeout=WAIT)
        page.show_message("Đã in 3 chứng từ ra RAW_CAPTURE")
        assert page.message_bar.isVisible()
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: not page.message_bar.isVisible(), timeout=WAIT)
