# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""The Orders tab's toolbar follows the selection, on a real migrated database: a big
selection on a status tab where no bulk action applies leaves them disabled (the status
tab says the statuses), and Export says when it takes only the selected orders."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.orders.test_orders_tab import (  # noqa: F401  (fixtures)
    click,
    click_row,
    data,
    export_to,
    page,
    settle,
    sheet_ids,
)
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "shown")


def select_all(qtbot, page) -> None:
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def test_a_big_selection_of_completed_orders_cannot_be_confirmed_cancelled_or_shipped(
    qtbot, page, monkeypatch
):
    """Past the rows whose statuses are read (16,070 completed orders in the shop), the
    Completed tab still says what they are: Confirm ran 4 s to skip them all."""
    monkeypatch.setattr(page, "STATUS_CHECK_LIMIT", 3)
    page.select_status_tab("completed")
    settle(qtbot, page)
    assert page.model.rowCount() > 3
    select_all(qtbot, page)
    assert page.selected_count() == page.model.rowCount()
    assert not page.confirm_button.isEnabled()
    assert not page.cancel_button.isEnabled()
    assert not page.ship_button.isEnabled()
    assert page.flag_button.isEnabled() and page.print_button.isEnabled()

    # Pending orders can be: the same big selection there keeps the actions.
    page.select_status_tab("pending")
    settle(qtbot, page)
    select_all(qtbot, page)
    assert page.selected_count() > 3
    assert page.confirm_button.isEnabled() and page.cancel_button.isEnabled()
    assert page.ship_button.isEnabled()
    # Every status together: unknown, the service says what it skipped.
    page.select_status_tab("all")
    settle(qtbot, page)
    select_all(qtbot, page)
    assert page.confirm_button.isEnabled()


def test_export_says_when_it_takes_only_the_selected_orders(
    qtbot, page, data, monkeypatch, tmp_path
):
    """A row left selected (an order opened, then closed) exported that order alone,
    with "Export" on the button and "Export orders" over the save dialog."""
    assert page.export_button.text() == "Export"
    click_row(qtbot, page, 2)
    assert page.export_button.text() == "Export (1)"  # the sentence: its tooltip
    click_row(qtbot, page, 4, ctrl=True)
    assert page.export_button.text() == "Export (2)"
    assert page.export_button.toolTip() == "Export 2 selected orders to Excel"
    asked = export_to(monkeypatch, tmp_path / "chosen.xlsx")
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: page.last_message is not None, timeout=WAIT)
    assert asked[0][0] == "Export 2 selected orders"
    assert len(sheet_ids(tmp_path / "chosen.xlsx")) == 2
    page.last_message.close()
    page.last_message = None

    page.view.clearSelection()
    assert page.export_button.text() == "Export"
    asked.clear()
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: page.last_message is not None, timeout=WAIT)
    assert asked[0][0] == "Export orders"
    assert len(sheet_ids(tmp_path / "chosen.xlsx")) == page.model.rowCount()
    page.last_message.close()
