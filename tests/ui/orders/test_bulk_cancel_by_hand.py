# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""Cancel on the Orders tab says, in its dialog before the user confirms, how many of the
selected orders are on a channel the app cannot cancel on (Lazada, TikTok Shop, Tiki) and
must be cancelled in its Seller Center too; the result repeats how many it cancelled there.
The real dialog is answered as a user would (it is modal)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from primedist.domain.enums import Channel
from primedist.ui.orders import tab
from primedist.ui.orders.dialogs import CancelReasonDialog
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_orders, make_shop
from tests.ui.orders.test_orders_tab import (  # noqa: F401  (fixtures)
    START,
    Data,
    click,
    data,
    keys,
    page,
    settle,
)

pytestmark = pytest.mark.usefixtures("english", "shown")


def cancel_selected(qtbot: Any, page: OrdersPage, reason: str | None) -> str:
    """Click Cancel on the selected orders and answer the dialog: type `reason` and
    confirm, or keep the orders (None). Returns the dialog's note ("" when none shown)."""
    seen: dict[str, str] = {}

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None and page.busy:  # still counting the selection off the UI thread
            QTimer.singleShot(10, answer)
            return
        assert isinstance(dialog, CancelReasonDialog)
        seen["note"] = dialog.note.text() if dialog.note.isVisibleTo(dialog) else ""
        if reason is None:
            dialog.reject()
            return
        edit = dialog.reason.lineEdit()
        assert edit is not None
        qtbot.keyClicks(edit, reason)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    assert page.cancel_button.isEnabled()
    QTimer.singleShot(0, answer)
    click(qtbot, page.cancel_button)
    settle(qtbot, page)
    assert "note" in seen, "no cancel dialog"
    return seen["note"]


def of(data: Data, shop: int, status: str) -> list[int]:
    return data.ids(lambda r: r["shop_id"] == shop and r["status"] == status)


def select(page: OrdersPage, ids: list[int]) -> None:
    page.select_status_tab("all")
    keys(page)  # every row loaded, so every id can be selected
    assert page.select_ids(ids) == len(ids)


def test_a_lazada_and_a_shopee_order_the_note_names_lazada_only(
    qtbot: Any, page: OrdersPage, data: Data
) -> None:
    lazada, shopee = of(data, data.laz, "pending")[0], of(data, data.mall, "pending")[0]
    select(page, [lazada, shopee])
    note = cancel_selected(qtbot, page, "Out of stock")
    assert note == (
        "1 of these orders is on Lazada: the app cannot cancel orders there; after "
        "cancelling it here, cancel it in Lazada Seller Center too."
    )
    assert [data.status(i) for i in (lazada, shopee)] == [("cancelled", "Out of stock")] * 2
    assert page.message.text() == "2 orders cancelled (1 still to cancel in Seller Center: Lazada)"


def test_shopee_and_the_shops_own_orders_no_note(qtbot: Any, page: OrdersPage, data: Data) -> None:
    counter = make_shop(data.engine, "Cửa hàng", Channel.OFFLINE)
    make_orders(data.engine, counter, 20, start=START, step=timedelta(hours=3), seed=7)
    page.refresh()
    settle(qtbot, page)
    chosen = of(data, data.mall, "pending")[:2] + of(data, counter, "pending")[:2]
    assert len(chosen) == 4
    select(page, chosen)
    assert cancel_selected(qtbot, page, "Out of stock") == ""
    assert {data.status(i)[0] for i in chosen} == {"cancelled"}
    assert page.message.text() == "4 orders cancelled"  # nothing left to do elsewhere


def test_orders_the_cancel_skips_are_not_counted(qtbot: Any, page: OrdersPage, data: Data) -> None:
    lazada = of(data, data.laz, "pending")[:2]
    already = of(data, data.laz, "cancelled")[0]
    tiki, delivered = of(data, data.tiki, "shipping")[0], of(data, data.tiki, "completed")[0]
    select(page, [*lazada, already, tiki, delivered])
    note = cancel_selected(qtbot, page, "Out of stock")
    assert note == (
        "2 of these orders are on Lazada and 1 on Tiki: the app cannot cancel orders there; "
        "after cancelling them here, cancel them in those Seller Centers too."
    )
    assert {data.status(i)[0] for i in [*lazada, tiki]} == {"cancelled"}
    assert data.status(delivered)[0] == "completed"
    text = page.message.text()
    assert text.startswith(
        "3 orders cancelled (3 still to cancel in Seller Center: Lazada, Tiki); 2 skipped: "
    ), text


def test_one_lazada_order_alone_and_kept(qtbot: Any, page: OrdersPage, data: Data) -> None:
    lazada = of(data, data.laz, "confirmed")[0]
    select(page, [lazada])
    note = cancel_selected(qtbot, page, None)
    assert note == (
        "This order is on Lazada: the app cannot cancel orders there; after cancelling it "
        "here, cancel it in Lazada Seller Center too."
    )
    assert data.status(lazada)[0] == "confirmed"  # kept


def test_several_lazada_orders_one_seller_center(qtbot: Any, page: OrdersPage, data: Data) -> None:
    lazada = of(data, data.laz, "pending")[:3]
    shopee = of(data, data.mall, "completed")[:1]  # skipped: not counted, not named
    select(page, lazada + shopee)
    note = cancel_selected(qtbot, page, None)
    assert note == (
        "3 of these orders are on Lazada: the app cannot cancel orders there; after "
        "cancelling them here, cancel them in Lazada Seller Center too."
    )


def test_a_big_selection_is_counted_off_the_ui_thread(
    qtbot: Any, page: OrdersPage, data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past COUNT_ON_UI_THREAD selected orders (a big shop's whole list), the count runs in
    a worker while the page is busy; the dialog then says the same and the cancel runs."""
    counted_on: list[threading.Thread] = []
    count = tab.cancellable_per_channel

    def recorded(*args: Any) -> Any:
        counted_on.append(threading.current_thread())
        return count(*args)

    monkeypatch.setattr(tab, "COUNT_ON_UI_THREAD", 1)
    monkeypatch.setattr(tab, "cancellable_per_channel", recorded)
    lazada = of(data, data.laz, "pending")[:2]
    shopee = of(data, data.mall, "pending")[:1]
    select(page, lazada + shopee)
    note = cancel_selected(qtbot, page, "Out of stock")
    assert counted_on and counted_on[0] is not threading.main_thread()
    assert note == (
        "2 of these orders are on Lazada: the app cannot cancel orders there; after "
        "cancelling them here, cancel them in Lazada Seller Center too."
    )
    assert {data.status(i)[0] for i in lazada + shopee} == {"cancelled"}
    assert page.message.text() == "3 orders cancelled (2 still to cancel in Seller Center: Lazada)"


def test_a_small_selection_is_counted_at_once(
    qtbot: Any, page: OrdersPage, data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted_on: list[threading.Thread] = []
    count = tab.cancellable_per_channel

    def recorded(*args: Any) -> Any:
        counted_on.append(threading.current_thread())
        return count(*args)

    monkeypatch.setattr(tab, "cancellable_per_channel", recorded)
    select(page, of(data, data.laz, "pending")[:1])
    cancel_selected(qtbot, page, None)
    assert counted_on == [threading.main_thread()]
