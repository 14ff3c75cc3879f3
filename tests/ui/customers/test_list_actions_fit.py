"""The Customers list's action row in Vietnamese at the app's 1280 × 800: every button
shows its whole text (the row used to overflow: "ıêm vào phân khúc", "hêm khách hàng")."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from primedist.services.context import ServiceContext
from primedist.services.customer_account import adjust_balance
from primedist.ui.customers.page import CustomersPage
from tests.factories import make_customers
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("no_crash")

#: The main window's default size; the Customers page has its whole width.
WIDTH, HEIGHT = 1280, 800


def whole(button: QPushButton) -> bool:
    """The button is as wide as its text (and padding) needs: nothing cut off."""
    return button.width() >= button.sizeHint().width()


def test_every_action_shows_its_whole_text_in_vietnamese_at_1280(
    qtbot, app_style, vietnamese, owner_ctx: ServiceContext
) -> None:
    make_customers(owner_ctx.engine, 300)
    page = show_widget(qtbot, CustomersPage(owner_ctx), WIDTH, HEIGHT - 140)  # − the header
    assert page.width() == WIDTH
    lst = page.list
    qtbot.waitUntil(lambda: lst.model.rowCount() > 0, timeout=WAIT)
    lst.view.selectRow(0)  # one selected: "Select all 300 matching" shows too
    qtbot.waitUntil(lst.select_all_button.isVisible, timeout=WAIT)
    buttons = [lst.add_segment_button, lst.remove_segment_button, lst.tag_button,
               lst.untag_button, lst.level_button, lst.delete_button, lst.select_all_button,
               lst.export_button, lst.import_button, lst.add_button]  # fmt: skip
    assert all(b.isVisible() for b in buttons)
    assert lst.add_segment_button.text() == "Thêm vào phân khúc…"
    cut = [(b.text(), b.width(), b.sizeHint().width()) for b in buttons if not whole(b)]
    assert cut == []
    right = max(b.mapTo(lst, b.rect().topRight()).x() for b in buttons)
    assert right <= lst.width()
    lst.view.selectAll()  # all selected: "All 300 … are selected" and "Clear selection"
    qtbot.waitUntil(lst.clear_selection_button.isVisible, timeout=WAIT)
    assert whole(lst.clear_selection_button)
    assert lst.selection_label.width() >= lst.selection_label.sizeHint().width()
    close_page(qtbot, lst)


def test_what_a_customer_owes_shows_whole_in_english(
    qtbot: Any, app_style: None, english: None, owner_ctx: ServiceContext
) -> None:
    """ "2,193,000 VND" was cut to "2,193,000 V…" in the Owes column."""
    (cid,) = make_customers(owner_ctx.engine, 1)
    adjust_balance(owner_ctx, cid, 12_345_000, "Sổ nợ cũ")
    page = show_widget(qtbot, CustomersPage(owner_ctx), WIDTH, HEIGHT - 140)
    lst = page.list
    qtbot.waitUntil(lambda: lst.model.rowCount() == 1, timeout=WAIT)
    owes = lst.model.col["owes"]
    assert lst.model.index(0, owes).data() == "12,345,000 VND"
    assert lst.view.columnWidth(owes) >= lst.view.sizeHintForColumn(owes)
    close_page(qtbot, lst)
