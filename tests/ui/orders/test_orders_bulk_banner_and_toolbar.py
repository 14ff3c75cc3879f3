# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""The Orders tab's result banner and toolbar, on a real migrated database: a bulk action
that did nothing (every order skipped) is not shown in a success's green, and the Export
button says how many orders it takes in few words (the sentence is its tooltip) so the
toolbar fits a 1280 px window."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from primedist.ui.orders.tab import OrdersPage
from tests.ui.orders.test_orders_tab import (  # noqa: F401  (fixtures)
    Data,
    click_row,
    data,
    page,
    settle,
)

pytestmark = pytest.mark.usefixtures("english", "shown")

SUCCESS_GREEN = QColor("#ECFDF5")
ERROR_RED = QColor("#FEF2F2")


def background(widget: QWidget) -> QColor:
    """The colour most of the widget is painted in (its background)."""
    image = widget.grab().toImage()
    counts = Counter(
        image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
    )
    return QColor.fromRgb(counts.most_common(1)[0][0])


def test_a_bulk_action_that_did_nothing_is_not_shown_as_a_success(
    qtbot: Any, page: OrdersPage, data: Data
) -> None:
    rows = data.rows()
    completed = next(r["id"] for r in rows if r["status"] == "completed")
    pending = next(r["id"] for r in rows if r["status"] == "pending")
    # A big selection leaves Confirm enabled (statuses unknown): the service skips them all.
    assert page.select_ids([completed]) == 1
    page.confirm_selected()
    settle(qtbot, page)
    assert page.message.text().startswith("0 orders confirmed; 1 skipped:")
    assert page.message_bar.isVisible()
    assert page.message_bar.property("failed") is True
    assert background(page.message_bar) == ERROR_RED

    # An action that did something is green again.
    page.select_ids([pending, completed])
    page.confirm_selected()
    settle(qtbot, page)
    assert page.message.text().startswith("1 order confirmed; 1 skipped:")
    assert page.message_bar.property("failed") is False
    assert background(page.message_bar) == SUCCESS_GREEN


def test_export_says_its_count_in_short_and_the_sentence_in_its_tooltip(
    qtbot: Any, page: OrdersPage
) -> None:
    assert page.export_button.text() == "Export"
    click_row(qtbot, page, 2)
    assert page.export_button.text() == "Export (1)"
    assert page.export_button.toolTip() == "Export 1 selected order to Excel"
    click_row(qtbot, page, 4, ctrl=True)
    assert page.export_button.text() == "Export (2)"
    assert page.export_button.toolTip() == "Export 2 selected orders to Excel"


def test_the_toolbar_fits_a_1280_px_window_in_vietnamese(
    qtbot: Any, app_style: None, vietnamese: None, page: OrdersPage
) -> None:
    """With one order selected, "Ship…" and the Export button were cut (the export's
    "Export 1 selected order" left no room): every button is as wide as its text, and the
    page is not wider than the window (alone, a page grows to its minimum width)."""
    page.resize(1280, 760)  # in a maximised 1280 px window
    click_row(qtbot, page, 2)
    qtbot.wait(50)
    buttons = (page.confirm_button, page.cancel_button, page.ship_button, page.flag_button,
               page.unflag_button, page.end_of_day_button, page.export_button,
               page.print_button, page.import_button, page.template_button,
               page.new_button)  # fmt: skip
    cut = [(b.text(), b.width(), b.sizeHint().width()) for b in buttons
           if b.width() < b.sizeHint().width()]  # fmt: skip
    assert page.ship_button.text() == "Tạo vận đơn…"  # the Vietnamese toolbar
    assert cut == []
    assert page.width() == 1280  # not widened to the toolbar's minimum (off a 1280 screen)
